"""The synthetic devices of sophyd.sim (classic ophyd.sim) in-process, alone and under a real RunEngine.

Every value a document carries is checked against the formula the device promises (a Gaussian of the motor
position, the frames its function makes); moves and triggers with delays must start no thread of their own.
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import bluesky.preprocessors as bpp
import h5py
import numpy as np
import pytest
from bluesky import RunEngine, protocols
from event_model import DocumentNames, schema_validators
from helpers import TIMEOUT, gauss, run_json_script

from sophyd import FileWriteError, Staged
from sophyd.paths import StaticFilenameProvider, StaticPathProvider, UUIDFilenameProvider
from sophyd.positioner import SoftPositioner
from sophyd.sim import (
    _HW_NAMES,
    MockFlyer,
    Syn2DGauss,
    SynAxis,
    SynGauss,
    SynHDF5Detector,
    SynPeriodicSignal,
    SynSignal,
    hw,
)

Docs = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def RE() -> tuple[RunEngine, Docs]:
    docs: Docs = []
    engine = RunEngine({})
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    return engine, docs


def _validate(docs: Docs) -> None:
    for name, doc in docs:
        schema_validators[DocumentNames[name]].validate(doc)


def _events(docs: Docs) -> list[dict[str, Any]]:
    return [doc for name, doc in docs if name == "event"]


def _descriptor(docs: Docs) -> dict[str, Any]:
    return next(doc for name, doc in docs if name == "descriptor")


# -- plans over the classic set ------------------------------------------------------------------------------


def test_count_reads_the_gaussian_at_the_motor_position(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    sim = hw()
    sim.motor.set(0.5).wait(TIMEOUT)
    engine(bp.count([sim.det], num=3))
    _validate(docs)
    events = _events(docs)
    assert [e["data"]["det"] for e in events] == [pytest.approx(gauss(0.5, 0, 1, 1))] * 3
    descriptor = _descriptor(docs)
    assert descriptor["hints"]["det"] == {"fields": ["det"]}
    assert descriptor["data_keys"]["det"]["precision"] == 3
    config = descriptor["configuration"]["det"]["data"]
    assert config == {
        "det_Imax": 1,
        "det_center": 0,
        "det_sigma": 1,
        "det_noise": "none",
        "det_noise_multiplier": 1,
    }


def test_scan_peaks_where_the_motor_passes_the_center(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    motor = SynAxis(name="motor", delay=0.01, events_per_move=3)
    det = SynGauss("det", motor, "motor", center=0.2, Imax=7, sigma=0.3)
    engine(bp.scan([det], motor, -1, 1, 11))
    _validate(docs)
    events = _events(docs)
    positions = [e["data"]["motor"] for e in events]
    np.testing.assert_allclose(positions, np.linspace(-1, 1, 11), atol=1e-12)
    values = [e["data"]["det"] for e in events]
    assert values == pytest.approx([gauss(x, 0.2, 0.3, 7) for x in positions])
    assert positions[int(np.argmax(values))] == pytest.approx(0.2)
    assert max(values) == pytest.approx(7)
    assert _descriptor(docs)["hints"]["motor"] == {"fields": ["motor"]}


def test_rel_scan_moves_around_the_start_and_returns(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    sim = hw()
    sim.motor1.set(0.5).wait(TIMEOUT)
    engine(bp.rel_scan([sim.det1], sim.motor1, -0.5, 0.5, 5))
    events = _events(docs)
    positions = [e["data"]["motor1"] for e in events]
    np.testing.assert_allclose(positions, [0.0, 0.25, 0.5, 0.75, 1.0])
    # det1: Imax 5, sigma 0.5, center 0
    assert [e["data"]["det1"] for e in events] == pytest.approx([gauss(x, 0, 0.5, 5) for x in positions])
    assert sim.motor1.position == pytest.approx(0.5)


def test_mv_of_a_soft_positioner_then_read_a_detector_that_follows_it(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    stage = SoftPositioner(name="stage", init_pos=0, egu="mm")
    det = SynGauss("det", stage, "stage", center=2, Imax=3, sigma=1)

    @bpp.run_decorator()
    def plan() -> Generator[Any, Any, Any]:
        yield from bps.mv(stage, 2.5)
        yield from bps.trigger_and_read([stage, det])

    engine(plan())
    _validate(docs)
    (event,) = _events(docs)
    assert event["data"]["stage"] == 2.5
    assert event["data"]["det"] == pytest.approx(gauss(2.5, 2, 1, 3))
    assert stage.position == 2.5


def test_grid_scan_over_a_two_dimensional_peak(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    sim = hw()
    engine(bp.grid_scan([sim.det4], sim.motor1, -1, 1, 3, sim.motor2, 0, 1, 2))
    events = _events(docs)
    grid = [(e["data"]["motor1"], e["data"]["motor2"]) for e in events]
    assert grid == [(x, y) for x in (-1.0, 0.0, 1.0) for y in (0.0, 1.0)]
    # det4: center (0, 0), Imax 1, sigma 1
    expected = [float(np.exp(-(x**2 + y**2) / 2)) for x, y in grid]
    assert [e["data"]["det4"] for e in events] == pytest.approx(expected)


def test_grid_scan_over_pseudo_axes_moves_the_reals(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    sim = hw()
    pseudo = sim.pseudo3x3
    # a peak where the reals are at (1, -2), i.e. where pseudo1 is -1 and pseudo2 is 2 (each real = -pseudo)
    det = Syn2DGauss(
        "det",
        pseudo.real1,
        "pseudo3x3_real1",
        pseudo.real2,
        "pseudo3x3_real2",
        center=(1, -2),
        Imax=4,
        sigma=1,
    )
    engine(bp.grid_scan([det], pseudo.pseudo1, -1, 1, 3, pseudo.pseudo2, 0, 2, 3))
    _validate(docs)
    events = _events(docs)
    grid = [(e["data"]["pseudo3x3_pseudo1"], e["data"]["pseudo3x3_pseudo2"]) for e in events]
    assert grid == [(x, y) for x in (-1.0, 0.0, 1.0) for y in (0.0, 1.0, 2.0)]
    expected = [4 * float(np.exp(-((-x - 1) ** 2 + (-y + 2) ** 2) / 2)) for x, y in grid]
    assert [e["data"]["det"] for e in events] == pytest.approx(expected)
    assert grid[int(np.argmax([e["data"]["det"] for e in events]))] == (-1.0, 2.0)
    assert (pseudo.real1.position, pseudo.real2.position, pseudo.real3.position) == (-1.0, -2.0, 0)
    hints = _descriptor(docs)["hints"]
    assert hints["pseudo3x3"] == {"fields": [f"pseudo3x3_pseudo{i}" for i in (1, 2, 3)]}


def test_fly_a_mock_flyer_collects_one_event_per_point(RE: tuple[RunEngine, Docs]) -> None:
    engine, docs = RE
    motor = SynAxis(name="motor", delay=0.002, events_per_move=2)
    det = SynGauss("det", motor, "motor", center=2, Imax=1, sigma=1)
    flyer = MockFlyer("flyer", det, motor, 1, 3, 5)
    engine(bp.fly([flyer]))
    _validate(docs)
    (descriptor,) = [d for n, d in docs if n == "descriptor"]
    assert descriptor["name"] == "flyer" and set(descriptor["data_keys"]) == {
        "motor",
        "motor_setpoint",
        "det",
    }
    (page,) = [d for n, d in docs if n == "event_page"]
    assert page["data"]["motor"] == pytest.approx([1.0, 1.5, 2.0, 2.5, 3.0])
    assert page["data"]["det"] == pytest.approx([gauss(x, 2, 1, 1) for x in (1, 1.5, 2, 2.5, 3)])
    with pytest.raises(RuntimeError, match="kick it off"):
        MockFlyer("idle", det, motor, 0, 1, 2).complete()


# -- the HDF5-writing detector ---------------------------------------------------------------------------------


def _frames_via_documents(docs: Docs, data_key: str) -> np.ndarray:
    """The frames of ``data_key`` as a reader finds them: the file and dataset its stream_resource names, at
    the indices its stream_datum documents give, in order."""
    resource = next(d for n, d in docs if n == "stream_resource" and d["data_key"] == data_key)
    assert resource["uri"].startswith("file://localhost/")
    datums = [d for n, d in docs if n == "stream_datum" and d["stream_resource"] == resource["uid"]]
    indices = [i for d in datums for i in range(d["indices"]["start"], d["indices"]["stop"])]
    with h5py.File(resource["uri"][len("file://localhost") :], "r") as f:  # closed by unstage: no SWMR needed
        data = f[resource["parameters"]["dataset"]][()]
    assert len(data) == len(indices)
    return data[indices]


def test_hdf5_detector_in_a_scan_writes_the_frames_it_made(
    RE: tuple[RunEngine, Docs], tmp_path: Path
) -> None:
    engine, docs = RE
    motor = SynAxis(name="motor")
    made: list[np.ndarray] = []

    def frame() -> np.ndarray:
        value = np.arange(12, dtype=np.uint16).reshape(3, 4) + (round(motor.position * 10) + 10)
        made.append(value)
        return value

    cam = SynHDF5Detector(
        frame, name="cam", path_provider=StaticPathProvider(UUIDFilenameProvider(), tmp_path)
    )
    made.clear()  # the frame made at construction only told the detector its shape
    engine(bp.scan([cam], motor, -1, 1, 5))
    _validate(docs)
    assert cam._staged == Staged.no
    events = _events(docs)
    assert len(events) == 5 and len(made) == 5
    descriptor = _descriptor(docs)
    assert descriptor["data_keys"]["cam"]["shape"] == [3, 4]
    assert descriptor["data_keys"]["cam"]["dtype_numpy"] == "<u2"
    assert descriptor["data_keys"]["cam"]["external"] == "STREAM:"
    frames = _frames_via_documents(docs, "cam")
    np.testing.assert_array_equal(frames, np.stack(made))
    sums = _frames_via_documents(docs, "cam_sum")
    assert sums.tolist() == [int(f.sum()) for f in made]
    for event, expected in zip(events, made, strict=True):
        assert expected[0, 0] == round(event["data"]["motor"] * 10) + 10
    assert all(d["descriptor"] == descriptor["uid"] for n, d in docs if n == "stream_datum")


def test_hdf5_detector_with_exposure_time_counts_into_one_file_per_run(
    RE: tuple[RunEngine, Docs], tmp_path: Path
) -> None:
    engine, docs = RE
    counter = iter(range(100))
    cam = SynHDF5Detector(
        lambda: np.full((2, 2), float(next(counter))),
        name="cam",
        exposure_time=0.02,
        path_provider=StaticPathProvider(UUIDFilenameProvider(), tmp_path),
    )
    engine(bp.count([cam], num=3))
    engine(bp.count([cam], num=2))
    _validate(docs)
    uris = [d["uri"] for n, d in docs if n == "stream_resource" and d["data_key"] == "cam"]
    assert len(set(uris)) == 2  # a new file per stage
    first_run = docs[: next(i for i, (n, _) in enumerate(docs) if n == "stop") + 1]
    second_run = docs[len(first_run) :]
    np.testing.assert_array_equal(_frames_via_documents(first_run, "cam")[:, 0, 0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(_frames_via_documents(second_run, "cam")[:, 0, 0], [4.0, 5.0])
    assert _descriptor(docs)["data_keys"]["cam_sum"]["dtype"] == "number"


def test_hdf5_detector_file_keeps_only_the_frames_emitted_events_refer_to(
    RE: tuple[RunEngine, Docs], tmp_path: Path
) -> None:
    """A run that fails after the third point's documents were handed out but before they were emitted: the
    file keeps the two frames the events refer to. By hand (no RunEngine), every frame stays."""
    engine, docs = RE
    counter = iter(range(100))
    provider = StaticPathProvider(UUIDFilenameProvider(), tmp_path)
    cam = SynHDF5Detector(lambda: np.full((2, 2), next(counter)), name="cam", path_provider=provider)
    collected = 0

    def collect_then_fail(index: int | None = None) -> Generator[tuple[str, dict[str, Any]], None, None]:
        nonlocal collected
        yield from type(cam).collect_asset_docs(cam, index)
        collected += 1
        if collected == 3:
            raise RuntimeError("failed after the documents were handed out")

    cam.collect_asset_docs = collect_then_fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="handed out"):
        engine(bp.count([cam], num=5))
    del cam.collect_asset_docs
    assert len(_events(docs)) == 2
    np.testing.assert_array_equal(_frames_via_documents(docs, "cam")[:, 0, 0], [1, 2])
    (resource,) = [d for n, d in docs if n == "stream_resource" and d["data_key"] == "cam"]
    with h5py.File(resource["uri"][len("file://localhost") :], "r") as f:
        assert f["/entry/data/data"].shape == (2, 2, 2) and f["/entry/sum"].shape == (2,)
    cam.stage()
    for _ in range(2):
        cam.trigger().wait(TIMEOUT)
    assert [name for name, _ in cam.collect_asset_docs()].count("stream_datum") == 2
    cam.unstage()
    (by_hand,) = set(tmp_path.iterdir()) - {Path(resource["uri"][len("file://localhost") :])}
    with h5py.File(by_hand, "r") as f:
        assert f["/entry/data/data"].shape == (2, 2, 2)


def test_hdf5_detector_paused_during_an_exposure_takes_the_point_again(
    RE: tuple[RunEngine, Docs], tmp_path: Path
) -> None:
    """A pause during the second exposure abandons it; the point bluesky repeats on resume writes the second
    frame, so the file's frames are the events' frames, in order."""
    from bluesky.utils import RunEngineInterrupted

    engine, docs = RE
    counter = iter(range(100))
    provider = StaticPathProvider(UUIDFilenameProvider(), tmp_path)
    cam = SynHDF5Detector(
        lambda: np.full((2, 2), next(counter)), name="cam", exposure_time=0.02, path_provider=provider
    )
    triggers: list[threading.Thread] = []

    def trigger() -> Any:
        cam.exposure_time = 1.0  # long enough for the pause to land in it; abandoned, so nobody waits it out
        status = type(cam).trigger(cam)
        cam.exposure_time = 0.02
        if not triggers:
            triggers.append(threading.Thread(target=engine.request_pause))
            triggers[0].start()
        return status

    def first_shot(detectors: Any) -> Generator[Any, Any, Any]:  # pause in the second point's exposure
        if len(_events(docs)) == 1:
            cam.trigger = trigger  # type: ignore[method-assign]
        yield from bps.one_shot(detectors)

    with pytest.raises(RunEngineInterrupted):
        engine(bp.count([cam], num=3, per_shot=first_shot))
    triggers[0].join(TIMEOUT)
    del cam.trigger
    engine.resume()
    assert len(_events(docs)) == 3
    frames = _frames_via_documents(docs, "cam")
    (resource,) = [d for n, d in docs if n == "stream_resource" and d["data_key"] == "cam"]
    with h5py.File(resource["uri"][len("file://localhost") :], "r") as f:
        np.testing.assert_array_equal(f["/entry/data/data"][()], frames)
    # The abandoned exposure never made a frame (it would have taken 2 and pushed the others to 3, 4).
    assert frames[:, 0, 0].tolist() == [1, 2, 3]


def test_hdf5_detector_pause_that_cannot_drop_frames_logs_instead_of_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The RunEngine pauses its devices one after another: a detector whose file cannot be trimmed (an IOC
    gone, a disk error) says so in the log and lets the pause go on, keeping the frames it counted."""
    provider = StaticPathProvider(UUIDFilenameProvider(), tmp_path)
    cam = SynHDF5Detector(lambda: np.zeros((2, 2)), name="cam", exposure_time=0, path_provider=provider)
    cam.stage()
    try:
        cam.trigger().wait(TIMEOUT)

        def unreachable(keep: int) -> int | None:
            raise OSError("the file cannot be written")

        cam._abandon_after = unreachable  # type: ignore[method-assign]
        with caplog.at_level("WARNING", logger="sophyd.areadetector"):
            cam.pause()
        assert "cam: could not abandon" in caplog.text and "the file cannot be written" in caplog.text
        assert "1 frame(s) stay" in caplog.text
    finally:
        del cam._abandon_after
        cam.unstage()


