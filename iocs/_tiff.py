"""An areaDetector TIFF file plugin (``NDFileTIFF``) as a caproto PVGroup; the IOC writes one file per frame.

PVs (after the plugin prefix, e.g. ``BDET:TIFF1:``): every plugin's (``sophyd_iocs._ndplugin``; ``PortName_RBV``
is ``TIFF1``, ``PluginType_RBV`` ``NDFileTIFF``) and every file plugin's (``sophyd_iocs._ndfile``: ``FilePath``,
``FileName``, ``FileTemplate`` (default ``"%s%s_%6.6d.tiff"``), ``FileNumber``, ``AutoIncrement``, ``AutoSave``,
``FileWriteMode``, ``NumCapture``, ``NumCaptured_RBV``, ``Capture``, ``WriteFile``, ``FullFileName_RBV``,
``FilePathExists_RBV``, ``CreateDirectory``, ``WriteStatus``, ``WriteMessage``, ...).

Semantics, as areaDetector's NDFileTIFF (a TIFF file holds one frame):

- Each file is named by ``FileTemplate`` applied to (FilePath, FileName, FileNumber) and posted in
  ``FullFileName_RBV``; with AutoIncrement Yes, FileNumber then goes up by one, file by file. An existing file
  is never overwritten: that is a write error.
- ``FileWriteMode`` Single: with ``AutoSave`` Yes every frame the plugin takes is written at once;
  ``WriteFile`` = 1 writes the last frame taken (its put completes when the file is written).
- Capture: ``Capture`` = 1 buffers the frames the plugin takes until ``NumCapture`` (0: until ``Capture`` = 0),
  then writes each to its own file; ``WriteFile`` = 1 writes the frames buffered so far.
- Stream: ``Capture`` = 1 writes each frame as it arrives, until ``NumCapture`` (0: until ``Capture`` = 0).
- A ``Capture`` = 1 put completes when the capture ends (a put of 0 ends it), as with areaDetector's busy
  record. Each frame is written before the camera's acquisition ends.
- If a file cannot be written, WriteStatus becomes "Write error" and WriteMessage says why; a ``Capture`` or
  ``WriteFile`` put waiting for that file fails (ECA_PUTFAIL), and a capture stops.

The file is an uncompressed baseline TIFF (little-endian, one strip, 8-bit grayscale, BlackIsZero), written
with ``tiff_bytes``; file I/O runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
from caproto import SkipWrite

from sophyd_iocs._ndfile import CaptureFailed, NDFilePluginBase, file_template
from sophyd_iocs._ndplugin import identity

__all__ = ["TIFFPlugin", "tiff_bytes"]

# TIFF field types and the tags of a baseline grayscale image (TIFF 6.0, section 3)
_SHORT, _LONG, _RATIONAL = 3, 4, 5
_IMAGE_WIDTH, _IMAGE_LENGTH, _BITS_PER_SAMPLE, _COMPRESSION, _PHOTOMETRIC = 256, 257, 258, 259, 262
_STRIP_OFFSETS, _SAMPLES_PER_PIXEL, _ROWS_PER_STRIP, _STRIP_BYTE_COUNTS = 273, 277, 278, 279
_X_RESOLUTION, _Y_RESOLUTION, _RESOLUTION_UNIT = 282, 283, 296


def tiff_bytes(frame: np.ndarray) -> bytes:
    """A 2-D uint8 frame as the bytes of an uncompressed baseline TIFF file (8-bit grayscale, one strip)."""
    if frame.ndim != 2 or frame.dtype != np.uint8:
        raise ValueError(f"only 2-D uint8 frames are written as TIFF, not {frame.ndim}-D {frame.dtype}")
    height, width = frame.shape
    pixels = np.ascontiguousarray(frame).tobytes()
    n_entries = 12
    resolution_at = 8 + 2 + 12 * n_entries + 4  # after the header and the one IFD
    pixels_at = resolution_at + 8
    entries = [  # sorted by tag, as TIFF requires
        (_IMAGE_WIDTH, _LONG, width),
        (_IMAGE_LENGTH, _LONG, height),
        (_BITS_PER_SAMPLE, _SHORT, 8),
        (_COMPRESSION, _SHORT, 1),  # none
        (_PHOTOMETRIC, _SHORT, 1),  # BlackIsZero
        (_STRIP_OFFSETS, _LONG, pixels_at),
        (_SAMPLES_PER_PIXEL, _SHORT, 1),
        (_ROWS_PER_STRIP, _LONG, height),
        (_STRIP_BYTE_COUNTS, _LONG, len(pixels)),
        (_X_RESOLUTION, _RATIONAL, resolution_at),  # both resolutions share one rational, 1/1
        (_Y_RESOLUTION, _RATIONAL, resolution_at),
        (_RESOLUTION_UNIT, _SHORT, 1),  # no unit
    ]
    ifd = [struct.pack("<2sHI", b"II", 42, 8), struct.pack("<H", n_entries)]
    for tag, kind, value in entries:
        # a SHORT is left-justified in the 4-byte value field; a RATIONAL's field holds its offset
        field = struct.pack("<HH", value, 0) if kind == _SHORT else struct.pack("<I", value)
        ifd.append(struct.pack("<HHI", tag, kind, 1) + field)
    ifd.append(struct.pack("<I", 0))  # no next IFD
    return b"".join([*ifd, struct.pack("<II", 1, 1), pixels])


def _write_files(names: Sequence[str], frames: Sequence[np.ndarray]) -> None:
    """Write each frame to its new file (mode "xb": an existing file is an error, never overwritten)."""
    for name, frame in zip(names, frames, strict=True):
        data = tiff_bytes(frame)
        with open(name, "xb") as f:
            f.write(data)


class TIFFPlugin(NDFilePluginBase):
    """The TIFF file-writing plugin: one file per frame (see the module docstring)."""

    port_name, plugin_type = identity("TIFF1", "NDFileTIFF")
    file_template, file_template_rbv = file_template("%s%s_%6.6d.tiff")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last: np.ndarray | None = None  # the last frame taken, for WriteFile in Single mode
        self._buffer: list[np.ndarray] = []  # frames of a Capture-mode capture not written yet
        self._limit = 0  # NumCapture of the running capture
        self._done: asyncio.Event | None = None  # set when the running capture ends
        self._error: str | None = None  # why the running capture failed
        self._lock = asyncio.Lock()  # files are named and written one at a time, in order

    async def write_frames(self, frames: Sequence[np.ndarray]) -> None:
        """Write each frame to the next file name; report, and raise CaptureFailed on any problem."""
        async with self._lock:
            try:
                for frame in frames:
                    name = self.next_file_name()
                    await self.full_file_name.write(name, verify_value=False)
                    try:
                        await asyncio.to_thread(_write_files, [name], [frame])
                    except (OSError, ValueError) as ex:
                        raise CaptureFailed(f"cannot write {name!r}: {ex}") from None
                    await self.next_file_number()
            except CaptureFailed as ex:
                await self.report(str(ex))
                raise
            await self.report(None)

    async def process(self, frame: np.ndarray) -> None:
        """Write or buffer ``frame`` as the write mode says; returns once it is written or buffered."""
        self._last = frame
        mode = self.file_write_mode.value
        if mode == "Single":
            if self.auto_save.value == "Yes":
                try:
                    await self.write_frames([frame])
                except CaptureFailed:
                    pass  # reported in WriteStatus/WriteMessage; no put waits for this file
            return
        if self._done is None or self._done.is_set():
            return
        try:
            if mode == "Stream":
                await self.write_frames([frame])
            else:
                self._buffer.append(frame)
        except CaptureFailed as ex:
            self._error = str(ex)
        else:
            await self.num_captured.write(self.num_captured.value + 1)
        if self._error or (self._limit and self.num_captured.value >= self._limit):
            await self._end()

    async def start_capture(self) -> None:
        """Capture = 1: capture until NumCapture frames or Capture = 0; complete then (a second put joins)."""
        if self.file_write_mode.value == "Single":
            raise CaptureFailed("Capture needs FileWriteMode Capture or Stream; Single mode uses AutoSave")
        if self._done is None or self._done.is_set():
            self._done = asyncio.Event()
            self._error = None
            self._buffer = []
            self._limit = max(0, int(self.num_capture.value))
            await self.num_captured.write(0)
            await self.store(self.capture, "Capture")
        done = self._done
        await done.wait()
        if self._error:
            raise CaptureFailed(self._error)
        raise SkipWrite()

    async def stop_capture(self) -> None:
        """Capture = 0: end a running capture (writing what Capture mode buffered) and complete its put."""
        await self._end()
        raise SkipWrite()

    async def _end(self) -> None:
        """Write the frames still buffered, post Capture = Done and complete the Capture put(s)."""
        buffered, self._buffer = self._buffer, []
        if buffered and not self._error:
            try:
                await self.write_frames(buffered)
            except CaptureFailed as ex:
                self._error = str(ex)
        await self.store(self.capture, "Done")
        if self._done is not None:
            self._done.set()

    async def write_now(self) -> None:
        """WriteFile = 1: write the frames Capture mode buffered, or else the last frame taken."""
        buffered, self._buffer = self._buffer, []
        if self.file_write_mode.value == "Capture" and buffered:
            await self.write_frames(buffered)
        elif self._last is not None:
            await self.write_frames([self._last])
        else:
            raise CaptureFailed("WriteFile: the plugin has taken no frame to write")
