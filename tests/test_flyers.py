"""sophyd.flyers under a real RunEngine: MonitorFlyerMixin records the values its signals take while flying."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from typing import Any

import bluesky.plan_stubs as bps
import pytest
from bluesky import RunEngine
from event_model import unpack_event_page

from sophyd import Component as Cpt
from sophyd import Device, EpicsSignal, Signal
from sophyd.control import use_cl
from sophyd.flyers import (
    AreaDetectorTimeseriesCollector,
    FlyerInterface,
    MonitorFlyerMixin,
    WaveformCollector,
)

Docs = list[tuple[str, dict[str, Any]]]
TIMEOUT = 10.0


class SoftFlyer(MonitorFlyerMixin, Device):
    """Two soft signals, monitored while flying."""

    x = Cpt(Signal, value=0.0)
    y = Cpt(Signal, value=10.0)


def fly_plan(flyer: Any, during: Any) -> Generator[Any, Any, None]:
    """kickoff, run ``during()`` (puts to the signals), complete, collect, in one run."""
    yield from bps.open_run()
    yield from bps.kickoff(flyer, wait=True)
    yield from bps.null()
    during()
    yield from bps.complete(flyer, wait=True)
    yield from bps.collect(flyer)
    yield from bps.close_run()


def run(flyer: Any, during: Any) -> Docs:
    """Run fly_plan; the documents, with the event pages bluesky emits for a collect() unpacked to events."""
    docs: Docs = []

    def keep(name: str, doc: dict[str, Any]) -> None:
        if name == "event_page":
            docs.extend(("event", event) for event in unpack_event_page(doc))
        else:
            docs.append((name, doc))

    RunEngine({})(fly_plan(flyer, during), keep)
    return docs


def puts(*steps: tuple[Signal, float]) -> Any:
    """A ``during`` that puts each value in turn and returns the (value, timestamp) each signal took."""
    taken: dict[str, list[tuple[float, float]]] = {}

    def during() -> None:
        for signal, value in steps:
            signal.put(value)
            taken.setdefault(signal.name, []).append((value, signal.timestamp))

    during.taken = taken  # type: ignore[attr-defined]
    return during


def test_pivot_gives_one_event_per_value_in_order_with_timestamps() -> None:
    flyer = SoftFlyer(name="fl", monitor_attrs=["x", "y"], stream_names={"y": "ystream"}, pivot=True)
    start = {"fl_x": (flyer.x.get(), flyer.x.timestamp), "fl_y": (flyer.y.get(), flyer.y.timestamp)}
    during = puts((flyer.x, 1.0), (flyer.y, 11.0), (flyer.x, 2.0), (flyer.x, 3.0))
    docs = run(flyer, during)

    descriptors = {doc["name"]: doc for name, doc in docs if name == "descriptor"}
    assert sorted(descriptors) == ["fl_x", "ystream"]
    assert list(descriptors["fl_x"]["data_keys"]) == ["fl_x"]
    assert descriptors["fl_x"]["data_keys"]["fl_x"]["dtype"] == "number"
    assert list(descriptors["ystream"]["data_keys"]) == ["fl_y"]

    uid_to_stream = {doc["uid"]: doc["name"] for doc in descriptors.values()}
    events: dict[str, list[tuple[float, float]]] = {}
    for name, doc in docs:
        if name == "event":
            (key,) = doc["data"]
            events.setdefault(uid_to_stream[doc["descriptor"]], []).append(
                (doc["data"][key], doc["timestamps"][key])
            )
    # each signal's current value at kickoff, then every value put while flying, in order
    assert events["fl_x"] == [start["fl_x"], *during.taken["fl_x"]]
    assert events["ystream"] == [start["fl_y"], *during.taken["fl_y"]]


def test_collect_events_are_timed_as_classic() -> None:
    """Pivoted, an event's time is its value's timestamp; otherwise it is the kickoff time."""
    for pivot in (True, False):
        flyer = SoftFlyer(name="fl", monitor_attrs=["x"], pivot=pivot)
        before = time.time()
        flyer.kickoff().wait(TIMEOUT)
        after = time.time()
        flyer.x.put(1.0)
        flyer.complete().wait(TIMEOUT)
        events = list(flyer.collect())
        if pivot:
            assert [e["time"] for e in events] == [e["timestamps"]["fl_x"] for e in events]
            assert len(events) == 2
        else:
            (event,) = events
            assert before <= event["time"] <= after
            assert event["data"] == {"fl_x": [0.0, 1.0]}


def test_no_pivot_gives_one_array_event_per_signal() -> None:
    flyer = SoftFlyer(name="fl", monitor_attrs=["x"])
    start = (flyer.x.get(), flyer.x.timestamp)
    during = puts((flyer.x, 5.0), (flyer.x, 6.0), (flyer.y, 99.0))  # y is not monitored
    docs = run(flyer, during)

    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert descriptor["name"] == "fl_x"
    assert list(descriptor["data_keys"]) == ["fl_x"]
    assert descriptor["data_keys"]["fl_x"]["dtype"] == "array"
    (event,) = [doc for name, doc in docs if name == "event"]
    expected = [start, *during.taken["fl_x"]]
    assert event["data"]["fl_x"] == [v for v, _ in expected]
    assert event["timestamps"]["fl_x"] == [ts for _, ts in expected]


def test_values_after_complete_and_while_paused_are_not_recorded() -> None:
    flyer = SoftFlyer(name="fl", monitor_attrs=["x"], pivot=True)
    flyer.kickoff().wait(TIMEOUT)
    flyer.x.put(1.0)
    flyer.pause()
    flyer.x.put(2.0)
    flyer.resume()  # records the current value again, as classic's fresh subscription does
    flyer.x.put(3.0)
    with pytest.raises(RuntimeError, match="still in progress"):
        list(flyer.collect())
    status = flyer.complete()
    assert status.done and status.success
    flyer.x.put(4.0)
    assert [event["data"]["fl_x"] for event in flyer.collect()] == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="nothing to collect"):
        list(flyer.collect())  # the data was handed out once
    with pytest.raises(RuntimeError, match="not acquiring"):
        flyer.complete()


def test_monitoring_a_device_is_refused_by_name() -> None:
    class Nested(MonitorFlyerMixin, Device):
        inner = Cpt(SoftFlyer)

    flyer = Nested(name="nest", monitor_attrs=["inner"])
    with pytest.raises(ValueError, match="'nest' cannot monitor 'inner'"):
        flyer.kickoff()


def test_flyer_interface_names_the_missing_method() -> None:
    class Half(FlyerInterface, Device):
        pass

    with pytest.raises(NotImplementedError, match=r"Half \('half'\) does not implement kickoff\(\)"):
        Half(name="half").kickoff()


class EpicsFlyer(MonitorFlyerMixin, Device):
    """A setpoint PV of the test IOC, monitored while flying."""

    sp = Cpt(EpicsSignal, "sp")


def put_and_see(signal: EpicsSignal, value: float) -> None:
    """Put ``value`` and wait until the signal's monitor has reported it."""
    seen = threading.Event()

    def arrived(value: Any = None, **kwargs: Any) -> None:
        if value == target:
            seen.set()

    target = value
    cid = signal.subscribe(arrived, run=False)
    try:
        signal.put(value, wait=True, timeout=TIMEOUT)
        assert seen.wait(TIMEOUT), f"{value} never arrived as a monitor of {signal.name}"
    finally:
        signal.unsubscribe(cid)


