"""Mock mode's state belongs to the signals that use it, and the mock helpers refuse signals not in mock mode."""

from __future__ import annotations

import contextlib
import time
from types import SimpleNamespace

import pytest

from sophyd import EpicsSignal, Signal, control, init_devices
from sophyd._readmany import BatchedSignal, by_backend
from sophyd.control import PVReading, use_cl
from sophyd.errors import PutFailedError
from sophyd.mock import mock_put_failure, reset_mocks, set_mock_info, set_mock_value

PV = "sophyd_mock_isolation:value"


def test_a_new_signal_on_a_destroyed_signals_pv_starts_afresh() -> None:
    with use_cl("mock"):
        first = EpicsSignal(PV, name="first")
    set_mock_value(first, 5.0)
    first.put(7.0)
    assert first.get() == 7.0
    first.destroy()
    with use_cl("mock"):
        second = EpicsSignal(PV, name="second")
    try:
        assert second.get() == 0.0  # a fresh mocked PV, not the destroyed signal's 7.0
    finally:
        second.destroy()


def test_two_signals_on_one_pv_share_it_while_both_live() -> None:
    with use_cl("mock"):
        one, two = EpicsSignal(PV, name="one"), EpicsSignal(PV, name="two")
    try:
        set_mock_value(one, 3.0)
        assert two.get() == 3.0
        one.destroy()
        assert two.get() == 3.0  # still in use by two
    finally:
        two.destroy()


def test_state_set_up_by_pv_name_goes_to_the_first_signal_and_ends_with_it() -> None:
    set_mock_info(PV, units="mm")  # as an IOC serves a PV before any client connects
    set_mock_value(PV, 4.5)
    with use_cl("mock"):
        first = EpicsSignal(PV, name="first")
    assert first.get() == 4.5 and first.metadata["units"] == "mm"
    first.destroy()
    with use_cl("mock"):
        second = EpicsSignal(PV, name="second")
    try:
        assert (
            second.get() == 0.0 and second.metadata["units"] == ""
        )  # the set-up ended with the first signal
    finally:
        second.destroy()


def test_reset_mocks_forgets_every_mocked_pv() -> None:
    set_mock_value(PV, 9.0)
    reset_mocks()
    with use_cl("mock"):
        fresh = EpicsSignal(PV, name="fresh")
    try:
        assert fresh.get() == 0.0
    finally:
        fresh.destroy()


def test_helpers_refuse_a_signal_that_is_not_in_mock_mode() -> None:
    soft = Signal(name="soft", value=1)
    with pytest.raises(TypeError, match=r"soft .*not in mock mode"):
        set_mock_value(soft, 2)
    assert soft.get() == 1
    # A signal whose channel belongs to another control layer (a CA channel, here a stand-in for one).

    class NotMocked:
        name = "real"
        _read_channel = SimpleNamespace(pvname="sophyd_mock_isolation:elsewhere")

    with pytest.raises(
        TypeError, match=r"real \(PV sophyd_mock_isolation:elsewhere, SimpleNamespace\) is not"
    ):
        set_mock_value(NotMocked(), 2)
    assert "sophyd_mock_isolation:elsewhere" not in {
        ch.pvname for ch in control.get_backend("mock").channels()
    }


