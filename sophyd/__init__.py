"""sophyd: synchronous, Component-based EPICS devices in the classic ophyd style.

Everything a user needs is importable from here; submodules ``sophyd.signal``, ``sophyd.device`` and
``sophyd.status`` mirror classic ophyd's layout. Importing sophyd starts no thread and opens no socket.
"""

from ._connect import init_devices, wait_for_connection
from .alarm import AlarmSeverity
from .areadetector import AreaDetectorCam, FileWriteError, HDF5Detector, HDF5FileWriter
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
    ConnectionTimeoutError,
    DisconnectedError,
    ExceptionBundle,
    InvalidState,
    LimitError,
    MotionError,
    OpException,
    PutFailedError,
    ReadOnlyError,
    RedundantStaging,
    StatusTimeoutError,
    UnknownStatusFailure,
    WaitTimeoutError,
)
from .kind import Kind
from .mock import (
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)
from .ophydobj import OphydObject
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
from .signal import (
    DerivedSignal,
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
    SetSupersededError,
    Signal,
    SignalRO,
    set_and_wait,
)
from .status import AndStatus, DeviceStatus, MoveStatus, Status, StatusBase, SubscriptionStatus, wait

__version__ = "0.1.0"

__all__ = [
    "ALL_COMPONENTS",
    "DDC",
    "AlarmSeverity",
    "AndStatus",
    "AreaDetectorCam",
    "BlueskyInterface",
    "Component",
    "ConnectionTimeoutError",
    "Cpt",
    "DerivedSignal",
    "Device",
    "DeviceStatus",
    "DisconnectedError",
    "DynamicDeviceComponent",
    "EpicsMotor",
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
    "ExceptionBundle",
    "FCpt",
    "FileWriteError",
    "FormattedComponent",
    "HDF5Detector",
    "HDF5FileWriter",
    "InvalidState",
    "Kind",
    "LimitError",
    "MotionError",
    "MotorBundle",
    "MoveStatus",
    "OpException",
    "OphydObject",
    "PVPositioner",
    "PVPositionerComparator",
    "PVPositionerDone",
    "PVPositionerIsClose",
    "PVPositionerPC",
    "PathInfo",
    "PositionerBase",
    "PseudoPositioner",
    "PseudoSingle",
    "PutFailedError",
    "ReadOnlyError",
    "RedundantStaging",
    "SetSupersededError",
    "Signal",
    "SignalRO",
    "SoftPositioner",
    "Staged",
    "StaticFilenameProvider",
    "StaticPathProvider",
    "Status",
    "StatusBase",
    "StatusTimeoutError",
    "SubscriptionStatus",
    "UUIDFilenameProvider",
    "UnknownStatusFailure",
    "WaitTimeoutError",
    "do_not_wait_for_lazy_connection",
    "get_cl",
    "init_devices",
    "kind_context",
    "mock_put_failure",
    "set_and_wait",
    "set_cl",
    "set_mock_connected",
    "set_mock_info",
    "set_mock_put_proceeds",
    "set_mock_value",
    "wait",
    "wait_for_connection",
    "wait_for_lazy_connection",
]
