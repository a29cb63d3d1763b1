"""sophyd.mca (classic ophyd's ophyd.mca) over real Channel Access against the session's mca IOC.

The IOC (``sophyd_iocs.mca``) serves one mca record ``<prefix>mca1`` with the mca.db records, a DXP channel
``<prefix>dxp1:`` and the DXP system records. Its spectrum is deterministic (``count_rates`` times the elapsed
live time), so the tests compute what the record must hold.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bluesky import RunEngine
from bluesky.plans import count
from helpers import assert_read_only, wait_for

import sophyd
from sophyd import DDC, Component, EpicsSignal, EpicsSignalRO, ReadOnlyError, Signal
from sophyd.mca import (
    ROI,
    EpicsDXP,
    EpicsMCA,
    EpicsMCAReadNotify,
    EpicsMCARecord,
    Mercury1,
    Saturn,
    SoftDXPTrigger,
    add_rois,
)
from sophyd_iocs._mca import DEAD_TIME_PERCENT, NMAX, count_rates

TIMEOUT = 10.0
LIVE_FRACTION = 1.0 - DEAD_TIME_PERCENT / 100.0


def expected_spectrum(real_time: float) -> np.ndarray:
    """The spectrum after an erase and ``real_time`` seconds of acquisition."""
    return np.floor(count_rates(NMAX) * real_time * LIVE_FRACTION).astype(int)


@pytest.fixture
def mca(mca_prefix: str, cl: str) -> Iterator[EpicsMCA]:
    """A connected EpicsMCA on the IOC's record, with a short preset real time, on each control layer; put
    back afterwards."""
    device = EpicsMCA(mca_prefix + "mca1", name="mca")
    device.wait_for_connection(timeout=TIMEOUT)
    device.preset_real_time.put(0.2, wait=True)
    yield device
    device.stop()
    wait_for(lambda: device.check_acquiring.get(use_monitor=False) == 2, TIMEOUT, "the acquisition to end")
    device.preset_real_time.put(1.0, wait=True)
    device.mode.put("PHA", wait=True)
    device.preset_live_time.put(0.0, wait=True)
    roi = device.rois.roi5
    for signal, value in ((roi.lo_chan, -1), (roi.hi_chan, -1), (roi.bkgnd_chans, 1)):
        signal.put(value, wait=True)
    device.rois.roi0.is_preset.put("No", wait=True)


def test_pv_names_kinds_and_top_level_names_are_classics(mca: EpicsMCA, mca_prefix: str) -> None:
    record = mca_prefix + "mca1"
    assert sophyd.EpicsMCA is EpicsMCA and sophyd.EpicsDXP is EpicsDXP
    assert issubclass(EpicsMCA, EpicsMCARecord) and not issubclass(EpicsMCA, EpicsMCAReadNotify)
    assert mca.spectrum.pvname == record + ".VAL"
    assert mca.preset_real_time.pvname == record + ".PRTM"
    assert mca.elapsed_live_time.pvname == record + ".ELTM"
    assert mca.mode.pvname == record + ".MODE"
    assert mca.stop_signal.pvname == record + "Stop"
    assert mca.erase_start.pvname == record + "EraseStart"
    assert mca.why4.pvname == record + "Why4"
    roi = mca.rois.roi31
    assert isinstance(roi, ROI)
    assert (roi.count.pvname, roi.net_count.pvname, roi.label.pvname) == (
        record + ".R31",
        record + ".R31N",
        record + ".R31NM",
    )
    assert (roi.lo_chan.pvname, roi.hi_chan.pvname, roi.bkgnd_chans.pvname) == tuple(
        record + f".R31{field}" for field in ("LO", "HI", "BG")
    )
    assert mca.rois.component_names == tuple(f"roi{n}" for n in range(32))
    assert mca.read_attrs == ["preset_real_time", "elapsed_real_time", "spectrum"]
    assert mca.configuration_attrs == ["preset_real_time"]
    assert [sig.attr_name for sig in mca.trigger_signals] == ["erase_start"]
    assert mca.stage_sigs == {"mode": "PHA"}
    dxp = EpicsDXP(mca_prefix + "dxp1:", name="dxp")
    assert (dxp.preset_mode.pvname, dxp.preset_mode.setpoint_pvname) == (
        mca_prefix + "dxp1:PresetMode_RBV",
        mca_prefix + "dxp1:PresetMode",
    )
    assert dxp.component_names[:3] == ("preset_mode", "live_time_output", "elapsed_live_time")


def test_stage_puts_the_record_in_pha_mode_and_unstage_restores(mca: EpicsMCA) -> None:
    mca.mode.put("MCS", wait=True)
    mca.stage()
    try:
        assert mca.mode.get(use_monitor=False) == "PHA"
    finally:
        mca.unstage()
    assert mca.mode.get(use_monitor=False) == "MCS"


def test_trigger_ends_after_the_preset_real_time_with_the_spectrum(mca: EpicsMCA) -> None:
    preset = 0.4
    mca.preset_real_time.put(preset, wait=True)
    start = time.monotonic()
    status = mca.trigger()
    wait_for(lambda: status.done or mca.check_acquiring.get(use_monitor=False) == 1, TIMEOUT, "acquiring")
    status.wait(TIMEOUT)
    took = time.monotonic() - start
    assert status.success
    assert preset - 0.05 <= took < preset + 3.0
    assert mca.check_acquiring.get(use_monitor=False) == 2
    assert mca.elapsed_real_time.get(use_monitor=False) == pytest.approx(preset)
    assert mca.elapsed_live_time.get(use_monitor=False) == pytest.approx(preset * LIVE_FRACTION)
    spectrum = mca.spectrum.get(use_monitor=False)
    assert len(spectrum) == NMAX
    np.testing.assert_array_equal(spectrum, expected_spectrum(preset))


def test_erase_start_put_completes_when_the_acquisition_ends(mca: EpicsMCA) -> None:
    """The classic idiom: put 1 to EraseStart with a callback, which runs once the acquisition has ended."""
    mca.erase.put(1, wait=True)
    assert mca.spectrum.get(use_monitor=False).sum() == 0
    done = threading.Event()
    mca.erase_start.put(1, callback=done.set)
    assert done.wait(TIMEOUT)
    assert mca.elapsed_real_time.get(use_monitor=False) == pytest.approx(0.2)
    np.testing.assert_array_equal(mca.spectrum.get(use_monitor=False), expected_spectrum(0.2))


def test_roi_counts_are_the_sum_of_the_spectrum_between_lo_and_hi(mca: EpicsMCA) -> None:
    fe = mca.rois.roi0
    assert (fe.label.get(), fe.lo_chan.get(), fe.hi_chan.get()) == ("Fe Ka", 620, 660)
    roi = mca.rois.roi5
    lo, hi, bg = 780, 830, 3
    for signal, value in ((roi.lo_chan, lo), (roi.hi_chan, hi), (roi.bkgnd_chans, bg)):
        signal.put(value, wait=True)
    mca.trigger().wait(TIMEOUT)
    spectrum = np.asarray(mca.spectrum.get(use_monitor=False), dtype=float)
    part = spectrum[lo : hi + 1]
    assert roi.count.get(use_monitor=False) == part.sum() > 0
    background = (part[:bg].mean() + part[-bg:].mean()) / 2 * len(part)
    assert roi.net_count.get(use_monitor=False) == pytest.approx(part.sum() - background)
    assert fe.count.get(use_monitor=False) == spectrum[620:661].sum()
    # a new range is counted at once, without a new acquisition
    roi.hi_chan.put(800, wait=True)
    wait_for(lambda: roi.count.get(use_monitor=False) == spectrum[lo:801].sum(), TIMEOUT, "the new ROI count")


def test_read_attrs_with_dots_read_those_rois(mca: EpicsMCA) -> None:
    mca.read_attrs = ["spectrum", "rois.roi1.count", "rois.roi2.count"]
    assert set(mca.read_attrs) == {
        "spectrum",
        "rois",
        "rois.roi1",
        "rois.roi1.count",
        "rois.roi2",
        "rois.roi2.count",
    }
    assert sorted(mca.read()) == ["mca_rois_roi1_count", "mca_rois_roi2_count", "mca_spectrum"]


def test_every_command_record_takes_a_put(mca: EpicsMCA) -> None:
    """Classic's command sequence: each put is accepted, and stop() leaves the record idle."""
    mca.stage()
    mca.start.put(1)
    mca.stop_signal.put(1)
    mca.preset_live_time.put(3.14)
    mca.erase_start.put(1)
    mca.stop()
    mca.unstage()
    wait_for(lambda: mca.check_acquiring.get(use_monitor=False) == 2, TIMEOUT, "the acquisition to end")
    for signal in (mca.spectrum, mca.background, mca.rois.roi1.count, mca.rois.roi1.net_count):
        with pytest.raises(ReadOnlyError):
            signal.put(3.14)
    with pytest.raises(TypeError):
        add_rois(1)


