"""Classic ophyd's areaDetector trigger and file-store mixins (sophyd.areadetector.trigger_mixins, .filestore_mixins).

The unit tests check the pure logic (path templates, file names, Resource/Datum documents) on soft devices.
The system tests run classic beamline code, a ``SingleTrigger`` SimDetector with an HDF5 plugin using
``FileStoreHDF5IterativeWrite`` and a statistics plugin, against the pattern IOC over Channel Access in a
bluesky RunEngine: the documents are classic's, the file holds the frames the events refer to, and staging
is undone whatever happens.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
import h5py
import numpy as np
import pytest
from bluesky import RunEngine
from bluesky.plans import count
from bluesky.utils import RunEngineInterrupted
from event_model import DocumentNames, schema_validators
from helpers import read_tiff, wait_for

from sophyd import Component as Cpt
from sophyd import Device, EpicsSignalRO, Signal
from sophyd.areadetector import SimDetector, SingleTrigger
from sophyd.areadetector.filestore_mixins import (
    FileStoreHDF5IterativeWrite,
    FileStoreIterativeWrite,
    FileStoreTIFFIterativeWrite,
    new_short_uid,
    new_uid,
    resource_factory,
)
from sophyd.areadetector.plugins import (
    CircularBuffPlugin_V34,
    HDF5Plugin,
    HDF5Plugin_V22,
    ROIPlugin,
    StatsPlugin,
    TIFFPlugin,
)
from sophyd.areadetector.trigger_mixins import (
    ADTriggerStatus,
    ContinuousAcquisitionTrigger,
    MultiTrigger,
    NDCircularBuffTriggerStatus,
    TriggerBase,
    TriggerStatus,
)
from sophyd.control import use_cl
from sophyd.device import Staged
from sophyd.sim.pattern import blob_frame, blob_sum

TIMEOUT = 10.0
FRAME_SHAPE = (240, 320)


# -- unit: uids, resource documents, path templates -------------------------------------------------------
@pytest.fixture
def offline() -> Iterator[None]:
    """Devices made by the test use the mock control layer: no IOC, and no CA client started before the
    system tests' IOCs are (libca reads where to search once per process)."""
    with use_cl("mock"):
        yield


def test_uids() -> None:
    assert len(new_uid().split("-")) == 5
    short = new_short_uid()
    assert len(short.split("-")) == 4 and new_short_uid() != short


def test_resource_factory_makes_a_resource_and_numbered_datums() -> None:
    resource, datum_factory = resource_factory(
        "AD_HDF5", "/data", "2026/a.h5", {"frame_per_point": 2}, "posix"
    )
    assert resource == {
        "spec": "AD_HDF5",
        "root": "/data",
        "resource_path": "2026/a.h5",
        "resource_kwargs": {"frame_per_point": 2},
        "path_semantics": "posix",
        "uid": resource["uid"],
    }
    datums = [datum_factory({"point_number": i}) for i in range(2)]
    assert datums == [
        {
            "resource": resource["uid"],
            "datum_id": f"{resource['uid']}/{i}",
            "datum_kwargs": {"point_number": i},
        }
        for i in range(2)
    ]


class SoftFileStore(Device, FileStoreIterativeWrite):
    """A soft device with the file-store mixin listed after Device, as a plugin class lists it."""

    filestore_spec = "TEST_SPEC"


class SoftDetector(Device):
    """The parent a file-store mixin asks for the frames' data key."""

    plugin = Cpt(SoftFileStore, "", write_path_template="2026/%m/", root="/data")

    def make_data_key(self) -> dict[str, Any]:
        return {"shape": [2, 3], "source": "SIM:soft", "dtype": "array", "external": "FILESTORE:"}


def test_path_templates_are_taken_below_the_root() -> None:
    store = SoftFileStore(name="store", write_path_template="a/%Y", root="/data")
    assert store.write_path_template == "/data/a/%Y"
    assert store.read_path_template == "/data/a/%Y/"  # the read path has the trailing separator
    store.write_path_template = "/data/b/"
    assert store.write_path_template == "/data/b"
    store.write_path_template = "/data/"  # the root itself counts as below it, as in classic
    assert (store.write_path_template, store.read_path_template) == ("/data", "/data/")
    store.write_path_template = "/elsewhere/b"
    with pytest.raises(ValueError, match="root '/data' is not consistent with write_path_template"):
        store.write_path_template  # noqa: B018
    # a separate read path: the write path is the IOC's business, only the read path is checked
    store.read_path_template = "/data/mnt/b"
    assert store.write_path_template == "/elsewhere/b"
    assert store.read_path_template == "/data/mnt/b/"
    windows = SoftFileStore(
        name="w", write_path_template="C:\\data\\%Y", read_path_template="/data/%Y", path_semantics="windows"
    )
    assert windows.write_path_template == "C:\\data\\%Y"


