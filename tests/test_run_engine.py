"""sophyd soft devices under a real bluesky RunEngine: plans, documents, and cleanup on every exit path."""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import bluesky.preprocessors as bpp
import pytest
from bluesky import RunEngine
from bluesky.utils import RunEngineInterrupted

from sophyd import Component as Cpt
from sophyd import DerivedSignal, Device, DeviceStatus, Signal, Staged

Docs = list[tuple[str, dict[str, Any]]]


class FollowingDetector(Device):
    """A detector whose reading is ``gain * (x + 10 * y)`` of the motors at trigger time; stages gain and mode."""

    reading = Cpt(Signal, value=0.0, kind="hinted")
    gain = Cpt(Signal, value=1.0, kind="config")
    mode = Cpt(Signal, value="idle", kind="omitted")

    def __init__(
        self, x: Signal, y: Signal | None = None, *, fail_on_trigger: int = 0, **kwargs: Any
    ) -> None:
        self._x = x
        self._y = y
        self.fail_on_trigger = fail_on_trigger
        self.hold_from = 0
        self.held: list[DeviceStatus] = []
        self.triggers = 0
        self.calls: list[str] = []
        super().__init__(**kwargs)
        self.stage_sigs["mode"] = "armed"
        self.stage_sigs["gain"] = 3.0

    def trigger(self) -> DeviceStatus:
        self.triggers += 1
        if self.triggers == self.fail_on_trigger:
            raise RuntimeError(f"{self.name} failed on trigger {self.triggers}")
        y = self._y.get() if self._y is not None else 0.0
        self.reading.put(self.gain.get() * (self._x.get() + 10 * y))
        status = DeviceStatus(self)
        if self.hold_from and self.triggers >= self.hold_from:
            self.held.append(status)
        else:
            status.set_finished()
        return status

    def pause(self) -> None:
        self.calls.append("pause")
        super().pause()

    def resume(self) -> None:
        self.calls.append("resume")
        super().resume()


@pytest.fixture
def docs(RE: RunEngine) -> Docs:
    collected: Docs = []
    RE.subscribe(lambda name, doc: collected.append((name, doc)))
    return collected


@pytest.fixture
def motor() -> Signal:
    return Signal(name="motor", value=0.0)


@pytest.fixture
def det(motor: Signal) -> FollowingDetector:
    return FollowingDetector(motor, name="det")


def _events(docs: Docs) -> list[dict[str, Any]]:
    return [doc for name, doc in docs if name == "event"]


def _assert_clean(det: FollowingDetector) -> None:
    """Unstaged, with every stage_sigs value restored."""
    assert det._staged == Staged.no
    assert det.mode.get() == "idle"
    assert det.gain.get() == 1.0


def test_count(RE: RunEngine, docs: Docs, motor: Signal, det: FollowingDetector) -> None:
    motor.put(2.0)
    RE(bp.count([det], num=3))
    events = _events(docs)
    assert len(events) == 3
    assert all(ev["data"] == {"det_reading": 6.0} for ev in events)  # gain staged to 3
    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert set(descriptor["data_keys"]) == {"det_reading"}
    assert descriptor["data_keys"]["det_reading"]["dtype"] == "number"
    assert descriptor["hints"]["det"] == {"fields": ["det_reading"]}
    config = descriptor["configuration"]["det"]
    assert config["data"] == {"det_gain": 3.0}
    assert "det_gain" in config["data_keys"]
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == "success"
    _assert_clean(det)


def test_scan(RE: RunEngine, docs: Docs, motor: Signal, det: FollowingDetector) -> None:
    doubled = DerivedSignal(motor, name="doubled", inverse=lambda v: 2 * v)
    RE(bp.scan([det, doubled], motor, -1.0, 1.0, 3))
    events = _events(docs)
    assert [ev["data"]["motor"] for ev in events] == [-1.0, 0.0, 1.0]
    assert [ev["data"]["det_reading"] for ev in events] == [-3.0, 0.0, 3.0]
    assert [ev["data"]["doubled"] for ev in events] == [-2.0, 0.0, 2.0]
    assert set(events[0]["data"]) == {"motor", "det_reading", "doubled"}
    (start,) = [doc for name, doc in docs if name == "start"]
    assert list(start["motors"]) == ["motor"]
    _assert_clean(det)
    assert motor.get() == 1.0


def test_grid_scan(RE: RunEngine, docs: Docs) -> None:
    x = Signal(name="x", value=0.0)
    y = Signal(name="y", value=0.0)
    det = FollowingDetector(x, y, name="det")
    RE(bp.grid_scan([det], y, 0.0, 1.0, 2, x, 0.0, 2.0, 3))
    events = _events(docs)
    assert [(ev["data"]["y"], ev["data"]["x"]) for ev in events] == [
        (0.0, 0.0),
        (0.0, 1.0),
        (0.0, 2.0),
        (1.0, 0.0),
        (1.0, 1.0),
        (1.0, 2.0),
    ]  # no snaking by default
    assert all(ev["data"]["det_reading"] == 3.0 * (ev["data"]["x"] + 10 * ev["data"]["y"]) for ev in events)
    _assert_clean(det)


