"""The control layer: the only code in sophyd that knows pyepics or caproto's client.

Choose a backend with ``sophyd.set_cl(name)`` or the ``SOPHYD_CL`` environment variable (``pyepics``, the default;
``caproto``; ``mock``) before devices are made. Backends are imported on first use, so importing sophyd opens
no socket and starts no thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import os
import threading
from collections.abc import Iterator

from ._base import DEFAULT_TIMEOUT, FORMS, Backend, Channel, PVInfo, PVReading
from ._convert import LIMIT_FIELDS, enum_index

__all__ = [
    "BACKENDS",
    "DEFAULT_TIMEOUT",
    "FORMS",
    "LIMIT_FIELDS",
    "PV",
    "Backend",
    "Channel",
    "ControlLayerName",
    "DispatcherThreadContext",
    "EventDispatcher",
    "PVInfo",
    "PVReading",
    "backends",
    "connection_hint",
    "enum_index",
    "frozen_search_list",
    "get_backend",
    "get_cl",
    "new_backend",
    "register_late_ioc",
    "set_cl",
    "unregister_late_ioc",
    "use_cl",
]

BACKENDS = {
    "pyepics": "sophyd.control._pyepics",
    "caproto": "sophyd.control._caproto",
    "mock": "sophyd.control._mock",
}

_lock = threading.Lock()
_selected: str | None = None
_instances: dict[str, Backend] = {}
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("sophyd_cl_override", default=None)


def set_cl(name: str | None = None) -> None:
    """Select the global control layer by name; None means ``$SOPHYD_CL`` or ``pyepics``."""
    global _selected
    name = name or os.environ.get("SOPHYD_CL", "pyepics")
    if name not in BACKENDS:
        raise ValueError(f"Unknown control layer {name!r}; choose one of {sorted(BACKENDS)}")
    _selected = name


@contextlib.contextmanager
def use_cl(name: str) -> Iterator[None]:
    """Make devices created inside the block use control layer ``name`` (e.g. ``'mock'``)."""
    if name not in BACKENDS:
        raise ValueError(f"Unknown control layer {name!r}; choose one of {sorted(BACKENDS)}")
    token = _override.set(name)
    try:
        yield
    finally:
        _override.reset(token)


def get_cl() -> ControlLayerName:
    """The name of the control layer new signals will use, with classic ophyd's ``cl`` functions on it."""
    override = _override.get()
    if override is None:
        if _selected is None:
            set_cl(None)
        override = _selected
    assert override is not None
    return ControlLayerName(override)


def get_backend(name: str | None = None) -> Backend:
    """The backend instance for ``name`` (default: the selected control layer), made on first use."""
    name = name or get_cl()
    if name not in BACKENDS:
        raise ValueError(f"Unknown control layer {name!r}; choose one of {sorted(BACKENDS)}")
    with _lock:
        if name not in _instances:
            module = importlib.import_module(BACKENDS[name])
            _instances[name] = module.make_backend()
        return _instances[name]


_late_iocs: dict[str, str] = {}  # PV prefix -> address of IOCs started after libca read its address list


def register_late_ioc(prefix: str, address: str) -> None:
    """Note that the IOC serving PVs named ``prefix...`` listens on ``address``, which libca does not search.

    ``launch_iocs`` calls this for IOCs it had to start outside the list libca read (see
    ``frozen_search_list``): pyepics channels to their PVs then fail to connect at once, saying why.
    """
    with _lock:
        _late_iocs[prefix] = address


def unregister_late_ioc(prefix: str) -> None:
    """Forget an IOC noted by ``register_late_ioc`` (it has stopped)."""
    with _lock:
        _late_iocs.pop(prefix, None)


def late_ioc_address(pvname: str) -> str | None:
    """The address of the IOC noted by ``register_late_ioc`` that serves ``pvname``, if any."""
    with _lock:
        found = [address for prefix, address in _late_iocs.items() if pvname.startswith(prefix)]
    return found[0] if found else None


def frozen_search_list() -> str | None:
    """The ``EPICS_CA_ADDR_LIST`` libca read in this process, or None while libca has not started.

    libca reads the variable once, when its context is made (the first pyepics channel): IOCs started later on
    addresses outside this list cannot be found by this process's pyepics channels.
    """
    with _lock:
        backend = _instances.get("pyepics")
    return None if backend is None else str(getattr(backend, "search_list", ""))


def backends() -> list[Backend]:
    """Every backend instance made so far in this process (at most one per control layer)."""
    with _lock:
        return list(_instances.values())


@contextlib.contextmanager
def new_backend(name: str) -> Iterator[Backend]:
    """A new instance of control layer ``name``, which ``get_backend(name)`` returns inside the block.

    Signals made in the block get new channels, so nothing an earlier user of the PVs read (metadata, a
    monitor cache, a mock value) carries over. Afterwards the backend is closed (its channels destroyed) and
    the earlier instance, if any, is back. For tests that must see a PV as a first user would.
    """
    if name not in BACKENDS:
        raise ValueError(f"Unknown control layer {name!r}; choose one of {sorted(BACKENDS)}")
    backend: Backend = importlib.import_module(BACKENDS[name]).make_backend()
    with _lock:
        previous = _instances.get(name)
        _instances[name] = backend
    try:
        yield backend
    finally:
        with _lock:
            if _instances.get(name) is backend:
                if previous is None:
                    del _instances[name]
                else:
                    _instances[name] = previous
        backend.close()


def connection_hint() -> str:
    """What to check when a PV does not connect: whether its IOC runs, and where this process searches.

    Added to connection timeouts, because a missing address list looks exactly like a dead IOC.
    """
    addresses = os.environ.get("EPICS_CA_ADDR_LIST")
    auto = os.environ.get("EPICS_CA_AUTO_ADDR_LIST", "YES")
    where = (
        f"EPICS_CA_ADDR_LIST={addresses!r} (EPICS_CA_AUTO_ADDR_LIST={auto!r})"
        if addresses
        else f"the local networks' broadcast addresses only (EPICS_CA_ADDR_LIST is not set, "
        f"EPICS_CA_AUTO_ADDR_LIST={auto!r})"
    )
    hint = (
        f"Check that the IOC runs and that this process searches where it listens: Channel Access searches "
        f"{where}; libca reads these once, before the first channel of the process. For the IOCs run by "
        f"iocs/supervisor/start_supervisor.sh, run '. iocs/supervisor/ca_env.sh' in the shell before starting "
        f"Python (or Jupyter)."
    )
    with _lock:
        late = sorted(set(_late_iocs.values()))
    frozen = frozen_search_list()
    if late and frozen is not None:
        hint += (
            f" IOCs launched after libca read EPICS_CA_ADDR_LIST={frozen!r} listen on {' '.join(late)}, which "
            f"this process's pyepics channels never search: stop the earlier IOCs before launching new ones, "
            f"launch all IOCs at once, restart the process (in Jupyter: restart the kernel), or use the caproto "
            f"control layer (sophyd.set_cl('caproto'))."
        )
    return hint


# Classic's ``cl`` functions use get_backend and connection_hint above, so their module is imported last.
from ._classic import ControlLayerName, DispatcherThreadContext, EventDispatcher  # noqa: E402
from ._classic_pv import PV  # noqa: E402
