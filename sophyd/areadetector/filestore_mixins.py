"""File-store mixins for areaDetector file plugins: Resource and Datum documents for the files they write.

As classic ophyd's filestore_mixins, listed after the plugin class among the bases::

    class HDF5PluginWithFileStore(HDF5Plugin, FileStoreHDF5IterativeWrite):
        pass

    class MyDetector(SingleTrigger, SimDetector):
        hdf1 = Cpt(HDF5PluginWithFileStore, 'HDF1:', write_path_template='/data/%Y/%m/%d/', root='/data')

stage() points the plugin at a new file (a directory from ``write_path_template`` formatted with today's date,
a unique name) and starts it; the detector's trigger() calls ``generate_datum`` once per frame. The
documents come out of ``collect_asset_docs()`` as ``('resource', doc)`` (spec ``AD_HDF5``, ``AD_TIFF``, ...:
where the file is, split into ``root`` and ``resource_path``) and ``('datum', doc)`` (one per frame, with
``point_number`` for the iterative-write mixins); read() gives the frame's data key the datum id, and
describe() marks it external.
"""

from __future__ import annotations

import itertools
import logging
import os
import uuid
import warnings
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from .._bluesky_interface import BlueskyInterface, GenerateDatumInterface, Staged, unstage_on_failure

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "FileStoreBase",
    "FileStoreHDF5",
    "FileStoreHDF5IterativeWrite",
    "FileStoreHDF5Single",
    "FileStoreHDF5SingleIterativeWrite",
    "FileStoreIterativeWrite",
    "FileStorePluginBase",
    "FileStoreTIFF",
    "FileStoreTIFFIterativeWrite",
    "FileStoreTIFFSquashing",
    "new_short_uid",
    "new_uid",
    "resource_factory",
]

logger = logging.getLogger("sophyd.areadetector")

#: The path classes of ``path_semantics``; None: the operating system of this client.
_PATH_CLASSES: dict[str | None, type[PurePath]] = {
    "posix": PurePosixPath,
    "windows": PureWindowsPath,
    None: PurePath,
}


def new_uid() -> str:
    """A uuid4 as a string."""
    return str(uuid.uuid4())


def new_short_uid() -> str:
    """A uuid4 without its last group: areaDetector file names are short."""
    return "-".join(new_uid().split("-")[:-1])


def resource_factory(
    spec: str,
    root: str | PurePath,
    resource_path: str | PurePath,
    resource_kwargs: dict[str, Any],
    path_semantics: str | None,
) -> tuple[dict[str, Any], Callable[[dict[str, Any]], dict[str, Any]]]:
    """A Resource document and a factory of its Datum documents.

    ``spec`` names the reader (handler) of the files, ``root`` the part of the path that may move (a mount
    point), ``resource_path`` the rest, ``resource_kwargs`` what the reader needs. The factory makes a Datum
    from its ``datum_kwargs``, with the id ``'<resource uid>/<n>'`` (n counting from 0).
    """
    resource_uid = new_uid()
    resource_doc = {
        "spec": spec,
        "root": str(root),
        "resource_path": str(resource_path),
        "resource_kwargs": resource_kwargs,
        "path_semantics": path_semantics,
        "uid": resource_uid,
    }
    datum_count = itertools.count()

    def datum_factory(datum_kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "resource": resource_uid,
            "datum_id": f"{resource_uid}/{next(datum_count)}",
            "datum_kwargs": datum_kwargs,
        }

    return resource_doc, datum_factory


