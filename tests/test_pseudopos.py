"""PseudoPositioner and PseudoSingle over soft real positioners, directly and under a bluesky RunEngine."""

from __future__ import annotations

import threading
import time
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine

from sophyd import (
    Component as Cpt,
)
from sophyd import (
    Device,
    Kind,
    LimitError,
    MotionError,
    MoveStatus,
    PseudoPositioner,
    PseudoSingle,
    Signal,
    SoftPositioner,
    StatusBase,
    StatusTimeoutError,
)
from sophyd._scheduler import call_later
from sophyd.pseudopos import pseudo_position_argument, real_position_argument
from sophyd.sim import SPseudo1x3, SPseudo3x3

TIMEOUT = 10.0


class SteppingPositioner(SoftPositioner):
    """A real axis that takes ``steps`` steps of ``dt`` seconds on the shared scheduler, logging its moves."""

    def __init__(
        self, *, steps: int = 4, dt: float = 0.02, log: list[tuple[str, str]] | None = None, **kw: Any
    ):
        self.steps, self.dt = steps, dt
        self.log = log if log is not None else []
        self.stuck = False  # never arrives
        init_pos = kw.pop("init_pos", None)
        super().__init__(**kw)
        self._set_position(init_pos)  # there at once, without a stepped move

    def _setup_move(self, position: Any, status: MoveStatus) -> None:
        start = self.position if self.position is not None else 0.0
        self.log.append(("start", self.attr_name))
        self._moving = True
        if self.stuck:
            return

        def step(i: int) -> None:
            if status.done or not self._moving:
                return
            self._set_position(start + (position - start) * i / self.steps)
            if i < self.steps:
                call_later(self.dt, step, i + 1)
            else:
                self._moving = False
                self.log.append(("done", self.attr_name))
                self._done_moving()

        call_later(self.dt, step, 1)

    def stop(self, *, success: bool = False) -> None:
        self.log.append(("stop", self.attr_name))
        self._moving = False
        super().stop(success=success)


class Slit(PseudoPositioner):
    """Gap and center over two blades: left = center - gap/2, right = center + gap/2."""

    gap = Cpt(PseudoSingle, limits=(0, 10), egu="mm", kind=Kind.hinted)
    center = Cpt(PseudoSingle, limits=(-5, 5), egu="mm", kind=Kind.hinted)
    left = Cpt(SteppingPositioner, init_pos=-1.0, limits=(-20, 20))
    right = Cpt(SteppingPositioner, init_pos=1.0, limits=(-20, 20))

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        half = pseudo_pos.gap / 2
        return self.RealPosition(left=pseudo_pos.center - half, right=pseudo_pos.center + half)

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(
            gap=real_pos.right - real_pos.left, center=(real_pos.right + real_pos.left) / 2
        )


def shared_log(slit: Slit) -> list[tuple[str, str]]:
    log: list[tuple[str, str]] = []
    slit.left.log = slit.right.log = log
    return log


def test_position_tuples_come_from_the_components() -> None:
    assert Slit.PseudoPosition._fields == ("gap", "center")
    assert Slit.RealPosition._fields == ("left", "right")
    pos = Slit.PseudoPosition(gap=3.0, center=4.0)
    assert pos - (1.0, 1.0) == Slit.PseudoPosition(2.0, 3.0)
    assert pos + {"gap": 1.0} == Slit.PseudoPosition(4.0, 4.0)
    assert abs(pos) == 5.0
    slit = Slit(name="slit")
    assert slit.position == Slit.PseudoPosition(gap=2.0, center=0.0)
    assert slit.real_position == Slit.RealPosition(-1.0, 1.0)
    assert slit.pseudo_positioners == (slit.gap, slit.center) and slit.real_positioners == (
        slit.left,
        slit.right,
    )
    assert slit.egu == "mm, mm" and slit.gap.egu == "mm" and slit.concurrent and not slit.sequential


