"""Classic ophyd's areaDetector cameras and detectors (sophyd.areadetector.cam, .detectors).

The PV names, signal classes, kinds and component counts below are classic ophyd 1.11's, read from its
``ophyd/areadetector/cam.py`` and ``detectors.py`` (ophyd is not installed here). Construction tests need no
IOC; the behaviour tests run a classic-style ``SimDetector`` against the pattern IOC's camera (``BDET:cam1:``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sophyd
from sophyd import Component as Cpt
from sophyd import Device, Signal
from sophyd.areadetector import _exports, cam, detectors
from sophyd.areadetector.base import ADComponent, EpicsSignalWithRBV
from sophyd.areadetector.cam import (
    AreaDetectorCam,
    CamBase,
    PcoDetectorIO,
    PICamDetectorCam,
    Xspress3DetectorCam,
)
from sophyd.areadetector.detectors import (
    AreaDetector,
    DetectorBase,
    PilatusDetector,
    SimDetector,
    URLDetector,
    Xspress3Detector,
)
from sophyd.areadetector.plugins import FileBase
from sophyd.areadetector.util import get_prop_name, get_stub_info, stub_templates
from sophyd.control import use_cl
from sophyd.kind import Kind
from sophyd.signal import EpicsSignal, EpicsSignalRO

TIMEOUT = 10.0

#: classic's configuration of every CamBase camera, in component order
CAM_CONFIGURATION = [
    "acquire_period",
    "acquire_time",
    "image_mode",
    "manufacturer",
    "model",
    "num_exposures",
    "num_images",
    "trigger_mode",
]

#: classic's number of leaf signals of each camera (DynamicDeviceComponent groups counted by their signals)
CLASSIC_SIGNAL_COUNTS = {
    "AdscDetectorCam": 88,
    "Andor3DetectorCam": 80,
    "AndorDetectorCam": 70,
    "BrukerDetectorCam": 65,
    "DexelaDetectorCam": 86,
    "EigerDetectorCam": 142,
    "EmergentVisionDetectorCam": 69,
    "FirewireLinDetectorCam": 65,
    "FirewireWinDetectorCam": 70,
    "GreatEyesDetectorCam": 66,
    "Lambda750kCam": 64,
    "LightFieldDetectorCam": 90,
    "Mar345DetectorCam": 70,
    "MarCCDDetectorCam": 83,
    "PICamDetectorCam": 435,
    "PSLDetectorCam": 62,
    "PcoDetectorCam": 75,
    "PcoDetectorIO": 7,
    "PcoDetectorSimIO": 8,
    "PerkinElmerDetectorCam": 89,
    "PilatusDetectorCam": 104,
    "PixiradDetectorCam": 98,
    "PointGreyDetectorCam": 89,
    "ProsilicaDetectorCam": 95,
    "PvaDetectorCam": 63,
    "PvcamDetectorCam": 105,
    "RoperDetectorCam": 70,
    "SimDetectorCam": 77,
    "URLDetectorCam": 73,
    "UVCDetectorCam": 85,
    "Xspress3DetectorCam": 73,
}


# -- construction: PV names, classes, kinds (no IOC) ------------------------------------------------------
@pytest.fixture
def offline() -> Iterator[None]:
    """Devices made by the test use the mock control layer: construction tests need no IOC, and open no
    Channel Access channel before the IOC fixtures of later tests have started their IOCs."""
    with use_cl("mock"):
        yield


RBV, RO, RW = EpicsSignalWithRBV, EpicsSignalRO, EpicsSignal
CONFIG, OMITTED, NORMAL = Kind.config, Kind.omitted, Kind.normal


@pytest.mark.parametrize(
    ("cls", "attr", "signal_class", "write_pv", "kind", "string"),
    [
        (SimDetector, "cam.acquire_time", RBV, "X:cam1:AcquireTime", CONFIG, False),
        (SimDetector, "cam.acquire", RBV, "X:cam1:Acquire", OMITTED, False),
        (SimDetector, "cam.image_mode", RBV, "X:cam1:ImageMode", CONFIG, False),
        (SimDetector, "cam.model", RO, "X:cam1:Model_RBV", CONFIG, False),
        (SimDetector, "cam.port_name", RO, "X:cam1:PortName_RBV", OMITTED, True),
        (SimDetector, "cam.nd_attributes_file", RW, "X:cam1:NDAttributesFile", OMITTED, True),
        (SimDetector, "cam.array_size.array_size_x", RO, "X:cam1:ArraySizeX_RBV", NORMAL, False),
        (SimDetector, "cam.size.size_y", RBV, "X:cam1:SizeY", NORMAL, False),
        (SimDetector, "cam.gain_rgb.gain_red", RBV, "X:cam1:GainRed", NORMAL, False),
        (SimDetector, "cam.peak_width.peak_width_y", RBV, "X:cam1:PeakWidthY", NORMAL, False),
        (PilatusDetector, "cam.threshold_energy", RBV, "X:cam1:ThresholdEnergy", OMITTED, False),
        (PilatusDetector, "cam.armed", RW, "X:cam1:Armed", OMITTED, False),
        (URLDetector, "cam.urls.url_10", RW, "X:cam1:URL10", NORMAL, False),
        (Xspress3Detector, "cam.config_path", RBV, "X:det1:CONFIG_PATH", CONFIG, True),
        (Xspress3Detector, "cam.erase", RW, "X:det1:ERASE", OMITTED, False),
        (PcoDetectorIO, "trig_when_ready", RW, "X:DIO:TrigWhenReady", OMITTED, False),
        (PICamDetectorCam, "exposure_time_ex", RW, "X:ExposureTime_EX", OMITTED, False),
    ],
)
def test_pv_names_classes_and_kinds_are_classic(
    offline: None, cls: type, attr: str, signal_class: type, write_pv: str, kind: Kind, string: bool
) -> None:
    """Write and read PVs (``_RBV`` for an EpicsSignalWithRBV), signal class, kind and string= as classic's."""
    signal = cls("X:", name="d")
    for part in attr.split("."):
        signal = getattr(signal, part)
    assert type(signal) is signal_class
    read_pv = write_pv + "_RBV" if signal_class is RBV else write_pv
    assert (getattr(signal, "setpoint_pvname", signal.pvname), signal.pvname) == (write_pv, read_pv)
    assert signal.kind == kind
    assert signal.as_string is string
    signal.destroy()


