"""Classic ophyd's ``ophyd.areadetector.plugins``: every areaDetector plugin class, and their ADCore versions.

``StatsPlugin``, ``HDF5Plugin``, ... describe the plugins as of ADCore 1.9.1; ``StatsPlugin_V34`` and the other
``_V{major}{minor}`` classes add the PVs of later releases, and ``select_version(StatsPlugin, (3, 4))`` picks
the newest class at or below a release. Components are lazy (made on first use), except ``plugin_type``, which
each plugin checks against its class when it connects and at stage().
"""

from __future__ import annotations

from ._plugin_base import (
    FileBase,
    FilePlugin,
    PluginBase,
    get_areadetector_plugin,
    get_areadetector_plugin_class,
    plugin_from_pvname,
    register_plugin,
)
from ._plugin_classes import (
    ColorConvPlugin,
    HDF5Plugin,
    ImagePlugin,
    JPEGPlugin,
    KafkaPlugin,
    MagickPlugin,
    NetCDFPlugin,
    NexusPlugin,
    Overlay,
    OverlayPlugin,
    ProcessPlugin,
    ROIPlugin,
    StatsPlugin,
    TIFFPlugin,
    TransformPlugin,
)

__all__ = [
    "ColorConvPlugin",
    "FileBase",
    "FilePlugin",
    "HDF5Plugin",
    "ImagePlugin",
    "JPEGPlugin",
    "KafkaPlugin",
    "MagickPlugin",
    "NetCDFPlugin",
    "NexusPlugin",
    "Overlay",
    "OverlayPlugin",
    "PluginBase",
    "ProcessPlugin",
    "ROIPlugin",
    "StatsPlugin",
    "TIFFPlugin",
    "TransformPlugin",
    "get_areadetector_plugin",
    "get_areadetector_plugin_class",
    "plugin_from_pvname",
    "register_plugin",
]
