"""Start simulated IOCs as subprocesses, each on its own loopback address, and stop them by PID.

Several caproto IOCs bound to one address do not all answer unicast searches (the kernel hands each datagram
to one socket), so every IOC here gets its own random address in 127.0.0.0/8 and the client environment lists
them all with ``EPICS_CA_AUTO_ADDR_LIST=NO``.

libca (pyepics) reads ``EPICS_CA_*`` once, when its context is made: launch the IOCs (with ``set_env=True``)
before the first pyepics channel in the process, or pass ``IOCSet.env`` to a fresh process.

Each IOC module follows the conventions in ``sophyd_iocs/__init__.py`` (the repository's ``iocs/``):
``DEFAULT_PREFIX`` and ``READY_PV`` are module-level string literals (read from the source, without importing
the IOC), ``READY_PV`` naming a PV that answers a CA read once the server is up. The shipped IOCs are listed
in ``sophyd_iocs.registry``.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import os
import random
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import IO, Any

from ..control import frozen_search_list, register_late_ioc, unregister_late_ioc
from ..control.probe import missing_pvs

__all__ = [
    "CA_SERVER_PORT",
    "IOC_PACKAGE",
    "IOCPackageError",
    "IOCSet",
    "IOCStartError",
    "ioc_available",
    "ioc_defaults",
    "ioc_package_dir",
    "launch_iocs",
    "shipped_iocs",
]

CA_SERVER_PORT = 5064
LOOPBACK = "127.0.0.1"
# Channel Access repeater messages (command ids 24 and 17): a registration and the repeater's confirmation.
_REPEATER_REGISTER = bytes([0, 24]) + bytes(10)
_REPEATER_CONFIRM = bytes([0, 17])
#: Large enough for 240x320 uint8 frames with plenty to spare; pyepics uses the same default.
DEFAULT_MAX_ARRAY_BYTES = str(16 * 1024 * 1024)
_STOP_TIMEOUT = 5.0
_REPEATER_TIMEOUT = 10.0
_POLL_TIMEOUTS = (0.2, 0.3, 0.5, 1.0, 2.0)  # short while the IOC starts, longer in case the host is busy
_LOG_TAIL_LINES = 40
_env_lock = threading.Lock()
_addresses_in_use: set[str] = set()  # of the IOCs launch_iocs runs in this process (guarded by _env_lock)
PARENT_PID_VAR = (
    "SOPHYD_IOC_PARENT_PID"  # the same name as sophyd_iocs._run.PARENT_PID_VAR (that imports caproto)
)
#: The import name of the repository's ``iocs/`` folder (``sophyd_iocs.registry.PACKAGE``).
IOC_PACKAGE = "sophyd_iocs"


class IOCStartError(RuntimeError):
    """An IOC exited or did not answer on Channel Access in time; the message ends with its log tail."""


class IOCPackageError(ImportError):
    """The module named ``sophyd_iocs`` is missing, or is not the IOC package shipped with this sophyd."""


def ioc_package_dir() -> Path:
    """The directory of the IOC package shipped with sophyd; ``IOCPackageError`` if the module imported under
    that name (``sophyd_iocs``) is missing or lives anywhere else (another distribution's package of the
    same name, or a folder earlier on ``sys.path``)."""
    sophyd_root = Path(__file__).resolve().parents[2]
    # A wheel installs the folder as sophyd_iocs/ next to sophyd/; an editable install maps it to iocs/.
    shipped = (sophyd_root / IOC_PACKAGE, sophyd_root / "iocs")
    try:
        spec = importlib.util.find_spec(IOC_PACKAGE)
    except ValueError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise IOCPackageError(
            f"sophyd's IOC package {IOC_PACKAGE} is not importable (expected at {shipped[0]} or, for an "
            f"editable install, {shipped[1]}); install sophyd with pip (pip install -e <checkout> from source)"
        )
    found = Path(next(iter(spec.submodule_search_locations))).resolve()
    if found not in shipped:
        raise IOCPackageError(
            f"The module {IOC_PACKAGE} found at {found} is not the IOC package shipped with sophyd "
            f"(sophyd at {sophyd_root / 'sophyd'} ships it at {shipped[0]} or, for an editable install, "
            f"{shipped[1]}); remove or rename the other {IOC_PACKAGE}, or fix sys.path"
        )
    return found


def _registry() -> ModuleType:
    """``sophyd_iocs.registry``, after checking that ``sophyd_iocs`` is sophyd's own."""
    ioc_package_dir()
    return importlib.import_module(f"{IOC_PACKAGE}.registry")


