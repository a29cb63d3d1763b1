"""The IOC launcher: unique prefixes, one loopback address per IOC, stop/start by PID, and clean exits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import gone, wait_gone

import sophyd_iocs
from sophyd import EpicsSignalRO
from sophyd.control.probe import missing_pvs
from sophyd.sim import IOCSet, launch_iocs
from sophyd.sim.launch import (
    IOCPackageError,
    IOCStartError,
    ioc_available,
    ioc_defaults,
    ioc_package_dir,
    shipped_iocs,
)
from sophyd_iocs import registry

IOC = "trigger_with_pc"
USER_IOC = Path(__file__).with_name("user_ioc.py")
CA_VARS = ("EPICS_CA_ADDR_LIST", "EPICS_CA_AUTO_ADDR_LIST")

pytestmark = pytest.mark.system  # starts IOCs or other processes itself


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


def test_probe_keeps_searching_for_an_ioc_that_starts_later() -> None:
    """missing_pvs() with a long timeout answers soon after the IOC comes up, not at the timeout's half-way
    point, where one sync-client read would search again."""
    with launch_iocs(IOC, unique=True) as iocs:
        iocs.stop(IOC)
        result: list[tuple[list[str], float]] = []

        def probe() -> None:
            start = time.monotonic()
            missing = missing_pvs([ready_pv(iocs)], timeout=30)
            result.append((missing, time.monotonic() - start))

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            iocs.start(IOC)  # returns once the IOC answers
        finally:
            prober.join(40)
        ((missing, elapsed),) = result
        assert missing == []
        assert elapsed < 12, (
            f"the probe took {elapsed:.1f} s after a 30 s timeout's first search went unanswered"
        )


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


def test_ioc_package_installs_as_sophyd_iocs() -> None:
    assert registry.PACKAGE == "sophyd_iocs"
    assert ioc_package_dir() == Path(sophyd_iocs.__file__).resolve().parent
    assert shipped_iocs() == tuple(info.name for info in registry.IOCS)
    assert {"trigger_with_pc", "motors", "pattern", "testioc"} <= set(shipped_iocs())


def test_users_own_iocs_package_does_not_hide_the_shipped_iocs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "iocs").mkdir()
    (tmp_path / "iocs" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert all(ioc_available(name) for name in shipped_iocs(runnable=True))
    assert ioc_defaults(IOC) == ("trigger_with_pc:", "gain")


def test_foreign_sophyd_iocs_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    foreign = tmp_path / "sophyd_iocs"
    foreign.mkdir()
    (foreign / "__init__.py").write_text("")
    (foreign / "registry.py").write_text("IOCS = ()\n")
    for name in [name for name in sys.modules if name == "sophyd_iocs" or name.startswith("sophyd_iocs.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    shipped = Path(sophyd_iocs.__file__).resolve().parent
    with pytest.raises(IOCPackageError) as info, launch_iocs(IOC):
        pass  # pragma: no cover
    message = str(info.value)
    assert str(foreign.resolve()) in message and str(shipped) in message, message
    with pytest.raises(IOCPackageError):
        ioc_available(IOC)  # an error, not False: a shadowed package must not look like a missing IOC


def test_users_own_ioc_by_path_and_by_module_name() -> None:
    assert ioc_defaults(str(USER_IOC)) == ("user_ioc:", "answer")
    # The same IOC twice: once as a script, once as a module (tests/ is on sys.path), with two prefixes.
    with launch_iocs(str(USER_IOC), "user_ioc", unique=True, prefixes={"user_ioc": "bymodule:"}) as iocs:
        assert iocs.names == (str(USER_IOC), "user_ioc")
        pvs = [iocs.prefix(name) + "answer" for name in iocs.names]
        assert pvs[0].endswith(":user_ioc:answer") and pvs[1] == "bymodule:answer", pvs
        assert missing_pvs(pvs, timeout=5) == []


def test_users_own_ioc_through_the_fixture(sophyd_iocs: IOCSet) -> None:
    # pyproject.toml names tests/user_ioc.py in the ini option sophyd_iocs.
    prefix = sophyd_iocs.prefix("tests/user_ioc.py")
    assert prefix.endswith(":user_ioc:")
    signal = EpicsSignalRO(prefix + "answer", name="answer")
    try:
        signal.wait_for_connection(timeout=10)
        assert signal.get() == 42
    finally:
        signal.destroy()


RELAUNCH_SCRIPT = """
import os, time
from sophyd import ConnectionTimeoutError, EpicsSignal
from sophyd.sim import launch_iocs

os.environ.pop("EPICS_CA_ADDR_LIST", None)
with launch_iocs("trigger_with_pc", unique=True) as first:
    gain = EpicsSignal(first.prefix("trigger_with_pc") + "gain", name="gain", connection_timeout=10)
    print("first", gain.get(timeout=10), flush=True)  # libca starts here and reads the address list
    with launch_iocs("motors", unique=True) as second:  # libca's only address is taken: a new one
        velo = EpicsSignal(second.prefix("motors") + "mtr1.VELO", name="velo", connection_timeout=30)
        start = time.monotonic()
        try:
            velo.get()
        except ConnectionTimeoutError as exc:
            print("failed at once:", time.monotonic() - start < 5, "restart the process" in str(exc), flush=True)
# The first IOCs are gone: a new launch reuses the address libca searches, so its PVs are found.
with launch_iocs("motors", unique=True) as again:
    velo = EpicsSignal(again.prefix("motors") + "mtr1.VELO", name="velo", connection_timeout=10)
    print("again", velo.get(timeout=10), flush=True)
"""


def test_a_second_launch_in_one_process_reaches_its_iocs() -> None:
    """libca reads EPICS_CA_ADDR_LIST once per process: a later launch_iocs() uses addresses of that list when
    it can; pyepics channels to IOCs it had to put elsewhere fail at once, saying why, instead of timing out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPICS_CA")}
    proc = subprocess.run(
        [sys.executable, "-c", RELAUNCH_SCRIPT], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "first 1.0"
    assert lines[1] == "failed at once: True True"
    assert lines[2].startswith("again ") and float(lines[2].split()[1]) > 0


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
