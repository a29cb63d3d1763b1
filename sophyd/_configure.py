"""Device.configure() as a transaction: check every value, write in order, undo the writes if one fails.

The same rule as staging: a configuration is either applied whole or not at all, so a typo in the last
key never leaves a detector half configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._checks import check_finite_target
from ._signal import Signal
from .errors import OpException

if TYPE_CHECKING:
    from .device import Device

__all__ = ["apply_configuration"]


def apply_configuration(device: Device, values: dict[str, Any], timeout: float | None) -> None:
    """Set each signal named in ``values`` (attribute or dotted names) on ``device``, in order.

    Every value is checked (``check_value``) before anything is written; a refused value raises that
    check's error. If a write fails, the signals already written are set back to their earlier values in
    reverse order, and one error of the failure's type names the key that failed, what was restored and
    what could not be.
    """
    where = device._describe_me()
    targets: list[tuple[str, Signal, Any]] = []
    for key, value in values.items():
        target = device._get_dotted(key)
        if not isinstance(target, Signal):
            raise ValueError(f"{where}: {key!r} is not a signal and cannot be configured")
        targets.append((key, target, value))
    for key, target, value in targets:
        check_finite_target(value, f"configure() of {where}, key {key!r}")
        target.check_value(value)

    written: list[tuple[str, Signal, Any]] = []
    for key, target, value in targets:
        try:
            previous = target.get()
            target.set(value).wait(timeout)
        except Exception as exc:
            message = f"{where}: configure() failed setting {key!r} to {value!r} ({exc}); "
            message += _restore(written, timeout)
            raise _same_kind(exc, message) from exc
        written.append((key, target, previous))


def _restore(written: list[tuple[str, Signal, Any]], timeout: float | None) -> str:
    """Set the written signals back, newest first; say what was restored and what could not be."""
    if not written:
        return "nothing had been written"
    restored, failed = [], []
    for key, target, previous in reversed(written):
        try:
            target.set(previous).wait(timeout)
            restored.append(f"{key!r} to {previous!r}")
        except Exception as exc:
            failed.append(f"{key!r} ({type(exc).__name__}: {exc})")
    text = f"restored {', '.join(restored)}" if restored else "restored nothing"
    return text + (f"; could NOT restore {', '.join(failed)}" if failed else "")


def _same_kind(exc: BaseException, message: str) -> BaseException:
    """An exception of ``exc``'s type carrying ``message`` (an OpException if that type cannot)."""
    try:
        return type(exc)(message)
    except Exception:
        return OpException(message)
