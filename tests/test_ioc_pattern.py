"""The pattern IOC (stage, point detector, blob detector with HDF5 writing) over real Channel Access.

The IOC is the session's (``pattern_prefix`` from sophyd.testing). caproto's threading client does fresh reads
and puts with completion, caproto's sync client sees refused puts (ECA_PUTFAIL), and pyepics runs in a
subprocess (libca reads the CA environment once per process). Files go only to pytest's ``tmp_path``.
"""

from __future__ import annotations

import os
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from caproto import ChannelType, ErrorResponseReceived
from caproto.threading.client import Context
from helpers import ca_write as sync_write
from helpers import read_tiff, run_json_script, wait_for

from sophyd.sim.pattern import blob_frame, blob_sum, point_values
from sophyd_iocs._process import offset_scale
from sophyd_iocs._roi import Region, crop
from sophyd_iocs.pattern import PatternIOC

TIMEOUT = 5.0
CAPTURE, STREAM, CAPTURE_MODE = 1, 2, 1  # Capture=1 starts capturing; FileWriteMode indices
SINGLE, MULTIPLE, CONTINUOUS = range(3)  # ImageMode indices


class IOC:
    """Fresh reads and puts on the session's pattern IOC through caproto's threading client."""

    def __init__(self, ctx: Context, prefix: str) -> None:
        self.ctx = ctx
        self.prefix = prefix
        self._pvs: dict[str, Any] = {}

    def connect(self, *suffixes: str) -> None:
        names = [self.prefix + suffix for suffix in suffixes if self.prefix + suffix not in self._pvs]
        for name, pv in zip(names, self.ctx.get_pvs(*names, timeout=TIMEOUT), strict=True):
            pv.wait_for_connection(timeout=TIMEOUT)
            self._pvs[name] = pv

    def pv(self, suffix: str) -> Any:
        self.connect(suffix)
        return self._pvs[self.prefix + suffix]

    def get(self, suffix: str) -> Any:
        data = self.pv(suffix).read(timeout=TIMEOUT).data
        return data[0] if len(data) == 1 else data

    def text(self, suffix: str) -> str:
        """A string PV (char waveform, DBR_STRING or enum) as str."""
        pv = self.pv(suffix)
        if pv.channel.native_data_type == ChannelType.CHAR:
            return bytes(pv.read(timeout=TIMEOUT).data).split(b"\0")[0].decode()
        return pv.read(data_type=ChannelType.STRING, timeout=TIMEOUT).data[0].decode()

    def put(self, suffix: str, value: Any, timeout: float = TIMEOUT) -> None:
        payload = value.encode() + b"\0" if isinstance(value, str) else [value]
        self.pv(suffix).write(payload, wait=True, timeout=timeout)

    def put_nowait(self, suffix: str, value: Any, timeout: float = 30.0) -> threading.Event:
        """Put with completion without waiting; the event is set when the completion arrives."""
        done = threading.Event()
        self.pv(suffix).write([value], wait=False, callback=lambda response: done.set(), timeout=timeout)
        return done


@pytest.fixture(scope="module")
def ioc(pattern_prefix: str) -> Iterator[IOC]:
    ctx = Context()
    handle = IOC(ctx, pattern_prefix)
    handle.connect(*(name[len(pattern_prefix) :] for name in PatternIOC(prefix=pattern_prefix).pvdb))
    yield handle
    ctx.disconnect()


@pytest.fixture
def stage(ioc: IOC) -> Iterator[Callable[[float, float], tuple[float, float]]]:
    """Move the stage quickly to (x, y) and return its readbacks; back to (0, 0) afterwards."""

    def move(x: float, y: float) -> tuple[float, float]:
        for axis, target in (("X", x), ("Y", y)):
            ioc.put(f"STAGE:{axis}.VELO", 100.0)
            ioc.put(f"STAGE:{axis}.ACCL", 0.01)
            ioc.put(f"STAGE:{axis}", target, timeout=TIMEOUT)
        return ioc.get("STAGE:X.RBV"), ioc.get("STAGE:Y.RBV")

    yield move
    move(0.0, 0.0)
    for axis in ("X", "Y"):
        ioc.put(f"STAGE:{axis}.VELO", 1.0)
        ioc.put(f"STAGE:{axis}.ACCL", 0.5)


