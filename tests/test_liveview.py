"""The live view follows the documents of a scan and reads every frame from the file while the IOC writes it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bluesky.plans as bp
import h5py
import numpy as np
import pytest
from bluesky import RunEngine
from helpers import fast_stage

from sophyd.liveview import LiveFrames
from sophyd.paths import StaticPathProvider, UUIDFilenameProvider
from sophyd.sim.devices import SimBlobDetector, SimStage
from sophyd.sim.pattern import blob_frame

pytest.importorskip("matplotlib")

TIMEOUT = 10.0


@pytest.fixture
def stage(pattern_prefix: str) -> Iterator[SimStage]:
    with fast_stage(pattern_prefix, TIMEOUT) as stage:
        yield stage


@pytest.fixture
def bdet(pattern_prefix: str, tmp_path: Path) -> Iterator[SimBlobDetector]:
    det = SimBlobDetector(
        pattern_prefix + "BDET:",
        path_provider=StaticPathProvider(UUIDFilenameProvider(), tmp_path),
        name="bdet",
    )
    det.wait_for_connection(timeout=TIMEOUT)
    yield det
    with contextlib.suppress(Exception):
        det.unstage()


def test_live_view_reads_every_frame_once_in_order_while_the_file_is_written(
    stage: SimStage, bdet: SimBlobDetector, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    seen: list[tuple[int, int, np.ndarray]] = []

    def on_frame(index: int, frame: Any) -> None:
        # The IOC's capture is still on: the file is open for writing while the view reads from it
        seen.append((index, int(bdet.hdf.capture_rbv.get(use_monitor=False)), np.array(frame)))

    docs: list[tuple[str, dict[str, Any]]] = []
    RE = RunEngine({})
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    live = LiveFrames("bdet", on_frame=on_frame, png_dir=tmp_path)
    RE(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3), live)
    assert [index for index, _, _ in seen] == list(range(9))
    assert [capturing for _, capturing, _ in seen] == [1] * 9
    assert bdet.hdf.capture_rbv.get(use_monitor=False) == 0  # and it is closed now, after the scan
    events = [doc for name, doc in docs if name == "event"]
    (resource,) = [doc for name, doc in docs if name == "stream_resource" and doc["data_key"] == "bdet"]
    with h5py.File(resource["uri"].removeprefix("file://localhost"), "r") as f:
        in_file = f["/entry/data/data"][()]
    exposure = bdet.cam.acquire_time.get()
    for (_, _, frame), written, event in zip(seen, in_file, events, strict=True):
        np.testing.assert_array_equal(frame, written)
        np.testing.assert_array_equal(
            frame, blob_frame(event["data"]["stage_x"], event["data"]["stage_y"], exposure)
        )
    # Headless (Agg): the final figure is saved and its path printed
    (png,) = live.pngs
    assert png.parent == tmp_path and png.read_bytes().startswith(b"\x89PNG")
    assert f"live view of bdet saved as {png}" in capsys.readouterr().out
