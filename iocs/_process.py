"""An areaDetector process plugin (``NDPluginProcess``) as a caproto PVGroup: frames offset, scaled, clipped.

PVs (after the plugin prefix, e.g. ``BDET:Proc1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``PROC1``, ``PluginType_RBV`` ``NDPluginProcess``); settings have an ``_RBV`` readback:

- ``EnableOffsetScale`` (Disable/Enable), ``Offset`` (0.0), ``Scale`` (1.0): each pixel becomes
  (pixel + Offset) x Scale, as NDPluginProcess computes it;
- ``EnableLowClip``, ``LowClip`` (0.0), ``EnableHighClip``, ``HighClip`` (255.0): pixels below LowClip are set
  to it, pixels above HighClip to it;
- ``AutoOffsetScale`` (Done/Calculate, no readback): a put of Calculate sets Offset and Scale so the last frame
  the plugin took spans 0..255, sets the clips to 0 and 255, enables all three, and returns to Done (without
  a frame seen it only returns to Done);
- ``DataTypeOut`` (only ``Automatic``, the frame's own UInt8, is simulated: other values are refused);
- background, flat field and recursive filter: ``EnableBackground``, ``EnableFlatField``, ``EnableFilter``
  (only Disable is simulated: Enable is refused), and their settings stored but unused: ``SaveBackground``,
  ``SaveFlatField``, ``ScaleFlatField``, ``ValidBackground_RBV``, ``ValidFlatField_RBV`` (Invalid),
  ``FilterType``, ``FilterCallbacks``, ``NumFilter``, ``NumFilterRecip``, ``NumFiltered_RBV``, ``ResetFilter``,
  ``AutoResetFilter``, ``OOffset``, ``OScale``, ``OC1``..``OC4``, ``FOffset``, ``FScale``, ``FC1``..``FC4``,
  ``ROffset``, ``RC1``, ``RC2`` and the filter presets ``FilterTypeSeq``, ``RecursiveAveSeq``, ``AverageSeq``,
  ``SumSeq``, ``DifferenceSeq``, ``RecursiveAveDiffSeq``, ``CopyToFilterSeq``.

Each frame the plugin takes is processed (rounded down and clipped to 0..255, the UInt8 range) and handed to
every plugin in ``outputs`` from the port ``PROC1``, so a plugin whose ``NDArrayPort`` is ``PROC1`` takes the
processed frame instead of the camera's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sophyd_iocs._ndplugin import OUTPUT_DATA_TYPES, NDPluginBase, identity
from sophyd_iocs._pv import menu, number, with_rbv

__all__ = ["ProcessPlugin", "offset_scale"]

_ENABLE = ("Disable", "Enable")
_NO_YES = ("No", "Yes")
_VALID = ("Invalid", "Valid")
_FILTER_TYPES = ("RecursiveAve", "Average", "Sum", "Difference", "RecursiveAveDiff", "CopyToFilter")
_FILTER_CALLBACKS = ("Every array", "Array N only")
_TOP = 255.0  # the largest UInt8 pixel


def offset_scale(
    frame: np.ndarray,
    offset: float | None = None,
    scale: float = 1.0,
    low_clip: float | None = None,
    high_clip: float | None = None,
) -> np.ndarray:
    """``frame`` as NDPluginProcess makes it: (pixel + offset) x scale when ``offset`` is given, then clipped to
    ``low_clip`` and ``high_clip`` when given, rounded down and cut to the UInt8 range."""
    data = np.asarray(frame, dtype=np.float64)
    if offset is not None:
        data = (data + offset) * scale
    if low_clip is not None:
        data = np.maximum(data, low_clip)
    if high_clip is not None:
        data = np.minimum(data, high_clip)
    return np.clip(np.floor(data), 0, _TOP).astype(np.uint8)


class ProcessPlugin(NDPluginBase):
    """Offsets, scales and clips each frame and passes it on from port ``PROC1`` (see the module docstring)."""

    port_name, plugin_type = identity("PROC1", "NDPluginProcess")
    enable_offset_scale, enable_offset_scale_rbv = with_rbv(
        menu, "EnableOffsetScale", _ENABLE, "Disable", "Apply Offset and Scale"
    )
    offset, offset_rbv = with_rbv(number, "Offset", 0.0, "Added to each pixel")
    scale, scale_rbv = with_rbv(number, "Scale", 1.0, "Multiplies each pixel plus Offset")
    auto_offset_scale = menu(
        "AutoOffsetScale", ("Done", "Calculate"), "Done", "Offset and scale from the frame"
    )
    enable_low_clip, enable_low_clip_rbv = with_rbv(menu, "EnableLowClip", _ENABLE, "Disable", "Clip below")
    low_clip, low_clip_rbv = with_rbv(number, "LowClip", 0.0, "Lowest pixel value")
    enable_high_clip, enable_high_clip_rbv = with_rbv(
        menu, "EnableHighClip", _ENABLE, "Disable", "Clip above"
    )
    high_clip, high_clip_rbv = with_rbv(number, "HighClip", _TOP, "Highest pixel value")
    data_type_out, data_type_out_rbv = with_rbv(
        menu, "DataTypeOut", OUTPUT_DATA_TYPES, "Automatic", "Output type"
    )

    enable_background, enable_background_rbv = with_rbv(
        menu, "EnableBackground", _ENABLE, "Disable", "Subtract the background"
    )
    save_background, save_background_rbv = with_rbv(number, "SaveBackground", 0, "Save the background")
    valid_background = menu("ValidBackground_RBV", _VALID, "Invalid", "Background saved", read_only=True)
    enable_flat_field, enable_flat_field_rbv = with_rbv(
        menu, "EnableFlatField", _ENABLE, "Disable", "Divide by the flat field"
    )
    save_flat_field, save_flat_field_rbv = with_rbv(number, "SaveFlatField", 0, "Save the flat field")
    scale_flat_field, scale_flat_field_rbv = with_rbv(number, "ScaleFlatField", 255.0, "Flat field scale")
    valid_flat_field = menu("ValidFlatField_RBV", _VALID, "Invalid", "Flat field saved", read_only=True)

    enable_filter, enable_filter_rbv = with_rbv(menu, "EnableFilter", _ENABLE, "Disable", "Recursive filter")
    filter_type = menu("FilterType", _FILTER_TYPES, "RecursiveAve", "Filter type")
    filter_callbacks, filter_callbacks_rbv = with_rbv(
        menu, "FilterCallbacks", _FILTER_CALLBACKS, "Every array", "When filtered frames are passed on"
    )
    num_filter, num_filter_rbv = with_rbv(number, "NumFilter", 1, "Frames filtered")
    num_filter_recip = number("NumFilterRecip", 1.0, "1 / NumFilter")
    num_filtered = number("NumFiltered_RBV", 0, "Frames filtered so far", read_only=True)
    reset_filter, reset_filter_rbv = with_rbv(number, "ResetFilter", 0, "Reset the filter")
    auto_reset_filter, auto_reset_filter_rbv = with_rbv(
        menu, "AutoResetFilter", _NO_YES, "No", "Reset the filter after NumFilter frames"
    )
    o_offset, o_offset_rbv = with_rbv(number, "OOffset", 0.0, "Output offset")
    o_scale, o_scale_rbv = with_rbv(number, "OScale", 1.0, "Output scale")
    oc1, oc1_rbv = with_rbv(number, "OC1", 1.0, "Output coefficient 1")
    oc2, oc2_rbv = with_rbv(number, "OC2", 0.0, "Output coefficient 2")
    oc3, oc3_rbv = with_rbv(number, "OC3", 0.0, "Output coefficient 3")
    oc4, oc4_rbv = with_rbv(number, "OC4", 0.0, "Output coefficient 4")
    f_offset, f_offset_rbv = with_rbv(number, "FOffset", 0.0, "Filter offset")
    f_scale, f_scale_rbv = with_rbv(number, "FScale", 1.0, "Filter scale")
    fc1, fc1_rbv = with_rbv(number, "FC1", 1.0, "Filter coefficient 1")
    fc2, fc2_rbv = with_rbv(number, "FC2", 0.0, "Filter coefficient 2")
    fc3, fc3_rbv = with_rbv(number, "FC3", 0.0, "Filter coefficient 3")
    fc4, fc4_rbv = with_rbv(number, "FC4", 0.0, "Filter coefficient 4")
    r_offset, r_offset_rbv = with_rbv(number, "ROffset", 0.0, "Reset offset")
    rc1, rc1_rbv = with_rbv(number, "RC1", 1.0, "Reset coefficient 1")
    rc2, rc2_rbv = with_rbv(number, "RC2", 0.0, "Reset coefficient 2")
    filter_type_seq = number("FilterTypeSeq", 0, "Apply the FilterType preset")
    recursive_ave_seq = number("RecursiveAveSeq", 0, "RecursiveAve preset")
    average_seq = number("AverageSeq", 0, "Average preset")
    sum_seq = number("SumSeq", 0, "Sum preset")
    difference_seq = number("DifferenceSeq", 0, "Difference preset")
    recursive_ave_diff_seq = number("RecursiveAveDiffSeq", 0, "RecursiveAveDiff preset")
    copy_to_filter_seq = number("CopyToFilterSeq", 0, "CopyToFilter preset")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last: np.ndarray | None = None  # the last frame taken, for AutoOffsetScale

    @data_type_out.putter  # type: ignore[no-redef]
    async def data_type_out(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Automatic")  # the frame's own UInt8

    @enable_background.putter  # type: ignore[no-redef]
    async def enable_background(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Disable")

    @enable_flat_field.putter  # type: ignore[no-redef]
    async def enable_flat_field(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Disable")

    @enable_filter.putter  # type: ignore[no-redef]
    async def enable_filter(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Disable")

    @auto_offset_scale.putter  # type: ignore[no-redef]
    async def auto_offset_scale(self, instance: Any, value: str) -> str:
        if value == "Calculate" and self._last is not None:
            low, high = float(self._last.min()), float(self._last.max())
            settings = (
                (self.offset, -low),
                (self.scale, _TOP / (high - low) if high > low else 1.0),
                (self.low_clip, 0.0),
                (self.high_clip, _TOP),
                (self.enable_offset_scale, "Enable"),
                (self.enable_low_clip, "Enable"),
                (self.enable_high_clip, "Enable"),
            )
            for pv, setting in settings:
                await self.store(pv, setting)
        return "Done"

    def _when(self, enable: Any, value: Any) -> float | None:
        return float(value.value) if enable.value == "Enable" else None

    async def process(self, frame: np.ndarray) -> None:
        """Offset, scale and clip ``frame`` as set, and hand the result to every output plugin."""
        self._last = frame
        processed = offset_scale(
            frame,
            offset=self._when(self.enable_offset_scale, self.offset),
            scale=float(self.scale.value),
            low_clip=self._when(self.enable_low_clip, self.low_clip),
            high_clip=self._when(self.enable_high_clip, self.high_clip),
        )
        await self.pass_on(processed)
