"""SignalPositionerMixin and EpicsSignalPositioner: signals moved as positioners, soft and over Channel Access."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from helpers import TIMEOUT, Events, wait_for

from sophyd import (
    LimitError,
    MotionError,
    PutFailedError,
    ReadOnlyError,
    Signal,
    SignalRO,
    Status,
    StatusTimeoutError,
)
from sophyd.mixins import EpicsSignalPositioner, SignalPositionerMixin


class SoftSignalPositioner(SignalPositionerMixin, Signal):
    """A soft signal as a positioner; its set() finishes at once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(set_func=Signal.set, **kwargs)


class HeldSet:
    """A set_func whose statuses stay pending until the test finishes them: hardware that is still moving."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Status]] = []

    def __call__(self, signal: Signal, value: Any, *, timeout: Any = None, settle_time: Any = None) -> Status:
        status = Status(signal, timeout=timeout)
        self.calls.append((value, status))
        return status

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return lambda *args, **kwargs: self(obj, *args, **kwargs)


class SlowSignalPositioner(SignalPositionerMixin, Signal):
    """A soft signal as a positioner whose moves end when the test says so."""


def test_soft_move_runs_start_done_and_readback_events() -> None:
    pos = SoftSignalPositioner(name="pos", egu="mm")
    events = Events()
    for event_type in (pos.SUB_START, pos.SUB_DONE, pos.SUB_READBACK):
        pos.subscribe(events, event_type=event_type, run=False)
    status = pos.move(2.5)  # waits by default, as classic's mixin
    assert status.done and status.success
    assert (pos.position, pos.get(), pos.egu) == (2.5, 2.5, "mm")
    kinds = [event["sub_type"] for event in events.events]
    assert kinds == [pos.SUB_START, pos.SUB_READBACK, pos.SUB_DONE]
    assert events.events[1]["value"] == 2.5
    assert events.events[2]["value"] is None  # SUB_DONE carries no value, as classic's mixin
    assert not pos.moving
    assert "egu='mm'" in repr(pos) and "hold_on_stop=False" in repr(pos)


def test_soft_move_without_wait_and_set_return_a_move_status() -> None:
    pos = SoftSignalPositioner(name="pos")
    done: list[Any] = []
    status = pos.move(1.0, wait=False, moved_cb=lambda status, obj: done.append(obj))
    status.wait(TIMEOUT)
    assert status.success and status.target == 1.0 and done == [pos]
    status = pos.set(-4.0)
    status.wait(TIMEOUT)
    assert status.success and pos.position == -4.0 and status.finish_pos == -4.0


def test_moved_cb_gets_obj_and_the_status_only_if_it_needs_it() -> None:
    """As classic's mixin: ``moved_cb(obj=pos)``, with no deprecation warning; a callback that needs the status
    (the signature other positioners call, ``cb(status, *, obj)``) gets it first."""
    pos = SoftSignalPositioner(name="pos")
    calls: list[tuple[Any, ...]] = []

    def any_args(*args: Any, **kwargs: Any) -> None:
        calls.append(("any", args, kwargs))

    def obj_only(*, obj: Any) -> None:
        calls.append(("obj_only", obj))

    def with_status(status: Status, *, obj: Any) -> None:
        calls.append(("with_status", status, obj))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = pos.move(1.0, moved_cb=any_args)
        pos.move(2.0, moved_cb=obj_only)
        third = pos.move(3.0, moved_cb=with_status)
    assert calls == [("any", (), {"obj": pos}), ("obj_only", pos), ("with_status", third, pos)]
    assert first.success and third.success


def test_soft_positioner_in_plans(RE: RunEngine) -> None:
    pos = SoftSignalPositioner(name="pos")
    RE(bps.mv(pos, 7.0))
    assert pos.position == 7.0
    events: list[dict[str, Any]] = []
    RE(bp.scan([pos], pos, 0, 2, 3), lambda name, doc: events.append(doc) if name == "event" else None)
    assert [event["data"]["pos"] for event in events] == [0.0, 1.0, 2.0]


def test_watch_reports_progress_of_a_pending_move() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held, egu="V")
    status = pos.move(10.0, wait=False)
    assert pos.moving and not status.done
    reports: list[dict[str, Any]] = []
    status.watch(lambda **kw: reports.append(kw))
    pos.put(5.0)  # the hardware halfway
    assert reports[-1]["current"] == 5.0 and reports[-1]["target"] == 10.0 and reports[-1]["unit"] == "V"
    assert reports[-1]["fraction"] == pytest.approx(0.5)
    pos.put(10.0)
    held.calls[-1][1].set_finished()
    status.wait(TIMEOUT)
    assert status.success and not pos.moving


def test_failed_set_fails_the_move_with_its_error() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held)
    dones = Events()
    pos.subscribe(dones, event_type=pos.SUB_DONE, run=False)
    status = pos.move(3.0, wait=False)
    held.calls[-1][1].set_exception(RuntimeError("drive fault"))
    assert isinstance(status.exception(TIMEOUT), RuntimeError)
    assert "drive fault" in str(status.exception(TIMEOUT))
    assert dones.events == [] and not pos.moving


def test_stop_ends_the_pending_move() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held)
    status = pos.move(3.0, wait=False)
    pos.stop()
    exc = status.exception(TIMEOUT)
    assert isinstance(exc, MotionError) and "stopped" in str(exc)
    held.calls[-1][1].set_finished()  # the old set ending later changes nothing
    assert len(held.calls) == 1 and not status.success and not pos.moving
    paused = pos.move(4.0, wait=False)
    pos.stop(success=True)  # what bluesky asks on a pause
    paused.wait(TIMEOUT)
    assert paused.success and len(held.calls) == 2


def test_stop_with_hold_on_stop_moves_to_the_current_value() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held, hold_on_stop=True, value=1.0)
    status = pos.move(3.0, wait=False)
    pos.put(2.0)  # where the hardware got to
    pos.stop()
    assert isinstance(status.exception(TIMEOUT), MotionError)
    assert [value for value, _ in held.calls] == [3.0, 2.0]
    assert pos.moving  # the hold move is under way
    held.calls[-1][1].set_finished()
    assert not pos.moving and pos.position == 2.0


def test_a_newer_move_supersedes_the_pending_one() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held)
    first = pos.move(1.0, wait=False)
    second = pos.move(2.0, wait=False)
    assert isinstance(first.exception(TIMEOUT), MotionError) and "superseded" in str(first.exception(TIMEOUT))
    held.calls[0][1].set_finished()  # the first set ending late does not end the second move
    assert not second.done
    held.calls[1][1].set_finished()
    second.wait(TIMEOUT)
    assert second.success


def test_bad_timeout_is_refused_before_moving() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held)
    with pytest.raises(ValueError, match="timeout"):
        pos.move(1.0, timeout=-1)
    assert held.calls == []


def test_move_timeout_fails_a_move_that_takes_too_long() -> None:
    held = HeldSet()
    pos = SlowSignalPositioner(name="pos", set_func=held, timeout=0.2)
    assert pos.timeout == 0.2
    status = pos.move(1.0, wait=False)
    assert isinstance(status.exception(TIMEOUT), StatusTimeoutError)
    assert not pos.moving
    held.calls[-1][1].set_finished()  # too late: the move has failed
    assert not status.success


def test_a_soft_signal_limits_and_read_only_refuse_before_moving() -> None:
    pos = SoftSignalPositioner(name="pos", metadata={"lower_ctrl_limit": -1.0, "upper_ctrl_limit": 1.0})
    assert pos.limits == (-1.0, 1.0)
    with pytest.raises(LimitError, match="pos"):
        pos.move(5.0)
    assert pos.position == 0.0 and not pos.moving

    class ReadOnlyPositioner(SignalPositionerMixin, SignalRO):
        """A read-only soft signal as a positioner."""

    ro = ReadOnlyPositioner(name="ro", set_func=Signal.set)
    with pytest.raises(ReadOnlyError, match="ro"):
        ro.move(0.5)
    assert ro.position == 0.0 and not ro.moving


# -- over Channel Access ------------------------------------------------------------------------------------
@pytest.fixture
def made() -> Iterator[list[EpicsSignalPositioner]]:
    positioners: list[EpicsSignalPositioner] = []
    yield positioners
    for pos in positioners:
        pos.destroy()


def _epics_positioner(made: list[EpicsSignalPositioner], *args: Any, **kwargs: Any) -> EpicsSignalPositioner:
    pos = EpicsSignalPositioner(*args, **kwargs)
    pos.wait_for_connection(timeout=TIMEOUT)
    made.append(pos)
    return pos


def test_epics_signal_positioner_scans_to_every_position(
    cl: str, testioc_prefix: str, made: list[EpicsSignalPositioner], RE: RunEngine
) -> None:
    """Writes ``sp``, follows ``rbv`` (which copies sp a moment later): each event is at the asked position."""
    pos = _epics_positioner(
        made, f"{testioc_prefix}rbv", write_pv=f"{testioc_prefix}sp", name="sp_pos", egu="mm"
    )
    assert pos.name == "sp_pos" and pos.egu == "mm"
    read_timeout = pos.timeout  # no move timeout: the signal's own read timeout
    assert read_timeout is not None and read_timeout > 0
    events: list[dict[str, Any]] = []
    targets = [-1.0, 0.5, 2.0, 3.5]
    RE(
        bp.list_scan([pos], pos, targets),
        lambda name, doc: events.append(doc) if name == "event" else None,
    )
    assert [event["data"]["sp_pos"] for event in events] == pytest.approx(targets, abs=1e-3)
    status = pos.move(1.25, wait=False)
    status.wait(TIMEOUT)
    assert status.success and pos.position == pytest.approx(1.25, abs=1e-3)
    assert pos.get(use_monitor=False) == pytest.approx(1.25, abs=1e-3)


def test_epics_signal_positioner_refused_put_fails_the_move(
    cl: str, testioc_prefix: str, made: list[EpicsSignalPositioner]
) -> None:
    """The IOC refuses negative values on ``reject``: the move's status fails naming the PV and the value."""
    pv = f"{testioc_prefix}reject"
    pos = _epics_positioner(made, pv, name="rej")
    pos.move(0.0)
    status = pos.move(-2.0, wait=False)
    exc = status.exception(TIMEOUT)
    assert isinstance(exc, PutFailedError) and pv in str(exc) and "-2.0" in str(exc) and "rej" in str(exc)
    with pytest.raises(PutFailedError):
        pos.move(-3.0)
    assert pos.get(use_monitor=False) == 0.0 and not pos.moving


