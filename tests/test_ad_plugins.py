"""sophyd.areadetector.plugins: classic ophyd's plugin classes, their versions, registry and staging behaviour.

PV names are checked on devices made in mock mode (no IOC needed); the asyn port graph at unit level with soft
signals; the plugin type, the stage sigs and a classic HDF5Plugin over Channel Access against the pattern IOC's
``BDET:HDF1:`` plugin, for the PVs that IOC serves.
"""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sophyd.areadetector as ad
from sophyd import Component, Signal, select_version
from sophyd.areadetector import _plugin_base, plugins
from sophyd.areadetector.base import ADBase, ADComponent
from sophyd.areadetector.common_plugins import CommonPlugins, PluginNamespace
from sophyd.areadetector.paths import EpicsPathSignal
from sophyd.areadetector.plugins import (
    ColorConvPlugin,
    FilePlugin,
    HDF5Plugin,
    ImagePlugin,
    JPEGPlugin,
    NetCDFPlugin,
    OverlayPlugin,
    PluginBase,
    ProcessPlugin,
    ROIPlugin,
    StatsPlugin,
    TIFFPlugin,
    TransformPlugin,
)
from sophyd.control import use_cl
from sophyd.device import GenerateDatumInterface, Staged
from sophyd.errors import PluginMisconfigurationError, PutFailedError, StatusTimeoutError, UnprimedPlugin
from sophyd.kind import Kind
from sophyd.mock import set_mock_value
from sophyd.signal import EpicsSignalRO
from sophyd.sim.pattern import blob_frame

TIMEOUT = 10.0
EXPOSURE = 0.1  # s: the pattern camera's frames are dark below ~0.05 s


def _pvs(signal: Any) -> tuple[str, str]:
    """(read PV, write PV) of an EPICS signal."""
    return signal._read_pv, getattr(signal, "_write_pv", signal._read_pv)


def _mocked(cls: type, prefix: str, **kwargs: Any) -> Any:
    """A device of ``cls`` on the mock control layer: its lazy components are made without an IOC."""
    with use_cl("mock"):
        return cls(prefix, name="p", **kwargs)


# -- PV names, kinds, laziness ----------------------------------------------------------------------------


#: (class, prefix, dotted component, read PV suffix, write PV suffix), from classic ophyd's plugins.py.
CLASSIC_PVS = [
    (PluginBase, "D:P1:", "port_name", "PortName_RBV", "PortName_RBV"),
    (PluginBase, "D:P1:", "nd_array_port", "NDArrayPort_RBV", "NDArrayPort"),
    (PluginBase, "D:P1:", "enable", "EnableCallbacks_RBV", "EnableCallbacks"),
    (PluginBase, "D:P1:", "blocking_callbacks", "BlockingCallbacks_RBV", "BlockingCallbacks"),
    (PluginBase, "D:P1:", "plugin_type", "PluginType_RBV", "PluginType_RBV"),
    (PluginBase, "D:P1:", "array_size.width", "ArraySize0_RBV", "ArraySize0_RBV"),
    (PluginBase, "D:P1:", "queue_use_high", "QueueUseHIGH", "QueueUseHIGH"),
    (StatsPlugin, "D:Stats1:", "total", "Total_RBV", "Total_RBV"),
    (StatsPlugin, "D:Stats1:", "centroid.x", "CentroidX_RBV", "CentroidX_RBV"),
    (StatsPlugin, "D:Stats1:", "cursor.y", "CursorY_RBV", "CursorY"),
    (StatsPlugin, "D:Stats1:", "ts_control", "TSControl", "TSControl"),
    (ROIPlugin, "D:ROI1:", "min_xyz.min_x", "MinX_RBV", "MinX"),
    (ROIPlugin, "D:ROI1:", "size.z", "SizeZ_RBV", "SizeZ"),
    (ROIPlugin, "D:ROI1:", "array_size.x", "ArraySizeX_RBV", "ArraySizeX_RBV"),
    (ImagePlugin, "D:image1:", "array_data", "ArrayData", "ArrayData"),
    (TIFFPlugin, "D:TIFF1:", "file_template", "FileTemplate_RBV", "FileTemplate"),
    (HDF5Plugin, "D:HDF1:", "file_path", "FilePath_RBV", "FilePath"),
    (HDF5Plugin, "D:HDF1:", "file_write_mode", "FileWriteMode_RBV", "FileWriteMode"),
    (HDF5Plugin, "D:HDF1:", "full_file_name", "FullFileName_RBV", "FullFileName_RBV"),
    (HDF5Plugin, "D:HDF1:", "extra_dim_size.size_n", "ExtraDimSizeN_RBV", "ExtraDimSizeN"),
    (ProcessPlugin, "D:Proc1:", "fc.fc3", "FC3_RBV", "FC3"),
    (OverlayPlugin, "D:Over1:", "overlay_3.position_x", "3:PositionX_RBV", "3:PositionX"),
    (TransformPlugin, "D:Trans1:", "t2_max_size.size1", "T2MaxSize1", "T2MaxSize1"),
    (plugins.TransformPlugin_V21, "D:Trans1:", "type_", "Type", "Type"),
    (plugins.StatsPlugin_V33, "D:Stats1:", "ts_sigma_x.ts_sigma_y", "TSSigmaY", "TSSigmaY"),
    (plugins.HDF5Plugin_V25, "D:HDF1:", "extra_dim_chunk.chunk_x", "ExtraDimChunkX_RBV", "ExtraDimChunkX"),
    (plugins.HDF5Plugin_V34, "D:HDF1:", "swmr_mode", "SWMRMode_RBV", "SWMRMode"),
    (plugins.PluginBase_V34, "D:P1:", "max_byte_rate", "MaxByteRate_RBV", "MaxByteRate"),
    (plugins.CodecPlugin_V34, "D:Codec1:", "blosc_compression_level", "BloscCLevel_RBV", "BloscCLevel"),
    (plugins.PluginBase_V35, "D:P1:", "codec", "Codec_RBV", "Codec_RBV"),
    (plugins.StatsPlugin_V35, "D:Stats1:", "compressed_size", "CompressedSize_RBV", "CompressedSize_RBV"),
    (plugins.HDF5Plugin_V35, "D:HDF1:", "flush_now", "FlushNow", "FlushNow"),
    (plugins.CodecPlugin_V35, "D:Codec1:", "blosc_shuffle", "BloscShuffle_RBV", "BloscShuffle"),
    (plugins.BadPixelPlugin, "D:BadPix1:", "badpixel_json_filename", "FileName", "FileName"),
]


