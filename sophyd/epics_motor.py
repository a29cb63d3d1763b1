"""EpicsMotor: a positioner over an EPICS motor record, movable from plans and from the command line.

A move ends when the record reports the motion done: a DMOV posting of 1 newer than the move's start. The
put-callback of ``.VAL`` is not enough on its own, because records differ: a real motor record answers it at
the end of the motion, caproto's example motor record at once, before it starts moving. DMOV postings are told
apart by their timestamps, so a fast motor whose DMOV goes 1 -> 0 -> 1 before the put returns (or whose two
updates reach us coalesced into one) still completes, and a stale posting from an earlier move never ends a
newer one. A move costs no reads beyond the put when the record's own monitor updates report it: a server sends
a record's updates in the order it posted them, so when DMOV = 1 arrives the readback, limit switches and
direction of travel it posted before are already in the monitor caches. A move fails, as in classic ophyd, at a
limit switch in the direction of travel, with a readback alarm above ``tolerated_alarm``, or when stopped with
``stop(success=False)``.
"""

from __future__ import annotations

import enum
import logging
import math
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._component import Component as Cpt
from ._dispatch import get_dispatcher
from ._epics_signal import EpicsSignal, EpicsSignalRO
from ._scheduler import call_later
from .alarm import AlarmSeverity
from .device import Device
from .errors import DisconnectedError, LimitError, MotionError
from .kind import Kind
from .positioner import _PendingMove, _ReportedMovePositioner, fresh_reading, fresh_readings
from .status import MoveStatus, Status, StatusBase, SubscriptionStatus

if TYPE_CHECKING:
    from bluesky.protocols import Hints

__all__ = ["EpicsMotor", "HomeEnum", "MotionError", "MotorBundle"]

logger = logging.getLogger("sophyd.motor")


class HomeEnum(str, enum.Enum):
    """The directions ``EpicsMotor.home()`` takes, as classic ophyd's enum (the plain strings work too)."""

    forward = "forward"
    reverse = "reverse"


