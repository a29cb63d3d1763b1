"""SynAxis: a synthetic one-dimensional axis (a motor, a temperature) that moves in simulated time.

A move with ``delay`` seconds and ``events_per_move`` steps updates the readback at evenly spaced times on
sophyd's shared timer thread (the updates themselves run on the ``control`` dispatcher); no move starts a thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from .._component import Component as Cpt
from .._scheduler import TimerHandle
from .._signal import SetSupersededError, Signal
from ..device import Device
from ..errors import OpException, ReadOnlyError
from ..kind import Kind
from ..status import DeviceStatus, MoveStatus, Status
from .synthetic import call_after

if TYPE_CHECKING:
    from bluesky.protocols import Hints
    from event_model.documents.event_descriptor import DataKey

__all__ = ["SynAxis", "SynAxisEmptyHints", "SynAxisNoHints", "SynAxisNoPosition"]


class _AxisStateSignal(Signal):
    """A component of SynAxis whose value and timestamp live in the axis' ``sim_state``."""

    _state_key: ClassVar[str]

    @property
    def _axis(self) -> SynAxis:
        return cast("SynAxis", self.parent)

    def get(self, **kwargs: Any) -> Any:
        return self._axis.sim_state[self._state_key]

    @property
    def timestamp(self) -> float:
        return float(self._axis.sim_state[f"{self._state_key}_ts"])

    def describe(self) -> dict[str, DataKey]:
        desc = super().describe()
        desc[self.name]["precision"] = self._axis.precision
        return desc


class _ReadbackSignal(_AxisStateSignal):
    """Where the axis is; only the axis changes it."""

    _state_key = "readback"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metadata["write_access"] = False

    def put(self, value: Any, **kwargs: Any) -> None:
        raise ReadOnlyError(f"{self._describe_me()} is read-only; move the axis with set() instead")


class _SetpointSignal(_AxisStateSignal):
    """Where the axis was last told to go; writing it moves the axis."""

    _state_key = "setpoint"

    def put(self, value: Any, **kwargs: Any) -> None:
        self._axis.set(value)

    def _start_set(self, value: Any, status: Status) -> None:
        self._axis.set(value).add_callback(status._mirror)


class _Move:
    """One move in progress: its status, its remaining steps and the timer of the next one."""

    def __init__(self, status: DeviceStatus, start: float, target: float, steps: int, delay: float) -> None:
        self.status = status
        self.start = start
        self.target = target
        self.steps = steps
        self.delay = delay
        self.t0 = time.monotonic()
        self.timer: TimerHandle | None = None
        self.cancelled = False

    def position(self, step: int) -> float:
        """Position after step ``step`` (1-based) of the move."""
        return self.start + (self.target - self.start) * step / self.steps

    def due_in(self, step: int) -> float:
        """Seconds from now until step ``step`` is due (steps are evenly spread over ``delay``)."""
        return self.t0 + self.delay * step / self.steps - time.monotonic()