@pytest.mark.parametrize(("cls", "prefix", "attr", "read", "write"), CLASSIC_PVS)
def test_pv_names_are_classics(cls: type, prefix: str, attr: str, read: str, write: str) -> None:
    device = _mocked(cls, prefix)
    try:
        assert _pvs(getattr(device, attr)) == (prefix + read, prefix + write)
    finally:
        device.destroy()


def test_a_gather_input_is_named_by_its_index() -> None:
    gather = _mocked(plugins.GatherNPlugin_V31, "D:Gather1:", index=3)
    try:
        assert _pvs(gather.gather_array_port) == ("D:Gather1:NDArrayPort_3_RBV", "D:Gather1:NDArrayPort_3")
    finally:
        gather.destroy()


def test_file_path_is_a_posix_path_signal_and_kinds_strings_are_classics() -> None:
    hdf = _mocked(HDF5Plugin, "D:HDF1:")
    try:
        assert isinstance(hdf.file_path, EpicsPathSignal) and hdf.file_path.path_semantics == "posix"
        # the declared kinds; as in classic, ADBase's empty read/configuration attrs leave an instance's omitted
        kinds = {
            attr: HDF5Plugin._component_kinds[attr]
            for attr in ("port_name", "enable", "num_captured", "zlevel")
        }
        assert kinds == {
            "port_name": Kind.config,
            "enable": Kind.config,
            "num_captured": Kind.normal,
            "zlevel": Kind.config,
        }
        assert hdf._component_kinds["zlevel"] == Kind.omitted and hdf.read_configuration() == {}
        strings = {
            attr: HDF5Plugin._sig_attrs[attr].kwargs.get("string", False) for attr in ("enable", "file_name")
        }
        assert strings == {"enable": True, "file_name": True}
        assert "string" not in HDF5Plugin._sig_attrs["file_write_mode"].kwargs  # an int, as in classic
        assert FilePlugin.FileWriteMode.STREAM == 2
    finally:
        hdf.destroy()


def test_components_are_lazy_but_plugin_type() -> None:
    stats = _mocked(StatsPlugin, "D:Stats1:")
    try:
        made = {attr for attr in stats._signals if StatsPlugin._sig_attrs[attr].lazy is False}
        assert "plugin_type" in made and "total" not in stats._signals
        stats.total  # noqa: B018 - made on first access
        assert "total" in stats._signals
        assert StatsPlugin._sig_attrs["total"].lazy and not StatsPlugin._sig_attrs["plugin_type"].lazy
    finally:
        stats.destroy()


# -- versions ---------------------------------------------------------------------------------------------


def test_versions_resolve_as_classic() -> None:
    assert select_version(StatsPlugin, (3, 4)) is plugins.StatsPlugin_V34
    assert select_version(StatsPlugin, (3, 2, 1)) is plugins.StatsPlugin_V32
    assert select_version(StatsPlugin, (1, 9, 1)) is StatsPlugin
    assert select_version(HDF5Plugin, (2, 4)) is plugins.HDF5Plugin_V22
    assert select_version(plugins.PosPlugin, (3, 4)) is plugins.PosPluginPlugin_V34  # classic's name
    with pytest.raises(ValueError, match="ROIStatPlugin"):
        select_version(plugins.ROIStatPlugin, (2, 0))
    info = plugins.HDF5Plugin_V34._class_info_
    assert info["version_of"] is HDF5Plugin and info["version"] == (3, 4) and info["version_type"] == "ADCore"
    assert issubclass(plugins.HDF5Plugin_V34, plugins.FilePlugin_V34)
    assert issubclass(plugins.HDF5Plugin_V34, plugins.PluginBase_V34)


