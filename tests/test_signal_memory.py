"""What a connected signal holds: the structure that keeps thousands of EPICS signals small.

A connected, never-subscribed EpicsSignalRO keeps no subscription tables, no event object and a shared-key
instance dict; what is made on first need (tables, labels, a connection waiter) is made once even when
threads ask at the same time. The memory itself is measured by ``bench/bench_re.py --workloads rss``.
"""

from __future__ import annotations

import gc
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import wait_for

from sophyd import Component, Device, EpicsSignal, EpicsSignalRO, EpicsSignalWithRBV, OphydObject, Signal
from sophyd.control import Backend, use_cl
from sophyd.control._common import BaseChannel, Latch

N = 200
# CPython shares one key table among the instances of a class only while they have at most 30 attributes;
# past that every instance gets its own dict (about 1.6 KB). Leave room for attributes users add.
MAX_ATTRIBUTES = 24


Bulk = type("Bulk", (Device,), {f"b{i:04d}": Component(EpicsSignalRO, f"bulk:{i:04d}") for i in range(N)})


@pytest.fixture
def bulk(fresh_cl: Backend, testioc_prefix: str) -> Iterator[Any]:
    """N connected signals on new channels (a new backend), destroyed afterwards."""
    dev = Bulk(testioc_prefix, name="bulk")
    dev.wait_for_connection(timeout=30)
    yield dev
    dev.destroy()


def _signals(dev: Any) -> list[Any]:
    return [getattr(dev, f"b{i:04d}") for i in range(N)]


def test_connected_signals_hold_no_tables_and_no_events(bulk: Any) -> None:
    for sig in _signals(bulk):
        assert sig._subs is None  # no subscription tables until a subscription or event
        assert sig._labels is None
        channel = sig._read_channel
        assert isinstance(channel, BaseChannel)
        assert channel.connected
        assert channel._waiter is None and channel._latches is None and channel._conn_callbacks is None
        assert not any(isinstance(v, threading.Event) for v in vars(channel).values())


def test_describe_keeps_no_metadata_event_but_a_late_subscriber_gets_the_metadata(bulk: Any) -> None:
    described = bulk.describe()
    assert len(described) == N
    sig = bulk.b0007
    assert all(s._subs is None for s in _signals(bulk))
    seen: list[dict[str, Any]] = []
    sig.subscribe(lambda **kw: seen.append(kw), event_type="meta", run=True)
    assert len(seen) == 1, "the first 'meta' subscriber gets the metadata at once, as the latest event"
    assert seen[0]["connected"] is True and seen[0]["obj"] is sig and seen[0]["sub_type"] == "meta"
    assert seen[0]["precision"] == sig.precision and "lower_ctrl_limit" in seen[0]
    other: list[dict[str, Any]] = []
    sig.subscribe(lambda **kw: other.append(kw), event_type="meta", run=True)
    assert other and other[-1]["connected"] is True  # the recorded event, replayed


def test_signal_classes_keep_their_instance_dicts_shared() -> None:
    with use_cl("mock"):  # the attributes do not depend on the control layer; mock needs no IOC
        sigs = [
            EpicsSignalRO("sophyd_memory:ro", name="ro"),
            EpicsSignal("sophyd_memory:rw", name="rw"),
            EpicsSignal("sophyd_memory:r", "sophyd_memory:w", name="rw2"),
            EpicsSignalWithRBV("sophyd_memory:rbv", name="rbv"),
            Signal(name="soft", value=1.0),
        ]
    try:
        for sig in sigs:
            assert len(vars(sig)) <= MAX_ATTRIBUTES, (type(sig).__name__, sorted(vars(sig)))
    finally:
        for sig in sigs:
            sig.destroy()


def test_connected_signals_stay_small_on_the_python_heap(fresh_cl: Backend, testioc_prefix: str) -> None:
    if fresh_cl.name != "pyepics":
        pytest.skip("caproto's own PV objects hold about 8 KB each; this bound is for libca's channels")
    warm = EpicsSignalRO(testioc_prefix + "ready", name="warm")  # the backend's one-off costs
    warm.wait_for_connection(timeout=10)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        dev = Bulk(testioc_prefix, name="bulk")
        dev.wait_for_connection(timeout=30)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename")) / N
    dev.destroy()
    warm.destroy()
    # 6.2 KB per signal before the tables, the Event and the unshared dict were cut; about 1.8 KB after.
    assert grown < 3000, f"{grown:.0f} bytes of Python heap per connected signal"


