"""The EPICS signal family: Signals whose values come from Channel Access channels.

Everything users see (kinds, read/describe, subscriptions, Status) is Signal's; this module only adds
where values come from (a control-layer Channel), metadata from the IOC, validation before a put, and
put-completion. Construction never blocks; the first get/put waits up to ``connection_timeout`` for a
channel that has never connected, and fails at once for one that has disconnected.
"""

from __future__ import annotations

import inspect
import logging
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from ._checks import check_pv_name, check_timeout
from ._datakeys import data_key
from ._pv_metadata import MetadataMirror
from ._signal import Signal
from .alarm import AlarmSeverity
from .control import (
    DEFAULT_TIMEOUT,
    Backend,
    Channel,
    PVInfo,
    PVReading,
    connection_hint,
    enum_index,
    get_backend,
    get_cl,
)
from .errors import (
    ConnectionTimeoutError,
    DisconnectedError,
    LimitError,
    ReadOnlyError,
    ReadTimeoutError,
    WaitTimeoutError,
)
from .status import Status, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
]

logger = logging.getLogger("sophyd.epics")

#: Seconds the first wait for a never-connected channel takes, unless a signal or set_defaults() says otherwise.
DEFAULT_CONNECTION_TIMEOUT = 2.0
_NUMERIC_TYPES = ("float", "integer")