@pytest.mark.parametrize("name", sorted(CLASSIC_SIGNAL_COUNTS))
def test_every_camera_has_classics_signals_all_lazy(offline: None, name: str) -> None:
    """As many signals as classic's class; every EPICS signal lazy, so making a camera connects nothing."""
    cls = getattr(cam, name)
    walks = [walk for walk in cls.walk_components() if not walk.item.is_device]
    assert len(walks) == CLASSIC_SIGNAL_COUNTS[name]
    eager = [walk.dotted_name for walk in walks if not walk.item.lazy]
    assert eager == ["configuration_names"]  # ADBase's, computed from the configuration_attrs
    dev = cls("X:", name="d")
    assert [sig for _name, sig in dev.get_instantiated_signals() if hasattr(sig, "pvname")] == []


def test_sim_detector_reads_nothing_and_configures_the_acquisition_as_classic(offline: None) -> None:
    det = SimDetector("X:", name="det")
    assert list(det.read_attrs) == []
    assert list(det.configuration_attrs) == ["cam"] + [f"cam.{attr}" for attr in CAM_CONFIGURATION]
    assert det.cam.kind == Kind.config
    assert type(det).cam.lazy and type(det).cam.suffix == "cam1:"
    assert det.stage_sigs == {} and det.cam.stage_sigs == {}
    assert det.cam.array_size.component_names == ("array_size_z", "array_size_y", "array_size_x")
    assert det.cam.array_size.kind == Kind.omitted


