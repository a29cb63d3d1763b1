"""The demo's devices (sophyd.sim.devices) on the session's pattern IOC, under a real RunEngine.

SimPointDetector readings must follow ``sophyd.sim.pattern`` for the stage positions; SimBlobDetector writes
HDF5 files through the IOC's file plugin and announces them with stream_resource/stream_datum documents.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import bluesky.plans as bp
import h5py
import numpy as np
import pytest
from bluesky import RunEngine
from event_model import DocumentNames, schema_validators

from sophyd import Staged
from sophyd.areadetector import FileWriteError
from sophyd.paths import StaticFilenameProvider, StaticPathProvider, UUIDFilenameProvider
from sophyd.sim.devices import SimBlobDetector, SimPointDetector, SimStage
from sophyd.sim.pattern import blob_frame, blob_sum, point_value

TIMEOUT = 10.0
Docs = list[tuple[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def stage(pattern_prefix: str) -> Iterator[SimStage]:
    """The demo stage, made fast; back at (0, 0) and its old speed after the module."""
    stage = SimStage(pattern_prefix, name="stage")
    stage.wait_for_connection(timeout=TIMEOUT)
    saved = [(m, m.velocity.get(), m.acceleration.get()) for m in (stage.x, stage.y)]
    for motor in (stage.x, stage.y):
        motor.velocity.set(1000.0).wait(TIMEOUT)
        motor.acceleration.set(0.01).wait(TIMEOUT)
    yield stage
    for motor, velocity, acceleration in saved:
        motor.set(0.0).wait(TIMEOUT)
        motor.velocity.set(velocity).wait(TIMEOUT)
        motor.acceleration.set(acceleration).wait(TIMEOUT)


@pytest.fixture
def pdet(pattern_prefix: str) -> SimPointDetector:
    det = SimPointDetector(pattern_prefix + "PDET:", name="pdet")
    det.wait_for_connection(timeout=TIMEOUT)
    return det


def make_bdet(
    prefix: str, directory: Path, name: str = "bdet", cls: type[SimBlobDetector] = SimBlobDetector
) -> SimBlobDetector:
    det = cls(
        prefix + "BDET:", path_provider=StaticPathProvider(UUIDFilenameProvider(), directory), name=name
    )
    det.wait_for_connection(timeout=TIMEOUT)
    return det


@pytest.fixture
def bdet(pattern_prefix: str, tmp_path: Path) -> Iterator[SimBlobDetector]:
    det = make_bdet(pattern_prefix, tmp_path)
    yield det
    with contextlib.suppress(Exception):
        det.unstage()  # a failed test must not leave the IOC capturing


@pytest.fixture
def RE() -> tuple[RunEngine, Docs]:
    docs: Docs = []
    engine = RunEngine({})
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    return engine, docs


def _validate(docs: Docs) -> None:
    """Every document is valid against event-model's schema."""
    for name, doc in docs:
        schema_validators[DocumentNames[name]].validate(doc)


def _events(docs: Docs) -> list[dict[str, Any]]:
    return [doc for name, doc in docs if name == "event"]