def test_forward_and_inverse_accept_every_classic_form() -> None:
    slit = Slit(name="slit")
    expected = Slit.RealPosition(left=0.0, right=4.0)
    assert slit.forward(4.0, 2.0) == expected
    assert slit.forward((4.0, 2.0)) == expected
    assert slit.forward(Slit.PseudoPosition(4.0, 2.0)) == expected
    assert slit.forward(gap=4.0, center=2.0) == expected
    assert slit.forward({"gap": 4.0, "center": 2.0}) == expected
    assert slit.forward(center=2.0) == Slit.RealPosition(1.0, 3.0)  # gap from its target (2.0)
    assert slit.inverse(left=0.0, right=4.0) == Slit.PseudoPosition(4.0, 2.0)
    with pytest.raises(ValueError, match="3 values given for the 2 axes"):
        slit.forward(1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="both by position and by name"):
        slit.forward(1.0, center=2.0)
    with pytest.raises(ValueError, match="no position given"):
        slit.forward()


def test_concurrent_move_starts_every_real_before_any_arrives() -> None:
    slit = Slit(name="slit")
    log = shared_log(slit)
    status = slit.move(4.0, 1.0, wait=False)
    assert isinstance(status, MoveStatus) and not status.done
    status.wait(TIMEOUT)
    assert log[:2] == [("start", "left"), ("start", "right")]
    assert slit.position == pytest.approx(Slit.PseudoPosition(4.0, 1.0))
    assert slit.real_position == pytest.approx(Slit.RealPosition(-1.0, 3.0))
    assert slit.target == (4.0, 1.0) and slit.gap.target == 4.0


def test_sequential_move_moves_reals_in_component_order() -> None:
    slit = Slit(name="slit", concurrent=False)
    log = shared_log(slit)
    slit.move(gap=6.0, timeout=TIMEOUT)
    assert log == [("start", "left"), ("done", "left"), ("start", "right"), ("done", "right")]
    assert slit.position == pytest.approx(Slit.PseudoPosition(6.0, 0.0))


def test_set_of_one_axis_holds_the_others_at_their_target() -> None:
    slit = Slit(name="slit")
    slit.move(2.0, 3.0)
    status = slit.gap.set(5.0)
    assert isinstance(status, MoveStatus) and status.pos is slit.gap and status.target == 5.0
    status.wait(TIMEOUT)
    assert slit.position == pytest.approx(Slit.PseudoPosition(5.0, 3.0))
    slit.center.move(-1.0)
    assert slit.position == pytest.approx(Slit.PseudoPosition(5.0, -1.0))
    assert slit.center.position == pytest.approx(-1.0) and slit.gap.position == pytest.approx(5.0)


def test_targets_auto_target_and_sync() -> None:
    slit = Slit(name="slit", auto_target=False)
    slit.left.move(-3.0)  # the blades move without the slit: the targets follow the position until commanded
    assert slit.gap.target == pytest.approx(4.0) and slit.center.target == pytest.approx(-1.0)
    slit.gap.move(5.0)
    slit.left.move(-4.0)
    assert slit.gap.target == 5.0 and slit.center.target == pytest.approx(-1.25)  # commanded; not commanded
    slit.gap.sync()
    assert slit.gap.target == pytest.approx(slit.gap.position) == pytest.approx(5.5)
    slit.gap.move(3.0)
    slit.move(2.0, 0.0)  # without auto_target a whole-device move leaves the commanded targets alone
    assert slit.gap.target == 3.0 and slit.gap.position == pytest.approx(2.0)
    with_auto = Slit(name="auto")
    with_auto.move(2.0, 0.5)
    assert with_auto.target == (2.0, 0.5)


