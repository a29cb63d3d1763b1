"""Classic ophyd's ``ophyd.utils``: the exceptions, the alarm enums, the EPICS helpers and the small general
helpers users import.

``from sophyd.utils import ReadOnlyError, AlarmSeverity, set_and_wait, makedirs`` works as ``from ophyd.utils
import ...`` does. Everything here is defined in a submodule or elsewhere in sophyd and only re-exported.
"""

from ..status import adapt_old_callback_signature
from ._helpers import (
    DO_NOT_USE,
    OrderedDefaultDict,
    doc_annotation_forwarder,
    ducks_from_namespace,
    enum,
    getattrs,
    instances_from_namespace,
    underscores_to_camel_case,
)
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
from .paths import make_dir_tree, makedirs

__all__ = [
    "DO_NOT_USE",
    "AlarmSeverity",
    "AlarmStatus",
    "OrderedDefaultDict",
    "adapt_old_callback_signature",
    "data_shape",
    "data_type",
    "doc_annotation_forwarder",
    "ducks_from_namespace",
    "enum",
    "fmt_time",
    "getattrs",
    "instances_from_namespace",
    "make_dir_tree",
    "makedirs",
    "raise_if_disconnected",
    "record_field",
    "set_and_wait",
    "split_record_field",
    "strip_field",
    "underscores_to_camel_case",
    "validate_pv_name",
    *_error_names,
]