class FileStoreBase(BlueskyInterface, GenerateDatumInterface):
    """The paths, the Resource/Datum documents and the readings of a file-writing plugin.

    ``write_path_template`` (required) is where the IOC writes, a :meth:`datetime.strftime` template such as
    ``'/data/%Y/%m/%d/'``; ``read_path_template`` is where this client reads the same files, when it mounts
    them elsewhere (default: the write path). ``root`` is the part of the read path that may move (a mount
    point, absolute): Resource documents split the file's path there. A relative template is taken below
    ``root``; an absolute one must be ``root`` or lie below it (ValueError otherwise). ``path_semantics`` is
    the IOC's ('posix', 'windows', or None for this client's). ``reg`` is a legacy asset registry that makes
    the uids.

    The plugin subclass calls ``_generate_resource(resource_kwargs)`` at stage(); each ``generate_datum``
    makes a Datum; read() reports the last datum id of each key and describe() asks the detector for
    its external data key (``make_data_key()``). Once the plugin has been read or described while
    staged, no new key can be added until it is staged again.
    """

    filestore_spec: str
    parent: Any

    def __init__(
        self,
        *args: Any,
        write_path_template: str,
        root: str | PurePath = os.path.sep,
        path_semantics: str | None = "posix",
        read_path_template: str | None = None,
        reg: Any = None,
        **kwargs: Any,
    ) -> None:
        fs = kwargs.pop("fs", None)
        super().__init__(*args, **kwargs)
        if write_path_template is None:
            raise ValueError(f"{self.name}: write_path_template is required")
        if path_semantics not in _PATH_CLASSES:
            raise ValueError(
                f"{self.name}: unknown path_semantics {path_semantics!r} (known: 'posix', 'windows', None)"
            )
        self.reg_root = root
        self.path_semantics = path_semantics
        self.write_path_template = write_path_template
        self.read_path_template = read_path_template
        self._resource_uid: str | None = None
        self._datum_factory: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self._asset_docs_cache: deque[tuple[str, dict[str, Any]]] = deque()
        self._locked_key_list = False
        self._datum_uids: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._fn: str | None = None
        if reg is None and fs is not None:
            warnings.warn(
                f"{self.name}: the keyword fs is deprecated; pass the registry as reg",
                DeprecationWarning,
                stacklevel=2,
            )
            reg = fs
        self._reg = reg

    # -- paths --------------------------------------------------------------------------------------------
    @property
    def reg_root(self) -> PurePath:
        """The root put into Resource documents (None sets the file system's root)."""
        return self._root

    @reg_root.setter
    def reg_root(self, value: str | PurePath | None) -> None:
        root = PurePath(os.path.sep if value is None else value)
        if not root.is_absolute():
            raise ValueError(f"{self.name}: The root part of the path must be absolute not {str(root)!r}.")
        self._root = root

    @property
    def fs_root(self) -> PurePath:
        """Deprecated name of ``reg_root``."""
        warnings.warn("fs_root is deprecated, use reg_root instead", DeprecationWarning, stacklevel=2)
        return self.reg_root

    @fs_root.setter
    def fs_root(self, value: str | PurePath | None) -> None:
        warnings.warn("fs_root is deprecated, use reg_root instead", DeprecationWarning, stacklevel=2)
        self.reg_root = value

    def _below_root(self, path: PurePath, which: str) -> PurePath:
        """``path`` below ``reg_root``: a relative path is taken below it; an absolute one must be the root or
        below it."""
        root = self.reg_root
        if path == root or root in path.parents:
            return path
        if not path.is_absolute():
            return root / path
        raise ValueError(f"{self.name}: root {str(root)!r} is not consistent with {which} {str(path)!r}")

    @property
    def read_path_template(self) -> str:
        """Where this client reads the files (with a trailing separator); the write path when not set."""
        template = self._read_path_template
        path = PurePath(self.write_path_template if template is None else template)
        return os.path.join(self._below_root(path, "read_path_template"), "")

    @read_path_template.setter
    def read_path_template(self, value: str | None) -> None:
        self._read_path_template = None if value is None else os.path.join(value, "")

    @property
    def write_path_template(self) -> str:
        """Where the IOC writes the files, in the IOC's path semantics.

        Checked against ``reg_root`` only when there is no separate ``read_path_template``.
        """
        path = _PATH_CLASSES[self.path_semantics](self._write_path_template)
        if self._read_path_template is None:
            path = self._below_root(path, "write_path_template")
        return str(path)

    @write_path_template.setter
    def write_path_template(self, value: str) -> None:
        self._write_path_template = value

    # -- staging and documents ----------------------------------------------------------------------------
    def stage(self) -> list[Any]:
        """Forget the datums of the previous stage; then stage as the plugin does."""
        self._locked_key_list = False
        self._datum_uids.clear()
        return super().stage()

    def _generate_resource(self, resource_kwargs: dict[str, Any]) -> None:
        """Make the Resource document of the file ``_fn`` (relative to ``reg_root``) and queue it."""
        if self._fn is None:
            raise RuntimeError(f"{self.name}: no file name to make a Resource document of")
        try:
            resource_path = PurePath(self._fn).relative_to(self.reg_root)
        except ValueError:
            raise ValueError(
                f"{self.name}: the file {self._fn!r} is not below the root {str(self.reg_root)!r}"
            ) from None
        resource, self._datum_factory = resource_factory(
            spec=self.filestore_spec,
            root=str(self.reg_root),
            resource_path=str(resource_path),
            resource_kwargs=resource_kwargs,
            path_semantics=self.path_semantics,
        )
        if self._reg is not None:
            logger.debug("%s: registering the resource of %s", self.name, self._fn)
            resource["uid"] = self._reg.register_resource(
                rpath=resource["resource_path"],
                rkwargs=resource["resource_kwargs"],
                root=resource["root"],
                spec=resource["spec"],
                path_semantics=resource["path_semantics"],
            )
        self._resource_uid = resource["uid"]
        self._asset_docs_cache.append(("resource", resource))

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None) -> str:
        """Make (and queue) the Datum of one frame labelled ``key``; read() reports its id. Returns the id."""
        datum_kwargs = datum_kwargs or {}
        if self._locked_key_list and key not in self._datum_uids:
            raise RuntimeError(
                f"{self.name}: cannot add the data key {key!r} after the plugin was read or described; "
                "unstage and stage it again"
            )
        if self._reg is not None:
            if self._resource_uid is None:
                raise ValueError(f"{self.name}: no resource to register a datum of; stage the plugin first")
            datum: dict[str, Any] = {"resource": self._resource_uid, "datum_kwargs": datum_kwargs}
            datum["datum_id"] = self._reg.register_datum(
                datum_kwargs=datum_kwargs, resource_uid=self._resource_uid
            )
        else:
            if self._datum_factory is None:
                raise RuntimeError(f"{self.name}: no resource to make a datum of; stage the plugin first")
            datum = self._datum_factory(datum_kwargs)
        datum_id: str = datum["datum_id"]
        self._asset_docs_cache.append(("datum", datum))
        self._datum_uids[key].append({"value": datum_id, "timestamp": timestamp})
        return datum_id

    def describe(self) -> OrderedDict[str, DataKey]:
        """The plugin's data keys and, for each frame key, the detector's external data key."""
        self._locked_key_list = self._staged == Staged.yes
        result: OrderedDict[str, DataKey] = OrderedDict(super().describe())
        for key in self._datum_uids:
            result[key] = self.parent.make_data_key()
        return result

    def read(self) -> OrderedDict[str, Reading[Any]]:
        """The plugin's readings and, for each frame key, the id of its last datum."""
        self._locked_key_list = self._staged == Staged.yes
        result: OrderedDict[str, Reading[Any]] = OrderedDict(super().read())
        for key, readings in self._datum_uids.items():
            result[key] = readings[-1]  # type: ignore[assignment]
        return result

    def collect_asset_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The Resource and Datum documents made since the last call, as ``(name, doc)`` pairs, in order."""
        items = list(self._asset_docs_cache)
        self._asset_docs_cache.clear()
        yield from items

    def unstage(self) -> list[Any]:
        """Drop the documents not collected yet; then unstage as the plugin does."""
        self._locked_key_list = False
        self._resource_uid = None
        self._asset_docs_cache.clear()
        return super().unstage()


class FileStorePluginBase(FileStoreBase):
    """A FileStoreBase for an areaDetector file plugin: stage() names a new file and sets the plugin up.

    stage() stops a capture still running, sets ``file_path`` (the formatted write path), ``file_name`` (a
    new short uid) and ``file_number`` (0), then applies ``stage_sigs``: auto_increment Yes, array_counter 0,
    auto_save Yes, num_capture 0 (and create_directory -3 when the plugin has it), and what subclasses add.
    A ``create_directory`` entry is applied before ``file_path`` is written, so that the IOC makes the
    missing directories (classic ophyd applied it after, and the first stage into a new directory failed).
    OSError when the IOC reports that the path does not exist.
    """

    # the plugin's components this mixin drives (FilePlugin declares them)
    file_write_mode: Any
    capture: Any
    file_path: Any
    file_name: Any
    file_number: Any
    file_template: Any
    file_path_exists: Any
    num_capture: Any
    create_directory: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if getattr(type(self), "create_directory", None) is not None:
            self.stage_sigs.update({"create_directory": -3})  # the IOC makes up to 3 missing levels
        self.stage_sigs.update(
            [("auto_increment", "Yes"), ("array_counter", 0), ("auto_save", "Yes"), ("num_capture", 0)]
        )
        self._fp: str | None = None

    def make_filename(self) -> tuple[str, str, str]:
        """``(file name, read path, write path)`` of the next file: a new short uid, and the path templates
        formatted with the date and time now. A hook for subclasses (to make the directories, say)."""
        filename = new_short_uid()
        formatter = datetime.now().strftime
        return filename, formatter(self.read_path_template), formatter(self.write_path_template)

    def stage(self) -> list[Any]:
        """Name a new file and point the plugin at it; then stage (stage_sigs start the capture).

        OSError, before the capture starts, when the IOC reports that the path does not exist.
        """
        filename, read_path, write_path = self.make_filename()
        # These are not stage_sigs: unstage() leaves them, and they must be in place before the capture starts.
        if self.file_write_mode.get(as_string=True) != "Single":
            self.capture.set(0).wait(self.stage_timeout)  # close a file left open
        depth = self._create_directories_first()
        try:
            self.file_path.set(write_path).wait(self.stage_timeout)
            self._check_path_exists()
            self.file_name.set(filename).wait(self.stage_timeout)
            self.file_number.set(0).wait(self.stage_timeout)
            staged = super().stage()
        except BaseException:
            if depth is not None:
                self.create_directory.set(depth).wait(self.stage_timeout)
            raise
        if depth is not None:
            self._original_vals[self.create_directory] = depth  # unstage() restores the value before stage()
        with unstage_on_failure(self):
            # areaDetector formats the name in C; the same here, with the number it used (the next one - 1)
            self._fn = self.file_template.get() % (read_path, filename, self.file_number.get() - 1)
            self._fp = read_path
            self._check_path_exists()
        return staged

    def _create_directories_first(self) -> Any:
        """Apply a ``create_directory`` stage_sigs entry now, before ``file_path`` is written (the IOC creates
        directories when FilePath is written); return the value it replaced, or None when there is none."""
        depth = self.stage_sigs.get("create_directory")
        if depth is None:
            return None
        original = self.create_directory.get()
        self.create_directory.set(depth).wait(self.stage_timeout)
        return original

    def _check_path_exists(self) -> None:
        if not self.file_path_exists.get():
            raise OSError(
                f"{self.name}: the IOC reports that the path {self.file_path.get()!r} "
                f"({self.file_path_exists.pvname}) does not exist"
            )


class _ResourcePerStage(FileStorePluginBase):
    """Makes the Resource document at the end of stage(), from ``_resource_kwargs()``."""

    def _resource_kwargs(self) -> dict[str, Any]:
        raise NotImplementedError

    def stage(self) -> list[Any]:
        staged = super().stage()
        with unstage_on_failure(self):
            self._generate_resource(self._resource_kwargs())
        return staged


class _OneFilePerFrame(_ResourcePerStage):
    """Plugins in Single write mode (one file per frame): the resource is the directory and the template."""

    def get_frames_per_point(self) -> int:
        """Frames per trigger: the camera's ``num_images``."""
        return int(self.parent.cam.num_images.get())

    def _resource_kwargs(self) -> dict[str, Any]:
        self._fn = self._fp  # the resource names the directory; the template names each file
        return {
            "template": self.file_template.get(),
            "filename": self.file_name.get(),
            "frame_per_point": self.get_frames_per_point(),
        }