def test_the_root_is_absolute_and_a_template_may_be_the_root_itself() -> None:
    """As classic 1.11: a write path of ``.`` is the root (inclusive check); a relative root is refused."""
    store = SoftFileStore(name="store", write_path_template=".", root="/data/run")
    assert store.write_path_template == "/data/run"
    assert store.read_path_template == "/data/run/"
    store.write_path_template = "/data/run"
    assert store.write_path_template == "/data/run"
    with pytest.raises(ValueError, match="store: The root part of the path must be absolute"):
        store.reg_root = "."
    assert store.reg_root == PurePath("/data/run")  # unchanged
    with pytest.raises(ValueError, match="The root part of the path must be absolute"):
        SoftFileStore(name="s", write_path_template="a", root="relative/root")


def test_constructor_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="unknown path_semantics 'dos'"):
        SoftFileStore(name="s", write_path_template="/a", path_semantics="dos")
    with pytest.raises(TypeError):
        SoftFileStore(name="s")  # write_path_template is required
    with pytest.raises(TypeError, match="no_such_keyword"):
        SoftFileStore(name="s", write_path_template="/a", no_such_keyword=1)


def test_deprecated_fs_names_warn() -> None:
    registry = object()
    with pytest.warns(DeprecationWarning, match="pass the registry as reg"):
        store = SoftFileStore(name="s", write_path_template="/a", fs=registry)
    assert store._reg is registry
    with pytest.warns(DeprecationWarning, match="use reg_root"):
        assert str(store.fs_root) == "/"


def test_a_sub_device_whose_stage_returns_none_is_staged() -> None:
    """Classic code often writes ``def stage(self): super().stage()``; the parent stages it all the same."""

    class Quiet(Device):
        def stage(self) -> Any:
            super().stage()

    class Parent(Device):
        child = Cpt(Quiet, "")

    parent = Parent(name="p")
    assert parent.stage() == [parent, parent.child]
    assert parent.child._staged == Staged.yes
    parent.unstage()
    assert parent.child._staged == Staged.no


def test_make_filename_formats_the_date(offline: None) -> None:
    store = HDF5PluginWithFileStore(
        "NO:SUCH:", name="h", write_path_template="/w/%Y/%m/%d/", read_path_template="/r/%Y/%m/%d/"
    )
    before = datetime.now()
    filename, read_path, write_path = store.make_filename()
    after = datetime.now()
    assert len(filename.split("-")) == 4
    assert write_path in {before.strftime("/w/%Y/%m/%d"), after.strftime("/w/%Y/%m/%d")}
    assert read_path in {before.strftime("/r/%Y/%m/%d/"), after.strftime("/r/%Y/%m/%d/")}


def test_datums_readings_and_the_key_lock() -> None:
    det = SoftDetector(name="soft")
    store = det.plugin
    store.stage()
    try:
        store._fn = "/data/2026/x.h5"
        store._generate_resource({"frame_per_point": 1})
        ids = [store.generate_datum("soft_image", 100.0 + i, {}) for i in range(2)]
        docs = list(store.collect_asset_docs())
        assert [name for name, _ in docs] == ["resource", "datum", "datum"]
        resource = docs[0][1]
        assert (resource["spec"], resource["root"], resource["resource_path"]) == (
            "TEST_SPEC",
            "/data",
            "2026/x.h5",
        )
        assert [doc["datum_kwargs"] for _, doc in docs[1:]] == [{"point_number": 0}, {"point_number": 1}]
        assert ids == [f"{resource['uid']}/0", f"{resource['uid']}/1"]
        assert list(store.collect_asset_docs()) == []  # each document is handed out once
        assert det.read()["soft_image"] == {"value": ids[1], "timestamp": 101.0}
        assert det.describe()["soft_image"]["external"] == "FILESTORE:"
        with pytest.raises(RuntimeError, match="cannot add the data key 'dark'"):
            store.generate_datum("dark", 102.0, {})  # described while staged: keys are locked
    finally:
        store.unstage()
    with pytest.raises(RuntimeError, match="before stage"):
        store.generate_datum("soft_image", 103.0, {})


def test_a_file_outside_the_root_is_refused() -> None:
    store = SoftFileStore(name="s", write_path_template="/data/a")
    store.reg_root = "/data"
    store._fn = "/other/x.h5"
    store.filestore_spec = "AD_HDF5"
    with pytest.raises(ValueError, match="not below the root '/data'"):
        store._generate_resource({})


