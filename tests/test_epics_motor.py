"""EpicsMotor on the session's motors IOC (motor record imitation) over real Channel Access.

Each test uses its own motor record and puts it back (position, offset, speed) afterwards, so tests stay
independent. Motors are made fast (20 mm/s, 0.05 s acceleration) to keep the tests short.
"""

from __future__ import annotations

import copy
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from bluesky.utils import RunEngineInterrupted
from example_ioc import example_ioc
from helpers import Events, ca_read, run_json_script

import sophyd
from sophyd import (
    AlarmSeverity,
    Device,
    EpicsSignalRO,
    LimitError,
    MotorBundle,
    MoveStatus,
    PutFailedError,
    Signal,
    StatusTimeoutError,
    SubscriptionStatus,
    UnknownStatusFailure,
)
from sophyd import Component as Cpt
from sophyd.control import use_cl
from sophyd.epics_motor import EpicsMotor, MotionError
from sophyd.mock import mock_put_failure, set_mock_put_proceeds, set_mock_value
from sophyd.positioner import fresh_readings

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


def test_fast_scan_events_hold_the_asked_position_and_setpoint(
    motor_factory: Callable[..., EpicsMotor], motors_prefix: str
) -> None:
    """Moves shorter than a monitor round trip, ended by DMOV's monitor update or by a read after the put is
    answered: every event holds the plan's position as readback and setpoint, and the motor reads it after."""
    motor = motor_factory("mtr1", name="m1")
    motor.velocity.set(1000.0).wait(TIMEOUT)
    motor.acceleration.set(0.0).wait(TIMEOUT)
    resolution = motor.motor_resolution.get()
    RE = RunEngine({})
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    points = [i / 40 for i in range(41)]
    for _ in range(2):  # the second scan starts with a move back from 1.0
        docs.clear()
        RE(bp.scan([], motor, 0.0, 1.0, len(points)))
        events = [doc["data"] for name, doc in docs if name == "event"]
        assert [e["m1"] for e in events] == pytest.approx(points, abs=resolution)
        assert [e["m1_user_setpoint"] for e in events] == pytest.approx(points, abs=resolution)
        assert motor.position == pytest.approx(1.0, abs=resolution)
        assert motor.user_setpoint.get() == pytest.approx(1.0, abs=resolution)
        assert ca_read(motors_prefix + "mtr1.VAL").data[0] == pytest.approx(1.0, abs=resolution)


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


# -- the classic positioner API over the motors IOC -----------------------------------------------------------
def _raw(pv: str) -> Any:
    """The IOC's value of ``pv``, read over caproto's sync client (not through sophyd)."""
    return ca_read(pv).data[0]


def test_settle_time_and_timeout(motor_factory: Callable[..., EpicsMotor], motors_prefix: str) -> None:
    motor = EpicsMotor(motors_prefix + "mtr2", name="m2", settle_time=0.3, timeout=TIMEOUT)
    motor.wait_for_connection(timeout=TIMEOUT)
    fast = motor_factory("mtr2")  # restores the record afterwards
    assert (motor.settle_time, motor.timeout) == (0.3, TIMEOUT)
    done_at: list[float] = []
    done_values: list[Any] = []

    def on_done(value: Any = None, **kw: Any) -> None:
        done_at.append(time.monotonic())
        done_values.append(value)

    motor.subscribe(on_done, event_type=motor.SUB_DONE, run=False)
    status = motor.set(0.5)
    status.wait(TIMEOUT)
    assert status.success and done_at
    assert done_values == [1]  # the DMOV value, as classic ophyd's SUB_DONE carries it
    assert status.finish_ts is not None and time.monotonic() - done_at[0] >= 0.29  # settled after DMOV
    motor.settle_time = 0
    fast.velocity.set(1.0).wait(TIMEOUT)
    motor.timeout = 0.2  # far too short for 5 mm at 1 mm/s
    slow = motor.set(5.0)
    with pytest.raises(StatusTimeoutError):
        slow.wait(TIMEOUT)
    motor.stop()
    SubscriptionStatus(motor.motor_done_move, lambda value=None, **kw: value == 1, timeout=TIMEOUT).wait()
    motor.destroy()


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "soon"])
def test_invalid_timeout_refused_before_anything_is_sent(
    motor_factory: Callable[..., EpicsMotor], motors_prefix: str, bad: Any
) -> None:
    motor = motor_factory("mtr3", name="m3")
    motor.set(0.5).wait(TIMEOUT)
    pv = motors_prefix + "mtr3"
    fields = (".VAL", ".RBV", ".DMOV", ".MOVN", ".HOMF")
    before = [_raw(pv + field) for field in fields]
    for attempt in (
        lambda: motor.set(5.0, timeout=bad),
        lambda: motor.move(5.0, timeout=bad),
        lambda: motor.home("forward", timeout=bad),
    ):
        with pytest.raises(ValueError, match=r"'m3'.*timeout"):
            attempt()
    assert [_raw(pv + field) for field in fields] == before == [0.5, 0.5, 1, 0, 0]
    assert not motor.moving
    motor.set(0.25, timeout=TIMEOUT).wait(TIMEOUT)  # a valid timeout works
    assert _raw(pv + ".VAL") == 0.25


