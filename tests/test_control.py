"""The CA backends (pyepics and caproto) against the test IOC over real Channel Access."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from helpers import TIMEOUT, PutWaiter, run_json_script

from sophyd._dispatch import get_dispatcher
from sophyd.control import Channel, PVReading, get_backend
from sophyd.control._base import Backend
from sophyd.errors import DisconnectedError, PutFailedError, ReadOnlyError

BACKENDS = ["pyepics", "caproto"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, testioc_prefix: str) -> Backend:
    return get_backend(request.param)


@pytest.fixture
def pv(backend: Backend, testioc_prefix: str) -> Callable[[str], Channel]:
    """Connected channels of the test IOC by suffix."""

    def make(suffix: str) -> Channel:
        channel = backend.channel(testioc_prefix + suffix)
        assert channel.wait_for_connection(TIMEOUT), f"{channel.pvname} did not connect"
        return channel

    return make


def put_wait(channel: Channel, value: Any, timeout: float | None = TIMEOUT) -> BaseException | None:
    waiter = PutWaiter()
    channel.put(value, callback=waiter, timeout=timeout)
    return waiter.wait()


class Recorder:
    """A subscriber that records readings and wakes a waiter when one satisfies a predicate."""

    def __init__(self, delay: float = 0.0) -> None:
        self.readings: list[PVReading] = []
        self.delay = delay
        self._cond = threading.Condition()

    def __call__(self, reading: PVReading) -> None:
        if self.delay:
            time.sleep(self.delay)  # a slow user callback, not synchronisation
        with self._cond:
            self.readings.append(reading)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[PVReading], bool], timeout: float = TIMEOUT) -> PVReading:
        with self._cond:
            ok = self._cond.wait_for(lambda: any(predicate(r) for r in self.readings), timeout)
            assert ok, f"no matching reading in {self.readings[-5:]}"
            return next(r for r in self.readings if predicate(r))


@pytest.fixture
def subscribe() -> Iterator[Callable[[Channel, Recorder], Recorder]]:
    subs: list[tuple[Channel, int]] = []

    def add(channel: Channel, recorder: Recorder) -> Recorder:
        subs.append((channel, channel.subscribe(recorder)))
        return recorder

    yield add
    for channel, handle in subs:
        channel.unsubscribe(handle)


def test_info(pv: Callable[[str], Channel]) -> None:
    info = pv("dbl").load_info(TIMEOUT)
    assert (info.native_type, info.count, info.units, info.precision) == ("float", 1, "mm", 3)
    assert (info.lower_ctrl_limit, info.upper_ctrl_limit) == (-100.0, 100.0)
    assert (info.lower_disp_limit, info.upper_disp_limit) == (-120.0, 120.0)
    assert (info.lower_alarm_limit, info.upper_alarm_limit) == (-90.0, 90.0)
    assert (info.lower_warning_limit, info.upper_warning_limit) == (-80.0, 80.0)
    assert info.read_access and info.write_access
    assert pv("long").info().native_type == "integer"
    assert pv("long").load_info(TIMEOUT).units == "counts"
    assert pv("enum").load_info(TIMEOUT).enum_strs == ("Off", "On", "Fault")
    assert pv("str").info().native_type == "string"
    assert (pv("path").info().native_type, pv("path").info().count) == ("char", 256)
    assert pv("farray").info().count == 1000
    ro = pv("ro").info()
    assert ro.read_access and not ro.write_access


@pytest.mark.parametrize(
    ("suffix", "kind"),
    [("dbl", float), ("long", int), ("enum", int), ("str", str), ("path", str), ("ro", float)],
)
def test_get_scalar_types(pv: Callable[[str], Channel], suffix: str, kind: type) -> None:
    reading = pv(suffix).get(use_monitor=False)
    assert type(reading.value) is kind
    assert reading.timestamp > 0


def test_get_values(pv: Callable[[str], Channel]) -> None:
    assert pv("ro").get().value == 4.25
    farray = pv("farray").get(use_monitor=False).value
    assert isinstance(farray, np.ndarray) and farray.dtype == np.float64 and farray.flags.writeable
    iarray = pv("iarray").get(use_monitor=False).value
    assert isinstance(iarray, np.ndarray) and iarray.dtype.kind == "i"
    enum = pv("enum")
    index = enum.get(use_monitor=False).value
    assert enum.get(as_string=True, use_monitor=False).value == enum.info().enum_strs[index]
    assert pv("ro").get(as_string=True).value == "4"  # precision 0 on the IOC
    assert pv("dbl").get(as_string=True).value.count(".") == 1


@pytest.mark.parametrize(
    ("suffix", "value", "expected"),
    [
        ("dbl", 12.5, 12.5),
        ("long", -42, -42),
        ("enum", "Fault", 2),
        ("enum", 1, 1),
        ("str", "sophyd", "sophyd"),
        ("path", "/data/2024/scan_0001.h5", "/data/2024/scan_0001.h5"),
        ("iarray", [5, 6, 7], [5, 6, 7]),
    ],
)
def test_put_with_completion(pv: Callable[[str], Channel], suffix: str, value: Any, expected: Any) -> None:
    channel = pv(suffix)
    original = channel.get(use_monitor=False).value
    try:
        assert put_wait(channel, value) is None
        got = channel.get(use_monitor=False).value
        assert list(got) == expected if isinstance(got, np.ndarray) else got == expected
    finally:
        assert put_wait(channel, original) is None  # later tests expect the IOC's own values


def test_put_without_callback(pv: Callable[[str], Channel], subscribe: Any) -> None:
    channel = pv("sp")
    recorder = subscribe(channel, Recorder())
    channel.put(33.0)
    recorder.wait_for(lambda r: r.value == 33.0)


def test_put_array_round_trip(pv: Callable[[str], Channel]) -> None:
    channel = pv("farray")
    original = channel.get(use_monitor=False).value
    data = np.linspace(0.0, 1.0, 1000)
    try:
        assert put_wait(channel, data) is None
        assert np.array_equal(channel.get(use_monitor=False).value, data)
    finally:
        assert put_wait(channel, original) is None  # later tests expect the IOC's own values


@pytest.mark.parametrize(("suffix", "value"), [("reject", -1.0), ("dbl", 1000.0)])
def test_put_failure_is_reported(pv: Callable[[str], Channel], suffix: str, value: float) -> None:
    channel = pv(suffix)
    start = time.monotonic()
    error = put_wait(channel, value)
    assert isinstance(error, PutFailedError)
    assert channel.pvname in str(error) and repr(value) in str(error)
    assert time.monotonic() - start < 1.0  # at once, not by a timeout
    assert channel.get(use_monitor=False).value != value


def test_delayed_completion(pv: Callable[[str], Channel]) -> None:
    channel = pv("slow")
    start = time.monotonic()
    assert put_wait(channel, 3.0) is None
    assert time.monotonic() - start >= 0.4


def test_completion_timeout(pv: Callable[[str], Channel]) -> None:
    channel = pv("slow")
    waiter = PutWaiter()
    channel.put(4.0, callback=waiter, timeout=0.1)
    error = waiter.wait()
    assert isinstance(error, TimeoutError)
    assert channel.pvname in str(error) and "4.0" in str(error)


def test_put_refused_before_sending(pv: Callable[[str], Channel]) -> None:
    with pytest.raises(ReadOnlyError, match="ro"):
        pv("ro").put(1.0)
    with pytest.raises(ValueError, match="enum"):
        pv("enum").put("Nope")
    with pytest.raises(ValueError, match="too long"):
        pv("str").put("x" * 50)


def test_alarm_states(pv: Callable[[str], Channel]) -> None:
    channel = pv("alarm")
    for value, severity in [(12.0, 2), (6.0, 1), (0.0, 0)]:
        assert put_wait(channel, value) is None
        assert channel.get(use_monitor=False).severity == severity


def test_monitor_and_readback(pv: Callable[[str], Channel], subscribe: Any) -> None:
    sp, rbv = pv("sp"), pv("rbv")
    recorder = subscribe(rbv, Recorder())
    recorder.wait_for(lambda r: True)  # the current value arrives first
    target = time.time() % 1000
    assert put_wait(sp, target) is None
    recorder.wait_for(lambda r: r.value == pytest.approx(target))


def test_get_uses_monitor_cache_only_while_subscribed(pv: Callable[[str], Channel], subscribe: Any) -> None:
    channel = pv("ro")
    recorder = subscribe(channel, Recorder())
    first = recorder.wait_for(lambda r: True)
    assert channel.get() is first
    assert channel.get(use_monitor=False) is not first


def test_unsubscribe_stops_updates(pv: Callable[[str], Channel]) -> None:
    channel = pv("sp")
    recorder = Recorder()
    handle = channel.subscribe(recorder)
    recorder.wait_for(lambda r: True)
    channel.unsubscribe(handle)
    assert put_wait(channel, 77.0) is None
    seen = len(recorder.readings)
    other = Recorder()  # a later subscriber sees the new value; the old one saw nothing more
    h2 = channel.subscribe(other)
    other.wait_for(lambda r: r.value == 77.0)
    channel.unsubscribe(h2)
    assert len(recorder.readings) == seen


def test_get_many(backend: Backend, testioc_prefix: str) -> None:
    channels = [backend.channel(f"{testioc_prefix}bulk:{i:04d}") for i in range(100)]
    assert all(ch.wait_for_connection(TIMEOUT) for ch in channels)
    readings = backend.get_many(channels, as_string=[False] * 100, timeout=TIMEOUT)
    assert [r.value for r in readings] == [float(i) for i in range(100)]
    enum = backend.channel(testioc_prefix + "enum")
    assert enum.wait_for_connection(TIMEOUT)
    labelled = backend.get_many([enum, channels[3]], as_string=[True, False])
    assert labelled[0].value in enum.info().enum_strs and labelled[1].value == 3.0


def test_missing_pv(backend: Backend, testioc_prefix: str) -> None:
    channel = backend.channel(testioc_prefix + "does_not_exist")
    assert not channel.wait_for_connection(0.2)
    with pytest.raises(DisconnectedError, match="does_not_exist"):
        channel.get()
    with pytest.raises(DisconnectedError, match="does_not_exist"):
        channel.info()
    with pytest.raises(DisconnectedError):
        backend.get_many([channel], as_string=[False])
    channel.destroy()


def test_connection_callback_when_connected(pv: Callable[[str], Channel]) -> None:
    seen: list[bool] = []
    event = threading.Event()
    pv("dbl").add_connection_callback(lambda up: (seen.append(up), event.set()))
    assert event.wait(TIMEOUT) and seen == [True]


def test_flood_coalesces_and_puts_stay_fast(pv: Callable[[str], Channel], subscribe: Any) -> None:
    """A slow subscriber under 2,000 updates/s sees the latest values, drops the rest, and does not slow puts."""
    flood, rate, dbl = pv("flood"), pv("flood_rate"), pv("dbl")
    recorder = subscribe(flood, Recorder(delay=0.02))
    start = recorder.wait_for(lambda r: True).value
    dispatcher = get_dispatcher("monitor")
    dropped_before = dispatcher.dropped
    assert put_wait(rate, 2000.0) is None
    try:
        latencies = []
        for i in range(20):
            t0 = time.perf_counter()
            assert put_wait(dbl, float(i)) is None
            latencies.append(time.perf_counter() - t0)
        last = recorder.wait_for(lambda r: r.value >= start + 600, timeout=10)
    finally:
        assert put_wait(rate, 0.0) is None
    assert len(recorder.readings) < (last.value - start) / 4  # most updates were coalesced away
    assert dispatcher.dropped - dropped_before > 100
    assert statistics.median(latencies) < 0.03, latencies


def test_disconnect_and_reconnect(
    backend: Backend, pv: Callable[[str], Channel], subscribe: Any, restartable_testioc: Any
) -> None:
    """IOC stop: gets fail at once and callbacks hear it; IOC start: reconnect and monitors resume by themselves."""
    sophyd_iocs = restartable_testioc
    channel = pv("sp")
    states: list[bool] = []
    down, up = threading.Event(), threading.Event()

    def on_connection(connected: bool) -> None:
        states.append(connected)
        (up if connected else down).set()

    channel.add_connection_callback(on_connection)
    recorder = subscribe(channel, Recorder())
    recorder.wait_for(lambda r: True)
    up.clear()
    sophyd_iocs.stop("testioc")
    try:
        assert down.wait(TIMEOUT)
        start = time.monotonic()
        with pytest.raises(DisconnectedError, match="sp"):
            channel.get(use_monitor=False)
        with pytest.raises(DisconnectedError):
            channel.get()  # the monitor cache is dropped with the connection
        with pytest.raises(DisconnectedError):
            channel.put(1.0, callback=PutWaiter())
        assert time.monotonic() - start < 0.1
    finally:
        sophyd_iocs.start("testioc")
    assert up.wait(15) and channel.wait_for_connection(TIMEOUT)
    # The disconnect, then the reconnect; a True may come more than once (new metadata is told the same way).
    after_down = states[len(states) - states[::-1].index(False) :]
    assert after_down and all(after_down), states
    recorder.wait_for(lambda r: r.value == 0.0)  # the restarted IOC's value, sent when the monitor resumes
    target = time.time() % 1000
    assert put_wait(channel, target) is None
    recorder.wait_for(lambda r: r.value == pytest.approx(target))


def test_connection_tells_type_and_access_and_load_info_the_rest(
    fresh_cl: Backend, testioc_prefix: str
) -> None:
    dbl, text, ro = (fresh_cl.channel(testioc_prefix + s) for s in ("dbl", "str", "ro"))
    assert fresh_cl.wait_for_connection_many([dbl, text, ro], TIMEOUT)
    info = dbl.info()
    assert (info.native_type, info.count, info.read_access, info.write_access) == ("float", 1, True, True)
    assert (info.control, info.units, info.precision) == (False, "", None)
    assert text.info().control  # a string PV has no control fields to read
    assert ro.info().write_access is False
    loaded = dbl.load_info(TIMEOUT)
    assert (loaded.control, loaded.units, loaded.precision, loaded.upper_ctrl_limit) == (True, "mm", 3, 100.0)
    assert dbl.info() == loaded


def test_request_info_calls_connection_callbacks_when_it_arrives(
    fresh_cl: Backend, testioc_prefix: str
) -> None:
    channel = fresh_cl.channel(testioc_prefix + "long")
    assert channel.wait_for_connection(TIMEOUT)
    arrived = threading.Event()
    channel.add_connection_callback(lambda up: up and channel.info().control and arrived.set())
    assert not channel.info().control
    channel.request_info()
    assert arrived.wait(TIMEOUT)
    assert channel.info().units == "counts"


def test_load_info_many_reads_every_channel_once(fresh_cl: Backend, testioc_prefix: str) -> None:
    names = ["dbl", "long", "enum", "dbl"]
    channels = [fresh_cl.channel(testioc_prefix + s) for s in names]
    assert fresh_cl.wait_for_connection_many(channels, TIMEOUT)
    infos = fresh_cl.load_info_many(channels, timeout=TIMEOUT)
    assert [i.units for i in infos] == ["mm", "counts", "", "mm"]
    assert infos[2].enum_strs == ("Off", "On", "Fault")


def test_a_put_right_after_subscribe_comes_after_the_first_reading(
    fresh_cl: Backend, testioc_prefix: str
) -> None:
    """subscribe() of a connected channel sends the subscription before it returns (caproto's client would
    leave it to its own thread): a put sent next reaches the IOC after it, so the first reading is the value
    from before the put. A round in which the two readings coalesced (the dispatcher dropped one) proves
    nothing either way and is repeated."""
    channel = fresh_cl.channel(testioc_prefix + "long")
    assert channel.wait_for_connection(TIMEOUT)
    start = int(channel.get(use_monitor=False).value)
    monitor = get_dispatcher("monitor")
    for _ in range(10):
        recorder, dropped = Recorder(), monitor.dropped
        handle = channel.subscribe(recorder)
        try:
            channel.put(start + 1)
            recorder.wait_for(lambda r: r.value == start + 1)
        finally:
            channel.unsubscribe(handle)
            assert put_wait(channel, start) is None
        if monitor.dropped == dropped:
            break
    assert [r.value for r in recorder.readings] == [start, start + 1]


def test_wait_for_connection_many_with_one_channel_twice(fresh_cl: Backend, testioc_prefix: str) -> None:
    """Two components on one PV share a channel: the wait ends when it connects, not at the timeout."""
    channel = fresh_cl.channel(testioc_prefix + "bulk:0123")
    start = time.monotonic()
    assert fresh_cl.wait_for_connection_many([channel, channel], 60.0)
    assert time.monotonic() - start < 30.0


def test_wait_for_connection_many_reports_a_missing_channel(fresh_cl: Backend, testioc_prefix: str) -> None:
    good = [fresh_cl.channel(f"{testioc_prefix}bulk:{i:04d}") for i in range(400, 450)]
    missing = fresh_cl.channel(testioc_prefix + "no_such_pv_many")
    start = time.monotonic()
    assert not fresh_cl.wait_for_connection_many([*good, missing], 0.5)
    assert time.monotonic() - start < 3.0
    assert fresh_cl.wait_for_connection_many(good, TIMEOUT)


EXIT_WITH_LIVE_MONITORS = """
import atexit, json, sys
from epics import ca
from sophyd import EpicsSignalRO
from sophyd.control import get_backend

