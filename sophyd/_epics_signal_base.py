"""EpicsSignalBase: a Signal whose values come from one Channel Access channel, read-only.

It owns what every EPICS signal shares: the control-layer channel and its connection, the metadata from the
IOC (mirrored by ``_pv_metadata``), reads, monitors, describe() and the class-wide timeouts. Construction
never blocks; the first get/put waits up to ``connection_timeout`` for a channel that has never connected,
and fails at once for one that has disconnected. Writing (validation, put-completion, the setpoint PV) is
``_epics_signal``'s, so each module holds one job.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from ._checks import check_pv_name
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
    get_backend,
    get_cl,
)
from .errors import (
    ConnectionTimeoutError,
    DisconnectedError,
    ReadTimeoutError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "DEFAULT_CONNECTION_TIMEOUT",
    "NUMERIC_TYPES",
    "EpicsSignalBase",
    "as_severity",
    "warn_ignored_kwargs",
]

#: Seconds the first wait for a never-connected channel takes, unless a signal or set_defaults() says otherwise.
DEFAULT_CONNECTION_TIMEOUT = 2.0
#: The native types of PVs that hold numbers (the control layer's ``PVInfo.native_type``).
NUMERIC_TYPES = ("float", "integer")


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
        warn_ignored_kwargs("get", kwargs)
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

    def confirm_cache(self) -> None:
        """The monitor cache is known to hold this process's last change of the PV (see ``invalidate_cache``):
        get() may answer from it again without reading the server first."""
        self._read_channel.confirm_cache()

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
        return as_severity(self._alarm_state()[1])

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
        if self._dtype is None and native.dtype_numpy and native.native_type in NUMERIC_TYPES:
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


# -- helpers ----------------------------------------------------------------------------------------------
def as_severity(value: int) -> int:
    """``value`` as an AlarmSeverity when it is one (EPICS defines 0..3), else the number itself."""
    try:
        return AlarmSeverity(value)
    except ValueError:
        return int(value)


def warn_ignored_kwargs(method: str, kwargs: dict[str, Any]) -> None:
    """Classic ophyd's DeprecationWarning for keywords its EPICS get()/get_setpoint() ignore."""
    if kwargs:
        warnings.warn(
            f"Signal.{method} no longer takes keyword arguments {sorted(kwargs)}; they are ignored.",
            DeprecationWarning,
            stacklevel=3,
        )


def _with_label(reading: PVReading, enum_strs: tuple[str, ...]) -> PVReading:
    index = int(reading.value)
    label = enum_strs[index] if 0 <= index < len(enum_strs) else str(index)
    return PVReading(label, reading.timestamp, reading.status, reading.severity)
