"""The areaDetector netCDF (``NDFileNetCDF``) and JPEG (``NDFileJPEG``) file plugins as caproto PVGroups whose
files are not written: they serve every file plugin's PVs (``sophyd_iocs._ndfile``) so that classic ophyd's
``NetCDFPlugin`` and ``JPEGPlugin`` connect, stage and read their configuration, and refuse what would write a
file: ``Capture`` = 1, ``WriteFile`` = 1 and ``AutoSave`` = Yes fail.

- ``BDET:netCDF1:``: ``PortName_RBV`` ``NETCDF1``, ``PluginType_RBV`` ``NDFileNetCDF``, ``FileTemplate``
  ``%s%s_%3.3d.nc``;
- ``BDET:JPEG1:``: ``PortName_RBV`` ``JPEG1``, ``PluginType_RBV`` ``NDFileJPEG``, ``FileTemplate``
  ``%s%s_%3.3d.jpg``, and ``JPEGQuality`` (0..100, default 50) with ``_RBV``, stored.
"""

from __future__ import annotations

from typing import Any

from sophyd_iocs._ndfile import NDFilePluginBase, file_template
from sophyd_iocs._ndplugin import identity
from sophyd_iocs._pv import menu, number, with_rbv

__all__ = ["JPEGPlugin", "NetCDFPlugin"]


class _UnwrittenFilePlugin(NDFilePluginBase):
    """A file plugin that writes no file: AutoSave = Yes is refused, as Capture and WriteFile are by the base."""

    auto_save, auto_save_rbv = with_rbv(
        menu, "AutoSave", ("No", "Yes"), "No", "Save each frame (not simulated)"
    )

    @auto_save.putter  # type: ignore[no-redef]
    async def auto_save(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "No")


class NetCDFPlugin(_UnwrittenFilePlugin):
    """The netCDF file plugin's PVs; it writes no file (see the module docstring)."""

    port_name, plugin_type = identity("NETCDF1", "NDFileNetCDF")
    file_template, file_template_rbv = file_template("%s%s_%3.3d.nc")


class JPEGPlugin(_UnwrittenFilePlugin):
    """The JPEG file plugin's PVs; it writes no file (see the module docstring)."""

    port_name, plugin_type = identity("JPEG1", "NDFileJPEG")
    file_template, file_template_rbv = file_template("%s%s_%3.3d.jpg")
    jpeg_quality, jpeg_quality_rbv = with_rbv(
        number, "JPEGQuality", 50, "JPEG quality", lower_ctrl_limit=0, upper_ctrl_limit=100
    )