def test_limits_set_lim_get_lim(motor_factory: Callable[..., EpicsMotor], motors_prefix: str) -> None:
    motor = motor_factory("mtr2", name="m2")
    assert motor.limits == (-100.0, 100.0) and (motor.low_limit, motor.high_limit) == (-100.0, 100.0)
    assert (motor.get_lim(1), motor.get_lim(-1), motor.get_lim(0)) == (100.0, -100.0, None)
    try:
        motor.set_lim(5.0, -5.0)  # the order does not matter
        assert motor.limits == (-5.0, 5.0)
        assert (_raw(motors_prefix + "mtr2.HLM"), _raw(motors_prefix + "mtr2.LLM")) == (5.0, -5.0)
        assert (motor.get_lim(1), motor.get_lim(-1)) == (5.0, -5.0)
        with pytest.raises(LimitError, match=r"'m2'.*6"):
            motor.set(6.0)
        motor.set(4.5).wait(TIMEOUT)
        with pytest.raises(ValueError, match="outside"):
            motor.set_lim(10.0, 20.0)  # the motor at 4.5 would be outside
        assert motor.limits == (-5.0, 5.0)
    finally:
        motor.set(0.0).wait(TIMEOUT)
        motor.set_lim(-100.0, 100.0)
    assert motor.limits == (-100.0, 100.0)


def test_limit_switch_in_the_direction_of_travel_fails_the_move(
    motor_factory: Callable[..., EpicsMotor],
) -> None:
    motor = motor_factory("mtr3", name="m3")
    motor.velocity.set(200.0).wait(TIMEOUT)
    try:
        motor.set_lim(-200.0, 200.0)  # soft limits beyond the hard limit switches at +-110
        status = motor.set(150.0)
        with pytest.raises(MotionError, match=r"'m3'.*high limit switch"):
            status.wait(TIMEOUT)
        assert motor.position == pytest.approx(110.0, abs=1e-3)
        assert motor.high_limit_switch.get(use_monitor=False) == 1
        motor.set(100.0).wait(TIMEOUT)  # moving away from the switch succeeds
    finally:
        motor.set(0.0).wait(TIMEOUT)
        motor.set_lim(-100.0, 100.0)


class SoftSwitchMotor(EpicsMotor):
    """A motor whose limit switches and direction of travel are soft signals, as a subclass may make them."""

    high_limit_switch = Cpt(Signal, value=0, kind="omitted")
    low_limit_switch = Cpt(Signal, value=0, kind="omitted")
    direction_of_travel = Cpt(Signal, value=0, kind="omitted")


def test_soft_signals_in_place_of_record_fields(motors_prefix: str) -> None:
    """The end of a move is judged from the components as the subclass defines them, EPICS or not; a failed
    move is still an UnknownStatusFailure, which is what classic code catches."""
    motor = SoftSwitchMotor(motors_prefix + "mtr2", name="soft")
    motor.wait_for_connection(timeout=TIMEOUT)
    try:
        motor.velocity.set(20.0).wait(TIMEOUT)
        motor.high_limit_switch.put(1)
        # the state read fresh when DMOV's update does not settle the end (one batch for the PVs, get() for the rest)
        rbv, switch = fresh_readings([motor.user_readback, motor.high_limit_switch])
        assert (rbv.value, switch.value, switch.severity) == (pytest.approx(motor.position), 1, 0)
        motor.high_limit_switch.put(0)
        motor.set(motor.position).wait(TIMEOUT)
        motor.set(0.5).wait(TIMEOUT)
        assert motor.position == pytest.approx(0.5, abs=1e-3)
        motor.direction_of_travel.put(1)
        motor.high_limit_switch.put(1)
        status = motor.set(1.0)
        with pytest.raises(UnknownStatusFailure, match=r"'soft'.*high limit switch") as failure:
            status.wait(TIMEOUT)
        assert isinstance(failure.value, MotionError)
        motor.high_limit_switch.put(0)
    finally:
        motor.set(0.0).wait(TIMEOUT)
        motor.velocity.set(1.0).wait(TIMEOUT)
        motor.destroy()


