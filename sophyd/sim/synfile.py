"""SynHDF5Detector: a detector that writes HDF5 files in this process, for testing file-writing plans without an IOC.

Its documents are those of the areaDetector HDF5Detector (stream_resource/stream_datum, frames at
``/entry/data/data`` and their sums at ``/entry/sum``), made by the same code (``sophyd._hdf5_assets``).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._hdf5_assets import FileWriteError, HDF5StreamAssets
from ..errors import OpException
from ..paths import PathProvider, StaticPathProvider, UUIDFilenameProvider
from ..status import DeviceStatus
from .synthetic import call_after

if TYPE_CHECKING:
    import h5py

__all__ = ["SynHDF5Detector"]

FRAMES_DATASET = "/entry/data/data"
SUMS_DATASET = "/entry/sum"


class SynHDF5Detector(HDF5StreamAssets):
    """Writes the frames of ``func()`` to one HDF5 file per stage, as a file-writing detector would.

    stage() creates the file where ``path_provider`` says (by default: a new temporary directory, one UUID-named
    file per stage), each trigger() appends one frame and its sum after ``exposure_time`` seconds, and unstage()
    closes the file, without the trailing frames that no emitted event refers to (those of an interrupted run).
    The file is in SWMR mode, so a reader can follow it while it is written. Every frame must have the shape and
    dtype of the first one, which ``func`` gives at construction.
    """

    def __init__(
        self,
        func: Callable[[], Any],
        *,
        name: str,
        path_provider: PathProvider | None = None,
        exposure_time: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        self._func = func
        self.path_provider = path_provider
        self.exposure_time = exposure_time
        frame = np.asarray(func())
        if frame.dtype.kind not in "biuf":
            raise TypeError(f"{self._describe_me()}: frames must be numbers, not {frame.dtype}")
        self._frame_shape = frame.shape
        self._frame_dtype = frame.dtype
        self.datasets = {
            "": (FRAMES_DATASET, list(frame.shape), frame.dtype.str),
            "sum": (SUMS_DATASET, [], "<f8" if frame.dtype.kind == "f" else "<i8"),
        }
        self._file: h5py.File | None = None
        self._file_lock = threading.Lock()

    def sim_set_func(self, func: Callable[[], Any]) -> None:
        """Make later frames ``func()`` (same shape and dtype as before)."""
        self._func = func

    # -- the file -------------------------------------------------------------------------------------------
    def _open_file(self) -> None:
        import h5py  # here, not at import: building the classic sim hardware must not pay for h5py

        if self.path_provider is None:
            directory = tempfile.mkdtemp(prefix="sophyd-sim-")
            self.path_provider = StaticPathProvider(UUIDFilenameProvider(), directory)
        info = self.path_provider(self.name)
        path = Path(info.directory_path) / f"{info.filename}.h5"
        try:
            # "w-": never overwrite a file that documents of an earlier run may point to
            h5file = h5py.File(path, "w-", libver="latest")
        except OSError as exc:
            raise FileWriteError(f"{self._describe_me()}: could not create {path}: {exc}") from exc
        for dataset, shape, dtype in self.datasets.values():
            h5file.create_dataset(
                dataset, shape=(0, *shape), maxshape=(None, *shape), chunks=(1, *shape), dtype=np.dtype(dtype)
            )
        h5file.swmr_mode = True
        with self._file_lock:
            self._file = h5file
        self._begin_file(str(path.resolve()))

    def _close_file(self, keep: int | None) -> None:
        with self._file_lock:
            h5file, self._file = self._file, None
            if h5file is None:
                return
            try:
                if keep is not None:
                    _truncate(h5file, keep)
            finally:
                h5file.close()

    def _abandon_after(self, keep: int) -> int | None:
        with self._file_lock:
            if self._file is None:
                return None
            _truncate(self._file, keep)
            return int(self._file[FRAMES_DATASET].shape[0])

    def _asset_source(self) -> str:
        return f"SIM:{self.name}"

    # -- acquisition ------------------------------------------------------------------------------------
    def trigger(self) -> DeviceStatus:
        """Take one frame (after ``exposure_time``); done when it and its sum are in the file."""
        if self._file is None:
            raise OpException(f"{self._describe_me()} must be staged before it is triggered")
        status = DeviceStatus(self)
        if self.exposure_time:
            call_after(self.exposure_time, self._acquire, status, self._generation)
        else:
            self._acquire(status, self._generation)
        return status

    def _acquire(self, status: DeviceStatus, generation: int) -> None:
        """Write the frame of a trigger started in ``generation`` (none if a pause abandoned it since)."""
        try:
            self._write_frame(np.asarray(self._func()), generation)
        except Exception as exc:
            status.set_exception(exc)
        else:
            status.set_finished()

    def _write_frame(self, frame: np.ndarray, generation: int) -> None:
        if frame.shape != self._frame_shape:
            raise ValueError(
                f"{self._describe_me()}: frame of shape {frame.shape}, expected {self._frame_shape}"
            )
        frame = frame.astype(self._frame_dtype, copy=False)
        with self._file_lock:
            if generation != self._generation:
                return  # a pause abandoned this exposure
            if self._file is None:
                raise FileWriteError(f"{self._describe_me()} was unstaged before the frame was written")
            for dataset, value in ((FRAMES_DATASET, frame), (SUMS_DATASET, frame.sum())):
                data = self._file[dataset]
                data.resize(data.shape[0] + 1, axis=0)
                data[-1] = value
                data.flush()
        self._frame_written(generation)


def _truncate(h5file: h5py.File, keep: int) -> None:
    """Keep the first ``keep`` frames of the file (sums first: never a sum without its frame)."""
    for dataset in (SUMS_DATASET, FRAMES_DATASET):
        if h5file[dataset].shape[0] > keep:
            h5file[dataset].resize(keep, axis=0)
            h5file[dataset].flush()
