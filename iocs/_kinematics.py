"""Pure kinematics of a motor: trapezoidal (or triangular) moves from rest to rest, and stops.

A profile is a tuple of phases, each with a constant acceleration, so the position at any time is a closed
form; the motor record simulation in ``sophyd_iocs._motor`` samples it on every tick, and tests check it directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Phase",
    "Segment",
    "move_duration",
    "phase_state",
    "stop_phases",
    "trapezoid_phases",
    "trapezoid_position",
]

#: One piece of a motion profile: (duration in s, velocity at its start, velocity at its end), with the
#: velocity changing linearly in between (constant acceleration).
Phase = tuple[float, float, float]


def trapezoid_phases(distance: float, velo: float, accl: float) -> tuple[Phase, ...]:
    """Phases of a move over ``distance`` (signed) from rest to rest at top speed ``velo``.

    ``accl`` is the time to reach ``velo`` (the motor record's ACCL), so the acceleration is velo / accl. A
    move too short to reach ``velo`` has a triangular profile; ``accl <= 0`` means instant acceleration.
    """
    if velo <= 0:
        raise ValueError(f"velocity must be > 0, not {velo}")
    d = abs(distance)
    if d == 0:
        return ()
    s = math.copysign(1.0, distance)
    if accl <= 0:
        return ((d / velo, s * velo, s * velo),)
    if d >= velo * accl:  # accelerating and decelerating take velo * accl in all
        return ((accl, 0.0, s * velo), ((d - velo * accl) / velo, s * velo, s * velo), (accl, s * velo, 0.0))
    peak_time = math.sqrt(d * accl / velo)  # d/2 = a * t**2 / 2 with a = velo / accl
    peak = s * velo * peak_time / accl
    return ((peak_time, 0.0, peak), (peak_time, peak, 0.0))


def stop_phases(velocity: float, velo: float, accl: float) -> tuple[Phase, ...]:
    """Phases that bring a motor moving at ``velocity`` to rest at the record's acceleration velo / accl."""
    if velocity == 0 or accl <= 0 or velo <= 0:
        return ()
    return ((abs(velocity) * accl / velo, velocity, 0.0),)


def phase_state(phases: tuple[Phase, ...], t: float, start: float = 0.0) -> tuple[float, float]:
    """Position and velocity at time ``t`` after the start of ``phases``, starting at ``start``."""
    position = start
    for duration, v0, v1 in phases:
        if t < duration:
            accel = (v1 - v0) / duration
            return position + v0 * t + accel * t * t / 2, v0 + accel * t
        position += (v0 + v1) / 2 * duration
        t -= duration
    return position, 0.0


def move_duration(distance: float, velo: float, accl: float) -> float:
    """How long a move over ``distance`` takes from rest to rest (e.g. 1 EGU at VELO 1, ACCL 0.2: 1.2 s)."""
    return sum(p[0] for p in trapezoid_phases(distance, velo, accl))


def trapezoid_position(start: float, target: float, velo: float, accl: float, t: float) -> float:
    """Position at time ``t`` of a move from ``start`` to ``target``; exactly ``target`` once it is over."""
    phases = trapezoid_phases(target - start, velo, accl)
    if t >= sum(p[0] for p in phases):
        return target
    return phase_state(phases, max(t, 0.0), start)[0]


@dataclass(frozen=True)
class Segment:
    """A planned piece of motion in dial coordinates: ``phases`` from ``start`` at loop time ``t0``."""

    t0: float
    start: float
    end: float
    phases: tuple[Phase, ...]

    @property
    def t_end(self) -> float:
        """Loop time when the segment is over."""
        return self.t0 + sum(p[0] for p in self.phases)

    def state(self, now: float) -> tuple[float, float]:
        """Position and velocity at loop time ``now``; exactly ``end`` at rest once it is over."""
        if now >= self.t_end:
            return self.end, 0.0
        return phase_state(self.phases, max(now - self.t0, 0.0), self.start)
