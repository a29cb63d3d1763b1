"""The Status family: completion, failure, timeouts, settle time, callbacks, composition."""

from __future__ import annotations

import functools
import inspect
import threading
import time
import types
from typing import Any

import pytest
from helpers import done_event

import sophyd
from sophyd import (
    AndStatus,
    DeviceStatus,
    InvalidState,
    MoveStatus,
    Signal,
    Status,
    StatusBase,
    StatusTimeoutError,
    SubscriptionStatus,
    UnknownStatusFailure,
    WaitTimeoutError,
)


def test_fresh_status_is_pending() -> None:
    st = Status()
    assert not st.done
    assert not st.success
    assert repr(st) == str(st) == "Status(obj=None, done=False, success=False)"
    with pytest.raises(WaitTimeoutError):
        st.wait(0.01)
    with pytest.raises(WaitTimeoutError):
        st.exception(timeout=0.01)
    assert not st.done  # giving up waiting does not fail the status


def test_set_finished() -> None:
    st = Status()
    st.set_finished()
    assert st.done and st.success
    st.wait(1)
    assert st.exception() is None
    assert st.finish_ts is not None


def test_set_exception() -> None:
    st = Status()
    err = ValueError("broken")
    st.set_exception(err)
    assert st.done and not st.success
    assert st.exception() is err
    with pytest.raises(ValueError, match="broken"):
        st.wait(1)
    with pytest.raises(ValueError):
        st.set_exception("not an exception")  # type: ignore[arg-type]


@pytest.mark.parametrize("second", ["finish", "fail"])
@pytest.mark.parametrize("first", ["finish", "fail"])
def test_second_completion_is_invalid(first: str, second: str) -> None:
    st = Status()
    (st.set_finished if first == "finish" else lambda: st.set_exception(RuntimeError("x")))()
    with pytest.raises(InvalidState, match="already done"):
        if second == "finish":
            st.set_finished()
        else:
            st.set_exception(RuntimeError("y"))
    assert st.success == (first == "finish")


def test_created_done_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="done"):
        assert Status(done=True, success=True).success
    with pytest.warns(DeprecationWarning):
        failed = Status(done=True, success=False)
    assert failed.done and not failed.success
    assert isinstance(failed.exception(), UnknownStatusFailure)
    with pytest.warns(DeprecationWarning):
        unexplained = StatusBase(done=True)  # done without success=True is a failure, as in classic ophyd
    assert isinstance(unexplained.exception(), UnknownStatusFailure)


def test_add_callback_before_and_after_done() -> None:
    st = Status()
    calls: list[StatusBase] = []
    st.add_callback(calls.append)
    assert calls == []
    assert st.callbacks == [calls.append]
    st.set_finished()
    assert calls == [st]
    # Already done: runs at once, in this thread.
    thread_ids: list[int] = []
    st.add_callback(lambda s: thread_ids.append(threading.get_ident()))
    assert thread_ids == [threading.get_ident()]
    assert calls == [st]  # the first callback ran only once


def test_raising_callback_does_not_stop_others() -> None:
    st = Status()
    calls: list[str] = []

    def bad(status: StatusBase) -> None:
        raise RuntimeError("callback failure")

    st.add_callback(bad)
    st.add_callback(lambda s: calls.append("good"))
    st.set_finished()
    assert calls == ["good"]
    assert st.success


def test_own_timeout_fails_with_status_timeout_error() -> None:
    st = Status(timeout=0.05)
    assert done_event(st).wait(5)
    assert st.done and not st.success
    exc = st.exception()
    assert isinstance(exc, StatusTimeoutError)
    assert not isinstance(exc, WaitTimeoutError)
    assert "0.05" in str(exc)
    with pytest.raises(StatusTimeoutError):
        st.wait(1)
    # The operation ending late is ignored, not an error.
    st.set_finished()
    assert not st.success


def test_own_timeout_is_logged_on_the_status_log(caplog: pytest.LogCaptureFixture) -> None:
    """As classic: a status that times out warns "<repr> has timed out" through ``status.log``."""
    with caplog.at_level("WARNING", logger="sophyd.status"):
        st = Status(timeout=0.05)
        assert done_event(st).wait(5)
        finished = Status(timeout=0.05)
        finished.set_finished()
        later = Status(timeout=0.1)
        assert done_event(later).wait(5)  # by now the finished one's timer would have fired
    timeouts = [r for r in caplog.records if r.getMessage().endswith("has timed out")]
    assert [(r.name, r.levelname, r.status) for r in timeouts] == [  # type: ignore[attr-defined]
        ("sophyd.status", "WARNING", st),
        ("sophyd.status", "WARNING", later),
    ]
    assert timeouts[0].getMessage() == f"{st!r} has timed out"


