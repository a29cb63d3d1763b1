"""Connecting many signals at once: wait_for_connection() and the init_devices() block."""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

from ._readmany import by_backend, is_batched
from .control import connection_hint, use_cl
from .device import Device
from .errors import ConnectionTimeoutError
from .ophydobj import OphydObject

__all__ = ["init_devices", "wait_for_connection"]


def _leaf_signals(objs: tuple[Any, ...], all_signals: bool) -> list[Any]:
    leaves: list[Any] = []
    for obj in objs:
        if isinstance(obj, Device):
            leaves.extend(walk.item for walk in obj.walk_signals(include_lazy=all_signals))
        else:
            leaves.append(obj)
    return leaves


def wait_for_connection(*objs: Any, timeout: float | None = 10.0, all_signals: bool = False) -> None:
    """Wait until every signal of the given devices and signals is connected, all in parallel.

    Channels connect in the background from the moment they are made, so one shared deadline covers them
    all. Raises ConnectionTimeoutError listing every missing PV with its owner's dotted name.
    """
    signals = _leaf_signals(objs, all_signals)
    deadline = None if timeout is None else time.monotonic() + timeout

    def remaining() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    together = by_backend(signals, lambda signal: signal._connection_plan())  # EPICS channels, together
    for backend, members in together.items():
        backend.wait_for_connection_many([ch for _, channels in members for ch in channels], remaining())
    for signal in signals:
        if not is_batched(signal):
            with contextlib.suppress(TimeoutError):
                signal.wait_for_connection(timeout=remaining())
    missing = []
    for signal in signals:
        for pv in signal._missing_channels():
            owner = signal.root.name
            dotted = signal.dotted_name
            where = f"{owner}.{dotted}" if dotted and owner else signal.name
            missing.append(f"{where} ({pv})")
    if missing:
        raise ConnectionTimeoutError(
            f"{len(missing)} PV(s) did not connect within {timeout} s:\n  "
            + "\n  ".join(missing)
            + "\n"
            + connection_hint(),
            missing=missing,
        )


def _frame_outside_contextlib(frame: FrameType | None) -> FrameType:
    """The first frame above ``frame`` (a context manager's generator) whose code is not contextlib's: the
    ``with`` statement's, however contextlib (or an ExitStack) entered the context manager."""
    caller = frame.f_back if frame is not None else None
    while caller is not None and caller.f_code.co_filename == contextlib.__file__:
        caller = caller.f_back
    if caller is None:
        raise RuntimeError("init_devices() could not find the calling frame")
    return caller


@contextlib.contextmanager
def init_devices(
    *, set_name: bool = True, connect: bool = True, mock: bool = False, timeout: float = 10.0
) -> Iterator[None]:
    """Name the devices made in this block after their variables and connect them together at its end.

    With ``mock=True`` devices made in the block use the in-memory mock control layer, and no IOC is needed.
    """
    caller = _frame_outside_contextlib(inspect.currentframe())
    before = {name: id(value) for name, value in caller.f_locals.items()}
    with use_cl("mock") if mock else contextlib.nullcontext():
        yield
    made: dict[str, Any] = {}
    for name, value in caller.f_locals.items():
        if isinstance(value, OphydObject) and before.get(name) != id(value) and value.parent is None:
            made[name] = value
    if set_name:
        for name, obj in made.items():
            if not obj.name:
                obj.name = name
    if connect:
        wait_for_connection(*made.values(), timeout=timeout, all_signals=False)