def test_adcore_3_5_versions_and_the_bad_pixel_plugin_are_classics() -> None:
    v35 = {
        family: select_version(getattr(plugins, family), (3, 5)).__name__
        for family in ("PluginBase", "FilePlugin", "HDF5Plugin", "StatsPlugin", "KafkaPlugin", "PosPlugin")
    }
    assert v35 == {
        "PluginBase": "PluginBase_V35",
        "FilePlugin": "FilePlugin_V35",
        "HDF5Plugin": "HDF5Plugin_V35",
        "StatsPlugin": "StatsPlugin_V35",
        "KafkaPlugin": "KafkaPlugin_V35",
        "PosPlugin": "PosPluginPlugin_V35",
    }
    assert select_version(StatsPlugin, (3, 14)) is plugins.StatsPlugin_V35
    assert issubclass(plugins.HDF5Plugin_V35, plugins.FilePlugin_V35)
    assert issubclass(plugins.ROIStatPlugin_V35, plugins.PluginBase_V35)
    assert {"codec", "compressed_size"} <= set(plugins.TIFFPlugin_V35.component_names)
    assert plugins.HDF5Plugin_V35._sig_attrs["flush_now"].kwargs["string"] is True
    assert "ts_read" in plugins.AttributePlugin_V34.component_names
    assert {"ts_acquiring", "ts_control", "ts_current_point", "ts_num_points", "ts_read"}.isdisjoint(
        plugins.AttributePlugin_V35.component_names
    )
    bad = plugins.BadPixelPlugin
    assert (bad._plugin_type, bad._default_suffix, bad._suffix_re) == ("NDBadPixel", "BadPix1:", r"BadPix\d:")
    assert _plugin_base._plugin_class["NDBadPixel"] is bad
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}BadPix1:") is bad
    assert select_version(bad, (3, 11)) is bad
    with pytest.raises(ValueError, match="BadPixelPlugin"):
        select_version(bad, (3, 5))


def test_file_plugins_generate_datums_as_classics_do() -> None:
    assert issubclass(FilePlugin, GenerateDatumInterface) and issubclass(plugins.TIFFPlugin_V35, FilePlugin)
    assert not issubclass(StatsPlugin, GenerateDatumInterface)
    tiff = _mocked(TIFFPlugin, "D:TIFF1:")
    try:
        assert tiff.generate_datum("det_image", 0.0, {}) is None  # nothing to record without a file store
    finally:
        tiff.destroy()


def test_the_plugins_module_and_its_errors_are_where_classic_has_them() -> None:
    assert ad.plugins is plugins and ad.plugins.StatsPlugin is StatsPlugin  # no import of the submodule
    assert plugins.PluginMisconfigurationError is PluginMisconfigurationError
    assert plugins.UnprimedPlugin is UnprimedPlugin


def test_array_size_groups_are_named_as_classic_names_them() -> None:
    # a DynamicDeviceComponent's class is its attribute in CamelCase
    assert PluginBase._sig_attrs["array_size"].cls.__name__ == "ArraySize"
    assert plugins.PluginBase_V26._sig_attrs["array_size_all"].cls.__name__ == "ArraySizeAll"
    assert HDF5Plugin._sig_attrs["extra_dim_size"].cls.__name__ == "ExtraDimSize"


def test_versions_drop_the_components_their_release_removed() -> None:
    assert "pool_max_buffers" in plugins.PluginBase_V31.component_names
    assert "pool_max_buffers" not in plugins.PluginBase_V33.component_names
    assert "file_number_sync" not in plugins.FilePlugin_V22.component_names
    assert {"width", "name_", "types"}.isdisjoint(plugins.TransformPlugin_V21.component_names)
    assert "ts_acquiring" not in plugins.StatsPlugin_V34.component_names
    assert (
        plugins.StatsPlugin_V22._sig_attrs["centroid"].cls._sig_attrs["x"].cls.__name__
        == "EpicsSignalWithRBV"
    )


def test_common_plugins_and_plugin_namespace_by_release() -> None:
    assert select_version(PluginNamespace, (3, 4)).StatsPlugin is plugins.StatsPlugin_V34
    assert select_version(PluginNamespace, (2, 2)).HDF5Plugin is plugins.HDF5Plugin_V22
    common = select_version(CommonPlugins, (3, 3))
    assert common._sig_attrs["stats1"].cls is plugins.StatsPlugin_V33
    assert common._sig_attrs["stats1_ts"].suffix == "Stats1:TS:"
    assert "magick1" not in common.component_names
    assert "magick1" in select_version(CommonPlugins, (2, 6)).component_names


# -- the registry -----------------------------------------------------------------------------------------


def test_plugin_from_pvname_uses_the_suffix_conventions() -> None:
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}Stats3:") is StatsPlugin
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}HDF1:") is HDF5Plugin
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}netCDF2:") is plugins.NetCDFPlugin
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}ROIStat1:") is plugins.ROIStatPlugin
    assert plugins.plugin_from_pvname("XF:31ID{Det:1}cam1:") is None