def test_add_rois_makes_the_roi_components(mca_prefix: str) -> None:
    class ThreeRoiMCA(EpicsMCA):
        rois = DDC(add_rois(range(1, 4)))

    mca = ThreeRoiMCA(mca_prefix + "mca1", name="mca3")
    mca.wait_for_connection(timeout=TIMEOUT)
    assert mca.rois.component_names == ("roi1", "roi2", "roi3")
    assert mca.rois.roi2.lo_chan.pvname == mca_prefix + "mca1.R2LO"
    reading = mca.read()
    assert reading["mca3_rois_roi1_count"]["value"] == mca.rois.roi1.count.get()
    assert "mca3_rois_roi3_label" in reading
    with pytest.raises(ValueError, match="roi must be in the set"):
        add_rois([31, 32])


def test_count_plan_records_the_spectrum(mca: EpicsMCA, RE: RunEngine) -> None:
    events: list[dict[str, Any]] = []
    RE(count([mca], 2), lambda name, doc: events.append(doc) if name == "event" else None)
    assert len(events) == 2
    for event in events:
        np.testing.assert_array_equal(event["data"]["mca_spectrum"], expected_spectrum(0.2))
        assert event["data"]["mca_elapsed_real_time"] == pytest.approx(0.2)
    assert mca.mode.get(use_monitor=False) == "PHA"


