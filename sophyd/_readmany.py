"""Read many signals at once: Device.read() fetches all unmonitored EPICS values concurrently first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["prefetch"]


@contextlib.contextmanager
def prefetch(signals: Sequence[Any], *, metadata: bool = False) -> Iterator[None]:
    """Within the block, signals that support it answer get() from one concurrent fetch.

    A signal takes part when it has ``_prefetch_plan()`` returning ``(backend, channel, as_string)`` (or
    None when it already has a fresh monitored value); the fetch is one ``backend.get_many`` per backend.
    With ``metadata`` (for describe()), the control metadata not yet read is loaded first, also concurrently.
    """
    if metadata:
        _load_metadata(signals)
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


def _load_metadata(signals: Sequence[Any]) -> None:
    """One ``backend.load_info_many`` per backend for the signals whose control metadata is not read yet."""
    groups: dict[Any, list[tuple[Any, Any]]] = {}
    for signal in signals:
        plan_fn = getattr(signal, "_metadata_plan", None)
        plan = plan_fn() if plan_fn is not None else None
        if plan is not None:
            backend, channel = plan
            groups.setdefault(backend, []).append((signal, channel))
    for backend, members in groups.items():
        backend.load_info_many(
            [channel for _, channel in members], timeout=max(signal.timeout for signal, _ in members)
        )
