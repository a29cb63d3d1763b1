"""The motors IOC (motor record imitation) over real Channel Access, plus its pure kinematics.

The IOC is the session's (``motors_prefix`` from sophyd.testing). caproto's threading client reads fresh
values and records monitors; caproto's sync client sees refused puts (ECA_PUTFAIL); pyepics runs in a
subprocess, since libca reads the CA environment once per process. Every test restores the motor it used.
"""

from __future__ import annotations

import itertools
import math
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from caproto import ChannelType, ErrorResponseReceived
from caproto.threading.client import Context
from helpers import ca_write as sync_write
from helpers import run_json_script, wait_for

from sophyd_iocs._kinematics import (
    move_duration,
    phase_state,
    stop_phases,
    trapezoid_phases,
    trapezoid_position,
)
from sophyd_iocs.motors import Motors

TIMEOUT = 5.0
# Enum indices of SPMG, SET and FOFF (puts of enum strings need DBR_STRING; indices work everywhere).
STOP, PAUSE, MOVE, GO = range(4)
USE, SET = 0, 1
FROZEN = 1
FIELDS = (
    "",
    "VAL",
    "DVAL",
    "RBV",
    "DRBV",
    "RRBV",
    "OFF",
    "DIR",
    "FOFF",
    "SET",
    "VELO",
    "ACCL",
    "MOVN",
    "DMOV",
)
FIELDS += ("HLM", "LLM", "DHLM", "DLLM", "HLS", "LLS", "TDIR", "STOP", "SPMG", "HOMR")


# ----- pure kinematics -------------------------------------------------------------------------------


def test_trapezoid_duration_and_shape() -> None:
    assert move_duration(1.0, 1.0, 0.2) == pytest.approx(1.2)
    assert move_duration(-1.0, 1.0, 0.2) == pytest.approx(1.2)
    phases = trapezoid_phases(1.0, 1.0, 0.2)
    assert [p[0] for p in phases] == pytest.approx([0.2, 0.8, 0.2])
    assert phase_state(phases, 0.2) == pytest.approx((0.1, 1.0))  # a = 5: 0.1 travelled at full speed
    assert phase_state(phases, 1.0) == pytest.approx((0.9, 1.0))
    assert phase_state(phases, 5.0) == pytest.approx((1.0, 0.0))


def test_triangle_profile_for_short_moves() -> None:
    phases = trapezoid_phases(0.1, 1.0, 0.2)  # needs 0.2 to reach full speed: triangle
    assert len(phases) == 2
    peak_time = math.sqrt(0.1 * 0.2 / 1.0)
    assert sum(p[0] for p in phases) == pytest.approx(2 * peak_time)
    assert phase_state(phases, peak_time) == pytest.approx((0.05, peak_time / 0.2))  # v = a * t, a = 5
    assert phase_state(phases, 10.0)[0] == pytest.approx(0.1)


def test_position_is_monotonic_continuous_and_exact_at_the_end() -> None:
    start, target, velo, accl = 2.0, -3.0, 2.0, 0.5
    total = move_duration(target - start, velo, accl)
    times = [total * k / 200 for k in range(201)]
    positions = [trapezoid_position(start, target, velo, accl, t) for t in times]
    assert positions[0] == start and positions[-1] == target
    steps = [b - a for a, b in itertools.pairwise(positions)]
    assert all(step <= 0 for step in steps)
    assert max(abs(s) for s in steps) <= velo * total / 200 + 1e-9  # never faster than VELO


def test_instant_acceleration_and_stops() -> None:
    assert trapezoid_phases(2.0, 1.0, 0.0) == ((2.0, 1.0, 1.0),)
    assert trapezoid_phases(0.0, 1.0, 0.2) == ()
    with pytest.raises(ValueError):
        trapezoid_phases(1.0, 0.0, 0.2)
    phases = stop_phases(-2.0, 2.0, 0.5)  # decelerate from full speed in ACCL seconds
    assert phases == ((0.5, -2.0, 0.0),)
    assert phase_state(phases, 1.0, 10.0) == pytest.approx((9.5, 0.0))
    assert stop_phases(1.0, 1.0, 0.0) == ()


# ----- the IOC over Channel Access --------------------------------------------------------------------