def test_limits_refuse_before_anything_moves() -> None:
    slit = Slit(name="slit")
    log = shared_log(slit)
    assert slit.limits == ((0, 10), (-5, 5)) and slit.gap.limits == (0, 10)
    assert slit.low_limit == (0, -5) and slit.high_limit == (10, 5)
    with pytest.raises(LimitError, match=r"slit_gap.*11.*\[0, 10\]"):
        slit.gap.set(11.0)
    with pytest.raises(LimitError, match="center"):
        slit.move(2.0, 6.0)
    with pytest.raises(LimitError):
        slit.gap.check_value(-1.0)
    # Within the pseudo limits, but a real blade would leave its own limits (-20, 20).
    slit.left._limits = (-2.0, 20.0)
    with pytest.raises(LimitError, match="slit_left"):
        slit.move(8.0, 0.0)
    assert log == [] and slit.position == pytest.approx(Slit.PseudoPosition(2.0, 0.0))
    assert slit.gap.target == 2.0  # a refused move changes no target
    # A position that cannot be compared with the limits: classic's TypeError, naming the axis and the value
    with pytest.raises(TypeError, match=r"slit_gap.*position None"):
        slit.gap.set(None)
    assert log == []


def test_a_failed_real_move_fails_the_pseudo_move() -> None:
    slit = Slit(name="slit")
    slit.right.stuck = True
    status = slit.move(3.0, 0.0, wait=False)
    slit.right.stop()  # the right blade's move ends as a failure
    with pytest.raises(MotionError, match=r"'slit'.*slit_right") as info:
        status.wait(TIMEOUT)
    assert isinstance(info.value.__cause__, MotionError)


def test_stop_stops_every_real_and_ends_the_move() -> None:
    slit = Slit(name="slit", concurrent=False)
    log = shared_log(slit)
    slit.left.stuck = True
    status = slit.move(4.0, 0.0, wait=False)
    slit.stop()
    with pytest.raises(MotionError, match="stopped"):
        status.wait(TIMEOUT)
    assert ("stop", "left") in log and ("stop", "right") in log
    assert ("start", "right") not in log  # the queued real never started
    slit.left.stuck = False
    paused = slit.gap.set(3.0)
    slit.left.stuck = True
    slit.gap.stop(success=True)  # a pause ends the move as a success
    paused.wait(TIMEOUT)
    assert paused.success


def test_timeout_fails_a_move_that_does_not_arrive() -> None:
    slit = Slit(name="slit", timeout=0.2)
    slit.left.stuck = True
    status = slit.move(3.0, 0.0, wait=False)
    with pytest.raises(StatusTimeoutError):
        status.wait(TIMEOUT)


def test_readback_updates_reach_the_pseudo_axes_and_watchers() -> None:
    slit = Slit(name="slit")
    gaps: list[float] = []
    values: list[float] = []
    slit.gap.subscribe(lambda value, **kw: gaps.append(value), run=False)
    slit.gap.readback.subscribe(lambda value, **kw: values.append(value), run=False)
    reports: list[dict[str, Any]] = []
    status = slit.gap.set(6.0)
    status.watch(lambda **kw: reports.append(kw))
    status.wait(TIMEOUT)
    assert gaps[-1] == pytest.approx(6.0) and len(gaps) >= 4 and values == gaps
    assert reports and reports[0]["name"] == "slit_gap" and reports[0]["target"] == 6.0
    fractions = [r["fraction"] for r in reports]
    assert fractions == sorted(fractions, reverse=True) and fractions[-1] == pytest.approx(0.0)
    assert all(2.0 <= r["current"] <= 6.0 for r in reports)


