"""sophyd.units: classic ophyd's UnitConversionDerivedSignal, on soft signals and over Channel Access.

What classic ophyd 1.11's ``ophyd/units.py`` does, checked here: the derived value is the original's converted
by pint from ``original_units`` (or the original's own units) to ``derived_units``, plus ``user_offset``; puts
convert back; limits are the original's converted unless overridden; describe(), metadata and meta events carry
the derived units.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import TIMEOUT, Events

from sophyd import Component as Cpt
from sophyd import Device, EpicsSignal, LimitError, Signal
from sophyd.sim import FakeEpicsSignal
from sophyd.units import UnitConversionDerivedSignal, convert_unit


@pytest.fixture
def converted() -> UnitConversionDerivedSignal:
    """Classic's own fixture: a fake EPICS signal at 5 m, shown in mm."""
    original = FakeEpicsSignal("sig", name="orig")
    original.sim_put(5)
    return UnitConversionDerivedSignal(original, original_units="m", derived_units="mm", name="converted")


def test_convert_unit_converts_numbers_and_refuses_incompatible_units() -> None:
    assert convert_unit(1.5, "keV", "eV") == pytest.approx(1500.0)
    assert convert_unit(90, "deg", "mrad") == pytest.approx(1570.796, rel=1e-6)
    with pytest.raises(Exception, match=r"(?i)dimensionality|cannot convert"):
        convert_unit(1.0, "mm", "s")


def test_temperatures_convert_with_their_offset() -> None:
    """degC <-> K is an offset, not a factor: classic's value * unit expression raised for it."""
    assert convert_unit(25.0, "degC", "K") == pytest.approx(298.15)
    celsius = Signal(name="t_c", value=25.0)
    kelvin = UnitConversionDerivedSignal(celsius, original_units="degC", derived_units="K", name="t_k")
    assert kelvin.get() == pytest.approx(298.15)
    kelvin.put(273.15)
    assert celsius.get() == pytest.approx(0.0)
    assert convert_unit(5, "1e-3*m", "mm") == pytest.approx(5.0)  # scaled expressions, as classic's


def test_unknown_units_are_refused_when_the_signal_is_made() -> None:
    original = Signal(name="orig", value=1.0)
    with pytest.raises(ValueError, match=r"'bad'.*'furlongz' are not units pint knows"):
        UnitConversionDerivedSignal(original, derived_units="furlongz", name="bad")
    with pytest.raises(ValueError, match=r"'bad2'.*'mmm/' are not units"):
        UnitConversionDerivedSignal(original, original_units="mmm/", derived_units="mm", name="bad2")


def test_units_are_the_derived_ones_in_describe_and_metadata(converted: UnitConversionDerivedSignal) -> None:
    assert (converted.original_units, converted.derived_units) == ("m", "mm")
    assert converted.describe()["converted"]["units"] == "mm"
    assert converted.metadata["units"] == "mm" and converted.egu == "mm"
    assert converted.describe()["converted"]["derived_from"] == "orig"


def test_metadata_keys_are_the_originals_with_units(converted: UnitConversionDerivedSignal) -> None:
    """Classic's fixture asserts ``"units" in orig.metadata_keys``; the derived signal always reports units."""
    original = converted.derived_from
    assert "units" in original.metadata_keys
    assert original.metadata_keys[:4] == ("connected", "read_access", "write_access", "timestamp")
    assert (
        "setpoint_timestamp" in original.metadata_keys
    )  # an EpicsSignal's, as a FakeEpicsSignal's in classic
    assert converted.metadata_keys == original.metadata_keys
    assert set(Signal(name="soft").metadata_keys) == set(Signal(name="soft").metadata)

    class Unitless(Signal):
        _metadata_keys = ("connected", "timestamp")

    derived = UnitConversionDerivedSignal(
        Unitless(name="unitless"), original_units="m", derived_units="mm", name="mm"
    )
    assert derived.metadata_keys == ("connected", "timestamp", "units")


def test_get_and_put_convert_both_ways(converted: UnitConversionDerivedSignal) -> None:
    assert converted.get() == pytest.approx(5000)
    converted.put(10_000, wait=True)
    assert converted.derived_from.get() == pytest.approx(10)
    converted.set(2_500).wait(TIMEOUT)
    assert converted.derived_from.get() == pytest.approx(2.5)
    assert converted.read()["converted"]["value"] == pytest.approx(2500)


def test_value_subscribers_see_converted_values(
    converted: UnitConversionDerivedSignal, caplog: pytest.LogCaptureFixture
) -> None:
    events = Events()
    converted.subscribe(events, run=False)
    converted.derived_from.put(20)
    event = events.wait_for(lambda e: True)
    assert event["value"] == pytest.approx(20_000) and event["obj"] is converted
    assert converted.get() == pytest.approx(20_000)
    # Following a fake EPICS signal must not stall: its subscribe() waits for the dispatcher to deliver.
    assert "did not run" not in caplog.text


def test_meta_subscribers_see_the_derived_units(converted: UnitConversionDerivedSignal) -> None:
    events = Events()
    converted.subscribe(events, event_type="meta", run=True)
    converted.derived_from._set_metadata(units="m")  # the original announces its own units
    assert events.wait_for(lambda e: True)["units"] == "mm"
    assert all(event["units"] == "mm" for event in events.events)


