"""An areaDetector region-of-interest plugin (``NDPluginROI``) as a caproto PVGroup: frames cropped and passed on.

PVs (after the plugin prefix, e.g. ``BDET:ROI1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``ROI1``, ``PluginType_RBV`` ``NDPluginROI``); settings have an ``_RBV`` readback:

- for each dimension D of X (columns), Y (rows) and Z (unused: the frames are mono): ``EnableD``
  (Disable/Enable, default Enable), ``MinD`` (first pixel), ``SizeD`` (pixels, default the frame's size),
  ``BinD`` (pixels summed into one, default 1), ``ReverseD`` (No/Yes), ``AutoSizeD`` (No/Yes: the size is the
  frame's size less ``MinD``);
- ``EnableScale`` (Disable/Enable) and ``Scale`` (the binned pixels are divided by it when enabled);
  ``DataTypeOut`` (only ``Automatic``, the frame's own UInt8, is simulated: other values are refused);
  ``Name``; ``MaxX``, ``MaxY``, ``SetXHOPR``, ``SetYHOPR`` (stored, not used);
- readbacks of the last frame: ``MaxSizeX_RBV``, ``MaxSizeY_RBV``, ``MaxSizeZ_RBV`` (the input frame's size)
  and ``ArraySizeX_RBV``, ``ArraySizeY_RBV``, ``ArraySizeZ_RBV`` (the region's).

Each frame the plugin takes is cut to the region (``MinD`` and ``SizeD`` clamped to the frame, as NDROI does; a
disabled dimension is taken whole), binned, scaled, reversed, and handed to every plugin in ``outputs`` from the
port ``ROI1``, so a plugin whose ``NDArrayPort`` is ``ROI1`` takes the region instead of the camera's frame.
Pixel values above 255 after binning are clipped to 255 (areaDetector's C cast would wrap them around).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sophyd_iocs._ndplugin import OUTPUT_DATA_TYPES, NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["ROIPlugin", "Region", "crop"]

_ENABLE = ("Disable", "Enable")
_NO_YES = ("No", "Yes")
_BIG = 1 << 20  # the default size: the whole frame, as clamped


class Region:
    """One dimension's settings: whether it is cut, first pixel, size, binning, reversal."""

    def __init__(self, enable: bool, start: int, size: int, binning: int, reverse: bool) -> None:
        self.enable, self.start, self.size, self.binning, self.reverse = enable, start, size, binning, reverse