@pytest.fixture
def blob(ioc: IOC, tmp_path: Path) -> Iterator[IOC]:
    """The blob detector set to write into ``tmp_path``; settings restored afterwards."""
    ioc.put("BDET:HDF1:FilePath", str(tmp_path))
    ioc.put("BDET:HDF1:FileWriteMode", STREAM)
    ioc.put("BDET:cam1:ImageMode", MULTIPLE)
    ioc.put("BDET:cam1:AcquireTime", 0.05)
    yield ioc
    if ioc.get("BDET:cam1:Acquire_RBV"):
        ioc.put("BDET:cam1:Acquire", 0)
    if ioc.get("BDET:HDF1:Capture_RBV"):
        ioc.put("BDET:HDF1:Capture", 0)
    ioc.put("BDET:HDF1:FilePath", "")
    ioc.put("BDET:HDF1:FileName", "")
    ioc.put("BDET:HDF1:NumCapture", 1)
    ioc.put("BDET:cam1:NumImages", 1)
    ioc.put("BDET:cam1:AcquireTime", 0.1)
    ioc.put("BDET:cam1:AcquirePeriod", 0.0)


def test_every_pv_answers(ioc: IOC, pattern_prefix: str) -> None:
    names = sorted(PatternIOC(prefix=pattern_prefix).pvdb)
    suffixes = {name[len(pattern_prefix) :] for name in names}
    expected = {"STAGE:X", "STAGE:X.RBV", "STAGE:Y.VAL", "PDET:AcquireTime", "PDET:Acquire", "PDET:3:Mode"}
    expected |= {
        "PDET:1:Value",
        "BDET:cam1:Acquire",
        "BDET:cam1:ArraySizeX_RBV",
        "BDET:cam1:DetectorState_RBV",
    }
    expected |= {"BDET:HDF1:FullFileName_RBV", "BDET:HDF1:Capture", "BDET:HDF1:WriteMessage"}
    assert expected <= suffixes
    for suffix in sorted(suffixes):
        ioc.pv(suffix).read(timeout=TIMEOUT)
    assert (ioc.get("BDET:cam1:ArraySizeX_RBV"), ioc.get("BDET:cam1:ArraySizeY_RBV")) == (320, 240)
    assert ioc.text("BDET:cam1:DataType_RBV") == "UInt8"
    assert ioc.text("BDET:HDF1:FileTemplate") == "%s%s.h5"
    assert ioc.text("PDET:1:Mode") == "Low Energy"
    assert ioc.text("STAGE:X.RTYP") == "motor"


def test_point_detector_values_follow_the_formula(ioc: IOC, stage: Any) -> None:
    x, y = stage(1.0, 2.0)
    assert (x, y) == (1.0, 2.0)
    modes = [True, False, True]
    for channel, high in enumerate(modes, start=1):
        ioc.put(f"PDET:{channel}:Mode", int(high))
    ioc.put("PDET:AcquireTime", 0.2)
    start = time.monotonic()
    ioc.put("PDET:Acquire", 1)
    assert 0.2 <= time.monotonic() - start < 1.5
    values = tuple(ioc.get(f"PDET:{channel}:Value") for channel in (1, 2, 3))
    assert values == point_values(x, y, 0.2, modes)
    assert ioc.text("PDET:Acquire") == "Done"
    for channel in (1, 2, 3):
        ioc.put(f"PDET:{channel}:Mode", 0)
    ioc.put("PDET:AcquireTime", 0.1)


