"""Many signals at once: Device.read() and describe() fetch what EPICS signals need concurrently first, one
request batch per control-layer backend (``by_backend``, which wait_for_connection() uses too)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["by_backend", "prefetch"]


@contextlib.contextmanager
def prefetch(signals: Sequence[Any], *, metadata: bool = False) -> Iterator[None]:
    """Within the block, signals that support it answer get() from one concurrent fetch.

    A signal takes part when it has ``_prefetch_plan()`` returning ``(backend, channel, as_string)`` (or
    None when it already has a fresh monitored value); the fetch is one ``backend.get_many`` per backend.
    With ``metadata`` (for describe()), the control metadata not yet read is loaded first, also concurrently.
    """
    if metadata:
        for backend, members in by_backend(signals, "_metadata_plan").items():
            backend.load_info_many(
                [channel for _, channel in members], timeout=max(signal.timeout for signal, _ in members)
            )
    fresh = [signal for signal in signals if getattr(signal, "_prefetched", None) is None]
    # (a signal already prefetched was fetched by an enclosing prefetch: the parent device's read)
    done: list[Any] = []
    try:
        for backend, members in by_backend(fresh, "_prefetch_plan").items():
            readings = backend.get_many(
                [channel for _, channel, _ in members],
                as_string=[as_string for _, _, as_string in members],
                timeout=max(signal.timeout for signal, _, _ in members),
                use_monitor=False,  # these signals are not monitored: read as their get() would, fresh
            )
            for (signal, _, _), reading in zip(members, readings, strict=False):
                signal._prefetched = reading
                done.append(signal)
        yield
    finally:
        for signal in done:
            signal._prefetched = None


def by_backend(signals: Sequence[Any], plan: str) -> dict[Any, list[tuple[Any, ...]]]:
    """``{backend: [(signal, *rest), ...]}`` for the signals whose method ``plan`` returns ``(backend, *rest)``
    (signals without it, or returning None, take no part)."""
    groups: dict[Any, list[tuple[Any, ...]]] = {}
    for signal in signals:
        plan_fn = getattr(signal, plan, None)
        found = plan_fn() if plan_fn is not None else None
        if found is not None:
            backend, *rest = found
            groups.setdefault(backend, []).append((signal, *rest))
    return groups
