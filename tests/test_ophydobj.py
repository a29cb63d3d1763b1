"""OphydObject: names, the parent tree, subscriptions and callback error handling."""

from __future__ import annotations

import copy
import gc
import logging
import threading
import warnings
from typing import Any

import pytest
from helpers import run_json_script

from sophyd import Component, Device, OphydObject, Signal
from sophyd.ophydobj import (
    UnknownSubscription,
    register_instances_in_weakset,
    register_instances_keyed_on_name,
    select_version,
)


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
    with pytest.raises(ValueError, match="name must be a str"):  # classic: ValueError
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
    with pytest.raises(UnknownSubscription):
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


# -- classic ophyd's OphydObject API ------------------------------------------------------------------------
def test_subscribe_without_event_type_and_no_default_is_a_value_error() -> None:
    """Classic: no event type and no default subscription is ValueError; an unknown type UnknownSubscription."""
    obj = OphydObject(name="plain")
    with pytest.raises(ValueError, match="no default event type"):
        obj.subscribe(lambda **kw: None)
    with pytest.raises(UnknownSubscription, match="'value'"):
        obj.subscribe(lambda **kw: None, event_type="value")
    assert issubclass(UnknownSubscription, KeyError)


def test_event_types_are_collected_from_sub_attributes() -> None:
    """Classic: every class attribute named SUB_* or _SUB_* is an event type, so subclasses can add their own."""

    class Acquirer(OphydObject):
        SUB_ACQ_DONE = "acq_done"
        _SUB_REQ_DONE = "_req_done"
        _default_sub = SUB_ACQ_DONE

    class Listed(Acquirer):
        _event_types = ("listed",)  # an explicit list adds to the SUB_* names

    assert set(Listed(name="l").event_types) == {"acq_done", "_req_done", "listed"}
    obj = Acquirer(name="acq")
    assert set(obj.event_types) == {"acq_done", "_req_done"}
    assert Acquirer.subscriptions == frozenset({"acq_done", "_req_done"})
    assert set(Signal(name="s").event_types) == {"value", "meta"}
    seen: list[dict[str, Any]] = []
    obj.subscribe(lambda **kw: seen.append(kw))  # the class's default
    obj._run_subs(sub_type=obj.SUB_ACQ_DONE, timestamp=None)
    assert seen[0]["sub_type"] == "acq_done" and seen[0]["obj"] is obj
    assert isinstance(seen[0]["timestamp"], float)  # a timestamp of None becomes the current time
    with pytest.raises(UnknownSubscription):
        obj._run_subs(sub_type="nonsense")


def test_connected_report_labels_and_unsubscribe_idempotent() -> None:
    obj = OphydObject(name="thing", labels={"motors"})
    assert obj.connected is True
    assert obj.report == {}
    assert obj._ophyd_labels_ == {"motors"}
    sig = Signal(name="sig")
    cid = sig.subscribe(lambda **kw: None)
    sig.unsubscribe(cid)
    sig.unsubscribe(cid)
    sig.unsubscribe(123456789)


def test_instance_registries() -> None:
    """register_instances_* see every OphydObject made afterwards (signals and devices alike)."""
    saved = list(OphydObject._instantiation_callbacks)
    try:
        by_name = register_instances_keyed_on_name()
        every = register_instances_in_weakset()
        sig = Signal(name="registered_signal")
        dev = Outer(name="registered_device")
        assert by_name["registered_signal"] is sig
        assert by_name["registered_device"] is dev
        assert sig in every and dev in every and dev.inner.sig in every
        seen: list[Any] = []
        OphydObject.add_instantiation_callback(seen.append)
        other = OphydObject(name="other")
        assert seen == [other]
        with pytest.raises(RuntimeError, match="already been made"):
            register_instances_in_weakset(fail_if_late=True)
        del sig
        gc.collect()
        assert "registered_signal" not in by_name  # weak: the registry keeps nothing alive
    finally:
        OphydObject._instantiation_callbacks[:] = saved


def test_a_registry_made_after_import_misses_nothing() -> None:
    """Importing sophyd (and its sim) makes no OphydObject, so ``fail_if_late=True`` registries can be set up then."""
    result = run_json_script(
        "import json, sophyd, sophyd.sim, sophyd.areadetector\n"
        "from sophyd.ophydobj import register_instances_in_weakset, register_instances_keyed_on_name\n"
        "every = register_instances_in_weakset(fail_if_late=True)\n"
        "by_name = register_instances_keyed_on_name(fail_if_late=True)\n"
        "from sophyd.sim import motor1\n"
        "mine = sophyd.Signal(name='mine')\n"
        "print(json.dumps([motor1 in every, mine in every, by_name['mine'] is mine]))"
    )
    assert result == [True, True, True]


def test_repr_and_copy_from_repr_info() -> None:
    """Classic: repr and copy.copy both come from _repr_info(); a soft Signal's repr rebuilds it."""
    sig = Signal(name="sig", value=2.5, timestamp=10.0, tolerance=0.1)
    assert repr(sig) == "Signal(name='sig', value=2.5, timestamp=10.0, tolerance=0.1)"
    rebuilt = eval(repr(sig), {"Signal": Signal})
    assert (rebuilt.name, rebuilt.get(), rebuilt.timestamp, rebuilt.tolerance) == ("sig", 2.5, 10.0, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # classic copies without a warning
        copied = copy.copy(sig)
    assert type(copied) is Signal and copied is not sig
    assert (copied.name, copied.get(), copied.timestamp) == ("sig", 2.5, 10.0)
    dev = Outer(name="outer")
    assert "parent='outer'" in repr(dev.top)
    assert copy.copy(dev.top).parent is dev  # the copy gets the parent itself, not its name


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


def test_version_families_and_select_version(caplog: pytest.LogCaptureFixture) -> None:
    class Plugin(Device, version_type="ADCore"):
        pass

    class PluginV1(Plugin, version=(1, 9), version_of=Plugin):
        pass

    class PluginV3(Plugin, version=(3, 1), version_of=Plugin):
        pass

    assert select_version(Plugin, (2, 0)) is PluginV1 and select_version(Plugin, (3, 4)) is PluginV3
    assert select_version(Plugin, (3, 1)) is PluginV3
    assert PluginV3._class_info_["version_type"] == "ADCore"  # type: ignore[attr-defined]
    assert PluginV3(name="p").name == "p"  # a versioned class is still an ordinary device
    with pytest.raises(ValueError, match=r"Plugin has no version at or below \(1, 0\)"):
        select_version(Plugin, (1, 0))
    with pytest.raises(ValueError, match="Signal has no versions"):
        select_version(Signal, (1, 0))
    with pytest.raises(RuntimeError, match="needs a version"):
        type("Bad", (Plugin,), {}, version_of=Plugin)
    with pytest.raises(RuntimeError, match="version_type"):
        type("Bad", (Plugin,), {}, version=(4, 0), version_of=Plugin, version_type="other")
    with pytest.raises(RuntimeError, match="not a subclass"):
        type("Bad", (Device,), {}, version=(4, 0), version_of=Plugin)
    type("Again", (Plugin,), {}, version=(3, 1), version_of=Plugin)
    assert "Redefining" in caplog.text
