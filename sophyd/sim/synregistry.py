"""Classic ``ophyd.sim``'s SynSignalWithRegistry: a synthetic signal that saves each value to a ``.npy`` file and
announces the files with the older ``resource``/``datum`` documents, and NumpySeqHandler, which reads them back.

For detectors announced with ``stream_resource``/``stream_datum`` documents, see SynHDF5Detector.
"""

from __future__ import annotations

import collections
import itertools
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import OpException
from ..status import DeviceStatus
from .synthetic import SynSignal

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = ["NumpySeqHandler", "SynSignalWithRegistry"]

#: The spec of the Resource documents SynSignalWithRegistry makes, as in classic ophyd; NumpySeqHandler reads it.
NPY_SEQ = "NPY_SEQ"
#: How SynSignalWithRegistry saves a value by default: numpy's own format, never pickled.
_save_npy = partial(np.save, allow_pickle=False)


class SynSignalWithRegistry(SynSignal):
    """A SynSignal whose triggers save the value to ``<save_path>/<stem>_<n>.npy``; read() gives datum ids.

    Each stage() starts a Resource (``spec`` ``'NPY_SEQ'``, ``root`` the ``save_path``, ``resource_path`` the new
    file stem); each trigger() saves one value (after ``exposure_time``) and adds a Datum whose ``datum_id``
    (``'<resource uid>/<n>'``) is what read() reports in place of the value. collect_asset_docs() yields the
    Resource and Datum documents not yet collected, so a RunEngine emits them before the event that uses them.
    ``save_path`` defaults to a new temporary directory (made when first needed); ``save_func(path, value)``
    writes one file (default: ``numpy.save`` without pickling), named with ``save_ext``.
    """

    def __init__(
        self,
        *args: Any,
        save_path: str | None = None,
        save_func: Callable[[str, Any], Any] = _save_npy,
        save_spec: str = NPY_SEQ,
        save_ext: str = "npy",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.save_func = save_func
        self.save_ext = save_ext
        self._save_path = save_path
        self._spec = save_spec
        self._resource_uid: str | None = None
        self._datum_counter: Iterator[int] | None = None
        self._path_stem: str | None = None
        self._asset_docs_cache: collections.deque[tuple[str, dict[str, Any]]] = collections.deque()
        self._result: dict[str, Reading[Any]] = {}
        self._lock = threading.Lock()

    @property
    def save_path(self) -> str:
        """The directory the files go to (a new temporary one, made on first use, unless given)."""
        if self._save_path is None:
            self._save_path = tempfile.mkdtemp(prefix="sophyd-sim-")
        return self._save_path

    @save_path.setter
    def save_path(self, path: str) -> None:
        self._save_path = path

    def stage(self) -> list[Any]:
        """Start a new Resource: a new file stem in ``save_path``, datum numbers counted from 0."""
        file_stem = uuid.uuid4().hex[:12]
        resource: dict[str, Any] = {
            "spec": self._spec,
            "root": self.save_path,
            "resource_path": file_stem,
            "resource_kwargs": {},
            "path_semantics": {"posix": "posix", "nt": "windows"}[os.name],
            "uid": str(uuid.uuid4()),
        }
        with self._lock:
            self._path_stem = os.path.join(self.save_path, file_stem)
            self._datum_counter = itertools.count()
            self._resource_uid = resource["uid"]
            self._asset_docs_cache.append(("resource", resource))
        return [self]

    def unstage(self) -> list[Any]:
        """End the Resource; documents not collected by now are dropped."""
        with self._lock:
            self._resource_uid = None
            self._datum_counter = None
            self._path_stem = None
            self._asset_docs_cache.clear()
            self._result = {}
        return [self]

    def trigger(self) -> DeviceStatus:
        """Take a new value (after ``exposure_time``) and save it; the status finishes once the file is written."""
        if self._datum_counter is None:
            raise OpException(f"{self._describe_me()} must be staged before it is triggered")
        return super().trigger()

    def _take_value(self) -> None:
        super()._take_value()
        readings = super().read()
        with self._lock:
            if self._datum_counter is None or self._path_stem is None:
                raise OpException(f"{self._describe_me()} was unstaged before its value was saved")
            result: dict[str, Reading[Any]] = {}
            for name, reading in readings.items():
                index = next(self._datum_counter)
                self.save_func(f"{self._path_stem}_{index}.{self.save_ext}", reading["value"])
                datum_id = f"{self._resource_uid}/{index}"
                datum = {
                    "resource": self._resource_uid,
                    "datum_kwargs": {"index": index},
                    "datum_id": datum_id,
                }
                self._asset_docs_cache.append(("datum", datum))
                result[name] = {**reading, "value": datum_id}
            self._result = result

    def read(self) -> dict[str, Reading[Any]]:
        """The datum ids of the last trigger's values (empty before the first trigger of a stage)."""
        return dict(self._result)

    def describe(self) -> dict[str, DataKey]:
        """The SynSignal description, marked ``external: 'FILESTORE'`` (the values are in files)."""
        desc = super().describe()
        for key in desc.values():
            key["external"] = "FILESTORE"
        return desc

    def collect_asset_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The Resource and Datum documents made since the last call, oldest first."""
        while True:
            try:
                yield self._asset_docs_cache.popleft()
            except IndexError:
                return


class NumpySeqHandler:
    """Reads the values a SynSignalWithRegistry saved: built from a Resource, called with a Datum's kwargs.

    The handler classic ophyd registers for spec ``'NPY_SEQ'`` with databroker:
    ``NumpySeqHandler(resource['resource_path'], root=resource['root'])(**datum['datum_kwargs'])``.
    """

    specs = {NPY_SEQ}

    def __init__(self, filename: str, root: str = "") -> None:
        self._name = os.path.join(root, filename)

    def __call__(self, index: int) -> Any:
        """The value saved as number ``index`` of this Resource."""
        return np.load(f"{self._name}_{index}.npy", allow_pickle=False)

    def get_file_list(self, datum_kwarg_gen: Iterable[dict[str, Any]]) -> list[str]:
        """The files holding the values of the given datum kwargs (for exporting them)."""
        return [f"{self._name}_{kwargs['index']}.npy" for kwargs in datum_kwarg_gen]
