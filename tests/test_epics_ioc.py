"""Where a real EPICS base IOC (``sophyd_iocs.epics_testioc``: pythonSoftIOC records, RSRV) differs from caproto IOCs.

The behaviour shared with the caproto test IOC is covered by test_epics_signal.py, which runs against both;
these tests pin what only real records do: clamping at DRVH, DISP refusing puts, access security, alarms
computed by the record before any client reads, and many records connecting at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import TIMEOUT, ca_read, ca_write, wait_for

import sophyd
from sophyd import EpicsSignal, EpicsSignalRO, LimitError, PutFailedError, ReadOnlyError


@pytest.fixture
def pv(cl: str, epics_testioc_prefix: str) -> Callable[[str], str]:
    return lambda suffix: epics_testioc_prefix + suffix


@pytest.fixture
def made() -> Iterator[list[Any]]:
    signals: list[Any] = []
    yield signals
    for sig in signals:
        sig.destroy()


def connect(made: list[Any], cls: type, pvname: str, **kwargs: Any) -> Any:
    sig = cls(pvname, **kwargs)
    sig.wait_for_connection(timeout=TIMEOUT)
    made.append(sig)
    return sig


def test_ao_clamps_at_drvh_instead_of_refusing(pv: Callable[[str], str], made: list[Any]) -> None:
    sig = connect(made, EpicsSignal, pv("dbl"), name="dbl")
    try:
        sig.put(500.0, wait=True)  # accepted: the record clamps VAL to DRVH
        assert sig.get(use_monitor=False) == 100.0
        assert sig.limits == (-100.0, 100.0)
        checked = connect(made, EpicsSignal, pv("dbl"), name="checked", limits=True)
        with pytest.raises(LimitError, match="checked"):
            checked.put(500.0)  # limits=True refuses before sending, as on any IOC
    finally:
        sig.put(1.5, wait=True)


def test_disp_refuses_every_put(pv: Callable[[str], str], made: list[Any]) -> None:
    sig = connect(made, EpicsSignal, pv("reject"), name="rej")
    with pytest.raises(PutFailedError, match=r"rej.*ECA_PUTFAIL"):
        sig.put(5.0, wait=True)
    status = sig.set(6.0)
    assert isinstance(status.exception(TIMEOUT), PutFailedError)
    assert ca_read(pv("reject"), timeout=TIMEOUT).data[0] == 0.0


def test_access_security_makes_a_record_read_only(pv: Callable[[str], str], made: list[Any]) -> None:
    sig = connect(made, EpicsSignal, pv("ro"), name="ro")
    assert sig.get() == 4.25
    assert not sig.write_access and sig.read_access
    with pytest.raises(ReadOnlyError, match="ro"):
        sig.put(1.0)
    with pytest.raises(ReadOnlyError):
        sig.set(1.0)
    assert ca_read(pv("ro"), timeout=TIMEOUT).data[0] == 4.25


def test_alarm_known_right_after_connection(pv: Callable[[str], str], made: list[Any]) -> None:
    """The record is in HIHI/MAJOR before any client reads it; the first read reports it."""
    sig = connect(made, EpicsSignalRO, pv("alarm"), name="alarm")
    reading = sig.read()["alarm"]
    assert reading["value"] == 20.0
    assert reading["alarm_severity"] == 2  # MAJOR
    assert sig.alarm_status == 3  # HIHI


def test_put_completion_waits_for_processing(pv: Callable[[str], str], made: list[Any]) -> None:
    sig = connect(made, EpicsSignal, pv("slow"), name="slow")
    target = round(time.time() % 100, 3) + 1
    start = time.monotonic()
    sig.put(target, wait=True)
    assert time.monotonic() - start >= 0.4
    assert sig.get() == target


def test_unmonitored_get_reads_past_the_monitor_deadband(pv: Callable[[str], str], made: list[Any]) -> None:
    """As in classic ophyd, get() uses the monitor cache only with auto_monitor=True: a value subscription
    keeps a monitor, but a change within the record's MDEL is never posted, so only a read sees it."""
    plain = connect(made, EpicsSignalRO, pv("deadband"), name="plain")
    monitored = connect(made, EpicsSignalRO, pv("deadband"), name="monitored", auto_monitor=True)
    seen: list[float] = []
    plain.subscribe(lambda value, **kwargs: seen.append(value))
    wait_for(lambda: seen == [0.0] and monitored.get() == 0.0, TIMEOUT, "the first monitor update")
    try:
        ca_write(pv("deadband"), [5.0], notify=True, timeout=TIMEOUT)  # within MDEL: no monitor update
        assert plain.get() == 5.0
        assert plain.read()["plain"]["value"] == 5.0
        assert monitored.get() == 0.0  # the cache, as the record posted it
        assert monitored.get(use_monitor=False) == 5.0
        assert seen == [0.0]
    finally:
        ca_write(pv("deadband"), [0.0], notify=True, timeout=TIMEOUT)


def test_thousand_records_connect_together(pv: Callable[[str], str], made: list[Any]) -> None:
    signals = [EpicsSignalRO(pv(f"bulk:{i:04d}"), name=f"b{i}") for i in range(1000)]
    made.extend(signals)
    start = time.monotonic()
    sophyd.wait_for_connection(*signals, timeout=10.0)
    elapsed = time.monotonic() - start
    assert all(sig.connected for sig in signals)
    assert signals[999].get() == 999.0
    assert elapsed < 5.0, f"1000 channels took {elapsed:.2f} s to connect"
