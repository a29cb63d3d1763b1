"""Signals, where classic ophyd users import them from: soft signals and the EPICS family."""

from ._epics_signal import (
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
)
from ._signal import DerivedSignal, SetSupersededError, Signal, SignalRO, set_and_wait
from .errors import ConnectionTimeoutError, ReadTimeoutError

__all__ = [
    "ConnectionTimeoutError",
    "DerivedSignal",
    "EpicsSignal",
    "EpicsSignalBase",
    "EpicsSignalNoValidation",
    "EpicsSignalRO",
    "EpicsSignalWithRBV",
    "ReadTimeoutError",
    "SetSupersededError",
    "Signal",
    "SignalRO",
    "set_and_wait",
]
