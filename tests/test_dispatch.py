"""The dispatcher threads (sophyd._dispatch): order, coalescing, and sharing the interpreter with CA threads."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from helpers import TIMEOUT

import sophyd._dispatch as dispatch


def _spin(seconds: float) -> None:
    """Use ``seconds`` of this thread's CPU time (holding the GIL, as CPU-bound Python does)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses a dispatcher makes after callbacks (its calls to time.sleep)."""
    made: list[float] = []
    real_time = dispatch.time

    class _Time:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            made.append(seconds)

    monkeypatch.setattr(dispatch, "time", _Time())
    return made


def _run(dispatcher: dispatch.Dispatcher, *calls: Any) -> None:
    done = threading.Event()
    for call in calls:
        dispatcher.submit(call)
    dispatcher.submit(done.set)
    assert done.wait(TIMEOUT)


def test_a_slow_callback_is_followed_by_a_pause_in_proportion(pauses: list[float]) -> None:
    """A CPU-bound callback gives the CA client threads the interpreter afterwards for a share of its time."""
    dispatcher = dispatch.Dispatcher("test-slow")
    _run(dispatcher, lambda: _spin(0.004))
    assert len(pauses) == 1
    assert 0.004 * dispatch._YIELD_SHARE <= pauses[0] <= dispatch._MAX_YIELD


def test_quick_callbacks_run_back_to_back(pauses: list[float]) -> None:
    dispatcher = dispatch.Dispatcher("test-quick")
    ran: list[int] = []
    _run(dispatcher, *(lambda i=i: ran.append(i) for i in range(50)))
    assert ran == list(range(50))
    assert pauses == []


def test_a_callback_that_waits_leaves_no_pause(pauses: list[float]) -> None:
    """Waiting (I/O, a sleep) releases the interpreter already: only CPU time counts."""
    dispatcher = dispatch.Dispatcher("test-waits")
    waited = threading.Event()
    _run(dispatcher, lambda: waited.wait(0.01))
    assert pauses == []


def test_a_long_callback_pauses_at_most_max_yield(pauses: list[float]) -> None:
    dispatcher = dispatch.Dispatcher("test-long")
    _run(dispatcher, lambda: _spin(dispatch._MAX_YIELD / dispatch._YIELD_SHARE * 3))
    assert pauses == [dispatch._MAX_YIELD]


def test_coalescing_keeps_the_latest_backlog_per_key() -> None:
    """A flood beyond BACKLOG queued calls of one key drops the oldest; the latest ones run, in order."""
    dispatcher = dispatch.Dispatcher("test-coalesce")
    gate, seen = threading.Event(), []
    dispatcher.submit(gate.wait, TIMEOUT)  # holds the worker while the next ones queue up
    flood = dispatch.BACKLOG + 25
    for value in range(flood):
        dispatcher.submit(seen.append, value, key="pv")
    gate.set()
    _run(dispatcher)
    assert seen == list(range(25, flood))
    assert dispatcher.dropped == 25


def test_updates_that_arrive_together_all_run_in_order_and_keys_take_turns() -> None:
    """A burst (several updates of a PV in one TCP read, while the worker is busy) is not coalesced away, and
    a key with a backlog lets the other keys' calls run between its own."""
    dispatcher = dispatch.Dispatcher("test-burst")
    gate, seen = threading.Event(), []
    dispatcher.submit(gate.wait, TIMEOUT)
    for value in (0.0, 1.0, 2.0):
        dispatcher.submit(seen.append, ("a", value), key="a")
    dispatcher.submit(seen.append, ("b", 5), key="b")
    gate.set()
    _run(dispatcher)
    assert seen == [("a", 0.0), ("b", 5), ("a", 1.0), ("a", 2.0)]
    assert dispatcher.dropped == 0


def test_a_callback_waiting_in_the_dispatcher_sees_a_status_finished_elsewhere() -> None:
    """wait_event in a dispatcher thread returns when another thread finishes the status it waits on."""
    from sophyd import Status

    dispatcher = dispatch.get_dispatcher("test-wake")
    status = Status()
    started, done = threading.Event(), threading.Event()
    result: dict[str, bool] = {}

    def waiting_callback() -> None:
        started.set()
        result["finished"] = dispatch.wait_event(status._event, timeout=60)
        done.set()

    dispatcher.submit(waiting_callback)
    assert started.wait(10)
    status.set_finished()
    assert done.wait(20)  # well before wait_event's own timeout: the completion woke it
    assert result["finished"] is True