def test_cameras_that_extend_or_replace_the_configuration(offline: None) -> None:
    ev = cam.EmergentVisionDetectorCam("X:", name="ev")
    assert list(ev.configuration_attrs) == [*CAM_CONFIGURATION, "pixel_format", "framerate", "auto_gain"]
    eiger = cam.EigerDetectorCam("X:", name="eiger")
    assert list(eiger.configuration_attrs) == [
        *CAM_CONFIGURATION[:7],
        "shutter_mode",
        "trigger_mode",
        "num_triggers",
        "beam_center_x",
        "beam_center_y",
        "wavelength",
        "det_distance",
        "threshold_energy",
        "photon_energy",
        "manual_trigger",
        "special_trigger_button",
    ]
    assert isinstance(eiger, FileBase)
    assert (eiger.file_path.setpoint_pvname, eiger.fw_name_pattern.pvname) == (
        "X:FilePath",
        "X:FWNamePattern_RBV",
    )
    assert (
        eiger.file_path.kind == Kind.omitted
    )  # FileBase's config components are not in Eiger's configuration
    xs = Xspress3DetectorCam("X:", name="xs")
    assert list(xs.configuration_attrs) == ["config_path", "config_save_path"]
    assert list(xs.read_attrs) == []
    dropped = ["bin_x", "bin_y", "color_mode", "data_type", "gain", "min_x", "min_y", "reverse", "size"]
    assert [attr for attr in dropped if attr in Xspress3DetectorCam.component_names] == []
    assert Xspress3DetectorCam.config_path.doc == "configuration file path"
    # given at construction, as classic does; the class keeps CamBase's defaults, and a caller's win
    assert Xspress3DetectorCam._default_configuration_attrs == CamBase._default_configuration_attrs
    own = Xspress3DetectorCam("X:", name="xs2", configuration_attrs=["num_channels"])
    assert list(own.configuration_attrs) == ["num_channels"]


def test_image_mode_names_the_image_mode_values() -> None:
    assert (CamBase.ImageMode.SINGLE, CamBase.ImageMode.MULTIPLE, CamBase.ImageMode.CONTINUOUS) == (0, 1, 2)


def test_detector_base_without_a_camera_is_refused_as_in_classic() -> None:
    with pytest.raises(ValueError, match="cam"):
        DetectorBase("X:", name="det")


def test_every_detector_has_its_camera() -> None:
    for name in detectors.__all__:
        if name == "DetectorBase":
            continue
        cpt = getattr(detectors, name).cam
        assert isinstance(cpt, ADComponent) and cpt.lazy
        assert issubclass(cpt.cls, CamBase)
        assert cpt.cls.__name__ == ("AreaDetectorCam" if name == "AreaDetector" else f"{name}Cam")
        assert cpt.suffix == ("det1:" if name == "Xspress3Detector" else "cam1:")


def test_exports_match_the_modules_and_resolve_from_the_top_level() -> None:
    assert tuple(cam.__all__) == _exports.EXPORTS["cam"]
    assert tuple(detectors.__all__) == _exports.EXPORTS["detectors"]
    for name in (*cam.__all__, *detectors.__all__):
        assert getattr(sophyd, name) is getattr(sophyd.areadetector, name)
    assert sophyd.AreaDetectorCam is AreaDetectorCam and issubclass(AreaDetectorCam, CamBase)


def test_hdf5_detector_camera_is_classics_camera_with_an_eager_put_complete_acquire(offline: None) -> None:
    from sophyd.areadetector import HDF5Detector, HDF5DetectorCam

    assert issubclass(HDF5DetectorCam, AreaDetectorCam)
    assert HDF5Detector.cam.cls is HDF5DetectorCam
    camera = HDF5DetectorCam("X:cam1:", name="c")
    eager = [walk.dotted_name for walk in HDF5DetectorCam.walk_components() if not walk.item.lazy]
    assert {"acquire", "acquire_time", "acquire_period", "num_images", "image_mode"} <= set(eager)
    assert camera.acquire.put_complete is True
    assert list(camera.configuration_attrs) == ["acquire_period", "acquire_time", "image_mode", "num_images"]
    assert "port_name" not in HDF5DetectorCam.component_names