def test_whole_device_move_reports_progress_as_classic() -> None:
    """bps.mv(pseudo, position) with a progress bar: the MoveStatus of the PseudoPositioner itself reports
    every readback update with the positions as tuples and no fraction, as classic ophyd's does (bluesky's
    progress bar measures tuple distances itself)."""
    RE = RunEngine({})
    slit = Slit(name="slit")
    reports: list[dict[str, Any]] = []

    def hook(statuses: Any) -> None:
        for status in statuses or ():
            status.watch(lambda **kw: reports.append(kw))

    RE.waiting_hook = hook
    RE(bps.mv(slit, (6.0, 1.0)))
    assert slit.position == pytest.approx((6.0, 1.0))
    assert reports and {r["name"] for r in reports} == {"slit"}
    assert all(r["fraction"] is None and r["time_remaining"] is None for r in reports)
    assert tuple(reports[0]["target"]) == (6.0, 1.0) and tuple(reports[0]["initial"]) == pytest.approx(
        (2.0, 0.0)
    )
    gaps = [r["current"].gap for r in reports]
    assert any(2.0 < gap < 6.0 for gap in gaps)  # updates during the move, not only at its end
    assert gaps == sorted(gaps)


def test_read_describe_and_hints() -> None:
    slit = Slit(name="slit")
    assert slit.hints == {"fields": ["slit_gap", "slit_center"]}
    reading = slit.read()
    assert reading["slit_gap"]["value"] == pytest.approx(2.0)
    assert reading["slit_gap_setpoint"]["value"] == pytest.approx(2.0)
    assert reading["slit_left"]["value"] == -1.0
    key = slit.describe()["slit_gap"]
    assert key["units"] == "mm" and key["limits"]["control"] == {"low": 0, "high": 10}
    assert slit.gap.hints == {"fields": ["slit_gap"]}


def test_axis_describe_names_its_limits_and_units_as_classic() -> None:
    """A pseudo axis' readback and setpoint keys carry lower/upper_ctrl_limit and units, as classic ophyd's do
    (as an EpicsSignal's do), also for an axis without limits."""

    class Scaled(PseudoPositioner):
        angle = Cpt(PseudoSingle, egu="urad")  # no limits
        motor = Cpt(SoftPositioner, init_pos=0.0)

        def forward(self, pseudo_pos: Any) -> Any:
            return self.RealPosition(motor=pseudo_pos[0] / 2)

        def inverse(self, real_pos: Any) -> Any:
            return self.PseudoPosition(angle=real_pos[0] * 2)

    desc = Slit(name="slit").describe()
    for key in ("slit_gap", "slit_gap_setpoint"):
        assert (desc[key]["lower_ctrl_limit"], desc[key]["upper_ctrl_limit"], desc[key]["units"]) == (
            0,
            10,
            "mm",
        )
    assert (desc["slit_center"]["lower_ctrl_limit"], desc["slit_center"]["upper_ctrl_limit"]) == (-5, 5)
    unbounded = Scaled(name="scaled").describe()["scaled_angle"]
    assert (unbounded["lower_ctrl_limit"], unbounded["upper_ctrl_limit"], unbounded["units"]) == (
        0,
        0,
        "urad",
    )


def test_axis_move_status_has_the_parents_timeout_unless_given_one() -> None:
    """PseudoSingle.set() moves the parent, so its status' timeout is the parent's (classic returned the
    parent's status), unless the axis has its own or the call gives one."""
    slit = Slit(name="slit", timeout=25.0)
    assert slit.gap.set(3.0).timeout == 25.0
    assert slit.gap.set(4.0, timeout=7.0).timeout == 7.0
    slit.center.timeout = 9.0
    assert slit.center.set(0.5).timeout == 9.0


class DeviceAxis(Device):
    """A device that moves without being a positioner: only set(), position and a readback signal."""

    readback = Cpt(Signal, value=0.0, kind="hinted")

    @property
    def position(self) -> float:
        return float(self.readback.get())

    def set(self, value: float, **kwargs: Any) -> StatusBase:
        return self.readback.set(value)


class Doubler(PseudoPositioner):
    twice = Cpt(PseudoSingle)
    axis = Cpt(DeviceAxis)

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        return self.RealPosition(axis=pseudo_pos.twice / 2)

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(twice=real_pos.axis * 2)


