"""Connection hooks of Device: ``required_for_connection`` and the lazy-connection context managers.

A device is ``connected`` only when its signals are and every ``required_for_connection`` method has run
once (typically a subscription callback that must see a first value). A lazy component is waited for on
first access unless the device's ``lazy_wait_for_connection`` is False; the context managers change that
for a block.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

from .errors import ConnectionTimeoutError

__all__ = [
    "do_not_wait_for_lazy_connection",
    "required_for_connection",
    "wait_for_device_connection",
    "wait_for_lazy_connection",
]


def required_for_connection(
    func: Callable[..., Any] | None = None, *, description: str | None = None, device: Any = None
) -> Any:
    """Decorator: the device is not ``connected`` until the decorated method has been called once.

    On a method in the class body (also over ``@cpt.sub_value`` and friends) it applies to every instance;
    with ``device=`` it wraps a bound method of that one device, after ``__init__``. ``description`` (which
    may contain ``{device}``) is what ``wait_for_connection()`` lists while the call is pending.
    """
    if func is None:
        if description is None:
            raise ValueError("required_for_connection needs a function or a description")
        return functools.partial(required_for_connection, description=description, device=device)

    if description is None:
        subscriptions = getattr(func, "_subscriptions", None)
        if subscriptions:
            description = ", ".join(
                f"{{device}}.{func.__name__}[{event_type}] subscription" for _, event_type in subscriptions
            )
        else:
            description = f"{func.__name__} call"

    key = inspect.unwrap(func)
    wrapped: Callable[..., Any]
    if device is not None:
        target = device

        @functools.wraps(func)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            finally:
                target._required_for_connection.pop(key, None)

        device._required_for_connection[key] = description
    else:

        @functools.wraps(func)
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return func(self, *args, **kwargs)
            finally:
                self._required_for_connection.pop(key, None)

    wrapped._required_for_connection = (key, description)  # type: ignore[attr-defined]
    return wrapped


def _lazy_wait_context(value: bool, doc: str) -> Callable[[Any], contextlib.AbstractContextManager[None]]:
    @contextlib.contextmanager
    def context(dev: Any) -> Iterator[None]:
        original = dev.lazy_wait_for_connection
        dev.lazy_wait_for_connection = value
        try:
            yield
        finally:
            dev.lazy_wait_for_connection = original

    context.__doc__ = doc
    return context


wait_for_lazy_connection = _lazy_wait_context(
    True,
    "Within the block, a lazy component of ``dev`` made on first access is waited for until it connects.\n\n"
    "This is the default (``Device.lazy_wait_for_connection = True``): a signal used right after it is made "
    "needs its connection.",
)
do_not_wait_for_lazy_connection = _lazy_wait_context(
    False,
    "Within the block, a lazy component of ``dev`` made on first access is not waited for.\n\n"
    "Useful to make many lazy signals at once (they connect in parallel), or one only to subscribe to it.",
)


def wait_for_device_connection(device: Any, all_signals: bool, timeout: float | None) -> None:
    """Device.wait_for_connection(): its signals in parallel, then its pending ``required_for_connection``
    calls (those of its sub-devices too), under one deadline; one ConnectionTimeoutError lists all."""
    from ._connect import wait_for_connection  # here: _connect imports device, which imports this module

    deadline = None if timeout is None else time.monotonic() + timeout
    signals = [walk.item for walk in device.walk_signals(include_lazy=all_signals)]
    missing: list[str] = []
    reasons: list[str] = []
    try:
        wait_for_connection(*signals, timeout=timeout)
    except ConnectionTimeoutError as exc:
        missing = exc.missing
        reasons.append(str(exc))
    devices = [device, *(dev for _, dev in device.walk_subdevices(include_lazy=all_signals))]
    while any(dev._required_for_connection for dev in devices) and not reasons:
        if deadline is not None and time.monotonic() >= deadline:
            break
        time.sleep(0.01)  # the pending calls come from subscription callbacks; classic ophyd polls here too
    pending = [
        description.format(device=dev.name or type(dev).__name__)
        for dev in devices
        for description in list(dev._required_for_connection.values())
    ]
    if pending:
        reasons.append("pending operations: " + ", ".join(pending))
    if reasons:
        raise ConnectionTimeoutError(
            f"{device._describe_me()} did not connect within {timeout} s; " + "; ".join(reasons),
            missing=missing,
        )