# -- import cost ------------------------------------------------------------------------------------------
def test_import_sophyd_does_not_import_the_cameras() -> None:
    code = (
        "import sys, sophyd; assert 'sophyd.areadetector.cam' not in sys.modules; "
        "from sophyd import HDF5Detector; assert 'sophyd.areadetector.cam' not in sys.modules; "
        "sophyd.SimDetector; assert 'sophyd.areadetector.cam' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- DetectorBase: the file plugins' documents ------------------------------------------------------------
class _FilePlugin(Device):
    """A stand-in file plugin: records generate_datum() calls and hands out one datum document per call."""

    enable = Cpt(Signal, value=1, kind=Kind.config)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[str, float, dict[str, Any]]] = []

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any]) -> None:
        self.calls.append((key, timestamp, datum_kwargs))

    def collect_asset_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, _timestamp, kwargs in self.calls:
            yield "datum", {"datum_id": f"{self.name}/{key}", "datum_kwargs": kwargs}
        self.calls = []


class _DetectorWithFiles(SimDetector):
    files = Cpt(_FilePlugin, "")
    disabled = Cpt(_FilePlugin, "")
    unused = ADComponent(_FilePlugin, "")  # lazy, never made: classic asks only the components made so far


def test_generate_datum_asks_each_enabled_file_plugin_and_collects_their_documents(offline: None) -> None:
    det = _DetectorWithFiles("X:", name="det")
    det.disabled.enable.put(0)
    now = time.time()
    det.generate_datum("light", now, {"point_number": 3})
    assert det.files.calls == [("light", now, {"point_number": 3})]
    assert det.disabled.calls == []
    assert "unused" not in det._signals
    with pytest.warns(UserWarning, match="dispatch is deprecated"):
        det.dispatch("dark", now + 1)
    assert det.files.calls[-1] == ("dark", now + 1, {})
    docs = list(det.collect_asset_docs())
    assert docs == [
        ("datum", {"datum_id": "det_files/light", "datum_kwargs": {"point_number": 3}}),
        ("datum", {"datum_id": "det_files/dark", "datum_kwargs": {}}),
    ]
    assert list(det.collect_asset_docs()) == []


# -- against the pattern IOC's camera ---------------------------------------------------------------------
@pytest.fixture
def sim_detector(pattern_prefix: str) -> Iterator[SimDetector]:
    det = SimDetector(pattern_prefix + "BDET:", name="sim")
    det.wait_for_connection(timeout=TIMEOUT)
    old_time = det.cam.acquire_time.get(use_monitor=False)
    yield det
    det.cam.acquire_time.set(old_time).wait(TIMEOUT)
    det.cam.image_mode.set(CamBase.ImageMode.MULTIPLE).wait(TIMEOUT)
    det.destroy()


def test_classic_sim_detector_reads_and_sets_the_cameras_pvs(
    sim_detector: SimDetector, pattern_prefix: str
) -> None:
    cam1 = sim_detector.cam
    assert cam1.prefix == pattern_prefix + "BDET:cam1:"
    cam1.acquire_time.set(0.25).wait(TIMEOUT)
    assert cam1.acquire_time.get(use_monitor=False) == pytest.approx(0.25)
    cam1.image_mode.set(CamBase.ImageMode.SINGLE).wait(TIMEOUT)
    assert cam1.image_mode.get(use_monitor=False) == CamBase.ImageMode.SINGLE
    assert cam1.image_mode.get(as_string=True) == "Single"
    assert (cam1.array_size.array_size_y.get(), cam1.array_size.array_size_x.get()) == (240, 320)
    assert cam1.model.get() == "Simulated blob camera"
    assert sim_detector.make_data_key() == {
        "shape": (cam1.num_images.get(), 240, 320),
        "source": f"PV:{pattern_prefix}BDET:",
        "dtype": "array",
        "external": "FILESTORE:",
    }