def test_acquisition_end_is_a_falling_edge_or_a_newer_zero() -> None:
    trigger = TriggerBase.__new__(TriggerBase)
    trigger._acquire_since = 10.0
    assert trigger._acquisition_ended(0, 1, 5.0)  # 1 -> 0
    assert trigger._acquisition_ended(0, 0, 11.0)  # 1 and 0 arrived as one update, after the start
    assert not trigger._acquisition_ended(0, 0, 10.0)  # a posting from before the acquisition
    assert not trigger._acquisition_ended(1, 0, 11.0)


def test_multi_trigger_needs_a_cycle(offline: None) -> None:
    class Multi(MultiTrigger, SimDetector):
        pass

    with pytest.raises(ValueError, match="trigger_cycle"):
        Multi("NO:SUCH:", name="m")


def test_trigger_status_reports_the_part_still_to_do() -> None:
    counter = Signal(name="counter", value=10)
    status = TriggerStatus(counter, Signal(name="target", value=4), Device("", name="soft"))
    progress: list[dict[str, Any]] = []
    status.watch(lambda **kw: progress.append(kw))
    counter.put(11)
    counter.put(14)
    wait_for(lambda: len(progress) == 2, TIMEOUT, "two progress reports")
    # as classic's (and a move's): 1 at the start, 0 once the target is reached
    assert [(p["current"], p["target"], p["fraction"]) for p in progress] == [(1, 4, 0.75), (4, 4, 0.0)]
    assert progress[-1]["time_remaining"] == 0 and progress[0]["unit"] == "images"
    assert progress[0]["time_remaining"] == pytest.approx(3 * progress[0]["time_elapsed"])  # 3/4 still to do
    status.set_finished()
    status.wait(TIMEOUT)


def test_trigger_statuses_need_their_plugin(offline: None) -> None:
    with pytest.raises(RuntimeError, match="has a camera"):
        ADTriggerStatus(Device("", name="soft"))
    with pytest.raises(RuntimeError, match="CircularBuffPlugin"):
        NDCircularBuffTriggerStatus(SimDetector("NO:SUCH:", name="d"))


class BufferedDetector(ContinuousAcquisitionTrigger, SimDetector):
    """Classic's circular-buffer trigger on a SimDetector, as a beamline declares it."""

    cb = Cpt(CircularBuffPlugin_V34, "CB1:")


def test_continuous_acquisition_trigger_has_classics_stage_sigs(offline: None) -> None:
    with pytest.raises(RuntimeError, match="CircularBuffPlugin"):
        type("NoBuffer", (ContinuousAcquisitionTrigger, SimDetector), {})("NO:SUCH:", name="d")
    det = BufferedDetector("NO:SUCH:", name="det")
    try:
        assert [(key, int(value)) for key, value in det.stage_sigs.items()] == [
            ("cam.image_mode", 2),
            ("cam.acquire", 1),
            ("cb.flush_on_soft_trigger", 0),
            ("cb.preset_trigger_count", 0),
            ("cb.pre_count", 0),
            ("cb.capture", 1),
        ]
        assert det._image_name == "det_image" and det._trigger_signal is det.cb.trigger_
        assert det._status_type is NDCircularBuffTriggerStatus
        with pytest.raises(RuntimeError, match="not ready to trigger"):
            det.trigger()
    finally:
        det.destroy()


class SoftCam(Device):
    ImageMode = SimDetector.cam.cls.ImageMode
    image_mode = Cpt(Signal, value=1)
    acquire = Cpt(Signal, value=0)


class SoftBuffer(Device):
    flush_on_soft_trigger = Cpt(Signal, value=1)
    preset_trigger_count = Cpt(Signal, value=1)
    pre_count = Cpt(Signal, value=5)
    capture = Cpt(Signal, value=0)
    trigger_ = Cpt(Signal, value=0)
    post_trigger_qty = Cpt(Signal, value=0)
    post_count = Cpt(Signal, value=3)


class SoftBufferedDetector(ContinuousAcquisitionTrigger, Device):
    """The circular-buffer trigger on soft signals: a camera and a buffer that do what they are told."""

    cam = Cpt(SoftCam, "")
    cb = Cpt(SoftBuffer, "")


