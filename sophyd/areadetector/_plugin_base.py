"""The behaviour every areaDetector plugin shares: PluginBase, the file plugins' base, and the plugin registry.

A plugin takes frames from another port (its ``NDArrayPort``) and, when staged, is enabled with blocking
callbacks so that a trigger finishes only after the plugin has processed the frame. The registry maps an IOC's
``PluginType_RBV`` (and a prefix such as ``Stats1:``) to the class that describes it. The classes of each
plugin type, and their versions, are in :mod:`sophyd.areadetector.plugins`.
"""

from __future__ import annotations

import enum
import logging
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .._attribute_signal import ArrayAttributeSignal
from .._bluesky_interface import GenerateDatumInterface
from .._component import Component
from .._epics_signal import EpicsSignal, EpicsSignalRO
from ..device import Device
from ..errors import ConnectionTimeoutError, PluginMisconfigurationError
from .base import ADBase, DDC_EpicsSignal, DDC_EpicsSignalRO
from .base import ADComponent as Cpt
from .base import EpicsSignalWithRBV as SignalWithRBV
from .paths import EpicsPathSignal

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "FileBase",
    "FilePlugin",
    "PluginBase",
    "get_areadetector_plugin",
    "get_areadetector_plugin_class",
    "plugin_from_pvname",
    "register_plugin",
]

logger = logging.getLogger("sophyd.areadetector")

_T = TypeVar("_T", bound=type)

#: ``PluginType_RBV`` (without a version suffix) -> the class registered for it.
_plugin_class: dict[str, type] = {}


def register_plugin(cls: _T) -> _T:
    """Register ``cls`` as the class of plugins whose ``PluginType_RBV`` is ``cls._plugin_type`` (a decorator)."""
    _plugin_class[cls._plugin_type] = cls  # type: ignore[attr-defined]
    return cls


def plugin_from_pvname(pv: str) -> type | None:
    """The registered plugin class whose ``_suffix_re`` matches the PV name (``'XF:1{Det}Stats2:'``); None if none.

    Tells the plugin type from the naming convention alone, without asking the IOC.
    """
    for cls in _plugin_class.values():
        pattern = getattr(cls, "_suffix_re", None)
        if pattern is not None and re.search(pattern, pv):
            return cls
    return None


def get_areadetector_plugin_class(prefix: str, timeout: float = 2.0) -> type:
    """The plugin class for the plugin at ``prefix``: from its name, else from the IOC's ``PluginType_RBV``.

    Raises ValueError, naming the PV, when the IOC does not answer within ``timeout`` seconds or reports a
    type no class is registered for.
    """
    cls = plugin_from_pvname(prefix)
    if cls is not None:
        return cls
    pvname = f"{prefix}PluginType_RBV"
    signal = EpicsSignalRO(pvname, name="plugin_type", string=True)
    try:
        signal.wait_for_connection(timeout=timeout)
        reported = str(signal.get(timeout=timeout))
    except (ConnectionTimeoutError, TimeoutError) as exc:
        raise ValueError(f"Unable to determine the plugin type: {pvname} did not answer ({exc})") from exc
    finally:
        signal.destroy()
    type_ = reported.split(" ")[0]  # NDFileHDF5 reports its library version after the type
    try:
        return _plugin_class[type_]
    except KeyError:
        raise ValueError(
            f"Unable to determine the plugin type: {pvname} is {reported!r}, for which no plugin class is "
            f"registered (known: {sorted(_plugin_class)})"
        ) from None


def get_areadetector_plugin(prefix: str, **kwargs: Any) -> Any:
    """An instance of the plugin class for ``prefix`` (see get_areadetector_plugin_class), made with ``kwargs``."""
    return get_areadetector_plugin_class(prefix)(prefix, **kwargs)


