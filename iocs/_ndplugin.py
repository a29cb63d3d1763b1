"""The PVs every areaDetector plugin shares (``NDPluginBase``), as a caproto PVGroup the plugins build on.

PVs (after the plugin prefix, e.g. ``BDET:HDF1:``); settings have an ``_RBV`` readback like areaDetector:

- ``PortName_RBV`` (the plugin's asyn port, e.g. ``HDF1``), ``PluginType_RBV`` (e.g. ``NDFileHDF5``),
  ``NDArrayPort`` (the port it takes frames from, default the camera's ``CAM1``), ``NDArrayAddress``;
- ``EnableCallbacks`` (Disable/Enable, default Enable), ``BlockingCallbacks`` (No/Yes; frames are always
  processed in order before the camera's acquisition ends), ``MinCallbackTime``;
- ``ArrayCounter`` (writable, to reset it), ``DroppedArrays`` (always 0), ``ArrayRate_RBV``, ``QueueSize``,
  ``QueueFree``;
- the last frame's description: ``ArraySize0_RBV`` (width), ``ArraySize1_RBV`` (height), ``ArraySize2_RBV``
  (0 for a mono frame), ``NDimensions_RBV``, ``DataType_RBV``, ``ColorMode_RBV``, ``UniqueId_RBV`` and
  ``TimeStamp_RBV``; ``NDAttributesFile``.

``on_frame(frame, port)`` is what a camera calls for each frame from its port ``port``: a plugin that is
enabled and whose ``NDArrayPort`` names that port counts and describes the frame, then hands it to
``process``, which subclasses implement.
"""

from __future__ import annotations

import time

import numpy as np
from caproto.server import pvproperty

from sophyd_iocs._adcam import CAM_PORT, RBVGroup
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["NDPluginBase", "identity"]

_ENABLE = ("Disable", "Enable")
_NO_YES = ("No", "Yes")
_QUEUE = 20


def identity(port: str, plugin_type: str) -> tuple[pvproperty, pvproperty]:
    """The ``PortName_RBV`` and ``PluginType_RBV`` PVs of a plugin class: ``port_name, plugin_type = identity(...)``."""
    return (
        string("PortName_RBV", port, "asyn port name", read_only=True),
        string("PluginType_RBV", plugin_type, "Plugin type", read_only=True),
    )


class NDPluginBase(RBVGroup):
    """What every areaDetector plugin serves; subclasses redeclare ``port_name`` and ``plugin_type`` with their
    own values (``identity``) and implement ``process``."""

    port_name, plugin_type = identity("PLUGIN1", "NDPluginBase")
    nd_array_port, nd_array_port_rbv = with_rbv(string, "NDArrayPort", CAM_PORT, "Port frames come from")
    nd_array_address, nd_array_address_rbv = with_rbv(number, "NDArrayAddress", 0, "asyn address of frames")
    enable_callbacks, enable_callbacks_rbv = with_rbv(
        menu, "EnableCallbacks", _ENABLE, "Enable", "Process frames"
    )
    blocking_callbacks, blocking_callbacks_rbv = with_rbv(
        menu, "BlockingCallbacks", _NO_YES, "Yes", "Process frames in the camera's thread"
    )
    min_callback_time, min_callback_time_rbv = with_rbv(
        number, "MinCallbackTime", 0.0, "Minimum s between frames"
    )
    array_counter, array_counter_rbv = with_rbv(
        number, "ArrayCounter", 0, "Frames processed (write to reset)"
    )
    dropped_arrays, dropped_arrays_rbv = with_rbv(number, "DroppedArrays", 0, "Frames dropped (always 0)")
    array_rate = number("ArrayRate_RBV", 0.0, "Frames per second", read_only=True, precision=2)
    queue_size = number("QueueSize", _QUEUE, "Frame queue size")
    queue_free = number("QueueFree", _QUEUE, "Free queue places", read_only=True)
    width = number("ArraySize0_RBV", 0, "Width of the last frame", read_only=True)
    height = number("ArraySize1_RBV", 0, "Height of the last frame", read_only=True)
    depth = number("ArraySize2_RBV", 0, "Depth of the last frame (0: mono)", read_only=True)
    ndimensions = number("NDimensions_RBV", 0, "Dimensions of the last frame", read_only=True)
    data_type = string("DataType_RBV", "UInt8", "Pixel type of the last frame", read_only=True)
    color_mode = string("ColorMode_RBV", "Mono", "Color mode of the last frame", read_only=True)
    unique_id = number("UniqueId_RBV", 0, "Id of the last frame", read_only=True)
    time_stamp = number("TimeStamp_RBV", 0.0, "Time of the last frame (s)", read_only=True, precision=3)
    nd_attributes_file = pvproperty(
        name="NDAttributesFile", value="", dtype=str, max_length=256, doc="Attributes"
    )

    async def on_frame(self, frame: np.ndarray, port: str = CAM_PORT) -> None:
        """A frame from the asyn port ``port``: count it, describe it and process it, if this plugin takes it."""
        if self.enable_callbacks.value != "Enable" or self.nd_array_port.value != port:
            return
        await self.store(self.array_counter, self.array_counter.value + 1)
        await self.unique_id.write(self.array_counter.value)
        await self.time_stamp.write(time.time())
        await self.ndimensions.write(frame.ndim)
        await self.height.write(frame.shape[0])
        await self.width.write(frame.shape[1])
        await self.depth.write(frame.shape[2] if frame.ndim > 2 else 0)
        await self.process(frame)

    async def process(self, frame: np.ndarray) -> None:
        """What the plugin does with a frame it takes; nothing here."""