def test_the_registry_knows_classics_plugin_types() -> None:
    registered = {plugin_type: cls.__name__ for plugin_type, cls in _plugin_base._plugin_class.items()}
    classic = {
        "NDPluginStdArrays": "ImagePlugin",
        "NDPluginStats": "StatsPlugin",
        "NDPluginColorConvert": "ColorConvPlugin",
        "NDPluginProcess": "ProcessPlugin",
        "NDPluginOverlay": "OverlayPlugin",
        "NDPluginROI": "ROIPlugin",
        "NDPluginTransform": "TransformPlugin",
        "NDFileNetCDF": "NetCDFPlugin",
        "NDFileTIFF": "TIFFPlugin",
        "NDFileJPEG": "JPEGPlugin",
        "NDPluginKafka": "KafkaPlugin",
        "NDPluginNexus": "NexusPlugin",
        "NDFileHDF5": "HDF5Plugin",
        "NDFileMagick": "MagickPlugin",
        "NDPluginROIStat": "ROIStatPlugin",
        "NDPluginPva": "PvaPlugin",
        "NDPluginFFT": "FFTPlugin",
        "NDPluginScatter": "ScatterPlugin",
        "NDPosPlugin": "PosPlugin",
        "NDPluginCircularBuff": "CircularBuffPlugin",
        "NDPluginTimeSeries": "TimeSeriesPlugin",
        "NDPluginCodec": "CodecPlugin",
        "NDPluginAttribute": "AttributePlugin",
        "NDPluginGather": "GatherPlugin",
    }
    assert classic.items() <= registered.items()  # a site's own registered plugins may come on top