def test_subscription_tables_are_made_once_when_threads_race() -> None:
    class Source(OphydObject):
        SUB_TICK = "tick"

    for _ in range(20):
        obj = Source(name="src")
        calls: list[int] = []
        barrier = threading.Barrier(8)

        def subscribe(
            i: int, obj: Source = obj, calls: list[int] = calls, barrier: threading.Barrier = barrier
        ) -> None:
            barrier.wait()
            obj.subscribe(lambda **kw: calls.append(i), event_type="tick", run=False)
            obj._ophyd_labels_.add(f"t{i}")

        threads = [threading.Thread(target=subscribe, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        obj._run_subs(sub_type="tick")
        assert sorted(calls) == list(range(8)), "a subscription went to a table that was replaced"
        assert obj._ophyd_labels_ == {f"t{i}" for i in range(8)}


def test_labels_are_a_set_as_in_classic() -> None:
    sig = Signal(name="s", labels={"motors"})
    assert sig._ophyd_labels_ == {"motors"}
    plain = Signal(name="p")
    assert plain._ophyd_labels_ == set()
    plain._ophyd_labels_.add("detectors")
    assert plain._ophyd_labels_ == {"detectors"}


def test_latch_wakes_every_waiter_once_set() -> None:
    latch = Latch()
    assert not latch.is_set()
    assert latch.wait(0.01) is False
    woke: list[bool] = []
    threads = [threading.Thread(target=lambda: woke.append(latch.wait(10))) for _ in range(5)]
    for t in threads:
        t.start()
    latch.set()
    latch.set()  # a second set() changes nothing
    for t in threads:
        t.join(10)
    assert woke == [True] * 5
    assert latch.is_set() and latch.wait(0) and latch.wait(None)


def test_wait_for_connection_drops_its_waiter_once_connected(fresh_cl: Backend, testioc_prefix: str) -> None:
    channel = fresh_cl.channel(testioc_prefix + "bulk:0321")
    assert isinstance(channel, BaseChannel)
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(channel.wait_for_connection(10))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert results == [True] * 4
    assert channel._waiter is None
    fresh_cl.release(channel)


def test_flag_is_an_event_whose_condition_is_made_only_to_wait() -> None:
    from sophyd.control._caproto import _Flag

    flag = _Flag()
    assert not flag.is_set() and flag.wait(0.01) is False
    woke: list[bool] = []
    threads = [threading.Thread(target=lambda: woke.append(flag.wait(10))) for _ in range(4)]
    for t in threads:
        t.start()
    flag.set()
    for t in threads:
        t.join(10)
    assert woke == [True] * 4
    flag.clear()  # a circuit died: the next wait blocks until it is set again
    assert not flag.is_set() and flag.wait(0.01) is False
    later = threading.Timer(0.05, flag.set)
    later.start()
    assert flag.wait(10) is True
    later.join()
    fresh = _Flag()
    fresh.set()
    assert fresh.wait(0) and fresh._cond is None  # set before anyone waited: no Condition made


def test_flag_wakes_a_waiter_whose_set_was_cleared_at_once() -> None:
    """As threading.Event: a thread already waiting when set() runs returns True even if clear() follows."""
    from sophyd.control._caproto import _Flag

    flag = _Flag()
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(flag.wait(10)))
    waiter.start()
    wait_for(lambda: flag._cond is not None, 10, "the waiter to make the Condition")
    flag.set()
    flag.clear()
    waiter.join(10)
    assert woke == [True]


def test_caproto_pvs_connect_with_the_light_flags(testioc_prefix: str) -> None:
    from sophyd.control import new_backend
    from sophyd.control._caproto import CaprotoChannel, _Flag

    with new_backend("caproto") as backend:
        channel = backend.channel(testioc_prefix + "bulk:0042")
        assert isinstance(channel, CaprotoChannel)
        assert channel.wait_for_connection(10)
        assert isinstance(channel._pv.circuit_ready, _Flag) and isinstance(channel._pv.channel_ready, _Flag)
        assert channel.get().value == 42.0


def test_first_meta_subscriber_is_told_the_metadata_when_the_tables_came_first(
    fresh_cl: Backend, testioc_prefix: str
) -> None:
    """The subscription tables may be made before the first subscription and after the metadata changed (a
    monitored signal's first value event, code reading classic's ``_callbacks``); a first 'meta' subscriber
    is still told that the signal is connected, as classic ophyd replays the connection's 'meta' event."""
    sig = EpicsSignalRO(testioc_prefix + "bulk:0005", name="tables_first")
    try:
        sig.wait_for_connection(timeout=10)
        assert sig.describe() and sig.read_access  # the metadata, units and limits too, with no subscriber
        assert sig._callbacks["meta"] == {}  # classic's attribute: the tables exist from now on
        told = threading.Event()
        sig.subscribe(lambda **kw: kw["connected"] and told.set(), event_type="meta", run=True)
        assert told.wait(10), "the 'meta' subscriber was never told the signal is connected"
    finally:
        sig.destroy()
