"""Every public name classic ophyd 1.11 exports from the modules its users import resolves in sophyd.

The lists below are written from classic ophyd's source and documentation (ophyd is not installed here and
never a dependency): ``ophyd.X`` maps to ``sophyd.X``. Names sophyd does not provide are listed, each with its
reason, under "Not provided" in docs/migrating-from-ophyd.md; this test reads that list from the document, so
the two cannot drift apart.

Left out on purpose:
- what classic leaks into its top level through ``from .areadetector import *`` that is a module or a typing
  helper, not API: ``np``, ``nx``, ``os``, ``re``, ``sys``, ``types``, ``logging``, ``functools``,
  ``inspect``, ``itertools``, ``textwrap``, ``ttime``, ``OrderedDict``, ``Any``, ``Callable``, ``ClassVar``,
  ``DefaultDict``, ``Dict``, ``List``, ``Optional``, ``Tuple``, ``Type``, ``TypeVar``, ``K``, ``logger``, and
  the areadetector submodules (``base``, ``cam``, ``detectors``, ``docs``, ``paths``, ``plugins``, ...);
- ``ophyd.device.OrderedDictType`` (a typing alias), ``ophyd.status.tracer`` (classic's OpenTelemetry tracer)
  and the ``logger`` objects of each module but ``ophyd.log``'s, which its ``__all__`` exports;
- ``ophyd.kind``: classic has no such module (``Kind`` lives in ``ophyd.ophydobj``); ``sophyd.kind`` is
  sophyd's own home of ``Kind``, which the top level and ``sophyd.ophydobj`` re-export.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

MIGRATING = Path(__file__).resolve().parents[1] / "docs" / "migrating-from-ophyd.md"

_AD_CAMS = (
    "CamBase",
    "AdscDetectorCam",
    "Andor3DetectorCam",
    "AndorDetectorCam",
    "BrukerDetectorCam",
    "DexelaDetectorCam",
    "EmergentVisionDetectorCam",
    "EigerDetectorCam",
    "FirewireLinDetectorCam",
    "FirewireWinDetectorCam",
    "GreatEyesDetectorCam",
    "Lambda750kCam",
    "LightFieldDetectorCam",
    "Mar345DetectorCam",
    "MarCCDDetectorCam",
    "PSLDetectorCam",
    "PcoDetectorCam",
    "PcoDetectorIO",
    "PcoDetectorSimIO",
    "PerkinElmerDetectorCam",
    "PICamDetectorCam",
    "PilatusDetectorCam",
    "PixiradDetectorCam",
    "PointGreyDetectorCam",
    "ProsilicaDetectorCam",
    "PvaDetectorCam",
    "PvcamDetectorCam",
    "RoperDetectorCam",
    "SimDetectorCam",
    "URLDetectorCam",
    "UVCDetectorCam",
    "Xspress3DetectorCam",
)
_AD_DETECTORS = (
    "DetectorBase",
    "AreaDetector",
    "AdscDetector",
    "Andor3Detector",
    "AndorDetector",
    "BrukerDetector",
    "DexelaDetector",
    "EmergentVisionDetector",
    "EigerDetector",
    "FirewireLinDetector",
    "FirewireWinDetector",
    "GreatEyesDetector",
    "LightFieldDetector",
    "Mar345Detector",
    "MarCCDDetector",
    "PSLDetector",
    "PerkinElmerDetector",
    "PICamDetector",
    "PilatusDetector",
    "PixiradDetector",
    "PointGreyDetector",
    "ProsilicaDetector",
    "PvaDetector",
    "PvcamDetector",
    "RoperDetector",
    "SimDetector",
    "URLDetector",
    "UVCDetector",
    "Xspress3Detector",
)
_AD_PLUGINS = (
    "ColorConvPlugin",
    "FilePlugin",
    "HDF5Plugin",
    "ImagePlugin",
    "JPEGPlugin",
    "MagickPlugin",
    "NetCDFPlugin",
    "NexusPlugin",
    "OverlayPlugin",
    "ProcessPlugin",
    "ROIPlugin",
    "StatsPlugin",
    "TIFFPlugin",
    "TransformPlugin",
    "get_areadetector_plugin",
    "plugin_from_pvname",
    "register_plugin",
    "PluginNamespace",
    "CommonPlugins",
)
#: ophyd/areadetector/plugins.py's __all__ (the versioned classes, StatsPlugin_V34 ..., are module attributes).
_AD_PLUGINS_MODULE = (
    "AttrPlotPlugin",
    "AttributeNPlugin",
    "AttributePlugin",
    "BadPixelPlugin",
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
)
#: ophyd/areadetector/trigger_mixins.py's names (also importable from ophyd's top level).
_AD_TRIGGER_MIXINS = (
    "ADTriggerStatus",
    "TriggerBase",
    "SingleTrigger",
    "MultiTrigger",
    "TriggerStatus",
    "NDCircularBuffTriggerStatus",
    "ContinuousAcquisitionTrigger",
)
_AD_BASE_AND_TRIGGERS = (
    "ADBase",
    "ADComponent",
    "EpicsSignalWithRBV",
    "NDDerivedSignal",
    "EpicsPathSignal",
    "ad_group",
    "DDC_EpicsSignal",
    "DDC_EpicsSignalRO",
    "DDC_SignalWithRBV",
    *_AD_TRIGGER_MIXINS,
    # imported by those modules from ophyd's core, and so importable from ophyd's top level
    "ArrayAttributeSignal",
    "BlueskyInterface",
    "DeviceStatus",
    "OphydObject",
    "Staged",
    "UNSET_VALUE",
)
_CLASSIC_ERRORS = (
    "OpException",
    "ReadOnlyError",
    "LimitError",
    "DisconnectedError",
    "DestroyedError",
    "ExceptionBundle",
    "RedundantStaging",
    "PluginMisconfigurationError",
    "UnprimedPlugin",
    "UnknownStatusFailure",
    "StatusTimeoutError",
    "WaitTimeoutError",
    "InvalidState",
)

#: Public names of classic ophyd 1.11 modules, keyed by the module path below ``ophyd`` ('' is the top level).
CLASSIC_NAMES: dict[str, tuple[str, ...]] = {
    "": (
        # ophyd/__init__.py, explicitly
        "set_handler",
        "cl",  # served by the package's __getattr__: get_cl(), following set_cl()
        "set_cl",
        "get_cl",
        "Component",
        "Device",
        "DynamicDeviceComponent",
        "FormattedComponent",
        "ALL_COMPONENTS",
        "kind_context",
        "wait_for_lazy_connection",
        "do_not_wait_for_lazy_connection",
        "EpicsMotor",
        "MotorBundle",
        "EpicsMCA",
        "EpicsDXP",
        "Kind",
        "register_instances_in_weakset",
        "register_instances_keyed_on_name",
        "select_version",
        "PositionerBase",
        "SoftPositioner",
        "PseudoPositioner",
        "PseudoSingle",
        "PVPositioner",
        "PVPositionerDone",
        "PVPositionerIsClose",
        "PVPositionerPC",
        "QuadEM",
        "APS_EM",
        "NSLS_EM",
        "TetrAMM",
        "EpicsScaler",
        "DerivedSignal",
        "EpicsSignal",
        "EpicsSignalNoValidation",
        "EpicsSignalRO",
        "Signal",
        "SignalRO",
        "StatusBase",
        "wait",
        "setup_ophyd",
        "__version__",
        # through `from .areadetector import *`
        *_AD_BASE_AND_TRIGGERS,
        *_AD_CAMS,
        *_AD_DETECTORS,
        *_AD_PLUGINS,
    ),
    "signal": (
        "Signal",
        "SignalRO",
        "DerivedSignal",
        "InternalSignalMixin",
        "InternalSignal",
        "InternalSignalError",
        "EpicsSignalBase",
        "EpicsSignal",
        "EpicsSignalRO",
        "EpicsSignalNoValidation",
        "AttributeSignal",
        "ArrayAttributeSignal",
        "ReadTimeoutError",
        "ConnectionTimeoutError",
        "UNSET_VALUE",
        # the errors classic's signal module imports from ophyd.utils, which users import from it
        "DestroyedError",
        "LimitError",
        "ReadOnlyError",
    ),
    "device": (
        "Component",
        "FormattedComponent",
        "DynamicDeviceComponent",
        "Device",
        "BlueskyInterface",
        "GenerateDatumInterface",
        "Staged",
        "ComponentWalk",
        "ALL_COMPONENTS",
        "DEVICE_INSTANCE_ATTRS",
        "DEVICE_RESERVED_ATTRS",
        "kind_context",
        "create_device_from_components",
        "required_for_connection",
        "wait_for_lazy_connection",
        "do_not_wait_for_lazy_connection",
        "OrderedDictType",
        "RedundantStaging",
    ),
    "status": (
        "StatusBase",
        "Status",
        "DeviceStatus",
        "SubscriptionStatus",
        "StableSubscriptionStatus",
        "MoveStatus",
        "AndStatus",
        "UseNewProperty",
        "wait",
        "InvalidState",
        "StatusTimeoutError",
        "UnknownStatusFailure",
        "WaitTimeoutError",
        "adapt_old_callback_signature",
    ),
    "ophydobj": (
        "OphydObject",
        "Kind",
        "UnknownSubscription",
        "register_instances_in_weakset",
        "register_instances_keyed_on_name",
        "select_version",
        "IFBase",
    ),
    "utils": (
        *_CLASSIC_ERRORS,
        # ophyd/utils/epics_pvs.py's __all__, star-imported
        "split_record_field",
        "strip_field",
        "record_field",
        "set_and_wait",
        "AlarmStatus",
        "AlarmSeverity",
        "fmt_time",
        # ophyd/utils/paths.py and ophyd/utils/__init__.py
        "makedirs",
        "make_dir_tree",
        "enum",
        "OrderedDefaultDict",
        "doc_annotation_forwarder",
        "instances_from_namespace",
        "ducks_from_namespace",
        "underscores_to_camel_case",
        "getattrs",
        "DO_NOT_USE",
        "adapt_old_callback_signature",
    ),
    "flyers": (
        "FlyerInterface",
        "MonitorFlyerMixin",
        "AreaDetectorTimeseriesCollector",
        "WaveformCollector",
    ),
    "mixins": ("SignalPositionerMixin", "EpicsSignalPositioner"),
    "epics_motor": ("EpicsMotor", "MotorBundle", "HomeEnum"),
    "areadetector.trigger_mixins": _AD_TRIGGER_MIXINS,
    "areadetector.filestore_mixins": (
        "new_uid",
        "new_short_uid",
        "resource_factory",
        "FileStoreBase",
        "FileStorePluginBase",
        "FileStoreHDF5",
        "FileStoreHDF5Single",
        "FileStoreTIFF",
        "FileStoreTIFFSquashing",
        "FileStoreIterativeWrite",
        "FileStoreHDF5IterativeWrite",
        "FileStoreHDF5SingleIterativeWrite",
        "FileStoreTIFFIterativeWrite",
    ),
    # AreaDetectorCam is not in classic's cam.__all__ (so not at its top level either), but is public there
    "areadetector.cam": (*_AD_CAMS, "AreaDetectorCam"),
    "areadetector.detectors": _AD_DETECTORS,
    "scaler": ("EpicsScaler", "ScalerChannel", "ScalerCH"),
    "quadem": ("QuadEMPort", "QuadEM", "NSLS_EM", "TetrAMM", "APS_EM"),
    "mca": (
        "SignalWithRBV",
        "ROI",
        "add_rois",
        "EpicsMCARecord",
        "EpicsMCA",
        "EpicsMCAReadNotify",
        "EpicsMCACallback",
        "EpicsDXP",
        "EpicsDXPLowLevelParameter",
        "EpicsDXPLowLevel",
        "EpicsDXPMapping",
        "EpicsDXPBaseSystem",
        "EpicsDXPMultiElementSystem",
        "SaturnMCA",
        "SaturnDXP",
        "Saturn",
        "MercuryDXP",
        "Mercury1",
        "SoftDXPTrigger",
    ),
    "units": ("UnitConversionDerivedSignal",),
    # ophyd/log.py: its __all__ and the module-level names its docs and tests use
    "log": (
        "config_ophyd_logging",
        "get_handler",
        "logger",
        "control_layer_logger",
        "set_handler",
        "current_handler",
        "LogFormatter",
        "validate_level",
        "plain_log_format",
        "color_log_format",
    ),
    # ophyd/__main__.py (``python -m ophyd --version``)
    "__main__": ("main",),
    "utils.errors": _CLASSIC_ERRORS,
    "areadetector.plugins": _AD_PLUGINS_MODULE,
    "areadetector.common_plugins": ("PluginNamespace", "CommonPlugins"),
    "areadetector.paths": (
        "OS_NAME_TO_PATH_CLASS",
        "OS_SEPARATORS",
        "path_compare",
        "set_and_wait_path",
        "EpicsPathSignal",
    ),
    "areadetector.util": (
        "StubInfo",
        "get_prop_name",
        "get_stub_info",
        "create_detector_stub",
        "stub_templates",
    ),
    # ophyd/areadetector/__init__.py: the plugin names it imports from .plugins and .common_plugins
    "areadetector": _AD_PLUGINS,
    "utils.epics_pvs": (
        "BadPVName",
        "AlarmSeverity",
        "AlarmStatus",
        "validate_pv_name",
        "split_record_field",
        "strip_field",
        "record_field",
        "waveform_to_string",
        "records_from_db",
        "raise_if_disconnected",
        "set_and_wait",
        "data_type",
        "data_shape",
        "fmt_time",
    ),
}


def not_provided() -> dict[str, str]:
    """Name -> reason, from the bullets of the "Not provided" section of docs/migrating-from-ophyd.md.

    Each bullet reads ``- `Name`, `Other`: reason``, possibly wrapped onto indented lines.
    """
    text = MIGRATING.read_text()
    match = re.search(r"^## Not provided\n(?P<body>.*?)(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert match is not None, "docs/migrating-from-ophyd.md has no '## Not provided' section"
    bullets: list[str] = []
    for line in match["body"].splitlines():
        if line.startswith("- "):
            bullets.append(line[2:])
        elif line.startswith("  ") and bullets:
            bullets[-1] += " " + line.strip()  # a bullet wrapped onto the next line
    reasons: dict[str, str] = {}
    for bullet in bullets:
        names_part, sep, reason = bullet.partition(": ")
        names = re.findall(r"`([^`]+)`", names_part)
        assert sep and names and reason.strip(), f"a Not provided bullet needs names and a reason: {bullet!r}"
        for name in names:
            assert name not in reasons, f"{name} is listed twice as not provided"
            reasons[name] = reason.strip()
    return reasons


NOT_PROVIDED = not_provided()


def sophyd_module(module: str) -> ModuleType | None:
    """sophyd's counterpart of classic's ``ophyd.<module>`` ('' the top level), or None when sophyd has none."""
    name = "sophyd" + (f".{module}" if module else "")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # the module exists but fails to import
        return None


def provides(module: str, name: str) -> bool:
    """Whether sophyd's counterpart of ``ophyd.<module>`` has ``name`` (False when the module is missing)."""
    target = sophyd_module(module)
    return target is not None and hasattr(target, name)


