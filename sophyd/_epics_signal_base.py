"""EpicsSignalBase: a Signal whose values come from one Channel Access channel, read-only.

It owns what every EPICS signal shares: the control-layer channel and its connection, the metadata from the
IOC (mirrored by ``_pv_metadata``), reads, monitors, describe() and the class-wide timeouts. Construction
never blocks; the first get/put waits up to ``connection_timeout`` for a channel that has never connected,
and fails at once for one that has disconnected. Writing (validation, put-completion, the setpoint PV) is
``_epics_signal``'s, so each module holds one job.
"""

from __future__ import annotations

import enum
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from ._checks import check_pv_name
from ._datakeys import data_key
from ._pv_metadata import MetadataMirror
from ._signal import Signal
from .alarm import AlarmSeverity
from .control import (
    DEFAULT_TIMEOUT,
    FORMS,
    LIMIT_FIELDS,
    Backend,
    Channel,
    ControlLayerName,
    PVInfo,
    PVReading,
    connection_hint,
    get_backend,
    get_cl,
)
from .errors import (
    ConnectionTimeoutError,
    DisconnectedError,
    NotConnectedError,
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
DEFAULT_CONNECTION_TIMEOUT = 1.0
#: The native types of PVs that hold numbers (the control layer's ``PVInfo.native_type``).
NUMERIC_TYPES = ("float", "integer")
_NO_OVERRIDES: Mapping[str, Any] = MappingProxyType({})


def _within(timeout: float | None) -> str:
    """A timeout as classic ophyd's errors give it (``' within 1.00 sec'``); nothing for None (no limit)."""
    return "" if timeout is None else f" within {float(timeout):.2f} sec"


class _NotGiven(enum.Enum):
    """A timeout not given to the constructor: the class-wide default applies (None means no limit)."""

    NOT_GIVEN = "NOT_GIVEN"


_NOT_GIVEN = _NotGiven.NOT_GIVEN


class EpicsSignalBase(Signal):
    """A read-only view of one PV; the base of the EPICS signal family.

    ``timeout`` bounds reads, ``connection_timeout`` the first wait for a never-connected channel,
    ``write_timeout`` put-completion. Not given, each is the class-wide default, set with :meth:`set_defaults`
    before the first EPICS signal is made; None, given here or there, means wait as long as it takes, as in
    classic ophyd.
    """

    _metadata_keys: ClassVar[tuple[str, ...]] = (
        *Signal._metadata_keys,
        *(field for field in LIMIT_FIELDS if field not in Signal._metadata_keys),
    )

    # Set only on the signals that need them (see Signal's class-wide defaults).
    _prefetched: PVReading | None = None  # a value Device.read() fetched with others', for the next get()
    _monitor_handle: int | None = None
    _watching = False  # following connection changes (only once 'meta' has subscribers)
    _released = False  # destroy() gave the channels back

    _defaults: ClassVar[dict[str, Any]] = {
        "timeout": DEFAULT_TIMEOUT,
        "connection_timeout": DEFAULT_CONNECTION_TIMEOUT,
        "write_timeout": None,
        "auto_monitor": False,
    }
    # Whether an EPICS signal was made (set_defaults() is refused from then on), under classic ophyd's name:
    # ``EpicsSignalBase._EpicsSignalBase__any_instantiated`` from outside the class.
    __any_instantiated: ClassVar[bool] = False

    def __init__(
        self,
        read_pv: str,
        *,
        string: bool = False,
        auto_monitor: bool | None = None,
        timeout: float | _NotGiven | None = _NOT_GIVEN,
        write_timeout: float | _NotGiven | None = _NOT_GIVEN,
        connection_timeout: float | _NotGiven | None = _NOT_GIVEN,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # A repr carries the last value and timestamp; the PV's own replace them, so they are not kept.
        kwargs.pop("timestamp", None)
        kwargs["value"] = None
        super().__init__(name=read_pv if name is None else name, **kwargs)
        self._read_pv = check_pv_name(read_pv, f"{type(self).__name__} {Signal._describe_me(self)}")
        self._string = bool(string)
        given = {
            "timeout": timeout,
            "connection_timeout": connection_timeout,
            "write_timeout": write_timeout,
            "auto_monitor": _NOT_GIVEN if auto_monitor is None else auto_monitor,
        }
        # Most signals take the class-wide defaults: they share one empty mapping.
        overrides = {key: value for key, value in given.items() if value is not _NOT_GIVEN}
        self._overrides: Mapping[str, Any] = overrides or _NO_OVERRIDES
        self._metadata.update(connected=False, write_access=False, read_access=False)
        self._alarm: tuple[int, int] | None = None  # (status, severity) of the last reading; None: none yet
        self._mirror = MetadataMirror(self._metadata)
        self._handles_lock = threading.Lock()  # the monitor handles, the connection watch and the release
        self._backend = self._make_backend()
        self._read_channel = self._backend.channel(read_pv)
        EpicsSignalBase.__any_instantiated = True
        if self.auto_monitor:
            self._ensure_monitor()  # the channel starts it when it connects

    def _make_backend(self) -> Backend:
        """The backend this signal's channels come from: the one given as ``cl=``, else its device's control
        layer, else the selected one."""
        return get_backend(self._cl or getattr(self.parent, "_cl", None) or get_cl())

    @property
    def cl(self) -> ControlLayerName:
        """The control layer this signal's channels use (classic ophyd's ``signal.cl``)."""
        return ControlLayerName(self._backend.name)

    @classmethod
    def set_defaults(
        cls,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        connection_timeout: float | None = DEFAULT_CONNECTION_TIMEOUT,
        write_timeout: float | None = None,
        auto_monitor: bool = False,
    ) -> None:
        """Set the class-wide defaults of this class and its subclasses (signals given their own value keep it).

        Allowed only before the first EPICS signal is made, as in classic ophyd, so that every signal of a
        session is made with the same defaults; afterwards it raises RuntimeError.
        """
        if EpicsSignalBase.__any_instantiated:
            raise RuntimeError(
                f"{cls.__name__}.set_defaults() must be called before any EPICS signal is made; call it at the "
                "top of the startup script, or pass timeout=, connection_timeout=, write_timeout= or "
                "auto_monitor= to each signal"
            )
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
        value = self._overrides.get(key, _NOT_GIVEN)
        return self._defaults[key] if value is _NOT_GIVEN else value

    @property
    def timeout(self) -> float | None:
        """Seconds a read may take (None: no limit)."""
        value = self._setting("timeout")
        return None if value is None else float(value)

    @property
    def connection_timeout(self) -> float | None:
        """Seconds the first wait for a never-connected PV may take (None: no limit)."""
        value = self._setting("connection_timeout")
        return None if value is None else float(value)

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
        if connected and self._has_subscribers(self.SUB_META) and self._read_channel.connected:
            self._read_channel.request_info()  # 'meta' listeners want units and limits without asking
        self._refresh_metadata()

    def _refresh_metadata(self) -> None:
        """Copy what the channels know now into the metadata; tell 'meta' subscribers if it changed.

        A signal never subscribed to keeps no record of the event (a describe() of thousands of signals would
        keep a copy of each one's metadata): its first subscriber gets the metadata as the latest event.
        """
        if self._mirror.refresh(
            self._channels(), self._read_channel, self._write_access_from, self._limits_channel()
        ):
            # The flag is set before the tables are looked for, and subscribe() makes the tables before it
            # reads the flag: with the two in either order, the change reaches a 'meta' event.
            self._mirror.changed = True
            if self._subs is not None:
                self._set_metadata()  # tells the 'meta' subscribers

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        """As OphydObject's; the metadata becomes the latest 'meta' event first if none was recorded since it
        changed (the tables may have been made by a value event, as with ``auto_monitor``)."""
        subs = self._table()
        if self._mirror.changed and self.SUB_META not in subs.args_cache:
            self._run_subs(sub_type=self.SUB_META, **self._mirror.snapshot())
        return super().subscribe(callback, event_type, run)

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
        for channel in dict.fromkeys((self._read_channel, self._limits_channel())):
            if channel.connected and not channel.info().control:
                self._load_info(channel)
        return self._current_metadata()

    def _limits_channel(self) -> Channel:
        """The channel whose control limits are the signal's ``limits``: the one it writes to."""
        return self._read_channel

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
        self._check_not_destroyed()
        timeout = self.connection_timeout if timeout is None else timeout
        for channel in self._channels():
            if not channel.wait_for_connection(timeout):
                limit = "" if timeout is None else f" within {float(timeout):.3}-second timeout"
                raise ConnectionTimeoutError(  # classic ophyd's words, after the signal's name
                    f"{self._describe_me()}: {channel.pvname} could not connect{limit}. " + connection_hint(),
                    missing=[channel.pvname],
                )

    def _ensure_connected(self, channel: Channel, connection_timeout: float | None = None) -> None:
        """Return if connected; wait for a first connection (up to ``connection_timeout``, default the
        signal's); fail at once after a disconnect, or once the signal is destroyed."""
        self._check_not_destroyed()
        if channel.connected:
            return
        if channel.ever_connected:
            raise DisconnectedError(f"{self._describe_me()}: PV {channel.pvname} is disconnected")
        wait = self.connection_timeout if connection_timeout is None else connection_timeout
        if not channel.wait_for_connection(wait):
            raise ConnectionTimeoutError(  # classic ophyd's words, after the signal's name
                f"{self._describe_me()}: Failed to connect to {channel.pvname}{_within(wait)}. "
                + connection_hint(),
                missing=[channel.pvname],
            )

    @property
    def connected(self) -> bool:
        return not self._destroyed and all(ch.connected for ch in self._channels())

    # -- reading ------------------------------------------------------------------------------------------
    def get(
        self,
        *,
        as_string: bool | None = None,
        use_monitor: bool | None = None,
        timeout: float | None = None,
        connection_timeout: float | None = None,
        form: str = "time",
        **kwargs: Any,
    ) -> Any:
        """Read the PV: enums as int (or label with ``string=True``), arrays as numpy arrays.

        As in classic ophyd, ``use_monitor`` defaults to ``auto_monitor``: a signal made with
        ``auto_monitor=True`` answers from its monitor cache; any other reads the server, even while a value
        subscription or another signal of the same PV keeps a monitor, since that cache may lag behind a
        completed put or hold back changes within the record's monitor deadband (MDEL).

        As in classic ophyd: ``timeout`` bounds the read and ``connection_timeout`` the wait for a PV that has
        not connected yet (None: the signal's own); ``form`` is the DBR type asked for, ``'time'`` (the value,
        its alarm state and the IOC's timestamp), ``'ctrl'`` (the value and alarm state, and the PV's units,
        limits, precision and enum labels read afresh into ``metadata``) or ``'native'`` (the value alone).
        The two last carry no IOC timestamp, so ``timestamp`` becomes the time the answer arrived. Other
        keywords (classic's ``count``) are ignored with classic's DeprecationWarning.
        """
        warn_ignored_kwargs("get", kwargs)
        self._check_form(form)
        reading = self._prefetched
        if reading is None or as_string is not None or use_monitor is False or form != "time":
            if use_monitor is None:
                use_monitor = self.auto_monitor
            # After a write the channel reads the server until its monitor cache has caught up.
            reading = self._fetch(
                self._read_channel,
                as_string,
                use_monitor,
                timeout,
                form=form,
                connection_timeout=connection_timeout,
            )
        self._store(reading, alarm=form != "native")
        return reading.value

    def _check_form(self, form: str) -> None:
        if form not in FORMS:
            raise ValueError(f"{self._describe_me()}: form must be one of {', '.join(FORMS)}, not {form!r}")

    def _fetch(
        self,
        channel: Channel,
        as_string: bool | None,
        use_monitor: bool | None,
        timeout: float | None,
        *,
        form: str = "time",
        connection_timeout: float | None = None,
    ) -> PVReading:
        self._ensure_connected(channel, connection_timeout)
        timeout = self.timeout if timeout is None else timeout
        try:
            return channel.get(
                as_string=self._string if as_string is None else as_string,
                use_monitor=True if use_monitor is None else use_monitor,
                timeout=timeout,
                form=form,
            )
        except DisconnectedError as exc:
            raise DisconnectedError(f"{self._describe_me()}: {exc}") from exc
        except TimeoutError as exc:
            raise ReadTimeoutError(  # classic ophyd's words, after the signal's name
                f"{self._describe_me()}: Failed to read {channel.pvname}{_within(timeout)} ({exc})"
            ) from exc

    def _store(self, reading: PVReading, *, alarm: bool = True) -> None:
        """Keep ``reading`` as the latest value; ``alarm=False`` for a reading without an alarm state
        (``form='native'``), which leaves the last known one."""
        self._readback = reading.value
        self._timestamp = reading.timestamp
        self._metadata["timestamp"] = reading.timestamp
        if alarm:
            self._alarm = (reading.status, reading.severity)
            self._metadata.update(status=reading.status, severity=reading.severity)

    def _prefetch_plan(self) -> tuple[Any, Channel, bool] | None:
        """How Device.read() may fetch this signal together with others (None: read it alone)."""
        if (self.auto_monitor and self._monitor_handle is not None) or not self._read_channel.connected:
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
        try:
            value = self.get()
        except ConnectionTimeoutError as exc:
            raise NotConnectedError(str(exc), missing=exc.missing) from exc
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
        """Absolute tolerance of set(); by default 10**-precision of the PV.

        As in classic ophyd, a PV of precision 0 (or none) has no default tolerance: set() waits for the
        readback to equal the target, where 10**0 would accept any readback within 1 of it."""
        if self._tolerance is None and self.precision:
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
