"""OphydObject: names, the parent tree, subscriptions and callback error handling."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from sophyd import Component, Device, OphydObject, Signal


class Inner(Device):
    sig = Component(Signal, value=1)


class Outer(Device):
    inner = Component(Inner)
    top = Component(Signal, value=2)


def test_names_and_tree() -> None:
    dev = Outer(name="outer")
    assert dev.name == "outer"
    assert dev.attr_name == ""
    assert dev.parent is None
    assert dev.root is dev
    assert dev.dotted_name == ""

    leaf = dev.inner.sig
    assert leaf.name == "outer_inner_sig"
    assert leaf.attr_name == "sig"
    assert leaf.parent is dev.inner
    assert dev.inner.parent is dev
    assert leaf.root is dev
    assert leaf.dotted_name == "inner.sig"
    assert dev.top.dotted_name == "top"


def test_plain_object() -> None:
    obj = OphydObject(name="thing")
    assert obj.name == "thing"
    assert obj.root is obj
    assert obj.event_types == ()
    with pytest.raises(TypeError):
        OphydObject(name=3)  # type: ignore[arg-type]


def test_subscribe_run_true_fires_with_current_value() -> None:
    sig = Signal(name="sig", value=3)
    seen: list[dict[str, Any]] = []
    sig.subscribe(lambda **kw: seen.append(kw), run=True)
    assert len(seen) == 1
    assert seen[0]["value"] == 3
    assert seen[0]["obj"] is sig
    assert seen[0]["sub_type"] == Signal.SUB_VALUE


def test_subscribe_run_false_waits_for_a_change() -> None:
    sig = Signal(name="sig", value=3)
    seen: list[Any] = []
    sig.subscribe(lambda value, **kw: seen.append(value), run=False)
    assert seen == []
    sig.put(4)
    assert seen == [4]


def test_run_true_after_a_put_gives_latest_value() -> None:
    sig = Signal(name="sig", value=0)
    sig.put(1)
    sig.put(2)
    seen: list[tuple[Any, Any]] = []
    sig.subscribe(lambda value, old_value, **kw: seen.append((value, old_value)))
    assert seen == [(2, 1)]


def test_callback_kwargs() -> None:
    sig = Signal(name="sig", value=1.0)
    seen: list[dict[str, Any]] = []
    sig.subscribe(lambda **kw: seen.append(kw), run=False)
    sig.put(2.0, timestamp=123.0)
    (kw,) = seen
    assert kw["value"] == 2.0
    assert kw["old_value"] == 1.0
    assert kw["timestamp"] == 123.0
    assert kw["sub_type"] == "value"
    assert kw["obj"] is sig


def test_unsubscribe_and_clear_sub() -> None:
    sig = Signal(name="sig", value=0)
    a: list[Any] = []
    b: list[Any] = []

    def cb_b(value: Any, **kw: Any) -> None:
        b.append(value)

    cid = sig.subscribe(lambda value, **kw: a.append(value), run=False)
    sig.subscribe(cb_b, run=False)
    sig.subscribe(cb_b, run=False)
    assert isinstance(cid, int)
    sig.put(1)
    assert a == [1]
    assert b == [1, 1]

    sig.unsubscribe(cid)
    sig.unsubscribe(cid)  # unknown ids are ignored
    sig.put(2)
    assert a == [1]
    assert b == [1, 1, 2, 2]

    sig.clear_sub(cb_b)
    sig.put(3)
    assert b == [1, 1, 2, 2]


def test_cids_are_unique() -> None:
    sig = Signal(name="sig")
    other = Signal(name="other")
    cids = {
        sig.subscribe(lambda **kw: None),
        sig.subscribe(lambda **kw: None),
        other.subscribe(lambda **kw: None),
    }
    assert len(cids) == 3


def test_bad_subscriptions() -> None:
    sig = Signal(name="sig")
    with pytest.raises(ValueError):
        sig.subscribe(42)  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="no event type"):
        sig.subscribe(lambda **kw: None, event_type="nonsense")


def test_meta_subscription() -> None:
    sig = Signal(name="sig")
    seen: list[dict[str, Any]] = []
    sig.subscribe(lambda **kw: seen.append(kw), event_type=Signal.SUB_META, run=False)
    sig._set_metadata(units="mm")
    assert seen and seen[-1]["units"] == "mm"
    assert seen[-1]["sub_type"] == "meta"


def test_destroy_drops_subscriptions() -> None:
    dev = Outer(name="outer")
    seen: list[Any] = []
    dev.top.subscribe(lambda value, **kw: seen.append(value), run=False)
    dev.inner.sig.subscribe(lambda value, **kw: seen.append(value), run=False)
    dev.destroy()
    dev.top.put(5)
    dev.inner.sig.put(6)
    assert seen == []


def test_raising_callback_is_logged_and_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    sig = Signal(name="noisy_signal", value=0)
    seen: list[Any] = []

    def bad(**kwargs: Any) -> None:
        raise RuntimeError("boom from user callback")

    sig.subscribe(bad, run=False)
    sig.subscribe(lambda value, **kw: seen.append(value), run=False)
    with caplog.at_level(logging.ERROR, logger="sophyd"):
        sig.put(1)
    assert seen == [1]
    assert sig.get() == 1
    records = [r for r in caplog.records if r.exc_info and "boom from user callback" in str(r.exc_info[1])]
    assert len(records) == 1
    assert "noisy_signal" in records[0].getMessage()


class _SlowReplay(Signal):
    """Holds the replay of ``subscribe(run=True)`` until a newer value was sent, to open the race window."""

    hold_replay = False
    newer_sent = threading.Event()

    def _call_one(self, cb: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if self.hold_replay and threading.current_thread() is threading.main_thread():
            self.hold_replay = False
            writer = threading.Thread(target=self.put, args=(2,))
            writer.start()
            # Before the fix the writer delivered 2 at once; now it waits until this replay is over.
            writer.join(0.5)
        super()._call_one(cb, args, kwargs)


def test_replay_of_subscribe_run_true_comes_before_newer_values() -> None:
    sig = _SlowReplay(name="sig", value=1)
    seen: list[Any] = []
    done = threading.Event()

    def cb(value: Any, **kwargs: Any) -> None:
        seen.append(value)
        if value == 2:
            done.set()

    sig.hold_replay = True
    sig.subscribe(cb, run=True)
    assert done.wait(5.0)
    assert seen == [1, 2]


def test_values_arrive_in_order_while_subscribing_during_a_flood() -> None:
    sig = Signal(name="flood", value=0)
    stop = threading.Event()

    def flood() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            sig.put(n)

    writer = threading.Thread(target=flood)
    writer.start()
    seen: list[list[int]] = []
    try:
        for _ in range(200):
            values: list[int] = []
            seen.append(values)
            sig.subscribe(lambda value, _v=values, **kw: _v.append(value), run=True)
    finally:
        stop.set()
        writer.join(5.0)
    for values in seen:
        assert values == sorted(values), values
