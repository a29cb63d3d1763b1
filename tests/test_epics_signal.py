"""The EPICS signal family over real Channel Access, for the pyepics and caproto backends both.

Every test talks to the session's caproto test IOC (``sophyd_iocs.testioc``) and to the real EPICS IOC
(``sophyd_iocs.epics_testioc``), both started by ``sophyd.testing``; tests marked ``caproto_ioc_only`` use PVs or
behaviour only the caproto IOC has. The EpicsSignalWithRBV tests use the pattern IOC's areaDetector-style
``AcquireTime``/``AcquireTime_RBV`` pair.
Tests that write a PV put its value back, so the order of tests does not matter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from helpers import TIMEOUT, Events

from sophyd import (
    DeviceStatus,
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
    LimitError,
    PutFailedError,
    ReadOnlyError,
    SetSupersededError,
    StatusTimeoutError,
)


@pytest.fixture
def pv(ioc_pv: Callable[[str], str]) -> Callable[[str], str]:
    """PV names on the caproto test IOC and on the real EPICS IOC, on both control layers."""
    return ioc_pv


@pytest.fixture
def connected() -> Iterator[Callable[..., Any]]:
    """Make a signal and wait until it is connected; destroyed after the test."""
    made: list[EpicsSignalBase] = []

    def make(cls: type[EpicsSignalBase], *args: Any, **kwargs: Any) -> Any:
        signal = cls(*args, **kwargs)
        signal.wait_for_connection(timeout=TIMEOUT)
        made.append(signal)
        return signal

    yield make
    for signal in made:
        signal.destroy()


def fresh(signal: EpicsSignalBase) -> Any:
    """The value on the IOC now, read past any monitor cache."""
    return signal.get(use_monitor=False)


# -- reading and describing ---------------------------------------------------------------------------------
def test_read_only_double_reads_and_describes(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignalRO, pv("dbl"), name="dbl")
    dbl = connected(EpicsSignal, pv("dbl"), name="w")
    dbl.put(1.5, wait=True)
    assert sig.get() == 1.5 and isinstance(sig.get(), float)
    reading = sig.read()
    assert list(reading) == ["dbl"]
    assert reading["dbl"]["value"] == 1.5
    assert reading["dbl"]["alarm_severity"] == 0
    assert abs(reading["dbl"]["timestamp"] - time.time()) < 3600  # a server timestamp in POSIX seconds
    key = sig.describe()["dbl"]
    assert key["source"] == f"PV:{pv('dbl')}"
    assert (key["dtype"], key["dtype_numpy"], key["shape"]) == ("number", "<f8", [])
    assert key["units"] == "mm"
    assert key["precision"] == 3
    assert key["limits"]["control"] == {"low": -100.0, "high": 100.0}
    assert key["limits"]["display"] == {"low": -120.0, "high": 120.0}
    assert key["limits"]["alarm"] == {"low": -90.0, "high": 90.0}
    assert key["limits"]["warning"] == {"low": -80.0, "high": 80.0}
    assert sig.limits == (-100.0, 100.0)
    assert sig.precision == 3 and sig.egu == "mm"
    assert sig.connected and sig.read_access and not sig.write_access
    assert sig.pvname == pv("dbl")


def test_tolerance_defaults_from_precision(pv: Callable[[str], str], connected: Any) -> None:
    assert connected(EpicsSignal, pv("dbl"), name="a").tolerance == pytest.approx(1e-3)
    assert connected(EpicsSignal, pv("dbl"), name="b", tolerance=0.25).tolerance == 0.25
    assert connected(EpicsSignal, pv("long"), name="c").tolerance is None  # integers compare exactly
    ro = connected(EpicsSignalRO, pv("ro"), name="d")
    assert (
        ro.precision == 0 and ro.tolerance is None
    )  # classic: precision 0 means compare exactly, not within 1


def test_integer(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("long"), name="long")
    try:
        sig.put(42, wait=True)
        value = sig.get()
        assert value == 42 and isinstance(value, int)
        key = sig.describe()["long"]
        assert (key["dtype"], key["shape"], key["units"]) == ("integer", [], "counts")
        assert key["dtype_numpy"] == "<i4"  # the IOC's LONG, not Python's 64-bit int
        assert key["limits"]["control"] == {"low": -1000, "high": 1000}
    finally:
        sig.put(7, wait=True)


def test_enum_reads_int_or_label_and_accepts_both(pv: Callable[[str], str], connected: Any) -> None:
    as_int = connected(EpicsSignal, pv("enum"), name="e")
    as_str = connected(EpicsSignal, pv("enum"), name="es", string=True)
    try:
        as_int.put(0, wait=True)
        assert as_int.get() == 0 and isinstance(as_int.get(), int)
        assert as_str.get() == "Off"
        assert as_int.get(as_string=True) == "Off"
        assert as_int.enum_strs == ("Off", "On", "Fault")
        as_int.put("On", wait=True)  # a label to an int-reading signal
        assert as_int.get() == 1 and as_str.get() == "On"
        as_str.put(2, wait=True)  # an index to a label-reading signal
        assert as_str.get() == "Fault" and as_int.get() == 2
        as_str.set("Off").wait(TIMEOUT)
        as_int.set(1).wait(TIMEOUT)
        assert as_str.get() == "On"
        key_int, key_str = as_int.describe()["e"], as_str.describe()["es"]
        assert key_int["dtype"] == "integer" and key_str["dtype"] == "string"
        assert key_int["choices"] == key_str["choices"] == ["Off", "On", "Fault"]
        assert as_str.read()["es"]["value"] == "On"
    finally:
        as_int.put(0, wait=True)


def test_enum_monitor_with_string_reports_labels(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("enum"), name="es", string=True)
    events = Events()
    sig.subscribe(events)
    try:
        sig.put("Fault", wait=True)
        events.wait_for(lambda e: e["value"] == "Fault")
        assert sig.get() == "Fault"
    finally:
        sig.put("Off", wait=True)


def test_strings_and_char_waveforms_read_as_str(pv: Callable[[str], str], connected: Any) -> None:
    short = connected(EpicsSignal, pv("str"), name="s")
    path = connected(EpicsSignal, pv("path"), name="p")
    long_path = "/tmp/sophyd/a/directory/name/well/beyond/forty/characters/"
    try:
        short.put("hello", wait=True)
        path.put("/tmp/sophyd/data", wait=True)
        assert short.get() == "hello" and isinstance(short.get(), str)
        assert path.get() == "/tmp/sophyd/data" and isinstance(path.get(), str)
        path.set(long_path).wait(TIMEOUT)
        assert path.get() == long_path
        short.put("world", wait=True)
        assert short.get() == "world"
        for signal, name in ((short, "s"), (path, "p")):
            key = signal.describe()[name]
            assert (key["dtype"], key["shape"]) == ("string", [])
    finally:
        short.put("hello", wait=True)
        path.put("/tmp/sophyd/data", wait=True)


def test_a_str_that_fills_a_char_waveform_is_written_whole(pv: Callable[[str], str], connected: Any) -> None:
    """As pyepics writes it (without a terminating NUL); one byte longer is refused, not cut short, and not sent."""
    path = connected(EpicsSignal, pv("path"), name="p")
    full = "x" * 256  # the waveform's NELM
    try:
        path.put(full, wait=True)
        assert path.get() == full
        with pytest.raises(ValueError, match=r"too long for .*path.*at most 256 bytes"):
            path.put(full + "y", wait=True)
        assert path.get() == full
    finally:
        path.put("/tmp/sophyd/data", wait=True)


def test_put_refuses_an_unknown_keyword_before_sending(pv: Callable[[str], str], connected: Any) -> None:
    """A misspelt keyword (``wiat=True``) is a TypeError naming the signal and the keyword, and nothing is
    written: classic passed it to the CA client's put, which refused it; ignoring it would drop the wait."""
    dbl = connected(EpicsSignal, pv("dbl"), name="kw")
    before = fresh(dbl)
    with pytest.raises(TypeError, match=r"'kw'.*\['wiat'\]"):
        dbl.put(before + 1.0, wiat=True)
    assert fresh(dbl) == before


