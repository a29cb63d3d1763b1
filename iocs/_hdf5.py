"""An areaDetector-like HDF5 file plugin (``NDFileHDF5``) as a caproto PVGroup; the IOC writes the file itself.

PVs (after the plugin prefix, e.g. ``BDET:HDF1:``); settings have an ``_RBV`` readback like areaDetector:

- every plugin's PVs (``sophyd_iocs._ndplugin``): ``PortName_RBV`` (``HDF1``), ``PluginType_RBV``
  (``NDFileHDF5``), ``NDArrayPort``, ``EnableCallbacks``, ``BlockingCallbacks``, ``ArrayCounter``,
  ``ArraySize0_RBV``... (a frame counts when the plugin is enabled and its NDArrayPort names the camera's);
- ``FilePath``, ``FileName``, ``FileTemplate`` (char waveforms, 256 chars), ``FileNumber``, ``AutoIncrement``
  (No/Yes), ``AutoSave`` (No/Yes), ``CreateDirectory``, and ``FullFileName_RBV`` (512 chars),
  ``FilePathExists_RBV`` (No/Yes);
- ``FileWriteMode`` (Single/Capture/Stream, default Stream), ``NumCapture``, ``NumCaptured_RBV``,
  ``Capture`` (Done/Capture), ``SWMRMode`` (Off/On, default On);
- the HDF5 settings classic ophyd's HDF5Plugin reads as configuration (``Compression``, ``ZLevel``,
  ``NumExtraDims``, ``NumRowChunks``, ``NumColChunks``, ``NumFramesChunks``, ``NumFramesFlush``,
  ``BoundaryAlign``, ``BoundaryThreshold``, ``DataBitsOffset``, ``NumDataBits``, ``SZipNumPixels``,
  ``StoreAttr``, ``StorePerform``, ``ExtraDimSizeX/Y/N``, ``ExtraDimNameX/Y/N_RBV``, ``IOSpeed``, ``RunTime``,
  ``FileFormat``, ``LazyOpen``, ``DeleteDriverFile``, ``TempSuffix``): read back as written, not used by the
  simulated file, which has the layout below.
- ``WriteStatus`` ("Write OK"/"Write error", the strings of areaDetector's bi record; index 0 is OK) and
  ``WriteMessage`` (char waveform, 256 chars), both read-only.
- ``KeepFrames`` (not in areaDetector): a put of N during a capture drops every frame after the first N of it.

Semantics:

- File name: like areaDetector, ``FileTemplate`` is a C printf format applied to (FilePath, FileName,
  FileNumber), using as many of them as it has conversions; the default ``"%s%s.h5"`` gives
  ``<FilePath><FileName>.h5``. A trailing ``/`` is added to FilePath (as areaDetector does); FilePath must be
  an absolute, existing directory. An existing file is never overwritten: that is a write error. With
  AutoIncrement Yes, FileNumber goes up by one when a file has been opened (so a client reading it after
  Capture_RBV = 1 sees the next number, as with areaDetector).
- Directories: as areaDetector does, a write of FilePath naming a missing directory creates it when
  CreateDirectory allows: N < 0 creates up to -N missing levels, N > 0 creates the levels below the first N
  (which must exist), 0 creates none; FilePathExists_RBV then says whether the path exists. Only a write of
  FilePath does this: a CreateDirectory written afterwards waits for the next FilePath.
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
import os
from collections.abc import Sequence
from typing import Any

import h5py
import numpy as np
from caproto import AlarmSeverity, AlarmStatus, ChannelType, SkipWrite
from caproto.server import PvpropertyChar, pvproperty

from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv
from sophyd_iocs.physics import BLOB_DTYPE, BLOB_SHAPE, blob_sum

__all__ = [
    "DATA_PATH",
    "SUM_PATH",
    "CaptureFailed",
    "FrameFile",
    "HDF5Plugin",
    "format_file_name",
]

DATA_PATH = "/entry/data/data"
SUM_PATH = "/entry/sum"
_PATH_LEN = 256
_STATUS = ("Write OK", "Write error")
_NO_YES = ("No", "Yes")
_OFF_ON = ("Off", "On")
_CAPTURE = ("Done", "Capture")
_MODES = ("Single", "Capture", "Stream")


class CaptureFailed(RuntimeError):
    """The file could not be opened or written; the Capture put fails with this message."""


def format_file_name(template: str, path: str, name: str, number: int) -> str:
    """Apply an areaDetector FileTemplate to (path, name, number), using as many values as it converts."""
    values = (path, name, number)
    for count in (3, 2, 1, 0):
        try:
            return template % values[:count]
        except (TypeError, ValueError):
            continue
    raise ValueError(f"FileTemplate {template!r} does not format (FilePath, FileName, FileNumber)")


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


class LongString(PvpropertyChar):
    """A writable char waveform that also accepts an empty string.

    caproto 1.3 fails to convert a CHAR put of only NUL bytes (what ``caput(pv, "")`` sends), so the put would
    fail; here it clears the string instead.
    """

    async def write_from_dbr(self, data: Any, data_type: Any, metadata: Any, *, flags: int = 0) -> None:
        if data_type == ChannelType.CHAR and not any(bytes(data)):
            await self.write("", flags=flags)
            return
        await super().write_from_dbr(data, data_type, metadata, flags=flags)


def _long_string(
    name: str, value: str, doc: str, *, length: int = _PATH_LEN, read_only: bool = False
) -> pvproperty:
    """A char waveform PV holding a string longer than DBR_STRING's 39 characters (a path, a message)."""
    dtype = str if read_only else LongString
    return pvproperty(name=name, value=value, dtype=dtype, max_length=length, read_only=read_only, doc=doc)


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