# trigger() puts with wait=False, as classic's does to the buffer's EPICS signal; a soft signal ignores it
@pytest.mark.filterwarnings("ignore:Signal.put of 'det_cb_trigger_'")
def test_continuous_acquisition_trigger_finishes_when_the_buffers_trigger_returns_to_0() -> None:
    det = SoftBufferedDetector("", name="det")
    det.stage()
    try:
        assert (det.cam.image_mode.get(), det.cam.acquire.get(), det.cb.capture.get()) == (2, 1, 1)
        assert (det.cb.pre_count.get(), det.cb.preset_trigger_count.get()) == (0, 0)
        status = det.trigger()
        assert isinstance(status, NDCircularBuffTriggerStatus) and det.cb.trigger_.get() == 1
        assert not status.done
        det.cb.trigger_.put(0)  # the buffer has saved its frames
        status.wait(TIMEOUT)
    finally:
        det.unstage()
    assert (det.cam.image_mode.get(), det.cam.acquire.get(), det.cb.pre_count.get()) == (1, 0, 5)


# -- system: classic beamline code against the pattern IOC ------------------------------------------------
class HDF5PluginWithFileStore(HDF5Plugin, FileStoreHDF5IterativeWrite):
    """Classic's usual HDF5 plugin with file-store documents."""


class HDF5PluginV22WithFileStore(HDF5Plugin_V22, FileStoreHDF5IterativeWrite):
    """An ADCore 2.2+ HDF5 plugin (it has CreateDirectory) with file-store documents."""


def make_detector(prefix: str, root: Path, template: str, plugin: type = HDF5PluginWithFileStore) -> Any:
    """Classic beamline code: a SingleTrigger SimDetector with an HDF5 file-store plugin and stats."""

    class MyDetector(SingleTrigger, SimDetector):
        hdf1 = Cpt(plugin, "HDF1:", write_path_template=template, root=str(root))
        stats1 = Cpt(StatsPlugin, "Stats1:")

    det = MyDetector(prefix + "BDET:", name="det")
    det.read_attrs = ["hdf1", "stats1"]
    det.stats1.read_attrs = ["total"]
    return det


def staged_settings(det: Any) -> dict[str, Any]:
    """The values of every signal the detector's stage_sigs touch, the cam's and the plugins' too."""
    signals = [
        det.cam.acquire,
        det.cam.image_mode,
        det.cam.array_callbacks,
        det.hdf1.enable,
        det.hdf1.blocking_callbacks,
        det.hdf1.auto_increment,
        det.hdf1.auto_save,
        det.hdf1.num_capture,
        det.hdf1.file_template,
        det.hdf1.file_write_mode,
        det.hdf1.capture,
        det.stats1.enable,
        det.stats1.blocking_callbacks,
    ]
    return {sig.name: sig.get() for sig in signals}


@pytest.fixture
def det(pattern_prefix: str, tmp_path: Path) -> Iterator[Any]:
    det = make_detector(pattern_prefix, tmp_path, str(tmp_path / "%Y" / "%m" / "%d"))
    det.wait_for_connection(timeout=TIMEOUT)
    if not sum(det.hdf1.array_size.get()):
        det.hdf1.warmup()  # a fresh IOC's plugin has seen no frame yet: classic refuses to stage it unprimed
    exposure = det.cam.acquire_time.get()
    det.cam.acquire_time.set(0.02).wait(TIMEOUT)
    try:
        yield det
    finally:
        det.unstage()
        det.cam.acquire_time.set(exposure).wait(TIMEOUT)
        det.destroy()


@pytest.fixture
def documents(RE: RunEngine) -> list[tuple[str, dict[str, Any]]]:
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    return docs


def use_directory(det: Any, path: Path) -> None:
    """Have the detector's plugin write into ``path`` (below the root, made now)."""
    path.mkdir(parents=True, exist_ok=True)
    det.hdf1.write_path_template = str(path)


def read_frames(path: str) -> np.ndarray:
    with h5py.File(path, "r", swmr=True) as f:
        return np.asarray(f["/entry/data/data"][()])