def test_hdf5_detector_pause_abandons_an_exposure_without_making_its_frame(tmp_path: Path) -> None:
    """A pause during an exposure abandons it: its trigger finishes when the exposure would have, without
    calling ``func`` (which may count or move something) and without writing a frame."""
    calls: list[int] = []

    def func() -> np.ndarray:
        calls.append(1)
        return np.zeros((2, 2))

    provider = StaticPathProvider(UUIDFilenameProvider(), tmp_path)
    cam = SynHDF5Detector(func, name="cam", exposure_time=0.5, path_provider=provider)
    calls.clear()  # the call at construction, which fixes the frame shape
    cam.stage()
    try:
        status = cam.trigger()
        cam.pause()
        status.wait(TIMEOUT)
        assert calls == [] and cam.get_index() == 0
        cam.resume()
        cam.trigger().wait(TIMEOUT)
        assert calls == [1] and cam.get_index() == 1
    finally:
        cam.unstage()


def test_hdf5_detector_refuses_to_overwrite_and_needs_staging(tmp_path: Path) -> None:
    provider = StaticPathProvider(StaticFilenameProvider("frames"), tmp_path)
    cam = SynHDF5Detector(lambda: np.zeros(3), name="cam", path_provider=provider)
    with pytest.raises(Exception, match="staged"):
        cam.trigger()
    cam.stage()
    cam.trigger().wait(TIMEOUT)
    cam.unstage()
    with pytest.raises(FileWriteError, match="cam"):
        cam.stage()  # frames.h5 exists: documents of the first run point at it
    assert cam._staged == Staged.no
    with h5py.File(tmp_path / "frames.h5", "r") as f:
        assert f["/entry/data/data"].shape == (1, 3)


