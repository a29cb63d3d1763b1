"""Synthetic signals in the style of classic ``ophyd.sim``: values from Python functions, no IOC.

Delays (exposure times, periodic updates) run on sophyd's shared timer thread and hand their work to the
``control`` dispatcher, like settle times do: a trigger or a periodic update never starts a thread of its own.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._dispatch import get_dispatcher
from .._scheduler import TimerHandle, call_later
from .._signal import Signal
from ..errors import ReadOnlyError
from ..kind import Kind
from ..status import DeviceStatus, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "EnumSignal",
    "InvariantSignal",
    "NullStatus",
    "SynPeriodicSignal",
    "SynSignal",
    "SynSignalRO",
]

logger = logging.getLogger("sophyd.sim")


def call_after(delay: float, fn: Callable[..., Any], *args: Any) -> TimerHandle:
    """Run ``fn(*args)`` on the ``control`` dispatcher once ``delay`` seconds have passed.

    The shared timer thread only keeps time; the work (and the user callbacks it fires) runs on the dispatcher,
    as status settle times do, so a slow subscriber never delays other timers.
    """
    return call_later(delay, get_dispatcher("control").submit, fn, *args)


class NullStatus(StatusBase):
    """A status that is done, successfully, from the moment it is made."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_finished()


class EnumSignal(Signal):
    """A soft signal holding an index into ``enum_strings``; written as index or string, read as string.

    ``get(as_string=False)`` gives the index. A string that is not one of ``enum_strings`` is refused.
    """

    def __init__(self, *, value: int | str = 0, enum_strings: Iterable[str], **kwargs: Any) -> None:
        super().__init__(value=0, **kwargs)
        self._enum_strs = tuple(enum_strings)
        self._metadata["enum_strs"] = self._enum_strs
        self.put(value)

    def _index(self, value: Any) -> Any:
        """The index of ``value`` (a string of the enum, or already an index)."""
        if isinstance(value, str):
            if value not in self._enum_strs:
                raise ValueError(
                    f"{value!r} is not one of {self._describe_me()}'s enum strings {self._enum_strs}"
                )
            return self._enum_strs.index(value)
        return value

    def put(self, value: Any, **kwargs: Any) -> None:
        super().put(self._index(value), **kwargs)

    def get(self, *, as_string: bool = True, **kwargs: Any) -> Any:
        value = super().get()
        if as_string and isinstance(value, (int, np.integer)) and 0 <= value < len(self._enum_strs):
            return self._enum_strs[value]
        if as_string and value is not None:
            return str(value)
        return value

    def _matches(
        self, current: Any, target: Any, atol: float | None = None, rtol: float | None = None
    ) -> bool:
        """Compare by index, so that set("poisson") and set(1) finish alike."""
        return bool(self._index(current) == self._index(target))

    def describe(self) -> dict[str, DataKey]:
        desc = super().describe()
        desc[self.name]["enum_strs"] = self._enum_strs  # type: ignore[typeddict-unknown-key]
        return desc