class PluginBase(ADBase, version=(1, 9, 1), version_type="ADCore"):
    """The base of every areaDetector plugin (NDPluginBase): its port, its source, its array and queue PVs.

    stage() enables the plugin with blocking callbacks (``stage_sigs``: ``enable`` first, then
    ``blocking_callbacks``; and ``parent.cam.array_callbacks`` when the parent has a camera), after checking
    that the IOC's ``PluginType_RBV`` is this class's plugin type (PluginMisconfigurationError if not).
    read_configuration() and describe_configuration() include those of the plugin it takes frames from.
    """

    _html_docs: ClassVar[list[str]] = ["pluginDoc.html"]
    #: The ``PluginType_RBV`` this class describes (None: any), and the regex its usual prefix matches.
    _plugin_type: ClassVar[str | None] = None
    _suffix_re: ClassVar[str | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Misconfigured is unknown until plugin_type connects; a class for any plugin type never is.
        self._misconfigured: bool | None = None if self._plugin_type is not None else False
        self.enable_on_stage()
        self.stage_sigs.move_to_end("enable", last=False)
        self.ensure_blocking()
        if self.parent is not None and hasattr(self.parent, "cam"):
            self.stage_sigs["parent.cam.array_callbacks"] = 1

    array_counter = Cpt(SignalWithRBV, "ArrayCounter")
    array_rate = Cpt(EpicsSignalRO, "ArrayRate_RBV")
    asyn_io = Cpt(EpicsSignal, "AsynIO")

    nd_attributes_file = Cpt(EpicsSignal, "NDAttributesFile", string=True)
    pool_alloc_buffers = Cpt(EpicsSignalRO, "PoolAllocBuffers")
    pool_free_buffers = Cpt(EpicsSignalRO, "PoolFreeBuffers")
    pool_max_buffers = Cpt(EpicsSignalRO, "PoolMaxBuffers")
    pool_max_mem = Cpt(EpicsSignalRO, "PoolMaxMem")
    pool_used_buffers = Cpt(EpicsSignalRO, "PoolUsedBuffers")
    pool_used_mem = Cpt(EpicsSignalRO, "PoolUsedMem")
    port_name = Cpt(EpicsSignalRO, "PortName_RBV", string=True, kind="config")

    asyn_pipeline_config = Component(
        ArrayAttributeSignal, attr="_asyn_pipeline_configuration_names", kind="config"
    )

    width = Cpt(EpicsSignalRO, "ArraySize0_RBV")
    height = Cpt(EpicsSignalRO, "ArraySize1_RBV")
    depth = Cpt(EpicsSignalRO, "ArraySize2_RBV")
    array_size = DDC_EpicsSignalRO(
        ("depth", "ArraySize2_RBV"),
        ("height", "ArraySize1_RBV"),
        ("width", "ArraySize0_RBV"),
        doc="The array size",
    )

    bayer_pattern = Cpt(EpicsSignalRO, "BayerPattern_RBV")
    blocking_callbacks = Cpt(SignalWithRBV, "BlockingCallbacks", string=True, kind="config")
    color_mode = Cpt(EpicsSignalRO, "ColorMode_RBV")
    data_type = Cpt(EpicsSignalRO, "DataType_RBV", string=True)

    dim0_sa = Cpt(EpicsSignal, "Dim0SA")
    dim1_sa = Cpt(EpicsSignal, "Dim1SA")
    dim2_sa = Cpt(EpicsSignal, "Dim2SA")
    dim_sa = DDC_EpicsSignal(
        ("dim0", "Dim0SA"),
        ("dim1", "Dim1SA"),
        ("dim2", "Dim2SA"),
        doc="Dimension sub-arrays",
    )

    dimensions = Cpt(EpicsSignalRO, "Dimensions_RBV")
    dropped_arrays = Cpt(SignalWithRBV, "DroppedArrays")
    enable = Cpt(SignalWithRBV, "EnableCallbacks", string=True, kind="config")
    min_callback_time = Cpt(SignalWithRBV, "MinCallbackTime")
    nd_array_address = Cpt(SignalWithRBV, "NDArrayAddress")
    nd_array_port = Cpt(SignalWithRBV, "NDArrayPort", kind="config")
    ndimensions = Cpt(EpicsSignalRO, "NDimensions_RBV")
    plugin_type = Cpt(EpicsSignalRO, "PluginType_RBV", lazy=False, kind="config")

    queue_free = Cpt(EpicsSignal, "QueueFree")
    queue_free_low = Cpt(EpicsSignal, "QueueFreeLow")
    queue_size = Cpt(EpicsSignal, "QueueSize")
    queue_use = Cpt(EpicsSignal, "QueueUse")
    queue_use_high = Cpt(EpicsSignal, "QueueUseHIGH")
    queue_use_hihi = Cpt(EpicsSignal, "QueueUseHIHI")
    time_stamp = Cpt(EpicsSignalRO, "TimeStamp_RBV")
    unique_id = Cpt(EpicsSignalRO, "UniqueId_RBV")

    # -- the plugin type ------------------------------------------------------------------------------
    @plugin_type.sub_meta
    def _plugin_type_connected(self, connected: bool = False, **kwargs: Any) -> None:
        """On connection of ``PluginType_RBV``, compare it with the class's plugin type and log a mismatch."""
        if not connected or self._plugin_type is None:
            return
        try:
            reported = str(self.plugin_type.get())
        except Exception:  # destroyed or disconnected meanwhile: stage() checks again
            return
        self._check_plugin_type(reported)

    def _check_plugin_type(self, reported: str) -> None:
        self._misconfigured = not reported.startswith(self._plugin_type or "")
        if self._misconfigured:
            logger.warning(
                "Plugin prefix %r: trying to use %r class (plugin type=%r) but the plugin reports it is of type %r",
                self.prefix,
                type(self).__name__,
                self._plugin_type,
                reported,
            )

    def stage(self) -> list[Any]:
        """Check the IOC's plugin type, then stage as any areaDetector device (stage_sigs, port graph).

        A plugin whose type is not this class's raises PluginMisconfigurationError and stays unstaged.
        """
        if self._misconfigured is None:
            self.plugin_type.wait_for_connection()
            self._check_plugin_type(str(self.plugin_type.get()))
        if self._misconfigured:
            raise PluginMisconfigurationError(
                f"Plugin prefix {self.prefix!r}: trying to use {type(self).__name__!r} class (with plugin "
                f"type={self._plugin_type!r}) but the plugin reports it is of type {self.plugin_type.get()!r}"
            )
        return super().stage()

    # -- stage_sigs helpers -------------------------------------------------------------------------------
    def enable_on_stage(self) -> None:
        """Have stage() enable the plugin (``stage_sigs['enable'] = 1``)."""
        self.stage_sigs["enable"] = 1

    def disable_on_stage(self) -> None:
        """Have stage() disable the plugin (``stage_sigs['enable'] = 0``)."""
        self.stage_sigs["enable"] = 0

    def ensure_blocking(self) -> None:
        """Have stage() make the plugin's callbacks blocking (``stage_sigs['blocking_callbacks'] = 'Yes'``).

        With blocking callbacks the driver processes each frame through the plugin before it reports the
        acquisition done, so a read after a trigger sees that frame's results.
        """
        self.stage_sigs["blocking_callbacks"] = "Yes"

    def ensure_nonblocking(self) -> None:
        """Have stage() make the plugin's callbacks non-blocking (``stage_sigs['blocking_callbacks'] = 'No'``)."""
        self.stage_sigs["blocking_callbacks"] = "No"

    # -- the array ----------------------------------------------------------------------------------------
    @property
    def array_pixels(self) -> int:
        """The number of pixels of the last array: the product of its first ``ndimensions`` sizes.

        The sizes are taken in dimension order (ArraySize0, 1, 2), so a 2-D frame counts width x height; classic
        ophyd multiplied the first entries of ``array_size`` (depth, height, width), which gives 0 for a mono
        image.
        """
        depth, height, width = (int(size) for size in self.array_size.get())
        dimensions = int(self.ndimensions.get())
        pixels = 0 if dimensions == 0 else 1
        for size in (width, height, depth)[:dimensions]:
            pixels *= size
        return pixels

    # -- the source of the frames -------------------------------------------------------------------------
    @property
    def source_plugin(self) -> ADBase | None:
        """The camera or plugin of this detector whose port this plugin takes frames from (None: not part of it)."""
        return self.ad_root.get_plugin_by_asyn_port(str(self.nd_array_port.get()))

    @property
    def _asyn_pipeline(self) -> tuple[ADBase, ...]:
        """The chain of devices the frames pass through to reach this plugin, the source first."""
        source = self.source_plugin
        if isinstance(source, PluginBase) and source is not self:
            return (*source._asyn_pipeline, self)
        return (self,) if source is None else (source, self)

    @property
    def _asyn_pipeline_configuration_names(self) -> list[str]:
        return [device.configuration_names.name for device in self._asyn_pipeline]

    def read_configuration(self) -> OrderedDict[str, Reading[Any]]:
        """This plugin's configuration and that of the plugin (or camera) it takes frames from."""
        ret = super().read_configuration()
        source = self.source_plugin
        if source is not None and source is not self:
            ret.update(source.read_configuration())
        return ret

    def describe_configuration(self) -> OrderedDict[str, DataKey]:
        """The description of read_configuration()'s keys, the source's included."""
        ret = super().describe_configuration()
        source = self.source_plugin
        if source is not None and source is not self:
            ret.update(source.describe_configuration())
        return ret


class FileBase(Device):
    """The PVs of an areaDetector file-writing plugin (NDPluginFile): path, name, template, capture."""

    class FileWriteMode(enum.IntEnum):
        """The values of ``file_write_mode``: one file per frame, buffered capture, or streaming."""

        SINGLE = 0
        CAPTURE = 1
        STREAM = 2

    _default_suffix: ClassVar[str] = ""

    auto_increment = Cpt(SignalWithRBV, "AutoIncrement", kind="config")
    auto_save = Cpt(SignalWithRBV, "AutoSave", kind="config")
    capture = Cpt(SignalWithRBV, "Capture")
    delete_driver_file = Cpt(SignalWithRBV, "DeleteDriverFile", kind="config")
    file_format = Cpt(SignalWithRBV, "FileFormat", kind="config")
    file_name = Cpt(SignalWithRBV, "FileName", string=True, kind="config")
    file_number = Cpt(SignalWithRBV, "FileNumber")
    file_number_sync = Cpt(EpicsSignal, "FileNumber_Sync")
    file_number_write = Cpt(EpicsSignal, "FileNumber_write")
    file_path = Cpt(EpicsPathSignal, "FilePath", string=True, kind="config", path_semantics="posix")
    file_path_exists = Cpt(EpicsSignalRO, "FilePathExists_RBV", kind="config")
    file_template = Cpt(SignalWithRBV, "FileTemplate", string=True, kind="config")
    file_write_mode = Cpt(SignalWithRBV, "FileWriteMode", kind="config")
    full_file_name = Cpt(EpicsSignalRO, "FullFileName_RBV", string=True, kind="config")
    num_capture = Cpt(SignalWithRBV, "NumCapture", kind="config")
    num_captured = Cpt(EpicsSignalRO, "NumCaptured_RBV")
    read_file = Cpt(SignalWithRBV, "ReadFile")
    write_file = Cpt(SignalWithRBV, "WriteFile")
    write_message = Cpt(EpicsSignal, "WriteMessage", string=True)
    write_status = Cpt(EpicsSignal, "WriteStatus")


class FilePlugin(PluginBase, FileBase, GenerateDatumInterface, version=(1, 9, 1), version_type="ADCore"):
    """An areaDetector file-writing plugin: PluginBase with the NDPluginFile PVs of FileBase.

    ``file_path`` is an EpicsPathSignal with POSIX path semantics: set() is done when the IOC's readback
    names the same directory, trailing separator or not.
    """

    _default_suffix: ClassVar[str] = ""
    _html_docs: ClassVar[list[str]] = ["NDPluginFile.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginFile"