def test_arrays_read_as_numpy_arrays(pv: Callable[[str], str], connected: Any) -> None:
    farray = connected(EpicsSignalRO, pv("farray"), name="f")
    iarray = connected(EpicsSignal, pv("iarray"), name="i")
    values = farray.get()
    assert isinstance(values, np.ndarray) and values.shape == (1000,)
    np.testing.assert_array_equal(values, np.arange(1000.0))
    key = farray.describe()["f"]
    assert (key["dtype"], key["shape"], key["dtype_numpy"]) == ("array", [1000], "<f8")
    try:
        iarray.set(np.arange(16)[::-1]).wait(TIMEOUT)
        got = iarray.get()
        assert got.dtype.kind == "i"
        np.testing.assert_array_equal(got, np.arange(16)[::-1])
        assert iarray.describe()["i"]["shape"] == [16]
    finally:
        iarray.put(np.arange(16), wait=True)


# -- writing ------------------------------------------------------------------------------------------------
def test_put_complete_waits_for_the_ioc(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("slow"), name="slow", put_complete=True)
    target = round(time.time() % 100, 3)
    start = time.monotonic()
    status = sig.set(target)
    assert not status.done  # the IOC completes the put 0.5 s after it arrives
    status.wait(TIMEOUT)
    assert time.monotonic() - start >= 0.4
    assert status.success and sig.get() == target
    start = time.monotonic()
    sig.put(target + 1, wait=True)
    assert time.monotonic() - start >= 0.4
    assert sig.get() == target + 1


