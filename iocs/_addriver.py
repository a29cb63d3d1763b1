"""The rest of an areaDetector driver's standard PVs (ADBase.template, NDArrayBase.template) as a caproto PVGroup.

A real camera serves them all, and classic ophyd's ``CamBase`` declares them all; the simulated camera stores
them and makes its frames without them. After the camera prefix (e.g. ``BDET:cam1:``); each setting has an
``_RBV`` readback that follows it (``AreaCam`` mirrors every write):

- region and binning: ``MinX``, ``MinY`` (0), ``SizeX`` (320), ``SizeY`` (240), ``BinX``, ``BinY`` (1),
  ``ReverseX``, ``ReverseY`` (No/Yes), and the settings ``ColorMode`` and ``DataType`` behind the camera's
  read-only ``ColorMode_RBV`` and ``DataType_RBV`` (the camera makes Mono UInt8 frames only: a put of
  another value fails);
- ``FrameType`` (Normal/Background/FlatField/DblCorrelation), ``Gain`` (1.0), ``Temperature`` (25.0) and
  ``TemperatureActual``, ``TimeRemaining_RBV``, ``ReadStatus``;
- the shutter: ``ShutterMode`` (None/EPICS PV/Detector output), ``ShutterControl`` (Close/Open),
  ``ShutterOpenDelay``, ``ShutterCloseDelay`` (s), ``ShutterStatus_RBV`` (Closed), and the EPICS shutter's
  ``ShutterControlEPICS``, ``ShutterOpenEPICS``, ``ShutterCloseEPICS``, ``ShutterFanout``,
  ``ShutterStatusEPICS_RBV``;
- the asyn port and array pool: ``AsynIO``, ``NDAttributesFile`` (a path),
  ``StringToServer_RBV``, ``StringFromServer_RBV``, ``PoolMaxBuffers``, ``PoolAllocBuffers``, ``PoolFreeBuffers``,
  ``PoolUsedBuffers``, ``PoolMaxMem``, ``PoolUsedMem`` (``NDArrayPort``, which the plugins serve too).

``SimDriverSettings`` adds the ADSimDetector driver's own settings, also stored but unused: ``GainX``,
``GainY``, ``GainRed``, ``GainGreen``, ``GainBlue`` (1.0), ``Noise`` (0), ``PeakNumX``, ``PeakNumY``,
``PeakStartX``, ``PeakStartY``, ``PeakStepX``, ``PeakStepY`` (1), ``PeakWidthX``, ``PeakWidthY`` (10),
``PeakVariation`` (0.0), ``Reset`` (0) and ``SimMode`` (LinearRamp/Peaks/Sine/Offset&Noise), each with
``_RBV``.
"""

from __future__ import annotations

from typing import Any

from caproto.server import PVGroup, pvproperty

from sophyd_iocs._pv import menu, number, with_rbv
from sophyd_iocs.physics import BLOB_HEIGHT, BLOB_WIDTH

__all__ = ["COLOR_MODES", "DATA_TYPES", "DriverSettings", "NDArrayPort", "SimDriverSettings"]