def test_epics_signal_values_are_collected_in_order(cl: str, testioc_prefix: str) -> None:
    flyer = EpicsFlyer(testioc_prefix, name="ef", monitor_attrs=["sp"], pivot=True)
    flyer.wait_for_connection(timeout=TIMEOUT)
    put_and_see(flyer.sp, 0.5)  # the value kickoff() records first
    values = [1.25, 2.5, 3.75]

    def during() -> None:
        for value in values:
            put_and_see(flyer.sp, value)

    try:
        docs = run(flyer, during)
    finally:
        flyer.destroy()
    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert descriptor["name"] == "ef_sp"
    assert descriptor["data_keys"]["ef_sp"]["source"] == f"PV:{testioc_prefix}sp"
    events = [doc for name, doc in docs if name == "event"]
    assert [event["data"]["ef_sp"] for event in events] == [0.5, *values]
    stamps = [event["timestamps"]["ef_sp"] for event in events]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # the IOC's timestamps, in order


def test_collectors_declare_classics_default_attrs() -> None:
    assert AreaDetectorTimeseriesCollector._default_configuration_attrs == ("num_points",)
    assert AreaDetectorTimeseriesCollector._default_read_attrs == ()
    assert WaveformCollector._default_read_attrs == WaveformCollector._default_configuration_attrs == ()

    class Extended(AreaDetectorTimeseriesCollector):
        extra = Cpt(EpicsSignal, "TSExtra")

    with use_cl("mock"):
        ts = Extended("XF:Stats1:", name="ts")
        waves = WaveformCollector("XF:TS:", name="waves")
    try:
        # as in classic, a subclass's component is neither read nor configuration unless it says so
        assert (list(ts.read_attrs), list(ts.configuration_attrs)) == ([], ["num_points"])
        assert (list(waves.read_attrs), list(waves.configuration_attrs)) == ([], [])
    finally:
        ts.destroy()
        waves.destroy()
