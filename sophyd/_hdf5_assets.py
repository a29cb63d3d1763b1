"""The document side of a detector that writes its frames to one HDF5 file per stage.

describe() marks the data keys as external, read() is empty, and collect_asset_docs() yields one
stream_resource per data key (once per file) and a stream_datum per batch of new frames: what bluesky's
WritesStreamAssets protocol asks. Subclasses say how a file is opened and closed and count the frames written;
the areaDetector HDF5Detector (files written by an IOC) and the in-process synthetic one share this code.

The file holds exactly the frames that the run's events refer to. A RunEngine asks for the documents when it
reads the detector and emits them just before the event; an interrupted point (abort, stop, halt or an
exception between the trigger and the event) leaves a frame in the file that no emitted document refers to,
and unstage() drops such trailing frames before the file is closed. The RunEngine fills in the ``descriptor``
of a stream_datum document when it emits it, which is how the detector tells the emitted documents from the
dropped ones. A file whose documents no RunEngine emitted (stage, trigger and unstage by hand, or a run
interrupted before the detector's first event) keeps every frame. When the RunEngine pauses, pause() drops
the same frames and abandons an exposure still running, because on resume the RunEngine repeats the point
from its last checkpoint: the repeated point's frame then follows the last referenced one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._bluesky_interface import unstage_on_failure
from .device import Device
from .errors import OpException

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model import ComposeStreamResourceBundle
    from event_model.documents.event_descriptor import DataKey

__all__ = ["FileWriteError", "HDF5StreamAssets"]

logger = logging.getLogger("sophyd.areadetector")


class FileWriteError(OpException):
    """The detector could not open, write or close its file (the message says why)."""


class HDF5StreamAssets(Device):
    """A detector whose frames go to one HDF5 file per stage; its data reach documents as stream resources.

    ``datasets`` maps a data-key suffix ('' for the device name itself) to (HDF5 dataset, per-frame shape,
    numpy dtype). Subclasses implement ``_open_file()`` (calling ``_begin_file()``), ``_close_file()``,
    ``_abandon_after()`` and ``_asset_source()``, and call ``_frame_written()`` for every frame that is in the
    file. At unstage the file keeps exactly the frames that emitted events refer to (see the module's
    docstring).
    """

    datasets: dict[str, tuple[str, list[int], str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._bundles: list[tuple[str, ComposeStreamResourceBundle]] = []
        self._full_path = ""
        self._collected = 0
        self._referenced = 0
        self._pending: list[dict[str, Any]] = []
        self._frames = 0
        self._first_frame = 0
        self._generation = 0  # frames of triggers started before a pause are not counted
        self._counter_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    # -- the file: opened at stage, closed at unstage ---------------------------------------------------
    def _open_file(self) -> None:
        """Open a new file for the frames to come (and call ``_begin_file``)."""
        raise NotImplementedError

    def _close_file(self, keep: int | None) -> None:
        """Close the file once every frame in it is written, keeping only its first ``keep`` frames.

        ``keep`` counts from the first frame of this file; None keeps every frame. Nothing to do when no file
        is open.
        """
        raise NotImplementedError

    def _abandon_after(self, keep: int) -> int | None:
        """Abandon an acquisition in progress and drop the frames after the first ``keep`` of the file.

        Returns the frames in the file now (more than ``keep`` if they could not be dropped), or None when no
        file is open.
        """
        raise NotImplementedError

    def _asset_source(self) -> str:
        """The ``source`` of the data keys."""
        raise NotImplementedError

    def _begin_file(self, full_path: str, frames_before: int = 0) -> None:
        """Start the documents of a new file at ``full_path``; ``frames_before`` is the frame counter now."""
        self._full_path = full_path
        self._bundles = []
        self._collected = 0
        self._referenced = 0
        self._pending = []
        with self._counter_lock:
            self._frames = frames_before
            self._first_frame = frames_before

    def _frame_written(self, generation: int) -> None:
        """Count one more frame in the file, unless its trigger (``_generation`` then) began before a pause."""
        with self._counter_lock:
            if generation == self._generation:
                self._frames += 1

    def pause(self) -> None:
        """The RunEngine pauses: abandon the point it interrupted, which it repeats on resume.

        bluesky rewinds to the last checkpoint on resume and triggers again, so an exposure still running is
        abandoned and the frames that no emitted event refers to are dropped; the repeated point's frame then
        follows the last referenced one. A frame the IOC cannot drop stays, skipped by the documents.

        Nothing is raised: the RunEngine pauses its devices in turn, and an error here would leave the others
        unpaused. If the IOC cannot be reached, that is logged and the frames counted so far stay, skipped.
        """
        super().pause()
        with self._counter_lock:
            self._generation += 1
        self._note_emitted()
        try:
            in_file = self._abandon_after(self._referenced)
        except Exception as exc:
            with self._counter_lock:
                in_file = self._frames - self._first_frame
            logger.warning(
                "%s: could not abandon the exposure the pause interrupted (%s); %d frame(s) stay in %s",
                self.name,
                exc,
                in_file - self._referenced,
                self._full_path,
            )
        if in_file is None:
            return
        with self._counter_lock:
            self._frames = self._first_frame + in_file
        self._collected = in_file
        self._pending = []

    def stage(self) -> list[Any]:
        """Stage the stage_sigs, then open a new file; if the file cannot be opened, undo the staging."""
        staged = super().stage()
        with unstage_on_failure(self):
            self._open_file()
        return staged

    def unstage(self) -> list[Any]:
        """Close the file, without the trailing frames that no emitted event refers to; restore the stage_sigs."""
        error: Exception | None = None
        try:
            self._close_file(self._frames_to_keep())
        except Exception as exc:
            error = exc
        unstaged = super().unstage()
        if error is not None:
            raise FileWriteError(f"{self._describe_me()}: closing the file failed: {error}") from error
        return unstaged

    def _frames_to_keep(self) -> int | None:
        """Frames of the current file that emitted events refer to; None if a RunEngine emitted none of them.

        The RunEngine fills in a stream_datum's empty ``descriptor`` just before it emits the document and then
        its event; a document collected for an event that was dropped instead keeps the empty ``descriptor``.
        """
        self._note_emitted()
        return self._referenced or None  # 0: no document of this file was emitted

    def _note_emitted(self) -> None:
        """Count the frames of the handed-out stream_datum documents that the RunEngine has emitted since."""
        still_pending = []
        for datum in self._pending:
            if datum.get("descriptor"):
                self._referenced = max(self._referenced, datum["indices"]["stop"])
            else:
                still_pending.append(datum)
        self._pending = still_pending

    # -- documents ----------------------------------------------------------------------------------------
    def describe(self) -> OrderedDict[str, DataKey]:
        source = self._asset_source()
        keys: OrderedDict[str, DataKey] = OrderedDict()
        for suffix, (_, shape, dtype_numpy) in self.datasets.items():
            keys[self._data_key(suffix)] = {
                "source": source,
                "shape": list(shape),
                "dtype": "array" if shape else ("number" if dtype_numpy[1] in "fc" else "integer"),
                "dtype_numpy": dtype_numpy,
                "external": "STREAM:",
            }
        return keys

    def read(self) -> OrderedDict[str, Reading[Any]]:
        """Nothing: the data are in the file (see collect_asset_docs)."""
        return OrderedDict()

    def _data_key(self, suffix: str) -> str:
        return f"{self.name}_{suffix}" if suffix else self.name

    def get_index(self) -> int:
        """Frames written to the current file."""
        return self._frames - self._first_frame

    def collect_asset_docs(self, index: int | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """A stream_resource per data key (once per file) and stream_datum documents for new frames."""
        upto = self.get_index() if index is None else min(index, self.get_index())
        if upto <= self._collected:
            return
        if not self._bundles:
            # event_model (and jsonschema under it) loads here, when a document is first made, not at import.
            from event_model import ComposeStreamResource

            compose = ComposeStreamResource()
            for suffix, (dataset, shape, _) in self.datasets.items():
                bundle = compose(
                    mimetype="application/x-hdf5",
                    uri=f"file://localhost{self._full_path}",
                    data_key=self._data_key(suffix),
                    parameters={"dataset": dataset, "chunk_shape": [1, *shape], "swmr": True},
                )
                self._bundles.append((suffix, bundle))
                yield "stream_resource", dict(bundle.stream_resource_doc)
        self._note_emitted()
        for _, bundle in self._bundles:
            datum = dict(bundle.compose_stream_datum(indices={"start": self._collected, "stop": upto}))
            self._pending.append(datum)
            yield "stream_datum", datum
        self._collected = upto
