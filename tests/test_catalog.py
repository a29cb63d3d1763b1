"""Runs saved to a real tiled server (a child process on loopback, stopped by PID) and read back from it.

One server serves the module: its start-up (SimpleTiledServer with a SQLite catalog) is the costly part. The
scans run against the session's pattern IOC; the frames read back through tiled must equal the frames in the
IOC's HDF5 file and the pattern formula at the event's motor positions.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bluesky.plans as bp
import h5py
import numpy as np
import pytest
from bluesky import RunEngine
from bluesky.utils import RunEngineInterrupted
from helpers import fast_stage, listening_addresses, wait_gone

pytest.importorskip("tiled.server", reason="the tiled extra is not installed")
pytest.importorskip("bluesky_tiled_plugins", reason="the tiled extra is not installed")

from sophyd.catalog import CatalogServer, connect_catalog, start_catalog, subscribe_catalog
from sophyd.paths import StaticPathProvider, UUIDFilenameProvider
from sophyd.sim.devices import SimBlobDetector, SimPointDetector, SimStage
from sophyd.sim.pattern import blob_frame

pytestmark = pytest.mark.system  # starts a tiled server, and IOCs through the fixtures

TIMEOUT = 10.0
Docs = list[tuple[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """The catalog and the detector files of this module, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="sophyd-catalog-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[CatalogServer]:
    """One embedded tiled server for the module, serving the catalog in ``workdir`` and the files below it."""
    (workdir / "data").mkdir()
    catalog = start_catalog(workdir / "catalog", [workdir / "data"], timeout=120)
    yield catalog
    catalog.stop()
    assert wait_gone(catalog.pid, TIMEOUT), f"tiled server pid {catalog.pid} still running after stop()"


@pytest.fixture(scope="module")
def client(server: CatalogServer) -> Any:
    return server.client()


@pytest.fixture(scope="module")
def stage(pattern_prefix: str) -> Iterator[SimStage]:
    """The demo stage, made fast; back at (0, 0) and its old speed after the module."""
    with fast_stage(pattern_prefix, TIMEOUT) as stage:
        yield stage


@pytest.fixture
def bdet(pattern_prefix: str, workdir: Path) -> Iterator[SimBlobDetector]:
    det = SimBlobDetector(
        pattern_prefix + "BDET:",
        path_provider=StaticPathProvider(UUIDFilenameProvider(), workdir / "data"),
        name="bdet",
    )
    det.wait_for_connection(timeout=TIMEOUT)
    yield det
    with contextlib.suppress(Exception):
        det.unstage()  # a failed test must not leave the IOC capturing


@pytest.fixture
def RE(client: Any) -> tuple[RunEngine, Docs]:
    """A RunEngine writing to the catalog, and the documents it emitted."""
    docs: Docs = []
    engine = RunEngine({})
    engine.subscribe(lambda name, doc: docs.append((name, doc)))
    subscribe_catalog(engine, client)
    return engine, docs


def _events(docs: Docs) -> list[dict[str, Any]]:
    return [doc for name, doc in docs if name == "event"]


def _check_frames(run: Any, docs: Docs, exposure: float) -> np.ndarray:
    """The run's bdet frames from the catalog equal the file's frames and the formula at each event."""
    events = _events(docs)
    frames = run["primary"]["bdet"].read()
    assert frames.shape == (len(events), 240, 320) and frames.dtype == np.uint8
    (resource,) = [doc for name, doc in docs if name == "stream_resource" and doc["data_key"] == "bdet"]
    path = resource["uri"].removeprefix("file://localhost")
    with h5py.File(path, "r", swmr=True) as f:
        in_file = f[resource["parameters"]["dataset"]][()]
    np.testing.assert_array_equal(frames, in_file[: len(events)])
    for frame, event in zip(frames, events, strict=True):
        x, y = event["data"]["stage_x"], event["data"]["stage_y"]
        np.testing.assert_array_equal(frame, blob_frame(x, y, exposure))
    return frames


def test_the_server_listens_on_loopback_only(server: CatalogServer) -> None:
    assert server.address.startswith("http://127.0.0.1:")
    addresses = listening_addresses(server.pid)
    assert addresses == [server.address.removeprefix("http://")], addresses


def test_the_server_is_out_of_reach_of_the_terminals_ctrl_c(server: CatalogServer) -> None:
    """Its own session: a Ctrl-C that interrupts a scan does not reach the catalog the scan writes to."""
    assert os.getsid(server.pid) == server.pid != os.getsid(0)