_NO_YES = ("No", "Yes")
_CLOSE_OPEN = ("Close", "Open")
_CLOSED_OPEN = ("Closed", "Open")
_FRAME_TYPES = ("Normal", "Background", "FlatField", "DblCorrelation")
_SHUTTER_MODES = ("None", "EPICS PV", "Detector output")
_SIM_MODES = ("LinearRamp", "Peaks", "Sine", "Offset&Noise")
#: areaDetector's DataType and ColorMode strings.
DATA_TYPES = ("Int8", "UInt8", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Float32", "Float64")
COLOR_MODES = ("Mono", "Bayer", "RGB1", "RGB2", "RGB3", "YUV444", "YUV422", "YUV421")


def _text(name: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """A long string PV (a CHAR waveform, as areaDetector's file paths and server strings)."""
    return pvproperty(name=name, value="", dtype=str, max_length=256, read_only=read_only, doc=doc)


def _only(instance: Any, value: str, allowed: str) -> str:
    """``value`` if it is the one the camera supports; ValueError (the put fails) otherwise."""
    if value != allowed:
        raise ValueError(f"{instance.pvname}: the simulated camera makes {allowed} frames only, not {value}")
    return value


class NDArrayPort(PVGroup):
    """The PVs a driver and a plugin both serve for their asyn port and NDArray pool (``NDArrayBase.template``),
    read as areaDetector's idle values: the simulated IOCs keep no array pool."""

    asyn_io = number("AsynIO", 0, "The asyn record of the port")
    nd_attributes_file = _text("NDAttributesFile", "Attributes file")
    pool_max_buffers = number("PoolMaxBuffers", 0, "Maximum NDArray buffers", read_only=True)
    pool_alloc_buffers = number("PoolAllocBuffers", 0, "Allocated NDArray buffers", read_only=True)
    pool_free_buffers = number("PoolFreeBuffers", 0, "Free NDArray buffers", read_only=True)
    pool_used_buffers = number("PoolUsedBuffers", 0, "NDArray buffers in use", read_only=True)
    pool_max_mem = number("PoolMaxMem", 0.0, "Maximum NDArray memory", read_only=True, units="MB")
    pool_used_mem = number("PoolUsedMem", 0.0, "NDArray memory in use", read_only=True, units="MB")


class DriverSettings(NDArrayPort):
    """The standard driver PVs the simulated camera stores without using (see the module docstring)."""

    min_x, min_x_rbv = with_rbv(number, "MinX", 0, "First pixel in X")
    min_y, min_y_rbv = with_rbv(number, "MinY", 0, "First pixel in Y")
    size_x, size_x_rbv = with_rbv(number, "SizeX", BLOB_WIDTH, "Region width")
    size_y, size_y_rbv = with_rbv(number, "SizeY", BLOB_HEIGHT, "Region height")
    bin_x, bin_x_rbv = with_rbv(number, "BinX", 1, "Binning in X")
    bin_y, bin_y_rbv = with_rbv(number, "BinY", 1, "Binning in Y")
    reverse_x, reverse_x_rbv = with_rbv(menu, "ReverseX", _NO_YES, "No", "Mirror in X")
    reverse_y, reverse_y_rbv = with_rbv(menu, "ReverseY", _NO_YES, "No", "Mirror in Y")
    color_mode_setting = menu("ColorMode", COLOR_MODES, "Mono", "Color mode")
    data_type_setting = menu("DataType", DATA_TYPES, "UInt8", "Pixel type")

    @color_mode_setting.putter  # type: ignore[no-redef]
    async def color_mode_setting(self, instance: Any, value: str) -> str:
        return _only(instance, value, "Mono")

    @data_type_setting.putter  # type: ignore[no-redef]
    async def data_type_setting(self, instance: Any, value: str) -> str:
        return _only(instance, value, "UInt8")

    frame_type, frame_type_rbv = with_rbv(menu, "FrameType", _FRAME_TYPES, "Normal", "Frame type")
    gain, gain_rbv = with_rbv(number, "Gain", 1.0, "Gain")
    temperature, temperature_rbv = with_rbv(number, "Temperature", 25.0, "Temperature setpoint", units="C")
    temperature_actual = number("TemperatureActual", 25.0, "Temperature", units="C")
    time_remaining = number("TimeRemaining_RBV", 0.0, "Time left in the exposure", read_only=True, units="s")
    read_status = number("ReadStatus", 0, "Read the driver's status")

    shutter_mode, shutter_mode_rbv = with_rbv(menu, "ShutterMode", _SHUTTER_MODES, "None", "Shutter mode")
    shutter_control, shutter_control_rbv = with_rbv(menu, "ShutterControl", _CLOSE_OPEN, "Close", "Shutter")
    shutter_open_delay, shutter_open_delay_rbv = with_rbv(
        number, "ShutterOpenDelay", 0.0, "Shutter open delay", units="s"
    )
    shutter_close_delay, shutter_close_delay_rbv = with_rbv(
        number, "ShutterCloseDelay", 0.0, "Shutter close delay", units="s"
    )
    shutter_status = menu("ShutterStatus_RBV", _CLOSED_OPEN, "Closed", "Shutter status", read_only=True)
    shutter_control_epics = menu("ShutterControlEPICS", _CLOSE_OPEN, "Close", "EPICS shutter control")
    shutter_open_epics = number("ShutterOpenEPICS", 1.0, "Value that opens the EPICS shutter")
    shutter_close_epics = number("ShutterCloseEPICS", 0.0, "Value that closes the EPICS shutter")
    shutter_fanout = number("ShutterFanout", 0.0, "EPICS shutter fanout")
    shutter_status_epics = menu(
        "ShutterStatusEPICS_RBV", _CLOSED_OPEN, "Closed", "EPICS shutter status", read_only=True
    )

    string_to_server = _text("StringToServer_RBV", "Last string sent to the hardware", read_only=True)
    string_from_server = _text("StringFromServer_RBV", "Last string read from the hardware", read_only=True)


class SimDriverSettings(PVGroup):
    """The ADSimDetector driver's own PVs (gains, peaks, noise, simulation mode), stored but unused: the
    pattern IOC's frames come from its physics, and these let classic ophyd's ``SimDetectorCam`` connect."""

    gain_x, gain_x_rbv = with_rbv(number, "GainX", 1.0, "Gain in X")
    gain_y, gain_y_rbv = with_rbv(number, "GainY", 1.0, "Gain in Y")
    gain_red, gain_red_rbv = with_rbv(number, "GainRed", 1.0, "Gain of red")
    gain_green, gain_green_rbv = with_rbv(number, "GainGreen", 1.0, "Gain of green")
    gain_blue, gain_blue_rbv = with_rbv(number, "GainBlue", 1.0, "Gain of blue")
    noise, noise_rbv = with_rbv(number, "Noise", 0, "Noise amplitude")
    peak_num_x, peak_num_x_rbv = with_rbv(number, "PeakNumX", 1, "Peaks in X")
    peak_num_y, peak_num_y_rbv = with_rbv(number, "PeakNumY", 1, "Peaks in Y")
    peak_start_x, peak_start_x_rbv = with_rbv(number, "PeakStartX", 1, "First peak in X")
    peak_start_y, peak_start_y_rbv = with_rbv(number, "PeakStartY", 1, "First peak in Y")
    peak_step_x, peak_step_x_rbv = with_rbv(number, "PeakStepX", 1, "Peak spacing in X")
    peak_step_y, peak_step_y_rbv = with_rbv(number, "PeakStepY", 1, "Peak spacing in Y")
    peak_width_x, peak_width_x_rbv = with_rbv(number, "PeakWidthX", 10, "Peak width in X")
    peak_width_y, peak_width_y_rbv = with_rbv(number, "PeakWidthY", 10, "Peak width in Y")
    peak_variation, peak_variation_rbv = with_rbv(number, "PeakVariation", 0.0, "Peak height variation")
    reset, reset_rbv = with_rbv(number, "Reset", 0, "Reset the simulated image")
    sim_mode, sim_mode_rbv = with_rbv(menu, "SimMode", _SIM_MODES, "LinearRamp", "Simulation mode")
