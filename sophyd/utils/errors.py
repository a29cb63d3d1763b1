"""Classic ophyd's ``ophyd.utils.errors``: the exceptions, defined once in :mod:`sophyd.errors`."""

from ..errors import (
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
]
