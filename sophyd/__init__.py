"""sophyd: synchronous, Component-based EPICS devices in the classic ophyd style.

Everything a user needs is importable from here; submodules ``sophyd.signal``, ``sophyd.device`` and
``sophyd.status`` mirror classic ophyd's layout. Importing sophyd starts no thread and opens no socket.
"""

from ._connect import init_devices, wait_for_connection
from .control import get_cl, set_cl
from .device import (
    DDC,
    Component,
    Cpt,
    Device,
    DynamicDeviceComponent,
    FCpt,
    FormattedComponent,
    Staged,
)
from .errors import (
    ConnectionTimeoutError,
    DisconnectedError,
    ExceptionBundle,
    InvalidState,
    LimitError,
    OpException,
    PutFailedError,
    ReadOnlyError,
    RedundantStaging,
    StatusTimeoutError,
    UnknownStatusFailure,
    WaitTimeoutError,
)
from .kind import Kind
from .ophydobj import OphydObject
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
    "DDC",
    "AndStatus",
    "Component",
    "ConnectionTimeoutError",
    "Cpt",
    "DerivedSignal",
    "Device",
    "DeviceStatus",
    "DisconnectedError",
    "DynamicDeviceComponent",
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
    "ExceptionBundle",
    "FCpt",
    "FormattedComponent",
    "InvalidState",
    "Kind",
    "LimitError",
    "MoveStatus",
    "OpException",
    "OphydObject",
    "PutFailedError",
    "ReadOnlyError",
    "RedundantStaging",
    "SetSupersededError",
    "Signal",
    "SignalRO",
    "Staged",
    "Status",
    "StatusBase",
    "StatusTimeoutError",
    "SubscriptionStatus",
    "UnknownStatusFailure",
    "WaitTimeoutError",
    "get_cl",
    "init_devices",
    "set_and_wait",
    "set_cl",
    "wait",
    "wait_for_connection",
]
