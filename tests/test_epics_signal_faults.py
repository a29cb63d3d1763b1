"""Bad input and slow records: what an EpicsSignal refuses before sending, and what it does not wait for.

Each refusal is checked on the IOC itself with caproto's sync client (a second, independent CA client), so
"nothing was sent" means the server's value did not change. Runs on both control layers against the caproto
test IOC and the real EPICS IOC (``sophyd_iocs.epics_testioc``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from bluesky import RunEngine
from bluesky import plan_stubs as bps
from helpers import TIMEOUT, ca_read

from sophyd import (
    BadPVName,
    Component,
    Device,
    EpicsSignal,
    EpicsSignalRO,
    PutFailedError,
    Signal,
    set_and_wait,
)
from sophyd._checks import check_pv_name


@pytest.fixture
def signal(ioc_pv: Callable[[str], str]) -> Iterator[Callable[..., EpicsSignal]]:
    made: list[EpicsSignal] = []

    def make(suffix: str, **kwargs: Any) -> EpicsSignal:
        sig = EpicsSignal(ioc_pv(suffix), name=kwargs.pop("name", "target"), **kwargs)
        sig.wait_for_connection(timeout=TIMEOUT)
        made.append(sig)
        return sig

    yield make
    for sig in made:
        sig.destroy()


def on_ioc(pvname: str) -> Any:
    """The PV's value as the server holds it, read by an independent CA client."""
    data = ca_read(pvname, timeout=TIMEOUT).data
    return data[0] if len(data) == 1 else data


@pytest.mark.parametrize("timeout", [0, -1, 0.0, float("nan")])
def test_non_positive_timeout_refused_before_sending(
    signal: Callable[..., EpicsSignal], timeout: float
) -> None:
    sig = signal("dbl")
    before = on_ioc(sig.pvname)
    target = before + 1.0
    with pytest.raises(ValueError, match=r"target.*timeout must be a positive"):
        sig.set(target, timeout=timeout)
    with pytest.raises(ValueError, match=r"target.*timeout must be a positive"):
        sig.put(target, wait=True, timeout=timeout)
    with pytest.raises(ValueError, match="timeout must be a positive"):
        set_and_wait(sig, target, timeout=timeout)
    assert on_ioc(sig.pvname) == before


@pytest.mark.parametrize("target", [math.nan, math.inf, -math.inf])
def test_non_finite_set_refused_before_sending(signal: Callable[..., EpicsSignal], target: float) -> None:
    sig = signal("dbl")
    before = on_ioc(sig.pvname)
    with pytest.raises(ValueError, match=r"target.*non-finite"):
        sig.set(target)
    with pytest.raises(ValueError, match="non-finite"):
        set_and_wait(sig, target, timeout=1.0)
    assert on_ioc(sig.pvname) == before


def test_non_finite_array_set_refused(signal: Callable[..., EpicsSignal]) -> None:
    sig = signal("farray")
    before = on_ioc(sig.pvname)
    with pytest.raises(ValueError, match="non-finite"):
        sig.set(np.array([1.0, np.nan, 3.0]))
    np.testing.assert_array_equal(on_ioc(sig.pvname), before)


def test_non_finite_put_is_sent_as_classic(signal: Callable[..., EpicsSignal], ioc_kind: str) -> None:
    """put() sends NaN: the documented rule (docs/migrating-from-ophyd.md), the same as classic ophyd.

    (The caproto test IOC's ``dbl`` refuses NaN as outside its control limits; its ``reject`` takes it.)"""
    sig = signal("dbl" if ioc_kind == "epics-ioc" else "reject")
    try:
        sig.put(math.nan, wait=True)
        assert math.isnan(on_ioc(sig.pvname))
    finally:
        sig.put(1.5, wait=True)


@pytest.mark.timeout(60)  # before the fix this plan never ended
def test_plan_moving_to_nan_fails_at_once(signal: Callable[..., EpicsSignal]) -> None:
    sig = signal("dbl")
    before = on_ioc(sig.pvname)
    RE = RunEngine({})
    start = time.monotonic()
    with pytest.raises(ValueError, match="non-finite"):
        RE(bps.mv(sig, math.nan))
    assert time.monotonic() - start < TIMEOUT
    assert on_ioc(sig.pvname) == before


@pytest.mark.parametrize("name", ["", "   ", "a.b.c", "has space", None])
@pytest.mark.parametrize("cls", [EpicsSignal, EpicsSignalRO])
def test_invalid_pv_names_refused_at_construction(name: Any, cls: type) -> None:
    with pytest.raises(BadPVName, match="sig"):
        cls(name, name="sig")
    assert issubclass(BadPVName, ValueError)