def test_waiter_giving_up_raises_wait_timeout_error() -> None:
    st = Status(timeout=30)
    with pytest.raises(WaitTimeoutError) as info:
        st.wait(0.02)
    assert not isinstance(info.value, StatusTimeoutError)
    assert isinstance(info.value, TimeoutError)
    assert not st.done
    st.set_finished()
    assert st.success


def test_finishing_before_timeout_cancels_it() -> None:
    st = Status(timeout=0.05)
    st.set_finished()
    later = Status(timeout=0.1)
    assert done_event(later).wait(5)  # by now the first status' timer would have fired
    assert st.success


def test_settle_time_delays_done() -> None:
    st = Status(settle_time=0.1)
    ran = done_event(st)
    t0 = time.monotonic()
    st.set_finished()
    assert not st.done
    assert ran.wait(5)
    assert time.monotonic() - t0 >= 0.09
    assert st.success


def test_classic_finished_hook() -> None:
    ok = Status()
    ok._finished(success=True)
    assert ok.success
    plain = Status()
    plain._finished()  # as a put callback with no arguments
    assert plain.success
    with_kwargs = Status()
    with_kwargs._finished(pvname="X:Y", data=1)  # as a pyepics-style put callback
    assert with_kwargs.success
    bad = Status()
    bad._finished(success=False)
    assert bad.done and not bad.success
    assert isinstance(bad.exception(), UnknownStatusFailure)


def test_device_status_names_its_device() -> None:
    sig = Signal(name="my_device")
    st = DeviceStatus(sig)
    assert st.device is sig
    assert st.obj is sig
    assert repr(st) == "DeviceStatus(device=my_device, done=False, success=False)"
    st.set_exception(RuntimeError("nope"))
    assert repr(st) == "DeviceStatus(device=my_device, done=True, success=False)"


