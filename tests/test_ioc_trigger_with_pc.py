"""The trigger_with_pc IOC over real Channel Access, with caproto's sync client and with pyepics.

The IOC is the session's (the ``trigger_with_pc_prefix`` fixture of sophyd.testing). pyepics runs in a
subprocess: libca reads the CA environment once per process, and these tests must not depend on whether (or
with which environment) another test already made this process's libca context.
"""

from __future__ import annotations

import os
import textwrap
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from caproto import ErrorResponseReceived
from helpers import ca_read as read
from helpers import ca_write as write
from helpers import run_json_script, wait_for

from sophyd.sim.launch import IOCSet
from sophyd_iocs.trigger_with_pc import TriggerWithPC

TIMEOUT = 5.0


@pytest.fixture
def pv(trigger_with_pc_prefix: str) -> Iterator[Callable[[str], str]]:
    """Full PV names on the session's IOC (sophyd.testing); restores the IOC's settings after each test."""
    prefix = trigger_with_pc_prefix
    yield lambda suffix: prefix + suffix
    write(prefix + "enabled", 1, notify=True, timeout=TIMEOUT)
    write(prefix + "gain", 1.0, notify=True, timeout=TIMEOUT)
    write(prefix + "exposure_time", 0.1, notify=True, timeout=TIMEOUT)


def value(pvname: str, **kwargs: object) -> object:
    """A fresh (uncached) scalar read."""
    data = read(pvname, timeout=TIMEOUT, **kwargs).data  # type: ignore[arg-type]
    return data[0] if not isinstance(data, str) else data


def served_suffixes() -> list[str]:
    """The PV names the IOC serves (what ``--list-pvs`` prints), without the prefix."""
    return sorted(TriggerWithPC(prefix="").pvdb)


def test_every_pv_answers(pv: Callable[[str], str]) -> None:
    suffixes = served_suffixes()
    assert suffixes == ["acquire", "enabled", "exposure_time", "gain", "reading"]
    for suffix in suffixes:
        read(pv(suffix), timeout=TIMEOUT)
    assert value(pv("gain.DESC")) == b"Detector gain"
    assert value(pv("exposure_time.EGU")) == b"s"