def test_invalid_write_pv_refused() -> None:
    with pytest.raises(BadPVName, match="write_pv"):
        EpicsSignal("ok:pv", write_pv="", name="sig")
    assert check_pv_name("ok:pv.VAL", "field") == "ok:pv.VAL"  # one field is fine


def test_soft_signal_refuses_non_finite_and_bad_timeouts() -> None:
    sig = Signal(name="soft", value=1.0)
    with pytest.raises(ValueError, match=r"soft.*non-finite"):
        sig.set(math.nan)
    with pytest.raises(ValueError, match=r"soft.*timeout"):
        sig.set(2.0, timeout=0)
    assert sig.get() == 1.0


def test_set_without_put_complete_does_not_wait_for_processing(
    signal: Callable[..., EpicsSignal], ioc_kind: str
) -> None:
    """On a real record whose processing lasts 0.5 s, VAL changes when the put arrives: a set() without
    put_complete finishes on the readback, as classic; with put_complete it waits for the processing."""
    if ioc_kind == "caproto-ioc":
        pytest.skip("the caproto test IOC changes 'slow' only when its putter returns")
    plain = signal("slow", name="plain")
    complete = signal("slow", name="complete", put_complete=True)
    target = round(time.time() % 100, 3)
    start = time.monotonic()
    plain.set(target).wait(TIMEOUT)
    assert time.monotonic() - start < 0.35
    start = time.monotonic()
    complete.set(target + 1).wait(TIMEOUT)
    assert time.monotonic() - start >= 0.4
    assert on_ioc(plain.pvname) == pytest.approx(target + 1)


def test_array_shape_is_the_element_count_whatever_was_written(signal: Callable[..., EpicsSignal]) -> None:
    """describe() gives NELM for the whole run; a reading holds the elements the IOC holds now."""
    sig = signal("farray", name="wave")
    try:
        assert sig.describe()["wave"]["shape"] == [1000]
        sig.put(np.array([1.0, 2.0, 3.0]), wait=True)
        key = sig.describe()["wave"]
        assert key["shape"] == [1000]
        value = sig.read()["wave"]["value"]
        np.testing.assert_array_equal(value, [1.0, 2.0, 3.0])  # NORD elements, not padded to NELM
    finally:
        sig.put(np.arange(1000.0), wait=True)


class _Pair(Device):
    dbl = Component(EpicsSignal, "dbl", kind="config")
    reject = Component(EpicsSignal, "reject", kind="config")


def test_configure_undoes_its_writes_when_the_ioc_refuses_one(cl: str, testioc_prefix: str) -> None:
    """The caproto test IOC's ``reject`` refuses negative values only when written (ECA_PUTFAIL)."""
    dev = _Pair(testioc_prefix, name="pair")
    dev.wait_for_connection(timeout=TIMEOUT)
    try:
        dev.reject.put(0.0, wait=True)
        before = float(on_ioc(dev.dbl.pvname))
        with pytest.raises(PutFailedError) as info:
            dev.configure({"dbl": before + 2.0, "reject": -1.0})
        assert "'reject'" in str(info.value) and f"restored 'dbl' to {before!r}" in str(info.value)
        assert on_ioc(dev.dbl.pvname) == before
        with pytest.raises(TypeError, match="reject"):
            dev.configure({"dbl": before + 3.0, "reject": "abc"})  # refused before anything is sent
        assert on_ioc(dev.dbl.pvname) == before
    finally:
        dev.destroy()


def test_subscribers_see_a_monitor_flood_in_order(cl: str, testioc_prefix: str) -> None:
    """Subscribing (run=True) again and again while the IOC posts 2000 updates a second: every callback sees
    the counter only go up, its replayed first value included."""
    rate = EpicsSignal(testioc_prefix + "flood_rate", name="rate")
    counter = EpicsSignalRO(testioc_prefix + "flood", name="flood")
    counter.wait_for_connection(timeout=TIMEOUT)
    seen: list[list[int]] = []
    counter.subscribe(lambda **kw: None)  # the monitor (and its cache) runs before the subscriptions below
    try:
        rate.put(2000.0, wait=True)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            values: list[int] = []
            seen.append(values)
            counter.subscribe(lambda value, _v=values, **kw: _v.append(int(value)), run=True)
            time.sleep(0.01)
    finally:
        rate.put(0.0, wait=True)
        counter.destroy()
    assert len(seen) > 20 and sum(map(len, seen)) > 100
    for values in seen:
        assert values == sorted(values), values