class SynSignal(Signal):
    """A signal whose trigger() sets its value to ``func()``; without ``func``, trigger() keeps the value.

    With ``exposure_time`` seconds the new value lands that long after trigger(), when the returned status
    finishes. ``precision`` goes into describe(). Without ``kind`` the signal is ``normal``, as in classic.
    """

    def __init__(
        self,
        func: Callable[[], Any] | None = None,
        *,
        name: str,
        exposure_time: float = 0,
        precision: int | None = 3,
        parent: Any = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
        **kwargs: Any,
    ) -> None:
        self._func: Callable[[], Any] = func if func is not None else self.get
        self.exposure_time = exposure_time
        initial = func() if func is not None else 0
        super().__init__(
            value=initial, timestamp=time.time(), name=name, parent=parent, labels=labels, kind=kind, **kwargs
        )
        self.precision = precision

    def _default_kind(self) -> Kind:
        return Kind.normal

    @property
    def precision(self) -> int | None:
        """Digits of precision reported by describe()."""
        return self._metadata.get("precision")

    @precision.setter
    def precision(self, value: int | None) -> None:
        self._metadata["precision"] = value

    def sim_set_func(self, func: Callable[[], Any]) -> None:
        """Make later triggers set the value to ``func()``."""
        self._func = func

    def trigger(self) -> DeviceStatus:
        """Set the value to ``func()`` (after ``exposure_time``); the status finishes when it is set."""
        status = DeviceStatus(self)
        if self.exposure_time:
            call_after(self.exposure_time, self._finish_trigger, status)
        else:
            self._finish_trigger(status)
        return status

    def _finish_trigger(self, status: DeviceStatus) -> None:
        try:
            self._take_value()
        except Exception as exc:
            status.set_exception(exc)
        else:
            status.set_finished()

    def _take_value(self) -> None:
        """What a trigger does once its exposure is over: set the value to ``func()``."""
        self._update(self._func())


class SynSignalRO(SynSignal):
    """A SynSignal users cannot write: put() and set() raise ReadOnlyError; trigger() still updates it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metadata["write_access"] = False

    def put(self, value: Any, **kwargs: Any) -> None:
        raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot put {value!r}")


class SynPeriodicSignal(SynSignal):
    """A SynSignal that also updates itself every ``period`` seconds (+/- Gaussian ``period_jitter``).

    The updates start with ``start_simulation()`` and stop with ``stop_simulation()`` or ``destroy()``; they
    run on the shared timer and dispatcher threads, and end by themselves once the signal is garbage.
    """

    def __init__(
        self,
        func: Callable[[], Any] | None = None,
        *,
        name: str,
        period: float = 1,
        period_jitter: float = 1,
        exposure_time: float = 0,
        parent: Any = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
        **kwargs: Any,
    ) -> None:
        self._period = period
        self._period_jitter = period_jitter
        self._sim_lock = threading.Lock()
        self._sim_timer: TimerHandle | None = None
        super().__init__(
            func if func is not None else np.random.rand,
            name=name,
            exposure_time=exposure_time,
            parent=parent,
            labels=labels,
            kind=kind,
            **kwargs,
        )

    @property
    def simulating(self) -> bool:
        """True between start_simulation() and stop_simulation()."""
        return self._sim_timer is not None

    def start_simulation(self) -> None:
        """Start the periodic updates (the first one at once); a second call does nothing."""
        with self._sim_lock:
            if self._sim_timer is None:
                self._sim_timer = call_after(0, _periodic_update, weakref.ref(self))

    def stop_simulation(self) -> None:
        """Stop the periodic updates; the value stays what it was last set to."""
        with self._sim_lock:
            timer, self._sim_timer = self._sim_timer, None
        if timer is not None:
            timer.cancel()

    def _next_period(self) -> float:
        return max(self._period + self._period_jitter * float(np.random.randn()), 0.0)

    def destroy(self) -> None:
        self.stop_simulation()
        super().destroy()


def _periodic_update(ref: weakref.ReferenceType[SynPeriodicSignal]) -> None:
    """One periodic update of a SynPeriodicSignal, which schedules the next; ends when the signal is gone."""
    signal = ref()
    if signal is None or not signal.simulating:
        return
    try:
        signal._update(signal._func())
    except Exception:
        logger.exception("Periodic update of %s failed", signal._describe_me())
    with signal._sim_lock:
        if signal._sim_timer is not None:  # not stopped meanwhile
            signal._sim_timer = call_after(signal._next_period(), _periodic_update, ref)


class InvariantSignal(SynSignal):
    """A SynSignal whose readings always carry timestamp 0 (for tests of de-duplication by timestamp)."""

    def read(self) -> dict[str, Reading[Any]]:
        return {name: {**reading, "timestamp": 0} for name, reading in super().read().items()}

    def __repr__(self) -> str:
        return "<INVARIANT REPR>"