class Positioner(Signal):
    """A soft positioner-ish signal with units and precision."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata=dict(units="mm", precision=4), **kwargs)


def test_move_status_watch() -> None:
    pos = Positioner(name="motor", value=0.0)
    st = MoveStatus(pos, target=10.0, start_value=0.0)
    updates: list[dict[str, Any]] = []
    st.watch(lambda **kw: updates.append(kw))
    assert len(updates) == 1  # the current position, at once
    pos.put(5.0)
    pos.put(10.0)
    st.set_finished()
    pos.put(7.0)  # after the move: no more reports
    assert [u["current"] for u in updates] == [0.0, 5.0, 10.0]
    first, mid, last = updates
    assert set(mid) == {
        "current",
        "initial",
        "target",
        "name",
        "unit",
        "precision",
        "fraction",
        "time_elapsed",
        "time_remaining",
    }
    assert mid["name"] == "motor"
    assert mid["unit"] == "mm"
    assert mid["precision"] == 4
    assert mid["initial"] == 0.0
    assert mid["target"] == 10.0
    assert first["fraction"] == pytest.approx(1.0)
    assert mid["fraction"] == pytest.approx(0.5)
    assert last["fraction"] == pytest.approx(0.0)
    assert mid["time_elapsed"] >= 0
    assert mid["time_remaining"] is not None and mid["time_remaining"] >= 0
    # watching a finished move does nothing
    late: list[Any] = []
    st.watch(lambda **kw: late.append(kw))
    assert late == []
    assert st.target == 10.0
    assert st.pos is pos


def test_move_status_watch_uses_readback_of_a_device_like_positioner() -> None:
    class Motor:
        name = "m"
        egu = "deg"
        precision = 2

        def __init__(self) -> None:
            self.readback = Signal(name="m_readback", value=1.0)

    motor = Motor()
    st = MoveStatus(motor, target=3.0)
    updates: list[dict[str, Any]] = []
    st.watch(lambda **kw: updates.append(kw))
    motor.readback.put(2.0)
    assert [u["current"] for u in updates] == [1.0, 2.0]
    assert updates[-1]["initial"] == 1.0  # the first position seen
    assert updates[-1]["unit"] == "deg"
    st.set_finished()


def test_subscription_status() -> None:
    sig = Signal(name="sig", value=0)
    st = SubscriptionStatus(sig, lambda value, **kw: value >= 3)
    done = done_event(st)
    sig.put(1)
    assert not st.done
    sig.put(3)
    assert done.wait(5)
    assert st.success
    assert isinstance(st, DeviceStatus)


def test_subscription_status_already_true_and_run() -> None:
    sig = Signal(name="sig", value=5)
    st = SubscriptionStatus(sig, lambda value, **kw: value == 5, run=True)
    assert st.success
    st2 = SubscriptionStatus(sig, lambda value, **kw: value == 5, run=False)
    assert not st2.done
    sig.put(5)
    assert st2.success


def test_subscription_status_callback_raising_fails_it() -> None:
    sig = Signal(name="sig", value=0)

    def check(value: Any, **kw: Any) -> bool:
        if value == 2:
            raise ValueError("bad value 2")
        return False

    st = SubscriptionStatus(sig, check, run=False)
    sig.put(2)
    assert st.done and isinstance(st.exception(), ValueError)


def test_subscription_status_timeout_and_unsubscribe() -> None:
    sig = Signal(name="sig", value=0)
    calls: list[Any] = []

    def check(value: Any, **kw: Any) -> bool:
        calls.append(value)
        return False

    st = SubscriptionStatus(sig, check, run=False, timeout=0.05)
    assert done_event(st).wait(5)
    assert isinstance(st.exception(), StatusTimeoutError)
    sig.put(1)
    assert calls == []  # unsubscribed when done


def test_and_status() -> None:
    a, b = Status(), Status()
    both = a & b
    assert isinstance(both, AndStatus)
    a.set_finished()
    assert not both.done
    b.set_finished()
    assert both.success
    assert repr(both) == f"({a!r} & {b!r})"
    assert str(both) == "AndStatus(done=True, success=True)"


@pytest.mark.parametrize("which", ["left", "right"])
def test_and_status_fails_when_either_fails(which: str) -> None:
    a, b = Status(), Status()
    both = a & b
    err = RuntimeError(f"{which} failed")
    (a if which == "left" else b).set_exception(err)
    assert both.done and not both.success  # at once, without waiting for the other
    assert both.exception() is err
    (b if which == "left" else a).set_finished()
    assert both.exception() is err


def test_and_status_of_done_statuses() -> None:
    a, b = Status(), Status()
    a.set_finished()
    b.set_finished()
    assert (a & b).success
    chain = Status() & Status() & Status()
    assert not chain.done


def test_module_wait() -> None:
    st = Status()
    with pytest.raises(WaitTimeoutError):
        sophyd.wait(st, timeout=0.01)
    st.set_finished()
    sophyd.wait(st, timeout=1)
    sophyd.wait(st, timeout=1, poll_rate=0.5)
    bad = Status()
    bad.set_exception(KeyError("k"))
    with pytest.raises(KeyError):
        sophyd.wait(bad, 1)


def test_wait_from_another_thread() -> None:
    st = Status()
    threading.Timer(0.01, st.set_finished).start()
    st.wait(5)
    assert st.success


def test_statuses_do_not_start_a_thread_each() -> None:
    Status(timeout=60).set_finished()  # let the shared scheduler start
    before = threading.active_count()
    statuses = [Status(timeout=60, settle_time=0.001) for _ in range(200)]
    during = threading.active_count()
    for st in statuses:
        st.set_finished()
    for st in statuses:
        st.wait(5)
    after = threading.active_count()
    assert during - before <= 2
    assert after - before <= 2


def test_status_callback_may_wait_on_another_status() -> None:
    """Settle-time completions and timeouts are delivered by a dispatcher thread; a completion callback
    running on that thread that waits for another such status must not wait for itself."""
    sig = Signal(name="sig", value=0)
    outcome: list[str] = []
    finished = threading.Event()

    def blocking_callback(status: StatusBase) -> None:
        try:
            sig.set(1, settle_time=0.01).wait(5)
            outcome.append("ok")
        except Exception as exc:
            outcome.append(repr(exc))
        finished.set()

    first = Status(settle_time=0.01)
    first.add_callback(blocking_callback)
    first.set_finished()
    assert finished.wait(10)
    assert outcome == ["ok"]
    assert sig.get() == 1


class _Callbacks:
    def with_status(self, status: object) -> None: ...

    def without_status(self) -> None: ...


def _plain(status: object) -> None: ...


def _varargs(*args: object) -> None: ...


def _none() -> None: ...


def _required_keyword(status: object, *, extra: object) -> None: ...


def _optional_keyword(status: object, *, extra: object = None) -> None: ...


@pytest.mark.parametrize(
    "callback",
    [
        _plain,
        _varargs,
        _none,
        _required_keyword,
        _optional_keyword,
        _Callbacks().with_status,
        _Callbacks().without_status,
        lambda: None,
        lambda status: None,
        functools.partial(_plain),
        print,
    ],
)
def test_callback_signature_check_agrees_with_inspect(callback: Any) -> None:
    """The cheap check used by add_callback never says 'takes the status' where inspect.signature says not."""
    from sophyd.status import _takes_positional_argument

    try:
        inspect.signature(callback).bind(None)
        takes = True
    except TypeError:
        takes = False
    except ValueError:
        takes = True
    assert _takes_positional_argument(callback) <= takes
    if type(callback) is types.FunctionType or isinstance(callback, types.MethodType):
        assert _takes_positional_argument(callback) == takes