def test_live_time_and_roi_presets_end_the_acquisition(mca: EpicsMCA) -> None:
    mca.preset_real_time.put(0.0, wait=True)
    mca.preset_live_time.put(0.245, wait=True)
    mca.trigger().wait(TIMEOUT)
    assert mca.elapsed_live_time.get(use_monitor=False) == pytest.approx(0.245)
    assert mca.elapsed_real_time.get(use_monitor=False) == pytest.approx(0.245 / LIVE_FRACTION)
    assert mca.why4.get(use_monitor=False) == 0  # a preset ended it
    mca.preset_live_time.put(0.0, wait=True)
    fe = mca.rois.roi0
    fe.preset_count.put(500.0, wait=True)
    fe.is_preset.put("Yes", wait=True)
    mca.trigger().wait(TIMEOUT)
    assert fe.net_count.get(use_monitor=False) >= 500.0
    assert 0 < mca.elapsed_real_time.get(use_monitor=False) < 2.0
    assert mca.why4.get(use_monitor=False) == 0


def test_the_spectrum_has_nuse_channels(mca: EpicsMCA, mca_prefix: str) -> None:
    nuse = EpicsSignal(mca_prefix + "mca1.NUSE", name="nuse")
    nuse.wait_for_connection(timeout=TIMEOUT)
    nuse.put(1000, wait=True)
    try:
        mca.trigger().wait(TIMEOUT)
        np.testing.assert_array_equal(mca.spectrum.get(use_monitor=False), expected_spectrum(0.2)[:1000])
    finally:
        nuse.put(NMAX, wait=True)
    assert len(mca.spectrum.get(use_monitor=False)) == NMAX


def test_stop_ends_an_acquisition_without_preset(mca: EpicsMCA, mca_prefix: str) -> None:
    acquiring = EpicsSignalRO(mca_prefix + "mca1.ACQG", name="acqg", string=True)
    acquiring.wait_for_connection(timeout=TIMEOUT)
    mca.preset_real_time.put(0.0, wait=True)
    status = mca.trigger()
    wait_for(lambda: mca.check_acquiring.get(use_monitor=False) == 1, TIMEOUT, "acquiring")
    assert acquiring.get(use_monitor=False) == "Acquiring"
    assert not status.done
    mca.stop()
    status.wait(TIMEOUT)
    assert mca.check_acquiring.get(use_monitor=False) == 2
    assert acquiring.get(use_monitor=False) == "Done"
    assert mca.why4.get(use_monitor=False) == 1  # no preset ended it
    elapsed = mca.elapsed_real_time.get(use_monitor=False)
    assert 0 < elapsed < TIMEOUT


