"""Status behaviour classic ophyd code relies on: legacy signatures and their warnings, argument checks,
timeout versus settle time, failure propagation to the device, and the subscription-driven statuses."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from helpers import done_event

from sophyd import (
    Component,
    Device,
    DeviceStatus,
    EpicsMotor,
    EpicsSignal,
    EpicsSignalRO,
    InvalidState,
    MoveStatus,
    SetSupersededError,
    Signal,
    Status,
    StatusBase,
    StatusTimeoutError,
    UnknownStatusFailure,
    WaitTimeoutError,
)
from sophyd.status import StableSubscriptionStatus, SubscriptionStatus, UseNewProperty


# -- AndStatus ----------------------------------------------------------------------------------------------
def test_and_status_contains_its_parts_at_any_depth() -> None:
    a, b, c, other = StatusBase(), StatusBase(), StatusBase(), StatusBase()
    ab = a & b
    abc = ab & c
    assert a in ab and b in ab
    assert a in abc and b in abc and c in abc and ab in abc
    assert other not in abc
    assert c not in ab


def test_and_status_fails_with_a_part_timeout() -> None:
    slow = StatusBase(timeout=0.05)
    both = slow & StatusBase()
    assert done_event(both).wait(5)
    assert isinstance(both.exception(), StatusTimeoutError)


# -- set_exception -----------------------------------------------------------------------------------------
def test_set_exception_accepts_an_exception_class() -> None:
    class LocalError(Exception):
        pass

    st = StatusBase()
    st.set_exception(LocalError)
    assert type(st.exception()) is LocalError  # made into an instance, as `raise LocalError` does
    with pytest.raises(LocalError):
        st.wait(1)


@pytest.mark.parametrize(
    "exc", [StatusTimeoutError, StatusTimeoutError("x"), WaitTimeoutError, WaitTimeoutError("x")]
)
def test_set_exception_refuses_the_status_own_timeout_errors(exc: Any) -> None:
    st = StatusBase()
    with pytest.raises(ValueError, match="fixed meaning"):
        st.set_exception(exc)
    assert not st.done
    st.set_exception(TimeoutError("a plain timeout is fine"))
    with pytest.raises(TimeoutError) as info:
        st.wait(1)
    assert not isinstance(info.value, (StatusTimeoutError, WaitTimeoutError))


@pytest.mark.parametrize("not_an_exception", [object(), "boom", KeyboardInterrupt(), KeyboardInterrupt, int])
def test_set_exception_refuses_what_is_not_an_exception(not_an_exception: Any) -> None:
    with pytest.raises(ValueError, match="Exception"):
        StatusBase().set_exception(not_an_exception)


# -- constructor arguments ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(timeout="soon"),
        dict(timeout=float("nan")),
        dict(settle_time="a while"),
        dict(settle_time=float("nan")),
        dict(timeout=object()),
    ],
)
def test_nonsensical_times_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="number of seconds"):
        StatusBase(**kwargs)


def test_success_without_done_is_refused() -> None:
    with pytest.raises(ValueError, match="success=True"):
        StatusBase(success=True)
    with pytest.raises(ValueError, match="success=True"):
        Status(done=False, success=True)


def test_timeout_and_settle_time_are_fixed_at_creation() -> None:
    st = StatusBase(timeout=3, settle_time=0.5)
    assert (st.timeout, st.settle_time) == (3.0, 0.5)
    with pytest.raises(AttributeError):
        st.timeout = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        st.settle_time = 1  # type: ignore[misc]
    st.set_finished()
    assert StatusBase().timeout is None and StatusBase(settle_time=None).settle_time == 0.0


# -- timeout versus settle time ----------------------------------------------------------------------------
def test_timeout_is_extended_by_the_settle_time() -> None:
    st = StatusBase(timeout=0, settle_time=1.0)
    with pytest.raises(WaitTimeoutError):
        st.exception(0.01)  # not failed yet: the deadline is timeout + settle_time
    with pytest.raises(StatusTimeoutError):
        st.wait(10)


def test_settling_that_started_in_time_succeeds() -> None:
    st = StatusBase(timeout=0.5, settle_time=1.0)
    st.set_finished()  # settles 1 s later, before the deadline of 1.5 s
    st.wait(10)
    assert st.success


def test_settling_that_started_after_the_timeout_fails() -> None:
    st = StatusBase(timeout=0.05, settle_time=0.5)
    clock = StatusBase(timeout=0.05)  # made after st: when it has timed out, so has st's own timeout
    with pytest.raises(StatusTimeoutError):
        clock.wait(10)
    st.set_finished()  # accepted, but settling would end after timeout + settle_time
    with pytest.raises(StatusTimeoutError):
        st.wait(10)


def test_report_after_timeout_is_ignored() -> None:
    st = StatusBase(timeout=0)
    with pytest.raises(StatusTimeoutError):
        st.wait(10)
    st.set_exception(RuntimeError("too late"))
    st.set_finished()  # every late report is ignored (classic ophyd raises InvalidState on the second)
    assert isinstance(st.exception(), StatusTimeoutError)


# -- legacy API --------------------------------------------------------------------------------------------
def test_finished_cb_works_with_one_callback_and_warns() -> None:
    st = StatusBase()
    calls: list[str] = []

    def cb1(status: StatusBase) -> None:
        calls.append("cb1")

    def cb2(status: StatusBase) -> None:
        calls.append("cb2")

    with pytest.raises(UseNewProperty):
        st.finished_cb  # noqa: B018  (no callback yet)
    with pytest.warns(UserWarning, match="finished_cb"):
        st.finished_cb = cb1
    with pytest.warns(UserWarning, match="finished_cb"):
        assert st.finished_cb is cb1
    with pytest.raises(UseNewProperty):
        st.finished_cb = cb2
    st.add_callback(cb2)
    with pytest.raises(UseNewProperty):
        st.finished_cb  # noqa: B018
    assert st.callbacks == [cb1, cb2]
    st.set_finished()
    assert calls == ["cb1", "cb2"]
    assert issubclass(UseNewProperty, RuntimeError)


def test_zero_argument_callbacks_are_adapted_with_a_warning() -> None:
    calls: list[str] = []
    st = StatusBase()
    with pytest.warns(DeprecationWarning, match="signature"):
        st.add_callback(lambda: calls.append("before"))
    st.set_finished()
    with pytest.warns(DeprecationWarning, match="signature"):
        st.add_callback(lambda: calls.append("after"))
    assert calls == ["before", "after"]


def test_assigning_done_or_success() -> None:
    st = StatusBase()
    with pytest.raises(RuntimeError):
        st.done = True
    with pytest.warns(UserWarning):
        st.done = False
    st.set_finished()
    with pytest.raises(RuntimeError):
        st.success = False
    with pytest.warns(UserWarning):
        st.success = True
    assert st.success


def test_finished_hook_and_second_report() -> None:
    st = StatusBase()
    st._finished(success=False, pvname="X", data=None)
    assert isinstance(st.exception(), UnknownStatusFailure)
    with pytest.raises(InvalidState):
        st._finished()


def test_status_str_and_repr_name_the_object() -> None:
    sig = Signal(name="sig")
    st = Status(sig)
    assert str(st) == repr(st) == "Status(obj=sig, done=False, success=False)"
    st.set_finished()
    assert str(st) == "Status(obj=sig, done=True, success=True)"


# -- DeviceStatus ------------------------------------------------------------------------------------------
class Stoppable(Device):
    """A device that records its stop() calls, and when they happen relative to the status callbacks."""

    value = Component(Signal, value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[str] = []

    def stop(self, *, success: bool = False) -> None:
        self.log.append("stop")


def test_device_status_failure_stops_the_device_then_runs_callbacks() -> None:
    dev = Stoppable(name="dev")
    st = DeviceStatus(dev)
    st.add_callback(lambda s: dev.log.append("callback"))
    err = RuntimeError("hardware fault")
    st.set_exception(err)
    assert dev.log == ["stop", "callback"]
    assert st.exception() is err
    with pytest.raises(RuntimeError) as info:
        st.wait(1)
    assert info.value is err


def test_device_status_timeout_stops_the_device() -> None:
    dev = Stoppable(name="dev")
    st = DeviceStatus(dev, timeout=0.05)
    assert done_event(st).wait(10)  # callbacks run after _handle_failure
    assert isinstance(st.exception(), StatusTimeoutError)
    assert dev.log == ["stop"]


def test_device_status_can_leave_the_device_alone() -> None:
    dev = Stoppable(name="dev")
    DeviceStatus(dev, call_stop_on_failure=False).set_exception(RuntimeError("x"))
    ok = DeviceStatus(dev)
    ok.set_finished()
    superseded = DeviceStatus(dev)
    superseded._abandon(SetSupersededError("a newer set() took over"))
    assert dev.log == []  # no stop on success, on opting out, or when superseded
    DeviceStatus(Signal(name="no_stop")).set_exception(RuntimeError("a signal has no stop()"))


def test_device_status_stop_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Stoppable):
        def stop(self, *, success: bool = False) -> None:
            raise OSError("stop failed")

    st = DeviceStatus(Broken(name="broken"))
    err = RuntimeError("x")
    st.set_exception(err)
    assert st.exception() is err
    assert "stop failed" in caplog.text


def test_device_status_watch() -> None:
    dev = Stoppable(name="det")
    st = DeviceStatus(dev)
    seen: list[dict[str, Any]] = []
    st.watch(lambda **kw: seen.append(kw))
    assert seen == [{"name": "det"}]
    st.set_finished()
    assert seen == [{"name": "det"}, {"name": "det", "fraction": 0.0}]


# -- MoveStatus --------------------------------------------------------------------------------------------
class SoftMotor(Device):
    readback = Component(Signal, value=1.0)

    @property
    def position(self) -> float:
        return float(self.readback.get())


def test_move_status_describes_the_move() -> None:
    motor = SoftMotor(name="m")
    st = MoveStatus(motor, 4.0, start_ts=123.0, timeout=30)
    assert (st.pos, st.target, st.start_pos, st.start_ts) == (motor, 4.0, 1.0, 123.0)
    assert st.finish_pos is None and st.finish_ts is None
    assert float(st.error) == pytest.approx(-3.0)  # while moving: current position - target
    motor.readback.put(3.5)
    st.set_finished()
    assert st.finish_pos == 3.5 and st.finish_ts is not None
    assert float(st.error) == pytest.approx(-0.5)
    assert st.elapsed == pytest.approx(st.finish_ts - 123.0)
    assert repr(st).startswith("MoveStatus(done=True, pos=m, elapsed=")


def test_move_status_error_is_none_when_it_cannot_be_computed() -> None:
    st = MoveStatus(SoftMotor(name="m"), "home")
    assert st.error is None
    st.set_finished()


# -- SubscriptionStatus ------------------------------------------------------------------------------------
def test_subscription_status_takes_classic_positional_arguments() -> None:
    sig = Signal(name="sig", value=5)
    st = SubscriptionStatus(sig, lambda value, **kw: value == 5, "value", 30, None, False)
    assert not st.done  # run=False: the cached value was not checked
    assert st.timeout == 30 and st.settle_time == 0
    sig.put(5)
    assert st.success


def test_stable_subscription_status_needs_the_condition_to_hold() -> None:
    sig = Signal(name="sig", value=0)
    st = StableSubscriptionStatus(sig, lambda value, **kw: value >= 3, stability_time=1.0, timeout=30)
    finished = done_event(st)
    sig.put(3)
    sig.put(1)  # broke the condition: the stability wait starts again at the next true event
    sig.put(4)
    last_true = time.time()
    assert finished.wait(10)
    assert st.success
    assert st.finish_ts is not None and st.finish_ts - last_true >= 0.95
    sig.put(0)  # unsubscribed: later events change nothing
    assert st.success


def test_stable_subscription_status_times_out_and_checks_its_arguments() -> None:
    sig = Signal(name="sig", value=0)
    with pytest.raises(ValueError, match="stability_time"):
        StableSubscriptionStatus(sig, lambda **kw: True, stability_time=5, timeout=1)
    st = StableSubscriptionStatus(sig, lambda value, **kw: value > 0, 0.5, timeout=0.6)
    sig.put(1)
    sig.put(0)  # never stable long enough
    with pytest.raises(StatusTimeoutError):
        st.wait(10)


def test_stable_subscription_status_uses_the_shared_scheduler() -> None:
    sig = Signal(name="sig", value=1)
    StableSubscriptionStatus(sig, lambda value, **kw: value > 0, 0.01).wait(5)  # starts the shared threads
    before = threading.active_count()
    statuses = [StableSubscriptionStatus(sig, lambda value, **kw: value > 0, 0.2) for _ in range(50)]
    assert threading.active_count() - before <= 1
    for st in statuses:
        st.wait(10)


# -- against the test IOC ----------------------------------------------------------------------------------
def test_subscription_statuses_on_an_ioc_pv(testioc_prefix: str) -> None:
    sig = EpicsSignal(testioc_prefix + "long", name="long")
    sig.wait_for_connection(timeout=10)
    sig.put(0, wait=True)
    reached = SubscriptionStatus(sig, lambda value, **kw: value == 7, timeout=10)
    stable = StableSubscriptionStatus(sig, lambda value, **kw: value == 7, 0.3, timeout=10)
    sig.put(7, wait=True)
    reached.wait(10)
    stable.wait(10)
    assert reached.success and stable.success
    assert stable.finish_ts is not None and reached.finish_ts is not None
    assert stable.finish_ts - reached.finish_ts >= 0.25


def test_failed_subscription_status_on_a_read_only_pv_logs_no_error(
    testioc_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A read-only signal has no stop(): its failed status neither tries to stop it nor logs an error."""
    sig = EpicsSignalRO(testioc_prefix + "long", name="long_ro")
    sig.wait_for_connection(timeout=10)
    assert not hasattr(sig, "stop")
    status = SubscriptionStatus(sig, lambda value, **kw: False, timeout=10)
    with caplog.at_level(logging.DEBUG, logger="sophyd"):
        status.set_exception(RuntimeError("gave up"))
        assert isinstance(status.exception(10), RuntimeError)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert sig.connected and status.done and not status.success


def test_move_timeout_stops_the_motor(motors_prefix: str) -> None:
    motor = EpicsMotor(motors_prefix + "mtr1", name="m")
    motor.wait_for_connection(timeout=10)
    motor.move(0, timeout=30)
    status = motor.set(5, timeout=0.3)  # 5 mm at about 1 mm/s cannot finish in time
    with pytest.raises(StatusTimeoutError):
        status.wait(10)
    SubscriptionStatus(motor.motor_done_move, lambda value, **kw: value == 1, timeout=10).wait(10)
    assert motor.position < 4.0  # stopped by the failing status, not at its target
    motor.move(0, timeout=30)