class RedeclaredReadback(EpicsMotor):
    """Classic's way to keep the position hook after replacing the readback component."""

    user_readback = Cpt(EpicsSignalRO, ".RBV", kind="hinted", auto_monitor=True)
    seen: list[tuple[float | None, float]]

    @user_readback.sub_value
    def _pos_changed(self, timestamp: float | None = None, value: Any = None, **kwargs: Any) -> None:
        self.seen.append((timestamp, value))
        super()._pos_changed(timestamp=timestamp, value=value, **kwargs)


class OverriddenHook(EpicsMotor):
    """A subclass overriding the hook alone: it is called by name, as in classic."""

    seen: list[tuple[float | None, float]]

    def _pos_changed(self, value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
        self.seen.append((timestamp, value))
        super()._pos_changed(value=value, timestamp=timestamp, **kwargs)


@pytest.mark.parametrize("cls", [RedeclaredReadback, OverriddenHook])
def test_classic_position_hook(cls: type[Any], motors_prefix: str) -> None:
    """``_pos_changed`` is called once per readback update and feeds the readback subscribers."""
    motor = cls(motors_prefix + "mtr3", name="hooked")
    motor.seen = []
    readbacks = Events()
    motor.subscribe(readbacks, event_type=motor.SUB_READBACK, run=False)
    motor.wait_for_connection(timeout=TIMEOUT)
    try:
        motor.velocity.set(20.0).wait(TIMEOUT)
        motor.set(0.7).wait(TIMEOUT)
        readbacks.wait_for(lambda e: e["value"] == pytest.approx(0.7, abs=1e-3))
        assert motor.seen and motor.seen[-1][1] == pytest.approx(0.7, abs=1e-3)
        stamps = [timestamp for timestamp, _ in motor.seen]
        assert len(set(stamps)) == len(stamps)  # one subscription: no update handled twice
    finally:
        motor.set(0.0).wait(TIMEOUT)
        motor.velocity.set(1.0).wait(TIMEOUT)
        motor.destroy()


def test_hints_follow_the_kinds(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    motor, _ = mock_motor
    assert motor.hints == {"fields": ["mm"]}
    motor.user_setpoint.kind = "hinted"
    motor.user_readback.kind = "normal"
    assert motor.hints == {"fields": ["mm_user_setpoint"]}
    motor.hints = {"fields": []}
    assert motor.hints == {"fields": []}
    motor.hints = None
    assert motor.hints == {"fields": ["mm_user_setpoint"]}


def test_home(motor_factory: Callable[..., EpicsMotor]) -> None:
    motor = motor_factory("mtr1", name="m1")
    motor.set(2.0).wait(TIMEOUT)
    status = motor.home("reverse", wait=False)
    assert isinstance(status, MoveStatus)
    status.wait(TIMEOUT)
    assert status.success and motor.position == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(ValueError, match=r"'m1'.*direction"):
        motor.home("up")


def test_report_copy_repr_hints(motor_factory: Callable[..., EpicsMotor], motors_prefix: str) -> None:
    motor = EpicsMotor(motors_prefix + "mtr1", name="m1", settle_time=0.1, timeout=30)
    motor.wait_for_connection(timeout=TIMEOUT)
    assert motor.report == {"position": pytest.approx(motor.position), "pv": motors_prefix + "mtr1.RBV"}
    clone = copy.copy(motor)
    assert type(clone) is EpicsMotor and clone is not motor
    assert (clone.prefix, clone.name, clone.settle_time, clone.timeout) == (motor.prefix, "m1", 0.1, 30.0)
    assert clone.read_attrs == motor.read_attrs and clone.configuration_attrs == motor.configuration_attrs
    clone.wait_for_connection(timeout=TIMEOUT)
    assert clone.read()["m1"]["value"] == pytest.approx(motor.position)
    assert "m1" in repr(motor)
    assert motor.hints == {"fields": ["m1"]}
    motor.hints = {"fields": []}
    assert motor.hints == {"fields": []}
    motor.hints = None
    assert motor.hints == {"fields": ["m1"]}
    assert motor.egu == "mm" and motor.precision == 3
    for obj in (clone, motor):
        obj.destroy()


def test_pause_and_resume_of_a_moving_motor_completes_the_scan(
    motor_factory: Callable[..., EpicsMotor], motors_prefix: str
) -> None:
    """bluesky calls stop(success=True) on pause; the paused move succeeds and resume finishes every point."""
    motor = motor_factory("mtr2", name="m2")
    motor.velocity.set(4.0).wait(TIMEOUT)
    det = EpicsSignalRO(motors_prefix + "mtr2.RBV", name="det")
    det.wait_for_connection(timeout=TIMEOUT)
    RE = RunEngine({})
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    requested: list[float] = []

    def pause_mid_move(value: Any = None, **kw: Any) -> None:
        if not requested and value is not None and 2.3 < value < 2.7:  # between the 3rd and 4th points
            requested.append(value)
            # request_pause blocks on the RunEngine's loop, so it must come from another thread (as SIGINT does)
            threading.Thread(target=RE.request_pause).start()

    cid = motor.user_readback.subscribe(pause_mid_move, run=False)
    try:
        with pytest.raises(RunEngineInterrupted):
            RE(bp.scan([det], motor, 0.0, 4.0, 5))
        assert requested and RE.state == "paused"
        RE.resume()
    finally:
        motor.user_readback.unsubscribe(cid)
    stop = next(doc for name, doc in docs if name == "stop")
    assert stop["exit_status"] == "success"
    events = [doc for name, doc in docs if name == "event"]
    assert [e["data"]["m2"] for e in events] == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=1e-3)
    assert [e["data"]["det"] for e in events] == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=1e-3)