def test_hdf5_detector_frame_of_the_wrong_shape_fails_the_trigger(tmp_path: Path) -> None:
    shapes = iter([(2, 2), (3, 3)])
    cam = SynHDF5Detector(
        lambda: np.zeros(next(shapes)),
        name="cam",
        path_provider=StaticPathProvider(UUIDFilenameProvider(), tmp_path),
    )
    cam.stage()
    try:
        with pytest.raises(ValueError, match=r"cam.*\(3, 3\)"):
            cam.trigger().wait(TIMEOUT)
        assert cam.get_index() == 0
    finally:
        cam.unstage()


def test_synthetic_devices_follow_the_bluesky_protocols(tmp_path: Path) -> None:
    sim = hw(save_path=str(tmp_path))
    for movable in (sim.motor, sim.jittery_motor1, sim.pseudo3x3.pseudo1):
        assert isinstance(movable, protocols.Movable) and isinstance(movable, protocols.Readable)
        assert isinstance(movable, protocols.Stoppable)
    for readable in (
        sim.det,
        sim.det4,
        sim.ab_det,
        sim.det_with_conf,
        sim.rand,
        sim.invariant1,
        sim.direct_img,
    ):
        assert isinstance(readable, protocols.Readable) and isinstance(readable, protocols.Triggerable)
    assert isinstance(sim.img, protocols.WritesStreamAssets) and isinstance(sim.img, protocols.Stageable)
    assert isinstance(sim.flyer1, protocols.Flyable) and isinstance(sim.flyer1, protocols.Collectable)
    assert isinstance(sim.motor.set(1), protocols.Status)
    sim.img.stage()
    sim.img.trigger().wait(TIMEOUT)
    sim.img.unstage()
    assert [p.suffix for p in tmp_path.iterdir()] == [".h5"]  # hw(save_path) puts img's files there


