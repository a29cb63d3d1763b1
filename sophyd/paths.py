"""Where file-writing detectors put their files: path providers in the style of the Using Devices demo."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

__all__ = [
    "FilenameProvider",
    "PathInfo",
    "PathProvider",
    "StaticFilenameProvider",
    "StaticPathProvider",
    "UUIDFilenameProvider",
    "user_data_dir",
]


@dataclass(frozen=True)
class PathInfo:
    """A directory (as the IOC sees it) and a file name without extension."""

    directory_path: PurePath
    filename: str


class FilenameProvider(Protocol):
    """Anything that, called with a device name, returns the file name (without extension) to write next."""

    def __call__(self, device_name: str | None = None) -> str: ...


class PathProvider(Protocol):
    """Anything that, called with a device name, returns where that device writes next (a :class:`PathInfo`)."""

    def __call__(self, device_name: str | None = None) -> PathInfo: ...


class UUIDFilenameProvider:
    """A new random UUID file name at every call, so no two runs share a file."""

    def __call__(self, device_name: str | None = None) -> str:
        return str(uuid.uuid4())


class StaticFilenameProvider:
    """The same file name at every call."""

    def __init__(self, filename: str) -> None:
        self._filename = filename

    def __call__(self, device_name: str | None = None) -> str:
        return self._filename


class StaticPathProvider:
    """One directory for every file; names come from ``filename_provider``."""

    def __init__(self, filename_provider: FilenameProvider, directory_path: str | PurePath) -> None:
        self._filename_provider = filename_provider
        self._directory_path = Path(directory_path)

    def __call__(self, device_name: str | None = None) -> PathInfo:
        return PathInfo(self._directory_path, self._filename_provider(device_name))


def user_data_dir() -> Path:
    """The per-user directory where sophyd keeps data: ``SOPHYD_DATA_DIR``, else ``$XDG_DATA_HOME/sophyd``.

    The demo's detector files and its embedded catalog live here, so they outlive the process that made them;
    ``$XDG_DATA_HOME`` defaults to ``~/.local/share``.
    """
    explicit = os.environ.get("SOPHYD_DATA_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "sophyd"
