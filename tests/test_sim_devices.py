"""The synthetic devices of sophyd.sim (classic ophyd.sim) in-process, alone and under a real RunEngine.

Every value a document carries is checked against the formula the device promises (a Gaussian of the motor
position, the frames its function makes); moves and triggers with delays must start no thread of their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
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

from sophyd import DeviceStatus, FileWriteError, MoveStatus, ReadOnlyError, SetSupersededError, Staged
from sophyd.paths import StaticFilenameProvider, StaticPathProvider, UUIDFilenameProvider
from sophyd.positioner import SoftPositioner
from sophyd.sim import (
    _HW_NAMES,
    ABDetector,
    DetWithConf,
    EnumSignal,
    InvariantSignal,
    MockFlyer,
    NullStatus,
    Syn2DGauss,
    SynAxis,
    SynAxisEmptyHints,
    SynAxisNoHints,
    SynAxisNoPosition,
    SynGauss,
    SynHDF5Detector,
    SynPeriodicSignal,
    SynSignal,
    SynSignalRO,
    hw,
)

TIMEOUT = 5.0
Docs = list[tuple[str, dict[str, Any]]]


def gauss(x: float, center: float, sigma: float, imax: float) -> float:
    return imax * float(np.exp(-((x - center) ** 2) / (2 * sigma**2)))


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


def _wait_for(condition: Any, timeout: float = TIMEOUT) -> None:
    """Block until ``condition()`` is true, re-checking on a short interval; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    done = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        done.wait(0.005)


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


# -- SynAxis -------------------------------------------------------------------------------------------------


def test_synaxis_delayed_move_updates_the_readback_in_steps_in_order() -> None:
    axis = SynAxis(name="ax", value=1.0, delay=0.2, events_per_move=5)
    seen: list[tuple[float, float]] = []
    axis.subscribe(lambda value, timestamp, **kw: seen.append((value, timestamp)), run=False)
    progress: list[float] = []
    start = time.monotonic()
    status = axis.set(2.0)
    assert isinstance(status, MoveStatus)
    status.watch(lambda fraction, **kw: progress.append(fraction))
    assert not status.done
    status.wait(TIMEOUT)
    elapsed = time.monotonic() - start
    assert [v for v, _ in seen] == pytest.approx([1.2, 1.4, 1.6, 1.8, 2.0])
    assert [t for _, t in seen] == sorted(t for _, t in seen)
    assert elapsed >= 0.2 - 0.01
    assert progress == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])  # the start, then each step
    assert axis.position == 2.0 and axis.setpoint.get() == 2.0
    assert axis.read()["ax"]["value"] == 2.0


def test_synaxis_without_delay_finishes_at_once_and_describes_precision() -> None:
    axis = SynAxis(name="ax", precision=5, egu="deg", events_per_move=3)
    values: list[float] = []
    axis.readback.subscribe(lambda value, **kw: values.append(value), run=False)
    status = axis.set(3)
    assert status.done and status.success
    assert values == pytest.approx([1.0, 2.0, 3.0])
    assert axis.describe()["ax"]["precision"] == 5
    assert axis.egu == "deg"
    assert list(axis.read()) == ["ax", "ax_setpoint"]
    assert list(axis.read_configuration()) == ["ax_velocity", "ax_acceleration"]
    assert axis.hints == {"fields": ["ax"]}


def test_synaxis_new_move_supersedes_and_stop_ends_a_move() -> None:
    axis = SynAxis(name="ax", delay=10, events_per_move=2)
    first = axis.set(5)
    second = axis.set(-1)
    with pytest.raises(SetSupersededError, match="ax"):
        first.wait(TIMEOUT)
    axis.stop()
    with pytest.raises(Exception, match="stopped"):
        second.wait(TIMEOUT)
    assert axis.position == 0
    quick = SynAxis(name="quick", delay=10)
    moving = quick.set(1)
    quick.stop(success=True)
    moving.wait(TIMEOUT)
    assert quick.position == 0
    doomed = quick.set(2)
    quick.destroy()
    with pytest.raises(Exception, match="stopped"):
        doomed.wait(TIMEOUT)


def test_synaxis_setpoint_put_and_set_move_the_axis() -> None:
    axis = SynAxis(name="ax", delay=0.01)
    axis.setpoint.set(4).wait(TIMEOUT)
    assert axis.position == 4
    with pytest.raises(ReadOnlyError):
        axis.readback.put(1)
    with pytest.raises(TypeError, match=r"'ax'.*'far'"):
        axis.set("far")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="events_per_move"):
        SynAxis(name="bad", events_per_move=0)


def test_synaxis_variants() -> None:
    no_hints = SynAxisNoHints(name="m")
    with pytest.raises(AttributeError):
        no_hints.hints  # noqa: B018
    assert "m" not in no_hints.read()
    assert SynAxisEmptyHints(name="m").hints == {}
    no_pos = SynAxisNoPosition(name="m")
    assert not hasattr(no_pos, "position")
    status = no_pos.set(1)
    assert type(status) is DeviceStatus and status.success


def test_jittery_readback_uses_readback_func() -> None:
    axis = SynAxis(name="ax", readback_func=lambda x: x + 0.5)
    axis.set(1).wait(TIMEOUT)
    assert axis.position == 1.5 and axis.setpoint.get() == 1


# -- signals -------------------------------------------------------------------------------------------------


