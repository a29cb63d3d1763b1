"""Classic ophyd's ``ophyd.utils``: the exceptions, the alarm enums and the EPICS helpers users import.

``from sophyd.utils import ReadOnlyError, AlarmSeverity, set_and_wait`` works as ``from ophyd.utils import
...`` does. Everything here is defined elsewhere in sophyd and only re-exported.
"""

from ..status import adapt_old_callback_signature
from .epics_pvs import (
    AlarmSeverity,
    AlarmStatus,
    data_shape,
    data_type,
    fmt_time,
    raise_if_disconnected,
    record_field,
    set_and_wait,
    split_record_field,
    strip_field,
    validate_pv_name,
)
from .errors import (
    BadPVName,
    ConnectionTimeoutError,
    DestroyedError,
    DisconnectedError,
    ExceptionBundle,
    InvalidState,
    LimitError,
    OpException,
    PutFailedError,
    ReadOnlyError,
    ReadTimeoutError,
    RedundantStaging,
    SetSupersededError,
    StatusTimeoutError,
    UnknownStatusFailure,
    WaitTimeoutError,
)

__all__ = [
    "AlarmSeverity",
    "AlarmStatus",
    "BadPVName",
    "ConnectionTimeoutError",
    "DestroyedError",
    "DisconnectedError",
    "ExceptionBundle",
    "InvalidState",
    "LimitError",
    "OpException",
    "PutFailedError",
    "ReadOnlyError",
    "ReadTimeoutError",
    "RedundantStaging",
    "SetSupersededError",
    "StatusTimeoutError",
    "UnknownStatusFailure",
    "WaitTimeoutError",
    "adapt_old_callback_signature",
    "data_shape",
    "data_type",
    "fmt_time",
    "raise_if_disconnected",
    "record_field",
    "set_and_wait",
    "split_record_field",
    "strip_field",
    "validate_pv_name",
]