def test_point_detector_abort(ioc: IOC) -> None:
    before = ioc.pv("PDET:1:Value").read(data_type=ChannelType.TIME_LONG, timeout=TIMEOUT).metadata.timestamp
    ioc.put("PDET:AcquireTime", 10.0)
    done = ioc.put_nowait("PDET:Acquire", 1)
    wait_for(lambda: ioc.get("PDET:Acquire") == 1, TIMEOUT, "the acquisition to start")
    ioc.put("PDET:Acquire", 0)
    assert done.wait(TIMEOUT), "the aborted acquisition did not complete its put"
    after = ioc.pv("PDET:1:Value").read(data_type=ChannelType.TIME_LONG, timeout=TIMEOUT).metadata.timestamp
    assert after == before
    ioc.put("PDET:AcquireTime", 0.1)


def read_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with h5py.File(path, "r", libver="latest", swmr=True) as f:
        return f["/entry/data/data"][()], f["/entry/sum"][()]


def test_blob_detector_writes_frames_and_sums(blob: IOC, stage: Any, tmp_path: Path) -> None:
    x, y = stage(0.5, -1.5)
    blob.put("BDET:HDF1:FileName", "scan1")
    blob.put("BDET:HDF1:NumCapture", 3)
    blob.put("BDET:cam1:NumImages", 3)
    captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
    wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    assert blob.text("BDET:HDF1:FullFileName_RBV") == f"{tmp_path}/scan1.h5"
    counter = blob.get("BDET:cam1:ArrayCounter_RBV")
    start = time.monotonic()
    blob.put("BDET:cam1:Acquire", 1)
    assert 0.15 <= time.monotonic() - start < 2.0
    assert captured.wait(TIMEOUT), "the Capture put did not complete after NumCapture frames"
    assert blob.get("BDET:HDF1:NumCaptured_RBV") == 3 and blob.get("BDET:HDF1:Capture_RBV") == 0
    assert blob.get("BDET:cam1:ArrayCounter_RBV") == counter + 3
    assert blob.text("BDET:HDF1:WriteStatus") == "Write OK"
    data, sums = read_file(tmp_path / "scan1.h5")
    expected = blob_frame(x, y, 0.05)
    assert data.shape == (3, 240, 320) and data.dtype == np.uint8 and sums.dtype == np.int64
    for frame in data:
        np.testing.assert_array_equal(frame, expected)
    assert list(sums) == [blob_sum(expected)] * 3


def test_file_is_readable_while_capture_runs(blob: IOC, tmp_path: Path) -> None:
    blob.put("BDET:HDF1:FileName", "live")
    blob.put("BDET:HDF1:NumCapture", 0)  # capture until told to stop
    blob.put("BDET:cam1:ImageMode", CONTINUOUS)
    blob.put("BDET:cam1:AcquirePeriod", 0.05)
    captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
    wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    acquired = blob.put_nowait("BDET:cam1:Acquire", 1)
    wait_for(lambda: blob.get("BDET:HDF1:NumCaptured_RBV") >= 2, TIMEOUT, "two frames captured")
    with h5py.File(tmp_path / "live.h5", "r", libver="latest", swmr=True) as f:
        seen = f["/entry/data/data"].shape[0]
        assert seen >= 1 and f["/entry/sum"].shape[0] <= seen
        assert blob.get("BDET:HDF1:Capture_RBV") == 1 and not captured.is_set()
        blob.put("BDET:cam1:Acquire", 0)
        assert acquired.wait(TIMEOUT)
        blob.put("BDET:HDF1:Capture", 0)
        assert captured.wait(TIMEOUT)
        f["/entry/data/data"].refresh()
        total = blob.get("BDET:HDF1:NumCaptured_RBV")
        assert f["/entry/data/data"].shape[0] == total >= seen
    data, sums = read_file(tmp_path / "live.h5")
    assert len(data) == len(sums) == total
    assert list(sums) == [blob_sum(frame) for frame in data]


