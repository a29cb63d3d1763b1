"""A slit (gap and center) as a PseudoPositioner over two EpicsMotors of the motors IOC, over real CA.

Motion overlap and order are judged from the IOC's own timestamps of the readback updates, so the tests do
not depend on how busy the machine running them is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import bluesky.plan_stubs as bps
import pytest
from bluesky import RunEngine

from sophyd import Component as Cpt
from sophyd import Kind, LimitError, MotionError, PseudoPositioner, PseudoSingle, SubscriptionStatus
from sophyd.epics_motor import EpicsMotor
from sophyd.pseudopos import pseudo_position_argument, real_position_argument

TIMEOUT = 20.0


class Slit(PseudoPositioner):
    """Gap and center over two blade motors: left = center - gap/2, right = center + gap/2."""

    gap = Cpt(PseudoSingle, limits=(0, 400), egu="mm", kind=Kind.hinted)
    center = Cpt(PseudoSingle, limits=(-10, 10), egu="mm", kind=Kind.hinted)
    left = Cpt(EpicsMotor, "mtr1")
    right = Cpt(EpicsMotor, "mtr2")

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        half = pseudo_pos.gap / 2
        return self.RealPosition(left=pseudo_pos.center - half, right=pseudo_pos.center + half)

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(
            gap=real_pos.right - real_pos.left, center=(real_pos.right + real_pos.left) / 2
        )


def make_slit(prefix: str, **kwargs: Any) -> Slit:
    slit = Slit(prefix, name="slit", **kwargs)
    slit.wait_for_connection(timeout=TIMEOUT)
    for motor in (slit.left, slit.right):
        motor.velocity.set(10.0).wait(TIMEOUT)
        motor.acceleration.set(0.05).wait(TIMEOUT)
    slit.move(0.0, 0.0, timeout=TIMEOUT)
    return slit


@pytest.fixture
def slit_factory(motors_prefix: str) -> Iterator[Any]:
    """Connected slits at gap 0, center 0; their motors are put back (position, speed) afterwards."""
    made: list[Slit] = []
    saved: dict[str, tuple[float, float]] = {}

    def make(**kwargs: Any) -> Slit:
        probe = Slit(motors_prefix, name="probe")
        probe.wait_for_connection(timeout=TIMEOUT)
        for motor in (probe.left, probe.right):
            saved.setdefault(motor.prefix, (motor.velocity.get(), motor.acceleration.get()))
        probe.destroy()
        slit = make_slit(motors_prefix, **kwargs)
        made.append(slit)
        return slit

    yield make
    for slit in made:
        slit.stop()
        for motor in (slit.left, slit.right):
            motor.set(0.0).wait(TIMEOUT)
            velocity, acceleration = saved[motor.prefix]
            motor.velocity.set(velocity).wait(TIMEOUT)
            motor.acceleration.set(acceleration).wait(TIMEOUT)
        slit.destroy()


def motion_times(slit: Slit) -> tuple[dict[str, list[float]], list[int]]:
    """IOC timestamps of each blade's readback updates from now on (and the subscription ids)."""
    times: dict[str, list[float]] = {"left": [], "right": []}
    cids = []
    for attr in times:
        readback = getattr(slit, attr).user_readback
        cids.append(
            readback.subscribe(lambda timestamp, _a=attr, **kw: times[_a].append(timestamp), run=False)
        )
    return times, cids


def test_gap_and_center_move_both_motors_concurrently(slit_factory: Any) -> None:
    slit = slit_factory()
    times, cids = motion_times(slit)
    status = slit.move(gap=6.0, center=1.0, wait=False)
    status.wait(TIMEOUT)
    assert status.success
    assert slit.real_position == pytest.approx(Slit.RealPosition(-2.0, 4.0), abs=1e-3)
    assert slit.position == pytest.approx(Slit.PseudoPosition(6.0, 1.0), abs=1e-3)
    assert slit.gap.position == pytest.approx(6.0, abs=1e-3)
    assert slit.hints == {"fields": ["slit_gap", "slit_center", "slit_left", "slit_right"]}
    assert slit.read()["slit_gap"]["value"] == pytest.approx(6.0, abs=1e-3)
    # Both blades were moving at the same time, by the IOC's clock.
    assert times["left"] and times["right"]
    assert min(times["right"]) < max(times["left"]) and min(times["left"]) < max(times["right"])
    for motor, cid in zip((slit.left, slit.right), cids, strict=True):
        motor.user_readback.unsubscribe(cid)


def test_sequential_moves_one_motor_after_the_other(slit_factory: Any) -> None:
    slit = slit_factory(concurrent=False)
    times, _ = motion_times(slit)
    slit.move(4.0, 0.0, timeout=TIMEOUT)
    assert slit.position == pytest.approx(Slit.PseudoPosition(4.0, 0.0), abs=1e-3)
    assert times["left"] and times["right"] and max(times["left"]) <= min(times["right"])


def test_bps_mv_of_a_pseudo_axis_reports_progress(slit_factory: Any) -> None:
    slit = slit_factory()
    RE = RunEngine({})
    reports: list[dict[str, Any]] = []
    watched = threading.Event()

    def hook(statuses: Any) -> None:
        for status in statuses or ():
            status.watch(lambda **kw: (reports.append(kw), watched.set()))

    RE.waiting_hook = hook
    RE(bps.mv(slit.gap, 8.0))
    assert slit.gap.position == pytest.approx(8.0, abs=1e-3)
    assert slit.center.position == pytest.approx(0.0, abs=1e-3)
    assert watched.is_set() and {r["name"] for r in reports} == {"slit_gap"}
    assert all(r["target"] == 8.0 and r["unit"] == "mm" for r in reports)
    assert any(0.5 < r["current"] < 7.5 for r in reports)  # progress during the move, not only at its end
    fractions = [r["fraction"] for r in reports]
    assert fractions == sorted(fractions, reverse=True)


def test_limits_of_a_real_motor_refuse_before_anything_moves(slit_factory: Any) -> None:
    slit = slit_factory()
    times, _ = motion_times(slit)
    with pytest.raises(LimitError, match=r"slit_(left|right)"):
        slit.gap.set(300.0)  # within the gap's limits, but the blades would pass the motors' +-100
    with pytest.raises(LimitError, match="slit_center"):
        slit.center.set(11.0)
    assert times == {"left": [], "right": []}


def test_stop_stops_both_motors_and_fails_the_move(slit_factory: Any) -> None:
    slit = slit_factory()
    for motor in (slit.left, slit.right):
        motor.velocity.set(2.0).wait(TIMEOUT)
    status = slit.gap.set(40.0)  # 10 s at 2 mm/s
    slit.stop()
    with pytest.raises(MotionError):
        status.wait(TIMEOUT)
    for motor in (slit.left, slit.right):  # both motors come to rest, short of the target
        SubscriptionStatus(motor.motor_done_move, lambda value=None, **kw: value == 1, timeout=TIMEOUT).wait()
    assert slit.gap.position < 39.0
