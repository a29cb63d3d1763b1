"""Classic ophyd's ``ophyd.areadetector.common_plugins``: every plugin of an ADCore release, in one place.

``select_version(CommonPlugins, (3, 4))`` is a Device class with a component per plugin an areaDetector IOC of
that release usually loads (``hdf1`` at ``HDF1:``, ``stats1`` at ``Stats1:``, ``roi1`` .. ``roi4``, ...), each
of the plugin's own class for that release; ``select_version(PluginNamespace, (3, 4)).StatsPlugin`` is the
plugin class itself (``StatsPlugin_V34``). The classes of every release are module attributes too:
``CommonPlugins_V34``, ``PluginNamespace_V34``, ... (``V191`` for 1.9.1).
"""

from __future__ import annotations

from typing import Any

from .._component import Component as Cpt
from ..device import Device, create_device_from_components
from ..ophydobj import OphydObject, select_version
from . import plugins

__all__ = ["CommonPlugins", "PluginNamespace"]


class CommonPlugins(Device, version_type="ADCore"):
    """The usual plugins of an areaDetector IOC, as components; its versions are ``CommonPlugins_V{release}``."""


class CommonOverlayPlugin(Device, version_type="ADCore"):
    """An NDPluginOverlay plugin with its eight overlays (``overlay_1`` .. ``overlay_8``), by release."""


class CommonAttributePlugin(Device, version_type="ADCore"):
    """An NDPluginAttribute plugin with its eight attributes (``attr_1`` .. ``attr_8``), by release."""


class CommonROIStatPlugin(Device, version_type="ADCore"):
    """An NDPluginROIStat plugin with eight regions (``attr_1`` .. ``attr_8``, as classic names them), by release."""


class CommonGatherPlugin(Device, version_type="ADCore"):
    """An NDPluginGather plugin with its eight inputs (``gather_1`` .. ``gather_8``), by release."""


class PluginNamespace(OphydObject, version_type="ADCore"):
    """The plugin classes of one ADCore release, as attributes: ``select_version(PluginNamespace, (3, 4))``.

    ``select_version(PluginNamespace, (3, 4)).StatsPlugin`` is ``StatsPlugin_V34``. An OphydObject only to take
    part in the version machinery; it is not a device and is not meant to be instantiated.
    """


#: The ADCore releases the classes are made for.
versions: list[tuple[int, ...]] = [
    (1, 9, 1),
    (2, 0),
    (2, 1),
    (2, 2),
    (2, 3),
    (2, 4),
    (2, 5),
    (2, 6),
    (3, 1),
    (3, 2),
    (3, 3),
    (3, 4),
]


def _release(version: tuple[int, ...]) -> str:
    return "".join(str(part) for part in version)


def _plugin_bases(cls: type, version: tuple[int, ...]) -> tuple[type, ...]:
    """``cls``'s class for ``version``, with PluginBase's for that release when it is not already a base."""
    mixin = select_version(cls, version)
    base = select_version(plugins.PluginBase, version)
    return (mixin,) if issubclass(mixin, base) else (mixin, base)


def _make_numbered(
    name: str,
    version: tuple[int, ...],
    family: type,
    plugin: type,
    element: type,
    attr_prefix: str,
    *,
    indexed: bool = False,
) -> None:
    """Declare ``family``'s class for ``version``: ``plugin`` with eight ``element`` components (when both exist).

    The elements are at suffixes ``1:`` .. ``8:``, or, ``indexed``, at the plugin's prefix with ``index=1`` .. 8.
    """
    try:
        element_cls = select_version(element, version)
        bases = (family, *_plugin_bases(plugin, version))
    except ValueError:
        return
    elements: dict[str, Any] = {
        f"{attr_prefix}_{j}": Cpt(element_cls, "", index=j) if indexed else Cpt(element_cls, f"{j}:")
        for j in range(1, 9)
    }
    create_device_from_components(
        name,
        docstring=f"{family.__name__} for ADCore {'.'.join(map(str, version))}.",
        base_class=bases,
        class_kwargs={"version_of": family, "version": version},
        **elements,
    )


for _version in versions:
    _name = _release(_version)
    _make_numbered(
        f"CommonOverlayPlugin_V{_name}",
        _version,
        CommonOverlayPlugin,
        plugins.OverlayPlugin,
        plugins.Overlay,
        "overlay",
    )
    _make_numbered(
        f"CommonAttributePlugin_V{_name}",
        _version,
        CommonAttributePlugin,
        plugins.AttributePlugin,
        plugins.AttributeNPlugin,
        "attr",
    )
    _make_numbered(
        f"CommonROIStatPlugin_V{_name}",
        _version,
        CommonROIStatPlugin,
        plugins.ROIStatPlugin,
        plugins.ROIStatNPlugin,
        "attr",
    )
    _make_numbered(
        f"CommonGatherPlugin_V{_name}",
        _version,
        CommonGatherPlugin,
        plugins.GatherPlugin,
        plugins.GatherNPlugin,
        "gather",
        indexed=True,
    )

