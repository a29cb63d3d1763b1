"""The EPICS signals users make: EpicsSignalRO, EpicsSignal, EpicsSignalNoValidation, EpicsSignalWithRBV.

EpicsSignalBase (``_epics_signal_base``) reads one PV; this module adds writing: validation before a put,
put-completion and its callbacks, the setpoint PV and its subscriptions. Everything users see (kinds,
read/describe, subscriptions, Status) is Signal's. EpicsSignalBase is re-exported here so that the whole
family imports from one place.
"""

from __future__ import annotations

import inspect
import logging
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np

from ._checks import check_numeric_value, check_pv_name, check_timeout
from ._epics_signal_base import NUMERIC_TYPES, EpicsSignalBase, as_severity, warn_ignored_kwargs
from ._signal import Signal
from .control import Channel, PVInfo, PVReading, enum_index
from .errors import LimitError, ReadOnlyError, WaitTimeoutError
from .status import Status, StatusBase

__all__ = [
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
]

logger = logging.getLogger("sophyd.epics")


class EpicsSignalRO(EpicsSignalBase):
    """A read-only EPICS signal; writes raise ReadOnlyError."""

    def put(self, value: Any, **kwargs: Any) -> None:
        raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot write {value!r}")

    def set(self, value: Any, **kwargs: Any) -> Status:
        raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot set {value!r}")