class SynAxis(Device):
    """A synthetic settable axis: set(x) moves it to x, over ``delay`` seconds in ``events_per_move`` steps.

    ``readback`` (named after the device, hinted) follows the motion through ``readback_func`` (add noise or an
    offset with it); ``setpoint`` is the last target. set() returns a MoveStatus whose ``watch()`` reports every
    step, for progress bars. A new set() during a move takes over from where the axis is; the old move's status
    fails with SetSupersededError. ``stop()`` ends a move where the axis is.
    """

    readback = Cpt(_ReadbackSignal, value=0, kind=Kind.hinted)
    setpoint = Cpt(_SetpointSignal, value=0, kind=Kind.normal)
    velocity = Cpt(Signal, value=1, kind=Kind.config)
    acceleration = Cpt(Signal, value=1, kind=Kind.config)
    unused = Cpt(Signal, value=1, kind=Kind.omitted)

    SUB_READBACK = "readback"
    _default_sub = SUB_READBACK
    _event_types = (*Device._event_types, SUB_READBACK)

    def __init__(
        self,
        *,
        name: str,
        readback_func: Callable[[float], Any] | None = None,
        value: float = 0,
        delay: float = 0,
        precision: int = 3,
        parent: Device | None = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
        events_per_move: int = 1,
        egu: str = "mm",
        **kwargs: Any,
    ) -> None:
        if events_per_move < 1:
            raise ValueError(f"SynAxis {name!r}: events_per_move must be at least 1, not {events_per_move}")
        self._readback_func: Callable[[float], Any] = readback_func or (lambda x: x)
        self.delay = delay
        self.precision = precision
        self.egu = egu
        self._events_per_move = events_per_move
        self._move_lock = threading.Lock()
        self._move: _Move | None = None
        self._position = value  # where the axis is, before readback_func
        now = time.time()
        self.sim_state: dict[str, Any] = {
            "setpoint": value,
            "setpoint_ts": now,
            "readback": self._readback_func(value),
            "readback_ts": now,
        }
        super().__init__(name=name, parent=parent, labels=labels, kind=kind, **kwargs)
        self.readback.name = self.name
        # Remember the initial values, so that subscribe(run=True) and MoveStatus.watch() start from them.
        for signal in (self.readback, self.setpoint):
            signal._run_subs(
                sub_type=signal.SUB_VALUE, old_value=None, value=signal.get(), timestamp=signal.timestamp
            )

    @property
    def position(self) -> Any:
        """The readback value."""
        return self.readback.get()

    def _make_status(self, target: float, start: float) -> DeviceStatus:
        return MoveStatus(self, target, start_value=start)

    def set(self, value: float) -> DeviceStatus:
        """Move to ``value``; the status finishes when the last step has updated the readback."""
        try:
            target = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{self._describe_me()}: cannot move to {value!r}, which is not a number"
            ) from None
        with self._move_lock:
            previous = self._move
            if previous is not None:
                previous.cancelled = True
                if previous.timer is not None:
                    previous.timer.cancel()
            start = self._position
            status = self._make_status(target, start)
            move = _Move(status, start, target, self._events_per_move, self.delay)
            self._move = move
        if previous is not None:
            previous.status._abandon(
                SetSupersededError(f"move of {self._describe_me()} superseded by set({value!r})")
            )
        old_setpoint = self.sim_state["setpoint"]
        self.sim_state.update(setpoint=value, setpoint_ts=time.time())
        self.setpoint._run_subs(
            sub_type=self.setpoint.SUB_VALUE,
            old_value=old_setpoint,
            value=value,
            timestamp=self.sim_state["setpoint_ts"],
        )
        if move.delay:
            self._schedule(move, 1)
        else:
            for step in range(1, move.steps + 1):
                self._step(move, step)
        return status

    def _schedule(self, move: _Move, step: int) -> None:
        with self._move_lock:
            if not move.cancelled:
                move.timer = call_after(move.due_in(step), self._step, move, step)

    def _step(self, move: _Move, step: int) -> None:
        """Take step ``step`` of ``move``: update the readback, then schedule the next step or finish."""
        with self._move_lock:
            if move.cancelled:
                return  # a newer move or stop() took over; it must not see this step's position
            last = step == move.steps
            if last:
                self._move = None
            old, value, ts = self._set_position(move.position(step))
        self._announce_readback(old, value, ts)
        if last:
            move.status.set_finished()
        elif move.delay:
            self._schedule(move, step + 1)

    def _set_position(self, position: float) -> tuple[Any, Any, float]:
        """Put the axis at ``position``; return the old and new readback values and the new timestamp."""
        old = self.sim_state["readback"]
        value = self._readback_func(position)
        ts = time.time()
        self._position = position
        self.sim_state.update(readback=value, readback_ts=ts)
        return old, value, ts

    def _announce_readback(self, old: Any, value: Any, ts: float) -> None:
        self.readback._run_subs(sub_type=self.readback.SUB_VALUE, old_value=old, value=value, timestamp=ts)
        self._run_subs(sub_type=self.SUB_READBACK, old_value=old, value=value, timestamp=ts)

    def stop(self, *, success: bool = False) -> None:
        """End the move in progress where the axis is now; its status fails unless ``success`` is True."""
        with self._move_lock:
            move, self._move = self._move, None
            if move is not None:
                move.cancelled = True
                if move.timer is not None:
                    move.timer.cancel()
        if move is None:
            return
        if success:
            move.status.set_finished()
        else:
            move.status._abandon(OpException(f"{self._describe_me()} was stopped at {self._position!r}"))

    def destroy(self) -> None:
        """Stop a move in progress (its status fails), then release the components."""
        self.stop()
        super().destroy()


class SynAxisEmptyHints(SynAxis):
    """A SynAxis whose hints are empty."""

    @property
    def hints(self) -> Hints:
        return {}


class SynAxisNoHints(SynAxis):
    """A SynAxis without hints: its readback is omitted from read(), and ``hints`` raises AttributeError."""

    readback = Cpt(_ReadbackSignal, value=0, kind=Kind.omitted)

    @property
    def hints(self) -> Hints:
        raise AttributeError(f"{self._describe_me()} has no hints")


class SynAxisNoPosition(SynAxis):
    """A SynAxis without ``position`` whose moves return a plain DeviceStatus (no progress)."""

    def _make_status(self, target: float, start: float) -> DeviceStatus:
        return DeviceStatus(self)

    @property
    def position(self) -> Any:
        raise AttributeError(f"{self._describe_me()} has no position")
