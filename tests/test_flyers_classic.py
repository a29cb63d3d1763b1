"""Classic ophyd's EPICS flyers in sophyd.flyers, over Channel Access to tests/flyer_ioc.py (started with the
session's IOCs): AreaDetectorTimeseriesCollector over an NDStats time series, WaveformCollector over the NSLS-II
timestamp records. Each flies under a real RunEngine; collect() gives one event per point the IOC buffered.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Generator, Iterator
from typing import Any

import bluesky.plan_stubs as bps
import numpy as np
import pytest
from bluesky import RunEngine
from event_model import DocumentNames, schema_validators, unpack_event_page

from sophyd.flyers import AreaDetectorTimeseriesCollector, WaveformCollector
from sophyd.sim import IOCSet
from sophyd.status import SubscriptionStatus

TIMEOUT = 10.0
POINTS = 5

Docs = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def prefix(cl: str, sophyd_iocs: IOCSet) -> str:
    return sophyd_iocs.prefix("tests/flyer_ioc.py")


@pytest.fixture
def made() -> Iterator[Callable[..., Any]]:
    """Make a device and wait for its connection; destroyed after the test."""
    devices: list[Any] = []

    def make(cls: type, *args: Any, **kwargs: Any) -> Any:
        device = cls(*args, **kwargs)
        devices.append(device)
        device.wait_for_connection(timeout=TIMEOUT)
        return device

    yield make
    for device in devices:
        device.destroy()


def reaches(signal: Any, count: int) -> concurrent.futures.Future[None]:
    """A future done once ``signal`` (a point counter of the IOC) is at least ``count``; fails after TIMEOUT."""
    future: concurrent.futures.Future[None] = concurrent.futures.Future()
    status = SubscriptionStatus(signal, lambda value, **_: value >= count, timeout=TIMEOUT)
    status.add_callback(
        lambda st: future.set_result(None) if st.success else future.set_exception(st.exception())
    )
    return future


def fly(flyer: Any, counter: Any) -> Generator[Any, Any, None]:
    """kickoff, wait until the IOC has buffered POINTS points, complete, collect, in one run."""
    yield from bps.open_run()
    yield from bps.kickoff(flyer, wait=True)
    enough = reaches(counter, POINTS)
    yield from bps.wait_for([lambda: asyncio.wrap_future(enough)])
    yield from bps.complete(flyer, wait=True)
    yield from bps.collect(flyer)
    yield from bps.close_run()


def run(plan: Generator[Any, Any, None]) -> Docs:
    docs: Docs = []
    RunEngine({})(plan, lambda name, doc: docs.append((name, doc)))
    for name, doc in docs:
        schema_validators[DocumentNames(name)].validate(doc)
    return docs


def events(docs: Docs) -> list[dict[str, Any]]:
    return [event for name, doc in docs if name == "event_page" for event in unpack_event_page(doc)]


def test_timeseries_collector_flies_and_collects_each_point(prefix: str, made: Callable[..., Any]) -> None:
    ts = made(AreaDetectorTimeseriesCollector, prefix + "TS:", name="ts", stream_name="stats")
    assert list(ts.read_configuration()) == ["ts_num_points"] and ts.read() == {}
    docs = run(fly(ts, ts.cur_point))
    assert ts.control.get(as_string=True) == "Stop"  # complete() stopped the time series
    n = ts.cur_point.get()
    assert n >= POINTS
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["name"] == "stats" and list(descriptor["data_keys"]) == ["ts"]
    assert descriptor["data_keys"]["ts"]["dtype"] == "number"
    assert descriptor["data_keys"]["ts"]["source"].endswith("TS:TSTotal")
    collected = events(docs)
    assert [event["data"]["ts"] for event in collected] == [100.0 + i for i in range(n)]
    times = [event["timestamps"]["ts"] for event in collected]  # each point's time from TSTimestamp
    assert times == sorted(times) and times[0] < times[-1]


def test_timeseries_collector_refuses_out_of_order_calls_by_name(
    prefix: str, made: Callable[..., Any]
) -> None:
    ts = made(AreaDetectorTimeseriesCollector, prefix + "TS:", name="ts")
    ts.control.put("Stop", wait=True)
    with pytest.raises(RuntimeError, match="'ts' is not acquiring"):
        ts.complete()
    ts.kickoff().wait(TIMEOUT)
    try:
        with pytest.raises(RuntimeError, match="'ts': acquisition still in progress"):
            list(ts.collect())
    finally:
        ts.complete().wait(TIMEOUT)
    assert ts.describe_collect().keys() == {"ts"}  # the stream is named after the device by default


def test_timeseries_collector_pause_keeps_the_buffer_and_resume_adds_to_it(
    prefix: str, made: Callable[..., Any]
) -> None:
    ts = made(AreaDetectorTimeseriesCollector, prefix + "TS:", name="ts")
    ts.kickoff().wait(TIMEOUT)
    reaches(ts.cur_point, 2).result(TIMEOUT)
    ts.pause()
    held = ts.cur_point.get()
    ts.resume()
    reaches(ts.cur_point, held + 2).result(TIMEOUT)
    ts.complete().wait(TIMEOUT)
    collected = list(ts.collect())
    values = [event["data"]["ts"] for event in collected]
    assert values[: held + 2] == [100.0 + i for i in range(held + 2)]  # nothing erased by the pause
    assert all(event["time"] == event["timestamps"]["ts"] for event in collected)  # as classic's events


@pytest.mark.parametrize("data_is_time", [True, False])
def test_waveform_collector_flies_and_collects_each_stamp(
    prefix: str, made: Callable[..., Any], data_is_time: bool
) -> None:
    wfc = made(WaveformCollector, prefix + "WFC:", name="wfc", data_is_time=data_is_time)
    assert wfc.read() == {} and "data_is_time=" + str(data_is_time) in repr(wfc)
    docs = run(fly(wfc, wfc.waveform_count))
    assert wfc.select.get() == 0  # complete() stopped the buffer
    stamps = wfc.waveform.get()[: int(wfc.waveform_nord.get())]
    assert len(stamps) >= POINTS
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["name"] == "wfc" and list(descriptor["data_keys"]) == ["wfc"]
    collected = events(docs)
    assert [event["timestamps"]["wfc"] for event in collected] == list(stamps)
    expected = list(stamps) if data_is_time else list(range(len(stamps)))
    assert [event["data"]["wfc"] for event in collected] == expected
    assert descriptor["data_keys"]["wfc"]["dtype"] == ("number" if data_is_time else "integer")


def test_waveform_collector_kickoff_clears_the_buffer(prefix: str, made: Callable[..., Any]) -> None:
    wfc = made(WaveformCollector, prefix + "WFC:", name="wfc")
    wfc.kickoff().wait(TIMEOUT)
    reaches(wfc.waveform_count, 3).result(TIMEOUT)
    wfc.complete().wait(TIMEOUT)
    first = list(wfc.collect())
    wfc.kickoff().wait(TIMEOUT)
    wfc.complete().wait(TIMEOUT)
    second = list(wfc.collect())
    assert len(first) >= 3
    assert len(second) < len(first) or second[0]["time"] > first[-1]["time"]  # the old stamps are gone
    assert np.all(np.diff([event["time"] for event in second]) >= 0)
