"""An areaDetector overlay plugin (``NDPluginOverlay``) as a caproto PVGroup: frames passed on, overlays stored.

PVs (after the plugin prefix, e.g. ``BDET:Over1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``OVER1``, ``PluginType_RBV`` ``NDPluginOverlay``):

- ``MaxSizeX_RBV``, ``MaxSizeY_RBV``: the size of the last frame the plugin took;
- eight overlays ``1:`` .. ``8:`` (``Overlay``), each with ``Use`` (No/Yes), ``Name``, ``Shape``
  (Cross/Rectangle/Text/Ellipse), ``DrawMode`` (Set/XOR), ``PositionX``, ``PositionY``, ``SizeX``, ``SizeY``,
  ``Red``, ``Green``, ``Blue`` (each with ``_RBV``), and ``PositionXLink``, ``PositionYLink``, ``SizeXLink``,
  ``SizeYLink``, ``SetXHOPR``, ``SetYHOPR`` (stored) and ``MaxSizeX``, ``MaxSizeY`` (the last frame's size).

The overlays are stored, not drawn: each frame the plugin takes is handed unchanged to every plugin in
``outputs`` from the port ``OVER1``.
"""

from __future__ import annotations

import numpy as np
from caproto.server import SubGroup

from sophyd_iocs._adcam import RBVGroup
from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["Overlay", "OverlayPlugin"]

_NO_YES = ("No", "Yes")
_SHAPES = ("Cross", "Rectangle", "Text", "Ellipse")
_DRAW_MODES = ("Set", "XOR")


class Overlay(RBVGroup):
    """One overlay's settings (see the module docstring)."""

    use, use_rbv = with_rbv(menu, "Use", _NO_YES, "No", "Draw this overlay")
    name_, name_rbv = with_rbv(string, "Name", "", "Overlay name")
    shape, shape_rbv = with_rbv(menu, "Shape", _SHAPES, "Rectangle", "Shape")
    draw_mode, draw_mode_rbv = with_rbv(menu, "DrawMode", _DRAW_MODES, "Set", "Draw mode")
    position_x, position_x_rbv = with_rbv(number, "PositionX", 0, "First column")
    position_y, position_y_rbv = with_rbv(number, "PositionY", 0, "First row")
    size_x, size_x_rbv = with_rbv(number, "SizeX", 0, "Columns")
    size_y, size_y_rbv = with_rbv(number, "SizeY", 0, "Rows")
    red, red_rbv = with_rbv(number, "Red", 0, "Red value")
    green, green_rbv = with_rbv(number, "Green", 0, "Green value (mono frames)")
    blue, blue_rbv = with_rbv(number, "Blue", 0, "Blue value")
    position_xlink = number("PositionXLink", 0, "PositionX link")
    position_ylink = number("PositionYLink", 0, "PositionY link")
    size_xlink = number("SizeXLink", 0, "SizeX link")
    size_ylink = number("SizeYLink", 0, "SizeY link")
    set_xhopr = number("SetXHOPR", 0, "X display limit")
    set_yhopr = number("SetYHOPR", 0, "Y display limit")
    max_size_x = number("MaxSizeX", 0, "Columns of the last frame")
    max_size_y = number("MaxSizeY", 0, "Rows of the last frame")


class OverlayPlugin(NDPluginBase):
    """Eight stored overlays; passes each frame on unchanged from port ``OVER1`` (see the module docstring)."""

    port_name, plugin_type = identity("OVER1", "NDPluginOverlay")
    max_size_x = number("MaxSizeX_RBV", 0, "Columns of the last frame", read_only=True)
    max_size_y = number("MaxSizeY_RBV", 0, "Rows of the last frame", read_only=True)
    overlay_1 = SubGroup(Overlay, prefix="1:")
    overlay_2 = SubGroup(Overlay, prefix="2:")
    overlay_3 = SubGroup(Overlay, prefix="3:")
    overlay_4 = SubGroup(Overlay, prefix="4:")
    overlay_5 = SubGroup(Overlay, prefix="5:")
    overlay_6 = SubGroup(Overlay, prefix="6:")
    overlay_7 = SubGroup(Overlay, prefix="7:")
    overlay_8 = SubGroup(Overlay, prefix="8:")

    @property
    def overlays(self) -> tuple[Overlay, ...]:
        """Overlays 1 to 8."""
        return tuple(getattr(self, f"overlay_{i}") for i in range(1, 9))

    async def process(self, frame: np.ndarray) -> None:
        """Post the frame's size and hand the frame, unchanged, to every output plugin."""
        height, width = frame.shape[:2]
        for group in (self, *self.overlays):
            await group.max_size_x.write(width)
            await group.max_size_y.write(height)
        await self.pass_on(frame)