def shipped_iocs(runnable: bool = False) -> tuple[str, ...]:
    """The names of the IOCs shipped with sophyd (``sophyd_iocs.registry.IOCS``), in launch order; with
    ``runnable``, only those whose ``REQUIRES`` package (if any) is installed."""
    registry = _registry()
    names = (info.name for info in registry.IOCS)
    return tuple(name for name in names if not (runnable and registry.missing_requirement(name)))


def ioc_available(name: str) -> bool:
    """Whether the IOC ``name`` (a shipped IOC's name, a module name or a path to a .py file) can be run here:
    its module exists and the package its ``REQUIRES`` literal names (if any) is installed.

    Raises ``IOCPackageError`` when the ``sophyd_iocs`` found is not sophyd's own, rather than answer False.
    """
    try:
        return _registry().missing_requirement(name) is None
    except ValueError:
        return False


def ioc_defaults(name: str) -> tuple[str, str]:
    """The ``(DEFAULT_PREFIX, READY_PV)`` of an IOC, read from its source, else by importing it."""
    result: tuple[str, str] = _registry().ioc_defaults(name)
    return result


def _address_is_free(address: str, strict: bool) -> bool:
    """Whether an IOC could bind UDP and TCP port 5064 on ``address``.

    ``strict`` binds without SO_REUSEADDR, which also fails when anything holds the port on 0.0.0.0; the
    lenient check (as the caproto server binds) is the fallback when such a wildcard IOC runs on the host.
    """
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            if not strict:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if hasattr(socket, "SO_REUSEPORT"):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                sock.bind((address, CA_SERVER_PORT))
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
                    return False
                raise
    return True


def pick_loopback_address(exclude: set[str] | frozenset[str] = frozenset()) -> str:
    """A random address in 127.0.0.0/8 (not 127.0.0.x, no .0/.255 octets) where CA port 5064 is free."""
    rng = random.SystemRandom()
    for attempt in range(64):
        address = f"127.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        if address not in exclude and _address_is_free(address, strict=attempt < 16):
            return address
    raise OSError(f"Could not find a loopback address with UDP and TCP port {CA_SERVER_PORT} free")