def test_synsignal_exposure_time_delays_the_value() -> None:
    values = iter([1, 2])
    sig = SynSignal(lambda: next(values), name="sig", exposure_time=0.05, precision=2)
    assert sig.get() == 1 and sig.kind.name == "normal"
    status = sig.trigger()
    assert not status.done and sig.get() == 1
    status.wait(TIMEOUT)
    assert sig.get() == 2
    assert sig.describe()["sig"]["precision"] == 2
    sig.sim_set_func(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sig.trigger().wait(TIMEOUT)


def test_synsignal_without_func_keeps_its_value_and_ro_refuses_writes() -> None:
    sig = SynSignal(name="sig")
    sig.put(7)
    sig.trigger().wait(TIMEOUT)
    assert sig.get() == 7
    ro = SynSignalRO(lambda: 3, name="ro")
    with pytest.raises(ReadOnlyError, match="ro"):
        ro.put(1)
    with pytest.raises(ReadOnlyError):
        ro.set(1)
    ro.trigger().wait(TIMEOUT)
    assert ro.get() == 3


def test_enum_signal() -> None:
    sig = EnumSignal(value="b", enum_strings=("a", "b", "c"), name="e")
    assert sig.get() == "b" and sig.get(as_string=False) == 1
    sig.set(2).wait(TIMEOUT)
    assert sig.get() == "c"
    sig.set("a").wait(TIMEOUT)
    assert sig.get(as_string=False) == 0
    with pytest.raises(ValueError, match=r"'z'.*'e'"):
        sig.put("z")
    desc = sig.describe()["e"]
    assert desc["enum_strs"] == ("a", "b", "c") and desc["choices"] == ["a", "b", "c"]


def test_periodic_signal_updates_until_stopped() -> None:
    sig = SynPeriodicSignal(name="rand", period=0.01, period_jitter=0)
    updates: list[float] = []
    sig.subscribe(lambda value, **kw: updates.append(value), run=False)
    assert not sig.simulating
    sig.start_simulation()
    sig.start_simulation()  # a second start does nothing
    _wait_for(lambda: len(updates) >= 3)
    assert all(0 <= v < 1 for v in updates)
    sig.stop_simulation()
    count = len(updates)
    later = threading.Event()
    from sophyd._scheduler import call_later

    call_later(0.1, later.set)  # ten periods later, on the same timer thread
    assert later.wait(TIMEOUT)
    _wait_for(lambda: True)
    assert len(updates) <= count + 1  # at most the update already handed to the dispatcher
    sig.start_simulation()
    _wait_for(lambda: len(updates) >= count + 3)
    sig.destroy()
    assert not sig.simulating


def test_gaussian_noise_is_reproducible_with_a_random_state() -> None:
    motor = SynAxis(name="motor", value=0.3)
    dets = [
        SynGauss(
            "d", motor, "motor", center=0, Imax=1000, noise="poisson", random_state=np.random.RandomState(0)
        )
        for _ in range(2)
    ]
    readings = [[(d.trigger().wait(TIMEOUT), d.read()["d"]["value"])[1] for _ in range(5)] for d in dets]
    assert readings[0] == readings[1]
    assert all(isinstance(v, int) for v in readings[0])
    uniform = SynGauss("u", motor, "motor", center=0, Imax=1, noise="uniform", noise_multiplier=0.1)
    for _ in range(20):
        uniform.trigger().wait(TIMEOUT)
        assert abs(uniform.read()["u"]["value"] - gauss(0.3, 0, 1, 1)) <= 0.1
    with pytest.raises(ValueError, match="gaussian"):
        SynGauss("bad", motor, "motor", center=0, Imax=1, noise="gaussian")


def test_gauss_subscriptions_go_to_its_value() -> None:
    motor = SynAxis(name="motor")
    det = Syn2DGauss("det", motor, "motor", motor, "motor", center=(1, 1), Imax=2, sigma=1)
    values: list[float] = []
    cid = det.subscribe(lambda value, **kw: values.append(value), run=False)
    motor.set(1).wait(TIMEOUT)
    det.trigger().wait(TIMEOUT)
    assert values == [pytest.approx(2.0)]
    det.unsubscribe(cid)
    det.trigger().wait(TIMEOUT)
    assert len(values) == 1
    with pytest.raises(KeyError, match="'nope'"):
        SynGauss("bad", motor, "nope", center=0, Imax=1)


def test_small_test_detectors() -> None:
    det = DetWithConf(name="det")
    det.trigger().wait(TIMEOUT)
    assert {k: v["value"] for k, v in det.read().items()} == {"det_a": 1, "det_b": 2}
    assert {k: v["value"] for k, v in det.read_configuration().items()} == {"det_c": 3, "det_d": 4}
    ab = ABDetector(name="ab")
    before = ab.read()
    ab.trigger().wait(TIMEOUT)
    assert ab.read()["ab_a"]["value"] != before["ab_a"]["value"]
    assert ab.hints == {"fields": ["ab_a"]}
    inv = InvariantSignal(func=lambda: 0, name="inv")
    assert inv.read() == {"inv": {"value": 0, "timestamp": 0}}
    assert repr(inv) == "<INVARIANT REPR>"
    assert NullStatus().success


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
    assert during == before
    assert set(threading.enumerate()) == before
    assert cam.get_index() == 20
    assert len(list(flyer.collect())) == 10


# -- the module-level classic set ------------------------------------------------------------------------------


def test_hw_makes_the_classic_set() -> None:
    sim = hw()
    assert set(vars(sim)) == set(_HW_NAMES)
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
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["light"] == {"hardware": False, "h5py": False, "threads": 0}
    assert report["det"] == pytest.approx(gauss(1, 0, 1, 1))  # det follows the motor of the same set
    assert report["same"] and report["noisy"] == "noisy_det" and report["in_all"]
    assert report["h5py_after"] is False  # img imports h5py only when it opens a file
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import sophyd.sim

        sophyd.sim.nothing  # noqa: B018