def test_put_without_wait_returns_at_once(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("slow"), name="slow")
    target = round(time.time() % 100, 3) + 200
    start = time.monotonic()
    sig.put(target)
    assert time.monotonic() - start < 0.3  # no wait for the 0.5 s completion
    sig.set(target).wait(TIMEOUT)  # without put_complete: done when the readback is within tolerance
    assert sig.get() == pytest.approx(target, abs=sig.tolerance)


def test_set_finishes_when_readback_within_tolerance(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("rbv"), write_pv=pv("sp"), name="pair")
    assert sig.setpoint_pvname == pv("sp") and sig.pvname == pv("rbv")
    target = round(time.time() % 50, 3) + 0.0004  # the IOC keeps it; the tolerance is 1e-3
    status = sig.set(target)
    status.wait(TIMEOUT)
    assert abs(sig.get() - target) <= 1e-3
    assert sig.setpoint == pytest.approx(target)
    assert sig.describe()["pair"]["source"] == f"PV:{pv('rbv')}"


def test_no_validation_finishes_without_readback(pv: Callable[[str], str], connected: Any) -> None:
    """``ro`` never follows ``sp``: EpicsSignal waits in vain, EpicsSignalNoValidation finishes on the put."""
    target = round(time.time() % 50, 3) + 10
    validating = connected(EpicsSignal, pv("ro"), write_pv=pv("sp"), name="v")
    status = validating.set(target, timeout=0.3)
    assert isinstance(status.exception(TIMEOUT), StatusTimeoutError)
    plain = connected(EpicsSignalNoValidation, pv("ro"), write_pv=pv("sp"), name="nv")
    plain.set(target + 1).wait(TIMEOUT)
    assert plain.setpoint == target + 1
    assert plain.get() == 4.25


def test_with_rbv_pair(pattern_prefix: str, cl: str, connected: Any) -> None:
    sig = connected(EpicsSignalWithRBV, pattern_prefix + "BDET:cam1:AcquireTime", name="at")
    assert sig.pvname.endswith("AcquireTime_RBV")
    assert sig.setpoint_pvname == pattern_prefix + "BDET:cam1:AcquireTime"
    old = sig.get()
    try:
        sig.set(0.25).wait(TIMEOUT)
        assert sig.get() == pytest.approx(0.25)
        assert sig.setpoint == pytest.approx(0.25)
        assert sig.write_access
        key = sig.describe()["at"]
        assert key["source"] == f"PV:{pattern_prefix}BDET:cam1:AcquireTime_RBV"
        assert key["units"] == "s"
    finally:
        sig.set(old).wait(TIMEOUT)


