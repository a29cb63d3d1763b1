"""EpicsMotor on the session's motors IOC (motor record imitation) over real Channel Access.

Each test uses its own motor record and puts it back (position, offset, speed) afterwards, so tests stay
independent. Motors are made fast (20 mm/s, 0.05 s acceleration) to keep the tests short.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine

from sophyd import Component as Cpt
from sophyd import Device, EpicsSignalRO, LimitError, MoveStatus, SubscriptionStatus
from sophyd.epics_motor import EpicsMotor, MotionError

TIMEOUT = 10.0


@pytest.fixture
def motor_factory(motors_prefix: str) -> Iterator[Callable[[str], EpicsMotor]]:
    """Connected, fast motors by record name ('mtr1'...); each is restored to 0 with no offset after."""
    made: list[tuple[EpicsMotor, float, float]] = []

    def make(record: str, name: str = "") -> EpicsMotor:
        motor = EpicsMotor(motors_prefix + record, name=name or record)
        motor.wait_for_connection(timeout=TIMEOUT)
        made.append((motor, motor.velocity.get(), motor.acceleration.get()))
        motor.velocity.set(20.0).wait(TIMEOUT)
        motor.acceleration.set(0.05).wait(TIMEOUT)
        return motor

    yield make
    for motor, velocity, acceleration in made:
        motor.user_offset.set(0.0).wait(TIMEOUT)
        motor.set(0.0).wait(TIMEOUT)
        motor.velocity.set(velocity).wait(TIMEOUT)
        motor.acceleration.set(acceleration).wait(TIMEOUT)
        motor.destroy()


def test_set_moves_and_completes(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr1")
    status = motor.set(2.5)
    assert isinstance(status, MoveStatus)
    status.wait(TIMEOUT)
    assert status.success
    assert motor.position == pytest.approx(2.5, abs=1e-3)
    assert motor.user_readback.get(use_monitor=False) == pytest.approx(2.5, abs=1e-3)
    assert motor.user_setpoint.get() == pytest.approx(2.5)
    assert not motor.moving
    assert motor.locate() == {"setpoint": pytest.approx(2.5), "readback": pytest.approx(2.5, abs=1e-3)}
    motor.move(-1.0, timeout=TIMEOUT)  # the classic blocking helper
    assert motor.position == pytest.approx(-1.0, abs=1e-3)
    assert motor.egu == "mm"


def test_null_move_completes(motor_factory: Callable[..., EpicsMotor]) -> None:
    """A move to where the motor already is (over before the put returns) still finishes its status."""
    motor = motor_factory("mtr2")
    here = motor.position
    for _ in range(3):
        motor.set(here).wait(TIMEOUT)
    assert motor.position == pytest.approx(here, abs=1e-3)


def test_move_outside_soft_limits_refused_before_sending(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr3")
    assert motor.limits == (-100.0, 100.0)
    setpoint = motor.user_setpoint.get()
    with pytest.raises(LimitError, match=r"mtr3.*150"):
        motor.set(150.0)
    with pytest.raises(LimitError):
        motor.move(-100.5)
    assert motor.user_setpoint.get(use_monitor=False) == setpoint  # nothing was sent
    assert not motor.moving
    with pytest.raises(ValueError):
        motor.set(float("nan"))


def test_stop_during_a_move_fails_the_status(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr1")
    motor.velocity.set(5.0).wait(TIMEOUT)
    started = threading.Event()
    cid = motor.motor_is_moving.subscribe(lambda value=None, **kw: value == 1 and started.set())
    try:
        status = motor.set(30.0)
        assert started.wait(TIMEOUT), "the motor never started moving"
        motor.stop()
        exc = status.exception(TIMEOUT)
    finally:
        motor.motor_is_moving.unsubscribe(cid)
    assert isinstance(exc, MotionError), exc
    assert "mtr1" in str(exc) and "30.0" in str(exc) and "stopped" in str(exc)
    # As in classic ophyd, stop() ends the move at once; the motor then decelerates to rest.
    SubscriptionStatus(motor.motor_done_move, lambda value=None, **kw: value == 1, timeout=TIMEOUT).wait()
    assert 0.0 < motor.position < 29.0  # stopped on the way
    assert not motor.moving


def test_set_current_position_changes_offset_not_position(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr2")
    motor.set(1.0).wait(TIMEOUT)
    dial = motor.dial_readback.get(use_monitor=False)
    moves: list[Any] = []
    cid = motor.motor_is_moving.subscribe(lambda value=None, **kw: moves.append(value), run=False)
    try:
        motor.set_current_position(5.0)
    finally:
        motor.motor_is_moving.unsubscribe(cid)
    assert motor.position == pytest.approx(5.0, abs=1e-3)
    assert motor.user_offset.get(use_monitor=False) == pytest.approx(4.0)
    assert motor.dial_readback.get(use_monitor=False) == pytest.approx(dial)  # no motion
    assert 1 not in moves
    assert motor.set_use_switch.get(use_monitor=False) == 0  # back in Use mode
    motor.set(6.0).wait(TIMEOUT)  # user coordinates now include the offset
    assert motor.dial_readback.get(use_monitor=False) == pytest.approx(dial + 1.0, abs=1e-3)


def test_watch_reports_progress(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr3")
    motor.velocity.set(10.0).wait(TIMEOUT)
    reports: list[dict[str, Any]] = []
    status = motor.set(3.0)
    status.watch(lambda **kw: reports.append(kw))
    status.wait(TIMEOUT)
    assert len(reports) >= 3, reports
    assert {r["name"] for r in reports} == {"mtr3"}
    assert all(r["target"] == 3.0 and r["initial"] == pytest.approx(0.0, abs=1e-3) for r in reports)
    fractions = [r["fraction"] for r in reports]
    assert fractions == sorted(fractions, reverse=True)  # the remaining part shrinks
    assert fractions[0] > 0.5 and fractions[-1] < 0.5
    assert reports[-1]["unit"] == "mm"
    assert 0 < reports[-1]["current"] <= 3.0 + 1e-3


def test_readback_named_after_the_motor(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr1", name="theta")
    assert motor.user_readback.name == "theta"
    assert motor.user_setpoint.name == "theta_user_setpoint"
    reading = motor.read()
    assert list(reading) == ["theta", "theta_user_setpoint"]
    assert motor.hints == {"fields": ["theta"]}
    assert motor.describe()["theta"]["source"].endswith("mtr1.RBV")
    assert "theta_velocity" in motor.read_configuration()
    motor.name = "phi"
    assert motor.user_readback.name == "phi" and "phi" in motor.read()


class Stage(Device):
    """Two motor records of the motors IOC with a detector that reads the first readback."""

    a = Cpt(EpicsMotor, "mtr2")
    b = Cpt(EpicsMotor, "mtr3")


def test_run_engine_mv_and_scan(motor_factory: Callable[..., EpicsMotor], motors_prefix: str) -> None:
    motor = motor_factory("mtr1", name="m1")
    det = EpicsSignalRO(motors_prefix + "mtr1.RBV", name="det")
    det.wait_for_connection(timeout=TIMEOUT)
    RE = RunEngine({})
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))

    start = time.monotonic()
    RE(bps.mv(motor, 1.25))
    assert motor.position == pytest.approx(1.25, abs=1e-3)
    RE(bp.scan([det], motor, 0.0, 2.0, 5))
    assert time.monotonic() - start < 20.0
    events = [doc for name, doc in docs if name == "event"]
    assert len(events) == 5
    positions = [e["data"]["m1"] for e in events]
    assert positions == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0], abs=1e-3)
    assert [e["data"]["det"] for e in events] == pytest.approx(positions, abs=1e-3)
    stop = next(doc for name, doc in docs if name == "stop")
    assert stop["exit_status"] == "success"
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["data_keys"]["m1"]["source"] == f"PV:{motors_prefix}mtr1.RBV"
    assert descriptor["data_keys"]["m1"]["precision"] == 3


def test_motors_as_components(motor_factory: Callable[..., EpicsMotor], motors_prefix: str) -> None:
    stage = Stage(motors_prefix, name="stage")
    stage.wait_for_connection(timeout=TIMEOUT)
    try:
        for motor in (stage.a, stage.b):
            motor.velocity.set(20.0).wait(TIMEOUT)
            motor.acceleration.set(0.05).wait(TIMEOUT)
        assert stage.a.name == "stage_a" and stage.a.user_readback.name == "stage_a"
        RE = RunEngine({})
        RE(bps.mv(stage.a, 0.5, stage.b, -0.5))
        assert stage.a.position == pytest.approx(0.5, abs=1e-3)
        assert stage.b.position == pytest.approx(-0.5, abs=1e-3)
        assert set(stage.read()) >= {"stage_a", "stage_b"}
    finally:
        for motor in (stage.a, stage.b):
            motor.set(0.0).wait(TIMEOUT)
            motor.velocity.set(1.0).wait(TIMEOUT)
            motor.acceleration.set(0.5).wait(TIMEOUT)