def test_register_plugin_adds_a_class_by_its_plugin_type(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = dict(_plugin_base._plugin_class)
    monkeypatch.setattr(_plugin_base, "_plugin_class", registry)

    class MyPlugin(PluginBase):
        """A site's own plugin."""

        _plugin_type = "NDPluginMine"
        _suffix_re = r"Mine\d:"

    assert plugins.register_plugin(MyPlugin) is MyPlugin
    assert registry["NDPluginMine"] is MyPlugin
    assert plugins.plugin_from_pvname("D:Mine1:") is MyPlugin


def test_an_unanswered_plugin_type_is_a_value_error_naming_the_pv(pattern_prefix: str) -> None:
    prefix = f"{pattern_prefix}NOWHERE:X:"  # no such plugin on the IOC
    with pytest.raises(ValueError, match=rf"{prefix}PluginType_RBV did not answer"):
        plugins.get_areadetector_plugin_class(prefix, timeout=0.3)


# -- stage sigs and the asyn port graph (soft signals) ------------------------------------------------------


class SoftPlugin(PluginBase):
    """A plugin whose port, source, switches and type are soft signals."""

    _plugin_type = "NDPluginStats"
    port_name = Component(Signal, value="STATS1", kind="config")
    nd_array_port = Component(Signal, value="CAM1", kind="config")
    enable = Component(Signal, value="Disable", kind="config")
    blocking_callbacks = Component(Signal, value="No", kind="config")
    plugin_type = Component(Signal, value="NDPluginStats", kind="config")


class SoftCam(ADBase):
    """A camera whose port and callbacks switch are soft signals."""

    port_name = Component(Signal, value="CAM1", kind="config")
    array_callbacks = Component(Signal, value=0)


class SoftDetector(ADBase):
    """A camera, an ROI plugin on it and a stats plugin on the ROI plugin."""

    cam = Component(SoftCam, "cam1:")
    roi1 = Component(SoftPlugin, "ROI1:")
    stats1 = Component(SoftPlugin, "Stats1:")


def _soft_detector() -> SoftDetector:
    det = SoftDetector("D:", name="det")
    det.roi1.port_name.put("ROI1")
    det.stats1.nd_array_port.put("ROI1")
    return det


def test_stage_sigs_enable_first_then_blocking_then_the_cameras_callbacks() -> None:
    det = _soft_detector()
    assert det.stats1.stage_sigs == OrderedDict(
        [("enable", 1), ("blocking_callbacks", "Yes"), ("parent.cam.array_callbacks", 1)]
    )
    det.stats1.ensure_nonblocking()
    det.stats1.disable_on_stage()
    assert (det.stats1.stage_sigs["enable"], det.stats1.stage_sigs["blocking_callbacks"]) == (0, "No")
    det.stats1.enable_on_stage()
    det.stats1.ensure_blocking()
    assert list(det.stats1.stage_sigs.items())[:2] == [("enable", 1), ("blocking_callbacks", "Yes")]
    alone = SoftPlugin("D:Stats1:", name="alone")
    assert "parent.cam.array_callbacks" not in alone.stage_sigs


def test_staging_sets_the_stage_sigs_and_follows_the_port_graph() -> None:
    det = _soft_detector()
    assert det.stats1.source_plugin is det.roi1 and det.roi1.source_plugin is det.cam
    assert det.stats1._asyn_pipeline == (det.cam, det.roi1, det.stats1)
    assert det.stats1.asyn_pipeline_config.get().tolist() == [
        "det_cam_configuration_names",
        "det_roi1_configuration_names",
        "det_stats1_configuration_names",
    ]
    det.stage()
    try:
        assert (
            det.stats1.enable.get(),
            det.stats1.blocking_callbacks.get(),
            det.cam.array_callbacks.get(),
        ) == (
            1,
            "Yes",
            1,
        )
    finally:
        det.unstage()
    assert (det.stats1.enable.get(), det.cam.array_callbacks.get()) == ("Disable", 0)


def test_configuration_includes_the_source_plugins() -> None:
    det = _soft_detector()
    det.stats1.configuration_attrs = ["port_name"]
    det.roi1.configuration_attrs = ["nd_array_port"]
    assert set(det.stats1.read_configuration()) == {"det_stats1_port_name", "det_roi1_nd_array_port"}
    assert set(det.stats1.describe_configuration()) == {"det_stats1_port_name", "det_roi1_nd_array_port"}


def test_a_plugin_fed_by_a_missing_port_stops_stage_and_stays_unstaged() -> None:
    det = _soft_detector()
    det.stats1.nd_array_port.put("NOSUCHPORT")
    assert det.stats1.source_plugin is None
    with pytest.raises(RuntimeError, match="NOSUCHPORT"):
        det.stage()
    assert det._staged == Staged.no and det.stats1._staged == Staged.no
    assert (det.stats1.enable.get(), det.cam.array_callbacks.get()) == ("Disable", 0)
    det.stats1.configuration_attrs = ["port_name"]
    assert set(det.stats1.read_configuration()) == {"det_stats1_port_name"}  # classic: AttributeError


def test_a_plugin_of_another_type_is_refused_before_anything_is_set() -> None:
    det = _soft_detector()
    det.stats1.plugin_type.put("NDFileTIFF")
    with pytest.raises(PluginMisconfigurationError, match="NDFileTIFF") as info:
        det.stats1.stage()
    assert isinstance(info.value, TypeError)
    assert det.stats1._staged == Staged.no and det.stats1.enable.get() == "Disable"


def test_an_unprimed_hdf5_plugin_is_refused_at_stage() -> None:
    hdf = _mocked(HDF5Plugin, "D:HDF1:")
    try:
        set_mock_value(hdf.plugin_type, "NDFileHDF5")
        hdf.stage_sigs.clear()  # the mocked enum PVs have no labels; this test is about the array size
        with pytest.raises(UnprimedPlugin, match="not been primed"):
            hdf.stage()
        for signal, value in ((hdf.array_size.width, 320), (hdf.array_size.height, 240)):
            set_mock_value(signal, value)
        hdf.stage()
        hdf.unstage()
    finally:
        hdf.destroy()


def test_roi_set_refuses_an_empty_region_and_unknown_axes() -> None:
    roi = _mocked(ROIPlugin, "D:ROI1:")
    try:
        with pytest.raises(ValueError, match="needs a region"):
            roi.set({})
        with pytest.raises(ValueError, match=r"unknown ROI axes \['w'\]"):
            roi.set({"w": (0, 1)})
        with pytest.raises(ValueError, match=r"\[min, size\]"):
            roi.set({"x": (0, 1), "y": (3,)})
        with pytest.raises(ValueError, match=r"\[min, size\]"):
            roi.set({"x": 5})
        status = roi.set({"x": (10, 20), "y": (5, 6)})
        # the mock IOC's readbacks follow: each part of the status is done when its own readback reaches its value
        for signal, value in ((roi.min_xyz.min_x, 10), (roi.size.x, 20), (roi.min_xyz.min_y, 5)):
            set_mock_value(signal, value)
        assert not status.done
        set_mock_value(roi.size.y, 6)
        status.wait(TIMEOUT)
        assert status.success
    finally:
        roi.destroy()


class SoftWarmupCam(ADBase):
    """The camera settings warmup() changes, soft; acquiring counts a frame in the HDF5 plugin when told to."""

    array_callbacks = Component(Signal, value=0)
    image_mode = Component(Signal, value="Multiple")
    trigger_mode = Component(Signal, value="External")
    acquire_time = Component(Signal, value=30.0)
    acquire_period = Component(Signal, value=31.0)
    acquire = Component(Signal, value=0)


class SoftHDF5Plugin(HDF5Plugin):
    """An HDF5Plugin whose switch, frame counter and type are soft."""

    enable = Component(Signal, value="Disable")
    array_counter = Component(Signal, value=7)
    plugin_type = Component(Signal, value="NDFileHDF5")


class SoftWarmupDetector(ADBase):
    """A camera and an HDF5 plugin."""

    cam = Component(SoftWarmupCam, "cam1:")
    hdf1 = Component(SoftHDF5Plugin, "HDF1:")


def test_warmup_acquires_one_frame_and_restores_the_camera() -> None:
    det = SoftWarmupDetector("D:", name="det")
    seen: list[dict[str, Any]] = []

    def acquire(value: Any = None, **kwargs: Any) -> None:  # the IOC: a frame reaches the plugin
        if value == 1:
            attrs = ("image_mode", "trigger_mode", "acquire_time", "array_callbacks")
            seen.append({attr: getattr(det.cam, attr).get() for attr in attrs})
            det.hdf1.array_counter.put(det.hdf1.array_counter.get() + 1)

    det.cam.acquire.subscribe(acquire, run=False)
    det.hdf1.warmup(timeout=TIMEOUT)
    assert det.hdf1.array_counter.get() == 8 and det.hdf1.enable.get() == 1
    assert seen[0]["image_mode"] == "Single" and seen[0]["trigger_mode"] == "Internal"
    assert (seen[0]["acquire_time"], seen[0]["array_callbacks"]) == (1, 1)
    cam = det.cam
    assert (
        cam.image_mode.get(),
        cam.trigger_mode.get(),
        cam.acquire_time.get(),
        cam.array_callbacks.get(),
    ) == (
        "Multiple",
        "External",
        30.0,
        0,
    )


def test_warmup_without_a_frame_times_out_and_restores_the_camera() -> None:
    det = SoftWarmupDetector("D:", name="det")
    with pytest.raises(StatusTimeoutError):
        det.hdf1.warmup(timeout=0.2)
    assert (det.cam.image_mode.get(), det.cam.acquire_period.get()) == ("Multiple", 31.0)


def test_image_is_the_last_frame_in_its_shape() -> None:
    image = _mocked(ImagePlugin, "D:image1:")
    try:
        for signal, value in (
            (image.array_size.depth, 0),
            (image.array_size.height, 3),
            (image.array_size.width, 4),
            (image.ndimensions, 2),
            (image.array_data, np.arange(20)),  # the waveform is longer than the frame
        ):
            set_mock_value(signal, value)
        assert image.array_pixels == 12
        np.testing.assert_array_equal(image.image, np.arange(12).reshape(3, 4))
        np.testing.assert_array_equal(image.shaped_image.get(), np.arange(12).reshape(3, 4))  # classic: empty
        set_mock_value(image.array_size.depth, 1)
        set_mock_value(image.ndimensions, 3)
        assert image.array_pixels == 12
        assert image.shaped_image.get().shape == image.image.shape == (1, 3, 4)
    finally:
        image.destroy()


# -- over Channel Access: the pattern IOC's HDF5 plugin ---------------------------------------------------


class PatternHDF1(PluginBase):
    """The pattern IOC's HDF5 plugin seen as a plain plugin, with soft port names and blocking switch: the test
    fixes them, whatever the session's shared IOC plugin is set to."""

    _plugin_type = "NDFileHDF5"
    port_name = Component(Signal, value="FileHDF1", kind="config")
    nd_array_port = Component(Signal, value="CAM1", kind="config")
    blocking_callbacks = Component(Signal, value="No", kind="config")


class PatternCam(ADBase):
    """The camera's port name and callbacks switch, soft: the test renames the port, which the IOC serves
    read-only."""

    port_name = Component(Signal, value="CAM1", kind="config")
    array_callbacks = Component(Signal, value=0)


class PatternDetector(ADBase):
    """The pattern IOC's detector: its HDF5 plugin, and a camera whose port it takes frames from."""

    cam = ADComponent(PatternCam, "cam1:")
    hdf1 = ADComponent(PatternHDF1, "HDF1:")


def test_stage_over_channel_access_checks_type_and_ports_and_restores_enable(pattern_prefix: str) -> None:
    det = PatternDetector(f"{pattern_prefix}BDET:", name="det")
    enable = det.hdf1.enable
    enable.set("Disable").wait(TIMEOUT)
    try:
        det.cam.port_name.put("CAM2")  # the plugin's source, CAM1, is no part of the detector now
        with pytest.raises(RuntimeError, match="CAM1"):
            det.stage()
        assert det._staged == Staged.no and det.hdf1._staged == Staged.no
        assert enable.get(use_monitor=False) == "Disable"  # set by stage, and restored, on the IOC
        det.cam.port_name.put("CAM1")
        det.stage()
        try:
            assert enable.get(use_monitor=False) == "Enable" and det.cam.array_callbacks.get() == 1
            assert det.hdf1._misconfigured is False  # PluginType_RBV read from the IOC
        finally:
            det.unstage()
        assert enable.get(use_monitor=False) == "Disable"
    finally:
        enable.set("Enable").wait(TIMEOUT)
        det.destroy()


def test_a_stats_plugin_on_the_hdf5_plugins_prefix_is_misconfigured(pattern_prefix: str) -> None:
    wrong = StatsPlugin(f"{pattern_prefix}BDET:HDF1:", name="wrong")
    try:
        with pytest.raises(PluginMisconfigurationError, match="NDFileHDF5"):
            wrong.stage()
        assert wrong._staged == Staged.no
    finally:
        wrong.destroy()


def test_classic_hdf5_plugin_reads_and_sets_the_pattern_iocs_plugin(
    pattern_prefix: str, tmp_path: Path
) -> None:
    hdf = HDF5Plugin(f"{pattern_prefix}BDET:HDF1:", name="hdf")
    try:
        hdf.wait_for_connection(timeout=TIMEOUT)
        assert hdf.plugin_type.get() == "NDFileHDF5"
        hdf.file_path.set(str(tmp_path)).wait(
            TIMEOUT
        )  # the IOC adds the trailing '/'; the paths compare equal
        assert hdf.file_path.get(use_monitor=False) == f"{tmp_path}/"
        hdf.file_name.set("scan_7").wait(TIMEOUT)
        assert hdf.file_name.get(use_monitor=False) == "scan_7"
        old_mode = hdf.file_write_mode.get()
        hdf.file_write_mode.set(FilePlugin.FileWriteMode.CAPTURE).wait(TIMEOUT)
        assert hdf.file_write_mode.get(use_monitor=False) == FilePlugin.FileWriteMode.CAPTURE
        hdf.file_write_mode.set(old_mode).wait(TIMEOUT)
        hdf.num_capture.set(4).wait(TIMEOUT)
        assert hdf.num_capture.get(use_monitor=False) == 4
        assert hdf.enable.get() in ("Enable", "Disable") and isinstance(hdf.full_file_name.get(), str)
    finally:
        hdf.destroy()


def test_get_areadetector_plugin_reads_the_plugin_type_from_the_ioc(
    pattern_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"{pattern_prefix}BDET:HDF1:"
    hdf = plugins.get_areadetector_plugin(prefix, name="hdf")  # found by its name, HDF1:
    assert type(hdf) is HDF5Plugin and hdf.prefix == prefix
    hdf.destroy()
    monkeypatch.setattr(HDF5Plugin, "_suffix_re", None)  # now only the IOC's PluginType_RBV tells
    assert plugins.get_areadetector_plugin_class(prefix, timeout=TIMEOUT) is HDF5Plugin
    registry = {k: v for k, v in _plugin_base._plugin_class.items() if v is not HDF5Plugin}
    monkeypatch.setattr(_plugin_base, "_plugin_class", registry)
    with pytest.raises(ValueError, match=r"PluginType_RBV is 'NDFileHDF5'"):
        plugins.get_areadetector_plugin_class(prefix, timeout=TIMEOUT)


# -- over Channel Access: classic's SimDetector with the plugins that pass frames on ------------------------


class PatternSimDetector(ad.SingleTrigger, ad.SimDetector):
    """Classic beamline code's detector on the pattern IOC: its camera, and plugins that take and pass on frames."""

    image1 = ADComponent(ImagePlugin, "image1:")
    proc1 = ADComponent(ProcessPlugin, "Proc1:")
    roi1 = ADComponent(ROIPlugin, "ROI1:")
    over1 = ADComponent(OverlayPlugin, "Over1:")
    stats1 = ADComponent(StatsPlugin, "Stats1:")
    cc1 = ADComponent(ColorConvPlugin, "CC1:")
    trans1 = ADComponent(TransformPlugin, "Trans1:")
    jpeg1 = ADComponent(JPEGPlugin, "JPEG1:")


@pytest.fixture
def pattern_sim(pattern_prefix: str) -> Iterator[PatternSimDetector]:
    """The detector taking single frames of EXPOSURE; its plugins take the camera's frames, and Proc1 has its
    defaults, again afterwards."""
    det = PatternSimDetector(f"{pattern_prefix}BDET:", name="det")
    det.cam.stage_sigs.update({"acquire_time": EXPOSURE, "num_images": 1})
    yield det
    try:
        for plugin in (det.image1, det.proc1, det.roi1, det.over1, det.stats1, det.cc1, det.trans1):
            plugin.nd_array_port.set("CAM1").wait(TIMEOUT)
        proc1 = det.proc1
        for signal, value in (
            (proc1.enable_offset_scale, "Disable"),
            (proc1.enable_low_clip, "Disable"),
            (proc1.offset, 0.0),
            (proc1.scale, 1.0),
            (proc1.low_clip, 0.0),
        ):
            signal.set(value).wait(TIMEOUT)
    finally:
        det.destroy()


def _frame(pattern_prefix: str, exposure: float) -> np.ndarray:
    """The pattern IOC's camera frame for the stage's position now."""
    x, y = (EpicsSignalRO(f"{pattern_prefix}STAGE:{axis}.RBV", name=axis) for axis in "XY")
    try:
        return blob_frame(x.get(), y.get(), exposure)
    finally:
        x.destroy()
        y.destroy()


def test_classic_image_plugin_holds_the_cameras_last_frame(
    pattern_sim: PatternSimDetector, pattern_prefix: str
) -> None:
    det = pattern_sim
    det.stage()
    try:
        det.trigger().wait(TIMEOUT)
        expected = _frame(pattern_prefix, EXPOSURE)
        assert expected.max() > 0  # a frame with something in it
        assert det.image1.plugin_type.get() == "NDPluginStdArrays"
        assert tuple(det.image1.array_size.get()) == (0, 240, 320)
        np.testing.assert_array_equal(det.image1.image, expected)
    finally:
        det.unstage()


def test_process_and_overlay_plugins_pass_processed_frames_down_the_port_chain(
    pattern_sim: PatternSimDetector, pattern_prefix: str
) -> None:
    """camera -> Proc1 (offset, scale, low clip) -> Over1 (unchanged) -> image1 and Stats1; ROI1 -> Over1 also
    validates, as in classic's asyn port check."""
    det = pattern_sim
    for plugin in (det.proc1, det.over1):
        plugin.wait_for_connection(all_signals=True, timeout=TIMEOUT)  # every component of classic's class
    det.proc1.nd_array_port.set("CAM1").wait(TIMEOUT)
    det.over1.nd_array_port.set(det.proc1.port_name.get()).wait(TIMEOUT)
    for plugin in (det.image1, det.stats1):
        plugin.nd_array_port.set(det.over1.port_name.get()).wait(TIMEOUT)
    det.proc1.offset.set(-3.0).wait(TIMEOUT)
    det.proc1.scale.set(2.0).wait(TIMEOUT)
    det.proc1.low_clip.set(5.0).wait(TIMEOUT)
    for switch in (det.proc1.enable_offset_scale, det.proc1.enable_low_clip):
        switch.set("Enable").wait(TIMEOUT)
    det.stage()
    try:
        det.trigger().wait(TIMEOUT)
        frame = _frame(pattern_prefix, EXPOSURE).astype(float)
        expected = np.clip(np.maximum((frame - 3.0) * 2.0, 5.0), 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(det.image1.image, expected)
        assert det.stats1.total.get(use_monitor=False) == expected.sum()
        assert tuple(det.over1.max_size.get()) == (320, 240)
        assert det.over1.overlay_3.max_size_x.get() == 320
    finally:
        det.unstage()
    det.roi1.nd_array_port.set("CAM1").wait(TIMEOUT)
    det.over1.nd_array_port.set(det.roi1.port_name.get()).wait(TIMEOUT)
    det.validate_asyn_ports()
    assert det.get_plugin_by_asyn_port("OVER1") is det.over1


@pytest.mark.parametrize(
    "cls",
    [
        ImagePlugin,
        ProcessPlugin,
        OverlayPlugin,
        ROIPlugin,
        StatsPlugin,
        ColorConvPlugin,
        TransformPlugin,
        TIFFPlugin,
        NetCDFPlugin,
        JPEGPlugin,
        HDF5Plugin,
    ],
)
def test_classic_plugin_at_its_default_suffix_connects_in_full(pattern_prefix: str, cls: type) -> None:
    """Every component of the classic class is served at its usual suffix, and the IOC's type is the class's."""
    plugin = cls(f"{pattern_prefix}BDET:{cls._default_suffix}", name="p")
    try:
        plugin.wait_for_connection(all_signals=True, timeout=TIMEOUT)
        assert plugin.plugin_type.get() == cls._plugin_type
        plugin.configuration_attrs = ["enable", "nd_array_port"]  # classic configures nothing by default
        config = plugin.read_configuration()
        assert set(config) == set(plugin.describe_configuration()) and config["p_nd_array_port"]["value"]
    finally:
        plugin.destroy()


def test_frames_pass_through_color_convert_and_transform_and_their_changes_are_refused(
    pattern_sim: PatternSimDetector, pattern_prefix: str
) -> None:
    """camera -> CC1 -> Trans1 -> image1: the frame unchanged; conversions, transforms, file writes refused."""
    det = pattern_sim
    cc1, trans1, jpeg1 = det.cc1, det.trans1, det.jpeg1
    try:
        cc1.nd_array_port.set("CAM1").wait(TIMEOUT)
        trans1.nd_array_port.set("CC1").wait(TIMEOUT)
        det.image1.nd_array_port.set("TRANS1").wait(TIMEOUT)
        det.stage()
        try:
            det.trigger().wait(TIMEOUT)
        finally:
            det.unstage()
        np.testing.assert_array_equal(det.image1.image, _frame(pattern_prefix, EXPOSURE))
        assert tuple(trans1.t1_max_size.get()) == (320, 240, 0)
        for signal, value in (
            (cc1.color_mode_out, "RGB1"),
            (cc1.false_color, 1),
            (trans1.types.type2, "Rot90"),
            (jpeg1.capture, 1),
            (jpeg1.auto_save, "Yes"),
        ):
            with pytest.raises(PutFailedError):
                signal.set(value).wait(TIMEOUT)
        jpeg1.jpeg_quality.set(80).wait(TIMEOUT)
        assert jpeg1.jpeg_quality.get(use_monitor=False) == 80
    finally:
        jpeg1.jpeg_quality.set(50).wait(TIMEOUT)


def test_unsimulated_process_and_time_series_features_are_refused(pattern_sim: PatternSimDetector) -> None:
    stats1 = pattern_sim.stats1
    with pytest.raises(PutFailedError):
        stats1.ts_control.set("Erase/Start").wait(TIMEOUT)
    assert stats1.ts_control.get(use_monitor=False) == "Stop"
    proc1 = pattern_sim.proc1
    for switch in (proc1.enable_background, proc1.enable_flat_field, proc1.enable_filter):
        with pytest.raises(PutFailedError):
            switch.set("Enable").wait(TIMEOUT)
        assert switch.get(use_monitor=False) == "Disable"
    with pytest.raises(PutFailedError):
        proc1.data_type_out.set("Float64").wait(TIMEOUT)


# -- import cost --------------------------------------------------------------------------------------------


def test_import_sophyd_does_not_import_the_plugin_classes() -> None:
    modules = ("plugins", "_plugin_base", "_plugin_classes", "common_plugins")
    code = f"import sys, sophyd; print([m for m in {modules} if 'sophyd.areadetector.' + m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"
    code = "import sys, sophyd; sophyd.StatsPlugin; print('sophyd.areadetector.plugins' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "True"