class Bundle(MotorBundle):
    """Two motor records as one bundle."""

    x = Cpt(EpicsMotor, "mtr1")
    y = Cpt(EpicsMotor, "mtr2")


def test_motor_bundle(motors_prefix: str) -> None:
    bundle = Bundle(motors_prefix, name="stage")
    bundle.wait_for_connection(timeout=TIMEOUT)
    assert bundle.hints == {"fields": ["stage_x", "stage_y"]}
    bundle.hints = {"fields": ["stage_x"]}
    assert bundle.hints == {"fields": ["stage_x"]}
    bundle.hints = None
    assert bundle.hints == {"fields": ["stage_x", "stage_y"]}
    assert {"x", "y"} <= set(bundle.configuration_attrs)
    assert "stage_x_velocity" in bundle.read_configuration()
    assert set(bundle.read()) >= {"stage_x", "stage_y"}
    bundle.destroy()


def test_record_scan_field_describes_as_integer_or_string(cl: str, motors_prefix: str) -> None:
    """An enum field of the motor record (SCAN) read without ``string`` describes as an integer, with
    ``string=True`` as a string, on both control layers."""
    number = sophyd.EpicsSignal(motors_prefix + "mtr3.SCAN", name="scan")
    label = sophyd.EpicsSignal(motors_prefix + "mtr3.SCAN", name="scan", string=True)
    try:
        number.wait_for_connection(timeout=TIMEOUT)
        label.wait_for_connection(timeout=TIMEOUT)
        assert not number.as_string and label.as_string
        assert number.describe()["scan"]["dtype"] == "integer" and number.get() == 0
        assert label.describe()["scan"]["dtype"] == "string" and label.get() == "Passive"
        assert "I/O Intr" in label.enum_strs
    finally:
        number.destroy()
        label.destroy()


FAKE_MOTOR_SCAN = """
import json, sys
import bluesky.plans as bp
from bluesky import RunEngine
from sophyd import EpicsMotor
motor = EpicsMotor(sys.argv[1], name="fm")
motor.wait_for_connection(timeout=10)
docs = []
RE = RunEngine({})
RE.subscribe(lambda name, doc: docs.append((name, doc)))
RE(bp.scan([], motor, 0.0, 1.0, 11))
print(json.dumps({
    "positions": [d["data"]["fm"] for n, d in docs if n == "event"],
    "exit_status": [d["exit_status"] for n, d in docs if n == "stop"][0],
}))
"""