class Motor:
    """Fresh reads, puts and monitors on one motor record through caproto's threading client."""

    def __init__(self, ctx: Context, record: str) -> None:
        self.ctx = ctx
        self.record = record
        self._pvs: dict[str, Any] = {}
        self._keep: list[Any] = []  # caproto holds subscription callbacks weakly

    def connect(self, *fields: str) -> None:
        """Connect many fields at once (their searches run in parallel)."""
        names = [self.record + (f".{field}" if field else "") for field in fields]
        for name, pv in zip(names, self.ctx.get_pvs(*names, timeout=TIMEOUT), strict=True):
            pv.wait_for_connection(timeout=TIMEOUT)
            self._pvs[name] = pv

    def pv(self, field: str) -> Any:
        name = self.record + (f".{field}" if field else "")
        if name not in self._pvs:
            (pv,) = self.ctx.get_pvs(name, timeout=TIMEOUT)
            pv.wait_for_connection(timeout=TIMEOUT)
            self._pvs[name] = pv
        return self._pvs[name]

    def get(self, field: str, **kwargs: Any) -> Any:
        data = self.pv(field).read(timeout=TIMEOUT, **kwargs).data
        return data[0] if len(data) == 1 else data

    def put(self, field: str, value: Any, timeout: float = TIMEOUT) -> None:
        self.pv(field).write([value], wait=True, timeout=timeout)

    def put_nowait(self, field: str, value: Any, timeout: float = 20.0) -> threading.Event:
        """Put with completion without waiting for it; the returned event is set on completion."""
        done = threading.Event()
        self._keep.append(done)
        self.pv(field).write([value], wait=False, callback=lambda response: done.set(), timeout=timeout)
        return done

    def monitor(self, field: str) -> list[float]:
        values: list[float] = []

        def record(sub: Any, response: Any) -> None:
            values.append(float(response.data[0]))

        sub = self.pv(field).subscribe()
        sub.add_callback(record)
        self._keep += [sub, record]
        wait_for(lambda: len(values) >= 1, TIMEOUT, f"first monitor event of {field}")
        return values


@pytest.fixture(scope="module")
def ctx(motors_prefix: str) -> Iterator[Context]:
    context = Context()
    yield context
    context.disconnect()


def restore(motor: Motor) -> None:
    """Defaults of the IOC, and the motor back at 0 (moved quickly)."""
    motor.put("STOP", 1)
    for field, value in [("SPMG", 3), ("SET", 0), ("DIR", 0), ("OFF", 0.0), ("FOFF", 0)]:
        motor.put(field, value)
    motor.put("DHLM", 100.0)
    motor.put("DLLM", -100.0)
    wait_for(lambda: motor.get("DMOV") == 1, TIMEOUT, "DMOV = 1")
    motor.put("VELO", 1000.0)
    motor.put("ACCL", 0.0)
    motor.put("VAL", 0.0, timeout=TIMEOUT)
    motor.put("VELO", 1.0)
    motor.put("ACCL", 0.5)


@pytest.fixture
def motor(ctx: Context, motors_prefix: str) -> Iterator[Motor]:
    """Motor 2 of the session IOC, restored afterwards."""
    m = Motor(ctx, motors_prefix + "mtr2")
    m.connect(*FIELDS)
    yield m
    restore(m)


def test_every_pv_answers(ctx: Context, motors_prefix: str) -> None:
    names = sorted(Motors(prefix=motors_prefix).pvdb)
    assert len(names) == 3 * 38
    for record in ("mtr1", "mtr2", "mtr3"):
        for field in ("", ".VAL", ".RBV", ".DMOV", ".HLM", ".SPMG", ".RTYP", ".SCAN"):
            assert motors_prefix + record + field in names
    pvs = ctx.get_pvs(*names, timeout=TIMEOUT)
    for pv in pvs:
        pv.wait_for_connection(timeout=TIMEOUT)
        pv.read(timeout=TIMEOUT)
    m = Motor(ctx, motors_prefix + "mtr3")
    assert m.get("RTYP") == b"motor" and m.get("DESC") == b"Simulated motor 3"
    assert m.get("EGU") == b"mm" and m.get("PREC") == 3
    assert (m.get("DMOV"), m.get("MOVN"), m.get("HLS"), m.get("LLS")) == (1, 0, 0, 0)


def test_read_only_fields_refuse_puts(motor: Motor) -> None:
    for field in ("RBV", "DRBV", "RRBV", "DMOV", "MOVN", "HLS", "LLS", "TDIR", "RTYP"):
        with pytest.raises(ErrorResponseReceived):
            sync_write(f"{motor.record}.{field}", 1 if field != "RTYP" else "x", notify=True, timeout=TIMEOUT)