def test_grid_scan_of_point_detector_follows_the_pattern(
    RE: tuple[RunEngine, Docs], stage: SimStage, pdet: SimPointDetector
) -> None:
    engine, docs = RE
    exposure = pdet.acquire_time.get()
    pdet.channel2.mode.set("High Energy").wait(TIMEOUT)
    try:
        engine(bp.grid_scan([pdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    finally:
        pdet.channel2.mode.set("Low Energy").wait(TIMEOUT)
    _validate(docs)
    events = _events(docs)
    assert len(events) == 9
    positions = [(e["data"]["stage_x"], e["data"]["stage_y"]) for e in events]
    expected_grid = [(x, y) for x in (1.0, 1.5, 2.0) for y in (2.0, 2.5, 3.0)]
    np.testing.assert_allclose(positions, expected_grid, atol=1e-6)
    for event, (x, y) in zip(events, positions, strict=True):
        for channel, mode in ((1, False), (2, True), (3, False)):
            measured = event["data"][f"pdet_channel{channel}_value"]
            assert measured == point_value(x, y, exposure, channel, mode), (channel, x, y)
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["hints"]["pdet"]["fields"] == [f"pdet_channel{i}_value" for i in (1, 2, 3)]
    config = descriptor["configuration"]["pdet"]["data"]
    assert config["pdet_acquire_time"] == exposure and config["pdet_channel2_mode"] == "High Energy"


def _stream_checks(docs: Docs, frames: int) -> dict[str, dict[str, Any]]:
    """Check the stream documents of one run; return its stream_resource documents by data key."""
    resources = {doc["data_key"]: doc for name, doc in docs if name == "stream_resource"}
    assert set(resources) == {"bdet", "bdet_sum"}
    uris = {doc["uri"] for doc in resources.values()}
    assert len(uris) == 1 and next(iter(uris)).startswith("file://localhost/")
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    for key, shape in (("bdet", [240, 320]), ("bdet_sum", [])):
        data_key = descriptor["data_keys"][key]
        assert data_key["external"] == "STREAM:" and data_key["shape"] == shape
    for key, resource in resources.items():
        datums = [
            doc for name, doc in docs if name == "stream_datum" and doc["stream_resource"] == resource["uid"]
        ]
        assert datums, key
        assert all(d["descriptor"] == descriptor["uid"] for d in datums)
        starts = [d["indices"]["start"] for d in datums]
        stops = [d["indices"]["stop"] for d in datums]
        assert starts[0] == 0 and stops[-1] == frames, key
        assert starts[1:] == stops[:-1], (
            f"{key}: indices not contiguous: {list(zip(starts, stops, strict=True))}"
        )
        assert all(stop > start for start, stop in zip(starts, stops, strict=True))
    return resources


def test_grid_scan_of_blob_detector_writes_frames_and_stream_documents(
    RE: tuple[RunEngine, Docs], stage: SimStage, bdet: SimBlobDetector
) -> None:
    engine, docs = RE
    exposure = bdet.cam.acquire_time.get()
    engine(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    _validate(docs)
    assert bdet._staged == Staged.no
    events = _events(docs)
    assert len(events) == 9
    resources = _stream_checks(docs, frames=9)
    path = resources["bdet"]["uri"][len("file://localhost") :]
    assert resources["bdet"]["parameters"]["dataset"] == "/entry/data/data"
    assert resources["bdet_sum"]["parameters"]["dataset"] == "/entry/sum"
    with h5py.File(path, "r") as f:  # no swmr: the IOC has closed it
        frames = f["/entry/data/data"][()]
        sums = f["/entry/sum"][()]
    assert frames.shape == (9, 240, 320) and frames.dtype == np.uint8
    for i, event in enumerate(events):
        x, y = event["data"]["stage_x"], event["data"]["stage_y"]
        np.testing.assert_array_equal(frames[i], blob_frame(x, y, exposure))
        assert sums[i] == blob_sum(frames[i])
    assert len(set(sums.tolist())) > 1  # the intensity follows the stage


def test_interrupted_plan_unstages_and_keeps_every_frame(
    RE: tuple[RunEngine, Docs], stage: SimStage, bdet: SimBlobDetector
) -> None:
    engine, docs = RE
    points = []

    def per_step(detectors: Any, step: Any, pos_cache: Any) -> Generator[Any, Any, Any]:
        if len(points) == 4:
            raise RuntimeError("interrupted half-way")
        points.append(step)
        from bluesky.plan_stubs import one_nd_step

        return (yield from one_nd_step(detectors, step, pos_cache))

    with pytest.raises(RuntimeError, match="half-way"):
        engine(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3, per_step=per_step))
    assert bdet._staged == Staged.no
    assert bdet.hdf.capture_rbv.get(use_monitor=False) == 0
    assert bdet.cam.image_mode.get(use_monitor=False) == "Multiple"
    stop = next(doc for name, doc in docs if name == "stop")
    assert stop["exit_status"] == "fail"
    events = _events(docs)
    assert len(events) == 4
    resources = _stream_checks(docs, frames=4)
    path = resources["bdet"]["uri"][len("file://localhost") :]
    with h5py.File(path, "r") as f:  # closed by the IOC: opens without SWMR
        assert f["/entry/data/data"].shape == (4, 240, 320)
        assert f["/entry/sum"].shape == (4,)


def test_missing_directory_fails_stage_and_leaves_nothing_staged(pattern_prefix: str, tmp_path: Path) -> None:
    det = SimBlobDetector(
        pattern_prefix + "BDET:",
        path_provider=StaticPathProvider(StaticFilenameProvider("frames"), tmp_path / "missing"),
        name="baddet",
    )
    det.wait_for_connection(timeout=TIMEOUT)
    det.cam.num_images.set(3).wait(TIMEOUT)
    det.cam.image_mode.set("Single").wait(TIMEOUT)
    try:
        with pytest.raises(FileWriteError) as info:
            det.stage()
        message = str(info.value)
        assert "baddet" in message and "missing" in message
        assert det._staged == Staged.no
        assert det.cam.num_images.get(use_monitor=False) == 3  # stage_sigs restored
        assert det.cam.image_mode.get(use_monitor=False) == "Single"
        assert det.hdf.capture_rbv.get(use_monitor=False) == 0
        with pytest.raises(Exception, match="staged"):
            det.trigger()
        # Fixed the directory: staging works again, one frame goes to the file.
        (tmp_path / "missing").mkdir()
        det.stage()
        det.trigger().wait(TIMEOUT)
        det.unstage()
        with h5py.File(tmp_path / "missing" / "frames.h5", "r") as f:
            assert f["/entry/data/data"].shape == (1, 240, 320)
    finally:
        det.cam.image_mode.set("Multiple").wait(TIMEOUT)
        det.cam.num_images.set(1).wait(TIMEOUT)


def _file_of(det: SimBlobDetector) -> tuple[np.ndarray, np.ndarray]:
    """The frames and sums of the detector's last file, which the IOC has closed (it opens without SWMR)."""
    with h5py.File(det.hdf.full_file_name.get(use_monitor=False), "r") as f:
        return f["/entry/data/data"][()], f["/entry/sum"][()]


def _abort_during(
    det: SimBlobDetector, engine: RunEngine, triggers: list[float], abort_at: int, offset: float
) -> Any:
    """``det.trigger()`` that aborts the RunEngine ``offset`` s into the exposure of trigger ``abort_at``."""
    triggers.append(time.monotonic())
    if len(triggers) == abort_at:
        threading.Timer(offset, engine.abort).start()
    return type(det).trigger(det)


def test_abort_during_an_exposure_discards_it(RE: tuple[RunEngine, Docs], bdet: SimBlobDetector) -> None:
    """RE.abort() at random points of random exposures: the camera stops at once (the exposure is dropped,
    not finished into this file or joined by the next trigger); the file holds exactly the frames the events
    refer to, each intact."""
    from bluesky.utils import RunEngineInterrupted
    from helpers import ca_read

    engine, docs = RE
    rng = random.Random(20261207)
    exposure = 0.4
    old_exposure = bdet.cam.acquire_time.get()
    bdet.cam.acquire_time.set(exposure).wait(TIMEOUT)
    state_pv = bdet.cam.prefix + "DetectorState_RBV"
    try:
        for _trial in range(5):
            docs.clear()
            abort_at = rng.randint(1, 3)  # which trigger's exposure the abort cuts
            offset = rng.uniform(0.05, exposure / 2)  # and when within it
            triggers: list[float] = []
            bdet.trigger = functools.partial(  # type: ignore[method-assign]
                _abort_during, bdet, engine, triggers, abort_at, offset
            )
            with pytest.raises(RunEngineInterrupted):
                engine(bp.count([bdet], 10))
            aborted = time.monotonic()
            assert ca_read(state_pv, timeout=TIMEOUT).data[0] == b"Idle"  # the exposure was stopped
            assert aborted - triggers[-1] < exposure  # returned before the exposure would have ended
            events = _events(docs)
            assert len(events) == abort_at - 1
            data, sums = _file_of(bdet)  # also when no event (and no document) names the file
            assert len(data) == len(sums) == len(events)
            for frame, total in zip(data, sums, strict=True):
                assert blob_sum(frame) == total
    finally:
        del bdet.trigger
        bdet.cam.acquire_time.set(old_exposure).wait(TIMEOUT)


# -- a run interrupted after a frame was written, before its event ------------------------------------------

#: How a run is interrupted -> the exit_status of its stop document.
INTERRUPTIONS = {"abort": "abort", "stop": "success", "halt": "abort", "exception": "fail"}


def _cut_at(
    det: SimBlobDetector, engine: RunEngine, how: str, where: str, point: int
) -> list[threading.Thread]:
    """Interrupt the run ``how`` at the ``point``-th trigger or reading of ``det``; return the threads started.

    ``where`` is "during its exposure" (right after trigger() started it), "before its documents" (in read(),
    once the frame is in the file, before the RunEngine asks for the stream documents) or "after its
    documents" (once collect_asset_docs() has handed them out, before the RunEngine emits them). bluesky awaits
    a device's coroutine read() and async collect_asset_docs(), so the interruption lands there. RE.abort(),
    stop(), halt() and request_pause() are called from a thread, as from a user's console.
    """
    threads: list[threading.Thread] = []
    triggers = readings = 0

    def start() -> None:
        thread = threading.Thread(target=engine.request_pause if how == "pause" else getattr(engine, how))
        threads.append(thread)
        thread.start()

    async def interrupt() -> None:
        if how == "exception":
            raise RuntimeError("interrupted by the test")
        start()
        await asyncio.sleep(TIMEOUT)  # the RunEngine cancels this
        raise AssertionError(f"RE.{how}() did not interrupt the run within {TIMEOUT} s")

    def trigger() -> Any:
        nonlocal triggers
        triggers += 1
        status = type(det).trigger(det)
        if triggers == point and where == "during its exposure":
            start()
        return status

    async def read() -> Any:
        nonlocal readings
        readings += 1
        reading = type(det).read(det)
        if readings == point and where == "before its documents":
            await interrupt()
        return reading

    async def collect_asset_docs(index: int | None = None) -> Any:
        for doc in type(det).collect_asset_docs(det, index):
            yield doc
        if readings == point and where == "after its documents":
            await interrupt()

    det.trigger = trigger  # type: ignore[method-assign]
    det.read = read  # type: ignore[method-assign]
    det.collect_asset_docs = collect_asset_docs  # type: ignore[method-assign]
    return threads


def _run_cut(
    engine: RunEngine,
    stage: SimStage,
    det: SimBlobDetector,
    how: str,
    where: str,
    point: int,
    exposure: float = 0.01,
) -> None:
    """A 4-point scan of ``det`` over stage.x, interrupted ``how`` at the ``point``-th trigger or reading (a
    pause is resumed); det unstaged at the end."""
    from bluesky.utils import RunEngineInterrupted

    threads = _cut_at(det, engine, how, where, point)
    det.stage_sigs["cam.acquire_time"] = exposure
    try:
        with pytest.raises((RunEngineInterrupted, RuntimeError)):
            engine(bp.scan([det], stage.x, 1, 2, 4))
        if how == "pause":
            engine.resume()  # bluesky repeats the point from its checkpoint
    finally:
        for thread in threads:
            thread.join(TIMEOUT)
        del det.trigger, det.read, det.collect_asset_docs
        del det.stage_sigs["cam.acquire_time"]
    assert not any(thread.is_alive() for thread in threads)
    assert det._staged == Staged.no
    assert det.hdf.capture_rbv.get(use_monitor=False) == 0


def _check_referenced_frames(
    docs: Docs, frames: np.ndarray, sums: np.ndarray, y: float, exposure: float = 0.01
) -> None:
    """Each event's stream_datum points at the frame taken at the event's position, with its sum."""
    events = {event["seq_num"]: event for event in _events(docs)}
    resources = _stream_checks(docs, frames=len(events))
    uid = resources["bdet"]["uid"]
    for datum in (doc for name, doc in docs if name == "stream_datum" and doc["stream_resource"] == uid):
        for offset in range(datum["indices"]["stop"] - datum["indices"]["start"]):
            event = events[datum["seq_nums"]["start"] + offset]
            index = datum["indices"]["start"] + offset
            np.testing.assert_array_equal(frames[index], blob_frame(event["data"]["stage_x"], y, exposure))
            assert sums[index] == blob_sum(frames[index])


@pytest.mark.parametrize("where", ["before its documents", "after its documents"])
@pytest.mark.parametrize("how", list(INTERRUPTIONS))
def test_interrupted_point_leaves_no_frame_in_the_file(
    RE: tuple[RunEngine, Docs], stage: SimStage, bdet: SimBlobDetector, how: str, where: str
) -> None:
    """Abort, stop, halt or an exception after the third frame is written but before its event is emitted:
    the closed file holds the two frames the two events refer to, each the frame of its event's position."""
    engine, docs = RE
    _run_cut(engine, stage, bdet, how, where, point=3)
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == INTERRUPTIONS[how]
    assert len(_events(docs)) == 2
    frames, sums = _file_of(bdet)
    assert len(frames) == len(sums) == 2
    _check_referenced_frames(docs, frames, sums, stage.y.position)


@pytest.mark.parametrize(
    ("where", "exposure"),
    [("during its exposure", 0.3), ("before its documents", 0.01), ("after its documents", 0.01)],
)
def test_paused_point_is_taken_again_on_resume_and_the_file_follows_the_events(
    RE: tuple[RunEngine, Docs], stage: SimStage, bdet: SimBlobDetector, where: str, exposure: float
) -> None:
    """A pause during the third point: the exposure is abandoned and a frame no event refers to is dropped,
    so the point bluesky repeats on resume writes the third frame; four events, four frames, in order."""
    engine, docs = RE
    _run_cut(engine, stage, bdet, "pause", where, point=3, exposure=exposure)
    (stop,) = [doc for name, doc in docs if name == "stop"]
    assert stop["exit_status"] == "success"
    assert len(_events(docs)) == 4
    frames, sums = _file_of(bdet)
    assert len(frames) == len(sums) == 4
    _check_referenced_frames(docs, frames, sums, stage.y.position, exposure)


@pytest.mark.parametrize("where", ["before its documents", "after its documents"])
def test_run_aborted_before_its_first_event_keeps_its_unnamed_file_whole(
    RE: tuple[RunEngine, Docs], stage: SimStage, bdet: SimBlobDetector, where: str
) -> None:
    """No document names the file of a run cut before its first event; as after a stage, trigger and unstage
    by hand, its frame stays (the detector cannot tell the two apart)."""
    engine, docs = RE
    _run_cut(engine, stage, bdet, "abort", where, point=1)
    assert not [doc for name, doc in docs if name in ("event", "stream_resource", "stream_datum")]
    frames, sums = _file_of(bdet)
    assert len(frames) == len(sums) == 1 and sums[0] == blob_sum(frames[0])


class _DetectorWithoutKeepFrames(SimBlobDetector):
    """The detector on an IOC whose plugin has no KeepFrames PV, as areaDetector's NDFileHDF5."""

    keep_frames_pv = "NoSuchKeepFrames"
    keep_frames_timeout = 0.2


def test_without_keep_frames_pv_the_extra_frame_stays_and_a_warning_names_it(
    RE: tuple[RunEngine, Docs],
    stage: SimStage,
    pattern_prefix: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On an IOC without KeepFrames the interrupted point's frame stays at the end of the file, which is closed
    as usual; the documents and the referenced frames are exact, and a warning names the PV and the file."""
    engine, docs = RE
    det = make_bdet(pattern_prefix, tmp_path, cls=_DetectorWithoutKeepFrames)
    with caplog.at_level(logging.WARNING, logger="sophyd.areadetector"):
        _run_cut(engine, stage, det, "abort", "after its documents", point=3)
    assert det.connected  # the missing PV is not part of the device
    det.wait_for_connection(all_signals=True, timeout=TIMEOUT)
    assert len(_events(docs)) == 2
    frames, sums = _file_of(det)
    assert len(frames) == len(sums) == 3
    _check_referenced_frames(docs, frames, sums, stage.y.position)
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "sophyd.areadetector"]
    path = det.hdf.full_file_name.get(use_monitor=False)
    assert "NoSuchKeepFrames" in warning and path in warning and "1 frame" in warning


def test_without_keep_frames_pv_a_pause_skips_the_frame_it_cannot_drop(
    RE: tuple[RunEngine, Docs], stage: SimStage, pattern_prefix: str, tmp_path: Path
) -> None:
    """Paused after the third frame was written, on an IOC without KeepFrames: the frame stays, the documents
    skip it, and every event's stream_datum still points at the frame of its own position."""
    engine, docs = RE
    det = make_bdet(pattern_prefix, tmp_path, cls=_DetectorWithoutKeepFrames)
    _run_cut(engine, stage, det, "pause", "after its documents", point=3)
    events = {event["seq_num"]: event for event in _events(docs)}
    assert len(events) == 4
    frames, sums = _file_of(det)
    assert len(frames) == len(sums) == 5
    datums = [doc for name, doc in docs if name == "stream_datum" and doc["indices"]]
    (uid,) = {doc["uid"] for name, doc in docs if name == "stream_resource" and doc["data_key"] == "bdet"}
    starts = [d["indices"]["start"] for d in datums if d["stream_resource"] == uid]
    assert starts == [0, 1, 3, 4]  # frame 2, written before the pause, is referred to by no event
    y = stage.y.position
    for datum in (d for d in datums if d["stream_resource"] == uid):
        event = events[datum["seq_nums"]["start"]]
        frame = frames[datum["indices"]["start"]]
        np.testing.assert_array_equal(frame, blob_frame(event["data"]["stage_x"], y, 0.01))