def test_grid_scan_of_pdet_lands_in_the_catalog(
    RE: tuple[RunEngine, Docs], client: Any, stage: SimStage, pattern_prefix: str
) -> None:
    engine, docs = RE
    pdet = SimPointDetector(pattern_prefix + "PDET:", name="pdet")
    pdet.wait_for_connection(timeout=TIMEOUT)
    (uid,) = engine(bp.grid_scan([pdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3), sample="catalog test")
    run = client[uid]
    start = run.metadata["start"]
    assert start["sample"] == "catalog test" and start["plan_name"] == "grid_scan"
    assert run.metadata["stop"]["exit_status"] == "success"
    table = run["primary"].read()
    events = _events(docs)
    assert len(events) == 9 and len(table["time"]) == 9
    for key in ("stage_x", "stage_y", *(f"pdet_channel{i}_value" for i in (1, 2, 3))):
        assert [float(v) for v in table[key]] == [float(e["data"][key]) for e in events], key


def test_grid_scan_of_bdet_frames_come_back_from_the_file(
    RE: tuple[RunEngine, Docs], client: Any, stage: SimStage, bdet: SimBlobDetector
) -> None:
    engine, docs = RE
    (uid,) = engine(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3), purpose="frames")
    run = client[uid]
    assert run.metadata["start"]["purpose"] == "frames"
    frames = _check_frames(run, docs, bdet.cam.acquire_time.get())
    assert len(frames) == 9
    sums = run["primary"]["bdet_sum"].read()
    assert [int(s) for s in sums] == [int(f.sum(dtype=np.int64)) for f in frames]
    # Registered from the IOC's file, not copied into the catalog's storage
    (source,) = run["primary"]["bdet"].data_sources()
    assert source.management == "external"
    assert any(a.data_uri.endswith(".h5") for a in source.assets)


def test_aborted_run_is_kept_with_the_frames_of_its_events(
    RE: tuple[RunEngine, Docs], client: Any, stage: SimStage, bdet: SimBlobDetector
) -> None:
    engine, docs = RE
    requesters: list[threading.Thread] = []

    def pause_after_fourth_event(name: str, doc: dict[str, Any]) -> None:
        if name == "event" and doc["seq_num"] == 4:
            # request_pause blocks on the RunEngine's loop, so it comes from another thread (as SIGINT does)
            requester = threading.Thread(target=engine.request_pause)
            requester.start()
            requesters.append(requester)

    engine.subscribe(pause_after_fourth_event)
    with pytest.raises(RunEngineInterrupted):
        engine(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    for requester in requesters:
        requester.join(TIMEOUT)
    engine.abort()
    (start,) = [doc for name, doc in docs if name == "start"]
    run = client[start["uid"]]
    assert run.metadata["stop"]["exit_status"] == "abort"
    events = _events(docs)
    assert 4 <= len(events) < 9
    _check_frames(run, docs, bdet.cam.acquire_time.get())


def test_runs_are_found_by_their_metadata(client: Any, RE: tuple[RunEngine, Docs], stage: SimStage) -> None:
    from tiled.queries import Key

    engine, _ = RE
    (uid,) = engine(bp.count([stage.x], num=2), sample="searched for")
    found = client.search(Key("start.sample") == "searched for")
    assert list(found) == [uid]


def test_connect_catalog_uses_the_environment(server: CatalogServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a beamline does: the address and the API key of its server come from the environment."""
    monkeypatch.setenv("SOPHYD_TILED_URI", server.address)
    monkeypatch.setenv("TILED_API_KEY", server.api_key)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert connect_catalog().uri.startswith(server.address)
    monkeypatch.delenv("SOPHYD_TILED_URI")
    with pytest.raises(ValueError, match="SOPHYD_TILED_URI"):
        connect_catalog()


def test_a_catalog_not_ready_in_time_is_stopped_by_its_pid(tmp_path: Path) -> None:
    """start_catalog never hangs: past its timeout it raises, naming the server's PID, and stops that process."""
    with pytest.raises(
        TimeoutError, match=r"the tiled server \(pid (\d+)\) was not ready within 0.01 s"
    ) as info:
        start_catalog(tmp_path, timeout=0.01)
    pid = int(re.search(r"pid (\d+)", str(info.value)).group(1))  # type: ignore[union-attr]
    assert wait_gone(pid, TIMEOUT)


def test_a_missing_tiled_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tiled" else real_find_spec(name, *a)
    )
    with pytest.raises(ModuleNotFoundError, match=r"needs tiled: install sophyd's tiled extra"):
        start_catalog(tmp_path)
    with pytest.raises(ModuleNotFoundError, match=r"sophyd\[tiled\]"):
        connect_catalog("http://127.0.0.1:1")
    assert not list(tmp_path.iterdir()), "nothing started, nothing written"


def test_serve_command_line_prints_usage() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sophyd.catalog", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "serve" in result.stdout
