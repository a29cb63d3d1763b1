"""Soft signals: Signal, SignalRO and DerivedSignal, and the blocking helper set_and_wait.

Signal holds the user-facing semantics every signal shares (kind, tolerance, subscriptions, read/describe,
the Status of set()); EPICS signals reuse all of it and only replace where values come from and go to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ._datakeys import data_key, values_match
from ._dispatch import wait_event
from .errors import (
    DisconnectedError,
    LimitError,
    OpException,
    ReadOnlyError,
    WaitTimeoutError,
)
from .kind import Kind
from .ophydobj import OphydObject
from .status import Status, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["DerivedSignal", "SetSupersededError", "Signal", "SignalRO", "set_and_wait"]

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


class SetSupersededError(OpException, RuntimeError):
    """A newer set() on the same signal replaced this one before it finished."""


class Signal(OphydObject):
    """A value with a timestamp that can be read, written, set and watched; the soft (in-memory) kind.

    ``set()`` returns a Status that finishes when the value is within ``tolerance`` (absolute) or
    ``rtolerance`` (relative) of the target. A newer ``set()`` supersedes one still in flight: the older
    status fails at once with SetSupersededError and the signal moves to the newest target.
    """

    SUB_SETPOINT = "setpoint"
    _default_sub = OphydObject.SUB_VALUE
    _event_types: tuple[str, ...] = (OphydObject.SUB_VALUE, OphydObject.SUB_META)
    #: Default timeout (s) of set_and_wait and of waiting on connections; override per class.
    default_timeout: ClassVar[float] = 10.0

    def __init__(
        self,
        *,
        name: str = "",
        value: Any = 0.0,
        timestamp: float | None = None,
        parent: Any = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
        tolerance: float | None = None,
        rtolerance: float | None = None,
        metadata: dict[str, Any] | None = None,
        dtype: str | None = None,
        shape: list[int] | tuple[int, ...] | None = None,
        attr_name: str = "",
    ) -> None:
        super().__init__(name=name, attr_name=attr_name, parent=parent, labels=labels, kind=kind)
        self._readback = value
        self._timestamp = time.time() if timestamp is None else timestamp
        self._tolerance = tolerance
        self._rtolerance = rtolerance
        self._dtype = dtype
        self._shape = shape
        self._pending_set: StatusBase | None = None
        self._set_lock = threading.Lock()
        self._metadata: dict[str, Any] = dict.fromkeys(_METADATA_KEYS)
        self._metadata.update(connected=True, read_access=True, write_access=True, timestamp=self._timestamp)
        self._metadata.update(metadata or {})
        if value is not None:
            # A soft signal has a value from the start: subscribe(run=True) reports it at once.
            self._args_cache[self.SUB_VALUE] = (
                (),
                dict(
                    value=value, old_value=None, timestamp=self._timestamp, sub_type=self.SUB_VALUE, obj=self
                ),
            )

    def _default_kind(self) -> Kind:
        """A signal made without ``kind=``: ``hinted`` when standalone, ``normal`` inside a device."""
        return Kind.hinted if self._parent is None else Kind.normal

    # -- values -------------------------------------------------------------------------------------------
    def get(self, **kwargs: Any) -> Any:
        """The current value."""
        return self._readback

    @property
    def value(self) -> Any:
        """The current value (same as ``get()``)."""
        return self.get()

    @property
    def timestamp(self) -> float:
        """POSIX time of the current value."""
        return self._timestamp

    def put(self, value: Any, *, timestamp: float | None = None, force: bool = False, **kwargs: Any) -> None:
        """Write ``value`` now; ``force=True`` skips the checks of ``check_value``."""
        if not force:
            self.check_value(value)
        self._update(value, timestamp)

    def _update(self, value: Any, timestamp: float | None = None) -> None:
        """Store a new value and tell subscribers; for internal writers and read-only signals."""
        old = self._readback
        self._readback = value
        self._timestamp = time.time() if timestamp is None else timestamp
        self._metadata["timestamp"] = self._timestamp
        self._run_subs(old_value=old, value=value, timestamp=self._timestamp, sub_type=self.SUB_VALUE)

    def set(self, value: Any, *, timeout: float | None = None, settle_time: float | None = None) -> Status:
        """Start moving to ``value``; the Status finishes when the value is within tolerance."""
        self.check_value(value)
        status = Status(self, timeout=timeout, settle_time=settle_time)
        with self._set_lock:
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
        """Write the value and finish ``status`` once the readback matches (the tolerance rule)."""
        self.put(value)
        self._finish_when_matched(value, status)

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
        """Raise before writing: ReadOnlyError, ValueError for None, LimitError outside the limits."""
        if not self.write_access:
            raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot write {value!r}")
        if value is None:
            raise ValueError(f"Cannot write None to {self._describe_me()}")
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
        return Status(self, done=True, success=True)

    # -- metadata -----------------------------------------------------------------------------------------
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
        """True when the value can be read; always True for soft signals."""
        return bool(self._metadata["connected"])

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

    def read(self) -> dict[str, Reading[Any]]:
        """``{name: {'value': ..., 'timestamp': ...}}``."""
        return {self.name: {"value": self.get(), "timestamp": self.timestamp}}

    def describe(self) -> dict[str, DataKey]:
        """``{name: data key}`` with source, dtype, shape, dtype_numpy and what the metadata knows."""
        key = data_key(
            self.get(), source=self.source, dtype=self._dtype, shape=self._shape, metadata=self._metadata
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, value={self._readback!r}, kind={self.kind.name!r})"


class SignalRO(Signal):
    """A soft signal users cannot write (internal code updates it with ``_update``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metadata["write_access"] = False


class DerivedSignal(Signal):
    """A signal computed from another: ``inverse`` maps the original's value to ours, ``forward`` back.

    ``derived_from`` is a Signal or the attribute name of a sibling component.
    """

    def __init__(
        self,
        derived_from: Signal | str,
        *,
        forward: Callable[[Any], Any] | None = None,
        inverse: Callable[[Any], Any] | None = None,
        write_access: bool | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("value", None)
        super().__init__(**kwargs)
        self._derived_from = derived_from
        self._forward = forward or (lambda v: v)
        self._inverse = inverse or (lambda v: v)
        self._write_access_override = write_access
        self._orig_cid: int | None = None

    @property
    def derived_from(self) -> Signal:
        """The original signal (resolved from the parent on first use when given by name)."""
        if isinstance(self._derived_from, str):
            if self.parent is None:
                raise ValueError(f"{self._describe_me()} names {self._derived_from!r} but has no parent")
            self._derived_from = getattr(self.parent, self._derived_from)
        assert isinstance(self._derived_from, Signal)
        return self._derived_from

    def get(self, **kwargs: Any) -> Any:
        return self._inverse(self.derived_from.get(**kwargs))

    @property
    def timestamp(self) -> float:
        return self.derived_from.timestamp

    def put(self, value: Any, *, force: bool = False, **kwargs: Any) -> None:
        if not force:
            self.check_value(value)
        self.derived_from.put(self._forward(value), force=force, **kwargs)

    def _start_set(self, value: Any, status: Status) -> None:
        inner = self.derived_from.set(self._forward(value))
        inner.add_callback(status._mirror)

    @property
    def write_access(self) -> bool:
        if self._write_access_override is not None:
            return self._write_access_override
        return self.derived_from.write_access

    @property
    def connected(self) -> bool:
        return self.derived_from.connected

    @property
    def metadata(self) -> dict[str, Any]:
        return self.derived_from.metadata

    @property
    def limits(self) -> tuple[Any, Any]:
        low, high = self.derived_from.limits
        return (
            None if low is None else self._inverse(low),
            None if high is None else self._inverse(high),
        )

    def wait_for_connection(self, timeout: float | None = None) -> None:
        self.derived_from.wait_for_connection(timeout)

    def _missing_channels(self) -> list[str]:
        return self.derived_from._missing_channels()

    @property
    def source(self) -> str:
        return f"DERIVED:{self.derived_from.source}"

    def describe(self) -> dict[str, DataKey]:
        return {self.name: data_key(self.get(), source=self.source, metadata=self.derived_from.metadata)}

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> int:
        """Subscribe as any signal does; value subscriptions start following the original first, so that
        ``run=True`` reports the current derived value and ``run=False`` reports only later changes."""
        if (event_type or self._default_sub) == self.SUB_VALUE:
            with self._subs_lock:
                if self._orig_cid is None:
                    # No value callback exists yet: running the original's latest event only fills our cache.
                    self._orig_cid = self.derived_from.subscribe(self._on_original, run=True)
        return super().subscribe(callback, event_type, run)

    def destroy(self) -> None:
        """Stop following the original, then drop every subscription."""
        with self._subs_lock:
            cid, self._orig_cid = self._orig_cid, None
        if cid is not None:
            self.derived_from.unsubscribe(cid)
        super().destroy()

    def _on_original(
        self, value: Any = None, old_value: Any = None, timestamp: Any = None, **kwargs: Any
    ) -> None:
        old = None if old_value is None else self._inverse(old_value)
        self._run_subs(
            old_value=old, value=self._inverse(value), timestamp=timestamp, sub_type=self.SUB_VALUE
        )


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
    timeout = signal.default_timeout if timeout is None else timeout
    changed = threading.Event()
    cid = signal.subscribe(lambda **kw: changed.set(), run=False)
    try:
        signal.put(val)
        deadline = time.monotonic() + timeout
        last: Any = None
        while True:
            try:
                last = signal.get()
                if signal._matches(last, val, atol, rtol):
                    return
            except DisconnectedError:
                last = "<disconnected>"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(
                    f"set_and_wait: {signal._describe_me()} did not reach {val!r} within {timeout} s "
                    f"(last value seen: {last!r})"
                )
            wait_event(changed, min(max(poll_time, 0.01) * 10, remaining))
            changed.clear()
    finally:
        signal.unsubscribe(cid)
