"""Fake devices for unit-testing device classes without an IOC: classic ophyd's ``make_fake_device`` family.

``make_fake_device(MyDevice)`` returns a subclass of ``MyDevice`` whose EPICS signals are fakes. A fake signal
is an EPICS signal on sophyd's mock control layer with an in-memory channel of its own: its read and write
PVs are one value, it holds values of any type (taking each written value's type, as a soft signal does),
and two fake devices never share state. A test plays the IOC with ``sim_put`` and checks what the device
wrote with ``get()``; subscribers have seen a ``sim_put`` or ``put`` by the time it returns, as with classic
ophyd's fakes.
"""

from __future__ import annotations

import copy
import functools
import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .._dispatch import get_dispatcher, wait_event, wake_waiters
from .._epics_signal import (
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalRO,
    EpicsSignalWithRBV,
)
from ..areadetector.paths import EpicsPathSignal
from ..control import Backend, PVInfo, PVReading, enum_index, use_cl
from ..control._mock import MockBackend, MockChannel, _infer
from ..device import Device
from ..errors import LimitError, ReadOnlyError
from ..status import Status

__all__ = [
    "FakeEpicsPathSignal",
    "FakeEpicsSignal",
    "FakeEpicsSignalRO",
    "FakeEpicsSignalWithRBV",
    "clear_fake_device",
    "fake_device_cache",
    "instantiate_fake_device",
    "make_fake_device",
]

logger = logging.getLogger("sophyd.sim.fake")

#: Seconds a fake's write waits for its subscribers to have run.
_DELIVERY_TIMEOUT = 10.0


class _FakeChannel(MockChannel):
    """The one in-memory PV of a fake signal: it takes the type of each value written until ``set_info`` is
    given a ``native_type`` (e.g. an enum with its labels), which fixes the type from then on."""

    def __init__(self, backend: MockBackend, pvname: str) -> None:
        super().__init__(backend, pvname)
        self._fixed = False
        # Classic fakes start at the integer 0 (a string fake at '0'); the first value written re-types it.
        dbr_type, _ = _infer(0)
        MockChannel.set_info(self, dbr_type, count=1)
        self._reading = PVReading(0, self._reading.timestamp)

    def _follow(self, value: Any) -> None:
        if self._fixed or value is None:
            return
        dbr_type, count = _infer(value)
        if not self._typed or (dbr_type, count) != (self._dbr_type, self.info().count):
            MockChannel.set_info(self, dbr_type, count=count)

    def set_value(self, value: Any, *, status: int = 0, severity: int = 0) -> None:
        self._follow(value)
        super().set_value(value, status=status, severity=severity)

    def put(self, value: Any, *, callback: Any = None, timeout: float | None = None) -> None:
        self._follow(value)
        super().put(value, callback=callback, timeout=timeout)

    def set_info(self, dbr_type: int | None = None, **fields: Any) -> PVInfo:
        fixing = dbr_type is not None or "native_type" in fields
        info = super().set_info(dbr_type, **fields)
        if fixing:
            self._fixed = True
            if info.native_type == "enum":  # hold the current value as a state index from now on
                self.set_value(
                    _state_index(self._reading.value, info.enum_strs),
                    status=self._reading.status,
                    severity=self._reading.severity,
                )
        return info


def _state_index(value: Any, enum_strs: Sequence[str]) -> int:
    """The state ``value`` (a label or an index) names among ``enum_strs``; 0 when it names none, since an
    enum PV holds only its states."""
    if isinstance(value, str):
        return enum_strs.index(value) if value in enum_strs else 0
    try:
        index = int(value)
    except (TypeError, ValueError):
        return 0
    return index if 0 <= index < len(enum_strs) else 0