# -- caproto's example motor record: answers the put at once, moves afterwards -----------------------------------
@pytest.mark.system  # starts one of caproto's example IOCs
def test_scan_over_caprotos_fake_motor_record() -> None:
    """Each point completes only once the record has moved there, so every event has the asked position."""
    sophyd.set_cl(
        "caproto"
    )  # libca read EPICS_CA_ADDR_LIST before this IOC existed; caproto's client reads it now
    try:
        with example_ioc("caproto.ioc_examples.fake_motor_record", "mtr1.DMOV") as prefix:
            motor = EpicsMotor(prefix + "mtr1", name="fm")
            motor.wait_for_connection(timeout=TIMEOUT)
            resolution = motor.motor_resolution.get()
            det = EpicsSignalRO(prefix + "mtr1.RBV", name="det")
            det.wait_for_connection(timeout=TIMEOUT)
            RE = RunEngine({})
            docs: list[tuple[str, dict[str, Any]]] = []
            RE.subscribe(lambda name, doc: docs.append((name, doc)))
            points = [i / 20 for i in range(21)]
            RE(bp.scan([det], motor, 0.0, 1.0, 21))
            events = [doc for name, doc in docs if name == "event"]
            assert next(doc for name, doc in docs if name == "stop")["exit_status"] == "success"
            assert [e["data"]["fm"] for e in events] == pytest.approx(points, abs=resolution)
            assert [e["data"]["fm_user_setpoint"] for e in events] == pytest.approx(points, abs=resolution)
            assert [e["data"]["det"] for e in events] == pytest.approx(points, abs=resolution)
            for _ in range(2):  # null moves: the record reports them done too
                motor.set(1.0).wait(TIMEOUT)
            assert motor.position == pytest.approx(1.0, abs=resolution)
            motor.move(0.25, timeout=TIMEOUT)
            assert motor.position == pytest.approx(0.25, abs=resolution)
            motor.destroy()
            det.destroy()
            # The same scan on the pyepics control layer, in a fresh process (libca reads the address list once).
            result = run_json_script(FAKE_MOTOR_SCAN, prefix + "mtr1", env=dict(os.environ))
            assert result["exit_status"] == "success"
            assert result["positions"] == pytest.approx([i / 10 for i in range(11)], abs=resolution)
    finally:
        sophyd.set_cl(None)


# -- the completion rule, with the record played by hand in mock mode ----------------------------------------
@pytest.fixture
def mock_motor() -> Iterator[tuple[EpicsMotor, Callable[..., None]]]:
    """A mock-mode EpicsMotor at rest at 0 (limits +-10) and ``post(field=value, ...)`` to play the record."""
    prefix = f"mock{secrets.token_hex(4)}:m"

    def post(severity: int = 0, **fields: Any) -> None:
        for field, value in fields.items():
            set_mock_value(f"{prefix}.{field}", value, severity=severity if field == "RBV" else 0)

    with use_cl("mock"):
        motor = EpicsMotor(prefix, name="mm")
    post(DMOV=1, MOVN=0, RBV=0.0, VAL=0.0, HLM=10.0, LLM=-10.0, VELO=1.0, ACCL=0.1, HLS=0, LLS=0, TDIR=0)
    post(EGU="mm", STOP=0)
    yield motor, post
    motor.destroy()


def test_mock_record_answering_at_once_completes_only_when_dmov_says_so(
    mock_motor: tuple[EpicsMotor, Callable[..., None]],
) -> None:
    """Like caproto's fake motor record: the put is answered at once, and motion follows."""
    motor, post = mock_motor
    starts = Events()
    motor.subscribe(starts, event_type=motor.SUB_START, run=False)
    status = motor.set(5.0)
    post(TDIR=1, DMOV=0, MOVN=1, RBV=2.5)
    starts.wait_for(lambda e: True)
    assert not status.done
    post(RBV=5.0, MOVN=0, DMOV=1)
    status.wait(TIMEOUT)
    assert status.success and motor.position == 5.0


