"""Signals, where classic ophyd users import them from: soft signals and the EPICS family."""

from ._signal import DerivedSignal, SetSupersededError, Signal, SignalRO, set_and_wait

__all__ = ["DerivedSignal", "SetSupersededError", "Signal", "SignalRO", "set_and_wait"]
