"""Signals, where classic ophyd users import them from: soft signals and the EPICS family."""

from ._attribute_signal import ArrayAttributeSignal, AttributeSignal
from ._derived_signal import DerivedSignal
from ._epics_signal import (
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
)
from ._internal_signal import InternalSignal, InternalSignalError, InternalSignalMixin
from ._signal import UNSET_VALUE, SetSupersededError, Signal, SignalRO, set_and_wait
from .errors import ConnectionTimeoutError, DestroyedError, LimitError, ReadOnlyError, ReadTimeoutError

__all__ = [
    "UNSET_VALUE",
    "ArrayAttributeSignal",
    "AttributeSignal",
    "ConnectionTimeoutError",
    "DerivedSignal",
    "DestroyedError",
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
    "InternalSignal",
    "InternalSignalError",
    "InternalSignalMixin",
    "LimitError",
    "ReadOnlyError",
    "ReadTimeoutError",
    "SetSupersededError",
    "Signal",
    "SignalRO",
    "set_and_wait",
]
