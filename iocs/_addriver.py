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
- the asyn port and array pool: ``AsynIO``, ``NDAttributesFile`` (a path), ``StringToServer_RBV``,
  ``StringFromServer_RBV``, ``PoolMaxBuffers``, ``PoolAllocBuffers``, ``PoolFreeBuffers``,
  ``PoolUsedBuffers``, ``PoolMaxMem``, ``PoolUsedMem``.

The PVs the camera uses (``PortName_RBV``, ``ArrayCallbacks``, ``TriggerMode``, ``NumExposures``, ...) are
``AreaCam``'s own, in ``_adcam.py``.
"""

from __future__ import annotations

from typing import Any

from caproto.server import PVGroup, pvproperty

from sophyd_iocs._pv import menu
from sophyd_iocs.physics import BLOB_HEIGHT, BLOB_WIDTH

__all__ = ["DriverSettings"]

_NO_YES = ("No", "Yes")
_CLOSE_OPEN = ("Close", "Open")
_CLOSED_OPEN = ("Closed", "Open")
_DATA_TYPES = ("Int8", "UInt8", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Float32", "Float64")
_COLOR_MODES = ("Mono", "Bayer", "RGB1", "RGB2", "RGB3", "YUV444", "YUV422", "YUV421")


def _value(name: str, value: float, doc: str, *, read_only: bool = False, **kwargs: Any) -> pvproperty:
    """A float or int PV, depending on the type of ``value``."""
    return pvproperty(name=name, value=value, dtype=type(value), read_only=read_only, doc=doc, **kwargs)


def _text(name: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """A long string PV (a CHAR waveform, as areaDetector's file paths and server strings)."""
    return pvproperty(name=name, value="", dtype=str, max_length=256, read_only=read_only, doc=doc)


def _only(instance: Any, value: str, allowed: str) -> str:
    """``value`` if it is the one the camera supports; ValueError (the put fails) otherwise."""
    if value != allowed:
        raise ValueError(f"{instance.pvname}: the simulated camera makes {allowed} frames only, not {value}")
    return value


class DriverSettings(PVGroup):
    """The standard driver PVs the simulated camera stores without using (see the module docstring)."""

    min_x = _value("MinX", 0, "First pixel in X")
    min_x_rbv = _value("MinX_RBV", 0, "First pixel in X", read_only=True)
    min_y = _value("MinY", 0, "First pixel in Y")
    min_y_rbv = _value("MinY_RBV", 0, "First pixel in Y", read_only=True)
    size_x = _value("SizeX", BLOB_WIDTH, "Region width")
    size_x_rbv = _value("SizeX_RBV", BLOB_WIDTH, "Region width", read_only=True)
    size_y = _value("SizeY", BLOB_HEIGHT, "Region height")
    size_y_rbv = _value("SizeY_RBV", BLOB_HEIGHT, "Region height", read_only=True)
    bin_x = _value("BinX", 1, "Binning in X")
    bin_x_rbv = _value("BinX_RBV", 1, "Binning in X", read_only=True)
    bin_y = _value("BinY", 1, "Binning in Y")
    bin_y_rbv = _value("BinY_RBV", 1, "Binning in Y", read_only=True)
    reverse_x = menu("ReverseX", _NO_YES, "No", "Mirror in X")
    reverse_x_rbv = menu("ReverseX_RBV", _NO_YES, "No", "Mirror in X", read_only=True)
    reverse_y = menu("ReverseY", _NO_YES, "No", "Mirror in Y")
    reverse_y_rbv = menu("ReverseY_RBV", _NO_YES, "No", "Mirror in Y", read_only=True)
    color_mode_setting = menu("ColorMode", _COLOR_MODES, "Mono", "Color mode")
    data_type_setting = menu("DataType", _DATA_TYPES, "UInt8", "Pixel type")

    @color_mode_setting.putter  # type: ignore[no-redef]
    async def color_mode_setting(self, instance: Any, value: str) -> str:
        return _only(instance, value, "Mono")

    @data_type_setting.putter  # type: ignore[no-redef]
    async def data_type_setting(self, instance: Any, value: str) -> str:
        return _only(instance, value, "UInt8")

    frame_type = menu(
        "FrameType", ("Normal", "Background", "FlatField", "DblCorrelation"), "Normal", "Frame type"
    )
    frame_type_rbv = menu(
        "FrameType_RBV",
        ("Normal", "Background", "FlatField", "DblCorrelation"),
        "Normal",
        "Frame type",
        read_only=True,
    )
    gain = _value("Gain", 1.0, "Gain")
    gain_rbv = _value("Gain_RBV", 1.0, "Gain", read_only=True)
    temperature = _value("Temperature", 25.0, "Temperature setpoint", units="C")
    temperature_rbv = _value("Temperature_RBV", 25.0, "Temperature setpoint", read_only=True, units="C")
    temperature_actual = _value("TemperatureActual", 25.0, "Temperature", units="C")
    time_remaining = _value("TimeRemaining_RBV", 0.0, "Time left in the exposure", read_only=True, units="s")
    read_status = _value("ReadStatus", 0, "Read the driver's status")

    shutter_mode = menu("ShutterMode", ("None", "EPICS PV", "Detector output"), "None", "Shutter mode")
    shutter_mode_rbv = menu(
        "ShutterMode_RBV", ("None", "EPICS PV", "Detector output"), "None", "Shutter mode", read_only=True
    )
    shutter_control = menu("ShutterControl", _CLOSE_OPEN, "Close", "Shutter control")
    shutter_control_rbv = menu("ShutterControl_RBV", _CLOSE_OPEN, "Close", "Shutter control", read_only=True)
    shutter_open_delay = _value("ShutterOpenDelay", 0.0, "Shutter open delay", units="s")
    shutter_open_delay_rbv = _value(
        "ShutterOpenDelay_RBV", 0.0, "Shutter open delay", read_only=True, units="s"
    )
    shutter_close_delay = _value("ShutterCloseDelay", 0.0, "Shutter close delay", units="s")
    shutter_close_delay_rbv = _value(
        "ShutterCloseDelay_RBV", 0.0, "Shutter close delay", read_only=True, units="s"
    )
    shutter_status = menu("ShutterStatus_RBV", _CLOSED_OPEN, "Closed", "Shutter status", read_only=True)
    shutter_control_epics = menu("ShutterControlEPICS", _CLOSE_OPEN, "Close", "EPICS shutter control")
    shutter_open_epics = _value("ShutterOpenEPICS", 1.0, "Value that opens the EPICS shutter")
    shutter_close_epics = _value("ShutterCloseEPICS", 0.0, "Value that closes the EPICS shutter")
    shutter_fanout = _value("ShutterFanout", 0.0, "EPICS shutter fanout")
    shutter_status_epics = menu(
        "ShutterStatusEPICS_RBV", _CLOSED_OPEN, "Closed", "EPICS shutter status", read_only=True
    )

    asyn_io = _value("AsynIO", 0, "The asyn record of the port")
    nd_attributes_file = _text("NDAttributesFile", "Attributes file")
    string_to_server = _text("StringToServer_RBV", "Last string sent to the hardware", read_only=True)
    string_from_server = _text("StringFromServer_RBV", "Last string read from the hardware", read_only=True)
    pool_max_buffers = _value("PoolMaxBuffers", 0, "Maximum NDArray buffers", read_only=True)
    pool_alloc_buffers = _value("PoolAllocBuffers", 0, "Allocated NDArray buffers", read_only=True)
    pool_free_buffers = _value("PoolFreeBuffers", 0, "Free NDArray buffers", read_only=True)
    pool_used_buffers = _value("PoolUsedBuffers", 0, "NDArray buffers in use", read_only=True)
    pool_max_mem = _value("PoolMaxMem", 0.0, "Maximum NDArray memory", read_only=True, units="MB")
    pool_used_mem = _value("PoolUsedMem", 0.0, "NDArray memory in use", read_only=True, units="MB")