def test_mv_and_rd(motor: Signal) -> None:
    RE = RunEngine({}, call_returns_result=True)
    other = Signal(name="other", value=0)
    RE(bps.mv(motor, 3.5, other, 7))
    assert motor.get() == 3.5
    assert other.get() == 7

    def read_back() -> Generator[Any, Any, Any]:
        value = yield from bps.rd(motor)
        return value

    result = RE(read_back())
    assert result.plan_result == 3.5
    assert result.exit_status == "success"


def test_monitor(RE: RunEngine, docs: Docs, motor: Signal) -> None:
    @bpp.run_decorator()
    def plan() -> Generator[Any, Any, Any]:
        yield from bps.monitor(motor, name="motor_monitor")
        yield from bps.mv(motor, 1.0)
        yield from bps.mv(motor, 2.0)
        yield from bps.unmonitor(motor)
        yield from bps.mv(motor, 3.0)

    RE(plan())
    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert descriptor["name"] == "motor_monitor"
    assert [ev["data"]["motor"] for ev in _events(docs)] == [0.0, 1.0, 2.0]


def test_plan_raising_half_way_unstages(
    RE: RunEngine, docs: Docs, motor: Signal, det: FollowingDetector
) -> None:
    det.fail_on_trigger = 2
    with pytest.raises(RuntimeError, match="failed on trigger 2"):
        RE(bp.count([det], num=5))
    assert len(_events(docs)) == 1
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == "fail"
    _assert_clean(det)


def _pausing_plan(det: FollowingDetector) -> Generator[Any, Any, Any]:
    @bpp.stage_decorator([det])
    @bpp.run_decorator()
    def inner() -> Generator[Any, Any, Any]:
        yield from bps.trigger_and_read([det])
        yield from bps.checkpoint()
        yield from bps.pause()
        yield from bps.trigger_and_read([det])

    return (yield from inner())


def test_abort_from_pause_unstages(RE: RunEngine, docs: Docs, det: FollowingDetector) -> None:
    with pytest.raises(RunEngineInterrupted):
        RE(_pausing_plan(det))
    assert RE.state == "paused"
    assert det._staged == Staged.yes
    assert det.mode.get() == "armed"
    assert "pause" in det.calls  # the RunEngine's pause hook reached the device
    RE.abort("test abort")
    assert RE.state == "idle"
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == "abort"
    assert len(_events(docs)) == 1
    _assert_clean(det)


def test_resume_after_pause(RE: RunEngine, docs: Docs, det: FollowingDetector) -> None:
    with pytest.raises(RunEngineInterrupted):
        RE(_pausing_plan(det))
    RE.resume()
    assert "resume" in det.calls
    assert len(_events(docs)) == 2
    _assert_clean(det)


def test_keyboard_interrupt_inside_plan_unstages(RE: RunEngine, docs: Docs, det: FollowingDetector) -> None:
    @bpp.stage_decorator([det])
    @bpp.run_decorator()
    def interrupted() -> Generator[Any, Any, Any]:
        yield from bps.trigger_and_read([det])
        assert det.mode.get() == "armed"
        raise KeyboardInterrupt

    with pytest.raises((RunEngineInterrupted, KeyboardInterrupt)):
        RE(interrupted())
    assert RE.state == "idle"
    _assert_clean(det)


def test_request_pause_from_another_thread_then_abort(
    RE: RunEngine, docs: Docs, det: FollowingDetector
) -> None:
    """Like Ctrl-C: a pause requested from outside while a trigger is in flight, then abort."""
    det.hold_from = 3  # the third trigger stays in flight until the test releases it
    requesters: list[threading.Thread] = []

    def pause_on_second_event(name: str, doc: dict[str, Any]) -> None:
        if name == "event" and doc["seq_num"] == 2:
            # request_pause blocks on the RunEngine's loop, so it must come from another thread (as SIGINT does)
            requester = threading.Thread(target=RE.request_pause)
            requester.start()
            requesters.append(requester)

    RE.subscribe(pause_on_second_event)
    with pytest.raises(RunEngineInterrupted):
        RE(bp.count([det], num=10))
    for requester in requesters:
        requester.join(10)
    assert RE.state == "paused"
    assert det._staged == Staged.yes
    assert det.mode.get() == "armed"
    RE.abort()
    assert len(_events(docs)) == 2
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == "abort"
    _assert_clean(det)
    for status in det.held:
        status.set_finished()