class FileStoreHDF5(_ResourcePerStage):
    """One HDF5 file per stage (Stream mode), Resource spec ``AD_HDF5`` with ``frame_per_point``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filestore_spec = "AD_HDF5"
        self.stage_sigs.update(
            [("file_template", "%s%s_%6.6d.h5"), ("file_write_mode", "Stream"), ("capture", 1)]
        )

    def get_frames_per_point(self) -> int:
        """Frames per trigger: ``num_capture``, or the camera's ``num_images`` when that is 0 (capture all)."""
        num_capture = int(self.num_capture.get())
        return int(self.parent.cam.num_images.get()) if num_capture == 0 else num_capture

    def _resource_kwargs(self) -> dict[str, Any]:
        return {"frame_per_point": self.get_frames_per_point()}


class FileStoreHDF5Single(_OneFilePerFrame):
    """One HDF5 file per frame (Single mode), Resource spec ``AD_HDF5_SINGLE``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filestore_spec = "AD_HDF5_SINGLE"
        self.stage_sigs.update([("file_template", "%s%s_%6.6d.h5"), ("file_write_mode", "Single")])


class FileStoreTIFF(_OneFilePerFrame):
    """One TIFF file per frame (Single mode), Resource spec ``AD_TIFF``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filestore_spec = "AD_TIFF"
        self.stage_sigs.update([("file_template", "%s%s_%6.6d.tiff"), ("file_write_mode", "Single")])