def make_directories(path: str, depth: int) -> None:
    """Create the missing directories of ``path`` as areaDetector's CreateDirectory = ``depth`` allows."""
    parts = [part for part in path.split("/") if part]
    existing = 0  # how many leading levels exist
    while existing < len(parts) and os.path.isdir("/" + "/".join(parts[: existing + 1])):
        existing += 1
    missing = len(parts) - existing
    if depth == 0 or missing == 0 or (depth < 0 and missing > -depth) or (depth > 0 and existing < depth):
        return
    os.makedirs(path, exist_ok=True)


class HDF5Plugin(NDPluginBase):
    """The HDF5 file-writing plugin; a camera calls ``on_frame`` for each frame it acquires."""

    port_name, plugin_type = identity("HDF1", "NDFileHDF5")

    file_path = _long_string("FilePath", "", "Directory of the file")
    file_path_rbv = _long_string("FilePath_RBV", "", "Directory of the file", read_only=True)
    file_path_exists = menu("FilePathExists_RBV", ("No", "Yes"), "No", "FilePath exists", read_only=True)
    file_name = _long_string("FileName", "", "File name (without directory)")
    file_name_rbv = _long_string("FileName_RBV", "", "File name", read_only=True)
    file_template = _long_string(
        "FileTemplate", "%s%s.h5", "printf format of (FilePath, FileName, FileNumber)"
    )
    file_template_rbv = _long_string("FileTemplate_RBV", "%s%s.h5", "File template", read_only=True)
    full_file_name = _long_string(
        "FullFileName_RBV", "", "Last file opened", length=2 * _PATH_LEN, read_only=True
    )
    file_number = pvproperty(name="FileNumber", value=0, dtype=int, doc="File number")
    file_number_rbv = pvproperty(name="FileNumber_RBV", value=0, dtype=int, read_only=True, doc="File number")
    auto_increment, auto_increment_rbv = with_rbv(
        menu, "AutoIncrement", _NO_YES, "No", "FileNumber + 1 per file"
    )
    auto_save, auto_save_rbv = with_rbv(menu, "AutoSave", _NO_YES, "No", "Save each frame (Single mode)")
    create_directory, create_directory_rbv = with_rbv(
        number, "CreateDirectory", 0, "Directory levels to create"
    )
    file_format, file_format_rbv = with_rbv(number, "FileFormat", 0, "File format")
    lazy_open, lazy_open_rbv = with_rbv(menu, "LazyOpen", _NO_YES, "No", "Open the file at the first frame")
    delete_driver_file, delete_driver_file_rbv = with_rbv(menu, "DeleteDriverFile", _NO_YES, "No", "Delete")
    temp_suffix, temp_suffix_rbv = with_rbv(string, "TempSuffix", "", "Suffix while writing")
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
    file_write_mode = menu("FileWriteMode", _MODES, "Stream", "File write mode")
    file_write_mode_rbv = menu("FileWriteMode_RBV", _MODES, "Stream", "File write mode", read_only=True)
    num_capture = pvproperty(
        name="NumCapture", value=1, dtype=int, doc="Frames to capture (0: until stopped)"
    )
    num_capture_rbv = pvproperty(name="NumCapture_RBV", value=1, dtype=int, read_only=True, doc="NumCapture")
    num_captured = pvproperty(
        name="NumCaptured_RBV", value=0, dtype=int, read_only=True, doc="Frames captured"
    )
    capture = menu("Capture", _CAPTURE, "Done", "Capture (completes when the capture ends)")
    capture_rbv = menu("Capture_RBV", _CAPTURE, "Done", "Capturing", read_only=True)
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
    write_status = menu("WriteStatus", _STATUS, _STATUS[0], "Last file operation status", read_only=True)
    write_message = _long_string("WriteMessage", "", "Message of the last file error", read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._capture_state: _Capture | None = None
        self._lock = asyncio.Lock()  # file operations of one capture happen one at a time, in order

    # ----- reporting ---------------------------------------------------------------------------------

    async def _report(self, error: str | None) -> None:
        """Show the outcome of a file operation in WriteStatus/WriteMessage (and clear an old put alarm)."""
        await self.write_message.write(error or "", verify_value=False)
        await self.write_status.write(_STATUS[1] if error else _STATUS[0], verify_value=False)
        alarm = self.capture.alarm
        if not error and alarm.severity != AlarmSeverity.NO_ALARM:
            await alarm.write(status=AlarmStatus.NO_ALARM, severity=AlarmSeverity.NO_ALARM)

    @file_path.putter  # type: ignore[no-redef]
    async def file_path(self, instance: Any, value: str) -> str:
        path = value if not value or value.endswith("/") else value + "/"
        if path and os.path.isabs(path) and not os.path.isdir(path):
            try:
                await asyncio.to_thread(make_directories, path, int(self.create_directory.value))
            except OSError as ex:
                await self._report(f"cannot create {path!r}: {ex}")
        # FilePathExists_RBV first: a client that saw FilePath_RBV change reads an up-to-date FilePathExists_RBV
        await self.file_path_exists.write("Yes" if os.path.isdir(path) else "No", verify_value=False)
        await self.file_path_rbv.write(path, verify_value=False)
        return value  # the setting keeps what was written; FilePath_RBV has the trailing "/"

    # ----- capture -------------------------------------------------------------------------------------

    async def _open(self) -> FrameFile:
        """Check the settings and open the file; report and raise CaptureFailed on any problem."""
        try:
            if self.file_write_mode.value == "Single":
                raise CaptureFailed("FileWriteMode Single is not simulated; use Stream or Capture")
            directory = self.file_path_rbv.value
            if not os.path.isabs(directory):
                raise CaptureFailed(f"FilePath {directory!r} is not an absolute directory")
            if not os.path.isdir(directory):
                raise CaptureFailed(f"FilePath {directory!r} does not exist")
            try:
                name = format_file_name(
                    self.file_template.value, directory, self.file_name.value, self.file_number.value
                )
            except ValueError as ex:
                raise CaptureFailed(str(ex)) from None
            await self.full_file_name.write(name, verify_value=False)
            swmr = self.swmr_mode.value == "On"
            try:
                return await asyncio.to_thread(FrameFile, name, swmr=swmr)
            except (OSError, ValueError) as ex:
                raise CaptureFailed(f"cannot create {name!r}: {ex}") from None
        except CaptureFailed as ex:
            await self._report(str(ex))
            raise

    @capture.putter  # type: ignore[no-redef]
    async def capture(self, instance: Any, value: str) -> None:
        if value != "Capture":
            state = self._capture_state
            if state is not None:
                await self._end(state)
            else:
                await self.store(instance, "Done")
            raise SkipWrite()
        state = self._capture_state
        if state is None:
            file = await self._open()
            await self._report(None)
            if self.auto_increment.value == "Yes":
                await self.store(self.file_number, self.file_number.value + 1)
            state = _Capture(file, self.file_write_mode.value, max(0, int(self.num_capture.value)))
            self._capture_state = state
            await self.num_captured.write(0)
            await self.store(instance, "Capture")
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
                    await self._report(state.error)
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
            await self._report(state.error)
            self._capture_state = None
            await self.store(self.capture, "Done")
            state.done.set()