def test_epics_signal_positioner_limits_refuse_before_sending(
    cl: str, testioc_prefix: str, made: list[EpicsSignalPositioner]
) -> None:
    """With ``limits=True`` a target outside the PV's control limits raises LimitError; nothing is written."""
    pos = _epics_positioner(made, f"{testioc_prefix}dbl", name="dbl_pos", limits=True)
    before = pos.get(use_monitor=False)
    assert pos.limits == (-100.0, 100.0)
    with pytest.raises(LimitError, match="dbl_pos"):
        pos.move(500.0)
    assert pos.get(use_monitor=False) == before and not pos.moving


def test_moved_cb_has_run_when_a_waited_move_returns() -> None:
    """As classic's mixin: SUB_DONE, then ``moved_cb``, then the move's status ends, so a move that waits
    returns after the callback ran, also when the hardware finishes on another thread; a callback that raises
    is logged and the move still succeeds."""
    held = HeldSet()
    pos = SlowSignalPositioner(name="slow", set_func=held)
    order: list[str] = []
    pos.subscribe(lambda **kw: order.append("done"), event_type=pos.SUB_DONE, run=False)

    def moved(*, obj: Any) -> None:
        order.append("moved_cb")
        raise RuntimeError("a faulty callback")

    def finish_when_asked() -> None:
        wait_for(lambda: bool(held.calls), TIMEOUT, "the move's set()")
        held.calls[0][1].set_finished()

    finisher = threading.Thread(target=finish_when_asked)
    finisher.start()
    status = pos.move(1.0, wait=True, moved_cb=moved)
    finisher.join(TIMEOUT)
    assert status.success and order == ["done", "moved_cb"]