class _FakeBackend(MockBackend):
    """The backend of one fake signal: every PV name it is asked for is that signal's one channel."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self._only: _FakeChannel | None = None

    def channel(self, pvname: str) -> _FakeChannel:
        if self._only is None:
            self._only = _FakeChannel(self, pvname)
        return self._only


def _deliver_queued() -> None:
    """Wait until the dispatchers have run every callback queued so far.

    A fake signal's monitor updates and put-completions travel through the dispatchers like a real signal's;
    waiting for them makes a write visible to subscribers before it returns, as classic fakes do.
    """
    for name in ("monitor", "control"):
        ran = threading.Event()

        def mark(event: threading.Event = ran) -> None:
            event.set()
            wake_waiters()

        get_dispatcher(name).submit(mark)
        if not wait_event(ran, _DELIVERY_TIMEOUT):
            logger.warning(
                "the %r dispatcher did not run a fake signal's callbacks within %s s", name, _DELIVERY_TIMEOUT
            )


class _FakeSignal(EpicsSignalBase):
    """What makes an EPICS signal class fake: a private mock channel, and classic's ``sim_*`` methods."""

    _putter: Callable[..., Any] | None = None
    _func: Callable[[], Any] | None = None

    def _make_backend(self) -> Backend:
        return _FakeBackend()

    @property
    def _fake_channel(self) -> _FakeChannel:
        channel = self._read_channel
        assert isinstance(channel, _FakeChannel)
        return channel

    # -- the IOC's side ----------------------------------------------------------------------------------
    def sim_put(self, value: Any, *, status: int = 0, severity: int = 0) -> None:
        """Make the PV read ``value`` (with an alarm state) as if the IOC changed it; works on read-only fakes.

        Subscribers have run when this returns.
        """
        self._fake_channel.set_value(value, status=status, severity=severity)
        _deliver_queued()

    def sim_set_limits(self, limits: Sequence[float] | None) -> None:
        """Set the PV's control limits ``(low, high)``, which ``limits=True`` fakes enforce; None removes them."""
        low, high = (None, None) if limits is None else limits
        self._fake_channel.set_info(lower_ctrl_limit=low, upper_ctrl_limit=high)
        _deliver_queued()

    def sim_set_enum_strs(self, enums: Sequence[str]) -> None:
        """Make the PV an enum with these state labels (index 0 first); labels are then accepted by put()."""
        self._fake_channel.set_info(native_type="enum", enum_strs=tuple(enums))
        _deliver_queued()

    def sim_set_putter(self, putter: Callable[..., Any] | None) -> None:
        """Call ``putter(value)`` instead of storing the value on every put() (to imitate an IOC's logic)."""
        self._putter = putter

    def sim_set_func(self, func: Callable[[], Any] | None) -> None:
        """Make each trigger() set the PV to ``func()`` (classic's fakes are SynSignals); None: no change."""
        self._func = func

    def trigger(self) -> Status:
        """Set the PV to the ``sim_set_func`` function's value, if one was given; a finished Status."""
        if self._func is not None:
            self.sim_put(self._func())
        return super().trigger()

    # -- the device's side -------------------------------------------------------------------------------
    def check_value(self, value: Any) -> None:
        """Refuse what the IOC would: writes to read-only fakes, None, unknown enum states, values outside
        the limits of a ``limits=True`` fake. Any other value is held as given."""
        where = self._describe_me()
        if not self.write_access:
            raise ReadOnlyError(f"{where} is read-only; cannot write {value!r}")
        if value is None:
            raise ValueError(f"{where}: cannot write None")
        info = self._read_channel.info()
        if info.native_type == "enum":
            enum_index(value, info.enum_strs, where)
        if getattr(self, "_use_limits", False):
            low, high = self.limits
            try:
                outside = low is not None and high is not None and low < high and not low <= value <= high
            except TypeError:
                return
            if outside:
                raise LimitError(f"{where}: value {value!r} is outside the limits [{low}, {high}]")

    def put(self, value: Any, **kwargs: Any) -> None:
        """Write as the real signal does (subscribers have run when this returns); a putter replaces it."""
        if self._putter is not None:
            self.check_value(value)
            self._putter(value)
        else:
            super().put(value, **kwargs)
        _deliver_queued()

    def _start_set(self, value: Any, status: Status) -> None:
        if self._putter is not None:
            self.put(value)
            self._finish_when_matched(value, status)
        else:
            super()._start_set(value, status)

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        """Subscribe as the real signal does; the first monitor update has arrived when this returns."""
        cid = super().subscribe(callback, event_type, run)
        _deliver_queued()
        return cid


class FakeEpicsSignal(_FakeSignal, EpicsSignal):
    """An EpicsSignal for tests without an IOC: same signature, one in-memory value for both PVs."""

    def __init__(
        self,
        read_pv: str,
        write_pv: str | None = None,
        *,
        put_complete: bool = False,
        string: bool = False,
        limits: bool = False,
        auto_monitor: bool | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            read_pv,
            write_pv,
            put_complete=put_complete,
            string=string,
            limits=limits,
            auto_monitor=auto_monitor,
            name=name or "",
            **kwargs,
        )