# -- failures -----------------------------------------------------------------------------------------------
@pytest.mark.caproto_ioc_only  # the real IOC's reject refuses every put (see test_epics_ioc.py)
@pytest.mark.parametrize(
    ("suffix", "value", "restore"),
    [("reject", -1.5, 0.0), ("dbl", 1e6, 1.5)],
    ids=["putter-raises", "outside-ioc-limits"],
)
def test_refused_put_fails(
    pv: Callable[[str], str], connected: Any, suffix: str, value: float, restore: float
) -> None:
    """The IOC refuses the put: put(wait=True) raises and set()'s Status fails, naming signal, PV and value."""
    sig = connected(EpicsSignal, pv(suffix), name=f"my_{suffix}")
    sig.put(restore, wait=True)
    start = time.monotonic()
    with pytest.raises(PutFailedError) as info:
        sig.put(value, wait=True)
    message = str(info.value)
    assert f"my_{suffix}" in message and pv(suffix) in message and repr(value) in message
    status = sig.set(value)
    exc = status.exception(TIMEOUT)
    assert isinstance(exc, PutFailedError) and pv(suffix) in str(exc) and f"my_{suffix}" in str(exc)
    assert status.done and not status.success
    with pytest.raises(PutFailedError):
        status.wait(0)
    assert time.monotonic() - start < 1.5  # at once, not after a timeout
    assert fresh(sig) == restore


@pytest.mark.caproto_ioc_only  # the real IOC's reject refuses every put (see test_epics_ioc.py)
def test_refused_put_with_status_finished_callback_fails_the_status(
    pv: Callable[[str], str], connected: Any
) -> None:
    """Classic code passes ``status._finished`` as put callback: a refused put fails the status."""
    sig = connected(EpicsSignal, pv("reject"), name="rej")
    status = DeviceStatus(sig)
    sig.put(-3.0, callback=status._finished)
    exc = status.exception(TIMEOUT)
    assert isinstance(exc, PutFailedError) and "-3.0" in str(exc) and pv("reject") in str(exc)
    ok = DeviceStatus(sig)
    sig.put(3.0, callback=ok._finished)
    ok.wait(TIMEOUT)
    assert ok.success and fresh(sig) == 3.0
    sig.put(0.0, wait=True)


def test_put_callback_with_success_keyword_hears_failure(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("reject"), name="rej")
    heard: list[bool] = []
    done = threading.Event()

    def callback(success: bool = True, **kwargs: Any) -> None:
        heard.append(success)
        done.set()

    sig.put(-1.0, callback=callback)
    assert done.wait(TIMEOUT)
    assert heard == [False]


@pytest.mark.parametrize(
    ("suffix", "value", "error"),
    [
        ("dbl", None, ValueError),
        ("dbl", {"a": 1}, TypeError),
        ("dbl", "abc", TypeError),
        ("long", "12", TypeError),
        ("str", {"a": 1}, TypeError),
        ("enum", "Maybe", ValueError),
        ("enum", 7, ValueError),
        ("enum", 1.5, TypeError),
        ("ro", 1.0, ReadOnlyError),
    ],
)
def test_bad_input_refused_before_sending(
    pv: Callable[[str], str], connected: Any, suffix: str, value: Any, error: type[Exception]
) -> None:
    sig = connected(EpicsSignal, pv(suffix), name="target")
    before = fresh(sig)
    with pytest.raises(error, match="target"):
        sig.put(value)
    with pytest.raises(error):
        sig.put(value, wait=True)
    with pytest.raises(error):
        sig.set(value)
    assert fresh(sig) == before


def test_limits_true_refuses_out_of_range(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("dbl"), name="lim", limits=True)
    sig.put(1.5, wait=True)
    with pytest.raises(LimitError, match=r"1000000\.0.*-100\.0, 100\.0"):
        sig.put(1e6, wait=True)
    with pytest.raises(LimitError):
        sig.set(-101.0)
    sig.set(99.5).wait(TIMEOUT)  # inside the limits is fine
    assert fresh(sig) == 99.5
    sig.put(1.5, wait=True)


