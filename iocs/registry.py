"""The IOCs shipped with sophyd, one line each, and how to run any IOC module (shipped or a user's own).

Read by ``sophyd.sim.launch_iocs``, by the pytest fixtures in ``sophyd.testing`` and (through the command line
below) by ``supervisor/start_supervisor.sh`` and ``supervisor/ca_env.sh``. Registering a new IOC module
``sophyd_iocs/<name>.py`` is one line in ``IOCS``. Standard library only: the supervisor script runs this on
every call, and importing it must not import caproto.

An IOC is named by one of:

- a name in ``IOCS`` (``"pattern"``): the module ``sophyd_iocs.<name>``;
- a path to a ``.py`` file (``"/home/me/my_ioc.py"``, ``"tests/user_ioc.py"``): run as a script;
- any other importable module name (``"mypkg.my_ioc"``): run with ``python -m``.

Every IOC module follows the conventions in ``sophyd_iocs/__init__.py``.

Command line (for the shell scripts): ``python -m sophyd_iocs.registry hosts [EXTRA ...]`` prints the last
address octet of every supervised IOC; ``python -m sophyd_iocs.registry programs [EXTRA ...]`` prints one
line ``name host prefix ready_pv command...`` per supervised IOC. ``EXTRA`` are a user's own IOCs (module
names or paths), given the hosts ``FIRST_EXTRA_HOST``, ``FIRST_EXTRA_HOST + 1``, ... in order.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FIRST_EXTRA_HOST",
    "IOCS",
    "PACKAGE",
    "IOCInfo",
    "IOCTarget",
    "ioc_defaults",
    "is_path",
    "missing_requirement",
    "resolve",
    "supervised",
]

#: The import name of the IOC package (the repository folder ``iocs/``).
PACKAGE = "sophyd_iocs"
#: The first last-octet given to a user's own IOCs under the supervisor script.
FIRST_EXTRA_HOST = 21


@dataclass(frozen=True)
class IOCInfo:
    """A shipped IOC: its module ``sophyd_iocs.<name>`` and, if the supervisor script runs it, the last octet
    of its address there (``$SOPHYD_IOC_NET.<host>``; each IOC needs its own address to answer searches)."""

    name: str
    host: int | None = None


#: Every IOC shipped with sophyd, in launch order. The pytest fixture ``sophyd_iocs`` starts them all.
IOCS: tuple[IOCInfo, ...] = (
    IOCInfo("trigger_with_pc", host=11),
    IOCInfo("motors", host=12),
    IOCInfo("pattern", host=13),
    IOCInfo("testioc"),
    IOCInfo("tempctrl", host=14),
    IOCInfo("scaler"),
    IOCInfo("epics_testioc"),  # a real EPICS base IOC (pythonSoftIOC): REQUIRES softioc
    IOCInfo("mca"),
    IOCInfo("quadem"),
)


@dataclass(frozen=True)
class IOCTarget:
    """How to run one IOC: ``python <*argv>``, the file its conventions are read from, and (for a module
    outside this package) the directory that must be on ``PYTHONPATH`` for a child process to import it."""

    name: str
    argv: tuple[str, ...]
    source: Path | None
    root: Path | None = None


def is_path(spec: str) -> bool:
    """Whether an IOC spec names a file (it ends in .py or has a path separator) rather than a module."""
    return spec.endswith(".py") or os.sep in spec or (os.altsep is not None and os.altsep in spec)


def resolve(spec: str) -> IOCTarget:
    """The ``IOCTarget`` for an IOC named as in this module's docstring; ``ValueError`` if there is none."""
    if spec in {info.name for info in IOCS}:
        module = f"{PACKAGE}.{spec}"
    elif is_path(spec):
        path = Path(spec).expanduser().resolve()
        if not path.is_file():
            raise ValueError(f"No IOC file {path} (from {spec!r})")
        return IOCTarget(spec, (str(path),), path)
    else:
        module = spec
    try:
        found = importlib.util.find_spec(module)
    except (ModuleNotFoundError, ValueError):
        found = None
    if found is None:
        shipped = ", ".join(info.name for info in IOCS)
        raise ValueError(
            f"No IOC module {module!r} (from {spec!r}); shipped IOCs: {shipped}; "
            "or give an importable module name or a path to a .py file"
        )
    source = Path(found.origin) if found.origin and found.origin.endswith(".py") else None
    root = None
    if not module.startswith(PACKAGE + "."):
        top = importlib.util.find_spec(module.partition(".")[0])
        where = (
            (top.submodule_search_locations or [None])[0] if top and top.submodule_search_locations else None
        )
        if where is not None:
            root = Path(where).resolve().parent
        elif top is not None and top.origin:
            root = Path(top.origin).resolve().parent
    return IOCTarget(spec, ("-m", module), source, root)