prefix = sys.argv[1]
signals = [EpicsSignalRO(prefix + pv, name=pv, auto_monitor=True) for pv in ("dbl", "long", "farray", "flood")]
for signal in signals:
    signal.wait_for_connection(timeout=10)
    signal.subscribe(lambda **kw: None)
backend = get_backend("pyepics")
seen = []  # what sophyd's backend looked like when pyepics' exit handler destroyed the context
destroy = ca.context_destroy
ca.context_destroy = lambda: (seen.append([backend._closed, len(backend._by_key)]), destroy())[1]
atexit._run_exitfuncs()  # what the interpreter runs on its way out, here so that the outcome can be printed
print(json.dumps({"seen": seen, "finalized": ca.libca is ca._LIBCA_FINALIZED}))
"""


def test_exit_clears_our_channels_before_pyepics_destroys_the_context(testioc_prefix: str) -> None:
    """At interpreter exit sophyd clears its libca channels (monitors live, the IOC still running and posting)
    before pyepics' own exit handler destroys the CA context: a process that exited while its IOC still sent
    updates could crash as the context went away under channels libca was still calling back for."""
    result = run_json_script(EXIT_WITH_LIVE_MONITORS, testioc_prefix)
    assert result == {"seen": [[True, 0]], "finalized": True}


DESTROY_UNDER_LOAD = """
import json, sys, threading
from sophyd.control import get_backend
from sophyd.errors import DisconnectedError

