"""PositionerBase and SoftPositioner: the classic ophyd positioner API every movable device shares.

A positioner moves to a position and reports the move through a MoveStatus: ``move()`` checks the target
(``check_value`` raises before anything is sent), fails a move still pending, and returns a status that the
subclass completes through ``_done_moving(success=...)``. ``stop(success=True)`` ends the pending move as a
success, which is what bluesky asks for when it pauses a plan. Timeouts and settle times run on sophyd's shared
scheduler, never on a thread per move.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._datakeys import data_key
from .alarm import AlarmSeverity
from .control import PVReading
from .errors import LimitError, MotionError
from .kind import Kind
from .ophydobj import OphydObject
from .status import MoveStatus

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["PositionerBase", "SoftPositioner"]


def check_timeout(owner: OphydObject, timeout: Any, what: str = "timeout") -> float | None:
    """``timeout`` as a float (or None for no timeout); ValueError naming ``owner`` unless positive and finite.

    A zero or negative timeout could only fail the operation after it had been sent, so it is refused first.
    """
    if timeout is None:
        return None
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner._describe_me()}: {what} must be a number of seconds, not {timeout!r}"
        ) from None
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(
            f"{owner._describe_me()}: {what} must be a positive number of seconds (or None), not {timeout!r}"
        )
    return value


def fresh_reading(signal: Any) -> tuple[Any, float | None]:
    """(value, timestamp) of ``signal`` read from its source now (an EPICS PV bypassing the monitor cache),
    both from the same reading."""
    fetch = getattr(signal, "_fetch", None)
    if fetch is not None:
        reading = fetch(signal._read_channel, None, False, None)
        return reading.value, reading.timestamp
    return signal.get(), signal.timestamp


def fresh_readings(signals: list[Any]) -> list[Any]:
    """Readings (``.value``, ``.timestamp``, ``.severity``) of ``signals`` read from their sources now.

    The EPICS signals among them are read from the IOC, bypassing monitor caches, in one concurrent batch per
    control layer (one round trip instead of one each); any other signal (a soft ``Signal`` that a subclass put
    in place of a PV component, as classic ophyd allows) is read with ``get()``.
    """
    readings: list[Any] = [None] * len(signals)
    batches: dict[int, list[int]] = {}
    for index, signal in enumerate(signals):
        if getattr(signal, "_fetch", None) is None:
            severity = getattr(signal, "alarm_severity", AlarmSeverity.NO_ALARM)
            readings[index] = PVReading(signal.get(), signal.timestamp, severity=int(severity))
            continue
        signal._ensure_connected(signal._read_channel)
        batches.setdefault(id(signal._backend), []).append(index)
    for indices in batches.values():
        batch = [signals[i] for i in indices]
        values = batch[0]._backend.get_many(
            [signal._read_channel for signal in batch],
            as_string=[False] * len(batch),
            timeout=max(signal.timeout for signal in batch),
            use_monitor=False,
        )
        for index, reading in zip(indices, values, strict=True):
            readings[index] = reading
    return readings


class _PendingMove:
    """One requested move of a positioner driven by a done flag, and what the device reported about it so far.

    Updates of the done flag are told apart by timestamp: one not newer than ``since`` (the flag's timestamp when
    the move was sent) belongs to an earlier move.
    """

    __slots__ = ("armed", "ended", "since", "started", "status", "target")

    def __init__(self, status: MoveStatus, since: float) -> None:
        self.status = status
        self.target = status.target
        self.since = since
        self.started = False  # the device reported motion for this move
        self.armed = False  # the device has taken the request: a done report from now on can end the move
        self.ended = False

    def is_news(self, timestamp: float | None) -> bool:
        """Whether an update with ``timestamp`` was made after this move was sent."""
        return timestamp is None or timestamp > self.since


class PositionerBase(OphydObject):
    """The base of every positioner: subscriptions, the move/stop protocol, limits, settle time and timeout.

    Subclasses implement the motion: they extend ``move()`` (adding a ``wait`` argument) to start it after
    ``super().move()`` has made the status, and call ``_done_moving(success=...)`` when it ends.
    ``settle_time`` delays the success of every move; ``timeout`` (None: none) fails a move that takes longer.
    """

    SUB_START = "start_moving"
    SUB_DONE = "done_moving"
    SUB_READBACK = "readback"
    _SUB_REQ_DONE = "_req_done"  # the pending move's status listens here
    _default_sub = SUB_READBACK

    def __init__(
        self,
        *,
        name: str | None = None,
        parent: Any = None,
        settle_time: float = 0.0,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name or "", parent=parent, **kwargs)
        self._started_moving = False
        self._moving = False
        self._position: Any = None
        self._settle_time = 0.0
        self._timeout: float | None = None
        self.settle_time = settle_time
        self.timeout = timeout

    # -- settings -----------------------------------------------------------------------------------------
    @property
    def settle_time(self) -> float:
        """Seconds to wait after each move before its status reports success."""
        return self._settle_time

    @settle_time.setter
    def settle_time(self, settle_time: float | None) -> None:
        value = float(settle_time or 0.0)
        if not (value >= 0 and math.isfinite(value)):
            raise ValueError(f"{self._describe_me()}: settle_time must be >= 0 seconds, not {settle_time!r}")
        self._settle_time = value

    @property
    def timeout(self) -> float | None:
        """Default seconds a move may take before its status fails (None: no limit)."""
        return self._timeout

    @timeout.setter
    def timeout(self, timeout: float | None) -> None:
        self._timeout = check_timeout(self, timeout)

    # -- what a positioner knows --------------------------------------------------------------------------
    @property
    def egu(self) -> str:
        """The engineering units of positions."""
        raise NotImplementedError(f"{type(self).__name__} must implement egu")

    @property
    def limits(self) -> tuple[Any, Any]:
        """(low, high) soft limits; equal values mean no limits."""
        return (0, 0)

    @property
    def low_limit(self) -> Any:
        return self.limits[0]

    @property
    def high_limit(self) -> Any:
        return self.limits[1]

    @property
    def position(self) -> Any:
        """The current position, in engineering units."""
        return self._position

    @property
    def moving(self) -> bool:
        """True while a move is under way."""
        return self._moving

    def check_value(self, value: Any) -> None:
        """Raise (LimitError outside the limits) for a position this positioner cannot move to.

        Called by ``move()`` before anything is sent; a subclass with more rules extends it.
        """
        low, high = self.limits
        try:
            outside = low < high and not (low <= value <= high)
        except TypeError:
            return
        if outside:
            raise LimitError(
                f"{self._describe_me()}: position {value!r} is outside the limits [{low}, {high}]"
            )

    @property
    def hints(self) -> Hints:
        """``{'fields': [name]}`` when this positioner is hinted, else no fields."""
        if self.kind & Kind.hinted & ~Kind.normal:
            return {"fields": [self.name]}
        return {"fields": []}

    @property
    def report(self) -> dict[str, Any]:
        """A summary for logs: the current position."""
        report = dict(getattr(super(), "report", {}))
        report["position"] = self.position
        return report

    # -- moving -------------------------------------------------------------------------------------------
    def move(
        self,
        position: Any,
        moved_cb: Callable[..., Any] | None = None,
        timeout: float | None = None,
        *,
        wait: bool = False,
    ) -> MoveStatus:
        """Prepare a move to ``position`` and return its MoveStatus (subclasses then start the motion).

        Raises before anything is sent: LimitError (or ValueError) for a bad position, ValueError for a
        timeout that is not positive. A move still pending fails with MotionError. ``moved_cb(status, obj=)``
        runs when the move ends; ``timeout`` defaults to the positioner's ``timeout``. With ``wait``, block
        until ``_done_moving`` ends the move (subclasses that start motion themselves default to waiting).
        """
        timeout = self._timeout if timeout is None else check_timeout(self, timeout)
        self.check_value(position)
        self._end_request(success=False, reason=f"superseded by a move to {position!r}")
        status = MoveStatus(self, position, timeout=timeout, settle_time=self._settle_time)
        if moved_cb is not None:
            status.add_callback(functools.partial(moved_cb, obj=self))
        self.subscribe(
            functools.partial(self._request_done, status), event_type=self._SUB_REQ_DONE, run=False
        )
        return status

    def set(
        self,
        new_position: Any,
        *,
        timeout: float | None = None,
        moved_cb: Callable[..., Any] | None = None,
        wait: bool = False,
    ) -> MoveStatus:
        """Start a move to ``new_position`` and return its MoveStatus (bluesky's Movable protocol)."""
        return self.move(new_position, wait=wait, moved_cb=moved_cb, timeout=timeout)

    def stop(self, *, success: bool = False) -> None:
        """End the pending move: as a success with ``success=True`` (a pause), else as a MotionError.

        Subclasses extend this to stop the hardware, then call ``super().stop(success=success)``.
        """
        self._done_moving(success=success, reason="stopped")

    def _done_moving(
        self, success: bool = True, timestamp: float | None = None, value: Any = None, **kwargs: Any
    ) -> None:
        """Motion has ended: run SUB_DONE (on success), then complete the pending move's status."""
        if timestamp is None:
            timestamp = time.time()
        if success:
            self._run_subs(sub_type=self.SUB_DONE, timestamp=timestamp, value=value)
        self._end_request(success=success, timestamp=timestamp, **kwargs)

    def _end_request(self, success: bool, timestamp: float | None = None, **kwargs: Any) -> None:
        """Complete the pending move's status (its _SUB_REQ_DONE subscription), once."""
        if timestamp is None:
            timestamp = time.time()
        with self._subs_lock:
            waiting = list(self._callbacks[self._SUB_REQ_DONE].values())
            self._reset_sub(self._SUB_REQ_DONE)
        for callback in waiting:
            self._call_one(
                callback,
                (),
                dict(kwargs, success=success, timestamp=timestamp, sub_type=self._SUB_REQ_DONE, obj=self),
            )

    def _request_done(
        self,
        status: MoveStatus,
        success: bool = True,
        reason: str = "",
        exception: BaseException | None = None,
        **kwargs: Any,
    ) -> None:
        """Complete ``status`` as ``_done_moving`` reported the move (a _SUB_REQ_DONE callback).

        A failure fails it with ``exception`` when given, else with a MotionError saying ``reason``.
        """
        if success:
            status._finish_if_pending()  # a timeout or a concurrent _done_moving may have completed it
            return
        if exception is None:
            why = reason or "motion failed"
            exception = MotionError(
                f"{self._describe_me()}: the move to {status.target!r} did not complete: {why}"
            )
        status._abandon(exception)

    def _set_position(self, value: Any, **kwargs: Any) -> None:
        """Record a new current position and run the SUB_READBACK subscriptions with it."""
        self._position = value
        timestamp = kwargs.pop("timestamp", None)
        self._run_subs(
            sub_type=self.SUB_READBACK,
            timestamp=time.time() if timestamp is None else timestamp,
            value=value,
            **kwargs,
        )

    # -- copy and repr ------------------------------------------------------------------------------------
    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        """(keyword, value) pairs that rebuild this positioner: its repr and ``copy.copy`` use them."""
        parent_info = getattr(super(), "_repr_info", None)
        if parent_info is not None:
            yield from parent_info()
        else:
            yield ("name", self.name)
        yield ("settle_time", self._settle_time)
        yield ("timeout", self._timeout)

    def __copy__(self) -> PositionerBase:
        info = dict(self._repr_info())
        info.pop("parent", None)  # the repr names the parent; a copy stands alone
        return type(self)(**info)

    def __repr__(self) -> str:
        info = ", ".join(f"{key}={value!r}" for key, value in self._repr_info())
        return f"{type(self).__name__}({info})"

    def _wait_for_move(self, status: MoveStatus, wait: bool) -> MoveStatus:
        """With ``wait``, block until the move ends (raising if it failed); Ctrl-C there stops the device."""
        if wait:
            try:
                status.wait()
            except KeyboardInterrupt:
                self.stop()
                raise
        return status


class _ReportedMovePositioner(PositionerBase):
    """A positioner whose moves end when the device reports them over (a done flag, a put completion).

    Reports arrive by several paths (monitor updates, put answers, fresh reads, stop()), each on its own
    thread; the pending move (``_move``, guarded by ``_move_lock``) is ended by whichever comes first, once.
    Subclasses set ``_move_lock = threading.RLock()`` and ``_move = None`` before their components exist.
    """

    _move_lock: threading.RLock
    _move: _PendingMove | None

    def _begin_move(
        self, position: Any, moved_cb: Callable[..., Any] | None, timeout: float | None
    ) -> _PendingMove:
        """Make the move's status (``PositionerBase.move``: checks, supersedes the pending move) and make it
        the pending move. No report counts for it until the caller sets its ``since`` from a baseline."""
        with self._move_lock:
            status = PositionerBase.move(self, position, moved_cb=moved_cb, timeout=timeout)
            move = self._move = _PendingMove(status, math.inf)
            self._started_moving = False
        return move

    def _end_move_once(self, move: _PendingMove, finish: Callable[[], None]) -> None:
        """If ``move`` is still the pending move and not ended, end it and run ``finish()`` (under the lock,
        so no other report can end it meanwhile); otherwise do nothing."""
        with self._move_lock:
            if move.ended or self._move is not move:
                return
            move.ended = True
            self._move = None
            finish()

    def _fail_move(self, move: _PendingMove, exc: BaseException) -> None:
        """End ``move`` (if still pending) as failed with ``exc``."""
        self._end_move_once(move, functools.partial(self._end_request, success=False, exception=exc))

    def stop(self, *, success: bool = False) -> None:
        """End the pending move as stopped: a success with ``success=True`` (a pause), else a MotionError.

        Subclasses stop the hardware first, then call this.
        """
        with self._move_lock:
            if self._move is not None:
                self._move.ended = True
                self._move = None
            PositionerBase.stop(self, success=success)


class SoftPositioner(PositionerBase):
    """A positioner without hardware: it reaches any target within its limits at once.

    For computed axes, tests and simulations. ``limits=(low, high)`` (None or equal values: none), ``egu``
    its units, ``source`` the data key's source, ``init_pos`` a starting position (else None).
    """

    def __init__(
        self,
        *,
        egu: str = "",
        limits: tuple[Any, Any] | None = None,
        source: str = "computed",
        init_pos: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._egu = egu
        self._limits = tuple(limits) if limits is not None else (0, 0)
        if len(self._limits) != 2:
            raise ValueError(f"{self._describe_me()}: limits must be (low, high), not {limits!r}")
        self.source = source
        if init_pos is not None:
            self.set(init_pos)

    @property
    def limits(self) -> tuple[Any, Any]:
        return self._limits

    @property
    def egu(self) -> str:
        return self._egu

    def _setup_move(self, position: Any, status: MoveStatus) -> None:
        """Carry out the move ``status`` tracks; here at once. Subclasses override this, not ``move()``."""
        self._run_subs(sub_type=self.SUB_START, timestamp=time.time())
        self._started_moving = True
        self._moving = False
        self._set_position(position)
        self._done_moving()

    def move(  # type: ignore[override]
        self,
        position: Any,
        wait: bool = True,
        timeout: float | None = None,
        moved_cb: Callable[..., Any] | None = None,
    ) -> MoveStatus:
        """Move to ``position``; with ``wait`` (the default) block until done and raise if the move failed."""
        status = super().move(
            position, moved_cb=moved_cb, timeout=timeout
        )  # without waiting: nothing moves yet
        self._setup_move(position, status)
        if wait:
            status.wait()
        return status

    def read(self) -> OrderedDict[str, Reading[Any]]:
        """``{name: {'value': position, 'timestamp': now}}``."""
        return OrderedDict([(self.name, {"value": self.position, "timestamp": time.time()})])

    def describe(self) -> OrderedDict[str, DataKey]:
        """The data key of read(): source, dtype, shape, units and the limits as control limits."""
        key: dict[str, Any] = dict(data_key(self.position, source=str(self.source), name=self.name))
        key["units"] = self.egu
        key["lower_ctrl_limit"], key["upper_ctrl_limit"] = self.low_limit, self.high_limit
        return OrderedDict([(self.name, key)])  # type: ignore[list-item]

    def read_configuration(self) -> OrderedDict[str, Reading[Any]]:
        return OrderedDict()

    def describe_configuration(self) -> OrderedDict[str, DataKey]:
        return OrderedDict()

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("egu", self._egu)
        yield ("limits", self._limits)
        yield ("source", self.source)