class EpicsSignalBase(Signal):
    """A read-only view of one PV; the base of the EPICS signal family.

    ``timeout`` bounds reads, ``connection_timeout`` the first wait for a never-connected channel,
    ``write_timeout`` put-completion (None: wait as long as the operation takes). Class-wide defaults
    can be changed at any time with :meth:`set_defaults`.
    """

    _defaults: ClassVar[dict[str, Any]] = {
        "timeout": DEFAULT_TIMEOUT,
        "connection_timeout": DEFAULT_CONNECTION_TIMEOUT,
        "write_timeout": None,
        "auto_monitor": False,
    }

    def __init__(
        self,
        read_pv: str,
        *,
        string: bool = False,
        auto_monitor: bool | None = None,
        timeout: float | None = None,
        write_timeout: float | None = None,
        connection_timeout: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A repr carries the last value and timestamp; the PV's own replace them, so they are not kept.
        kwargs.pop("timestamp", None)
        kwargs["value"] = None
        super().__init__(name=read_pv if name is None else name, **kwargs)
        self._read_pv = check_pv_name(read_pv, f"{type(self).__name__} {Signal._describe_me(self)}")
        self._string = bool(string)
        self._overrides = {
            "timeout": timeout,
            "connection_timeout": connection_timeout,
            "write_timeout": write_timeout,
            "auto_monitor": auto_monitor,
        }
        self._metadata.update(connected=False, write_access=False, read_access=False)
        self._alarm: tuple[int, int] | None = None  # (status, severity) of the last reading; None: none yet
        self._prefetched: PVReading | None = None
        self._monitor_handle: int | None = None
        self._mirror = MetadataMirror(self._metadata)
        self._handles_lock = threading.Lock()  # the monitor handles, the connection watch and the release
        self._watching = False  # following connection changes (only once 'meta' has subscribers)
        self._released = False  # destroy() gave the channels back
        self._backend = self._make_backend()
        self._read_channel = self._backend.channel(read_pv)
        if self.auto_monitor:
            self._ensure_monitor()  # the channel starts it when it connects

    def _make_backend(self) -> Backend:
        """The backend this signal's channels come from: its device's control layer, else the selected one."""
        return get_backend(getattr(self.parent, "_cl", None) or get_cl())

    @classmethod
    def set_defaults(
        cls,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        connection_timeout: float | None = DEFAULT_CONNECTION_TIMEOUT,
        write_timeout: float | None = None,
        auto_monitor: bool = False,
    ) -> None:
        """Set class-wide defaults; they apply at once to every signal not given its own value."""
        cls._defaults = {
            "timeout": timeout,
            "connection_timeout": connection_timeout,
            "write_timeout": write_timeout,
            "auto_monitor": auto_monitor,
        }

    @classmethod
    def set_default_timeout(cls, **kwargs: Any) -> None:
        """Classic ophyd's old name of :meth:`set_defaults`; it warns (UserWarning, as in classic) and calls it."""
        warnings.warn(
            "set_default_timeout() will be removed in a future release; use set_defaults() instead",
            UserWarning,
            stacklevel=2,
        )
        cls.set_defaults(**kwargs)

    def _setting(self, key: str) -> Any:
        value = self._overrides[key]
        return self._defaults[key] if value is None else value

    @property
    def timeout(self) -> float:
        """Seconds a read may take."""
        return float(self._setting("timeout"))

    @property
    def connection_timeout(self) -> float:
        return float(self._setting("connection_timeout"))

    @property
    def write_timeout(self) -> float | None:
        return self._setting("write_timeout")

    @property
    def auto_monitor(self) -> bool:
        return bool(self._setting("auto_monitor"))

    @property
    def pvname(self) -> str:
        """The PV this signal reads."""
        return self._read_pv

    @property
    def as_string(self) -> bool:
        """True when enums read as their labels (``string=True``)."""
        return self._string

    def _describe_me(self) -> str:
        return f"{super()._describe_me()} [PV {self._read_pv}]"

    # -- connection ---------------------------------------------------------------------------------------
    def _channels(self) -> list[Channel]:
        return [self._read_channel]

    def _watch_connection(self) -> None:
        """Follow connection changes from now on, for 'meta' subscribers.

        Signals without them register nothing: connecting a thousand signals then runs no Python per signal,
        and the metadata is brought up to date when it is next asked for.
        """
        with self._handles_lock:
            if self._watching:
                return
            self._watching = True
        for channel in self._channels():
            channel.add_connection_callback(self._on_connection)

    def _on_connection(self, connected: bool) -> None:
        """A channel connected, reconnected, disconnected, or brought its control metadata."""
        if connected and self._callbacks.get(self.SUB_META) and self._read_channel.connected:
            self._read_channel.request_info()  # 'meta' listeners want units and limits without asking
        self._refresh_metadata()

    def _refresh_metadata(self) -> None:
        """Copy what the channels know now into the metadata; tell 'meta' subscribers if it changed."""
        if self._mirror.refresh(self._channels(), self._read_channel, self._write_access_from):
            self._set_metadata()  # tells the 'meta' subscribers

    def _current_metadata(self) -> dict[str, Any]:
        """The metadata as the channels know it now (no read from the IOC)."""
        self._refresh_metadata()
        return self._metadata

    @property
    def write_access(self) -> bool:
        return bool(self._current_metadata()["write_access"])

    @property
    def read_access(self) -> bool:
        return bool(self._current_metadata()["read_access"])

    def _full_metadata(self) -> dict[str, Any]:
        """The metadata, reading the IOC's control fields (units, precision, limits, enum labels) the first
        time they are needed on this connection; without a connection, what is known."""
        if self._read_channel.connected and not self._read_channel.info().control:
            self._load_info(self._read_channel)
        return self._current_metadata()

    def _load_info(self, channel: Channel) -> PVInfo:
        """``channel.load_info`` with errors that name this signal."""
        try:
            return channel.load_info(self.timeout)
        except DisconnectedError as exc:
            raise DisconnectedError(f"{self._describe_me()}: {exc}") from exc
        except TimeoutError as exc:
            raise WaitTimeoutError(f"{self._describe_me()}: metadata read timed out ({exc})") from exc

    def _enum_strs(self) -> tuple[str, ...] | None:
        """The enum labels of an enum PV (read on first need), None for other PVs."""
        channel = self._read_channel
        if channel.connected and channel.info().native_type == "enum":
            return self._full_metadata().get("enum_strs")
        return self._metadata.get("enum_strs")

    def _on_first_subscription(self, event_type: str) -> None:
        if event_type == self.SUB_META:
            self._watch_connection()
            self._read_channel.request_info()
        elif event_type == self.SUB_VALUE:
            self._ensure_monitor()

    def _write_access_from(self, info: PVInfo) -> bool:
        return False

    def _missing_channels(self) -> list[str]:
        return [ch.pvname for ch in self._channels() if not ch.connected]

    def _connection_plan(self) -> tuple[Any, list[Channel]]:
        """How wait_for_connection() may wait for this signal's channels together with others'."""
        return self._backend, self._channels()

    def wait_for_connection(self, timeout: float | None = None) -> None:
        """Wait until every channel of this signal is connected; ConnectionTimeoutError names the PVs."""
        timeout = self.connection_timeout if timeout is None else timeout
        for channel in self._channels():
            if not channel.wait_for_connection(timeout):
                raise ConnectionTimeoutError(
                    f"{self._describe_me()}: PV {channel.pvname} did not connect within {timeout} s. "
                    + connection_hint(),
                    missing=[channel.pvname],
                )

    def _ensure_connected(self, channel: Channel) -> None:
        """Return if connected; wait for a first connection; fail at once after a disconnect."""
        if channel.connected:
            return
        if channel.ever_connected:
            raise DisconnectedError(f"{self._describe_me()}: PV {channel.pvname} is disconnected")
        if not channel.wait_for_connection(self.connection_timeout):
            raise ConnectionTimeoutError(
                f"{self._describe_me()}: PV {channel.pvname} did not connect within "
                f"{self.connection_timeout} s. " + connection_hint(),
                missing=[channel.pvname],
            )

    @property
    def connected(self) -> bool:
        return all(ch.connected for ch in self._channels())

    # -- reading ------------------------------------------------------------------------------------------
    def get(
        self,
        *,
        as_string: bool | None = None,
        use_monitor: bool | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Read the PV: enums as int (or label with ``string=True``), arrays as numpy arrays.

        Answers from the monitor cache while this signal is monitored (auto_monitor or a value subscription),
        unless ``use_monitor=False``; an unmonitored signal reads the server even when another signal of the
        same PV keeps a monitor (as classic ophyd does), since that cache may lag behind a completed put.
        """
        _warn_ignored("get", kwargs)
        if self._monitor_handle is None and self.auto_monitor:
            self._ensure_monitor()  # auto_monitor was switched on (set_defaults) after this signal was made
        reading = self._prefetched
        if reading is None or as_string is not None or use_monitor is False:
            if use_monitor is None:
                use_monitor = self._monitor_handle is not None
            # After a write the channel reads the server until its monitor cache has caught up.
            reading = self._fetch(self._read_channel, as_string, use_monitor, timeout)
        self._store(reading)
        return reading.value

    def _fetch(
        self, channel: Channel, as_string: bool | None, use_monitor: bool | None, timeout: float | None
    ) -> PVReading:
        self._ensure_connected(channel)
        try:
            return channel.get(
                as_string=self._string if as_string is None else as_string,
                use_monitor=True if use_monitor is None else use_monitor,
                timeout=self.timeout if timeout is None else timeout,
            )
        except DisconnectedError as exc:
            raise DisconnectedError(f"{self._describe_me()}: {exc}") from exc
        except TimeoutError as exc:
            raise ReadTimeoutError(f"{self._describe_me()}: read timed out ({exc})") from exc

    def _store(self, reading: PVReading) -> None:
        self._readback = reading.value
        self._timestamp = reading.timestamp
        self._alarm = (reading.status, reading.severity)
        self._metadata.update(status=reading.status, severity=reading.severity, timestamp=reading.timestamp)

    def _prefetch_plan(self) -> tuple[Any, Channel, bool] | None:
        """How Device.read() may fetch this signal together with others (None: read it alone)."""
        if self._monitor_handle is not None or not self._read_channel.connected:
            return None
        return self._backend, self._read_channel, self._string

    def _metadata_plan(self) -> tuple[Any, Channel] | None:
        """How Device.describe() may load this signal's control metadata together with others'."""
        channel = self._read_channel
        if not channel.connected or channel.info().control:
            return None
        return self._backend, channel

    def invalidate_cache(self) -> None:
        """The PV's value has just changed through an operation this signal follows (e.g. a motor's move for
        its readback): get() reads the server until a monitor update confirms the new value."""
        self._read_channel.invalidate()

    def _alarm_state(self) -> tuple[int, int]:
        """(status, severity) of the latest value; the first time, read the PV for it.

        Every value a PV sends carries its alarm state, so the state known is that of the last value this
        signal read or was sent; before any, a read answers rather than a made-up NO_ALARM.
        """
        if self._alarm is None:
            self.get()
        assert self._alarm is not None
        return self._alarm

    @property
    def alarm_status(self) -> int:
        """The PV's alarm status (an EPICS ``AlarmStatus`` number) with its latest value."""
        return self._alarm_state()[0]

    @property
    def alarm_severity(self) -> int:
        """The PV's alarm severity (an :class:`AlarmSeverity`, as in classic) with its latest value."""
        return _severity(self._alarm_state()[1])

    def _value_is_monitored(self) -> bool:
        return self._monitor_handle is not None

    def read(self) -> dict[str, Reading[Any]]:
        value = self.get()
        return {
            self.name: {
                "value": value,
                "timestamp": self._timestamp,
                "alarm_severity": self._alarm_state()[1],
            }
        }

    @property
    def source(self) -> str:
        return f"PV:{self._read_pv}"

    def describe(self) -> dict[str, DataKey]:
        value = self.get()
        md = self._full_metadata()
        key: dict[str, Any] = dict(
            data_key(
                value, source=self.source, name=self.name, dtype=self._dtype, shape=self._shape, metadata=md
            )
        )
        native = self._read_channel.info()
        if self._dtype is None and native.dtype_numpy and native.native_type in _NUMERIC_TYPES:
            key["dtype_numpy"] = native.dtype_numpy  # a LONG is '<i4', though Python reads it as int
        key["lower_ctrl_limit"], key["upper_ctrl_limit"] = (
            md.get("lower_ctrl_limit"),
            md.get("upper_ctrl_limit"),
        )
        if native.count > 1 and key["shape"]:
            # An array's shape is its element count (NELM), fixed for the connection; a reading holds the
            # elements the IOC holds now (NORD), which may be fewer.
            key["shape"] = [native.count]
        if md.get("enum_strs"):
            key["dtype"] = "string" if self._string else "integer"
            key["dtype_numpy"] = "|S40" if self._string else "<i2"
            key["enum_strs"] = tuple(md["enum_strs"])
        return {self.name: cast("DataKey", key)}

    @property
    def tolerance(self) -> float | None:
        """Absolute tolerance of set(); by default 10**-precision of the PV."""
        if self._tolerance is None and self.precision is not None and self.precision >= 0:
            return 10.0 ** (-self.precision)
        return self._tolerance

    @tolerance.setter
    def tolerance(self, value: float | None) -> None:
        self._tolerance = value

    # -- monitors -----------------------------------------------------------------------------------------
    def _ensure_monitor(self) -> None:
        with self._handles_lock:
            if self._monitor_handle is not None:
                return
            self._monitor_handle = self._read_channel.subscribe(self._on_monitor)

    def _on_monitor(self, reading: PVReading) -> None:
        if self._string and isinstance(reading.value, (int, np.integer)):
            try:
                enum_strs = self._enum_strs()
            except (DisconnectedError, WaitTimeoutError):
                enum_strs = None  # deliver the index rather than lose the update
            if enum_strs:
                reading = _with_label(reading, enum_strs)
        old = self._readback
        self._store(reading)
        self._run_subs(
            old_value=old,
            value=reading.value,
            timestamp=reading.timestamp,
            status=reading.status,
            severity=reading.severity,
            sub_type=self.SUB_VALUE,
        )

    def destroy(self) -> None:
        """Stop monitoring and give the channels back: the last signal of a PV to go closes its channel."""
        with self._handles_lock:
            channels, self._released = ([] if self._released else self._channels()), True
        if self._monitor_handle is not None:
            self._read_channel.unsubscribe(self._monitor_handle)
            self._monitor_handle = None
        super().destroy()
        for channel in channels:
            self._backend.release(channel)

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield ("read_pv", self._read_pv)
        for key, value in super()._repr_info():
            if key != "value" or value is not None:  # no value before the first read
                yield (key, value)
        yield ("auto_monitor", self.auto_monitor)
        yield ("string", self._string)


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
    SUB_SETPOINT_META = "setpoint_meta"

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
        self._setpoint_handle: int | None = None
        self._last_setpoint: Any = None
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
        return _severity(self._setpoint_state("setpoint_severity"))

    def _current_metadata(self) -> dict[str, Any]:
        md = super()._current_metadata()
        md.update(self._setpoint_md)
        return md

    def destroy(self) -> None:
        if self._setpoint_handle is not None:
            self._write_channel.unsubscribe(self._setpoint_handle)
            self._setpoint_handle = None
        super().destroy()

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
        self, *, as_string: bool | None = None, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """Read the setpoint PV fresh (``as_string`` and ``timeout`` as for get())."""
        _warn_ignored("get_setpoint", kwargs)
        reading = self._fetch(self._write_channel, as_string, False, timeout)
        self._setpoint_md.update(
            setpoint_timestamp=reading.timestamp,
            setpoint_status=reading.status,
            setpoint_severity=reading.severity,
        )
        return reading.value

    # -- validation ---------------------------------------------------------------------------------------
    def check_value(self, value: Any) -> None:
        """Refuse bad values before anything is sent: None, wrong types, unknown enum labels, strings to
        numeric PVs, values outside the control limits (with ``limits=True``), read-only PVs."""
        self._ensure_connected(self._write_channel)
        info = self._write_channel.info()
        if info.native_type == "enum" or (self._use_limits and info.native_type in _NUMERIC_TYPES):
            info = self._load_info(self._write_channel)  # enum states, control limits
        where = self._describe_me()
        if not self.write_access:
            raise ReadOnlyError(f"{where} is read-only over Channel Access; cannot write {value!r}")
        if value is None:
            raise ValueError(f"{where}: cannot write None")
        kind = info.native_type
        if kind == "enum":
            enum_index(value, info.enum_strs, where)
        elif kind in _NUMERIC_TYPES:
            _check_numeric(value, info, where)
        elif kind == "string" and not isinstance(value, (str, bytes, int, float, np.number)):
            raise TypeError(f"{where}: cannot write {value!r} ({type(value).__name__}) to a string PV")
        if self._use_limits and kind in _NUMERIC_TYPES and info.count == 1:
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
        **kwargs: Any,
    ) -> None:
        """Write ``value``. With ``wait=True`` block until the IOC reports completion (and raise
        PutFailedError if it refused the put); ``callback`` runs at completion.

        A refused put fails a Status whose ``_finished`` was given as callback, with the server's reason.
        A non-positive ``timeout`` is refused before anything is sent. Non-finite values (NaN, ±inf) are
        sent, as classic ophyd sends them; only set() refuses them as targets.
        """
        check_timeout(timeout, f"put() to {self._describe_me()}")
        if not force:
            self.check_value(value)
        else:
            self._ensure_connected(self._write_channel)
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
                _report_to_callback(callback, exc, self)

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