prefix, rounds = sys.argv[1], int(sys.argv[2])
backend = get_backend(sys.argv[3])
refused = set()
for _ in range(rounds):
    channel = backend.channel(prefix + "sp")
    assert channel.wait_for_connection(10)
    go, stop = threading.Barrier(4), threading.Event()

    def work() -> None:
        go.wait()
        while True:
            last = stop.is_set()  # then this round starts after the destroy: it must be refused
            try:
                channel.put(1.0, callback=lambda error: None, timeout=5)
                channel.get(use_monitor=False, timeout=5)
            except DisconnectedError as exc:
                refused.add(str(exc))
            if last:
                break

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    go.wait()
    channel.destroy()  # while the other three put and read on it
    stop.set()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
print(json.dumps(sorted(refused)))
"""


@pytest.mark.parametrize("name", BACKENDS)
def test_destroying_a_channel_while_other_threads_use_it(testioc_prefix: str, name: str) -> None:
    """Threads that put and read on a channel as another destroys it get DisconnectedError naming the PV, and
    the process lives: libca frees a cleared channel, and a put on its old id had crashed the process
    (SIGSEGV). Run in a child process, so a crash fails this test with its stack, not the whole session."""
    refused = run_json_script(DESTROY_UNDER_LOAD, testioc_prefix, "100", name, timeout=120)
    assert refused, "no operation met the destroyed channel: the race was not exercised"
    assert all(message.startswith(testioc_prefix + "sp ") for message in refused), refused


def test_destroy_fails_a_put_still_waiting_for_completion(backend: Backend, testioc_prefix: str) -> None:
    """A put whose completion is outstanding when its channel is destroyed ends with DisconnectedError at once
    (the client library will never answer it), not at its timeout or never."""
    channel = backend.channel(testioc_prefix + "slow")
    assert channel.wait_for_connection(TIMEOUT)
    waiter = PutWaiter()
    channel.put(1.5, callback=waiter, timeout=None)
    channel.destroy()
    error = waiter.wait()
    assert isinstance(error, DisconnectedError) and "slow was destroyed" in str(error)