class EpicsMotor(Device, _ReportedMovePositioner):
    """An EPICS motor record (``prefix`` is the record name, e.g. ``'sim:mtr1'``), as a positioner.

    ``set(position)`` returns a MoveStatus that finishes when the record reports the motion done.
    ``settle_time`` delays each move's success; ``timeout`` bounds each move (None: the estimated travel time
    plus ``move_timeout_margin``). ``move()`` waits by default, ``set()`` does not.
    """

    user_readback = Cpt(EpicsSignalRO, ".RBV", kind=Kind.hinted, auto_monitor=True)
    user_setpoint = Cpt(EpicsSignal, ".VAL", limits=True, put_complete=True, auto_monitor=True)
    user_offset = Cpt(EpicsSignal, ".OFF", kind=Kind.config)
    user_offset_dir = Cpt(EpicsSignal, ".DIR", kind=Kind.config)
    offset_freeze_switch = Cpt(EpicsSignal, ".FOFF", kind=Kind.omitted)
    set_use_switch = Cpt(EpicsSignal, ".SET", kind=Kind.omitted)
    velocity = Cpt(EpicsSignal, ".VELO", kind=Kind.config, auto_monitor=True)
    acceleration = Cpt(EpicsSignal, ".ACCL", kind=Kind.config, auto_monitor=True)
    motor_egu = Cpt(EpicsSignal, ".EGU", kind=Kind.config)
    motor_is_moving = Cpt(EpicsSignalRO, ".MOVN", kind=Kind.omitted, auto_monitor=True)
    motor_done_move = Cpt(EpicsSignalRO, ".DMOV", kind=Kind.omitted, auto_monitor=True)
    high_limit_switch = Cpt(EpicsSignalRO, ".HLS", kind=Kind.omitted, auto_monitor=True)
    low_limit_switch = Cpt(EpicsSignalRO, ".LLS", kind=Kind.omitted, auto_monitor=True)
    high_limit_travel = Cpt(EpicsSignal, ".HLM", kind=Kind.omitted, auto_monitor=True)
    low_limit_travel = Cpt(EpicsSignal, ".LLM", kind=Kind.omitted, auto_monitor=True)
    direction_of_travel = Cpt(EpicsSignalRO, ".TDIR", kind=Kind.omitted, auto_monitor=True)
    motor_stop = Cpt(EpicsSignal, ".STOP", kind=Kind.omitted)
    home_forward = Cpt(EpicsSignal, ".HOMF", kind=Kind.omitted)
    home_reverse = Cpt(EpicsSignal, ".HOMR", kind=Kind.omitted)
    dial_readback = Cpt(EpicsSignalRO, ".DRBV", kind=Kind.omitted, lazy=True)
    dial_setpoint = Cpt(EpicsSignal, ".DVAL", kind=Kind.omitted, lazy=True)
    raw_readback = Cpt(EpicsSignalRO, ".RRBV", kind=Kind.omitted, lazy=True)
    motor_resolution = Cpt(EpicsSignal, ".MRES", kind=Kind.omitted, lazy=True)
    precision_field = Cpt(EpicsSignalRO, ".PREC", kind=Kind.omitted, lazy=True)
    description = Cpt(EpicsSignal, ".DESC", kind=Kind.omitted, lazy=True)

    #: The highest readback alarm severity a move may end with and still succeed.
    tolerated_alarm: AlarmSeverity = AlarmSeverity.NO_ALARM
    #: Extra seconds allowed beyond the estimated move time, when no timeout is given.
    move_timeout_margin = 10.0
    #: Seconds to wait, after the record answered the put without reporting any motion, before taking that
    #: answer as the end of the move (a record that posts no DMOV for a move it need not make).
    motion_report_grace = 2.0
    #: Seconds a home search may take when no timeout is given.
    home_timeout = 60.0

    def __init__(
        self, prefix: str = "", *, settle_time: float = 0.0, timeout: float | None = None, **kwargs: Any
    ) -> None:
        self._move_lock = threading.RLock()
        self._move: _PendingMove | None = None
        self._dmov_ts: float | None = None
        # The DMOV = 1 timestamp that ended this object's last move, while no newer DMOV posting has arrived:
        # the motor is known to be at rest, and that timestamp is the next move's baseline without a read.
        self._rest_ts: float | None = None
        self._hints: Hints | None = None
        super().__init__(prefix, **kwargs)
        self.settle_time = settle_time
        self.timeout = timeout
        self.user_readback.name = self.name
        self.motor_done_move.subscribe(self._dmov_changed, run=False)
        declared = self._sig_attrs["user_readback"]._subscriptions
        if not any(getattr(f, "__name__", "") == "_pos_changed" for f in declared.get("value", [])):
            # the readback is followed whatever component a subclass put there; a subclass that declared
            # ``@user_readback.sub_value def _pos_changed`` (as classic needs after replacing the component)
            # is already subscribed by name, and is not subscribed twice
            self.user_readback.subscribe(self._pos_changed, run=False)

    def _set_name(self, value: str) -> None:
        super()._set_name(value)
        # The readback carries the motor's own name, so tables and plots show "x" and not "x_user_readback".
        if "user_readback" in self._signals:
            self.user_readback.name = value

    # -- what the motor is ---------------------------------------------------------------------------------
    @property
    def readback(self) -> EpicsSignalRO:
        """The signal MoveStatus.watch follows."""
        return self.user_readback

    @property
    def position(self) -> float:
        """The current user position (read fresh right after a move, until the monitor catches up)."""
        return float(self.user_readback.get())

    @property
    def egu(self) -> str:
        """Engineering units of the motor (``.EGU``)."""
        return str(self.motor_egu.get())

    @property
    def precision(self) -> int:
        """Display precision of the readback."""
        return self.user_readback.precision or 3

    @property
    def limits(self) -> tuple[float, float]:
        """(low, high) soft limits in user units (``.LLM``, ``.HLM``); equal values mean none."""
        return (float(self.low_limit_travel.get()), float(self.high_limit_travel.get()))

    @property
    def moving(self) -> bool:
        """Whether the motor is moving now (``.MOVN``, read fresh)."""
        return bool(self.motor_is_moving.get(use_monitor=False))

    @property
    def hints(self) -> Hints:
        """The names of the hinted components (the readback by default), unless set to something else.

        As classic's ``Device.hints``, the default follows the components' kinds, so making ``user_setpoint``
        hinted and ``user_readback`` normal hints the setpoint instead; setting None restores the default.
        """
        if self._hints is None:
            return Device.hints.fget(self)  # type: ignore[attr-defined]
        return self._hints

    @hints.setter
    def hints(self, value: Hints | None) -> None:
        self._hints = None if value is None else dict(value)  # type: ignore[assignment]

    @property
    def report(self) -> dict[str, Any]:
        """A summary for logs: position (or 'disconnected') and the readback PV."""
        try:
            report = super().report
        except DisconnectedError:
            report = {"position": "disconnected"}
        report["pv"] = self.user_readback.pvname
        return report

    def check_value(self, value: Any) -> None:
        """Raise before anything is sent: ValueError for a non-number, LimitError outside the soft limits."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{self._describe_me()}: cannot move to {value!r}")
        low, high = self.limits
        if low < high and not low <= value <= high:
            raise LimitError(f"{self._describe_me()}: position {value} is outside the limits [{low}, {high}]")

    def get_lim(self, flag: int) -> float | None:
        """The high soft limit (``flag > 0``), the low one (``flag < 0``), or None (``flag == 0``)."""
        if flag > 0:
            return float(self.high_limit_travel.get())
        if flag < 0:
            return float(self.low_limit_travel.get())
        return None

    def set_lim(self, low: float, high: float) -> None:
        """Set the soft limits to (min, max) of the two values, in the record (``.LLM``/``.HLM``).

        Raises (changing nothing) while the motor moves, or when its position would lie outside.
        """
        lo, hi = min(low, high), max(low, high)
        if self.moving:
            raise RuntimeError(f"{self._describe_me()}: cannot change the limits while the motor moves")
        position = self.position
        if not lo <= position <= hi:
            raise ValueError(
                f"{self._describe_me()}: position {position} would lie outside limits [{lo}, {hi}]"
            )
        self.high_limit_travel.put(hi, wait=True)
        self.low_limit_travel.put(lo, wait=True)

    # -- moving --------------------------------------------------------------------------------------------
    def move(  # type: ignore[override]
        self,
        position: float,
        wait: bool = True,
        moved_cb: Callable[..., Any] | None = None,
        timeout: float | None = None,
    ) -> MoveStatus:
        """Move to ``position``; with ``wait`` (the default) block until the move ends and raise if it failed.

        LimitError, or ValueError for a bad position or timeout, is raised before anything is sent.
        """
        if timeout is None and self._timeout is None:
            timeout = self._estimate_move_time(position) + self.move_timeout_margin
        return self._start_motion(
            position,
            lambda callback: self.user_setpoint.put(
                position, force=True, callback=callback, use_complete=True
            ),
            wait=wait,
            moved_cb=moved_cb,
            timeout=timeout,
        )

    def home(
        self, direction: str, wait: bool = True, timeout: float | None = None, **kwargs: Any
    ) -> MoveStatus:
        """Home towards ``'forward'`` (``.HOMF``) or ``'reverse'`` (``.HOMR``); ends when the record is done."""
        if direction not in ("forward", "reverse"):
            raise ValueError(
                f"{self._describe_me()}: home direction must be 'forward' or 'reverse', not {direction!r}"
            )
        signal = self.home_forward if direction == "forward" else self.home_reverse
        if timeout is None and self._timeout is None:
            timeout = self.home_timeout
        low, high = self.limits
        return self._start_motion(
            (low + high) / 2,  # the target is unknown: classic ophyd reports the middle of the limits
            lambda callback: signal.put(1, callback=callback, use_complete=True),
            wait=wait,
            timeout=timeout,
            **kwargs,
        )

    def _start_motion(
        self,
        position: float,
        send: Callable[[Callable[..., Any]], None],
        *,
        wait: bool,
        moved_cb: Callable[..., Any] | None = None,
        timeout: float | None = None,
    ) -> MoveStatus:
        """Make the move's status (checks first), then ``send(put_callback)`` the command that starts it."""
        move = self._begin_move(position, moved_cb, timeout)  # no DMOV update counts until the baseline
        status = move.status
        answer = Status(self)
        try:
            baseline = self._dmov_baseline()
            move.since = -math.inf if baseline is None else baseline
            send(answer._finished)
        except BaseException as exc:
            self._fail_move(move, exc)
            raise
        answer.add_callback(lambda st: self._put_answered(move, st))
        return self._wait_for_move(status, wait)

    def _dmov_baseline(self) -> float | None:
        """The newest DMOV timestamp: the DMOV = 1 that ended our last move if no newer posting has arrived
        since, else read fresh, because monitor updates may still be on their way (a caproto server answers a
        put before it sends the monitor updates the put caused) and a stale baseline would let an earlier
        posting end this move. (A move by another client whose DMOV postings have not reached us when this
        one is sent is not seen.)"""
        with self._move_lock:
            rest = self._rest_ts
        if rest is not None:
            dmov = self.motor_done_move
            cached = dmov._fetch(dmov._read_channel, None, True, None)  # updates whose callbacks have not run
            if cached.timestamp is not None and cached.timestamp <= rest:
                return rest
        self._read_dmov()
        return self._dmov_ts

    def _read_dmov(self) -> tuple[Any, float | None]:
        """(DMOV, its timestamp) read from the IOC, bypassing the monitor cache."""
        value, timestamp = fresh_reading(self.motor_done_move)
        self._note_dmov(timestamp)
        return value, timestamp

    def _note_dmov(self, timestamp: float | None) -> None:
        with self._move_lock:
            if timestamp is not None and (self._dmov_ts is None or timestamp > self._dmov_ts):
                self._dmov_ts = timestamp
                self._rest_ts = None  # a posting after our last move ended: read the baseline next time

    def stop(self, *, success: bool = False) -> None:
        """Stop the motor (``.STOP``) and end the pending move: a success with ``success=True`` (a pause)."""
        try:
            self.motor_stop.put(1)
        finally:
            with self._move_lock:
                self._rest_ts = None  # the motor may still move: read the next baseline
            _ReportedMovePositioner.stop(self, success=success)

    def _estimate_move_time(self, target: float) -> float:
        try:
            velocity = abs(float(self.velocity.get())) or 1.0
            accel = max(float(self.acceleration.get()), 0.0)
            distance = abs(target - self.position)
        except Exception:
            return 60.0
        return distance / velocity + 2 * accel

    # -- what the record reports ---------------------------------------------------------------------------
    def _pos_changed(self, value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
        """A readback update: the new position, for SUB_READBACK subscribers.

        Classic's name for this hook: a subclass may override it (it is looked up by name) and call
        ``super()._pos_changed(...)``."""
        if value is not None:
            self._set_position(value, timestamp=timestamp)

    def _dmov_changed(self, value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
        """A DMOV update: motion started (0) or ended (1)."""
        if value is None:
            return
        self._note_dmov(timestamp)
        was_moving, self._moving = self._moving, value != 1
        move = self._move
        if move is None or not move.is_news(timestamp):
            if self._moving and not was_moving:  # someone else moves the motor
                self._run_subs(sub_type=self.SUB_START, timestamp=timestamp, value=value)
            elif was_moving and not self._moving:
                self._run_subs(sub_type=self.SUB_DONE, timestamp=timestamp, value=value)
            return
        if self._moving:
            self._motion_started(move, timestamp)
        else:
            self._motion_ended(move, timestamp, reported=True)

    def _motion_started(self, move: _PendingMove, timestamp: float | None) -> None:
        with self._move_lock:
            if move.started or move.ended:
                return
            move.started = self._started_moving = True
        self._run_subs(sub_type=self.SUB_START, timestamp=timestamp, value=0)

    def _put_answered(self, move: _PendingMove, answer: StatusBase) -> None:
        """The record answered the move's put: failed, at the end of motion, or at once (before motion)."""
        exc = answer.exception(0)
        if exc is not None and not isinstance(exc, TimeoutError):  # no answer in time is left to DMOV
            self._fail_move(move, exc)
            return
        if not move.ended:
            self._check_motion(move, allow_no_report=False)

    def _check_motion(self, move: _PendingMove, *, allow_no_report: bool) -> None:
        """Read DMOV fresh: end the move if the record reported it done since it was sent.

        If the record has reported nothing yet, look again after ``motion_report_grace`` seconds; with
        ``allow_no_report`` (that second look) take the record's answer as the end of a move it did not make.
        """
        try:
            done, timestamp = self._read_dmov()
        except Exception as exc:
            self._fail_move(move, exc)
            return
        if move.is_news(timestamp):
            if done == 1:
                self._motion_ended(move, timestamp, reported=False)
            else:
                self._motion_started(move, timestamp)
        elif allow_no_report:
            if not move.started:
                self._motion_ended(move, None, reported=False)
        elif not move.started:
            control = get_dispatcher("control")
            call_later(self.motion_report_grace, control.submit, self._check_motion_later, move)

    def _check_motion_later(self, move: _PendingMove) -> None:
        if not move.ended and not move.started:
            self._check_motion(move, allow_no_report=True)

    def _motion_ended(self, move: _PendingMove, timestamp: float | None, *, reported: bool) -> None:
        """The record reports the move done (DMOV = 1 at ``timestamp``; ``reported``: by its monitor update,
        not by a read): judge it (limit switch, alarm) and complete its status."""
        self._end_move_once(move, lambda: self._finish_motion(move, timestamp, reported))

    def _finish_motion(self, move: _PendingMove, timestamp: float | None, reported: bool) -> None:
        self._moving = False
        success, reason = self._judge_motion(move.target if reported else None)
        if reported:  # VAL was posted when the record took the move, before this DMOV = 1
            self.user_setpoint.confirm_cache()
        if timestamp is not None and timestamp == self._dmov_ts:
            self._rest_ts = timestamp
        # SUB_DONE carries the done flag's value (DMOV = 1), as classic ophyd's; the position is in readback
        self._done_moving(success=success, value=1, reason=reason)

    def _end_state(self, target: Any) -> tuple[Any, AlarmSeverity, bool, bool]:
        """(readback, its severity, direction of travel toward high, at the limit switch that way).

        With a ``target`` (the end was reported by DMOV's monitor update), from the monitor caches, which hold
        what the record posted before DMOV = 1, when the cached readback is within the readback's precision of
        the target; otherwise read fresh, in one batch, and the readback's cache is marked stale so that reads
        go to the IOC until its monitor update catches up.
        """
        rbv, tdir, hls, lls = (
            self.user_readback,
            self.direction_of_travel,
            self.high_limit_switch,
            self.low_limit_switch,
        )
        if target is not None:
            position = rbv.get()
            precision = rbv.precision
            tolerance = 10.0 ** -(precision if precision is not None and precision >= 0 else 3)
            if abs(position - target) <= tolerance:
                toward_high = bool(tdir.get())
                return (
                    position,
                    AlarmSeverity(rbv.alarm_severity),
                    toward_high,
                    bool((hls if toward_high else lls).get()),
                )
        rbv.invalidate_cache()  # the final position, even before its monitor update arrives
        readings = fresh_readings([rbv, tdir, hls, lls])
        position, severity = readings[0].value, AlarmSeverity(readings[0].severity)
        toward_high = bool(readings[1].value)
        return position, severity, toward_high, bool(readings[2 if toward_high else 3].value)

    def _judge_motion(self, target: Any) -> tuple[bool, str]:
        """(success, why not) at the end of motion (``target``: see ``_end_state``)."""
        try:
            position, severity, toward_high, at_switch = self._end_state(target)
        except Exception as exc:
            return False, f"the motor's state could not be read after the move ({exc})"
        if at_switch:
            side = "high" if toward_high else "low"
            return False, f"stopped at the {side} limit switch at position {position}"
        if severity > self.tolerated_alarm:
            return False, f"ended in alarm ({severity.name} > tolerated {self.tolerated_alarm.name})"
        if severity != AlarmSeverity.NO_ALARM:
            logger.warning(
                "%s ended a move with its readback in alarm %s", self._describe_me(), severity.name
            )
        return True, ""

    # -- other commands ------------------------------------------------------------------------------------
    def locate(self) -> dict[str, float]:
        """``{'setpoint': ..., 'readback': ...}`` for bluesky's Locatable protocol."""
        return {"setpoint": float(self.user_setpoint.get()), "readback": self.position}

    def set_current_position(self, position: float) -> None:
        """Calibrate: make the current position read ``position`` by changing the offset, not moving."""
        self.set_use_switch.put(1, wait=True)
        try:
            self.user_setpoint.put(position, wait=True, force=True)
        finally:
            self.set_use_switch.put(0, wait=True)
        tolerance = 10.0 ** (-self.precision) * 2
        SubscriptionStatus(
            self.user_readback, lambda value=None, **kw: abs(value - position) <= tolerance, timeout=10.0
        ).wait()

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from Device._repr_info(self)
        yield ("settle_time", self._settle_time)
        yield ("timeout", self._timeout)


class MotorBundle(Device):
    """A device grouping motors: its hints are its motors' hints, its configuration is theirs.

    Subclass it with EpicsMotor (or other positioner) components, e.g. the axes of a stage.
    """

    def __init__(self, *args: Any, configuration_attrs: list[str] | None = None, **kwargs: Any) -> None:
        self._hints: Hints | None = None
        if configuration_attrs is None:
            configuration_attrs = list(self.component_names)
        super().__init__(*args, configuration_attrs=configuration_attrs, **kwargs)

    @property
    def hints(self) -> Hints:
        """The hints of every component, unless set to something else (None restores the default)."""
        if self._hints is None:
            return {
                "fields": [f for attr in self.component_names for f in getattr(self, attr).hints["fields"]]
            }
        return self._hints

    @hints.setter
    def hints(self, value: Hints | None) -> None:
        self._hints = None if value is None else dict(value)  # type: ignore[assignment]