def test_count_makes_classic_documents_and_the_file_holds_the_frames(
    det: Any, RE: RunEngine, documents: list[tuple[str, dict[str, Any]]], pattern_prefix: str, tmp_path: Path
) -> None:
    os.makedirs(datetime.now().strftime(str(tmp_path / "%Y" / "%m" / "%d")), exist_ok=True)
    before = staged_settings(det)
    RE(count([det], 3))

    for name, doc in documents:
        schema_validators[DocumentNames[name]].validate(doc)  # event-model's schemas
    names = [name for name, _ in documents]
    assert names.count("resource") == 1 and names.count("datum") == 3 and names.count("event") == 3
    assert names.index("resource") < names.index("datum") < names.index("event")
    (descriptor,) = [doc for name, doc in documents if name == "descriptor"]
    data_key = descriptor["data_keys"]["det_image"]
    assert list(data_key["shape"]) == [1, *FRAME_SHAPE]
    assert (data_key["source"], data_key["dtype"], data_key["external"]) == (
        f"PV:{pattern_prefix}BDET:",
        "array",
        "FILESTORE:",
    )
    (resource,) = [doc for name, doc in documents if name == "resource"]
    assert (resource["spec"], resource["root"], resource["path_semantics"]) == (
        "AD_HDF5",
        str(tmp_path),
        "posix",
    )
    assert resource["resource_kwargs"] == {"frame_per_point": 1}
    path = os.path.join(resource["root"], resource["resource_path"])
    assert path == det.hdf1.full_file_name.get()
    assert path.startswith(datetime.now().strftime(str(tmp_path / "%Y" / "%m" / "%d")))
    assert path.endswith("_000000.h5")
    datums = [doc for name, doc in documents if name == "datum"]
    assert [d["datum_kwargs"] for d in datums] == [{"point_number": i} for i in range(3)]
    assert [d["datum_id"] for d in datums] == [f"{resource['uid']}/{i}" for i in range(3)]
    events = [doc for name, doc in documents if name == "event"]
    assert [e["data"]["det_image"] for e in events] == [d["datum_id"] for d in datums]
    assert all(e["filled"] == {"det_image": False} for e in events)

    frames = read_frames(path)
    assert frames.shape == (3, *FRAME_SHAPE)
    # the statistics plugin saw the same frames the file holds, one per event
    assert [e["data"]["det_stats1_total"] for e in events] == [float(blob_sum(frame)) for frame in frames]
    assert det._staged == Staged.no
    assert staged_settings(det) == before


def test_an_aborted_run_ends_unstaged_with_the_file_closed(
    det: Any, RE: RunEngine, documents: list[tuple[str, dict[str, Any]]], tmp_path: Path
) -> None:
    use_directory(det, tmp_path / "frames")
    before = staged_settings(det)
    pending: list[Any] = []

    @bpp.stage_decorator([det])
    @bpp.run_decorator()
    def interrupted() -> Any:
        for _ in range(2):
            yield from bps.trigger_and_read([det])
        yield from bps.mv(det.cam.acquire_time, 30.0)
        pending.append((yield from bps.trigger(det, group="never")))  # an acquisition only unstage() ends
        yield from bps.pause()

    with pytest.raises(RunEngineInterrupted):
        RE(interrupted())
    assert RE.state == "paused"
    RE.abort()
    (stop,) = [doc for name, doc in documents if name == "stop"]
    assert stop["exit_status"] == "abort"
    assert det._staged == Staged.no
    assert det.cam.acquire.get() == 0  # unstage stopped the 30 s exposure
    assert pending[0].done  # its trigger ended with it, as in classic: nothing waits for it forever
    assert staged_settings(det) == before
    (resource,) = [doc for name, doc in documents if name == "resource"]
    frames = read_frames(os.path.join(resource["root"], resource["resource_path"]))
    assert frames.shape == (2, *FRAME_SHAPE)  # the frames of the two events, and the file is closed


def test_trigger_finishes_when_the_acquisition_posts_start_and_end_at_once(det: Any, tmp_path: Path) -> None:
    """With no exposure time the readback's 1 and 0 may reach the client as one update: still done."""
    use_directory(det, tmp_path / "frames")
    det.cam.acquire_time.set(0.0).wait(TIMEOUT)
    det.stage()
    for _ in range(5):
        det.trigger().wait(TIMEOUT)
    assert det.hdf1.num_captured.get() == 5
    det.unstage()


def test_trigger_status_reports_progress_and_refuses_an_unstaged_detector(det: Any, tmp_path: Path) -> None:
    use_directory(det, tmp_path / "frames")
    with pytest.raises(RuntimeError, match="not ready to trigger"):
        det.trigger()
    images = det.cam.num_images.get()
    det.cam.num_images.set(3).wait(TIMEOUT)
    try:
        det.stage()
        status = det.trigger()
        assert isinstance(status, ADTriggerStatus)
        progress: list[dict[str, Any]] = []
        status.watch(lambda **kw: progress.append(kw))
        status.wait(TIMEOUT)
        wait_for(lambda: progress and progress[-1]["current"] == 3, TIMEOUT, "the third image reported")
        assert progress[-1]["target"] == 3 and progress[-1]["fraction"] == 0.0  # the part still to do
        assert progress[-1]["unit"] == "images" and progress[-1]["name"] == "det"
        assert det.hdf1.num_captured.get() == 3
    finally:
        det.unstage()
        det.cam.num_images.set(images).wait(TIMEOUT)


