"""The PVs every areaDetector file plugin shares (``NDPluginFile``), as a caproto PVGroup the file plugins build on.

PVs (after the plugin prefix, e.g. ``BDET:HDF1:``), besides every plugin's (``sophyd_iocs._ndplugin``); settings
have an ``_RBV`` readback like areaDetector:

- ``FilePath``, ``FileName``, ``FileTemplate`` (char waveforms, 256 chars; each plugin has its own default
  template), ``FileNumber``, ``AutoIncrement`` (No/Yes), ``AutoSave`` (No/Yes), ``CreateDirectory``, and
  ``FullFileName_RBV`` (512 chars, the last file opened), ``FilePathExists_RBV`` (No/Yes);
- ``FileWriteMode`` (Single/Capture/Stream, default Stream), ``NumCapture``, ``NumCaptured_RBV``,
  ``Capture`` (Done/Capture; what it does is the plugin's), ``WriteFile``, ``ReadFile`` (reading files back
  is not simulated: a put of 1 fails);
- ``FileFormat``, ``LazyOpen``, ``DeleteDriverFile``, ``TempSuffix``, and areaDetector's ``FileNumber_Sync`` and
  ``FileNumber_write`` records: read back as written;
- ``WriteStatus`` ("Write OK"/"Write error", the strings of areaDetector's bi record; index 0 is OK) and
  ``WriteMessage`` (char waveform, 256 chars), both read-only.

File names: like areaDetector, ``FileTemplate`` is a C printf format applied to (FilePath, FileName,
FileNumber), using as many of them as it has conversions. A trailing ``/`` is added to FilePath (as
areaDetector does); FilePath must be an absolute, existing directory. As areaDetector does, a write of FilePath
naming a missing directory creates it when CreateDirectory allows: N < 0 creates up to -N missing levels,
N > 0 creates the levels below the first N (which must exist), 0 creates none; FilePathExists_RBV then says
whether the path exists. Only a write of FilePath does this: a CreateDirectory written afterwards waits for the
next FilePath.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from caproto import AlarmSeverity, AlarmStatus, ChannelType, SkipWrite
from caproto.server import PvpropertyChar, pvproperty

from sophyd_iocs._ndplugin import NDPluginBase
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = [
    "CaptureFailed",
    "LongString",
    "NDFilePluginBase",
    "file_template",
    "format_file_name",
    "long_string",
    "make_directories",
]

_PATH_LEN = 256
_STATUS = ("Write OK", "Write error")
_NO_YES = ("No", "Yes")
_CAPTURE = ("Done", "Capture")
_MODES = ("Single", "Capture", "Stream")


class CaptureFailed(RuntimeError):
    """A file could not be opened or written; the put that asked for it fails with this message."""


def format_file_name(template: str, path: str, name: str, number: int) -> str:
    """Apply an areaDetector FileTemplate to (path, name, number), using as many values as it converts."""
    values = (path, name, number)
    for count in (3, 2, 1, 0):
        try:
            return template % values[:count]
        except (TypeError, ValueError):
            continue
    raise ValueError(f"FileTemplate {template!r} does not format (FilePath, FileName, FileNumber)")


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


def long_string(
    name: str, value: str, doc: str, *, length: int = _PATH_LEN, read_only: bool = False
) -> pvproperty:
    """A char waveform PV holding a string longer than DBR_STRING's 39 characters (a path, a message)."""
    dtype = str if read_only else LongString
    return pvproperty(name=name, value=value, dtype=dtype, max_length=length, read_only=read_only, doc=doc)


def file_template(default: str) -> tuple[pvproperty, pvproperty]:
    """A file plugin's ``FileTemplate`` and ``FileTemplate_RBV`` starting at ``default``:
    ``file_template, file_template_rbv = file_template("%s%s.h5")``."""
    return (
        long_string("FileTemplate", default, "printf format of (FilePath, FileName, FileNumber)"),
        long_string("FileTemplate_RBV", default, "File template", read_only=True),
    )


