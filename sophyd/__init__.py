"""sophyd: synchronous, Component-based EPICS devices in the classic ophyd style.

Everything a user needs is importable from here; submodules ``sophyd.signal``, ``sophyd.device`` and
``sophyd.status`` mirror classic ophyd's layout. Importing sophyd starts no thread and opens no socket.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import utils as utils  # classic code reaches ophyd.utils as an attribute of the package
from ._connect import init_devices, wait_for_connection
from .alarm import AlarmSeverity, AlarmStatus
from .areadetector._exports import module_of as _areadetector_module_of
from .control import get_cl, set_cl
from .device import (
    ALL_COMPONENTS,
    DDC,
    BlueskyInterface,
    Component,
    Cpt,
    Device,
    DynamicDeviceComponent,
    FCpt,
    FormattedComponent,
    Staged,
    do_not_wait_for_lazy_connection,
    kind_context,
    wait_for_lazy_connection,
)
from .epics_motor import EpicsMotor, MotorBundle
from .errors import (
    BadPVName,
    ConnectionTimeoutError,
    DestroyedError,
    DisconnectedError,
    ExceptionBundle,
    InvalidState,
    LimitError,
    MotionError,
    NotConnectedError,
    OpException,
    PutFailedError,
    ReadOnlyError,
    ReadTimeoutError,
    RedundantStaging,
    StatusTimeoutError,
    UnknownStatusFailure,
    WaitTimeoutError,
)
from .kind import Kind
from .log import config_sophyd_logging, set_handler
from .mca import EpicsDXP, EpicsMCA
from .mock import (
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)
from .ophydobj import (
    OphydObject,
    UnknownSubscription,
    register_instances_in_weakset,
    register_instances_keyed_on_name,
    select_version,
)
from .paths import PathInfo, StaticFilenameProvider, StaticPathProvider, UUIDFilenameProvider
from .positioner import PositionerBase, SoftPositioner
from .pseudopos import PseudoPositioner, PseudoSingle
from .pv_positioner import (
    PVPositioner,
    PVPositionerComparator,
    PVPositionerDone,
    PVPositionerIsClose,
    PVPositionerPC,
)
from .scaler import EpicsScaler
from .signal import (
    UNSET_VALUE,
    ArrayAttributeSignal,
    AttributeSignal,
    DerivedSignal,
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
    InternalSignal,
    InternalSignalError,
    SetSupersededError,
    Signal,
    SignalRO,
    set_and_wait,
)
from .status import (
    AndStatus,
    DeviceStatus,
    MoveStatus,
    StableSubscriptionStatus,
    Status,
    StatusBase,
    SubscriptionStatus,
    wait,
)
from .utils.startup import setup as setup_ophyd

if TYPE_CHECKING:
    from .areadetector import AreaDetectorCam, FileWriteError, HDF5Detector, HDF5FileWriter, HDF5Plugin
    from .areadetector.common_plugins import CommonPlugins, PluginNamespace
    from .areadetector.plugins import (
        ColorConvPlugin,
        FilePlugin,
        ImagePlugin,
        JPEGPlugin,
        MagickPlugin,
        NetCDFPlugin,
        NexusPlugin,
        OverlayPlugin,
        ProcessPlugin,
        ROIPlugin,
        StatsPlugin,
        TIFFPlugin,
        TransformPlugin,
        get_areadetector_plugin,
        plugin_from_pvname,
        register_plugin,
    )

__version__ = "0.1.0"

__all__ = [
    "ALL_COMPONENTS",
    "DDC",
    "UNSET_VALUE",
    "AlarmSeverity",
    "AlarmStatus",
    "AndStatus",
    "AreaDetectorCam",
    "ArrayAttributeSignal",
    "AttributeSignal",
    "BadPVName",
    "BlueskyInterface",
    "ColorConvPlugin",
    "CommonPlugins",
    "Component",
    "ConnectionTimeoutError",
    "Cpt",
    "DerivedSignal",
    "DestroyedError",
    "Device",
    "DeviceStatus",
    "DisconnectedError",
    "DynamicDeviceComponent",
    "EpicsDXP",
    "EpicsMCA",
    "EpicsMotor",
    "EpicsScaler",
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
    "ExceptionBundle",
    "FCpt",
    "FilePlugin",
    "FileWriteError",
    "FormattedComponent",
    "HDF5Detector",
    "HDF5FileWriter",
    "HDF5Plugin",
    "ImagePlugin",
    "InternalSignal",
    "InternalSignalError",
    "InvalidState",
    "JPEGPlugin",
    "Kind",
    "LimitError",
    "MagickPlugin",
    "MotionError",
    "MotorBundle",
    "MoveStatus",
    "NetCDFPlugin",
    "NexusPlugin",
    "NotConnectedError",
    "OpException",
    "OphydObject",
    "OverlayPlugin",
    "PVPositioner",
    "PVPositionerComparator",
    "PVPositionerDone",
    "PVPositionerIsClose",
    "PVPositionerPC",
    "PathInfo",
    "PluginNamespace",
    "PositionerBase",
    "ProcessPlugin",
    "PseudoPositioner",
    "PseudoSingle",
    "PutFailedError",
    "ROIPlugin",
    "ReadOnlyError",
    "ReadTimeoutError",
    "RedundantStaging",
    "SetSupersededError",
    "Signal",
    "SignalRO",
    "SoftPositioner",
    "StableSubscriptionStatus",
    "Staged",
    "StaticFilenameProvider",
    "StaticPathProvider",
    "StatsPlugin",
    "Status",
    "StatusBase",
    "StatusTimeoutError",
    "SubscriptionStatus",
    "TIFFPlugin",
    "TransformPlugin",
    "UUIDFilenameProvider",
    "UnknownStatusFailure",
    "UnknownSubscription",
    "WaitTimeoutError",
    "config_sophyd_logging",
    "do_not_wait_for_lazy_connection",
    "get_areadetector_plugin",
    "get_cl",
    "init_devices",
    "kind_context",
    "mock_put_failure",
    "plugin_from_pvname",
    "register_instances_in_weakset",
    "register_instances_keyed_on_name",
    "register_plugin",
    "select_version",
    "set_and_wait",
    "set_cl",
    "set_handler",
    "set_mock_connected",
    "set_mock_info",
    "set_mock_put_proceeds",
    "set_mock_value",
    "setup_ophyd",
    "wait",
    "wait_for_connection",
    "wait_for_lazy_connection",
]


def __getattr__(name: str) -> Any:
    """The names of ``sophyd.areadetector``, imported on first use (PEP 562), as classic ophyd's top level
    exports its whole areadetector package; ``import sophyd`` does not load the camera and plugin classes."""
    if _areadetector_module_of(name) is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".areadetector", __name__), name)
    globals()[name] = value
    return value
