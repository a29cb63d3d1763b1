"""Many signals at once: Device.read() and describe() fetch what EPICS signals need concurrently first, one
request batch per control-layer backend (``by_backend``, which wait_for_connection() uses too)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from .control import Backend, Channel, PVReading

__all__ = ["BatchedSignal", "by_backend", "is_batched", "prefetch"]


@runtime_checkable
class BatchedSignal(Protocol):
    """A signal whose channel work a device can batch with other signals' on the same backend
    (``EpicsSignalBase``). Each plan names the backend and what to do there, or None to act alone."""

    timeout: float
    #: The reading of an enclosing ``prefetch``, which ``get()`` answers from; None outside one.
    _prefetched: PVReading | None

    def _connection_plan(self) -> tuple[Backend, list[Channel]]:
        """The channels wait_for_connection() may wait for together with others'."""

    def _prefetch_plan(self) -> tuple[Backend, Channel, bool] | None:
        """The channel (and whether to read it as a string) Device.read() may read with others'."""

    def _metadata_plan(self) -> tuple[Backend, Channel] | None:
        """The channel whose control metadata Device.describe() may load with others'."""


_IS_BATCHED: dict[type, bool] = {}


def is_batched(signal: Any) -> bool:
    """Whether ``signal`` is a ``BatchedSignal``, decided once per class: a runtime protocol check costs
    ~20 us, and Device.read() asks it of every signal on every read."""
    try:
        return _IS_BATCHED[type(signal)]
    except KeyError:
        return _IS_BATCHED.setdefault(type(signal), isinstance(signal, BatchedSignal))


def _longest(timeouts: Iterable[float | None]) -> float | None:
    """The longest of the members' read timeouts: None (no limit) if any has none."""
    values = list(timeouts)
    return None if any(t is None for t in values) else max(t for t in values if t is not None)


@contextlib.contextmanager
def prefetch(signals: Sequence[Any], *, metadata: bool = False) -> Iterator[None]:
    """Within the block, signals that support it answer get() from one concurrent fetch.

    A signal takes part when it is a ``BatchedSignal`` whose ``_prefetch_plan()`` is not None (None: it
    already has a fresh monitored value); the fetch is one ``backend.get_many`` per backend. With ``metadata``
    (for describe()), the control metadata not yet read is loaded first, also concurrently.
    """
    if metadata:
        for backend, members in by_backend(signals, lambda signal: signal._metadata_plan()).items():
            backend.load_info_many(
                [channel for _, channel in members], timeout=_longest(signal.timeout for signal, _ in members)
            )
    # A signal already prefetched was fetched by an enclosing prefetch (the parent device's read).
    fresh = [signal for signal in signals if is_batched(signal) and signal._prefetched is None]
    done: list[BatchedSignal] = []
    try:
        for backend, members in by_backend(fresh, lambda signal: signal._prefetch_plan()).items():
            readings = backend.get_many(
                [channel for _, channel, _ in members],
                as_string=[as_string for _, _, as_string in members],
                timeout=_longest(signal.timeout for signal, _, _ in members),
                use_monitor=False,  # these signals are not monitored: read as their get() would, fresh
            )
            for (signal, _, _), reading in zip(members, readings, strict=True):
                signal._prefetched = reading
                done.append(signal)
        yield
    finally:
        for signal in done:
            signal._prefetched = None


def by_backend(
    signals: Sequence[Any], plan: Callable[[BatchedSignal], tuple[Any, ...] | None]
) -> dict[Backend, list[tuple[Any, ...]]]:
    """``{backend: [(signal, *rest), ...]}`` for the ``BatchedSignal``s whose ``plan(signal)`` returns
    ``(backend, *rest)`` (other signals, or a plan of None, take no part)."""
    groups: dict[Backend, list[tuple[Any, ...]]] = {}
    for signal in signals:
        found = plan(signal) if is_batched(signal) else None
        if found is not None:
            backend, *rest = found
            groups.setdefault(backend, []).append((signal, *rest))
    return groups