def crop(frame: np.ndarray, x: Region, y: Region, scale: float | None = None) -> np.ndarray:
    """The region (x along columns, y along rows) of a 2-D uint8 frame, binned (summed), scaled, reversed."""
    data = np.asarray(frame, dtype=np.float64)
    for axis, region in ((1, x), (0, y)):
        n = data.shape[axis]
        if not region.enable:
            continue
        start = min(max(region.start, 0), n - 1)
        size = min(max(region.size, 1), n - start)
        binning = min(max(region.binning, 1), size)
        size -= size % binning  # whole bins only
        part = np.take(data, range(start, start + size), axis=axis)
        shape = list(part.shape)
        shape[axis : axis + 1] = [size // binning, binning]
        data = part.reshape(shape).sum(axis=axis + 1)
        if region.reverse:
            data = np.flip(data, axis=axis)
    if scale:
        data = data / scale
    return np.clip(np.floor(data), 0, 255).astype(np.uint8)


class ROIPlugin(NDPluginBase):
    """Cuts each frame to a region and passes it on from port ``ROI1`` (see the module docstring)."""

    port_name, plugin_type = identity("ROI1", "NDPluginROI")
    enable_x, enable_x_rbv = with_rbv(menu, "EnableX", _ENABLE, "Enable", "Cut along X")
    enable_y, enable_y_rbv = with_rbv(menu, "EnableY", _ENABLE, "Enable", "Cut along Y")
    enable_z, enable_z_rbv = with_rbv(menu, "EnableZ", _ENABLE, "Enable", "Cut along Z (unused)")
    min_x, min_x_rbv = with_rbv(number, "MinX", 0, "First column")
    min_y, min_y_rbv = with_rbv(number, "MinY", 0, "First row")
    min_z, min_z_rbv = with_rbv(number, "MinZ", 0, "First Z (unused)")
    size_x, size_x_rbv = with_rbv(number, "SizeX", _BIG, "Columns")
    size_y, size_y_rbv = with_rbv(number, "SizeY", _BIG, "Rows")
    size_z, size_z_rbv = with_rbv(number, "SizeZ", _BIG, "Z size (unused)")
    bin_x, bin_x_rbv = with_rbv(number, "BinX", 1, "Columns per bin")
    bin_y, bin_y_rbv = with_rbv(number, "BinY", 1, "Rows per bin")
    bin_z, bin_z_rbv = with_rbv(number, "BinZ", 1, "Z per bin (unused)")
    reverse_x, reverse_x_rbv = with_rbv(menu, "ReverseX", _NO_YES, "No", "Reverse columns")
    reverse_y, reverse_y_rbv = with_rbv(menu, "ReverseY", _NO_YES, "No", "Reverse rows")
    reverse_z, reverse_z_rbv = with_rbv(menu, "ReverseZ", _NO_YES, "No", "Reverse Z (unused)")
    auto_size_x, auto_size_x_rbv = with_rbv(menu, "AutoSizeX", _NO_YES, "No", "SizeX from the frame")
    auto_size_y, auto_size_y_rbv = with_rbv(menu, "AutoSizeY", _NO_YES, "No", "SizeY from the frame")
    auto_size_z, auto_size_z_rbv = with_rbv(menu, "AutoSizeZ", _NO_YES, "No", "SizeZ from the frame (unused)")
    enable_scale, enable_scale_rbv = with_rbv(menu, "EnableScale", _ENABLE, "Disable", "Divide by Scale")
    scale, scale_rbv = with_rbv(number, "Scale", 1.0, "Divisor of the binned pixels")
    data_type_out, data_type_out_rbv = with_rbv(
        menu, "DataTypeOut", OUTPUT_DATA_TYPES, "Automatic", "Output type"
    )
    name_, name_rbv = with_rbv(string, "Name", "", "ROI name")
    max_x = number("MaxX", 0, "Maximum X (stored)")
    max_y = number("MaxY", 0, "Maximum Y (stored)")
    set_xhopr = number("SetXHOPR", 0, "X display limit (stored)")
    set_yhopr = number("SetYHOPR", 0, "Y display limit (stored)")
    max_size_x = number("MaxSizeX_RBV", 0, "Columns of the input frame", read_only=True)
    max_size_y = number("MaxSizeY_RBV", 0, "Rows of the input frame", read_only=True)
    max_size_z = number("MaxSizeZ_RBV", 0, "Z of the input frame (0: mono)", read_only=True)
    array_size_x = number("ArraySizeX_RBV", 0, "Columns of the region", read_only=True)
    array_size_y = number("ArraySizeY_RBV", 0, "Rows of the region", read_only=True)
    array_size_z = number("ArraySizeZ_RBV", 0, "Z of the region (0: mono)", read_only=True)

    @data_type_out.putter  # type: ignore[no-redef]
    async def data_type_out(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Automatic")  # the frame's own UInt8

    def _region(self, axis: str, length: int) -> Region:
        start = int(getattr(self, f"min_{axis}").value)
        auto = getattr(self, f"auto_size_{axis}").value == "Yes"
        return Region(
            enable=getattr(self, f"enable_{axis}").value == "Enable",
            start=start,
            size=length - start if auto else int(getattr(self, f"size_{axis}").value),
            binning=int(getattr(self, f"bin_{axis}").value),
            reverse=getattr(self, f"reverse_{axis}").value == "Yes",
        )

    async def process(self, frame: np.ndarray) -> None:
        """Cut ``frame`` to the region, post the sizes and hand the region to every output plugin."""
        height, width = frame.shape[:2]
        scale = float(self.scale.value) if self.enable_scale.value == "Enable" else None
        region = crop(frame, self._region("x", width), self._region("y", height), scale)
        for pv, value in (
            (self.max_size_x, width),
            (self.max_size_y, height),
            (self.array_size_x, region.shape[1]),
            (self.array_size_y, region.shape[0]),
        ):
            await pv.write(value)
        await self.pass_on(region)
