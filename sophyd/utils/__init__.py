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
from .errors import *  # noqa: F403 - classic's utils re-exports its errors module
from .errors import __all__ as _error_names

__all__ = [
    "AlarmSeverity",
    "AlarmStatus",
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
    *_error_names,
]