def test_capture_mode_writes_buffered_frames_at_the_end(blob: IOC, tmp_path: Path) -> None:
    blob.put("BDET:HDF1:FileWriteMode", CAPTURE_MODE)
    blob.put("BDET:HDF1:FileName", "buffered")
    blob.put("BDET:HDF1:NumCapture", 2)
    blob.put("BDET:cam1:NumImages", 2)
    captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
    wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    blob.put("BDET:cam1:Acquire", 1)
    assert captured.wait(TIMEOUT)
    data, sums = read_file(tmp_path / "buffered.h5")
    assert data.shape == (2, 240, 320) and len(sums) == 2


def test_bad_path_reports_an_error_and_fails_the_capture(blob: IOC, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    blob.put("BDET:HDF1:FilePath", str(missing))
    blob.put("BDET:HDF1:FileName", "nothing")
    assert blob.text("BDET:HDF1:FilePathExists_RBV") == "No"
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(blob.prefix + "BDET:HDF1:Capture", CAPTURE, notify=True, timeout=TIMEOUT)
    assert blob.text("BDET:HDF1:WriteStatus") == "Write error"
    assert str(missing) in blob.text("BDET:HDF1:WriteMessage")
    assert blob.get("BDET:HDF1:Capture_RBV") == 0
    assert not missing.exists()
    # An existing file is never overwritten either; a good capture then clears the error.
    blob.put("BDET:HDF1:FilePath", str(tmp_path))
    (tmp_path / "taken.h5").write_bytes(b"precious")
    blob.put("BDET:HDF1:FileName", "taken")
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(blob.prefix + "BDET:HDF1:Capture", CAPTURE, notify=True, timeout=TIMEOUT)
    assert (tmp_path / "taken.h5").read_bytes() == b"precious"
    blob.put("BDET:HDF1:FileName", "fine")
    captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
    wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    assert blob.text("BDET:HDF1:WriteStatus") == "Write OK" and blob.text("BDET:HDF1:WriteMessage") == ""
    blob.put("BDET:cam1:Acquire", 1)
    assert captured.wait(TIMEOUT)


def test_keep_frames_drops_the_later_frames_of_the_running_capture(blob: IOC, tmp_path: Path) -> None:
    """KeepFrames = N shrinks the file (Stream) or the buffer (Capture) to the first N frames of the capture."""
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):  # no capture is running
        sync_write(blob.prefix + "BDET:HDF1:KeepFrames", 0, notify=True, timeout=TIMEOUT)
    blob.put("BDET:HDF1:NumCapture", 0)
    blob.put("BDET:cam1:AcquireTime", 0.01)
    for mode, name in ((STREAM, "kept"), (CAPTURE_MODE, "kept_buffered")):
        blob.put("BDET:HDF1:FileWriteMode", mode)
        blob.put("BDET:HDF1:FileName", name)
        captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
        wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
        blob.put("BDET:cam1:NumImages", 3)
        blob.put("BDET:cam1:Acquire", 1)
        blob.put("BDET:HDF1:KeepFrames", 5)  # more than captured: nothing changes
        assert blob.get("BDET:HDF1:NumCaptured_RBV") == 3
        blob.put("BDET:HDF1:KeepFrames", 1)
        assert blob.get("BDET:HDF1:NumCaptured_RBV") == 1
        if mode == STREAM:
            assert read_file(tmp_path / f"{name}.h5")[0].shape == (1, 240, 320)  # shrunk while capturing
        blob.put("BDET:cam1:NumImages", 1)
        blob.put("BDET:cam1:Acquire", 1)  # a later frame follows the kept one
        blob.put("BDET:HDF1:Capture", 0)
        assert captured.wait(TIMEOUT)
        assert blob.text("BDET:HDF1:WriteStatus") == "Write OK"
        with h5py.File(tmp_path / f"{name}.h5", "r") as f:  # closed: opens without SWMR
            data, sums = f["/entry/data/data"][()], f["/entry/sum"][()]
        assert data.shape == (2, 240, 320), mode
        assert list(sums) == [blob_sum(frame) for frame in data]


