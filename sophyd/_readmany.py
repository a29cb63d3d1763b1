"""Read many signals at once: Device.read() fetches all unmonitored EPICS values concurrently first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["prefetch"]


@contextlib.contextmanager
def prefetch(signals: Sequence[Any]) -> Iterator[None]:
    """Within the block, signals that support it answer get() from one concurrent fetch.

    A signal takes part when it has ``_prefetch_plan()`` returning ``(backend, channel, as_string)`` (or
    None when it already has a fresh monitored value); the fetch is one ``backend.get_many`` per backend.
    """
    groups: dict[Any, list[tuple[Any, Any, bool]]] = {}
    for signal in signals:
        if getattr(signal, "_prefetched", None) is not None:
            continue  # an enclosing prefetch (the parent device's read) already fetched it
        plan_fn = getattr(signal, "_prefetch_plan", None)
        plan = plan_fn() if plan_fn is not None else None
        if plan is not None:
            backend, channel, as_string = plan
            groups.setdefault(backend, []).append((signal, channel, as_string))
    done: list[Any] = []
    try:
        for backend, members in groups.items():
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