def test_acquire_completes_after_exposure(pv: Callable[[str], str]) -> None:
    exposure = 0.3
    write(pv("exposure_time"), exposure, notify=True, timeout=TIMEOUT)
    before = read(pv("reading"), data_type="time", timeout=TIMEOUT).metadata.timestamp
    start = time.monotonic()
    write(pv("acquire"), 1, notify=True, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    assert 0.9 * exposure <= elapsed < exposure + 2.0
    assert value(pv("acquire")) == b"idle"
    assert read(pv("reading"), data_type="time", timeout=TIMEOUT).metadata.timestamp > before


def test_disabled_acquire_is_refused(pv: Callable[[str], str]) -> None:
    write(pv("enabled"), 0, notify=True, timeout=TIMEOUT)
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        write(pv("acquire"), 1, notify=True, timeout=TIMEOUT)
    assert value(pv("acquire")) == b"idle"
    write(pv("enabled"), "on", notify=True, timeout=TIMEOUT)
    write(pv("acquire"), 1, notify=True, timeout=TIMEOUT)


def test_reading_is_read_only(pv: Callable[[str], str]) -> None:
    old = value(pv("reading"))
    with pytest.raises(ErrorResponseReceived):
        write(pv("reading"), 12345.0, notify=True, timeout=TIMEOUT)
    assert value(pv("reading")) == old


def test_exposure_time_must_be_positive(pv: Callable[[str], str]) -> None:
    for bad in (0.0, -1.0):
        with pytest.raises(ErrorResponseReceived):
            write(pv("exposure_time"), bad, notify=True, timeout=TIMEOUT)
    assert value(pv("exposure_time")) == pytest.approx(0.1)


def test_reading_scales_with_gain(pv: Callable[[str], str]) -> None:
    write(pv("exposure_time"), 0.01, notify=True, timeout=TIMEOUT)
    for gain in (1.0, 1000.0):
        write(pv("gain"), gain, notify=True, timeout=TIMEOUT)
        write(pv("acquire"), 1, notify=True, timeout=TIMEOUT)
        assert 0.9 * gain <= value(pv("reading")) <= 1.1 * gain


def _put_acquire(pvname: str, priority: int, results: dict[int, tuple[float, float]]) -> None:
    """Put acquire=1 with completion; record (start, end) in monotonic time under the priority used."""
    # Each thread uses its own priority: the sync client shares one circuit per (address, priority).
    start = time.monotonic()
    write(pvname, 1, notify=True, timeout=TIMEOUT, priority=priority)
    results[priority] = (start, time.monotonic())


def test_acquire_during_acquisition_joins_it(pv: Callable[[str], str]) -> None:
    exposure = 1.0
    write(pv("exposure_time"), exposure, notify=True, timeout=TIMEOUT)
    results: dict[int, tuple[float, float]] = {}
    first = threading.Thread(target=_put_acquire, args=(pv("acquire"), 1, results))
    first.start()
    try:
        wait_for(lambda: value(pv("acquire"), priority=3) == b"acquiring", TIMEOUT, "acquiring")
        _put_acquire(pv("acquire"), 2, results)
    finally:
        first.join(TIMEOUT + exposure)
    assert not first.is_alive()
    (start1, end1), (_, end2) = results[1], results[2]
    assert 0.9 * exposure <= end1 - start1 < exposure + 2.0
    # The second put completed with the first acquisition: no second exposure, no early completion.
    assert abs(end2 - end1) < 0.5 * exposure


def test_idle_put_aborts_acquisition(pv: Callable[[str], str]) -> None:
    exposure = 5.0
    write(pv("exposure_time"), exposure, notify=True, timeout=TIMEOUT)
    before = read(pv("reading"), data_type="time", timeout=TIMEOUT).metadata.timestamp
    results: dict[int, tuple[float, float]] = {}
    first = threading.Thread(target=_put_acquire, args=(pv("acquire"), 1, results))
    first.start()
    try:
        wait_for(lambda: value(pv("acquire"), priority=3) == b"acquiring", TIMEOUT, "acquiring")
        write(pv("acquire"), 0, notify=True, timeout=TIMEOUT, priority=2)
    finally:
        first.join(TIMEOUT + exposure)
    start1, end1 = results[1]
    assert end1 - start1 < exposure / 2
    assert value(pv("acquire")) == b"idle"
    assert read(pv("reading"), data_type="time", timeout=TIMEOUT).metadata.timestamp == before


PYEPICS_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import epics

    prefix, suffixes = sys.argv[1], sys.argv[2:]
    out = {"connected": {}}
    for suffix in suffixes:
        out["connected"][suffix] = epics.PV(prefix + suffix).wait_for_connection(timeout=5.0)
    epics.caput(prefix + "exposure_time", 0.3, wait=True, timeout=5.0)
    start = time.monotonic()
    out["acquire_status"] = epics.caput(prefix + "acquire", 1, wait=True, timeout=5.0)
    out["acquire_elapsed"] = time.monotonic() - start
    out["acquire_after"] = epics.caget(prefix + "acquire", as_string=True, use_monitor=False, timeout=5.0)
    out["readings"] = {}
    epics.caput(prefix + "exposure_time", 0.01, wait=True, timeout=5.0)
    for gain in (1.0, 1000.0):
        epics.caput(prefix + "gain", gain, wait=True, timeout=5.0)
        epics.caput(prefix + "acquire", 1, wait=True, timeout=5.0)
        out["readings"][str(gain)] = epics.caget(prefix + "reading", use_monitor=False, timeout=5.0)
    epics.caput(prefix + "gain", 1.0, wait=True, timeout=5.0)
    epics.caput(prefix + "exposure_time", 0.1, wait=True, timeout=5.0)
    print(json.dumps(out))
    """
)


def test_with_pyepics(sophyd_iocs: IOCSet, pv: Callable[[str], str]) -> None:
    out = run_json_script(PYEPICS_SCRIPT, pv(""), *served_suffixes(), env={**os.environ, **sophyd_iocs.env})
    assert all(out["connected"].values()), out["connected"]
    assert out["acquire_status"] == 1
    assert 0.9 * 0.3 <= out["acquire_elapsed"] < 0.3 + 2.0
    assert out["acquire_after"] == "idle"
    for gain, reading in out["readings"].items():
        assert 0.9 * float(gain) <= reading <= 1.1 * float(gain)
