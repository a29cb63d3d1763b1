"""The base of the areaDetector package: lazy submodules, ADComponent, ad_group, NDDerivedSignal, the asyn port
graph checked at stage, and EpicsPathSignal over Channel Access."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sophyd import Component as Cpt
from sophyd import Device, Signal, Staged
from sophyd.areadetector import (
    ADBase,
    ADComponent,
    DDC_SignalWithRBV,
    EpicsPathSignal,
    EpicsSignalWithRBV,
    NDDerivedSignal,
    ad_group,
)
from sophyd.areadetector._exports import EXPORTS
from sophyd.areadetector.paths import OS_SEPARATORS, path_compare, set_and_wait_path
from sophyd.control import use_cl

TIMEOUT = 10.0


def test_every_submodule_exports_what_the_package_says() -> None:
    for module, names in EXPORTS.items():
        loaded = importlib.import_module(f"sophyd.areadetector.{module}")
        assert set(loaded.__all__) == set(names), module


def test_import_sophyd_loads_no_areadetector_submodule_until_a_name_is_used() -> None:
    code = (
        "import sys, sophyd\n"
        "loaded = [m for m in sys.modules if m.startswith('sophyd.areadetector.')]\n"
        "assert loaded == ['sophyd.areadetector._exports'], loaded\n"
        "assert sophyd.ADBase is sophyd.areadetector.base.ADBase\n"
        "assert 'sophyd.areadetector.base' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_unknown_names_are_attribute_errors() -> None:
    import sophyd
    import sophyd.areadetector

    with pytest.raises(AttributeError, match="NoSuchDetector"):
        sophyd.areadetector.NoSuchDetector  # noqa: B018
    with pytest.raises(AttributeError, match="NoSuchDetector"):
        sophyd.NoSuchDetector  # noqa: B018


# -- components -----------------------------------------------------------------------------------------------
@pytest.fixture
def mocked() -> Iterator[None]:
    """No IOC serves ``X:``: these tests only name PVs, so the signals they make are in mock mode."""
    with use_cl("mock"):
        yield


class Cam(ADBase):
    gain = ADComponent(EpicsSignalWithRBV, "Gain")
    eager = ADComponent(EpicsSignalWithRBV, "Eager", lazy=False)
    size = DDC_SignalWithRBV(("size_x", "SizeX"), ("size_y", "SizeY"), doc="the region size")


def test_ad_components_are_lazy_unless_told_otherwise(mocked: None) -> None:
    cam = Cam("X:cam1:", name="cam")
    made = {walk.dotted_name for walk in cam.walk_signals(include_lazy=False)}
    assert "eager" in made and "gain" not in made
    assert cam.gain.pvname == "X:cam1:Gain_RBV" and cam.gain.setpoint_pvname == "X:cam1:Gain"


def test_ddc_groups_are_lazy_configuration_signals_with_readbacks(mocked: None) -> None:
    cam = Cam("X:cam1:", name="cam")
    assert cam.size.size_x.setpoint_pvname == "X:cam1:SizeX"
    assert cam.size.size_y.pvname == "X:cam1:SizeY_RBV"
    assert cam.size.size_x.kind.name == "config"
    table = ad_group(EpicsSignalWithRBV, [("a", "A"), ("b", "B")], kind="normal")
    assert table == {
        "a": (EpicsSignalWithRBV, "A", {"kind": "normal", "lazy": True}),
        "b": (EpicsSignalWithRBV, "B", {"kind": "normal", "lazy": True}),
    }


def test_adbase_reads_and_configures_nothing_by_default(mocked: None) -> None:
    cam = Cam("X:cam1:", name="cam")
    assert cam.read_attrs == [] and cam.configuration_attrs == []
    assert list(cam.configuration_names.get()) == []
    cam.configuration_attrs = ["gain"]
    assert list(cam.configuration_names.get()) == ["cam_gain"]


# -- NDDerivedSignal ------------------------------------------------------------------------------------------
class Flat(Device):
    array = Cpt(Signal, value=np.arange(12))
    width = Cpt(Signal, value=4)
    height = Cpt(Signal, value=3)
    depth = Cpt(Signal, value=0)
    ndims = Cpt(Signal, value=2)
    image = Cpt(NDDerivedSignal, "array", shape=("height", "width", "depth"), num_dimensions="ndims")


def test_nd_derived_signal_shapes_the_flat_array() -> None:
    flat = Flat(name="flat")
    np.testing.assert_array_equal(flat.image.get(), np.arange(12).reshape(3, 4))
    assert flat.image.derived_shape == (3, 4, 0) and flat.image.derived_ndims == 2
    flat.image.put(np.ones((3, 4)))
    np.testing.assert_array_equal(flat.array.get(), np.ones(12))


def test_nd_derived_signal_subscribers_hear_a_shape_change() -> None:
    flat = Flat(name="flat")
    flat.array.put(np.arange(12))
    seen: list[tuple[int, ...]] = []
    flat.image.subscribe(lambda value, **kw: seen.append(np.shape(value)))
    flat.width.put(2)
    flat.height.put(6)
    assert seen == [(3, 4), (3, 2), (6, 2)]


def test_nd_derived_signal_says_why_it_cannot_reshape() -> None:
    flat = Flat(name="flat")
    flat.width.put(5)
    with pytest.raises(RuntimeError, match=r"flat_image.*12 elements into \(3, 5\)"):
        flat.image.get()
    flat.width.put(0)
    flat.height.put(0)
    with pytest.raises(RuntimeError, match="invalid array size"):
        flat.image.get()


# -- the asyn port graph --------------------------------------------------------------------------------------
class SoftCam(ADBase):
    port_name = Cpt(Signal, value="CAM")


class SoftPlugin(ADBase):
    port_name = Cpt(Signal, value="")
    nd_array_port = Cpt(Signal, value="CAM")
    enable = Cpt(Signal, value=0)


class Detector(ADBase):
    cam = Cpt(SoftCam, "cam1:")
    roi = ADComponent(SoftPlugin, "ROI1:")
    stats = ADComponent(SoftPlugin, "Stats1:")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.roi.port_name.put("ROI1")
        self.stats.port_name.put("STATS1")
        self.stats.nd_array_port.put("ROI1")
        self.stage_sigs["stats.enable"] = 1


def test_port_graph_names_every_part_and_finds_a_plugin_by_port() -> None:
    det = Detector("X:", name="det")
    assert det.get_asyn_port_dictionary() == {"CAM": det.cam, "ROI1": det.roi, "STATS1": det.stats}
    assert det.get_plugin_by_asyn_port("ROI1") is det.roi
    assert det.get_plugin_by_asyn_port("NOPE") is None
    assert det.missing_plugins() == []
    assert det.stats.ad_root is det
    det.validate_asyn_ports()


def test_stage_refuses_a_plugin_fed_by_an_unknown_port_and_unstages() -> None:
    det = Detector("X:", name="det")
    det.stats.nd_array_port.put("ELSEWHERE")
    assert det.missing_plugins() == ["ELSEWHERE"]
    with pytest.raises(RuntimeError, match=r"'det': the asyn ports \['ELSEWHERE'\]"):
        det.stage()
    assert det._staged == Staged.no
    assert det.stats.enable.get() == 0


def test_stage_with_a_whole_graph_applies_the_stage_sigs() -> None:
    det = Detector("X:", name="det")
    det.stage()
    try:
        assert det.stats.enable.get() == 1
    finally:
        det.unstage()
    assert det.stats.enable.get() == 0


def test_digraph_with_networkx() -> None:
    nx = pytest.importorskip("networkx")
    det = Detector("X:", name="det")
    graph, ports = det.get_asyn_digraph()
    assert isinstance(graph, nx.DiGraph)
    assert set(graph.edges) == {("CAM", "ROI1"), ("ROI1", "STATS1")}
    assert ports["CAM"] is det.cam


# -- EpicsPathSignal ------------------------------------------------------------------------------------------
def test_path_compare_follows_the_os_semantics() -> None:
    assert path_compare("/data/x/", "/data/x", "posix")
    assert not path_compare("/data/x", "/data/X", "posix")
    assert path_compare("C:\\Data\\X\\", "c:/data/x", "nt")
    with pytest.raises(ValueError, match="'vms'"):
        path_compare("a", "a", "vms")


def test_set_and_wait_path_adds_the_separator_and_waits_for_the_same_path() -> None:
    signal = Signal(name="fp", value="")
    set_and_wait_path(signal, "C:\\data", path_semantics="nt")
    assert signal.get() == "C:\\data\\" and OS_SEPARATORS == {"nt": "\\", "posix": "/"}

    class Unmoved(Signal):
        """A path PV whose readback does not follow what is put."""

        def get(self, **kwargs: Any) -> Any:
            return "/old/"

    with pytest.raises(TimeoutError, match=r"'stuck' to '/new/' and timed out after 0.05 seconds.*'/old/'"):
        set_and_wait_path(Unmoved(name="stuck", value=""), "/new", path_semantics="posix", timeout=0.05)
    with pytest.raises(ValueError, match="unknown path semantics 'vms'"):
        set_and_wait_path(signal, "/new", path_semantics="vms")
    assert signal.get() == "C:\\data\\"  # refused before anything was put


def test_path_signal_refuses_bad_arguments_before_connecting(mocked: None) -> None:
    with pytest.raises(ValueError, match=r"'fp' \(X:FilePath\): unknown path semantics 'vms'"):
        EpicsPathSignal("X:FilePath", path_semantics="vms", name="fp")
    with pytest.raises(ValueError, match="string=False is refused"):
        EpicsPathSignal("X:FilePath", path_semantics="posix", string=False, name="fp")
    signal = EpicsPathSignal("X:FilePath_RBV", path_semantics="posix", name="fp")
    assert (signal.setpoint_pvname, signal.pvname) == ("X:FilePath", "X:FilePath_RBV")


def test_path_signal_set_completes_when_the_ioc_normalised_the_path(
    pattern_prefix: str, tmp_path: Path
) -> None:
    """The simulated HDF5 plugin reads a directory back with a trailing '/', as areaDetector does."""
    signal = EpicsPathSignal(pattern_prefix + "BDET:HDF1:FilePath", path_semantics="posix", name="file_path")
    signal.wait_for_connection(timeout=TIMEOUT)
    signal.set(str(tmp_path)).wait(TIMEOUT)
    assert signal.get(use_monitor=False) == f"{tmp_path}/"
    assert "path_semantics='posix'" in repr(signal)