def test_move_timing_and_done_moving_transitions(motor: Motor) -> None:
    motor.put("VELO", 1.0)
    motor.put("ACCL", 0.2)
    dmov, movn, rbv = motor.monitor("DMOV"), motor.monitor("MOVN"), motor.monitor("RBV")
    start = time.monotonic()
    motor.put("VAL", 1.0, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed <= 2.0
    wait_for(lambda: dmov[-1] == 1 and len(dmov) >= 3, TIMEOUT, "DMOV back to 1")
    assert dmov == [1, 0, 1]
    assert movn == [0, 1, 0]
    assert len(rbv) >= 12  # readback updated at least every 0.1 s (in fact every 0.02 s)
    assert rbv == sorted(rbv) and rbv[-1] == 1.0
    assert motor.get("RBV") == 1.0 and motor.get("DRBV") == 1.0 and motor.get("RRBV") == 1000
    assert motor.get("VAL") == 1.0 and motor.get("") == 1.0 and motor.get("TDIR") == 1


def test_bare_record_name_is_the_setpoint(motor: Motor) -> None:
    motor.put("VELO", 10.0)
    motor.put("ACCL", 0.05)
    motor.put("", -0.5, timeout=TIMEOUT)
    assert motor.get("RBV") == -0.5 and motor.get("VAL") == -0.5 and motor.get("DVAL") == -0.5
    motor.put("DVAL", 0.25, timeout=TIMEOUT)
    assert motor.get("RBV") == 0.25 and motor.get("") == 0.25


def test_soft_limits_refuse_moves_and_show_as_control_limits(motor: Motor) -> None:
    ctrl = motor.pv("VAL").read(data_type=ChannelType.CTRL_DOUBLE, timeout=TIMEOUT).metadata
    assert (ctrl.lower_ctrl_limit, ctrl.upper_ctrl_limit) == (-100.0, 100.0)
    for field in ("VAL", ""):
        with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
            sync_write(f"{motor.record}{'.' + field if field else ''}", 150.0, notify=True, timeout=TIMEOUT)
    motor.put("HLM", 5.0)
    assert motor.get("DHLM") == 5.0
    ctrl = motor.pv("").read(data_type=ChannelType.CTRL_DOUBLE, timeout=TIMEOUT).metadata
    assert ctrl.upper_ctrl_limit == 5.0
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(f"{motor.record}.VAL", 6.0, notify=True, timeout=TIMEOUT)
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(f"{motor.record}.DVAL", 6.0, notify=True, timeout=TIMEOUT)
    assert motor.get("RBV") == 0.0 and motor.get("DMOV") == 1 and motor.get("VAL") == 0.0
    motor.put("OFF", 2.0)  # the dial limits stay, the user limits follow the offset
    assert (motor.get("HLM"), motor.get("LLM"), motor.get("DHLM")) == (7.0, -98.0, 5.0)
    motor.put("DIR", 1)  # Neg: user = -dial + OFF
    assert (motor.get("HLM"), motor.get("LLM")) == (102.0, -3.0)
    assert motor.get("RBV") == 2.0


def test_stop_halts_a_move_short_of_its_target(motor: Motor) -> None:
    motor.put("VELO", 2.0)
    motor.put("ACCL", 0.1)
    done = motor.put_nowait("VAL", 10.0)
    wait_for(lambda: motor.get("RBV") > 0.5, TIMEOUT, "the motor to move")
    motor.put("STOP", 1)
    assert done.wait(TIMEOUT), "the VAL put did not complete after STOP"
    wait_for(lambda: motor.get("DMOV") == 1, TIMEOUT, "DMOV = 1")
    position = motor.get("RBV")
    assert 0.5 < position < 3.0
    assert motor.get("VAL") == position and motor.get("STOP") == 0 and motor.get("MOVN") == 0


def test_pause_keeps_the_target_and_go_resumes(motor: Motor) -> None:
    motor.put("VELO", 5.0)
    motor.put("ACCL", 0.05)
    done = motor.put_nowait("VAL", 3.0)
    wait_for(lambda: motor.get("RBV") > 0.5, TIMEOUT, "the motor to move")
    motor.put("SPMG", PAUSE)
    assert done.wait(TIMEOUT), "the VAL put did not complete after Pause"
    wait_for(lambda: motor.get("DMOV") == 1, TIMEOUT, "DMOV = 1")
    assert motor.get("RBV") < 3.0 and motor.get("VAL") == 3.0
    motor.put("SPMG", GO)
    wait_for(lambda: motor.get("DMOV") == 0, TIMEOUT, "the move to resume")
    wait_for(lambda: motor.get("DMOV") == 1, TIMEOUT, "the resumed move to end")
    assert motor.get("RBV") == 3.0
    motor.put("SPMG", STOP)
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(f"{motor.record}.VAL", 1.0, notify=True, timeout=TIMEOUT)


def test_new_target_during_a_move_retargets_it(motor: Motor) -> None:
    motor.put("VELO", 5.0)
    motor.put("ACCL", 0.05)
    first = motor.put_nowait("VAL", 4.0)
    wait_for(lambda: motor.get("RBV") > 0.5, TIMEOUT, "the motor to move")
    motor.put("VAL", -1.0, timeout=TIMEOUT)
    assert first.wait(TIMEOUT)
    assert motor.get("RBV") == -1.0 and motor.get("DMOV") == 1 and motor.get("TDIR") == 0


def test_set_mode_changes_offset_not_position(motor: Motor) -> None:
    movn = motor.monitor("MOVN")
    motor.put("SET", SET)
    motor.put("VAL", 5.0)
    assert motor.get("OFF") == 5.0 and motor.get("RBV") == 5.0 and motor.get("DRBV") == 0.0
    assert (motor.get("HLM"), motor.get("LLM")) == (105.0, -95.0)
    motor.put("FOFF", FROZEN)  # now SET redefines the dial position instead
    motor.put("VAL", 7.0)
    assert motor.get("OFF") == 5.0 and motor.get("DRBV") == 2.0 and motor.get("RBV") == 7.0
    motor.put("SET", USE)
    assert movn == [0] and motor.get("DMOV") == 1
    motor.put("SET", SET)  # undo the dial redefinition before restore() moves the motor
    motor.put("DVAL", 0.0)
    motor.put("SET", USE)


def test_hard_limit_switch_stops_travel(motor: Motor) -> None:
    motor.put("DHLM", 200.0)  # soft limits beyond the hard limit switch at dial 110
    motor.put("VELO", 200.0)
    motor.put("ACCL", 0.05)
    motor.put("VAL", 150.0, timeout=TIMEOUT)
    assert motor.get("RBV") == 110.0 and motor.get("HLS") == 1 and motor.get("LLS") == 0
    assert motor.get("VAL") == 110.0 and motor.get("DMOV") == 1
    motor.put("VAL", 100.0, timeout=TIMEOUT)
    assert motor.get("HLS") == 0


def test_homing_moves_to_dial_zero(motor: Motor) -> None:
    motor.put("VELO", 10.0)
    motor.put("ACCL", 0.05)
    motor.put("VAL", 2.0, timeout=TIMEOUT)
    motor.put("HOMR", 1, timeout=TIMEOUT)
    assert motor.get("DRBV") == 0.0 and motor.get("HOMR") == 0 and motor.get("DMOV") == 1


PYEPICS_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time
    import epics

    record = sys.argv[1]
    events = []
    dmov = epics.PV(record + ".DMOV", callback=lambda value=None, **kw: events.append(int(value)))
    assert dmov.wait_for_connection(timeout=5.0)
    deadline = time.monotonic() + 5.0
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    epics.caput(record + ".VELO", 2.0, wait=True, timeout=5.0)
    epics.caput(record + ".ACCL", 0.1, wait=True, timeout=5.0)
    start = time.monotonic()
    epics.caput(record + ".VAL", 1.0, wait=True, timeout=10.0)
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 5.0
    while (len(events) < 3 or events[-1] != 1) and time.monotonic() < deadline:
        time.sleep(0.01)
    rbv = epics.caget(record + ".RBV", use_monitor=False, timeout=5.0)
    print(json.dumps({"elapsed": elapsed, "events": events, "rbv": rbv}))
    """
)


def test_pyepics_move_with_completion(motor: Motor) -> None:
    data = run_json_script(PYEPICS_SCRIPT, motor.record)
    assert 0.5 <= data["elapsed"] <= 1.5  # 1 mm at 2 mm/s with 0.1 s ramps: 0.6 s
    assert data["events"] == [1, 0, 1]
    assert data["rbv"] == 1.0
