"""Exceptions users can catch; every message names the object (device, signal, PV) it concerns."""

from __future__ import annotations

__all__ = [
    "BadPVName",
    "ConnectionTimeoutError",
    "DestroyedError",
    "DisconnectedError",
    "ExceptionBundle",
    "InvalidState",
    "LimitError",
    "MotionError",
    "NotConnectedError",
    "OpException",
    "PluginMisconfigurationError",
    "PutFailedError",
    "ReadOnlyError",
    "ReadTimeoutError",
    "RedundantStaging",
    "SetSupersededError",
    "StatusTimeoutError",
    "UnknownStatusFailure",
    "UnprimedPlugin",
    "WaitTimeoutError",
]


class OpException(Exception):
    """Base class of sophyd's own errors."""


class ReadOnlyError(OpException):
    """A write was attempted on a read-only signal or PV."""


class BadPVName(OpException, ValueError):
    """A PV name Channel Access cannot search for (empty, whitespace, more than one '.')."""


class LimitError(OpException, ValueError):
    """A value lies outside a signal's limits."""


class DisconnectedError(OpException, ConnectionError):
    """The signal's channel is not connected."""


class DestroyedError(RuntimeError, DisconnectedError):
    """The signal or device was destroyed (``destroy()``) and can no longer be used."""


class ConnectionTimeoutError(OpException, TimeoutError):
    """One or more channels did not connect in time; the message lists every missing PV."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = list(missing or [])


class NotConnectedError(ConnectionTimeoutError, DisconnectedError):
    """read() of a signal whose PV never connected, raised after waiting up to its connection timeout.

    Classic ophyd's ``read()`` raises DisconnectedError for a signal that is not connected, so code written for
    it catches that; sophyd waits for the first connection first, and the error is both kinds.
    """


class PutFailedError(OpException):
    """The server refused a put (a putter raised, or the value was outside its control limits)."""


class RedundantStaging(OpException, RuntimeError):
    """stage() was called on a device that is already staged."""


class PluginMisconfigurationError(TypeError, OpException):
    """An areaDetector plugin class was used on a plugin whose ``PluginType_RBV`` names another type.

    A TypeError, as in classic ophyd, so code that catches that keeps working.
    """


class UnprimedPlugin(RuntimeError, OpException):
    """An areaDetector file plugin was staged before it saw a frame: its array size is still 0x0x0.

    Acquire one frame with the plugin enabled (``HDF5Plugin.warmup()`` does) before staging it.
    """


class InvalidState(OpException, RuntimeError):
    """A Status was marked done a second time."""


class UnknownStatusFailure(OpException):
    """A Status failed without saying why (classic ``_finished(success=False)``)."""


class StatusTimeoutError(OpException, TimeoutError):
    """A Status' own ``timeout`` ran out before the operation finished; the status is failed."""


class WaitTimeoutError(OpException, TimeoutError):
    """A caller stopped waiting for a Status; the status itself may still finish."""


class ReadTimeoutError(WaitTimeoutError):
    """A read got no answer in time (the PV may be connected but its server does not reply)."""


class ExceptionBundle(OpException, RuntimeError):
    """Several operations failed (e.g. stopping or unstaging children); ``exceptions`` holds each failure."""

    def __init__(self, message: str, exceptions: list[BaseException]) -> None:
        details = "; ".join(f"{type(e).__name__}: {e}" for e in exceptions)
        super().__init__(f"{message}: {details}")
        self.exceptions = list(exceptions)


class SetSupersededError(OpException, RuntimeError):
    """A newer set() on the same signal replaced this one before it finished."""


class MotionError(UnknownStatusFailure, RuntimeError):
    """A move did not complete: stopped, superseded by a newer move, at a limit switch, in alarm, or the device
    stopped short.

    A RuntimeError, as classic ophyd documents for a move that fails other than by timing out, and an
    UnknownStatusFailure, which is what classic's failed move raised (it said no more), so code written
    against classic (``except UnknownStatusFailure``) still catches it.
    """
