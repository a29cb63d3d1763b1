"""An areaDetector-like HDF5 file plugin (``NDFileHDF5``) as a caproto PVGroup; the IOC writes the file itself.

PVs (after the plugin prefix, e.g. ``BDET:HDF1:``); settings have an ``_RBV`` readback like areaDetector:

- every plugin's PVs (``sophyd_iocs._ndplugin``): ``PortName_RBV`` (``HDF1``), ``PluginType_RBV``
  (``NDFileHDF5``), ``NDArrayPort``, ``EnableCallbacks``, ``BlockingCallbacks``, ``ArrayCounter``,
  ``ArraySize0_RBV``... (a frame counts when the plugin is enabled and its NDArrayPort names the camera's);
- every file plugin's PVs (``sophyd_iocs._ndfile``): ``FilePath``, ``FileName``, ``FileTemplate`` (default
  ``"%s%s.h5"``), ``FileNumber``, ``AutoIncrement``, ``AutoSave``, ``CreateDirectory``, ``FullFileName_RBV``,
  ``FilePathExists_RBV``, ``FileWriteMode``, ``NumCapture``, ``NumCaptured_RBV``, ``Capture``, ``WriteStatus``,
  ``WriteMessage``, ...; and ``SWMRMode`` (Off/On, default On);
- the HDF5 settings classic ophyd's HDF5Plugin reads as configuration (``Compression``, ``ZLevel``,
  ``NumExtraDims``, ``NumRowChunks``, ``NumColChunks``, ``NumFramesChunks``, ``NumFramesFlush``,
  ``BoundaryAlign``, ``BoundaryThreshold``, ``DataBitsOffset``, ``NumDataBits``, ``SZipNumPixels``,
  ``StoreAttr``, ``StorePerform``, ``ExtraDimSizeX/Y/N``, ``ExtraDimNameX/Y/N_RBV``, ``IOSpeed``, ``RunTime``):
  read back as written, not used by the simulated file, which has the layout below.
- ``KeepFrames`` (not in areaDetector): a put of N during a capture drops every frame after the first N of it.

Semantics:

- File name: ``FileTemplate`` applied to (FilePath, FileName, FileNumber) as ``sophyd_iocs._ndfile`` says; the
  default gives ``<FilePath><FileName>.h5``. An existing file is never overwritten: that is a write error. With
  AutoIncrement Yes, FileNumber goes up by one when a file has been opened (so a client reading it after
  Capture_RBV = 1 sees the next number, as with areaDetector).
- ``Capture`` = 1 opens the file at once (no lazy open) and captures every frame the camera delivers until
  ``NumCapture`` frames (0 = until ``Capture`` = 0), then closes it. Its put-completion arrives when the
  capture ends, as with areaDetector's busy record; a put of 0 ends the capture and completes both puts.
  If the file cannot be opened or written, WriteStatus becomes "Write error", WriteMessage says why and the
  Capture put fails (ECA_PUTFAIL), so no frame is lost silently.
- ``KeepFrames`` = N keeps the first N frames of the running capture and drops the later ones, from the file
  (Stream mode: both datasets are shrunk to N rows and flushed) or from the buffer (Capture mode), and sets
  NumCaptured_RBV to N; frames that arrive afterwards are captured as usual. Its put completes when the file
  is shrunk, and fails (ECA_PUTFAIL) when no capture is running; N at or above NumCaptured_RBV changes nothing.
  A file-writing client uses it to drop frames that no record of its run refers to (an interrupted scan).
- Stream mode appends every frame as it arrives and flushes it; Capture mode buffers the frames in memory and
  writes them all when the capture ends; Single mode (one file per frame) is not simulated and is refused.
- File layout: ``/entry/data/data`` (N, 240, 320) uint8 and ``/entry/sum`` (N,) int64, in a file opened with
  ``libver="latest"`` and, with SWMRMode On, switched to SWMR after the datasets exist, so readers can open it
  with ``swmr=True`` during the capture. Each frame goes to ``data`` before its sum goes to ``sum``, each
  flushed, so a reader sees ``len(sum) <= len(data)``. File I/O runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import h5py
import numpy as np
from caproto import SkipWrite
from caproto.server import pvproperty

from sophyd_iocs._ndfile import CaptureFailed, NDFilePluginBase, file_template
from sophyd_iocs._ndplugin import identity
from sophyd_iocs._pv import menu, number, string, with_rbv
from sophyd_iocs.physics import BLOB_DTYPE, BLOB_SHAPE, blob_sum

__all__ = [
    "DATA_PATH",
    "SUM_PATH",
    "FrameFile",
    "HDF5Plugin",
]

DATA_PATH = "/entry/data/data"
SUM_PATH = "/entry/sum"
_NO_YES = ("No", "Yes")
_OFF_ON = ("Off", "On")


class FrameFile:
    """An HDF5 file of frames and their sums; blocking calls, meant to run in a worker thread."""

    def __init__(self, path: str, *, swmr: bool = True, shape: tuple[int, int] = BLOB_SHAPE) -> None:
        self.path = path
        self._file = h5py.File(path, "w-", libver="latest")  # "w-": never overwrite an existing file
        try:
            entry = self._file.create_group("entry")
            entry.attrs["NX_class"] = "NXentry"
            data_group = entry.create_group("data")
            data_group.attrs["NX_class"] = "NXdata"
            data_group.attrs["signal"] = "data"
            self._data = data_group.create_dataset(
                "data", shape=(0, *shape), maxshape=(None, *shape), chunks=(1, *shape), dtype=BLOB_DTYPE
            )
            self._sum = entry.create_dataset(
                "sum", shape=(0,), maxshape=(None,), chunks=(256,), dtype=np.int64
            )
            if swmr:
                self._file.swmr_mode = True
        except BaseException:
            self._file.close()
            raise

    def append(self, frames: Sequence[np.ndarray]) -> int:
        """Append frames (data first, then sums, each flushed); return the number of frames in the file."""
        if not frames:
            return int(self._data.shape[0])
        n = self._data.shape[0]
        end = n + len(frames)
        self._data.resize(end, axis=0)
        self._data[n:end] = np.stack(frames)
        self._data.flush()
        self._sum.resize(end, axis=0)
        self._sum[n:end] = [blob_sum(frame) for frame in frames]
        self._sum.flush()
        return end

    def truncate(self, keep: int) -> None:
        """Keep the first ``keep`` frames (sums first, so a reader never sees a sum without its frame)."""
        for dataset in (self._sum, self._data):
            if dataset.shape[0] > keep:
                dataset.resize(keep, axis=0)
                dataset.flush()

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


class _Capture:
    """One capture in progress: its open file, buffered frames and the event set when it ends."""

    def __init__(self, file: FrameFile, mode: str, limit: int) -> None:
        self.file = file
        self.mode = mode
        self.limit = limit
        self.buffer: list[np.ndarray] = []
        self.captured = 0
        self.error: str | None = None
        self.done = asyncio.Event()


class HDF5Plugin(NDFilePluginBase):
    """The HDF5 file-writing plugin; a camera calls ``on_frame`` for each frame it acquires."""

    port_name, plugin_type = identity("HDF1", "NDFileHDF5")

    file_template, file_template_rbv = file_template("%s%s.h5")
    compression, compression_rbv = with_rbv(
        menu, "Compression", ("None", "N-bit", "szip", "zlib", "blosc"), "None", "Compression"
    )
    zlevel, zlevel_rbv = with_rbv(number, "ZLevel", 6, "zlib level")
    num_extra_dims, num_extra_dims_rbv = with_rbv(number, "NumExtraDims", 0, "Extra dimensions")
    num_row_chunks, num_row_chunks_rbv = with_rbv(number, "NumRowChunks", 0, "Rows per chunk")
    num_col_chunks, num_col_chunks_rbv = with_rbv(number, "NumColChunks", 0, "Columns per chunk")
    num_frames_chunks, num_frames_chunks_rbv = with_rbv(number, "NumFramesChunks", 1, "Frames per chunk")
    num_frames_flush, num_frames_flush_rbv = with_rbv(number, "NumFramesFlush", 1, "Frames per flush")
    boundary_align, boundary_align_rbv = with_rbv(number, "BoundaryAlign", 0, "Chunk alignment")
    boundary_threshold, boundary_threshold_rbv = with_rbv(
        number, "BoundaryThreshold", 0, "Alignment threshold"
    )
    data_bits_offset, data_bits_offset_rbv = with_rbv(number, "DataBitsOffset", 0, "N-bit offset")
    num_data_bits, num_data_bits_rbv = with_rbv(number, "NumDataBits", 0, "N-bit bits")
    szip_num_pixels, szip_num_pixels_rbv = with_rbv(number, "SZipNumPixels", 16, "szip pixels per block")
    store_attr, store_attr_rbv = with_rbv(menu, "StoreAttr", _NO_YES, "No", "Store NDAttributes")
    store_perform, store_perform_rbv = with_rbv(menu, "StorePerform", _NO_YES, "No", "Store performance data")
    extra_dim_size_x, extra_dim_size_x_rbv = with_rbv(number, "ExtraDimSizeX", 1, "Extra dimension X size")
    extra_dim_size_y, extra_dim_size_y_rbv = with_rbv(number, "ExtraDimSizeY", 1, "Extra dimension Y size")
    extra_dim_size_n, extra_dim_size_n_rbv = with_rbv(number, "ExtraDimSizeN", 1, "Extra dimension N size")
    extra_dim_name_x = string("ExtraDimNameX_RBV", "X", "Extra dimension X name", read_only=True)
    extra_dim_name_y = string("ExtraDimNameY_RBV", "Y", "Extra dimension Y name", read_only=True)
    extra_dim_name_n = string("ExtraDimNameN_RBV", "n", "Extra dimension N name", read_only=True)
    io_speed = number("IOSpeed", 0.0, "Write speed (MB/s)", precision=1)
    run_time = number("RunTime", 0.0, "Write time (s)", precision=3)
    swmr_mode = menu("SWMRMode", _OFF_ON, "On", "Open files in SWMR mode")
    swmr_mode_rbv = menu("SWMRMode_RBV", _OFF_ON, "On", "SWMR mode", read_only=True)
    keep_frames = pvproperty(
        name="KeepFrames",
        value=0,
        dtype=int,
        lower_ctrl_limit=0,
        upper_ctrl_limit=2**31 - 1,
        doc="Keep the first N frames of the running capture, drop the later ones",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._capture_state: _Capture | None = None
        self._lock = asyncio.Lock()  # file operations of one capture happen one at a time, in order

    async def _open(self) -> FrameFile:
        """Check the settings and open the file; report and raise CaptureFailed on any problem."""
        try:
            if self.file_write_mode.value == "Single":
                raise CaptureFailed("FileWriteMode Single is not simulated; use Stream or Capture")
            name = self.next_file_name()
            await self.full_file_name.write(name, verify_value=False)
            swmr = self.swmr_mode.value == "On"
            try:
                return await asyncio.to_thread(FrameFile, name, swmr=swmr)
            except (OSError, ValueError) as ex:
                raise CaptureFailed(f"cannot create {name!r}: {ex}") from None
        except CaptureFailed as ex:
            await self.report(str(ex))
            raise

    async def stop_capture(self) -> None:
        """Capture = 0: close the file of a running capture and complete its Capture put."""
        state = self._capture_state
        if state is not None:
            await self._end(state)
        else:
            await self.store(self.capture, "Done")
        raise SkipWrite()

    async def start_capture(self) -> None:
        """Capture = 1: open the file and capture; complete when the capture ends (a second put joins it)."""
        state = self._capture_state
        if state is None:
            file = await self._open()
            await self.report(None)
            await self.next_file_number()
            state = _Capture(file, self.file_write_mode.value, max(0, int(self.num_capture.value)))
            self._capture_state = state
            await self.num_captured.write(0)
            await self.store(self.capture, "Capture")
        await state.done.wait()  # a second Capture=1 joins the running capture
        if state.error:
            raise CaptureFailed(state.error)
        raise SkipWrite()

    async def process(self, frame: np.ndarray) -> None:
        """Capture one frame; returns once it is in the file (Stream) or buffered."""
        state = self._capture_state
        if state is None:
            return
        async with self._lock:
            if state.done.is_set():
                return
            try:
                if state.mode == "Stream":
                    await asyncio.to_thread(state.file.append, [frame])
                else:
                    state.buffer.append(frame)
            except Exception as ex:
                state.error = f"cannot write {state.file.path!r}: {ex}"
            else:
                state.captured += 1
                await self.num_captured.write(state.captured)
        if state.error or (state.limit and state.captured >= state.limit):
            await self._end(state)

    @keep_frames.putter  # type: ignore[no-redef]
    async def keep_frames(self, instance: Any, value: int) -> int:
        state = self._capture_state
        if state is None:
            raise CaptureFailed("KeepFrames: no capture is running")
        async with self._lock:
            if state.done.is_set():
                raise CaptureFailed("KeepFrames: no capture is running")
            keep = int(value)
            if keep < state.captured:
                in_file = state.captured - len(state.buffer)
                try:
                    if keep < in_file:
                        await asyncio.to_thread(state.file.truncate, keep)
                        state.buffer = []
                    else:
                        del state.buffer[keep - in_file :]
                except Exception as ex:
                    state.error = f"cannot drop frames from {state.file.path!r}: {ex}"
                    await self.report(state.error)
                    raise CaptureFailed(state.error) from None
                state.captured = keep
                await self.num_captured.write(keep)
        return int(value)

    async def _end(self, state: _Capture) -> None:
        """Write buffered frames, close the file, report, and complete the Capture put(s)."""
        async with self._lock:
            if state.done.is_set():
                return
            try:
                if state.buffer and not state.error:
                    await asyncio.to_thread(state.file.append, state.buffer)
                state.buffer = []
            except Exception as ex:
                state.error = f"cannot write {state.file.path!r}: {ex}"
            try:
                await asyncio.to_thread(state.file.close)
            except Exception as ex:
                state.error = state.error or f"cannot close {state.file.path!r}: {ex}"
            await self.report(state.error)
            self._capture_state = None
            await self.store(self.capture, "Done")
            state.done.set()