def test_a_device_with_set_and_position_is_a_real_axis() -> None:
    doubler = Doubler(name="d")
    assert Doubler._real_names == ("axis",) and not doubler.moving
    doubler.twice.set(3.0).wait(TIMEOUT)
    assert doubler.axis.position == 1.5 and doubler.twice.position == 3.0


def test_pseudopositioner_must_be_subclassed_with_axes() -> None:
    with pytest.raises(TypeError, match="subclassed"):
        PseudoPositioner(name="p")

    class NoReals(PseudoPositioner):
        p = Cpt(PseudoSingle)

    with pytest.raises(ValueError, match="at least one PseudoSingle and one real"):
        NoReals(name="n")


def test_synthetic_pseudo_positioners() -> None:
    p3 = SPseudo3x3(name="p3")
    p3.move(1.0, 2.0, 3.0)
    assert p3.real_position == (-1.0, -2.0, -3.0)
    assert p3.hints == {"fields": ["p3_pseudo1", "p3_pseudo2", "p3_pseudo3"]}
    assert p3.egu == "a, b, c"
    p1 = SPseudo1x3(name="p1")
    p1.pseudo1.move(4.0)
    assert p1.real_position == (-4.0, -4.0, -4.0) and p1.position == (4.0,)
    with pytest.raises(LimitError):
        p1.pseudo1.set(10.5)


def test_run_engine_scans_and_mv_with_progress() -> None:
    RE = RunEngine({})
    slit = Slit(name="slit")
    det = Signal(name="det", value=1.0)
    docs: list[tuple[str, dict[str, Any]]] = []
    reports: list[dict[str, Any]] = []
    watched = threading.Event()

    def hook(statuses: Any) -> None:
        for status in statuses or ():
            status.watch(lambda **kw: (reports.append(kw), watched.set()))

    RE.waiting_hook = hook
    RE(bps.mv(slit.gap, 5.0))
    assert slit.gap.position == pytest.approx(5.0)
    assert watched.is_set() and {r["name"] for r in reports} == {"slit_gap"}
    assert any(2.0 < r["current"] < 5.0 for r in reports)  # updates during the move, not only at its end
    RE.waiting_hook = None
    RE(bp.scan([det], slit.center, -1.0, 1.0, 3), lambda name, doc: docs.append((name, doc)))
    events = [doc for name, doc in docs if name == "event"]
    assert [e["data"]["slit_center"] for e in events] == pytest.approx([-1.0, 0.0, 1.0])
    assert [e["data"]["slit_center_setpoint"] for e in events] == pytest.approx([-1.0, 0.0, 1.0])
    assert slit.gap.position == pytest.approx(5.0)  # held at its target while the center moved
    start = next(doc for name, doc in docs if name == "start")
    assert list(start["motors"]) == ["slit_center"]
    p3 = SPseudo3x3(name="p3")
    docs.clear()
    RE(
        bp.grid_scan([det], p3.pseudo1, -1, 1, 2, p3.pseudo2, -2, 2, 2),
        lambda name, doc: docs.append((name, doc)),
    )
    data = [doc["data"] for name, doc in docs if name == "event"]
    assert [(d["p3_pseudo1"], d["p3_pseudo2"]) for d in data] == [(-1, -2), (-1, 2), (1, -2), (1, 2)]
    assert [d["p3_real2"] for d in data] == [2, -2, 2, -2]


def test_slow_callbacks_do_not_block_the_move() -> None:
    """A subscriber on the pseudo axis runs on the real's thread; a move still completes in time."""
    slit = Slit(name="slit")
    slit.gap.subscribe(lambda **kw: time.sleep(0.001), run=False)
    t0 = time.monotonic()
    slit.gap.move(3.0, timeout=TIMEOUT)
    assert time.monotonic() - t0 < TIMEOUT and slit.gap.position == pytest.approx(3.0)
