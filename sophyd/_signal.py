"""Soft signals: Signal and SignalRO, and the blocking helper set_and_wait.

Signal holds the user-facing semantics every signal shares (kind, tolerance, subscriptions, read/describe,
the Status of set()); EPICS signals reuse all of it and only replace where values come from and go to.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._checks import check_finite_target, check_timeout
from ._datakeys import JSON_DTYPES, data_key, values_match
from ._dispatch import get_dispatcher, wait_event
from ._scheduler import call_later
from .control import BACKENDS, ControlLayerName, get_cl
from .errors import (
    DestroyedError,
    DisconnectedError,
    LimitError,
    ReadOnlyError,
    SetSupersededError,
    WaitTimeoutError,
)
from .kind import Kind
from .ophydobj import OphydObject
from .status import Status, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["UNSET_VALUE", "SetSupersededError", "Signal", "SignalRO", "set_and_wait"]

# A set() whose readback does not match at once polls get() after _FIRST_POLL seconds, doubling the wait up to
# _MAX_POLL (classic ophyd's set_and_wait polls from 0.01 s with the same back-off).
_FIRST_POLL = 0.01
_MAX_POLL = 0.1

_METADATA_KEYS = (
    "connected",
    "read_access",
    "write_access",
    "timestamp",
    "status",
    "severity",
    "precision",
    "units",
    "lower_ctrl_limit",
    "upper_ctrl_limit",
    "enum_strs",
)


class _Unset:
    """The value of a signal that has none yet."""

    def __repr__(self) -> str:
        return "UNSET_VALUE"


#: The value of a soft signal made with ``dtype``/``shape`` and no value; get() raises until a put().
UNSET_VALUE: Any = _Unset()
_DEFAULT_VALUE: Any = object()
# Swaps a signal's pending set() for the newest one (every signal's: the section is two assignments).
_set_lock = threading.Lock()


def _check_dtype_and_shape(signal: Signal, value: Any, dtype: Any, shape: Any) -> None:
    """TypeError naming the signal when ``value`` does not fit the ``dtype``/``shape`` it was made with."""
    if dtype is not None and not (isinstance(dtype, str) and dtype in JSON_DTYPES):
        arr = np.asarray(value)
        try:
            fits = bool(np.array_equal(arr.astype(np.dtype(dtype)), arr))
        except (TypeError, ValueError):
            fits = False
        if not fits:
            raise TypeError(f"{signal._describe_me()}: value {value!r} does not fit dtype {dtype!r}")
    if shape is not None and tuple(np.shape(value)) != tuple(shape):
        raise TypeError(f"{signal._describe_me()}: value {value!r} does not have shape {tuple(shape)}")


class Signal(OphydObject):
    """A value with a timestamp that can be read, written, set and watched; the soft (in-memory) kind.

    ``set()`` returns a Status that finishes when the value is within ``tolerance`` (absolute) or
    ``rtolerance`` (relative) of the target. A newer ``set()`` supersedes one still in flight: the older
    status fails at once with SetSupersededError and the signal moves to the newest target.
    """

    SUB_VALUE = "value"
    SUB_META = "meta"
    _default_sub = SUB_VALUE
    # What most signals never set, as class-wide defaults: an instance stores only what differs (CPython
    # shares one key table among the instances of a class only while they have at most 30 attributes).
    _tolerance: float | None = None
    _rtolerance: float | None = None
    _dtype: Any = None
    _shape: list[int] | tuple[int, ...] | None = None
    _pending_set: StatusBase | None = None
    _destroyed = False  # set by destroy()
    #: Default timeout (s) of set_and_wait and of waiting on connections; override per class.
    default_timeout: ClassVar[float] = 10.0

    def __init__(
        self,
        *,
        name: str | None = "",
        value: Any = _DEFAULT_VALUE,
        timestamp: float | None = None,
        parent: Any = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
        tolerance: float | None = None,
        rtolerance: float | None = None,
        metadata: dict[str, Any] | None = None,
        dtype: Any = None,
        shape: list[int] | tuple[int, ...] | None = None,
        attr_name: str = "",
        cl: Any = None,
    ) -> None:
        super().__init__(name=name, attr_name=attr_name, parent=parent, labels=labels, kind=kind)
        if cl is not None:
            self._cl = self._control_layer_name(cl)
        if value is _DEFAULT_VALUE:
            # As in classic ophyd: 0.0, unless dtype/shape say what the value will be (then it has none yet).
            value = 0.0 if dtype is None and shape is None else UNSET_VALUE
        elif value is not None:
            _check_dtype_and_shape(self, value, dtype, shape)
        self._readback = value
        self._timestamp = time.time() if timestamp is None else timestamp
        if tolerance is not None:
            self._tolerance = tolerance
        if rtolerance is not None:
            self._rtolerance = rtolerance
        if dtype is not None:
            self._dtype = dtype
        if shape is not None:
            self._shape = shape
        self._metadata: dict[str, Any] = dict.fromkeys(_METADATA_KEYS)
        self._metadata.update(connected=True, read_access=True, write_access=True, timestamp=self._timestamp)
        self._metadata.update(metadata or {})
        if value is not None and value is not UNSET_VALUE:
            # A soft signal has a value from the start: subscribe(run=True) reports it at once.
            self._args_cache[self.SUB_VALUE] = (
                (),
                dict(
                    value=value, old_value=None, timestamp=self._timestamp, sub_type=self.SUB_VALUE, obj=self
                ),
            )

    #: The control layer given as ``cl=`` (a name), if one was: classic ophyd's per-signal control layer.
    _cl: str | None = None

    @property
    def cl(self) -> ControlLayerName:
        """This signal's control layer (classic ophyd's ``signal.cl``): the one given as ``cl=``, else the
        selected one (``get_cl()``); it has classic's control-layer functions (``caget``, ``thread_class``...)."""
        return get_cl() if self._cl is None else ControlLayerName(self._cl)

    def _control_layer_name(self, cl: Any) -> str:
        """The name of the control layer ``cl`` (a name, or classic's namespace with a ``name``), checked."""
        name = getattr(cl, "name", cl)
        if name not in BACKENDS:
            raise ValueError(
                f"{self._describe_me()}: unknown control layer {cl!r}; choose one of {sorted(BACKENDS)}"
            )
        return str(name)

    def _default_kind(self) -> Kind:
        """A signal made without ``kind=``: ``hinted`` when standalone, ``normal`` inside a device."""
        return Kind.hinted if self._parent is None else Kind.normal

    # -- values -------------------------------------------------------------------------------------------
    def get(self, **kwargs: Any) -> Any:
        """The current value; RuntimeError when the signal has none yet (made with dtype/shape, no value)."""
        if self._readback is UNSET_VALUE:
            raise RuntimeError(f"{self._describe_me()} has no value yet: put() one first")
        return self._readback

    @property
    def value(self) -> Any:
        """The current value; as in classic ophyd it warns (UserWarning) unless the signal is monitored.

        Use ``get()`` instead. Setting ``OPHYD_SILENCE_VALUE_WARNING=1`` silences the warning, as in classic.
        """
        if not self._value_is_monitored() and os.environ.get("OPHYD_SILENCE_VALUE_WARNING") != "1":
            warnings.warn(
                f"You have called obj.value on {self.name!r} ({self.dotted_name or self.name}), which is not "
                "a monitored signal: this reads it with get(), which may take time. Use get() instead, or "
                "monitor the signal.",
                UserWarning,
                stacklevel=2,
            )
        return self.get()

    @value.setter
    def value(self, value: Any) -> None:
        self.put(value)

    def _value_is_monitored(self) -> bool:
        """True when a subscription keeps the value current (classic ophyd's test for ``.value``)."""
        return False

    @property
    def timestamp(self) -> float:
        """POSIX time of the current value."""
        return self._timestamp

    def put(
        self,
        value: Any,
        *,
        timestamp: float | None = None,
        force: bool = False,
        metadata: dict[str, Any] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Write ``value`` now; ``force=True`` skips the checks of ``check_value``.

        ``metadata`` (alarm status, severity, ...) is stored with the value. Other keywords (``wait``,
        ``callback``, ...) mean nothing to a soft signal: as in classic ophyd they are ignored with a warning.
        """
        if kwargs:
            warnings.warn(
                f"Signal.put of {self._describe_me()} takes no keyword arguments {sorted(kwargs)}; "
                f"they are ignored. Received kwargs={kwargs}",
                UserWarning,
                stacklevel=2,
            )
        if not force:
            self.check_value(value)
        self._update(value, timestamp, metadata)

    def _update(
        self, value: Any, timestamp: float | None = None, metadata: dict[str, Any] | None = None
    ) -> None:
        """Store a new value and tell subscribers; for internal writers and read-only signals."""
        old = self._readback
        self._readback = value
        if timestamp is None:
            timestamp = (metadata or {}).get("timestamp") or time.time()
        self._timestamp = timestamp
        if metadata:
            self._metadata.update(metadata)
        self._metadata["timestamp"] = self._timestamp
        self._run_subs(old_value=old, value=value, timestamp=self._timestamp, sub_type=self.SUB_VALUE)

    def set(self, value: Any, *, timeout: float | None = None, settle_time: float | None = None) -> Status:
        """Start moving to ``value``; the Status finishes when the value is within tolerance.

        A non-positive timeout and a non-finite target are refused before anything is written.
        """
        check_timeout(timeout, f"set() of {self._describe_me()}")
        check_finite_target(value, f"set() of {self._describe_me()}")
        self.check_value(value)
        status = Status(self, timeout=timeout, settle_time=settle_time)
        with _set_lock:
            previous, self._pending_set = self._pending_set, status
        if previous is not None and not previous.done:
            previous._abandon(
                SetSupersededError(f"set() of {self._describe_me()} superseded by set({value!r})")
            )
        try:
            self._start_set(value, status)
        except Exception as exc:
            status._abandon(exc)
        return status

    def _start_set(self, value: Any, status: Status) -> None:
        """Write the value and finish ``status`` once the readback matches (the tolerance rule).

        A soft signal reports its own writes, so the readback normally matches at once. A subclass whose
        get() computes its value elsewhere sends no event when that value changes, so get() is also polled,
        as classic ophyd's set() polls it, until it matches or the status ends.
        """
        self.put(value)
        self._finish_when_matched(value, status)
        if not status.done:
            self._poll_until_matched(value, status, _FIRST_POLL)

    def _poll_until_matched(self, target: Any, status: Status, delay: float) -> None:
        """Check get() after ``delay`` (then backing off to ``_MAX_POLL``) until it matches or ``status`` ends.

        The timer only queues the check: get() is user code, so it runs on the monitor dispatcher, never on
        the shared timer thread whose other timeouts it could delay.
        """

        def check() -> None:
            if status.done:
                return
            try:
                matched = self._matches(self.get(), target)
            except Exception as exc:
                status._abandon(exc)
                return
            if matched:
                status._finish_if_pending()
            else:
                self._poll_until_matched(target, status, min(2 * delay, _MAX_POLL))

        call_later(delay, get_dispatcher("monitor").submit, check)

    def _finish_when_matched(self, target: Any, status: Status) -> None:
        def check(**kwargs: Any) -> None:
            if not status.done and self._matches(self.get(), target):
                status._finish_if_pending()  # a concurrent update may have finished it

        if self._matches(self.get(), target):
            status.set_finished()
            return
        cid = self.subscribe(check, run=False)
        status.add_callback(lambda _st: self.unsubscribe(cid))
        check()

    def _matches(
        self, current: Any, target: Any, atol: float | None = None, rtol: float | None = None
    ) -> bool:
        """True when ``current`` is ``target`` within the given (or this signal's) tolerances."""
        atol = self.tolerance if atol is None else atol
        rtol = self.rtolerance if rtol is None else rtol
        return values_match(current, target, atol, rtol)

    def check_value(self, value: Any) -> None:
        """Raise before writing: ReadOnlyError for a read-only signal, LimitError outside the limits.

        A soft signal holds any Python value, None included, as classic ophyd's does; EPICS signals refuse
        None in their own check_value(), since no PV can hold it.
        """
        if not self.write_access:
            raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot write {value!r}")
        low, high = self.limits
        if low is None or high is None or low >= high:
            return
        try:
            outside = not (low <= value <= high)
        except TypeError:
            return
        if outside:
            raise LimitError(
                f"Value {value!r} for {self._describe_me()} is outside the limits [{low}, {high}]"
            )

    def trigger(self) -> Status:
        """Signals have nothing to trigger: a finished Status."""
        status = Status(self)
        status.set_finished()
        return status

    # -- metadata -----------------------------------------------------------------------------------------
    #: The keys of ``metadata`` (and of meta events), as classic ophyd's ``metadata_keys`` lists them.
    _metadata_keys: ClassVar[tuple[str, ...]] = _METADATA_KEYS

    @property
    def metadata_keys(self) -> tuple[str, ...]:
        """The keys ``metadata`` has (known without reading anything)."""
        return self._metadata_keys

    @property
    def metadata(self) -> dict[str, Any]:
        """A copy of the metadata: connection, access, units, precision, limits, enum strings, alarms."""
        return dict(self._full_metadata())

    def _full_metadata(self) -> dict[str, Any]:
        """The metadata with every field known (an EPICS signal reads its control fields on first need)."""
        return self._metadata

    def _set_metadata(self, **md: Any) -> None:
        self._metadata.update(md)
        self._run_subs(sub_type=self.SUB_META, **self._metadata)

    @property
    def connected(self) -> bool:
        """True when the value can be read: for soft signals, until they are destroyed."""
        return bool(self._metadata["connected"]) and not self._destroyed

    def destroy(self) -> None:
        """Drop every subscription; as in classic ophyd, the signal is no longer connected, and reading it
        (an EPICS signal: also waiting for its connection) raises DestroyedError."""
        self._destroyed = True
        super().destroy()

    def _check_not_destroyed(self) -> None:
        if self._destroyed:
            raise DestroyedError(f"{self._describe_me()} is destroyed: Cannot re-use a destroyed Signal")

    def wait_for_connection(self, timeout: float | None = None) -> None:
        """Block until connected; soft signals always are."""

    def _missing_channels(self) -> list[str]:
        """Names of this signal's channels that are not connected (none for soft signals)."""
        return []

    @property
    def write_access(self) -> bool:
        return bool(self._metadata["write_access"])

    @property
    def read_access(self) -> bool:
        return bool(self._metadata["read_access"])

    @property
    def limits(self) -> tuple[Any, Any]:
        """(low, high) control limits; (None, None) or equal values mean no limits."""
        md = self._full_metadata()
        return (md.get("lower_ctrl_limit"), md.get("upper_ctrl_limit"))

    @property
    def low_limit(self) -> Any:
        return self.limits[0]

    @property
    def high_limit(self) -> Any:
        return self.limits[1]

    @property
    def precision(self) -> int | None:
        return self._full_metadata().get("precision")

    @property
    def egu(self) -> str:
        """Engineering units ('' when unknown)."""
        return self._full_metadata().get("units") or ""

    @property
    def enum_strs(self) -> tuple[str, ...] | None:
        return self._full_metadata().get("enum_strs")

    @property
    def tolerance(self) -> float | None:
        """Absolute tolerance of set(); None compares exactly."""
        return self._tolerance

    @tolerance.setter
    def tolerance(self, value: float | None) -> None:
        self._tolerance = value

    @property
    def rtolerance(self) -> float | None:
        """Relative tolerance of set(); None means none."""
        return self._rtolerance

    @rtolerance.setter
    def rtolerance(self, value: float | None) -> None:
        self._rtolerance = value

    # -- bluesky ------------------------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """Where the data comes from, as a describe() 'source'."""
        return f"SIM:{self.name}"

    @property
    def source_name(self) -> str:
        """Classic ophyd's name for ``source``."""
        return self.source

    def read(self) -> dict[str, Reading[Any]]:
        """``{name: {'value': ..., 'timestamp': ...}}``."""
        self._check_not_destroyed()
        return {self.name: {"value": self.get(), "timestamp": self.timestamp}}

    def describe(self) -> dict[str, DataKey]:
        """``{name: data key}`` with source, dtype, shape, dtype_numpy and what the metadata knows."""
        known = self._dtype is not None and self._shape is not None and self._readback is UNSET_VALUE
        key = data_key(
            None if known else self.get(),  # dtype and shape say all without a value
            source=self.source,
            name=self.name,
            dtype=self._dtype,
            shape=self._shape,
            metadata=self._metadata,
        )
        return {self.name: key}

    def read_configuration(self) -> dict[str, Reading[Any]]:
        return self.read()

    def describe_configuration(self) -> dict[str, DataKey]:
        return self.describe()

    @property
    def hints(self) -> Hints:
        """``{'fields': [name]}`` when this signal is hinted."""
        return {"fields": [self.name] if (self.kind & Kind.hinted) == Kind.hinted else []}

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        if self._readback is not UNSET_VALUE:
            yield ("value", self._readback)
        yield ("timestamp", self._timestamp)
        if self._tolerance is not None:  # the explicit one: an EPICS default needs the IOC's precision
            yield ("tolerance", self._tolerance)
        if self._rtolerance is not None:
            yield ("rtolerance", self._rtolerance)


class SignalRO(Signal):
    """A soft signal users cannot write (internal code updates it with ``_update``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metadata["write_access"] = False


def set_and_wait(
    signal: Signal,
    val: Any,
    poll_time: float = 0.01,
    timeout: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """Write ``val`` and block until ``signal`` reads it back within the tolerances.

    Raises WaitTimeoutError naming the signal, the target and the last value seen after ``timeout``
    seconds (default: the signal's ``default_timeout``). ``poll_time`` bounds how long it waits between
    re-reads when the signal sends no updates.
    """
    check_timeout(timeout, f"set_and_wait of {signal._describe_me()}")
    check_finite_target(val, f"set_and_wait of {signal._describe_me()}")
    timeout = signal.default_timeout if timeout is None else timeout

    def timed_out(last: Any) -> BaseException:
        return WaitTimeoutError(
            f"set_and_wait: {signal._describe_me()} did not reach {val!r} within {timeout} s "
            f"(last value seen: {last!r})"
        )

    put_and_wait(
        signal, val, lambda current: signal._matches(current, val, atol, rtol), poll_time, timeout, timed_out
    )


def put_and_wait(
    signal: Any,
    val: Any,
    matches: Callable[[Any], bool],
    poll_time: float,
    timeout: float | None,
    timed_out: Callable[[Any], BaseException],
) -> None:
    """Put ``val`` to ``signal`` and block until ``matches(signal.get())``: woken by the signal's updates
    (when it has subscriptions), re-reading at least every ``10 * poll_time`` s; raise ``timed_out(last value
    seen)`` after ``timeout`` seconds (None: no limit)."""
    changed = threading.Event()
    subscribe = getattr(signal, "subscribe", None)
    cid = subscribe(lambda **kw: changed.set(), run=False) if subscribe is not None else None
    try:
        signal.put(val)
        deadline = None if timeout is None else time.monotonic() + timeout
        last: Any = None
        while True:
            try:
                last = signal.get()
                if matches(last):
                    return
            except DisconnectedError:
                last = "<disconnected>"
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise timed_out(last)
            step = max(poll_time, 0.01) * 10
            wait_event(changed, step if remaining is None else min(step, remaining))
            changed.clear()
    finally:
        if cid is not None:
            signal.unsubscribe(cid)
