"""The PVs every areaDetector plugin shares (``NDPluginBase``), as a caproto PVGroup the plugins build on.

PVs (after the plugin prefix, e.g. ``BDET:HDF1:``); settings have an ``_RBV`` readback like areaDetector:

- ``PortName_RBV`` (the plugin's asyn port, e.g. ``HDF1``), ``PluginType_RBV`` (e.g. ``NDFileHDF5``),
  ``NDArrayPort`` (the port it takes frames from, default the camera's ``CAM1``), ``NDArrayAddress``;
- ``EnableCallbacks`` (Disable/Enable, default Enable), ``BlockingCallbacks`` (No/Yes; frames are always
  processed in order before the camera's acquisition ends), ``MinCallbackTime``;
- ``ArrayCounter`` (writable, to reset it), ``DroppedArrays`` (always 0), ``ArrayRate_RBV``, ``QueueSize``,
  ``QueueFree``;
- the last frame's description: ``ArraySize0_RBV`` (width), ``ArraySize1_RBV`` (height), ``ArraySize2_RBV``
  (0 for a mono frame), ``Dimensions_RBV`` (the sizes, areaDetector's first dimension first) and ``Dim0SA``,
  ``Dim1SA``, ``Dim2SA`` (its first three), ``NDimensions_RBV``, ``DataType_RBV``, ``ColorMode_RBV``,
  ``BayerPattern_RBV``, ``UniqueId_RBV`` and ``TimeStamp_RBV``;
- the queue's alarm levels ``QueueFreeLow``, ``QueueUse``, ``QueueUseHIGH``, ``QueueUseHIHI`` (stored), and
  what a driver serves too: ``AsynIO``, ``NDAttributesFile`` and the array pool's ``Pool*`` readbacks
  (``sophyd_iocs._addriver.NDArrayPort``).

``on_frame(frame, port)`` is what a camera calls for each frame from its port ``port``: a plugin that is
enabled and whose ``NDArrayPort`` names that port counts and describes the frame, then hands it to
``process``, which subclasses implement. A plugin that makes frames of its own (ROI, process, overlay)
hands them with ``pass_on`` to every plugin in ``outputs`` (the IOC lists the others), from its own port.
Each plugin takes frames from one port, so no frame can go round a loop of ``NDArrayPort`` settings: none
enters it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from caproto.server import pvproperty

from sophyd_iocs._adcam import CAM_PORT, RBVGroup
from sophyd_iocs._addriver import NDArrayPort
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["OUTPUT_DATA_TYPES", "NDPluginBase", "identity"]

_ENABLE = ("Disable", "Enable")
_NO_YES = ("No", "Yes")
_QUEUE = 20
_MAX_DIMS = 10
_BAYER = ("RGGB", "GBRG", "GRBG", "BGGR")
#: The ``DataTypeOut`` choices of the plugins that make frames (ROI, process); only Automatic is simulated.
OUTPUT_DATA_TYPES = ("Int8", "UInt8", "Int16", "UInt16", "Int32", "UInt32", "Float32", "Float64", "Automatic")


def identity(port: str, plugin_type: str) -> tuple[pvproperty, pvproperty]:
    """The ``PortName_RBV`` and ``PluginType_RBV`` PVs of a plugin class: ``port_name, plugin_type = identity(...)``."""
    return (
        string("PortName_RBV", port, "asyn port name", read_only=True),
        string("PluginType_RBV", plugin_type, "Plugin type", read_only=True),
    )


class NDPluginBase(RBVGroup, NDArrayPort):
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
    queue_free_low = number("QueueFreeLow", _QUEUE // 4, "QueueFree low alarm level")
    queue_use = number("QueueUse", 0, "Queue places in use")
    queue_use_high = number("QueueUseHIGH", _QUEUE * 3 // 4, "QueueUse high alarm level")
    queue_use_hihi = number("QueueUseHIHI", _QUEUE * 9 // 10, "QueueUse major alarm level")
    width = number("ArraySize0_RBV", 0, "Width of the last frame", read_only=True)
    height = number("ArraySize1_RBV", 0, "Height of the last frame", read_only=True)
    depth = number("ArraySize2_RBV", 0, "Depth of the last frame (0: mono)", read_only=True)
    ndimensions = number("NDimensions_RBV", 0, "Dimensions of the last frame", read_only=True)
    dimensions = pvproperty(
        name="Dimensions_RBV",
        value=[0] * _MAX_DIMS,
        dtype=int,
        max_length=_MAX_DIMS,
        read_only=True,
        doc="Sizes of the last frame, first dimension first",
    )
    dim0_sa = number("Dim0SA", 0, "First size of the last frame")
    dim1_sa = number("Dim1SA", 0, "Second size of the last frame")
    dim2_sa = number("Dim2SA", 0, "Third size of the last frame")
    bayer_pattern = menu("BayerPattern_RBV", _BAYER, "RGGB", "Bayer pattern", read_only=True)
    data_type = string("DataType_RBV", "UInt8", "Pixel type of the last frame", read_only=True)
    color_mode = string("ColorMode_RBV", "Mono", "Color mode of the last frame", read_only=True)
    unique_id = number("UniqueId_RBV", 0, "Id of the last frame", read_only=True)
    time_stamp = number("TimeStamp_RBV", 0.0, "Time of the last frame (s)", read_only=True, precision=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Coroutines ``pass_on`` gives this plugin's frames to (e.g. ``StatsPlugin.on_frame``).
        self.outputs: list[Callable[[np.ndarray, str], Awaitable[None]]] = []

    async def on_frame(self, frame: np.ndarray, port: str = CAM_PORT) -> None:
        """A frame from the asyn port ``port``: count it, describe it and process it, if this plugin takes it."""
        if self.enable_callbacks.value != "Enable" or self.nd_array_port.value != port:
            return
        await self._describe(frame)
        await self.process(frame)

    async def _describe(self, frame: np.ndarray) -> None:
        """Count ``frame`` and post its description."""
        await self.store(self.array_counter, self.array_counter.value + 1)
        await self.unique_id.write(self.array_counter.value)
        await self.time_stamp.write(time.time())
        await self.ndimensions.write(frame.ndim)
        await self.height.write(frame.shape[0])
        await self.width.write(frame.shape[1])
        await self.depth.write(frame.shape[2] if frame.ndim > 2 else 0)
        sizes = list(reversed(frame.shape))  # areaDetector's first dimension varies fastest
        await self.dimensions.write(sizes + [0] * (_MAX_DIMS - len(sizes)))
        for pv, size in zip((self.dim0_sa, self.dim1_sa, self.dim2_sa), [*sizes, 0, 0], strict=False):
            await pv.write(size)

    async def only(self, instance: Any, value: str, allowed: str) -> str:
        """A putter's answer for a setting of which only ``allowed`` is simulated: accept and mirror it, refuse
        (ValueError: the put fails) any other value."""
        if value != allowed:
            raise ValueError(f"{instance.pvname}: only {allowed} is simulated, not {value}")
        await self.mirror(instance, value)
        return value

    async def pass_on(self, frame: np.ndarray) -> None:
        """Hand ``frame`` to every plugin in ``outputs``, from this plugin's port."""
        port = self.port_name.value
        for output in self.outputs:
            await output(frame, port)

    async def process(self, frame: np.ndarray) -> None:
        """What the plugin does with a frame it takes; nothing here."""