class NDFilePluginBase(NDPluginBase):
    """What every areaDetector file plugin serves; subclasses redeclare ``file_template`` (``file_template``)
    and implement ``process`` and ``start_capture``/``stop_capture`` (the ``Capture`` PV)."""

    file_path = long_string("FilePath", "", "Directory of the file")
    file_path_rbv = long_string("FilePath_RBV", "", "Directory of the file", read_only=True)
    file_path_exists = menu("FilePathExists_RBV", _NO_YES, "No", "FilePath exists", read_only=True)
    file_name = long_string("FileName", "", "File name (without directory)")
    file_name_rbv = long_string("FileName_RBV", "", "File name", read_only=True)
    file_template, file_template_rbv = file_template("%s%s_%d.dat")
    full_file_name = long_string(
        "FullFileName_RBV", "", "Last file opened", length=2 * _PATH_LEN, read_only=True
    )
    file_number = pvproperty(name="FileNumber", value=0, dtype=int, doc="File number")
    file_number_rbv = pvproperty(name="FileNumber_RBV", value=0, dtype=int, read_only=True, doc="File number")
    file_number_sync = number("FileNumber_Sync", 0, "FileNumber sync record (stored)")
    file_number_write = number("FileNumber_write", 0, "FileNumber write record (stored)")
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
    write_file, write_file_rbv = with_rbv(number, "WriteFile", 0, "Write a file now")
    read_file, read_file_rbv = with_rbv(number, "ReadFile", 0, "Read a file (not simulated)")
    write_status = menu("WriteStatus", _STATUS, _STATUS[0], "Last file operation status", read_only=True)
    write_message = long_string("WriteMessage", "", "Message of the last file error", read_only=True)

    async def report(self, error: str | None) -> None:
        """Show the outcome of a file operation in WriteStatus/WriteMessage (and clear an old put alarm)."""
        await self.write_message.write(error or "", verify_value=False)
        await self.write_status.write(_STATUS[1] if error else _STATUS[0], verify_value=False)
        for pv in (self.capture, self.write_file):
            if not error and pv.alarm.severity != AlarmSeverity.NO_ALARM:
                await pv.alarm.write(status=AlarmStatus.NO_ALARM, severity=AlarmSeverity.NO_ALARM)

    def next_file_name(self) -> str:
        """The name the next file gets from the settings; CaptureFailed when the directory or template is bad."""
        directory = self.file_path_rbv.value
        if not os.path.isabs(directory):
            raise CaptureFailed(f"FilePath {directory!r} is not an absolute directory")
        if not os.path.isdir(directory):
            raise CaptureFailed(f"FilePath {directory!r} does not exist")
        try:
            return format_file_name(
                self.file_template.value, directory, self.file_name.value, self.file_number.value
            )
        except ValueError as ex:
            raise CaptureFailed(str(ex)) from None

    async def next_file_number(self) -> None:
        """With AutoIncrement Yes, go on to the next FileNumber (areaDetector does when a file has opened)."""
        if self.auto_increment.value == "Yes":
            await self.store(self.file_number, self.file_number.value + 1)

    @file_path.putter  # type: ignore[no-redef]
    async def file_path(self, instance: Any, value: str) -> str:
        path = value if not value or value.endswith("/") else value + "/"
        if path and os.path.isabs(path) and not os.path.isdir(path):
            try:
                await asyncio.to_thread(make_directories, path, int(self.create_directory.value))
            except OSError as ex:
                await self.report(f"cannot create {path!r}: {ex}")
        # FilePathExists_RBV first: a client that saw FilePath_RBV change reads an up-to-date FilePathExists_RBV
        await self.file_path_exists.write("Yes" if os.path.isdir(path) else "No", verify_value=False)
        await self.file_path_rbv.write(path, verify_value=False)
        return value  # the setting keeps what was written; FilePath_RBV has the trailing "/"

    @capture.putter  # type: ignore[no-redef]
    async def capture(self, instance: Any, value: str) -> None:
        if value == "Capture":
            await self.start_capture()
        else:
            await self.stop_capture()

    async def start_capture(self) -> None:
        """Capture = 1: the plugin's capture; it posts Capture itself and raises SkipWrite."""
        raise CaptureFailed("Capture is not simulated by this plugin")

    async def stop_capture(self) -> None:
        """Capture = 0: end a running capture; the plugin posts Capture itself and raises SkipWrite."""
        raise CaptureFailed("Capture is not simulated by this plugin")

    @write_file.putter  # type: ignore[no-redef]
    async def write_file(self, instance: Any, value: int) -> None:
        if value:
            await self.store(instance, 1)
            try:
                await self.write_now()
            finally:
                await self.store(instance, 0)
        raise SkipWrite()

    async def write_now(self) -> None:
        """WriteFile = 1: write a file now (the put completes when it is written)."""
        raise CaptureFailed("WriteFile is not simulated by this plugin")

    @read_file.putter  # type: ignore[no-redef]
    async def read_file(self, instance: Any, value: int) -> int:
        if value:
            raise CaptureFailed(f"{instance.pvname}: reading files is not simulated")
        await self.mirror(instance, value)
        return value
