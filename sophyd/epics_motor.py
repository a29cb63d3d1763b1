"""EpicsMotor: a Device over an EPICS motor record, movable from plans and from the command line.

A move is one put to ``.VAL`` with put-completion: the motor record answers it when motion is over, so a
fast motor that finishes before the put round trip returns (DMOV 1->0->1 unseen) still completes its
status, and every move has a timeout.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from ._component import Component as Cpt
from ._epics_signal import EpicsSignal, EpicsSignalRO
from .device import Device
from .errors import LimitError, OpException
from .kind import Kind
from .status import MoveStatus, StatusBase, SubscriptionStatus

__all__ = ["EpicsMotor", "MotionError"]

logger = logging.getLogger("sophyd.motor")


class MotionError(OpException):
    """A move ended away from its target: stopped, or a limit switch was hit."""


class EpicsMotor(Device):
    """An EPICS motor record (``prefix`` is the record name, e.g. ``'sim:mtr1'``).

    ``set(position)`` returns a MoveStatus that finishes when the record reports the move done, and fails
    with MotionError when the move ended short of the target (stopped, or at a limit switch).
    """

    user_readback = Cpt(EpicsSignalRO, ".RBV", kind=Kind.hinted, auto_monitor=True)
    user_setpoint = Cpt(EpicsSignal, ".VAL", limits=True, put_complete=True)
    user_offset = Cpt(EpicsSignal, ".OFF", kind=Kind.config)
    user_offset_dir = Cpt(EpicsSignal, ".DIR", kind=Kind.config)
    offset_freeze_switch = Cpt(EpicsSignal, ".FOFF", kind=Kind.omitted)
    set_use_switch = Cpt(EpicsSignal, ".SET", kind=Kind.omitted)
    velocity = Cpt(EpicsSignal, ".VELO", kind=Kind.config)
    acceleration = Cpt(EpicsSignal, ".ACCL", kind=Kind.config)
    motor_egu = Cpt(EpicsSignal, ".EGU", kind=Kind.config)
    motor_is_moving = Cpt(EpicsSignalRO, ".MOVN", kind=Kind.omitted)
    motor_done_move = Cpt(EpicsSignalRO, ".DMOV", kind=Kind.omitted)
    high_limit_switch = Cpt(EpicsSignalRO, ".HLS", kind=Kind.omitted)
    low_limit_switch = Cpt(EpicsSignalRO, ".LLS", kind=Kind.omitted)
    high_limit_travel = Cpt(EpicsSignal, ".HLM", kind=Kind.omitted)
    low_limit_travel = Cpt(EpicsSignal, ".LLM", kind=Kind.omitted)
    direction_of_travel = Cpt(EpicsSignalRO, ".TDIR", kind=Kind.omitted)
    motor_stop = Cpt(EpicsSignal, ".STOP", kind=Kind.omitted)
    home_forward = Cpt(EpicsSignal, ".HOMF", kind=Kind.omitted, put_complete=True)
    home_reverse = Cpt(EpicsSignal, ".HOMR", kind=Kind.omitted, put_complete=True)
    dial_readback = Cpt(EpicsSignalRO, ".DRBV", kind=Kind.omitted, lazy=True)
    dial_setpoint = Cpt(EpicsSignal, ".DVAL", kind=Kind.omitted, lazy=True)
    raw_readback = Cpt(EpicsSignalRO, ".RRBV", kind=Kind.omitted, lazy=True)
    motor_resolution = Cpt(EpicsSignal, ".MRES", kind=Kind.omitted, lazy=True)
    precision_field = Cpt(EpicsSignalRO, ".PREC", kind=Kind.omitted, lazy=True)
    description = Cpt(EpicsSignal, ".DESC", kind=Kind.omitted, lazy=True)

    #: Extra seconds allowed beyond the estimated move time before a move fails with a timeout.
    move_timeout_margin = 10.0

    def _set_name(self, value: str) -> None:
        super()._set_name(value)
        # The readback carries the motor's own name, so tables and plots show "x" and not "x_user_readback".
        if "user_readback" in self._signals:
            self.user_readback.name = value

    def __init__(self, prefix: str = "", **kwargs: Any) -> None:
        super().__init__(prefix, **kwargs)
        self.user_readback.name = self.name

    # -- positioner ---------------------------------------------------------------------------------------
    @property
    def readback(self) -> EpicsSignalRO:
        """The signal MoveStatus.watch follows."""
        return self.user_readback

    @property
    def position(self) -> float:
        """The current user position."""
        return float(self.user_readback.get())

    @property
    def egu(self) -> str:
        """Engineering units of the motor."""
        return str(self.motor_egu.get())

    @property
    def precision(self) -> int:
        return self.user_readback.precision or 3

    @property
    def limits(self) -> tuple[float, float]:
        """(low, high) soft limits, from the control limits of ``.VAL`` (which mirror LLM/HLM)."""
        self.user_setpoint.wait_for_connection()
        low, high = self.user_setpoint.limits
        return (low if low is not None else 0.0, high if high is not None else 0.0)

    @property
    def moving(self) -> bool:
        return not bool(self.motor_done_move.get())

    def check_value(self, value: Any) -> None:
        """Raise LimitError (naming the motor and its limits) for a position outside the soft limits."""
        if value is None or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValueError(f"{self._describe_me()}: cannot move to {value!r}")
        low, high = self.limits
        if low < high and not low <= value <= high:
            raise LimitError(f"{self._describe_me()}: position {value} is outside the limits [{low}, {high}]")

    def set(self, value: float, *, timeout: float | None = None, moved_cb: Any = None) -> MoveStatus:
        """Start a move to ``value``; the MoveStatus finishes when the motor record reports it done."""
        self.check_value(value)
        start = self.position
        if timeout is None:
            timeout = self._estimate_move_time(start, value) + self.move_timeout_margin
        status = MoveStatus(self, value, start_value=start, timeout=timeout)
        inner = self.user_setpoint.set(value, timeout=timeout)
        inner.add_callback(lambda st: self._move_ended(st, status, value))
        if moved_cb is not None:
            status.add_callback(lambda st: moved_cb(obj=self))
        return status

    def _move_ended(self, inner: StatusBase, status: MoveStatus, target: float) -> None:
        exc = inner.exception(0) if inner.done else None
        if exc is None:
            # The IOC answers the put before the readback's last monitor update: until that arrives,
            # position (and read()) must read fresh, or they report where the motor was a moment ago.
            self.user_readback.invalidate_cache()
            position = self.user_readback.get()
            tolerance = 10.0 ** (-self.precision) * 2
            if abs(position - target) > tolerance:
                switches = []
                if self.high_limit_switch.get():
                    switches.append("high limit switch")
                if self.low_limit_switch.get():
                    switches.append("low limit switch")
                why = f" ({', '.join(switches)} active)" if switches else " (stopped?)"
                exc = MotionError(f"{self._describe_me()} stopped at {position} instead of {target}{why}")
        if exc is None:
            status.set_finished()
        else:
            status._abandon(exc)

    def _estimate_move_time(self, start: float, target: float) -> float:
        try:
            velocity = abs(float(self.velocity.get())) or 1.0
            accel = max(float(self.acceleration.get()), 0.0)
        except Exception:
            return 60.0
        return abs(target - start) / velocity + 2 * accel

    def move(
        self, position: float, wait: bool = True, timeout: float | None = None, **kwargs: Any
    ) -> MoveStatus:
        """Classic helper: start a move and, with ``wait=True``, block until it is done."""
        status = self.set(position, timeout=timeout, **kwargs)
        if wait:
            status.wait()
        return status

    def locate(self) -> dict[str, float]:
        """``{'setpoint': ..., 'readback': ...}`` for bluesky's Locatable protocol."""
        return {"setpoint": float(self.user_setpoint.get()), "readback": self.position}

    def stop(self, *, success: bool = False) -> None:
        """Stop motion at once (``.STOP``); a move in progress then ends short of its target."""
        self.motor_stop.put(1)

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

    def home(self, direction: str, *, wait: bool = True, timeout: float = 60.0) -> StatusBase:
        """Home towards ``'forward'`` or ``'reverse'``; with ``wait`` block until the move is done."""
        if direction not in ("forward", "reverse"):
            raise ValueError(f"{self._describe_me()}: home direction must be 'forward' or 'reverse'")
        signal = self.home_forward if direction == "forward" else self.home_reverse
        status = signal.set(1, timeout=timeout)
        if wait:
            status.wait()
        return status