def test_mock_fast_motion_seen_as_one_update(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    """DMOV 1 -> 0 -> 1 before the put is answered, or coalesced into one update: still complete."""
    motor, post = mock_motor
    set_mock_put_proceeds(motor.user_setpoint, False)
    status = motor.set(1.0)
    post(DMOV=0, RBV=1.0)
    post(DMOV=1)
    status.wait(TIMEOUT)  # done before the put-callback
    assert status.success
    set_mock_put_proceeds(motor.user_setpoint, True)
    status = motor.set(2.0)
    post(RBV=2.0, DMOV=1)  # only the final posting
    status.wait(TIMEOUT)
    assert status.success and motor.position == 2.0


def test_mock_stale_dmov_posting_does_not_end_a_newer_move(
    mock_motor: tuple[EpicsMotor, Callable[..., None]],
) -> None:
    motor, post = mock_motor
    old = motor.motor_done_move.timestamp - 1.0
    status = motor.set(3.0)
    motor._dmov_changed(value=1, timestamp=old)  # a posting made before this move was sent
    assert not status.done
    post(DMOV=0)
    post(RBV=3.0, DMOV=1)
    status.wait(TIMEOUT)
    assert status.success


def test_mock_move_by_someone_else_between_two_of_ours_does_not_end_the_second(
    mock_motor: tuple[EpicsMotor, Callable[..., None]],
) -> None:
    """The next move's baseline is the DMOV = 1 that ended ours only while no newer posting has arrived."""
    motor, post = mock_motor
    status = motor.set(1.0)
    post(DMOV=0)
    post(RBV=1.0, DMOV=1)
    status.wait(TIMEOUT)
    post(DMOV=0)  # another client moves the motor
    post(RBV=2.0, DMOV=1)
    status = motor.set(3.0)
    assert not status.done
    post(DMOV=0)
    post(RBV=3.0, DMOV=1)
    status.wait(TIMEOUT)
    assert status.success and status.finish_pos == 3.0  # ended by our DMOV = 1, not the other client's


def test_mock_record_reporting_no_motion(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    """A record that answers the put and never posts DMOV: the answer ends the move after the grace time."""
    motor, _ = mock_motor
    motor.motion_report_grace = 0.2
    start = time.monotonic()
    status = motor.set(0.0)
    assert not status.done
    status.wait(TIMEOUT)
    assert status.success and time.monotonic() - start >= 0.19


def test_mock_alarm_above_tolerated_fails(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    motor, post = mock_motor
    assert motor.tolerated_alarm == AlarmSeverity.NO_ALARM
    status = motor.set(4.0)
    post(DMOV=0)
    post(RBV=4.0, severity=AlarmSeverity.MAJOR)
    post(DMOV=1)
    with pytest.raises(MotionError, match=r"'mm'.*alarm \(MAJOR > tolerated NO_ALARM\)"):
        status.wait(TIMEOUT)
    motor.tolerated_alarm = AlarmSeverity.MAJOR
    status = motor.set(5.0)
    post(DMOV=0)
    post(RBV=5.0, severity=AlarmSeverity.MAJOR)
    post(DMOV=1)
    status.wait(TIMEOUT)
    assert status.success


def test_mock_limit_switch_only_in_the_direction_of_travel(
    mock_motor: tuple[EpicsMotor, Callable[..., None]],
) -> None:
    motor, post = mock_motor
    status = motor.set(6.0)
    post(TDIR=1, DMOV=0)
    post(RBV=6.0, LLS=1)  # the switch behind the motor does not matter
    post(DMOV=1)
    status.wait(TIMEOUT)
    assert status.success
    status = motor.set(-6.0)
    post(TDIR=0, DMOV=0)
    post(RBV=-1.0, DMOV=1)  # stopped at the low switch
    with pytest.raises(MotionError, match="low limit switch"):
        status.wait(TIMEOUT)


def test_mock_refused_put_fails_the_move(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    motor, _ = mock_motor
    mock_put_failure(motor.user_setpoint, "motion not allowed")
    status = motor.set(1.0)
    with pytest.raises(PutFailedError, match="motion not allowed"):
        status.wait(TIMEOUT)


def test_mock_stop_success_and_failure(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    motor, post = mock_motor
    paused = motor.set(7.0)
    post(DMOV=0)
    motor.stop(success=True)
    paused.wait(TIMEOUT)
    assert paused.success and motor.motor_stop.get() == 1
    stopped = motor.set(7.0)
    motor.stop()
    with pytest.raises(MotionError, match="stopped"):
        stopped.wait(TIMEOUT)
    post(DMOV=1)  # the record comes to rest later: nothing is pending any more
    first = motor.set(8.0)
    second = motor.set(9.0)
    with pytest.raises(
        MotionError, match=r"'mm': the move to 8\.0 did not complete: superseded by a move to 9\.0"
    ):
        first.wait(TIMEOUT)
    post(DMOV=0)
    post(RBV=9.0, DMOV=1)
    second.wait(TIMEOUT)
    assert second.success


def test_protocols(mock_motor: tuple[EpicsMotor, Callable[..., None]]) -> None:
    from bluesky import protocols as bpr

    motor, _ = mock_motor
    for protocol in (bpr.Movable, bpr.Readable, bpr.Stoppable, bpr.Locatable, bpr.Configurable, bpr.HasHints):
        assert isinstance(motor, protocol), protocol
    assert motor.locate() == {"setpoint": 0.0, "readback": 0.0}