def _severity(value: int) -> int:
    """``value`` as an AlarmSeverity when it is one (EPICS defines 0..3), else the number itself."""
    try:
        return AlarmSeverity(value)
    except ValueError:
        return int(value)


def _warn_ignored(method: str, kwargs: dict[str, Any]) -> None:
    """Classic ophyd's DeprecationWarning for keywords its EPICS get()/get_setpoint() ignore."""
    if kwargs:
        warnings.warn(
            f"Signal.{method} no longer takes keyword arguments {sorted(kwargs)}; they are ignored.",
            DeprecationWarning,
            stacklevel=3,
        )


def _state(value: Any, enum_strs: tuple[str, ...]) -> Any:
    """An enum value as its state index for comparing a readback with a target; as given if it is not one."""
    try:
        return enum_index(value, enum_strs, "")
    except (TypeError, ValueError):
        return value


def _with_label(reading: PVReading, enum_strs: tuple[str, ...]) -> PVReading:
    index = int(reading.value)
    label = enum_strs[index] if 0 <= index < len(enum_strs) else str(index)
    return PVReading(label, reading.timestamp, reading.status, reading.severity)


def _check_numeric(value: Any, info: PVInfo, where: str) -> None:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: cannot write the string {value!r} to a numeric PV")
    if info.count > 1 and isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: cannot write an array of {arr.dtype} to a numeric PV")
        return
    if not isinstance(value, (bool, int, float, np.number)):
        raise TypeError(f"{where}: cannot write {value!r} ({type(value).__name__}) to a numeric PV")


def _report_to_callback(callback: Callable[..., Any], exc: BaseException | None, signal: Signal) -> None:
    """Tell a put callback how the put ended: success calls ``callback()``; a failure fails the Status
    whose ``_finished`` it is, or calls ``callback(success=False)`` when it takes that keyword."""
    owner = getattr(callback, "__self__", None)
    if exc is None:
        callback()
    elif isinstance(owner, StatusBase) and getattr(callback, "__func__", None) is StatusBase._finished:
        owner._abandon(exc)
    elif _accepts_success(callback):
        callback(success=False)
    else:
        logger.error("Put to %s failed and its callback %r cannot be told: %s", signal.name, callback, exc)


def _accepts_success(callback: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "success" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