# -- no thread per move or trigger ---------------------------------------------------------------------------


def test_moves_and_triggers_start_no_threads(tmp_path: Path) -> None:
    axis = SynAxis(name="ax", delay=0.005, events_per_move=3)
    sig = SynSignal(lambda: 1, name="sig", exposure_time=0.005)
    cam = SynHDF5Detector(
        lambda: np.zeros(2),
        name="cam",
        exposure_time=0.005,
        path_provider=StaticPathProvider(UUIDFilenameProvider(), tmp_path),
    )
    rand = SynPeriodicSignal(name="rand", period=0.005, period_jitter=0)
    flyer = MockFlyer("flyer", sig, axis, 0, 1, 10)
    # warm up: the shared timer and dispatcher threads start on first use
    axis.set(1).wait(TIMEOUT)
    sig.trigger().wait(TIMEOUT)
    before = set(threading.enumerate())
    cam.stage()
    rand.start_simulation()
    statuses = []
    for i in range(20):
        statuses += [axis.set(i % 3), sig.trigger()]
        statuses[-2].wait(TIMEOUT)
        statuses.append(cam.trigger())
        statuses[-1].wait(TIMEOUT)
    flyer.kickoff().wait(TIMEOUT)
    during = set(threading.enumerate())
    flyer.complete().wait(TIMEOUT)
    for status in statuses:
        status.wait(TIMEOUT)
    rand.stop_simulation()
    cam.unstage()
    assert not during - before, f"new threads: {during - before}"
    assert not set(threading.enumerate()) - before
    assert cam.get_index() == 20
    assert len(list(flyer.collect())) == 10