@pytest.mark.parametrize("module", sorted(CLASSIC_NAMES))
def test_classic_names_resolve(module: str) -> None:
    """Each name resolves, or is listed as not provided; a module sophyd lacks has all its names listed."""
    missing = [
        name for name in CLASSIC_NAMES[module] if name not in NOT_PROVIDED and not provides(module, name)
    ]
    assert missing == [], f"sophyd{'.' + module if module else ''} lacks classic ophyd names: {missing}"


def test_not_provided_lists_only_classic_names_sophyd_lacks() -> None:
    classic = {name for names in CLASSIC_NAMES.values() for name in names}
    assert sorted(set(NOT_PROVIDED) - classic) == [], "the doc lists names classic ophyd does not export"
    provided = [
        f"sophyd{'.' + module if module else ''}.{name}"
        for module, names in CLASSIC_NAMES.items()
        for name in names
        if name in NOT_PROVIDED and provides(module, name)
    ]
    assert provided == [], "the doc says these are not provided, but they are"


def test_resolved_names_are_the_same_objects_across_modules() -> None:
    """A name classic exports from several modules is one object in sophyd, not a copy per module."""
    seen: dict[str, object] = {}
    for module, names in CLASSIC_NAMES.items():
        target = sophyd_module(module)
        if target is None:
            continue
        for name in names:
            if name in NOT_PROVIDED or name == "__version__" or not hasattr(target, name):
                continue
            obj = getattr(target, name)
            assert seen.setdefault(name, obj) is obj, f"sophyd.{module}.{name} differs from another module's"