def test_read_only_fields_refuse_writes(mca_prefix: str) -> None:
    assert_read_only(mca_prefix, ("mca1.VAL", "mca1.ERTM", "mca1.ACQG", "mca1.R0", "dxp1:PeakingTime_RBV"))


def test_dxp_settings_reach_their_readbacks_and_a_saturn_connects(mca_prefix: str) -> None:
    saturn = Saturn(mca_prefix, name="saturn")
    saturn.wait_for_connection(timeout=TIMEOUT)
    dxp = saturn.dxp
    dxp.peaking_time.set(4.0).wait(TIMEOUT)
    assert dxp.peaking_time.get(use_monitor=False) == 4.0
    dxp.peaking_time.set(2.0).wait(TIMEOUT)
    dxp.preset_mode.set("Live time").wait(TIMEOUT)
    assert dxp.preset_mode.get(use_monitor=False) == "Live time"
    dxp.preset_mode.set("No preset").wait(TIMEOUT)
    for diagnostic in (dxp.triggers, dxp.events, dxp.overflows, dxp.underflows, dxp.input_count_rate):
        with pytest.raises(ReadOnlyError):
            diagnostic.put(2)
    assert saturn.mca.read_callback.pvname == mca_prefix + "mca1ReadCallback"


def test_low_level_parameters_have_their_own_pvs(mca_prefix: str) -> None:
    """Classic ophyd left the '{}' of parameter_prefix unfilled; sophyd puts the index there."""
    dxp = Saturn(mca_prefix, name="saturn").dxp
    param = dxp.get_low_level_parameter(2)
    assert dxp.get_low_level_parameter(2) is param
    assert param.name == "saturn_dxp_param2"
    assert param.param_name.pvname == mca_prefix + "dxp1:LL2Name"
    assert param.value.setpoint_pvname == mca_prefix + "dxp1:LL2Val"
    param.wait_for_connection(timeout=TIMEOUT)
    assert param.param_name.get() == "PARAM2"
    assert dxp.get_low_level_parameter(3).param_name.get(timeout=TIMEOUT) == "PARAM3"


def test_a_mercury_with_soft_dxp_trigger_counts_for_count_time(mca_prefix: str, RE: RunEngine) -> None:
    """Classic's recipe: SoftDXPTrigger mixed into a DXP system, whose EraseStart drives the mca record."""

    class MyMercury(SoftDXPTrigger, Mercury1):
        pass

    mercury = MyMercury(mca_prefix, name="merc")
    mercury.wait_for_connection(timeout=TIMEOUT)
    mercury.count_time.put(0.3)
    events: list[dict[str, Any]] = []
    RE(count([mercury], 2), lambda name, doc: events.append(doc) if name == "event" else None)
    assert len(events) == 2
    for event in events:
        assert event["data"]["merc_elapsed_real"] == pytest.approx(0.3)
        assert event["data"]["merc_mca_elapsed_real_time"] == pytest.approx(0.3)
        np.testing.assert_array_equal(event["data"]["merc_mca_spectrum"], expected_spectrum(0.3))
    assert (mercury.preset_mode.get(), mercury.stop_all.get()) == ("No preset", 0)  # unstaged


def test_soft_dxp_trigger_stages_count_time_mode_and_stop() -> None:
    class System(SoftDXPTrigger):
        preset_real_time = Component(Signal, value=0.0)
        preset_mode = Component(Signal, value="No preset")
        stop_all = Component(Signal, value=0)

    system = System(name="system")
    system.stage()
    assert (system.preset_real_time.get(), system.preset_mode.get(), system.stop_all.get()) == (
        0.0,
        "Real time",
        1,
    )
    system.unstage()
    system.count_time.put(2.5)
    system.stage()
    assert system.preset_real_time.get() == 2.5
    system.unstage()
    assert (system.preset_real_time.get(), system.preset_mode.get(), system.stop_all.get()) == (
        0.0,
        "No preset",
        0,
    )