# -- the module-level classic set ------------------------------------------------------------------------------


#: The names classic ophyd 1.11's ``ophyd.sim.hw()`` puts in its namespace, written from its source.
CLASSIC_HW_NAMES = {
    "motor",
    "motor1",
    "motor2",
    "motor3",
    "jittery_motor1",
    "jittery_motor2",
    "noisy_det",
    "det",
    "identical_det",
    "det1",
    "det2",
    "det3",
    "det4",
    "det5",
    "flyer1",
    "flyer2",
    "trivial_flyer",
    "new_trivial_flyer",
    "ab_det",
    "direct_img",
    "direct_img_list",
    "img",
    "invariant1",
    "invariant2",
    "pseudo3x3",
    "pseudo1x3",
    "sig",
    "det_with_conf",
    "det_with_count_time",
    "rand",
    "rand2",
    "motor_no_pos",
    "motor_empty_hints1",
    "motor_empty_hints2",
    "motor_no_hints1",
    "motor_no_hints2",
    "bool_sig",
    "signal",
}


def test_hw_makes_the_classic_set() -> None:
    sim = hw()
    assert set(vars(sim)) == CLASSIC_HW_NAMES == set(_HW_NAMES)  # and each is importable from sophyd.sim
    assert hw().motor is not sim.motor  # a fresh set at every call
    assert sim.motor.name == "motor" and sim.det.name == "det" and sim.noisy_det.noise.get() == "uniform"
    assert {"motors"} == sim.motor._ophyd_labels_ and {"detectors"} == sim.det._ophyd_labels_
    assert sim.sig.get() == 0 and sim.bool_sig.get() is False