class EpicsSignal(EpicsSignalBase):
    """A read-write EPICS signal: reads ``read_pv``, writes ``write_pv`` (the same PV by default).

    With ``put_complete=True`` set() follows the IOC's put-completion; otherwise it finishes when the
    readback is within ``tolerance`` of the target (after the IOC accepted the put). ``limits=True``
    refuses values outside the PV's control limits before sending them.
    """

    SUB_SETPOINT = "setpoint"
    _metadata_keys: ClassVar[tuple[str, ...]] = (
        *EpicsSignalBase._metadata_keys,
        "setpoint_timestamp",
        "setpoint_status",
        "setpoint_severity",
        "setpoint_precision",
    )
    SUB_SETPOINT_META = "setpoint_meta"
    _setpoint_handle: int | None = None  # set once 'setpoint' events have a subscriber
    _last_setpoint: Any = None

    def __init__(
        self,
        read_pv: str,
        write_pv: str | None = None,
        *,
        put_complete: bool = False,
        string: bool = False,
        limits: bool = False,
        **kwargs: Any,
    ) -> None:
        self._write_pv = read_pv if write_pv is None else write_pv
        if write_pv is not None:  # checked before the read channel is made, so a refusal leaves none behind
            check_pv_name(write_pv, f"{type(self).__name__} {kwargs.get('name', read_pv)!r} (write_pv)")
        self._put_complete = bool(put_complete)
        self._use_limits = bool(limits)
        self._setpoint_md: dict[str, Any] = dict.fromkeys(_SETPOINT_KEYS)
        super().__init__(read_pv, string=string, **kwargs)
        if self._write_pv == read_pv:
            self._write_channel = self._read_channel
        else:
            self._write_channel = self._backend.channel(self._write_pv)

    @property
    def setpoint_pvname(self) -> str:
        """The PV this signal writes."""
        return self._write_pv

    @property
    def put_complete(self) -> bool:
        """True when set() follows the IOC's put-completion; settable."""
        return self._put_complete

    @put_complete.setter
    def put_complete(self, value: bool) -> None:
        self._put_complete = bool(value)

    @property
    def use_limits(self) -> bool:
        """True when writes outside the control limits are refused before sending (``limits=True``)."""
        return self._use_limits

    @use_limits.setter
    def use_limits(self, value: bool) -> None:
        self._use_limits = bool(value)

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("write_pv", self._write_pv)
        yield ("limits", self._use_limits)
        yield ("put_complete", self._put_complete)

    def _channels(self) -> list[Channel]:
        if getattr(self, "_write_channel", None) in (None, self._read_channel):
            return [self._read_channel]
        return [self._read_channel, self._write_channel]

    # -- setpoint subscription ----------------------------------------------------------------------------
    def _on_first_subscription(self, event_type: str) -> None:
        super()._on_first_subscription(event_type)
        if event_type == self.SUB_SETPOINT_META:
            # precision, units and limits for the events: read when connected, sent again when they arrive
            self._write_channel.add_connection_callback(self._on_setpoint_connection)
        if event_type in (self.SUB_SETPOINT, self.SUB_SETPOINT_META):
            self._start_setpoint_monitor()

    def _start_setpoint_monitor(self) -> None:
        """Monitor the setpoint PV once anyone listens to 'setpoint' events (the channel starts it when it
        connects)."""
        with self._handles_lock:
            if self._setpoint_handle is None:
                self._setpoint_handle = self._write_channel.subscribe(self._on_setpoint)

    def _on_setpoint_connection(self, connected: bool) -> None:
        if not connected:
            return
        if self._write_channel.info().control:
            self._run_setpoint_meta()
        else:
            self._write_channel.request_info()

    def _on_setpoint(self, reading: PVReading) -> None:
        old, self._last_setpoint = self._last_setpoint, reading.value
        self._setpoint_md.update(
            setpoint_timestamp=reading.timestamp,
            setpoint_status=reading.status,
            setpoint_severity=reading.severity,
        )
        self._run_subs(
            old_value=old,
            value=reading.value,
            timestamp=reading.timestamp,
            status=reading.status,
            severity=reading.severity,
            sub_type=self.SUB_SETPOINT,
        )
        self._run_setpoint_meta()

    def _run_setpoint_meta(self) -> None:
        """Tell 'setpoint_meta' subscribers the setpoint PV's metadata (classic sends it only when the
        setpoint PV is not the readback PV, whose metadata 'meta' already carries)."""
        channel = self._write_channel
        if self._write_pv == self._read_pv or not channel.connected:
            return
        info = channel.info()
        self._setpoint_md["setpoint_precision"] = info.precision
        self._run_subs(
            sub_type=self.SUB_SETPOINT_META,
            timestamp=self._setpoint_md["setpoint_timestamp"],
            status=self._setpoint_md["setpoint_status"],
            severity=self._setpoint_md["setpoint_severity"],
            precision=info.precision,
            lower_ctrl_limit=info.lower_ctrl_limit,
            upper_ctrl_limit=info.upper_ctrl_limit,
            units=info.units,
        )

    def _setpoint_state(self, key: str) -> Any:
        """A fact of the setpoint PV's latest value; the first time, read the setpoint PV for it."""
        if self._setpoint_md[key] is None:
            self.get_setpoint()
        return self._setpoint_md[key]

    @property
    def setpoint_ts(self) -> float:
        """Server timestamp of the setpoint PV's latest value."""
        return float(self._setpoint_state("setpoint_timestamp"))

    @property
    def setpoint_alarm_status(self) -> int:
        """Alarm status of the setpoint PV with its latest value."""
        return int(self._setpoint_state("setpoint_status"))

    @property
    def setpoint_alarm_severity(self) -> int:
        """Alarm severity of the setpoint PV with its latest value."""
        return as_severity(self._setpoint_state("setpoint_severity"))

    def _current_metadata(self) -> dict[str, Any]:
        md = super()._current_metadata()
        md.update(self._setpoint_md)
        return md

    def destroy(self) -> None:
        if self._setpoint_handle is not None:
            self._write_channel.unsubscribe(self._setpoint_handle)
            self._setpoint_handle = None
        super().destroy()

    def _limits_channel(self) -> Channel:
        return getattr(self, "_write_channel", None) or self._read_channel

    def _write_access_from(self, info: PVInfo) -> bool:
        channel = getattr(self, "_write_channel", self._read_channel)
        if channel is self._read_channel:
            return info.write_access
        return channel.connected and channel.info().write_access

    def _describe_me(self) -> str:
        base = Signal._describe_me(self)
        if self._write_pv != self._read_pv:
            return f"{base} [PV {self._read_pv}, setpoint PV {self._write_pv}]"
        return f"{base} [PV {self._read_pv}]"

    @property
    def setpoint(self) -> Any:
        """The value of the setpoint PV, read fresh."""
        return self.get_setpoint()

    @setpoint.setter
    def setpoint(self, value: Any) -> None:
        warnings.warn(
            "Setting EpicsSignal.setpoint is deprecated; use put() or set()", UserWarning, stacklevel=2
        )
        self.put(value)

    def get_setpoint(
        self,
        *,
        as_string: bool | None = None,
        timeout: float | None = None,
        connection_timeout: float | None = None,
        form: str = "time",
        use_monitor: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """Read the setpoint PV (the keywords as for get()).

        As in classic ophyd, ``use_monitor`` defaults to ``auto_monitor``: the answer comes from the setpoint
        PV's monitor cache when it has one, else fresh from the IOC."""
        warn_ignored_kwargs("get_setpoint", kwargs)
        self._check_form(form)
        reading = self._fetch(
            self._write_channel,
            as_string,
            self.auto_monitor if use_monitor is None else use_monitor,
            timeout,
            form=form,
            connection_timeout=connection_timeout,
        )
        self._setpoint_md["setpoint_timestamp"] = reading.timestamp
        if form != "native":
            self._setpoint_md.update(setpoint_status=reading.status, setpoint_severity=reading.severity)
        return reading.value

    # -- validation ---------------------------------------------------------------------------------------
    def check_value(self, value: Any) -> None:
        """Refuse bad values before anything is sent: None, wrong types, unknown enum labels, strings to
        numeric PVs, values outside the control limits (with ``limits=True``), read-only PVs."""
        self._ensure_connected(self._write_channel)
        info = self._write_channel.info()
        if info.native_type == "enum" or (self._use_limits and info.native_type in NUMERIC_TYPES):
            info = self._load_info(self._write_channel)  # enum states, control limits
        where = self._describe_me()
        if not self.write_access:
            raise ReadOnlyError(f"{where} is read-only over Channel Access; cannot write {value!r}")
        if value is None:
            raise ValueError(f"{where}: cannot write None")
        kind = info.native_type
        if kind == "enum":
            enum_index(value, info.enum_strs, where)
        elif kind in NUMERIC_TYPES:
            check_numeric_value(value, info.count, where)
        elif kind == "string" and not isinstance(value, (str, bytes, int, float, np.number)):
            raise TypeError(f"{where}: cannot write {value!r} ({type(value).__name__}) to a string PV")
        if self._use_limits and kind in NUMERIC_TYPES and info.count == 1:
            low, high = info.lower_ctrl_limit, info.upper_ctrl_limit
            if low is not None and high is not None and low < high and not low <= value <= high:
                raise LimitError(f"{where}: value {value!r} is outside the control limits [{low}, {high}]")

    def _matches(
        self, current: Any, target: Any, atol: float | None = None, rtol: float | None = None
    ) -> bool:
        enum_strs = self._enum_strs()
        if enum_strs:
            return _state(current, enum_strs) == _state(target, enum_strs)
        return super()._matches(current, target, atol, rtol)

    # -- writing ------------------------------------------------------------------------------------------
    def put(
        self,
        value: Any,
        *,
        callback: Callable[..., Any] | None = None,
        wait: bool = False,
        timeout: float | None = None,
        use_complete: bool | None = None,
        force: bool = False,
        connection_timeout: float | None = None,
        callback_data: Any = None,
        **kwargs: Any,
    ) -> None:
        """Write ``value``. With ``wait=True`` block until the IOC reports completion (and raise
        PutFailedError if it refused the put); ``callback`` runs at completion.

        A refused put fails a Status whose ``_finished`` was given as callback, with the server's reason.
        A non-positive ``timeout`` is refused before anything is sent. Non-finite values (NaN, ±inf) are
        sent, as classic ophyd sends them; only set() refuses them as targets. As in classic ophyd,
        ``connection_timeout`` bounds the wait for a setpoint PV that has not connected yet (None: the
        signal's own). ``callback_data`` reaches a callback that takes ``data``, as the CA clients passed it
        in classic ophyd. Any other keyword is refused with TypeError before anything is sent.
        """
        if kwargs:  # classic passed them on to the CA client's put, which refused what it did not know
            raise TypeError(
                f"put() to {self._describe_me()} got unexpected keyword arguments {sorted(kwargs)}; it takes "
                "callback, callback_data, wait, timeout, use_complete, force and connection_timeout"
            )
        check_timeout(timeout, f"put() to {self._describe_me()}")
        for channel in self._channels():  # the readback too, as classic's put waits for the whole signal
            self._ensure_connected(channel, connection_timeout)
        if not force:
            self.check_value(value)
        self._read_channel.invalidate()  # the write channel's put invalidates only that channel
        use_complete = self._put_complete if use_complete is None else use_complete
        timeout = self.write_timeout if timeout is None else timeout
        if not (wait or callback is not None or use_complete):
            self._write_channel.put(value)
            return
        finished = threading.Event()
        outcome: list[BaseException | None] = []

        def on_complete(exc: BaseException | None) -> None:
            exc = self._explain(exc)
            outcome.append(exc)
            finished.set()
            if callback is not None:
                _report_to_callback(callback, exc, self, callback_data)

        self._write_channel.put(value, callback=on_complete, timeout=timeout)
        if wait:
            if not finished.wait(None if timeout is None else timeout + 1.0):
                raise WaitTimeoutError(
                    f"{self._describe_me()}: put of {value!r} did not complete in {timeout} s"
                )
            if outcome[0] is not None:
                raise outcome[0]

    def _explain(self, exc: BaseException | None) -> BaseException | None:
        """Name this signal (and its device) in a failure the control layer reported by PV only.

        The result has the type and attributes of ``exc``, is chained to it (``__cause__``, as ``raise ... from
        exc``), and names the PV once: the control layer's message names it already, else it is added here.
        """
        if exc is None:
            return None
        text = str(exc)
        named = any(pv in text for pv in {self._read_pv, self._write_pv})
        who = Signal._describe_me(self) if named else self._describe_me()
        wrapped = type(exc).__new__(type(exc))  # the same type and fields, without calling a custom __init__
        wrapped.__dict__.update(vars(exc))
        wrapped.args = (f"{who}: {text}",)
        wrapped.__cause__ = exc
        wrapped.__suppress_context__ = True
        return wrapped

    def _start_set(self, value: Any, status: Status) -> None:
        """Put with completion: a refused put fails ``status``. Without put_complete the status finishes when
        the readback is within tolerance, whether or not the record's processing has ended (as classic)."""
        follow_readback = not self._put_complete
        if follow_readback:
            self._full_metadata()  # the readback tolerance comes from the precision: read it here, not later
        self._read_channel.invalidate()  # the write channel's put invalidates only that channel

        def on_complete(exc: BaseException | None) -> None:
            exc = self._explain(exc)
            if exc is not None:
                status._abandon(exc)
            elif not follow_readback:
                status._finish_if_pending()

        self._write_channel.put(value, callback=on_complete, timeout=self.write_timeout)
        if follow_readback:
            self._finish_when_matched(value, status)


class EpicsSignalNoValidation(EpicsSignal):
    """An EpicsSignal whose set() writes and returns a finished Status, without checking the readback.

    For PVs whose readback never matches what was written (a command, a trigger): as in classic ophyd, set()
    is put() (the value is still checked before sending) followed by an already-finished Status.
    """

    def set(self, value: Any, *, timeout: float | None = None, settle_time: float | None = None) -> Status:
        self.put(value)
        status = Status(self)
        status.set_finished()
        return status


class EpicsSignalWithRBV(EpicsSignal):
    """An areaDetector-style pair: reads ``prefix_RBV``, writes ``prefix``."""

    def __init__(self, prefix: str, **kwargs: Any) -> None:
        super().__init__(f"{prefix}_RBV", write_pv=prefix, **kwargs)

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield ("prefix", self._write_pv)
        for key, value in super()._repr_info():
            if key not in ("read_pv", "write_pv"):
                yield (key, value)


# -- helpers ----------------------------------------------------------------------------------------------
#: Metadata keys of the setpoint PV, as classic ophyd names them.
_SETPOINT_KEYS = ("setpoint_timestamp", "setpoint_status", "setpoint_severity", "setpoint_precision")


def _state(value: Any, enum_strs: tuple[str, ...]) -> Any:
    """An enum value as its state index for comparing a readback with a target; as given if it is not one."""
    try:
        return enum_index(value, enum_strs, "")
    except (TypeError, ValueError):
        return value


def _report_to_callback(
    callback: Callable[..., Any], exc: BaseException | None, signal: EpicsSignal, data: Any = None
) -> None:
    """Tell a put callback how the put ended: success calls ``callback()``; a failure fails the Status
    whose ``_finished`` it is, or calls ``callback(success=False)`` when it takes that keyword. A callback
    that takes ``pvname`` or ``data`` (or any keyword) also gets them, as the CA clients' put callbacks do in
    classic ophyd: the PV written and the put's ``callback_data``."""
    owner = getattr(callback, "__self__", None)
    if (
        exc is not None
        and isinstance(owner, StatusBase)
        and getattr(callback, "__func__", None) is StatusBase._finished
    ):
        owner._abandon(exc)
        return
    offered = {"pvname": signal.setpoint_pvname, "data": data, "success": False}
    taken = _taken(callback, offered)
    if exc is None:
        taken.pop("success", None)
        callback(**taken)
    elif "success" in taken:
        callback(**taken)
    else:
        logger.error("Put to %s failed and its callback %r cannot be told: %s", signal.name, callback, exc)


def _taken(callback: Callable[..., Any], offered: dict[str, Any]) -> dict[str, Any]:
    """The keywords of ``offered`` that ``callback`` takes (by name, or all through ``**kwargs``)."""
    try:
        params = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return {}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return dict(offered)
    names = {p.name for p in params}
    return {key: value for key, value in offered.items() if key in names}