def test_the_ioc_creates_the_dated_directory(pattern_prefix: str, tmp_path: Path) -> None:
    """An ADCore 2.2+ plugin has CreateDirectory: the IOC makes the missing date directories at stage()."""
    det = make_detector(
        pattern_prefix, tmp_path, str(tmp_path / "%Y" / "%m" / "%d"), HDF5PluginV22WithFileStore
    )
    try:
        det.wait_for_connection(timeout=TIMEOUT)
        if not sum(det.hdf1.array_size.get()):
            det.hdf1.warmup()
        expected = datetime.now().strftime(str(tmp_path / "%Y" / "%m" / "%d"))
        assert not os.path.exists(expected)
        det.stage()
        assert os.path.isdir(expected)
        assert det.hdf1.full_file_name.get().startswith(expected + "/")
    finally:
        det.unstage()
        det.destroy()


def test_stage_fails_cleanly_when_the_directory_is_missing(det: Any, tmp_path: Path) -> None:
    det.hdf1.write_path_template = str(tmp_path / "missing")  # no such directory, and the IOC makes none
    before = staged_settings(det)
    with pytest.raises(OSError, match=r"missing.*FilePathExists_RBV\) does not exist"):
        det.stage()
    assert det._staged == Staged.no
    assert staged_settings(det) == before


def test_multi_trigger_takes_each_acquisition_of_the_cycle(pattern_prefix: str, tmp_path: Path) -> None:
    """Classic's MultiTrigger: one trigger() takes a 'dark' and a 'light' frame with their own settings."""

    class MultiDetector(MultiTrigger, SimDetector):
        hdf1 = Cpt(
            HDF5PluginWithFileStore, "HDF1:", write_path_template=str(tmp_path / "frames"), root=str(tmp_path)
        )

    det = MultiDetector(pattern_prefix + "BDET:", name="multi", trigger_cycle=[])
    det.read_attrs = ["hdf1"]
    exposure = det.cam.acquire_time.get()
    det.trigger_cycle = [[("dark", {det.cam.acquire_time: 0.01}), ("light", {det.cam.acquire_time: 0.02})]]
    (tmp_path / "frames").mkdir()
    try:
        det.wait_for_connection(timeout=TIMEOUT)
        if not sum(det.hdf1.array_size.get()):
            det.hdf1.warmup()
        det.stage()
        for _ in range(2):
            det.trigger().wait(TIMEOUT)
        reading = det.read()
        assert reading["dark"]["value"].endswith("/2") and reading["light"]["value"].endswith("/3")
        datums = [doc for name, doc in det.collect_asset_docs() if name == "datum"]
        assert [d["datum_kwargs"]["point_number"] for d in datums] == [0, 1, 2, 3]
        assert det.hdf1.num_captured.get() == 4
        assert det.cam.acquire_time.get() == pytest.approx(0.02)
    finally:
        det.unstage()
        det.cam.acquire_time.set(exposure).wait(TIMEOUT)
        det.destroy()


def test_statistics_plugin_reports_the_frame_in_the_file(det: Any, tmp_path: Path) -> None:
    use_directory(det, tmp_path / "frames")
    det.stage()
    try:
        det.trigger().wait(TIMEOUT)
        stats = {attr: getattr(det.stats1, attr).get() for attr in ("total", "mean_value", "max_value")}
        centroid = (det.stats1.centroid.x.get(), det.stats1.centroid.y.get())
        path = det.hdf1.full_file_name.get()
    finally:
        det.unstage()
    frame = read_frames(path)[0].astype(float)
    assert stats == pytest.approx(
        {"total": frame.sum(), "mean_value": frame.mean(), "max_value": frame.max()}
    )
    rows, cols = np.indices(frame.shape)
    weights = np.where(frame >= 1.0, frame, 0.0)  # the IOC's CentroidThreshold is 1
    expected = ((weights * cols).sum() / weights.sum(), (weights * rows).sum() / weights.sum())
    assert centroid == pytest.approx(expected, abs=1e-3)


# -- TIFF: one file per frame ---------------------------------------------------------------------------
class TIFFPluginWithFileStore(TIFFPlugin, FileStoreTIFFIterativeWrite):
    """Classic's usual TIFF plugin with file-store documents."""