PROBE = textwrap.dedent(
    """
    import json, sys, threading
    threads = threading.active_count()
    import sophyd.sim
    light = dict(
        hardware="sophyd.sim.hardware" in sys.modules,
        h5py="h5py" in sys.modules,
        threads=threading.active_count() - threads,
    )
    from sophyd.sim import motor, det, noisy_det
    import sophyd.sim as sim
    motor.set(1).wait(1)
    det.trigger().wait(1)
    print(json.dumps(dict(
        light=light,
        det=det.read()["det"]["value"],
        same=sim.motor is motor and sim.det is det,
        noisy=noisy_det.name,
        h5py_after="h5py" in sys.modules,
        in_all=all(n in sim.__all__ for n in ("motor", "det", "SynAxis", "hw")),
    )))
    """
)


def test_from_sophyd_sim_import_motor_det_builds_one_set_on_first_use() -> None:
    report = run_json_script(PROBE)
    assert report["light"] == {"hardware": False, "h5py": False, "threads": 0}
    assert report["det"] == pytest.approx(gauss(1, 0, 1, 1))  # det follows the motor of the same set
    assert report["same"] and report["noisy"] == "noisy_det" and report["in_all"]
    assert report["h5py_after"] is False  # img imports h5py only when it opens a file
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import sophyd.sim

        sophyd.sim.nothing  # noqa: B018