def test_read_only_signal_refuses_writes(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignalRO, pv("dbl"), name="ro_view")
    with pytest.raises(ReadOnlyError, match="ro_view"):
        sig.put(2.0)
    with pytest.raises(ReadOnlyError):
        sig.set(2.0)


def test_second_set_supersedes_the_first(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("slow"), name="slow", put_complete=True)
    first_target = round(time.time() % 100, 3) + 300
    first = sig.set(first_target)
    second = sig.set(first_target + 1)
    assert isinstance(first.exception(1.0), SetSupersededError)  # at once, not after the 0.5 s completion
    second.wait(TIMEOUT)
    assert second.success
    assert sig.get() == first_target + 1
    assert fresh(sig) == first_target + 1


@pytest.mark.parametrize("monitored", [True, False], ids=["monitored", "unmonitored"])
def test_get_after_completed_write_is_the_new_value(
    pv: Callable[[str], str], connected: Any, monitored: bool
) -> None:
    """Pitfall 5: the server answers a put before its monitor update; get() must not return the old value."""
    sig = connected(EpicsSignal, pv("dbl"), name="dbl", auto_monitor=monitored)
    events = Events()
    if monitored:
        sig.subscribe(events)
    try:
        for i in range(15):
            value = float(i) + 0.25
            sig.put(value, wait=True)
            assert sig.get() == value, f"stale read after put(wait=True) #{i}"
            value += 0.5
            sig.set(value).wait(TIMEOUT)
            assert sig.get() == value, f"stale read after set().wait() #{i}"
            assert sig.read()["dbl"]["value"] == value
        if monitored:
            events.wait_for(lambda e: e["value"] == 14.75)
    finally:
        sig.put(1.5, wait=True)


# -- subscriptions ------------------------------------------------------------------------------------------
def test_value_and_meta_subscriptions(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("dbl"), name="dbl")
    sig.put(2.5, wait=True)
    values, meta = Events(), Events()
    sig.subscribe(values)  # the default event type is 'value'
    sig.subscribe(meta, event_type="meta")
    first = values.wait_for(lambda e: e["value"] == 2.5)
    assert first["obj"] is sig and first["sub_type"] == "value" and "timestamp" in first
    # the connection and the control metadata may come as two events: wait for the one with both
    md = meta.wait_for(lambda e: e.get("connected") is True and e.get("precision") is not None)
    assert md["units"] == "mm" and md["precision"] == 3 and md["write_access"] is True
    try:
        sig.put(3.5, wait=True)
        event = values.wait_for(lambda e: e["value"] == 3.5)
        assert event["old_value"] == 2.5
    finally:
        sig.put(1.5, wait=True)


def test_setpoint_subscription_follows_the_write_pv(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("rbv"), write_pv=pv("sp"), name="pair")
    setpoints, values = Events(), Events()
    sig.subscribe(setpoints, event_type="setpoint")
    sig.subscribe(values)
    try:
        sig.put(6.25, wait=True)
        event = setpoints.wait_for(lambda e: e["value"] == 6.25)
        assert event["sub_type"] == "setpoint" and event["obj"] is sig
        values.wait_for(lambda e: e["value"] == 6.25)  # the readback follows a moment later
    finally:
        sig.set(0.0).wait(10)


def test_unsubscribe_stops_events(pv: Callable[[str], str], connected: Any) -> None:
    sig = connected(EpicsSignal, pv("dbl"), name="dbl")
    kept, dropped = Events(), Events()
    sig.subscribe(kept)
    cid = sig.subscribe(dropped)
    kept.wait_for(lambda e: True)
    sig.unsubscribe(cid)
    count = len(dropped.events)
    try:
        sig.put(4.5, wait=True)
        kept.wait_for(lambda e: e["value"] == 4.5)  # delivered in order: dropped would have it by now
        assert len(dropped.events) == count
    finally:
        sig.put(1.5, wait=True)
