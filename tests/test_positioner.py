"""PositionerBase and SoftPositioner: the classic positioner API, soft, and under a real RunEngine."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from bluesky import protocols as bpr
from bluesky.utils import RunEngineInterrupted

from sophyd import (
    Kind,
    LimitError,
    MotionError,
    MoveStatus,
    PositionerBase,
    Signal,
    SoftPositioner,
    StatusTimeoutError,
)
from sophyd._scheduler import call_later

TIMEOUT = 10.0


class SteppingPositioner(SoftPositioner):
    """Moves in ``steps`` steps of ``dt`` seconds on the shared scheduler (no thread of its own)."""

    def __init__(self, *, steps: int = 5, dt: float = 0.02, **kwargs: Any) -> None:
        self.steps, self.dt = steps, dt
        self.stopped = 0
        super().__init__(**kwargs)

    def _setup_move(self, position: Any, status: MoveStatus) -> None:
        start = self.position if self.position is not None else 0.0
        self._run_subs(sub_type=self.SUB_START, timestamp=time.time())
        self._moving = True

        def step(i: int) -> None:
            if status.done or self._moving is False:
                return
            self._set_position(start + (position - start) * i / self.steps)
            if i < self.steps:
                call_later(self.dt, step, i + 1)
            else:
                self._moving = False
                self._done_moving()

        call_later(self.dt, step, 1)

    def stop(self, *, success: bool = False) -> None:
        self.stopped += 1
        self._moving = False
        super().stop(success=success)


def _collect(RE: RunEngine) -> list[tuple[str, dict[str, Any]]]:
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    return docs


# -- PositionerBase -----------------------------------------------------------------------------------------
def test_base_defaults_and_settings() -> None:
    pos = PositionerBase(name="p")
    assert (pos.SUB_START, pos.SUB_DONE, pos.SUB_READBACK) == ("start_moving", "done_moving", "readback")
    assert pos._default_sub == pos.SUB_READBACK
    assert set(pos.event_types) >= {"start_moving", "done_moving", "readback"}
    assert pos.position is None and pos.moving is False
    assert pos.limits == (0, 0) and pos.low_limit == 0 and pos.high_limit == 0
    assert pos.settle_time == 0.0 and pos.timeout is None
    with pytest.raises(NotImplementedError):
        pos.egu  # noqa: B018
    pos.settle_time = 0.5
    pos.timeout = 3
    assert pos.settle_time == 0.5 and pos.timeout == 3.0 and isinstance(pos.timeout, float)
    pos.timeout = None
    assert pos.timeout is None
    for bad in (0, -1, float("nan"), float("inf"), "soon"):
        with pytest.raises(ValueError, match=r"'p'.*timeout"):
            pos.timeout = bad
    with pytest.raises(ValueError, match=r"'p'.*settle_time"):
        pos.settle_time = -1
    with pytest.raises(ValueError, match="timeout"):
        PositionerBase(name="q", timeout=-2)
    assert PositionerBase(name="r", settle_time=0.25, timeout=7).timeout == 7.0


def test_base_move_is_completed_by_done_moving() -> None:
    pos = PositionerBase(name="p")
    done_events: list[dict[str, Any]] = []
    pos.subscribe(lambda **kw: done_events.append(kw), event_type=pos.SUB_DONE, run=False)
    status = pos.move(3.0)
    assert isinstance(status, MoveStatus) and not status.done
    pos._set_position(3.0)
    assert pos.position == 3.0
    pos._done_moving(value=3.0)
    status.wait(TIMEOUT)
    assert status.success
    assert len(done_events) == 1 and done_events[0]["value"] == 3.0 and done_events[0]["obj"] is pos
    pos._done_moving()  # nothing pending: harmless
    assert len(done_events) == 2


def test_base_done_moving_failure_fails_the_move() -> None:
    pos = PositionerBase(name="p")
    status = pos.move(1.0)
    pos._done_moving(success=False)
    with pytest.raises(MotionError, match=r"'p'.*1.0"):
        status.wait(TIMEOUT)


def test_base_stop_success_true_completes_and_false_fails() -> None:
    pos = PositionerBase(name="p")
    paused = pos.set(1.0)
    pos.stop(success=True)  # what bluesky does on pause
    paused.wait(TIMEOUT)
    assert paused.success
    stopped = pos.set(2.0)
    pos.stop()
    with pytest.raises(MotionError, match="stopped"):
        stopped.wait(TIMEOUT)


def test_base_new_move_fails_the_pending_one() -> None:
    pos = PositionerBase(name="p")
    first = pos.move(1.0)
    second = pos.move(2.0)
    with pytest.raises(
        MotionError, match=r"'p': the move to 1\.0 did not complete: superseded by a move to 2\.0"
    ):
        first.wait(TIMEOUT)
    assert not second.done
    pos._done_moving()
    second.wait(TIMEOUT)
    assert second.success and first.done and not first.success


def test_base_move_timeout_fails_the_status() -> None:
    pos = PositionerBase(name="p", timeout=0.1)
    status = pos.move(1.0)
    with pytest.raises(StatusTimeoutError):
        status.wait(TIMEOUT)
    pos._done_moving()  # the late completion is ignored, not an error
    quick = pos.move(2.0, timeout=5.0)  # a per-move timeout overrides the default
    assert quick.timeout == 5.0
    pos._done_moving()
    quick.wait(TIMEOUT)


@pytest.mark.parametrize("timeout", [0, -1, -0.5, float("nan"), "x"])
def test_invalid_move_timeout_refused_before_anything_happens(timeout: Any) -> None:
    pos = SoftPositioner(name="p", init_pos=0.0)
    starts: list[Any] = []
    pos.subscribe(lambda **kw: starts.append(kw), event_type=pos.SUB_START, run=False)
    pending = SteppingPositioner(name="s", init_pos=0.0)
    pending_status = pending.set(1.0)
    with pytest.raises(ValueError, match=r"'p'.*timeout"):
        pos.move(5.0, timeout=timeout)
    with pytest.raises(ValueError, match=r"'p'.*timeout"):
        pos.set(5.0, timeout=timeout)
    with pytest.raises(ValueError, match=r"'s'.*timeout"):
        pending.set(2.0, timeout=timeout)
    assert pos.position == 0.0 and starts == []
    pending_status.wait(TIMEOUT)  # the pending move was not disturbed by the refused one
    assert pending_status.success and pending.position == 1.0


def test_moved_cb_gets_status_and_obj() -> None:
    pos = SoftPositioner(name="p")
    calls: list[tuple[Any, Any]] = []
    status = pos.move(1.5, moved_cb=lambda status, obj: calls.append((status, obj)))
    assert calls == [(status, pos)]
    pos.set(2.5, moved_cb=lambda status, obj: calls.append((status, obj))).wait(TIMEOUT)
    assert len(calls) == 2 and calls[1][1] is pos


# -- SoftPositioner -----------------------------------------------------------------------------------------
def test_soft_positioner_moves_at_once_and_runs_subscriptions() -> None:
    pos = SoftPositioner(name="sp", egu="mm", limits=(-10, 10))
    events: list[str] = []
    readbacks: list[Any] = []
    pos.subscribe(lambda **kw: events.append(kw["sub_type"]), event_type=pos.SUB_START, run=False)
    pos.subscribe(lambda **kw: events.append(kw["sub_type"]), event_type=pos.SUB_DONE, run=False)
    pos.subscribe(lambda value=None, **kw: readbacks.append(value), run=False)  # the default: readback
    status = pos.move(4.0)
    assert status.done and status.success
    assert events == ["start_moving", "done_moving"] and readbacks == [4.0]
    assert pos.position == 4.0 and not pos.moving
    status = pos.set(-2.0)
    assert isinstance(status, MoveStatus) and status.success and pos.position == -2.0
    assert pos.egu == "mm" and pos.limits == (-10, 10) and (pos.low_limit, pos.high_limit) == (-10, 10)
    seen: list[Any] = []
    pos.subscribe(lambda value=None, **kw: seen.append(value))  # run=True replays the last readback
    assert seen == [-2.0]


def test_soft_positioner_limits_checked_before_anything_moves() -> None:
    pos = SoftPositioner(name="sp", limits=(-1, 1), init_pos=0.5)
    starts: list[Any] = []
    pos.subscribe(lambda **kw: starts.append(kw), event_type=pos.SUB_START, run=False)
    for target in (1.5, -1.01):
        with pytest.raises(LimitError, match=r"'sp'.*outside the limits \[-1, 1\]"):
            pos.set(target)
    with pytest.raises(LimitError):
        pos.check_value(2)
    pos.check_value(1)  # the limits are inclusive
    assert pos.position == 0.5 and starts == []
    free = SoftPositioner(name="free")  # (0, 0): no limits
    free.move(1e9)
    assert free.position == 1e9
    with pytest.raises(LimitError):
        SoftPositioner(name="bad", limits=(0, 1), init_pos=5)


def test_soft_positioner_init_pos_read_describe() -> None:
    pos = SoftPositioner(name="sp", egu="deg", limits=(-5, 5), source="computed:angle", init_pos=1.25)
    assert pos.position == 1.25
    before = time.time()
    reading = pos.read()
    assert list(reading) == ["sp"] and reading["sp"]["value"] == 1.25
    assert reading["sp"]["timestamp"] >= before
    key = pos.describe()["sp"]
    assert key["source"] == "computed:angle" and key["dtype"] == "number" and key["shape"] == []
    assert key["units"] == "deg"
    assert (key["lower_ctrl_limit"], key["upper_ctrl_limit"]) == (-5, 5)  # type: ignore[typeddict-item]
    assert pos.read_configuration() == {} and pos.describe_configuration() == {}
    assert SoftPositioner(name="none").position is None


def test_soft_positioner_hints_follow_kind() -> None:
    pos = SoftPositioner(name="sp")
    assert pos.kind == Kind.normal and pos.hints == {"fields": []}
    pos.kind = Kind.hinted
    assert pos.hints == {"fields": ["sp"]}
    assert SoftPositioner(name="h", kind="hinted").hints == {"fields": ["h"]}


def test_soft_positioner_settle_time_delays_success() -> None:
    pos = SoftPositioner(name="sp", settle_time=0.2)
    start = time.monotonic()
    status = pos.set(1.0)
    assert not status.done  # settling on the shared scheduler
    status.wait(TIMEOUT)
    assert time.monotonic() - start >= 0.19
    pos.settle_time = 0
    assert pos.set(2.0).done


def test_soft_positioner_copy_repr_report() -> None:
    pos = SoftPositioner(name="sp", egu="mm", limits=(-3, 3), settle_time=0.1, timeout=4, init_pos=1.0)
    text = repr(pos)
    assert text.startswith("SoftPositioner(") and "name='sp'" in text and "limits=(-3, 3)" in text
    clone = copy.copy(pos)
    assert type(clone) is SoftPositioner and clone is not pos
    assert (clone.name, clone.egu, clone.limits, clone.settle_time, clone.timeout, clone.source) == (
        "sp",
        "mm",
        (-3, 3),
        0.1,
        4.0,
        "computed",
    )
    assert pos.report == {"position": 1.0}


def test_move_waits_for_a_slow_positioner_and_watch_reports_progress() -> None:
    pos = SteppingPositioner(name="st", egu="mm", init_pos=0.0, steps=5, dt=0.02)
    threads_before = threading.active_count()
    reports: list[dict[str, Any]] = []
    status = pos.set(5.0)
    status.watch(lambda **kw: reports.append(kw))
    assert not status.done
    status.wait(TIMEOUT)
    assert pos.position == 5.0 and status.success
    assert threading.active_count() <= threads_before + 1  # at most the shared scheduler/dispatcher
    assert [r["current"] for r in reports][-1] == 5.0 or reports[-1]["current"] >= 4.0
    fractions = [r["fraction"] for r in reports]
    assert fractions == sorted(fractions, reverse=True) and len(fractions) >= 3
    assert {r["name"] for r in reports} == {"st"} and reports[0]["unit"] == "mm"
    pos.move(1.0)  # wait=True blocks until the stepping ends
    assert pos.position == 1.0


def test_set_with_wait_true_blocks_until_the_move_ends() -> None:
    """classic's PositionerBase.set(..., wait=True) passes wait on; sophyd's base move() accepts it."""
    pos = SteppingPositioner(name="st", init_pos=0.0, steps=3, dt=0.02)
    status = pos.set(2.0, wait=True)
    assert status.done and status.success and pos.position == 2.0


def test_stop_of_a_slow_move() -> None:
    pos = SteppingPositioner(name="st", steps=50, dt=0.02)
    pos.move(0.0)
    moved = threading.Event()
    pos.subscribe(lambda value=None, **kw: value and moved.set(), run=False)
    status = pos.set(10.0)
    assert moved.wait(TIMEOUT)
    pos.stop()
    with pytest.raises(MotionError, match=r"'st'.*stopped"):
        status.wait(TIMEOUT)
    assert 0.0 < pos.position < 10.0
    status = pos.set(10.0)
    pos.stop(success=True)
    status.wait(TIMEOUT)
    # Two stop() calls of ours, and one more from the MoveStatus the first one failed: a failing DeviceStatus
    # stops its device, as in classic ophyd. The successful (paused) move stops nothing more.
    assert status.success and pos.stopped == 3


# -- under the RunEngine ------------------------------------------------------------------------------------
def test_protocols() -> None:
    pos = SoftPositioner(name="sp")
    for protocol in (bpr.Movable, bpr.Readable, bpr.Stoppable, bpr.HasHints, bpr.HasName, bpr.Subscribable):
        assert isinstance(pos, protocol), protocol


def test_run_engine_mv_and_scan(RE: RunEngine) -> None:
    docs = _collect(RE)
    motor = SoftPositioner(name="motor", egu="mm", limits=(-5, 5), init_pos=0.0, kind="hinted")
    det = Signal(name="det", value=0.0)
    motor.subscribe(lambda value=None, **kw: det.put(2 * value), run=False)
    RE(bps.mv(motor, 2.0))
    assert motor.position == 2.0
    RE(bp.scan([det], motor, -1, 1, 5))
    events = [doc for name, doc in docs if name == "event"]
    assert [e["data"]["motor"] for e in events] == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert [e["data"]["det"] for e in events] == [-2.0, -1.0, 0.0, 1.0, 2.0]
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["data_keys"]["motor"]["units"] == "mm"
    start = next(doc for name, doc in docs if name == "start")
    assert start["hints"]["dimensions"] == [(["motor"], "primary")]
    with pytest.raises(LimitError):
        RE(bps.mv(motor, 10.0))


def test_run_engine_pause_resume_of_a_moving_positioner(RE: RunEngine) -> None:
    """bluesky stops movers with success=True on pause; resuming then completes every point."""
    docs = _collect(RE)
    motor = SteppingPositioner(name="motor", init_pos=0.0, steps=10, dt=0.03)
    det = Signal(name="det", value=0.0)

    requested: list[bool] = []

    def pause_mid_move(value: Any = None, **kw: Any) -> None:
        if not requested and value is not None and 1.2 < value < 1.8:  # between the 2nd and 3rd points
            requested.append(True)
            # request_pause blocks on the RunEngine's loop, so it must come from another thread (as SIGINT does)
            threading.Thread(target=RE.request_pause).start()

    motor.subscribe(pause_mid_move, run=False)
    with pytest.raises(RunEngineInterrupted):
        RE(bp.scan([det], motor, 0, 3, 4))
    assert motor.stopped >= 1 and requested
    RE.resume()
    events = [doc for name, doc in docs if name == "event"]
    stop = next(doc for name, doc in docs if name == "stop")
    assert stop["exit_status"] == "success"
    assert [e["data"]["motor"] for e in events] == [0.0, 1.0, 2.0, 3.0]
    assert [e["seq_num"] for e in events] == [1, 2, 3, 4]


def test_run_engine_progress_bar_follows_the_move(RE: RunEngine) -> None:
    """bluesky's progress bar watches the MoveStatus: it gets every keyword it needs, in order."""
    from bluesky.utils import ProgressBar, ProgressBarManager

    updates: list[dict[str, Any]] = []

    class RecordingBar(ProgressBar):  # type: ignore[misc]
        def update(self, pos: int, **kwargs: Any) -> None:
            updates.append(kwargs)
            super().update(pos, **kwargs)

    RE.waiting_hook = ProgressBarManager(RecordingBar)
    motor = SteppingPositioner(name="motor", egu="mm", steps=10, dt=0.02)
    motor.move(0.0)
    RE(bps.mv(motor, 5.0))
    assert motor.position == 5.0
    moving = [u for u in updates if u.get("current") is not None]
    assert len(moving) >= 3 and {u["name"] for u in moving} == {"motor"}
    assert all(u["target"] == 5.0 and u["unit"] == "mm" for u in moving)
    fractions = [u["fraction"] for u in moving]
    assert fractions == sorted(fractions, reverse=True)


def test_a_device_positioner_emits_both_kinds_of_events() -> None:
    """Device + PositionerBase (as EpicsMotor and PseudoPositioner are): both sets of event types."""
    from sophyd import Device

    class DevicePositioner(Device, SoftPositioner):
        """A device that is also a soft positioner."""

    pos = DevicePositioner(name="dp")
    assert {"readback", "start_moving", "done_moving", "acq_done"} <= set(pos.event_types)
    pos.move(2.0)
    assert pos.position == 2.0