def test_limits_are_converted_or_overridden() -> None:
    original = Signal(name="orig", value=1.0, metadata={"lower_ctrl_limit": -2.0, "upper_ctrl_limit": 3.0})
    derived = UnitConversionDerivedSignal(original, original_units="m", derived_units="mm", name="mm")
    assert derived.limits == pytest.approx((-2000.0, 3000.0))
    with pytest.raises(LimitError):
        derived.put(3500)  # outside the original's limits, converted: refused before writing
    assert original.get() == 1.0
    derived.limits = (0, 500)
    assert derived.limits == (0, 500) and original.limits == (-2.0, 3.0)
    with pytest.raises(LimitError):
        derived.put(600)
    derived.limits = None
    assert derived.limits == pytest.approx((-2000.0, 3000.0))
    with pytest.raises(ValueError, match="2-tuple"):
        derived.limits = (5, 1)
    custom = UnitConversionDerivedSignal(
        original, original_units="m", derived_units="mm", limits=(-1, 1), name="custom"
    )
    assert custom.limits == (-1, 1)


def test_user_offset_shifts_values_limits_and_tells_subscribers(
    converted: UnitConversionDerivedSignal,
) -> None:
    converted.limits = (0, 10_000)
    events = Events()
    converted.subscribe(events, run=False)
    converted.user_offset = 100
    assert events.wait_for(lambda e: True)["value"] == pytest.approx(5100)
    assert converted.get() == pytest.approx(5100) and converted.limits == (100, 10_100)
    converted.put(1100)
    assert converted.derived_from.get() == pytest.approx(1.0)  # (1100 - 100) mm
    with pytest.raises(ValueError, match=r"converted.*user_offset must be a number"):
        converted.user_offset = None  # type: ignore[assignment]
    assert converted.user_offset == 100
    no_offset = UnitConversionDerivedSignal(
        converted.derived_from, original_units="m", derived_units="mm", user_offset=None, name="no_offset"
    )
    with pytest.raises(ValueError, match=r"no_offset.*user_offset"):
        no_offset.get()


def test_unknown_original_units_are_an_error_naming_the_signal() -> None:
    derived = UnitConversionDerivedSignal(Signal(name="bare", value=1.0), derived_units="mm", name="nounits")
    with pytest.raises(ValueError, match=r"nounits.*bare.*reports no units.*original_units"):
        derived.get()


def test_import_without_pint_says_which_extra_to_install() -> None:
    code = "import sys; sys.modules['pint'] = None\ntry:\n import sophyd.units\nexcept ImportError as e:\n print(e)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert "sophyd[units]" in out.stdout


# -- over Channel Access ---------------------------------------------------------------------------------------
@pytest.fixture
def dbl(cl: str, testioc_prefix: str) -> Iterator[EpicsSignal]:
    """The test IOC's ``dbl`` (units mm, control limits -100..100), put back to 1.5 afterwards."""
    signal = EpicsSignal(testioc_prefix + "dbl", name="dbl")
    signal.wait_for_connection(timeout=TIMEOUT)
    yield signal
    signal.put(1.5, wait=True)
    signal.destroy()


def test_an_epics_signal_in_other_units(dbl: EpicsSignal) -> None:
    """The PV's own EGU (mm) is the original unit; values, limits, describe() and events come in um."""
    um = UnitConversionDerivedSignal(dbl, derived_units="um", name="dbl_um")
    um.wait_for_connection(timeout=TIMEOUT)
    meta = Events()
    um.subscribe(meta, event_type="meta", run=True)
    assert meta.wait_for(lambda e: e.get("connected"))["units"] == "um"
    assert um.original_units == "mm"
    assert um.get() == pytest.approx(1500.0)
    assert um.limits == pytest.approx((-100_000.0, 100_000.0))
    key = um.describe()["dbl_um"]
    assert key["units"] == "um"
    assert (key["lower_ctrl_limit"], key["upper_ctrl_limit"]) == pytest.approx((-100_000.0, 100_000.0))
    values = Events()
    um.subscribe(values, run=False)
    um.put(2500.0, wait=True)
    assert dbl.get(use_monitor=False) == pytest.approx(2.5)
    assert values.wait_for(lambda e: e["value"] == pytest.approx(2500.0))["obj"] is um
    um.set(3000.0).wait(TIMEOUT)
    assert dbl.get(use_monitor=False) == pytest.approx(3.0)
    with pytest.raises(LimitError):
        um.put(200_000.0)  # 200 mm: beyond the PV's control limits, refused before sending
    assert dbl.get(use_monitor=False) == pytest.approx(3.0)


class Stage(Device):
    raw = Cpt(EpicsSignal, "dbl")
    microns = Cpt(UnitConversionDerivedSignal, derived_from="raw", derived_units="um")


def test_a_sibling_named_by_attribute_in_a_device(cl: str, testioc_prefix: str, dbl: EpicsSignal) -> None:
    stage = Stage(testioc_prefix, name="stage")
    stage.wait_for_connection(timeout=TIMEOUT)
    try:
        stage.microns.put(-1250.0, wait=True)
        reading: dict[str, Any] = stage.read()
        assert reading["stage_raw"]["value"] == pytest.approx(-1.25)
        assert reading["stage_microns"]["value"] == pytest.approx(-1250.0)
        assert stage.describe()["stage_microns"]["units"] == "um"
    finally:
        stage.destroy()