class FakeEpicsSignalRO(_FakeSignal, EpicsSignalRO):
    """A read-only fake: put() and set() raise ReadOnlyError, ``sim_put`` changes the value."""

    def __init__(self, read_pv: str, *, string: bool = False, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(read_pv, string=string, name=name or "", **kwargs)

    def check_value(self, value: Any) -> None:
        raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot write {value!r}")


class FakeEpicsSignalWithRBV(_FakeSignal, EpicsSignalWithRBV):
    """A fake areaDetector-style pair (``prefix_RBV`` and ``prefix``), one value for both."""


class FakeEpicsPathSignal(_FakeSignal, EpicsPathSignal):
    """A fake areaDetector path pair (``prefix_RBV`` and ``prefix``), one value for both.

    ``path_semantics`` is required and checked as for the real signal, and set() matches paths as it does.
    """


#: The fake class for each real class, filled by make_fake_device; register your own fakes here.
fake_device_cache: dict[type, type] = {
    EpicsSignal: FakeEpicsSignal,
    EpicsSignalRO: FakeEpicsSignalRO,
    EpicsSignalWithRBV: FakeEpicsSignalWithRBV,
    EpicsPathSignal: FakeEpicsPathSignal,
}


def make_fake_device(cls: type) -> type:
    """A subclass of Device class ``cls`` whose EPICS signals, in every sub-device, are fakes.

    The same class gives the same fake class every time. Other EPICS signal classes get a fake subclass of
    their own; classes that are neither devices nor EPICS signals are kept. Instances of the fake class are
    made on the mock control layer, so nothing they create reaches the network.
    """
    fake = fake_device_cache.get(cls)
    if fake is not None:
        return fake
    if not isinstance(cls, type):
        return cls
    if issubclass(cls, _FakeSignal):
        fake = cls
    elif issubclass(cls, EpicsSignalBase):
        fake = type(f"Fake{cls.__name__}", (_FakeSignal, cls), {"__module__": cls.__module__})
    elif issubclass(cls, Device):
        fake = _make_fake_device_class(cls)
    else:
        fake = cls
    fake_device_cache[cls] = fake
    return fake


def _make_fake_device_class(cls: type[Device]) -> type[Device]:
    originals = {attr: cls._sig_attrs[attr] for attr in cls.component_names}
    namespace: dict[str, Any] = {attr: copy.copy(cpt) for attr, cpt in originals.items()}
    real_init = cls.__init__

    @functools.wraps(real_init)
    def __init__(self: Device, *args: Any, **kwargs: Any) -> None:
        with use_cl("mock"):
            real_init(self, *args, **kwargs)

    namespace.update(__init__=__init__, __module__=cls.__module__, __doc__=f"Fake {cls.__name__} (no IOC).")
    fake = type(f"Fake{cls.__name__}", (cls,), namespace)
    for attr, cpt in originals.items():
        # After class creation: a DynamicDeviceComponent makes its class again when it is given its name.
        namespace[attr].cls = make_fake_device(cpt.cls)
    return fake


def instantiate_fake_device(
    dev_cls: type, *, name: str | None = None, prefix: str = "_prefix", **specified_kw: Any
) -> Any:
    """Make a fake ``dev_cls`` (a real or fake Device class), filling required arguments with placeholders.

    Every constructor argument without a default gets the string ``'_<argument>_'`` unless given in
    ``specified_kw``; ``name`` defaults to the fake class's name.
    """
    dev_cls = make_fake_device(dev_cls)
    skip = {"kind", "read_attrs", "configuration_attrs", "parent", "args", "name", "prefix"}
    kwargs: dict[str, Any] = {}
    for pname, param in inspect.signature(dev_cls).parameters.items():
        if pname in skip or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            continue
        kwargs[pname] = param.default if param.default is not param.empty else f"_{pname}_"
    kwargs.update(specified_kw)
    kwargs["name"] = dev_cls.__name__ if name is None else name
    kwargs["prefix"] = prefix
    return dev_cls(**kwargs)


def clear_fake_device(
    dev: Device, *, default_value: Any = 0, default_string_value: Any = "", ignore_exceptions: bool = False
) -> list[tuple[Any, Any]]:
    """``sim_put`` a default into every fake signal of ``dev`` (strings get ``default_string_value``).

    Returns the ``(signal, value)`` pairs written. With ``ignore_exceptions`` a signal that refuses its value
    is skipped instead of raising.
    """
    written: list[tuple[Any, Any]] = []
    for walk in dev.walk_signals(include_lazy=True):
        signal = walk.item
        if not isinstance(signal, _FakeSignal):
            continue
        value = default_string_value if signal.as_string else default_value
        try:
            signal._fake_channel.set_value(value)  # as sim_put, with one wait for the subscribers below
        except Exception:
            if not ignore_exceptions:
                raise
        else:
            written.append((signal, value))
    _deliver_queued()
    return written