def _literals(target: IOCTarget) -> dict[str, str]:
    """The module-level string constants of an IOC's source, read without importing it."""
    found: dict[str, str] = {}
    if target.source is not None:
        tree = ast.parse(target.source.read_text(encoding="utf-8"), filename=str(target.source))
        for node in tree.body:
            name, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                name, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                name, value = node.target, node.value
            if (
                isinstance(name, ast.Name)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                found[name.id] = value.value
    return found


def missing_requirement(spec: str) -> str | None:
    """The package an IOC's ``REQUIRES`` literal names if it is not installed, else None (an IOC built on an
    optional package, e.g. pythonSoftIOC, runs only where that package is installed)."""
    required = _literals(resolve(spec)).get("REQUIRES")
    if required is None or importlib.util.find_spec(required) is not None:
        return None
    return required


def ioc_defaults(spec: str) -> tuple[str, str]:
    """The ``(DEFAULT_PREFIX, READY_PV)`` of an IOC, read from its source, else by importing it."""
    target = resolve(spec)
    found = _literals(target)
    if ("DEFAULT_PREFIX" not in found or "READY_PV" not in found) and target.argv[0] == "-m":
        module = importlib.import_module(target.argv[1])
        for key in ("DEFAULT_PREFIX", "READY_PV"):
            if key not in found and isinstance(getattr(module, key, None), str):
                found[key] = getattr(module, key)
    if "READY_PV" not in found:
        raise ValueError(f"IOC {spec!r} defines no READY_PV (a PV suffix that answers once the IOC is up)")
    stem = target.source.stem if target.source is not None else target.argv[-1].rpartition(".")[2]
    return found.get("DEFAULT_PREFIX", f"{stem}:"), found["READY_PV"]


def supervised(extra: Sequence[str] = ()) -> list[tuple[str, int, IOCTarget]]:
    """``(program name, host octet, target)`` of every IOC the supervisor script runs: the shipped IOCs with
    a ``host``, then each of ``extra`` (a user's own IOCs) on ``FIRST_EXTRA_HOST``, +1, ..."""
    rows = [(info.name, info.host, resolve(info.name)) for info in IOCS if info.host is not None]
    for offset, spec in enumerate(extra):
        target = resolve(spec)
        stem = target.source.stem if target.source is not None else target.argv[-1].rpartition(".")[2]
        rows.append((stem, FIRST_EXTRA_HOST + offset, target))
    names = [name for name, _, _ in rows]
    if len(set(names)) != len(names):
        raise ValueError(f"supervised IOC names repeat: {names}")
    return rows


def _main(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in ("hosts", "programs"):
        print(f"usage: python -m {PACKAGE}.registry {{hosts|programs}} [EXTRA_IOC ...]", file=sys.stderr)
        return 2
    try:
        rows = supervised(argv[1:])
        for name, host, target in rows:
            if argv[0] == "hosts":
                print(host)
            else:
                prefix, ready = ioc_defaults(str(target.source) if target.argv[0] != "-m" else target.name)
                print(name, host, prefix, ready, shlex.join(target.argv))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