PYEPICS_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import epics

    prefix = sys.argv[1]
    epics.caput(prefix + "PDET:AcquireTime", 0.15, wait=True, timeout=5.0)
    start = time.monotonic()
    epics.caput(prefix + "PDET:Acquire", 1, wait=True, timeout=5.0)
    elapsed = time.monotonic() - start
    values = [epics.caget(f"{prefix}PDET:{i}:Value", use_monitor=False, timeout=5.0) for i in (1, 2, 3)]
    x = epics.caget(prefix + "STAGE:X.RBV", use_monitor=False, timeout=5.0)
    y = epics.caget(prefix + "STAGE:Y.RBV", use_monitor=False, timeout=5.0)
    epics.caput(prefix + "PDET:AcquireTime", 0.1, wait=True, timeout=5.0)
    print(json.dumps({"elapsed": elapsed, "values": [int(v) for v in values], "x": x, "y": y}))
    """
)


def test_pyepics_point_detector(pattern_prefix: str) -> None:
    data = run_json_script(PYEPICS_SCRIPT, pattern_prefix)
    assert 0.15 <= data["elapsed"] < 1.5
    assert tuple(data["values"]) == point_values(data["x"], data["y"], 0.15)


def test_file_number_goes_up_when_the_file_opens(blob: IOC, tmp_path: Path) -> None:
    """As areaDetector's AutoIncrement: a client reading FileNumber after Capture_RBV = 1 sees the next one."""
    blob.put("BDET:HDF1:FileName", "numbered")
    blob.put("BDET:HDF1:FileTemplate", "%s%s_%3.3d.h5")
    blob.put("BDET:HDF1:FileNumber", 7)
    blob.put("BDET:HDF1:AutoIncrement", 1)
    try:
        blob.put("BDET:HDF1:NumCapture", 0)
        captured = blob.put_nowait("BDET:HDF1:Capture", CAPTURE)
        wait_for(lambda: blob.get("BDET:HDF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
        assert blob.get("BDET:HDF1:FileNumber_RBV") == 8
        assert blob.text("BDET:HDF1:FullFileName_RBV") == f"{tmp_path}/numbered_007.h5"
        blob.put("BDET:HDF1:Capture", 0)
        assert captured.wait(TIMEOUT)
        assert blob.get("BDET:HDF1:FileNumber_RBV") == 8  # once per file, not again when it closes
    finally:
        blob.put("BDET:HDF1:AutoIncrement", 0)
        blob.put("BDET:HDF1:FileTemplate", "%s%s.h5")
        blob.put("BDET:HDF1:FileNumber", 0)


def test_create_directory_on_file_path_write(blob: IOC, tmp_path: Path) -> None:
    """areaDetector's CreateDirectory: N < 0 makes up to -N missing levels when FilePath is written."""
    try:
        blob.put("BDET:HDF1:CreateDirectory", -2)
        blob.put("BDET:HDF1:FilePath", str(tmp_path / "a" / "b" / "c"))  # three levels missing: too many
        assert blob.get("BDET:HDF1:FilePathExists_RBV") == 0 and not (tmp_path / "a").exists()
        blob.put("BDET:HDF1:FilePath", str(tmp_path / "a" / "b"))
        assert blob.get("BDET:HDF1:FilePathExists_RBV") == 1 and (tmp_path / "a" / "b").is_dir()
        blob.put("BDET:HDF1:CreateDirectory", 0)
        blob.put("BDET:HDF1:FilePath", str(tmp_path / "d"))
        assert blob.get("BDET:HDF1:FilePathExists_RBV") == 0 and not (tmp_path / "d").exists()
    finally:
        blob.put("BDET:HDF1:CreateDirectory", 0)


def test_plugins_take_frames_from_the_port_they_name(blob: IOC) -> None:
    """A plugin counts a frame only while it is enabled, names the camera's port, and the camera hands frames on."""
    assert blob.text("BDET:cam1:PortName_RBV") == "CAM1"
    assert (blob.text("BDET:HDF1:PortName_RBV"), blob.text("BDET:Stats1:PortName_RBV")) == ("HDF1", "STATS1")
    assert blob.text("BDET:Stats1:NDArrayPort_RBV") == "CAM1"
    blob.put("BDET:cam1:NumImages", 1)

    def frame_counted() -> bool:
        before = blob.get("BDET:Stats1:ArrayCounter_RBV")
        blob.put("BDET:cam1:Acquire", 1)
        return bool(blob.get("BDET:Stats1:ArrayCounter_RBV") == before + 1)

    assert frame_counted()
    assert (blob.get("BDET:Stats1:ArraySize0_RBV"), blob.get("BDET:Stats1:ArraySize1_RBV")) == (320, 240)
    try:
        blob.put("BDET:Stats1:NDArrayPort", "OTHER")
        assert not frame_counted()
        blob.put("BDET:Stats1:NDArrayPort", "CAM1")
        blob.put("BDET:cam1:ArrayCallbacks", 0)
        assert not frame_counted()
    finally:
        blob.put("BDET:Stats1:NDArrayPort", "CAM1")
        blob.put("BDET:cam1:ArrayCallbacks", 1)
    assert frame_counted()


# -- the TIFF plugin BDET:TIFF1: ----------------------------------------------------------------------------
SINGLE_FILE = 0  # FileWriteMode Single


@pytest.fixture
def tiff(ioc: IOC, tmp_path: Path) -> Iterator[IOC]:
    """The TIFF plugin set to write into ``tmp_path`` with AutoIncrement; settings restored afterwards."""
    ioc.put("BDET:TIFF1:FilePath", str(tmp_path))
    ioc.put("BDET:TIFF1:FileName", "img")
    ioc.put("BDET:TIFF1:FileNumber", 7)
    ioc.put("BDET:TIFF1:AutoIncrement", 1)
    ioc.put("BDET:cam1:ImageMode", MULTIPLE)
    ioc.put("BDET:cam1:AcquireTime", 0.05)
    yield ioc
    if ioc.get("BDET:TIFF1:Capture_RBV"):
        ioc.put("BDET:TIFF1:Capture", 0)
    for suffix, value in (
        ("AutoSave", 0),
        ("AutoIncrement", 0),
        ("FileWriteMode", STREAM),
        ("NumCapture", 1),
        ("FileNumber", 0),
        ("FilePath", ""),
        ("FileName", ""),
    ):
        ioc.put("BDET:TIFF1:" + suffix, value)
    ioc.put("BDET:cam1:NumImages", 1)
    ioc.put("BDET:cam1:AcquireTime", 0.1)


def test_tiff_plugin_saves_each_frame_in_single_mode(tiff: IOC, stage: Any, tmp_path: Path) -> None:
    x, y = stage(0.5, -1.5)
    assert tiff.text("BDET:TIFF1:FileTemplate") == "%s%s_%6.6d.tiff"
    assert (tiff.text("BDET:TIFF1:PortName_RBV"), tiff.text("BDET:TIFF1:PluginType_RBV")) == (
        "TIFF1",
        "NDFileTIFF",
    )
    tiff.put("BDET:TIFF1:FileWriteMode", SINGLE_FILE)
    tiff.put("BDET:TIFF1:AutoSave", 1)
    tiff.put("BDET:cam1:NumImages", 2)
    tiff.put("BDET:cam1:Acquire", 1)  # completes after the plugins took both frames
    assert sorted(os.listdir(tmp_path)) == ["img_000007.tiff", "img_000008.tiff"]
    assert tiff.get("BDET:TIFF1:FileNumber") == 9 and tiff.get("BDET:TIFF1:FileNumber_RBV") == 9
    assert tiff.text("BDET:TIFF1:FullFileName_RBV") == f"{tmp_path}/img_000008.tiff"
    assert tiff.text("BDET:TIFF1:WriteStatus") == "Write OK"
    expected = blob_frame(x, y, 0.05)
    for name in ("img_000007.tiff", "img_000008.tiff"):
        np.testing.assert_array_equal(read_tiff(tmp_path / name), expected)
    # WriteFile writes the last frame again, to the next file
    tiff.put("BDET:TIFF1:AutoSave", 0)
    tiff.put("BDET:TIFF1:WriteFile", 1)
    np.testing.assert_array_equal(read_tiff(tmp_path / "img_000009.tiff"), expected)
    assert tiff.get("BDET:TIFF1:WriteFile_RBV") == 0


def test_tiff_plugin_captures_in_stream_and_capture_modes(tiff: IOC, tmp_path: Path) -> None:
    tiff.put("BDET:TIFF1:NumCapture", 2)
    tiff.put("BDET:cam1:NumImages", 2)
    captured = tiff.put_nowait("BDET:TIFF1:Capture", CAPTURE)
    wait_for(lambda: tiff.get("BDET:TIFF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    tiff.put("BDET:cam1:Acquire", 1)
    assert captured.wait(TIMEOUT), "the Capture put did not complete after NumCapture frames"
    assert sorted(os.listdir(tmp_path)) == ["img_000007.tiff", "img_000008.tiff"]
    assert tiff.get("BDET:TIFF1:NumCaptured_RBV") == 2 and tiff.get("BDET:TIFF1:Capture_RBV") == 0
    # Capture mode buffers the frames and writes them when the capture ends
    tiff.put("BDET:TIFF1:FileWriteMode", CAPTURE_MODE)
    tiff.put("BDET:TIFF1:NumCapture", 0)
    captured = tiff.put_nowait("BDET:TIFF1:Capture", CAPTURE)
    wait_for(lambda: tiff.get("BDET:TIFF1:Capture_RBV") == 1, TIMEOUT, "Capture_RBV = 1")
    tiff.put("BDET:cam1:Acquire", 1)
    assert tiff.get("BDET:TIFF1:NumCaptured_RBV") == 2 and len(os.listdir(tmp_path)) == 2
    assert not captured.is_set()
    tiff.put("BDET:TIFF1:Capture", 0)
    assert captured.wait(TIMEOUT)
    assert sorted(os.listdir(tmp_path))[2:] == ["img_000009.tiff", "img_000010.tiff"]
    frames = [read_tiff(tmp_path / name) for name in sorted(os.listdir(tmp_path))]
    assert all(np.array_equal(frame, frames[0]) for frame in frames) and frames[0].max() > 0


def test_tiff_plugin_never_overwrites_a_file(tiff: IOC, tmp_path: Path) -> None:
    tiff.put("BDET:cam1:Acquire", 1)  # a frame for WriteFile (AutoSave is No: nothing written)
    assert os.listdir(tmp_path) == []
    (tmp_path / "img_000007.tiff").write_bytes(b"precious")
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(tiff.prefix + "BDET:TIFF1:WriteFile", 1, notify=True, timeout=TIMEOUT)
    assert (tmp_path / "img_000007.tiff").read_bytes() == b"precious"
    assert tiff.text("BDET:TIFF1:WriteStatus") == "Write error"
    assert "img_000007.tiff" in tiff.text("BDET:TIFF1:WriteMessage")
    assert tiff.get("BDET:TIFF1:FileNumber") == 7  # no file was opened
    tiff.put("BDET:TIFF1:FileNumber", 8)
    tiff.put("BDET:TIFF1:WriteFile", 1)
    assert tiff.text("BDET:TIFF1:WriteStatus") == "Write OK" and (tmp_path / "img_000008.tiff").exists()
    with pytest.raises(ErrorResponseReceived, match="ECA_PUTFAIL"):
        sync_write(tiff.prefix + "BDET:TIFF1:ReadFile", 1, notify=True, timeout=TIMEOUT)


def test_roi_crop_clamps_bins_scales_and_reverses() -> None:
    frame = np.arange(6 * 8, dtype=np.uint8).reshape(6, 8)
    whole = Region(
        enable=False, start=3, size=1, binning=4, reverse=True
    )  # a disabled dimension is taken whole
    np.testing.assert_array_equal(crop(frame, whole, whole), frame)
    x = Region(enable=True, start=2, size=4, binning=2, reverse=True)
    y = Region(enable=True, start=4, size=100, binning=1, reverse=False)  # the size is clamped to the frame
    expected = frame[4:6, 2:6].reshape(2, 2, 2).sum(axis=2)[:, ::-1]
    np.testing.assert_array_equal(crop(frame, x, y), expected)
    np.testing.assert_array_equal(crop(frame, x, y, scale=2.0), expected // 2)
    bright = np.full((2, 2), 200, dtype=np.uint8)
    summed = Region(enable=True, start=0, size=2, binning=2, reverse=False)
    assert crop(bright, summed, summed).tolist() == [[255]]  # clipped, not wrapped around


def test_process_offset_scale_then_clips_and_rounds_down() -> None:
    frame = np.array([[0, 10], [100, 250]], dtype=np.uint8)
    np.testing.assert_array_equal(offset_scale(frame), frame)  # nothing enabled: the frame
    assert offset_scale(frame, offset=-5.0, scale=1.5).tolist() == [[0, 7], [142, 255]]  # cut to 0..255
    assert offset_scale(frame, low_clip=20.0, high_clip=99.5).tolist() == [[20, 20], [99, 99]]


def test_auto_offset_scale_stretches_the_last_frame_and_the_chain_passes_it_on(blob: IOC) -> None:
    """Proc1's AutoOffsetScale spans the last frame over 0..255; image1 fed from Proc1 then holds that frame."""
    blob.put("BDET:cam1:NumImages", 1)
    blob.put("BDET:cam1:Acquire", 1)
    frame = blob_frame(blob.get("STAGE:X.RBV"), blob.get("STAGE:Y.RBV"), 0.05)
    low, high = int(frame.min()), int(frame.max())
    assert high > low
    try:
        blob.put("BDET:Proc1:AutoOffsetScale", 1)
        assert blob.get("BDET:Proc1:AutoOffsetScale") == 0  # back to Done
        assert blob.get("BDET:Proc1:Offset_RBV") == -low
        assert blob.get("BDET:Proc1:Scale_RBV") == pytest.approx(255.0 / (high - low))
        assert blob.text("BDET:Proc1:EnableOffsetScale_RBV") == "Enable"
        assert (blob.get("BDET:Proc1:LowClip"), blob.get("BDET:Proc1:HighClip")) == (0.0, 255.0)
        blob.put("BDET:image1:NDArrayPort", "PROC1")
        blob.put("BDET:cam1:Acquire", 1)
        stretched = blob.get("BDET:image1:ArrayData")[: frame.size].reshape(frame.shape)
        np.testing.assert_array_equal(stretched, offset_scale(frame, -low, 255.0 / (high - low), 0.0, 255.0))
        assert stretched.max() == 255 and blob.get("BDET:image1:Dimensions_RBV")[:3].tolist() == [320, 240, 0]
    finally:
        blob.put("BDET:image1:NDArrayPort", "CAM1")
        for setting, value in (
            ("EnableOffsetScale", 0),
            ("EnableLowClip", 0),
            ("EnableHighClip", 0),
            ("Offset", 0.0),
            ("Scale", 1.0),
        ):
            blob.put(f"BDET:Proc1:{setting}", value)