def test_classic_sim_detector_connects_in_full_and_sets_the_sim_drivers_pvs(
    sim_detector: SimDetector,
) -> None:
    """Every PV of classic's SimDetectorCam is served; its XY groups put both values or refuse before sending."""
    cam1 = sim_detector.cam
    cam1.wait_for_connection(all_signals=True, timeout=TIMEOUT)
    signals = {walk.dotted_name: walk.item for walk in cam1.walk_signals()}
    assert {"gain_xy.gain_x", "peak_width.peak_width_y", "sim_mode", "acquire_time"} <= set(signals)
    assert [name for name, signal in signals.items() if not signal.connected] == []
    assert tuple(cam1.gain_xy.get(use_monitor=False)) == (1.0, 1.0)
    try:
        cam1.gain_xy.put((2.5, 0.5), wait=True)
        assert tuple(cam1.gain_xy.get(use_monitor=False)) == (2.5, 0.5)  # the _RBV readbacks follow
        with pytest.raises(ValueError):  # one value for a group of two
            cam1.gain_xy.put((0.0,), wait=True)
        assert tuple(cam1.gain_xy.get(use_monitor=False)) == (2.5, 0.5)
        cam1.sim_mode.set(1).wait(TIMEOUT)
        assert cam1.sim_mode.get(use_monitor=False, as_string=True) == "Peaks"
    finally:
        cam1.gain_xy.put((1.0, 1.0), wait=True)
        cam1.sim_mode.set(0).wait(TIMEOUT)


def test_classic_area_detector_connects_in_full_reads_its_configuration_and_stages(
    pattern_prefix: str,
) -> None:
    """Every PV of classic's AreaDetectorCam is served by the pattern IOC's camera; the asyn port check passes."""
    det = AreaDetector(pattern_prefix + "BDET:", name="ad")
    try:
        det.wait_for_connection(all_signals=True, timeout=TIMEOUT)
        config = det.read_configuration()
        assert list(config) == [f"ad_cam_{attr}" for attr in CAM_CONFIGURATION]
        assert config["ad_cam_model"]["value"] == "Simulated blob camera"
        assert det.cam.port_name.get() == "CAM1"
        det.cam.size.size_x.set(100).wait(TIMEOUT)  # stored; the frames keep their size
        assert det.cam.size.size_x.get(use_monitor=False) == 100
        det.cam.size.size_x.set(320).wait(TIMEOUT)
        with pytest.raises(sophyd.PutFailedError):  # the camera makes Mono frames only
            det.cam.color_mode.set(2).wait(TIMEOUT)
        assert det.cam.color_mode.get(use_monitor=False) == 0
        staged = det.stage()
        assert staged[:2] == [det, det.cam]
        assert det.unstage()[-1] is det
    finally:
        det.destroy()


# -- areadetector.util: camera stubs from EPICS database files ---------------------------------------------
def test_get_prop_name_names_pvs_as_classic() -> None:
    assert get_prop_name("AcquireTime") == "acquire_time"
    assert get_prop_name("GAIN_X") == "gain_x"
    assert get_prop_name("TESTOne") == "test_one"
    assert get_prop_name("ArrayCounter_RBV") == "array_counter_rbv"
    assert get_prop_name("SizeX_RBV") == "size_xrbv"  # as classic: a one-letter word joins the next


def test_stub_templates_writes_a_class_per_database_file(tmp_path: Path) -> None:
    """One component per record, read-only ones first; a record the base class has is left out."""
    (tmp_path / "Fancy.template").write_text(
        "# a comment\n"
        'record(ao, "$(P)$(R)ExposureGain")\n'
        'record(ai, "$(P)$(R)ExposureGain_RBV")\n'
        'record(ai, "$(P)$(R)Temperature_RBV")\n'
        'record(bo, "$(P)$(R)ResetCmd")\n'
        'record(stringin, "$(P)$(R)cam1:")\n'  # the suffix of SimDetector's cam component
    )
    (tmp_path / "notes.txt").write_text('record(ao, "$(P)$(R)Ignored")\n')
    lines = list(stub_templates(tmp_path, base_class=SimDetector))
    assert lines == [
        "class FancyDetectorCam(SimDetector):",
        "    _html_docs = ['']",
        "    temperature_rbv = C(EpicsSignalRO, 'Temperature_RBV')",
        "    reset_cmd = C(EpicsSignal, 'ResetCmd')",
        "    exposure_gain = C(SignalWithRBV, 'ExposureGain')",
    ]
    assert [
        info.signal_type for info in get_stub_info(tmp_path / "Fancy.template", base_class=SimDetector)
    ] == [
        "with_rbv",
        "rw",
        "ro",
    ]
    with pytest.raises(ValueError, match="base_class should be a class"):
        list(get_stub_info(tmp_path / "Fancy.template", base_class="SimDetector"))  # type: ignore[arg-type]
