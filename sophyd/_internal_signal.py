"""InternalSignal: a soft signal that only its own device writes (``put(..., internal=True)``).

Unlike SignalRO, which refuses every write, it marks a signal as the device's business: a status or a computed
``done`` flag that users read but should not write.
"""

from __future__ import annotations

import threading
from typing import Any

from ._signal import Signal
from .errors import ReadOnlyError
from .status import Status

__all__ = ["InternalSignal", "InternalSignalError", "InternalSignalMixin"]


class InternalSignalError(ReadOnlyError):
    """A write to an internal signal without ``internal=True``."""

    def __init__(self, message: str | None = None) -> None:
        if message is None:
            message = (
                "This signal is for internal use only: write to it from the class that owns it, "
                "with signal.put(value, internal=True)."
            )
        super().__init__(message)


class InternalSignalMixin:
    """Adds InternalSignal's write protection to any signal class: put() and set() need ``internal=True``."""

    _internal_writer = threading.local()

    def put(self, value: Any, *args: Any, internal: bool = False, **kwargs: Any) -> None:
        """Write ``value``; only the owning class may, with ``internal=True``."""
        if not (internal or getattr(self._internal_writer, "signal", None) is self):
            raise InternalSignalError(_refusal(self, value))
        super().put(value, *args, **kwargs)  # type: ignore[misc]

    def set(self, value: Any, *args: Any, internal: bool = False, **kwargs: Any) -> Status:
        """Start moving to ``value``; only the owning class may, with ``internal=True``."""
        if not internal:
            raise InternalSignalError(_refusal(self, value))
        previous = getattr(self._internal_writer, "signal", None)
        self._internal_writer.signal = self  # set() writes through put() in this thread
        try:
            return super().set(value, *args, **kwargs)  # type: ignore[misc]
        finally:
            self._internal_writer.signal = previous


class InternalSignal(InternalSignalMixin, Signal):
    """A soft Signal that stores data but should only be updated by its device (``internal=True``)."""


def _refusal(signal: Any, value: Any) -> str:
    describe = getattr(signal, "_describe_me", None)
    who = describe() if describe is not None else repr(signal)
    return (
        f"{who} is for internal use only; cannot write {value!r}. The class that owns it writes with "
        "signal.put(value, internal=True)."
    )
