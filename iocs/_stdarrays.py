"""An areaDetector standard-arrays plugin (``NDPluginStdArrays``, ``image1:``) as a caproto PVGroup.

PVs (after the plugin prefix, e.g. ``quadem:image1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``IMAGE1``, ``PluginType_RBV`` ``NDPluginStdArrays``):

- ``ArrayData`` (read-only, float64 waveform of up to ``MAX_ELEMENTS``): the last array the plugin took,
  flattened in C order (the first areaDetector dimension varies fastest), as a ``FTVL=DOUBLE`` NDStdArrays
  record holds it. Arrays with more elements are cut to ``MAX_ELEMENTS``.
"""

from __future__ import annotations

import numpy as np
from caproto.server import pvproperty

from sophyd_iocs._ndplugin import NDPluginBase, identity

__all__ = ["MAX_ELEMENTS", "StdArraysPlugin"]

#: The element count of ``ArrayData`` (a quadEM IOC's image1: holds 11 x 10000 doubles).
MAX_ELEMENTS = 110000


class StdArraysPlugin(NDPluginBase):
    """The last array the plugin took, served as one waveform (see the module docstring)."""

    port_name, plugin_type = identity("IMAGE1", "NDPluginStdArrays")
    array_data = pvproperty(
        name="ArrayData",
        value=[0.0],
        dtype=float,
        max_length=MAX_ELEMENTS,
        read_only=True,
        doc="The last array, flattened",
    )

    async def process(self, frame: np.ndarray) -> None:
        """Post ``frame`` (flattened, cut to MAX_ELEMENTS) to ``ArrayData``."""
        await self.array_data.write(np.asarray(frame, dtype=np.float64).ravel()[:MAX_ELEMENTS])