def _reachable_addresses(count: int) -> list[str]:
    """Up to ``count`` addresses this process's libca searches and no IOC of this process uses.

    libca read ``EPICS_CA_ADDR_LIST`` once, when its first channel was made, so IOCs launched later in the
    process are found by pyepics channels only on addresses of that list (those of stopped IOCs are free
    again). Empty before libca has started: then any address will do.
    """
    frozen = frozen_search_list()
    if frozen is None:
        return []
    listed = [a for a in frozen.split() if a.startswith("127.") and ":" not in a]
    with _env_lock:
        taken = set(_addresses_in_use)
    return [a for a in listed if a not in taken and _address_is_free(a, strict=False)][:count]


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(no log: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _child_env(extra_root: Path | None = None) -> dict[str, str]:
    """The IOC subprocess environment: ours, unbuffered, able to import ``sophyd_iocs``, ``sophyd`` and (for a
    user's module) ``extra_root`` from wherever this process imports them."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env[PARENT_PID_VAR] = str(os.getpid())  # sophyd_iocs._run ends the IOC if we die without stopping it
    roots: list[str] = [str(extra_root)] if extra_root is not None else []
    for package in (IOC_PACKAGE, "sophyd"):
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            # Only a folder named as the package is importable from its parent; an editable install maps
            # sophyd_iocs to iocs/ with its own import hook, which the child process has too.
            root = str(Path(location).resolve().parent)
            if Path(location).name == package and root not in roots:
                roots.append(root)
    old = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(roots + [p for p in old if p not in roots])
    return env


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of the block and restore the previous values after."""
    with _env_lock:
        saved = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
    try:
        yield
    finally:
        with _env_lock:
            for key, old in saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old


@dataclass
class _IOC:
    name: str
    prefix: str
    address: str
    ready_pv: str
    log_path: Path
    argv: tuple[str, ...]
    root: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    log_file: IO[bytes] | None = None


class _Repeater:
    """The CA repeater of one IOC set (``python -m sophyd_iocs._repeater``) on a free UDP port of 127.0.0.1.

    The set's IOCs send their beacons to it and its clients register with it (``EPICS_CA_REPEATER_PORT``),
    so a client learns at once that an IOC restarted and searches for its channels again; libca finding a
    repeater on that port also no longer tries to spawn the ``caRepeater`` executable pyepics lacks.
    """

    def __init__(self, log_path: Path, beacon_addresses: list[str]) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((LOOPBACK, 0))
            self.port = probe.getsockname()[1]
        self.log_path = log_path
        self._log_file: IO[bytes] | None = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable,
            "-m",
            f"{IOC_PACKAGE}._repeater",
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
        ]
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [*command, "--beacon-addresses", *beacon_addresses],
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=_child_env(),
            start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> None:
        """Register with the repeater until it confirms; IOCStartError if it exits or does not answer."""
        deadline = time.monotonic() + timeout
        register = _REPEATER_REGISTER + socket.inet_aton(LOOPBACK)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((LOOPBACK, 0))
            while True:
                assert self.process is not None
                if self.process.poll() is not None or time.monotonic() > deadline:
                    if self._log_file is not None:
                        self._log_file.flush()
                    raise IOCStartError(
                        f"CA repeater on {LOOPBACK}:{self.port} did not start. "
                        f"Last lines of {self.log_path}:\n{_tail(self.log_path)}"
                    )
                sock.sendto(register, (LOOPBACK, self.port))
                sock.settimeout(0.1)
                try:
                    reply = sock.recv(64)
                except OSError:
                    continue
                if reply[:2] == _REPEATER_CONFIRM:
                    return

    def stop(self) -> None:
        """SIGTERM by PID (SIGKILL after a while); close the log."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(_STOP_TIMEOUT)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class IOCSet:
    """The IOCs started by ``launch_iocs``: where they listen, their prefixes, and per-IOC stop/start."""

    def __init__(
        self, iocs: list[_IOC], *, set_env: bool, timeout: float, repeater: _Repeater | None = None
    ) -> None:
        self._iocs = {ioc.name: ioc for ioc in iocs}
        self._aliases: dict[str, str] = {}
        self._set_env = set_env
        self._timeout = timeout
        self._repeater = repeater

    @property
    def names(self) -> tuple[str, ...]:
        """The IOC names, in launch order."""
        return tuple(self._iocs)

    def prefix(self, name: str) -> str:
        """The PV prefix of IOC ``name``, e.g. ``'sophyd1a2b3c4d:trigger_with_pc:'``."""
        return self._ioc(name).prefix

    def address(self, name: str) -> str:
        """The loopback address IOC ``name`` listens on (CA port 5064)."""
        return self._ioc(name).address

    def log_path(self, name: str) -> Path:
        """The file IOC ``name`` writes its stdout and stderr to."""
        return self._ioc(name).log_path

    @property
    def env(self) -> dict[str, str]:
        """The CA client environment that finds these IOCs (and only these), and hears their beacons."""
        env = {
            "EPICS_CA_ADDR_LIST": " ".join(ioc.address for ioc in self._iocs.values()),
            "EPICS_CA_AUTO_ADDR_LIST": "NO",
            "EPICS_CA_MAX_ARRAY_BYTES": os.environ.get("EPICS_CA_MAX_ARRAY_BYTES", DEFAULT_MAX_ARRAY_BYTES),
        }
        if self._repeater is not None:
            env["EPICS_CA_REPEATER_PORT"] = str(self._repeater.port)
        return env

    def _server_env(self, ioc: _IOC) -> dict[str, str]:
        """What an IOC of this set needs besides the client environment: beacons go to the set's repeater,
        which listens for them on the IOC's own address (see ``sophyd_iocs._repeater``)."""
        if self._repeater is None:
            return {}
        return {
            "EPICS_CAS_BEACON_ADDR_LIST": ioc.address,
            "EPICS_CAS_AUTO_BEACON_ADDR_LIST": "NO",
            "EPICS_CAS_BEACON_PORT": str(self._repeater.port),
            "EPICS_CA_REPEATER_PORT": str(self._repeater.port),
        }

    def pid(self, name: str) -> int | None:
        """The PID of IOC ``name``, or None when it is not running."""
        process = self._ioc(name).process
        if process is None or process.poll() is not None:
            return None
        return process.pid

    def start(self, name: str, timeout: float | None = None) -> None:
        """(Re)start IOC ``name`` on its address with its prefix and wait until it answers on CA."""
        ioc = self._ioc(name)
        if self.pid(name) is not None:
            return
        self._spawn(ioc)
        self._wait_ready([ioc], self._timeout if timeout is None else timeout)

    def stop(self, name: str, timeout: float = _STOP_TIMEOUT) -> None:
        """Stop IOC ``name``: SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds."""
        ioc = self._ioc(name)
        process, ioc.process = ioc.process, None
        try:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)  # Popen signals by PID and never a reaped one
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout)
        finally:
            if ioc.log_file is not None:
                ioc.log_file.close()
                ioc.log_file = None

    def stop_all(self) -> None:
        """Stop every IOC (SIGTERM all first, so they shut down in parallel), then the repeater."""
        for ioc in self._iocs.values():
            if ioc.process is not None and ioc.process.poll() is None:
                with contextlib.suppress(OSError):
                    ioc.process.send_signal(signal.SIGTERM)
        errors: list[BaseException] = []
        for name in self._iocs:
            try:
                self.stop(name)
            except BaseException as exc:  # keep stopping the others
                errors.append(exc)
        if self._repeater is not None:
            self._repeater.stop()
        if errors:
            raise errors[0]

    def _alias(self, aliases: Mapping[str, str]) -> None:
        """Let each key of ``aliases`` name the IOC its value names (the fixtures key a project's IOC by the
        path as written in its pytest configuration, relative to the rootdir)."""
        self._aliases.update(aliases)

    def _ioc(self, name: str) -> _IOC:
        try:
            return self._iocs[self._aliases.get(name, name)]
        except KeyError:
            raise KeyError(f"No IOC {name!r} in this set; names: {', '.join(self._iocs)}") from None

    def _spawn(self, ioc: _IOC) -> None:
        if ioc.log_file is None:
            ioc.log_file = open(ioc.log_path, "ab")  # noqa: SIM115 - closed in stop()
        ioc.process = subprocess.Popen(
            [sys.executable, *ioc.argv, "--prefix", ioc.prefix, "--interfaces", ioc.address],
            stdin=subprocess.DEVNULL,
            stdout=ioc.log_file,
            stderr=subprocess.STDOUT,
            env={**_child_env(ioc.root), **self._server_env(ioc)},
            start_new_session=True,  # SIGINT from the terminal reaches us only; we stop it by PID
        )

    def _wait_ready(self, iocs: list[_IOC], timeout: float) -> None:
        """Poll every IOC's READY_PV until all answer; raise IOCStartError if one exits or time runs out."""
        deadline = time.monotonic() + timeout
        attempt = 0
        pending = {ioc.prefix + ioc.ready_pv: ioc for ioc in iocs}
        env_cm = contextlib.nullcontext() if self._set_env else _environ(self.env)
        with env_cm:
            while pending:
                for ioc in pending.values():
                    assert ioc.process is not None
                    code = ioc.process.poll()
                    if code is not None:
                        raise IOCStartError(self._describe(ioc, f"exited with code {code} before answering"))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    ioc = next(iter(pending.values()))
                    raise IOCStartError(self._describe(ioc, f"did not answer within {timeout:g} s"))
                poll = _POLL_TIMEOUTS[min(attempt, len(_POLL_TIMEOUTS) - 1)]
                attempt += 1
                missing = set(missing_pvs(list(pending), min(poll, remaining)))
                pending = {pv: ioc for pv, ioc in pending.items() if pv in missing}

    def _describe(self, ioc: _IOC, what: str) -> str:
        if ioc.log_file is not None:
            ioc.log_file.flush()
        command = shlex.join(["python", *ioc.argv, "--prefix", ioc.prefix, "--interfaces", ioc.address])
        return (
            f"IOC {ioc.name!r} ({command}) {what}; probed PV {ioc.prefix}{ioc.ready_pv}. "
            f"Last lines of {ioc.log_path}:\n{_tail(ioc.log_path)}"
        )


