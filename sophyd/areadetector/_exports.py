"""The public names of each ``sophyd.areadetector`` submodule, known without importing it.

The package, and sophyd's top level, load a submodule on first use of one of its names: the camera and plugin
classes declare thousands of components, and ``import sophyd`` does not pay for them. A submodule's
``__all__`` is the same tuple (tests/test_ad_base.py checks).
"""

from __future__ import annotations

__all__ = ["EXPORTS", "module_of"]

EXPORTS: dict[str, tuple[str, ...]] = {
    "base": (
        "DDC_EpicsSignal",
        "DDC_EpicsSignalRO",
        "DDC_SignalWithRBV",
        "ADBase",
        "ADComponent",
        "EpicsSignalWithRBV",
        "NDDerivedSignal",
        "ad_group",
    ),
    "paths": ("OS_NAME_TO_PATH_CLASS", "EpicsPathSignal", "path_compare"),
    "plugins": (
        "AttrPlotPlugin",
        "AttributeNPlugin",
        "AttributePlugin",
        "CircularBuffPlugin",
        "CodecPlugin",
        "ColorConvPlugin",
        "FFTPlugin",
        "FileBase",
        "FilePlugin",
        "GatherNPlugin",
        "GatherPlugin",
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
        "PosPlugin",
        "ProcessPlugin",
        "PvaPlugin",
        "ROIPlugin",
        "ROIStatNPlugin",
        "ROIStatPlugin",
        "ScatterPlugin",
        "StatsPlugin",
        "TIFFPlugin",
        "TimeSeriesNPlugin",
        "TimeSeriesPlugin",
        "TransformPlugin",
        "get_areadetector_plugin",
        "get_areadetector_plugin_class",
        "plugin_from_pvname",
        "register_plugin",
    ),
    "common_plugins": ("CommonPlugins", "PluginNamespace"),
    "_hdf5_detector": ("AreaDetectorCam", "FileWriteError", "HDF5Detector", "HDF5FileWriter"),
}


def module_of(name: str) -> str | None:
    """The submodule (``'base'``, ...) that exports ``name``; None when none does."""
    for module, names in EXPORTS.items():
        if name in names:
            return module
    return None