def test_count_with_a_tiff_plugin_writes_a_file_per_frame(
    pattern_prefix: str, RE: RunEngine, documents: list[tuple[str, dict[str, Any]]], tmp_path: Path
) -> None:
    class TIFFDetector(SingleTrigger, SimDetector):
        tiff1 = Cpt(
            TIFFPluginWithFileStore, "TIFF1:", write_path_template=str(tmp_path / "tiff"), root=str(tmp_path)
        )
        stats1 = Cpt(StatsPlugin, "Stats1:")

    (tmp_path / "tiff").mkdir()
    det = TIFFDetector(pattern_prefix + "BDET:", name="det")
    det.read_attrs = ["tiff1", "stats1"]
    det.stats1.read_attrs = ["total"]
    stage_x = EpicsSignalRO(pattern_prefix + "STAGE:X.RBV", name="x")
    stage_y = EpicsSignalRO(pattern_prefix + "STAGE:Y.RBV", name="y")
    det.wait_for_connection(timeout=TIMEOUT)
    stage_x.wait_for_connection(timeout=TIMEOUT)
    stage_y.wait_for_connection(timeout=TIMEOUT)
    exposure = det.cam.acquire_time.get()
    det.cam.acquire_time.set(0.02).wait(TIMEOUT)
    plugin = det.tiff1
    settings = [
        plugin.enable,
        plugin.blocking_callbacks,
        plugin.auto_increment,
        plugin.auto_save,
        plugin.num_capture,
        plugin.file_template,
        plugin.file_write_mode,
        plugin.array_counter,
    ]
    try:
        before = [sig.get() for sig in settings]
        RE(count([det], 3))
        after = [sig.get() for sig in settings]
        # the camera's frames: blob_frame at the stage position (the stage does not move in this test)
        expected = blob_frame(stage_x.get(), stage_y.get(), 0.02)
    finally:
        det.unstage()
        det.cam.acquire_time.set(exposure).wait(TIMEOUT)
        for sig in (det, stage_x, stage_y):
            sig.destroy()

    for name, doc in documents:
        schema_validators[DocumentNames[name]].validate(doc)  # event-model's schemas
    names = [name for name, _ in documents]
    assert names.count("resource") == 1 and names.count("datum") == 3 and names.count("event") == 3
    (resource,) = [doc for name, doc in documents if name == "resource"]
    assert (resource["spec"], resource["root"], resource["resource_path"]) == (
        "AD_TIFF",
        str(tmp_path),
        "tiff",
    )
    kwargs = resource["resource_kwargs"]
    assert kwargs["template"] == "%s%s_%6.6d.tiff" and kwargs["frame_per_point"] == 1
    datums = [doc for name, doc in documents if name == "datum"]
    assert [d["datum_kwargs"] for d in datums] == [{"point_number": i} for i in range(3)]
    events = [doc for name, doc in documents if name == "event"]
    assert [e["data"]["det_image"] for e in events] == [d["datum_id"] for d in datums]

    # as classic's AD_TIFF handler names them: the template applied to (directory, filename, point_number)
    directory = os.path.join(resource["root"], resource["resource_path"]) + os.sep
    paths = [kwargs["template"] % (directory, kwargs["filename"], i) for i in range(3)]
    assert sorted(os.listdir(tmp_path / "tiff")) == [os.path.basename(p) for p in paths]
    frames = [read_tiff(p) for p in paths]
    assert expected.max() > 0  # a blob, not a dark frame
    assert all(np.array_equal(frame, expected) for frame in frames)
    assert [e["data"]["det_stats1_total"] for e in events] == [float(blob_sum(f)) for f in frames]
    assert det._staged == Staged.no
    assert after == before


# -- ROI: a region passed on to the statistics plugin ------------------------------------------------------
def test_statistics_of_a_region_from_the_roi_plugin(pattern_prefix: str) -> None:
    """Classic's ROIPlugin cuts the frame; the statistics plugin, fed from its port, sees only the region."""

    class ROIDetector(SingleTrigger, SimDetector):
        roi1 = Cpt(ROIPlugin, "ROI1:")
        stats1 = Cpt(StatsPlugin, "Stats1:")

    det = ROIDetector(pattern_prefix + "BDET:", name="det")
    stage_x = EpicsSignalRO(pattern_prefix + "STAGE:X.RBV", name="x")
    stage_y = EpicsSignalRO(pattern_prefix + "STAGE:Y.RBV", name="y")
    for device in (det, stage_x, stage_y):
        device.wait_for_connection(timeout=TIMEOUT)
    det.stats1.stage_sigs["nd_array_port"] = det.roi1.port_name.get()
    exposure = det.cam.acquire_time.get()
    region = {"x": [100, 50], "y": [60, 40]}
    before = {
        axis: [getattr(det.roi1.min_xyz, f"min_{axis}").get(), getattr(det.roi1.size, axis).get()]
        for axis in "xy"
    }
    try:
        det.cam.acquire_time.set(0.02).wait(TIMEOUT)
        det.roi1.set(region).wait(TIMEOUT)
        det.stage()
        try:
            det.trigger().wait(TIMEOUT)
            total, maximum = det.stats1.total.get(), det.stats1.max_value.get()
            size = det.roi1.array_size.get()
            port = det.stats1.nd_array_port.get()
        finally:
            det.unstage()
        restored = det.stats1.nd_array_port.get()
        frame = blob_frame(stage_x.get(), stage_y.get(), 0.02)
    finally:
        det.roi1.set(before).wait(TIMEOUT)
        det.cam.acquire_time.set(exposure).wait(TIMEOUT)
        for device in (det, stage_x, stage_y):
            device.destroy()
    assert port == "ROI1" and restored != "ROI1"  # staged, then restored
    assert (size.z, size.y, size.x) == (0, 40, 50)
    cut = frame[60:100, 100:150]
    assert (total, maximum) == (float(blob_sum(cut)), float(cut.max()))
    assert total < blob_sum(frame)  # the region, not the whole frame


