"""start_supervisor.sh: start every IOC under supervisord, report RUNNING once CA answers, restart a killed IOC,
recover from a stale socket, and leave no process behind after shutdown.

The run uses its own runtime directory, addresses (SOPHYD_IOC_NET) and prefixes (SOPHYD_IOC_PREFIX), so it
cannot collide with a supervisord a user or a parallel test run has started.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import gone, wait_for, wait_gone

from sophyd.sim.launch import _address_is_free, ioc_package_dir
from sophyd_iocs.registry import IOCS

SCRIPT = ioc_package_dir() / "supervisor" / "start_supervisor.sh"
HOSTS = {info.name: info.host for info in IOCS if info.host is not None}
EXPECTED = list(HOSTS)
START_TIMEOUT = 60.0

pytestmark = [
    pytest.mark.system,  # starts supervisord and the IOCs
    pytest.mark.skipif(shutil.which("bash") is None, reason="start_supervisor.sh needs bash"),
]


def free_net() -> str:
    """Three octets 127.X.Y such that CA port 5064 is free on every supervised IOC's host."""
    rng = random.SystemRandom()
    for _ in range(50):
        net = f"127.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        if all(_address_is_free(f"{net}.{host}", strict=True) for host in HOSTS.values()):
            return net
    raise RuntimeError("no free 127.X.Y network found")


