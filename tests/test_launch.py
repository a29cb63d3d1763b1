"""The IOC launcher: unique prefixes, one loopback address per IOC, stop/start by PID, and clean exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import gone, wait_gone

from sophyd.control._probe import missing_pvs
from sophyd.sim import IOCSet, launch_iocs
from sophyd.sim.launch import IOCStartError, ioc_defaults

IOC = "trigger_with_pc"
CA_VARS = ("EPICS_CA_ADDR_LIST", "EPICS_CA_AUTO_ADDR_LIST")


def ready_pv(iocs: IOCSet, name: str = IOC) -> str:
    return iocs.prefix(name) + ioc_defaults(name)[1]


def test_ioc_module_convention() -> None:
    assert ioc_defaults(IOC) == ("trigger_with_pc:", "gain")


def test_unique_prefixes_own_addresses_and_env() -> None:
    saved = {key: os.environ.get(key) for key in CA_VARS}
    with launch_iocs(IOC, unique=True) as one:
        assert os.environ["EPICS_CA_ADDR_LIST"] == one.address(IOC)
        assert os.environ["EPICS_CA_AUTO_ADDR_LIST"] == "NO"
        assert int(os.environ["EPICS_CA_MAX_ARRAY_BYTES"]) >= 240 * 320
        with launch_iocs(IOC, unique=True) as two:
            assert one.prefix(IOC) != two.prefix(IOC)
            for iocs in (one, two):
                assert iocs.names == (IOC,)
                assert iocs.prefix(IOC).startswith("sophyd")
                assert iocs.prefix(IOC).endswith(":trigger_with_pc:")
                assert iocs.address(IOC).startswith("127.")
            assert one.address(IOC) != two.address(IOC)
            assert os.environ["EPICS_CA_ADDR_LIST"] == two.address(IOC)
            assert missing_pvs([ready_pv(two)], timeout=5) == []
            # The inner set's environment lists only its own IOC.
            assert missing_pvs([ready_pv(one)], timeout=0.5) == [ready_pv(one)]
        assert os.environ["EPICS_CA_ADDR_LIST"] == one.address(IOC)
        assert missing_pvs([ready_pv(one)], timeout=5) == []
    assert {key: os.environ.get(key) for key in CA_VARS} == saved


def test_stop_start_and_cleanup(monkeypatch: pytest.MonkeyPatch) -> None:
    with launch_iocs(IOC, prefixes={IOC: "launchtest:"}, set_env=False) as iocs:
        assert iocs.prefix(IOC) == "launchtest:"
        assert "EPICS_CA_ADDR_LIST" not in os.environ or os.environ["EPICS_CA_ADDR_LIST"] != iocs.address(IOC)
        log_dir = iocs.log_path(IOC).parent
        assert log_dir.is_dir()
        address = iocs.address(IOC)
        first = iocs.pid(IOC)
        assert first is not None

        iocs.stop(IOC)
        assert iocs.pid(IOC) is None
        assert gone(first)

        iocs.start(IOC)
        second = iocs.pid(IOC)
        assert second is not None and second != first
        assert iocs.address(IOC) == address and iocs.prefix(IOC) == "launchtest:"
        env = iocs.env
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    assert missing_pvs(["launchtest:gain"], timeout=0.5) == ["launchtest:gain"]
    assert gone(second)
    assert not log_dir.exists()


def test_exit_on_exception_stops_iocs(tmp_path: Path) -> None:
    pids = []
    with pytest.raises(RuntimeError, match="boom"), launch_iocs(IOC, unique=True, log_dir=tmp_path) as iocs:
        pids.append(iocs.pid(IOC))
        raise RuntimeError("boom")
    assert pids[0] is not None and gone(pids[0])
    assert "Server startup complete" in (tmp_path / f"{IOC}.log").read_text()  # log_dir is kept


def test_start_timeout_reports_log_tail() -> None:
    with (
        pytest.raises(IOCStartError, match=r"did not answer within .*trigger_with_pc"),
        launch_iocs(IOC, unique=True, timeout=0.01),
    ):
        pass  # pragma: no cover


def test_unknown_ioc() -> None:
    with pytest.raises(ValueError, match="no_such_ioc"), launch_iocs("no_such_ioc"):
        pass  # pragma: no cover


ORPHAN_SCRIPT = """
import os, sys
from sophyd.sim import launch_iocs
launch = launch_iocs("trigger_with_pc", unique=True, log_dir=sys.argv[1])
iocs = launch.__enter__()
print(iocs.pid("trigger_with_pc"), flush=True)
os._exit(0)  # die without stopping the IOC, as a test run killed by `timeout` would
"""


def test_ioc_exits_when_launcher_dies(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", ORPHAN_SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    pid = int(proc.stdout.split()[-1])
    assert wait_gone(pid, timeout=10), f"IOC {pid} outlived its launcher"


def test_repeater_runs_with_the_iocs_and_stops_with_them() -> None:
    """launch_iocs runs a CA repeater on loopback for its IOCs and clients, and stops it by PID at the end."""
    import socket
    import struct

    with launch_iocs(IOC, unique=True, set_env=False) as iocs:
        port = int(iocs.env["EPICS_CA_REPEATER_PORT"])
        repeater = iocs._repeater
        assert repeater is not None and repeater.process is not None
        pid = repeater.process.pid
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(10.0)  # beacons come at most ~15 s apart; a young IOC's much more often
            sock.sendto(struct.pack(">HHHHII", 24, 0, 0, 0, 0, 0x7F000001), ("127.0.0.1", port))
            assert struct.unpack(">H", sock.recv(64)[:2])[0] == 17  # REPEATER_CONFIRM
            # The IOC's beacons reach the registered client, with the IOC's own address filled in.
            beacon = sock.recv(64)
            command, _, _, server_port, _, address = struct.unpack(">HHHHII", beacon[:16])
            assert command == 13 and server_port == 5064
            assert socket.inet_ntoa(struct.pack(">I", address)) == iocs.address(IOC)
    assert wait_gone(pid, 5.0)