# -- ContinuousAcquisitionTrigger: triggers taken from a circular buffer -----------------------------------
def _setting(det: Any, dotted: str) -> Any:
    """The value of the signal ``dotted`` (``'cam.acquire'``) names in ``det``."""
    return functools.reduce(getattr, dotted.split("."), det).get()


def test_continuous_acquisition_trigger_takes_frames_from_the_circular_buffer(pattern_prefix: str) -> None:
    """Classic's test_continuous_acquisition_trigger against the pattern IOC's camera and BDET:CB1: buffer."""
    det = BufferedDetector(pattern_prefix + "BDET:", name="det")
    restored = list(det.stage_sigs)
    before = {name: _setting(det, name) for name in restored}
    exposure, post_count = det.cam.acquire_time.get(), det.cb.post_count.get()
    det.cam.acquire_time.set(0.02).wait(TIMEOUT)
    det.cb.post_count.set(2).wait(TIMEOUT)
    try:
        with pytest.raises(RuntimeError, match="not ready to trigger"):
            det.trigger()
        det.stage()
        assert (det.cb.pre_count.get(), det.cb.capture.get(), det.cb.preset_trigger_count.get()) == (0, 1, 0)
        assert det.cb.flush_on_soft_trigger.get() == "OnNewImage"
        assert det.cam.image_mode.get() == det.cam.ImageMode.CONTINUOUS and det.cam.acquire.get() == 1
        status = det.trigger()
        assert isinstance(status, NDCircularBuffTriggerStatus)
        progress: list[dict[str, Any]] = []
        status.watch(lambda **kw: progress.append(kw))
        status.wait(TIMEOUT)
        assert (det.cb.trigger_.get(), det.cb.post_trigger_qty.get()) == (0, 2)
        wait_for(
            lambda: bool(progress) and progress[-1]["current"] == 2, TIMEOUT, "the second frame reported"
        )
        assert progress[-1]["target"] == 2 and progress[-1]["fraction"] == 0.0  # nothing left to do
        det.trigger().wait(TIMEOUT)
        det.trigger().wait(TIMEOUT)
        assert det.cb.actual_trigger_count.get() == 3  # the buffer kept capturing (preset_trigger_count 0)
    finally:
        det.unstage()
        det.cam.acquire_time.set(exposure).wait(TIMEOUT)
        det.cb.post_count.set(post_count).wait(TIMEOUT)
        after = {name: _setting(det, name) for name in restored}
        det.destroy()
    assert after == before  # unstage() put every setting back, and stopped the camera
    assert after["cam.acquire"] == 0


def test_a_buffer_trigger_that_ends_at_once_finishes(pattern_prefix: str) -> None:
    """With FlushOnSoftTrg = Immediately and PostCount 0 the buffer's Trigger_RBV posts 1 and 0 together; the
    subscriber may see only the 0, and each trigger must still finish (a 1 -> 0 edge alone missed most)."""
    det = BufferedDetector(pattern_prefix + "BDET:", name="det")
    post_count = det.cb.post_count.get()
    det.cb.post_count.set(0).wait(TIMEOUT)
    det.stage_sigs["cb.flush_on_soft_trigger"] = 1  # Immediately
    det.stage()
    try:
        for _ in range(10):
            det.trigger().wait(TIMEOUT)
        assert det.cb.actual_trigger_count.get() == 10
    finally:
        det.unstage()
        det.cb.post_count.set(post_count).wait(TIMEOUT)
        det.destroy()