def _log_name(name: str) -> str:
    """A log file name for the IOC ``name`` (a shipped name, a module name or a path)."""
    stem = Path(name).stem if name.endswith(".py") else name
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in stem) + ".log"


@contextlib.contextmanager
def launch_iocs(
    *names: str,
    unique: bool = False,
    prefixes: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    log_dir: str | os.PathLike[str] | None = None,
    set_env: bool = True,
) -> Iterator[IOCSet]:
    """Start the named IOCs, wait until each answers on CA, stop them all on exit.

    Each name is a shipped IOC (``"pattern"``: ``python -m sophyd_iocs.pattern``), a user's own IOC module
    (``"mypkg.my_ioc"``) or a path to an IOC script (``"/home/me/my_ioc.py"``); a user's IOC follows the
    conventions in ``sophyd_iocs/__init__.py``. The returned set is keyed by the names as given.

    Each IOC listens on its own random loopback address. ``unique`` prepends a random ``sophyd<8 hex>:``
    token to each default prefix so parallel runs never collide; ``prefixes`` maps names to explicit
    prefixes. With ``set_env``, ``EPICS_CA_ADDR_LIST``, ``EPICS_CA_AUTO_ADDR_LIST`` (and
    ``EPICS_CA_MAX_ARRAY_BYTES`` if unset) are set in ``os.environ`` for the block and restored afterwards;
    libca reads them once, at the first pyepics channel of the process, so a later ``launch_iocs`` places
    its IOCs on addresses of the list libca read that IOCs stopped since have freed; an IOC that finds none
    free is out of reach of this process's pyepics channels, which then fail to connect at once, saying why
    and what to do (the caproto control layer and other processes reach it). Without ``set_env``
    they are set only while waiting for the IOCs to answer (the probe reads ``os.environ``); use
    ``IOCSet.env`` for the clients. Logs go to ``log_dir`` (kept) or to a temporary directory (removed on
    exit). Raises ``IOCStartError`` (with the IOC's log tail) if an IOC exits or does not answer in ``timeout``.
    """
    if not names:
        raise ValueError("launch_iocs needs at least one IOC name")
    if len(set(names)) != len(names):
        raise ValueError(f"IOC names repeat: {names}")
    registry = _registry()
    targets = [registry.resolve(name) for name in names]  # ValueError naming the IOC that cannot be found
    prefixes = dict(prefixes or {})
    extra = set(prefixes) - set(names)
    if extra:
        raise ValueError(f"prefixes given for IOCs not launched: {sorted(extra)}")
    token = f"sophyd{secrets.token_hex(4)}:" if unique else ""

    # Everything that can fail, worked out before anything is made.
    reachable = _reachable_addresses(len(names)) if set_env else []
    plan: list[tuple[str, str, str, str, Any]] = []
    for index, (name, target) in enumerate(zip(names, targets, strict=True)):
        default_prefix, ready_pv = registry.ioc_defaults(name)
        used = {a for _, _, a, _, _ in plan}
        address = reachable[index] if index < len(reachable) else pick_loopback_address(used)
        plan.append((name, prefixes.get(name, token + default_prefix), address, ready_pv, target))
    # IOCs that libca, having started, will never search for: its channels to them fail at once, saying why.
    late = [
        (prefix, address) for _, prefix, address, _, _ in plan if set_env and frozen_search_list() is not None
    ]
    late = [(prefix, address) for prefix, address in late if address not in reachable]

    temp_dir = None if log_dir is not None else tempfile.mkdtemp(prefix="sophyd-iocs-")
    with _env_lock:
        _addresses_in_use.update(address for _, _, address, _, _ in plan)
    for prefix, address in late:
        register_late_ioc(prefix, address)
    try:
        logs = Path(log_dir) if log_dir is not None else Path(str(temp_dir))
        logs.mkdir(parents=True, exist_ok=True)
        iocs = [
            _IOC(name, prefix, address, ready, logs / _log_name(name), target.argv, target.root)
            for name, prefix, address, ready, target in plan
        ]
        repeater = _Repeater(logs / "repeater.log", [ioc.address for ioc in iocs])
        ioc_set = IOCSet(iocs, set_env=set_env, timeout=timeout, repeater=repeater)
        env_cm: Any = _environ(ioc_set.env) if set_env else contextlib.nullcontext()
        with env_cm:
            try:
                for ioc in iocs:
                    ioc_set._spawn(ioc)
                ioc_set._wait_ready(iocs, timeout)
                repeater.wait_ready(_REPEATER_TIMEOUT)  # up long since: it started first
                yield ioc_set
            finally:
                ioc_set.stop_all()
    finally:
        for prefix, _ in late:
            unregister_late_ioc(prefix)
        with _env_lock:
            _addresses_in_use.difference_update(address for _, _, address, _, _ in plan)
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