#: (attribute, class family, PV suffix) of the plugins a CommonPlugins class has, when the release has them.
all_plugins: list[tuple[str, type, str]] = [
    ("attr1", CommonAttributePlugin, "Attr1:"),
    ("cb1", plugins.CircularBuffPlugin, "CB1:"),
    ("cc1", plugins.ColorConvPlugin, "CC1:"),
    ("cc2", plugins.ColorConvPlugin, "CC2:"),
    ("codec1", plugins.CodecPlugin, "Codec1:"),
    ("codec2", plugins.CodecPlugin, "Codec2:"),
    ("fft1", plugins.FFTPlugin, "FFT1:"),
    ("gather1", CommonGatherPlugin, "Gather1:"),
    ("hdf1", plugins.HDF5Plugin, "HDF1:"),
    ("jpeg1", plugins.JPEGPlugin, "JPEG1:"),
    ("kafka1", plugins.KafkaPlugin, "KAFKA1:"),
    ("magick1", plugins.MagickPlugin, "Magick1:"),
    ("netcdf1", plugins.NetCDFPlugin, "netCDF1:"),
    ("nexus1", plugins.NexusPlugin, "Nexus1:"),
    ("over1", CommonOverlayPlugin, "Over1:"),
    ("proc1", plugins.ProcessPlugin, "Proc1:"),
    ("proc1_tiff", plugins.TIFFPlugin, "Proc1:TIFF:"),
    ("roi1", plugins.ROIPlugin, "ROI1:"),
    ("roi2", plugins.ROIPlugin, "ROI2:"),
    ("roi3", plugins.ROIPlugin, "ROI3:"),
    ("roi4", plugins.ROIPlugin, "ROI4:"),
    ("roistat1", CommonROIStatPlugin, "ROIStat1:"),
    ("scatter1", plugins.ScatterPlugin, "Scatter1:"),
    ("stats1", plugins.StatsPlugin, "Stats1:"),
    ("stats1_ts", plugins.TimeSeriesPlugin, "Stats1:TS:"),
    ("stats2", plugins.StatsPlugin, "Stats2:"),
    ("stats2_ts", plugins.TimeSeriesPlugin, "Stats2:TS:"),
    ("stats3", plugins.StatsPlugin, "Stats3:"),
    ("stats3_ts", plugins.TimeSeriesPlugin, "Stats3:TS:"),
    ("stats4", plugins.StatsPlugin, "Stats4:"),
    ("stats4_ts", plugins.TimeSeriesPlugin, "Stats4:TS:"),
    ("stats5", plugins.StatsPlugin, "Stats5:"),
    ("stats5_ts", plugins.TimeSeriesPlugin, "Stats5:TS:"),
    ("tiff1", plugins.TIFFPlugin, "TIFF1:"),
    ("trans1", plugins.TransformPlugin, "Trans1:"),
]


def _loaded(attr: str, version: tuple[int, ...]) -> bool:
    """Whether an IOC of ``version`` loads the plugin ``attr`` (as areaDetector's commonPlugins.cmd does)."""
    if attr == "magick1":
        return version < (3, 0)
    if attr.endswith("_ts") or attr == "proc1_tiff":
        return version >= (3, 3)
    if attr == "fft1":
        return version >= (3, 0)
    if attr == "attr1":
        return version >= (2, 2)
    return True


#: ``CommonPlugins_V{release}`` -> its class; ``PluginNamespace_V{release}`` -> its namespace class.
common_plugins: dict[str, type] = {}
versioned_plugins: dict[str, type] = {}

for _version in versions:
    _components: dict[str, Any] = {}
    _classes: dict[str, type] = {}
    for _attr, _family, _suffix in all_plugins:
        try:
            _cls = select_version(_family, _version)
        except ValueError:
            continue
        _classes[_family.__name__] = _cls
        if _loaded(_attr, _version):
            _components[_attr] = Cpt(_cls, _suffix)
    _name = _release(_version)
    common_plugins[f"CommonPlugins_V{_name}"] = create_device_from_components(
        f"CommonPlugins_V{_name}",
        docstring=f"The usual plugins of an areaDetector IOC of ADCore {'.'.join(map(str, _version))}.",
        base_class=CommonPlugins,
        class_kwargs={"version": _version, "version_of": CommonPlugins},
        **_components,
    )
    versioned_plugins[f"PluginNamespace_V{_name}"] = type(
        f"PluginNamespace_V{_name}",
        (PluginNamespace,),
        {"__doc__": f"The plugin classes of ADCore {'.'.join(map(str, _version))}.", **_classes},
        version=_version,
        version_of=PluginNamespace,
    )

globals().update(common_plugins, **versioned_plugins)
del _version, _name, _components, _classes, _attr, _family, _suffix, _cls
