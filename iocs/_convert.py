"""The areaDetector color-convert (``NDPluginColorConvert``) and transform (``NDPluginTransform``) plugins as
caproto PVGroups: the frames are mono and kept as they are, so only the settings that leave a frame unchanged are
simulated; any other is refused (the put fails).

PVs (after the plugin prefix), besides every plugin's (``sophyd_iocs._ndplugin``); settings have an ``_RBV``
readback:

- ``BDET:CC1:`` (``PortName_RBV`` ``CC1``, ``PluginType_RBV`` ``NDPluginColorConvert``): ``ColorModeOut`` (only
  Mono) and ``FalseColor`` (only None);
- ``BDET:Trans1:`` (``PortName_RBV`` ``TRANS1``, ``PluginType_RBV`` ``NDPluginTransform``, as of ADCore 1.9.1):
  ``Type1`` .. ``Type4`` (only None), ``OriginLocation`` and ``Name`` (stored), ``ArraySize0``..``ArraySize2``
  (stored; the frame's sizes are ``ArraySize0_RBV``..), and ``T1MaxSize0`` .. ``T4MaxSize2`` (the last frame's
  width, height and depth, the size of each transform's output).

Each frame either plugin takes is handed unchanged to every plugin in ``outputs``, from its port.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sophyd_iocs._addriver import COLOR_MODES
from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["ColorConvertPlugin", "TransformPlugin"]

_FALSE_COLORS = ("None", "Rainbow", "Iron")
_TRANSFORMS = ("None", "Rot90", "Rot180", "Rot270", "Mirror", "Rot90Mirror", "Rot180Mirror", "Rot270Mirror")
_ORIGINS = ("LL", "UL", "LR", "UR")


class ColorConvertPlugin(NDPluginBase):
    """Passes mono frames on unchanged from port ``CC1``; other color modes are refused."""

    port_name, plugin_type = identity("CC1", "NDPluginColorConvert")
    color_mode_out, color_mode_out_rbv = with_rbv(
        menu, "ColorModeOut", COLOR_MODES, "Mono", "Output color mode"
    )
    false_color, false_color_rbv = with_rbv(menu, "FalseColor", _FALSE_COLORS, "None", "False color map")

    @color_mode_out.putter  # type: ignore[no-redef]
    async def color_mode_out(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "Mono")

    @false_color.putter  # type: ignore[no-redef]
    async def false_color(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "None")

    async def process(self, frame: np.ndarray) -> None:
        """Hand ``frame`` on unchanged."""
        await self.pass_on(frame)


class TransformPlugin(NDPluginBase):
    """Passes frames on unchanged from port ``TRANS1``; a transform other than None is refused."""

    port_name, plugin_type = identity("TRANS1", "NDPluginTransform")
    type1 = menu("Type1", _TRANSFORMS, "None", "Transform 1")
    type2 = menu("Type2", _TRANSFORMS, "None", "Transform 2")
    type3 = menu("Type3", _TRANSFORMS, "None", "Transform 3")
    type4 = menu("Type4", _TRANSFORMS, "None", "Transform 4")
    origin_location, origin_location_rbv = with_rbv(menu, "OriginLocation", _ORIGINS, "LL", "Origin")
    name_ = string("Name", "", "Transform name")
    out_size0 = number("ArraySize0", 0, "Output width (stored)")
    out_size1 = number("ArraySize1", 0, "Output height (stored)")
    out_size2 = number("ArraySize2", 0, "Output depth (stored)")
    t1_max_size0 = number("T1MaxSize0", 0, "Width after transform 1")
    t1_max_size1 = number("T1MaxSize1", 0, "Height after transform 1")
    t1_max_size2 = number("T1MaxSize2", 0, "Depth after transform 1")
    t2_max_size0 = number("T2MaxSize0", 0, "Width after transform 2")
    t2_max_size1 = number("T2MaxSize1", 0, "Height after transform 2")
    t2_max_size2 = number("T2MaxSize2", 0, "Depth after transform 2")
    t3_max_size0 = number("T3MaxSize0", 0, "Width after transform 3")
    t3_max_size1 = number("T3MaxSize1", 0, "Height after transform 3")
    t3_max_size2 = number("T3MaxSize2", 0, "Depth after transform 3")
    t4_max_size0 = number("T4MaxSize0", 0, "Width after transform 4")
    t4_max_size1 = number("T4MaxSize1", 0, "Height after transform 4")
    t4_max_size2 = number("T4MaxSize2", 0, "Depth after transform 4")

    @type1.putter  # type: ignore[no-redef]
    async def type1(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "None")

    @type2.putter  # type: ignore[no-redef]
    async def type2(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "None")

    @type3.putter  # type: ignore[no-redef]
    async def type3(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "None")

    @type4.putter  # type: ignore[no-redef]
    async def type4(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "None")

    async def group_write(self, instance: Any, value: Any) -> Any:
        """Store a setting; the output sizes ``ArraySizeN`` are not mirrored into the frame's ``ArraySizeN_RBV``."""
        if instance in (self.out_size0, self.out_size1, self.out_size2):
            return value
        return await super().group_write(instance, value)

    async def process(self, frame: np.ndarray) -> None:
        """Post each transform's output size (the frame's: every transform is None) and hand ``frame`` on."""
        sizes = (frame.shape[1], frame.shape[0], frame.shape[2] if frame.ndim > 2 else 0)
        for n in range(1, 5):
            for axis, size in enumerate(sizes):
                await getattr(self, f"t{n}_max_size{axis}").write(size)
        await self.pass_on(frame)