class RefusedByHardware(Exception):
    """An exception whose constructor takes more than a message, with a field of its own."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@pytest.mark.parametrize("how", ["put", "set"])
def test_a_failed_put_keeps_its_type_and_fields_chains_and_names_the_pv_once(how: str) -> None:
    with use_cl("mock"):
        sig = EpicsSignal(PV, name="sig")
    try:
        original = RefusedByHardware(f"{PV} refused: interlock", code=17)
        mock_put_failure(sig, original)
        with pytest.raises(RefusedByHardware) as info:
            sig.put(1.0, wait=True) if how == "put" else sig.set(1.0).wait(5)
        exc = info.value
        assert exc.code == 17 and exc.__cause__ is original
        assert str(exc).startswith("'sig'") and str(exc).count(PV) == 1, str(exc)

        mock_put_failure(sig, "refused")  # the control layer's own PutFailedError, which names the PV
        with pytest.raises(PutFailedError) as failed:
            sig.put(2.0, wait=True)
        assert str(failed.value).count(PV) == 1 and isinstance(failed.value.__cause__, PutFailedError)
    finally:
        sig.destroy()


def test_init_devices_names_devices_when_entered_through_an_exit_stack() -> None:
    # contextlib.ExitStack adds a frame of its own between the with statement and init_devices.
    with contextlib.ExitStack() as stack:
        stack.enter_context(init_devices(mock=True))
        stacked = EpicsSignal(PV, name="")
    with init_devices(mock=True):
        direct = EpicsSignal(PV + "2", name="")
    try:
        assert stacked.name == "stacked" and direct.name == "direct"
    finally:
        stacked.destroy()
        direct.destroy()


def test_epics_signals_batch_and_soft_signals_do_not() -> None:
    with use_cl("mock"):
        sig = EpicsSignal(PV, name="sig")
    try:
        assert isinstance(sig, BatchedSignal)
        assert not isinstance(Signal(name="soft"), BatchedSignal)
        backend, channel, as_string = sig._prefetch_plan() or (None, None, None)
        assert backend is control.get_backend("mock") and channel.pvname == PV and as_string is False
        groups = by_backend([sig, Signal(name="soft")], lambda signal: signal._connection_plan())
        assert list(groups) == [backend] and groups[backend][0][0] is sig
    finally:
        sig.destroy()


def test_one_rule_for_enum_values_in_the_signal_and_the_control_layer() -> None:
    set_mock_info(PV, native_type="enum", enum_strs=("Off", "On"))
    set_mock_value(PV, 0)
    with use_cl("mock"):
        sig = EpicsSignal(PV, name="sig")
    try:
        channel = sig._read_channel
        for write in (sig.put, channel.put):  # checked by the signal first, by the encoder for a bare channel
            with pytest.raises(ValueError, match=r"'Bad' is not one of the PV's states \['Off', 'On'\]"):
                write("Bad")
            with pytest.raises(ValueError, match=r"5 is not a valid state index \(0\.\.1\)"):
                write(5)
            with pytest.raises(TypeError, match=r"cannot write 1\.5 \(float\) to an enum PV"):
                write(1.5)
        sig.put("On")
        assert sig.get() == 1 and sig.get(as_string=True) == "On"
        channel.put(0)
        assert sig.get(as_string=True) == "Off"
    finally:
        sig.destroy()


def test_a_channel_reads_the_server_after_a_write_until_its_monitor_catches_up() -> None:
    channel = control.get_backend("mock").channel(PV + ":fresh")
    try:
        updates: list[float] = []
        channel.subscribe(lambda reading: updates.append(reading.value))
        channel.put(1.0)
        assert channel.get().value == 1.0
        # The 'server' now holds 5.0 but its monitor update has not arrived: the cache still says 1.0.
        channel.invalidate()
        channel._reading = PVReading(5.0, time.time())  # type: ignore[attr-defined]
        assert channel.get(use_monitor=True).value == 5.0  # read from the server, not the stale cache
        # A monitor update as new as that read ends it: the cache answers again.
        channel._on_monitor(PVReading(5.0, time.time()))  # type: ignore[attr-defined]
        channel._reading = PVReading(6.0, time.time())  # type: ignore[attr-defined]
        assert channel.get(use_monitor=True).value == 5.0
        assert channel.get(use_monitor=False).value == 6.0
    finally:
        channel.destroy()


def test_hdf5_plugin_is_classic_ophyds_and_hdf5_detector_drives_its_own_file_writer() -> None:
    """``HDF5Plugin`` is classic's plugin class everywhere; HDF5Detector's ``hdf`` is the HDF5FileWriter."""
    import sophyd
    from sophyd.areadetector import HDF5Detector, HDF5FileWriter, HDF5Plugin
    from sophyd.areadetector.plugins import FilePlugin
    from sophyd.areadetector.plugins import HDF5Plugin as PluginsHDF5Plugin

    assert sophyd.HDF5Plugin is HDF5Plugin is PluginsHDF5Plugin
    assert issubclass(HDF5Plugin, FilePlugin)
    assert sophyd.HDF5FileWriter is HDF5FileWriter is HDF5Detector.hdf.cls
    assert not issubclass(HDF5FileWriter, HDF5Plugin)