class FileStoreTIFFSquashing(_OneFilePerFrame):
    """TIFF files each averaging ``images_per_set`` frames (through the parent's process plugin), ``AD_TIFF``.

    The parent has signals ``images_per_set`` and ``number_of_sets`` (names changeable with
    ``images_per_set_name``/``number_of_sets_name``), a camera ``cam`` and a ProcessPlugin ``proc1``
    (``cam_name``/``proc_name``): stage() makes the camera take images_per_set * number_of_sets frames and
    the process plugin average each set; the plugin writes ``number_of_sets`` files.
    """

    def __init__(
        self,
        *args: Any,
        images_per_set_name: str = "images_per_set",
        number_of_sets_name: str = "number_of_sets",
        cam_name: str = "cam",
        proc_name: str = "proc1",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.filestore_spec = "AD_TIFF"
        self._ips_name = images_per_set_name
        self._num_sets_name = number_of_sets_name
        self._cam_name = cam_name
        self._proc_name = proc_name
        cam = getattr(self.parent, cam_name)
        proc = getattr(self.parent, proc_name)
        self.stage_sigs.update(
            [
                ("file_template", "%s%s_%6.6d.tiff"),
                ("file_write_mode", "Single"),
                (proc.nd_array_port, cam.port_name.get()),
                (proc.reset_filter, 1),
                (proc.enable_filter, 1),
                (proc.filter_type, "Average"),
                (proc.auto_reset_filter, 1),
                (proc.filter_callbacks, 1),
                ("nd_array_port", proc.port_name.get()),
            ]
        )

    def get_frames_per_point(self) -> int:
        """Files per trigger: the parent's ``number_of_sets``."""
        return int(getattr(self.parent, self._num_sets_name).get())

    def stage(self) -> list[Any]:
        """Set the frame counts of the camera and the process plugin from the parent's signals; then stage."""
        cam = getattr(self.parent, self._cam_name)
        proc = getattr(self.parent, self._proc_name)
        images_per_set = getattr(self.parent, self._ips_name).get()
        num_sets = getattr(self.parent, self._num_sets_name).get()
        self.stage_sigs.update(
            [(proc.num_filter, images_per_set), (cam.num_images, images_per_set * num_sets)]
        )
        return super().stage()


class FileStoreIterativeWrite(FileStoreBase):
    """Adds ``point_number`` (0, 1, ... since stage()) to the kwargs of every Datum."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._point_counter: Iterator[int] | None = None

    def stage(self) -> list[Any]:
        """Stage, then count points from 0."""
        staged = super().stage()
        self._point_counter = itertools.count()
        return staged

    def unstage(self) -> list[Any]:
        """Stop counting points; then unstage."""
        self._point_counter = None
        return super().unstage()

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None) -> str:
        """A Datum whose kwargs have the next ``point_number``."""
        if self._point_counter is None:
            raise RuntimeError(f"{self.name}: no datum can be made before stage()")
        datum_kwargs = dict(datum_kwargs or {})
        datum_kwargs["point_number"] = next(self._point_counter)
        return super().generate_datum(key, timestamp, datum_kwargs)


class FileStoreHDF5IterativeWrite(FileStoreHDF5, FileStoreIterativeWrite):
    """One HDF5 file per stage, a Datum per frame with its ``point_number``: the usual HDF5 mixin."""


class FileStoreHDF5SingleIterativeWrite(FileStoreHDF5Single, FileStoreIterativeWrite):
    """One HDF5 file per frame (Single mode), with ``point_number`` in each Datum."""


class FileStoreTIFFIterativeWrite(FileStoreTIFF, FileStoreIterativeWrite):
    """One TIFF file per frame, with ``point_number`` in each Datum: the usual TIFF mixin."""