class Supervisor:
    """Runs start_supervisor.sh with an isolated environment and remembers every PID it saw."""

    def __init__(self, runtime_dir: str) -> None:
        self.env = {
            **os.environ,
            "SOPHYD_SUPERVISOR_DIR": runtime_dir,
            "SOPHYD_PYTHON": sys.executable,
            "SOPHYD_START_TIMEOUT": str(int(START_TIMEOUT)),
            "SOPHYD_IOC_NET": free_net(),
            "SOPHYD_IOC_PREFIX": f"sophyd{secrets.token_hex(4)}:",
        }
        self.pids: set[int] = set()
        self.last_returncode: int | None = None

    def run(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def status(self) -> dict[str, tuple[str, int]]:
        """``start_supervisor.sh status`` as {name: (state, pid or 0)}."""
        proc = self.run("status")
        self.last_returncode = proc.returncode
        out = proc.stdout
        result = {}
        for line in out.splitlines():
            if line.startswith("#"):
                continue  # the line to source, for people
            words = line.replace(",", " ").split()
            if len(words) >= 2:
                pid = int(words[3]) if len(words) > 3 and words[2] == "pid" else 0
                result[words[0]] = (words[1], pid)
                if pid:
                    self.pids.add(pid)
        return result

    def running_pids(self) -> dict[str, int] | None:
        """{name: pid} when every expected IOC is RUNNING (answers on CA), else None."""
        status = self.status()
        if sorted(status) != sorted(EXPECTED) or {state for state, _ in status.values()} != {"RUNNING"}:
            return None
        return {name: pid for name, (_, pid) in status.items()}

    def supervisord_pid(self) -> int:
        out = self.run("pid").stdout.strip()
        pid = int(out)
        self.pids.add(pid)
        return pid


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    runtime_dir = tempfile.mkdtemp(prefix="sophyd-sv-")  # short: unix socket paths are limited to ~100 bytes
    sup = Supervisor(runtime_dir)
    try:
        yield sup
    finally:
        sup.run("shutdown")
        for pid in sup.pids:  # only if the orderly shutdown failed: stop what we started, by PID
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(runtime_dir, ignore_errors=True)


def test_env_matches_ca_env_sh(supervisor: Supervisor) -> None:
    out = supervisor.run("env").stdout
    net = supervisor.env["SOPHYD_IOC_NET"]
    addresses = " ".join(f"{net}.{host}" for host in HOSTS.values())
    assert f'export EPICS_CA_ADDR_LIST="{addresses}"' in out
    assert "export EPICS_CA_AUTO_ADDR_LIST=NO" in out
    sourced = subprocess.run(
        ["bash", "-c", f'. "{SCRIPT.parent / "ca_env.sh"}" && echo "$EPICS_CA_ADDR_LIST"'],
        env=supervisor.env,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    assert sourced == addresses


def test_supervisor_lifecycle(supervisor: Supervisor) -> None:
    assert EXPECTED, "no IOC module to run"
    runtime = Path(supervisor.env["SOPHYD_SUPERVISOR_DIR"])
    # A socket file nobody listens on, as a supervisord killed with SIGKILL leaves behind.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(runtime / "supervisor.sock"))

    # The status that starts supervisord waits until every IOC answers, and says what to source.
    first = supervisor.run("status", timeout=START_TIMEOUT + 60)
    assert first.returncode == 0, f"{first.stdout}\n{first.stderr}"
    states = [line.split()[1] for line in first.stdout.splitlines() if not line.startswith("#")]
    assert states == ["RUNNING"] * len(EXPECTED), first.stdout
    assert (
        f"# point CA clients at these IOCs, in the shell that starts them: . {SCRIPT.parent}/ca_env.sh"
        in first.stdout
    )
    pids: dict[str, int] = {}

    def running() -> bool:
        pids.clear()
        pids.update(supervisor.running_pids() or {})
        return bool(pids)

    wait_for(running, START_TIMEOUT, "every IOC RUNNING")
    assert supervisor.last_returncode == 0
    supervisord = supervisor.supervisord_pid()

    victim = EXPECTED[0]
    killed = pids[victim]
    os.kill(killed, signal.SIGKILL)
    assert wait_gone(killed, 10), f"{victim} did not die"
    wait_for(lambda: running() and pids[victim] != killed, START_TIMEOUT, f"supervisord to restart {victim}")
    assert supervisor.supervisord_pid() == supervisord

    done = supervisor.run("shutdown")
    assert done.returncode == 0, done.stderr
    for pid in supervisor.pids:
        assert gone(pid), f"process {pid} is still alive"
    assert not (runtime / "supervisor.sock").exists()
    assert supervisor.run("shutdown").stdout.strip() == "supervisord is not running"


def test_users_own_ioc_joins_the_supervised_set(supervisor: Supervisor) -> None:
    user_ioc = str(Path(__file__).with_name("user_ioc.py"))
    supervisor.env["SOPHYD_EXTRA_IOCS"] = user_ioc
    net = supervisor.env["SOPHYD_IOC_NET"]
    out = supervisor.run("env").stdout
    addresses = " ".join(f"{net}.{host}" for host in [*HOSTS.values(), 21])
    assert f'export EPICS_CA_ADDR_LIST="{addresses}"' in out
    programs = subprocess.run(
        [sys.executable, "-m", "sophyd_iocs.registry", "programs", user_ioc],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert programs[-1].split() == ["user_ioc", "21", "user_ioc:", "answer", user_ioc]
    assert [line.split()[0] for line in programs[:-1]] == list(HOSTS)


def test_scripts_find_the_python_sophyd_is_installed_in(supervisor: Supervisor) -> None:
    """Without an activated environment or SOPHYD_PYTHON, the scripts use the environment they are installed in
    (or the checkout's .venv), not whatever python3 is first on PATH."""
    here = SCRIPT.parent.resolve()
    prefix = Path(sys.prefix).resolve()
    if not (here.is_relative_to(prefix) or any((d / ".venv").resolve() == prefix for d in here.parents)):
        pytest.skip(f"this environment ({prefix}) is neither above {here} nor a .venv next to it")
    env = {k: v for k, v in supervisor.env.items() if k not in ("SOPHYD_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/bin:/bin"  # no environment's python first on PATH
    found = subprocess.run(
        ["bash", "-c", f'. "{here}/find_python.sh" && sophyd_find_python "{here}"'],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).parent.resolve() == Path(sys.executable).parent.resolve()
    out = subprocess.run(["bash", str(SCRIPT), "env"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "export EPICS_CA_ADDR_LIST=" in out.stdout, out.stderr
    sourced = subprocess.run(
        ["bash", "-c", f'. "{here}/ca_env.sh" && echo "$EPICS_CA_ADDR_LIST"'],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert sourced.stdout.strip() == out.stdout.split('"')[1], sourced.stderr


def test_no_python_with_sophyd_is_a_clear_error(supervisor: Supervisor, tmp_path: Path) -> None:
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    env = {**supervisor.env, "SOPHYD_PYTHON": str(fake)}
    result = subprocess.run(
        ["bash", str(SCRIPT), "status"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "set SOPHYD_PYTHON to the python it is installed in" in result.stderr
