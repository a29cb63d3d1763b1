"""The bookkeeping behind an ``Acquire`` PV whose put completes when the acquisition is over.

One acquisition runs at a time: a put that starts one while another runs joins it (its put completes when the
running one ends), and a put that stops it aborts the running acquisition and completes once it has ended.
The point detectors of ``trigger_with_pc`` and ``pattern`` and the camera of ``_adcam`` share this behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Acquisition", "wait_stop"]


class Acquisition:
    """Runs one acquisition at a time for an ``Acquire`` putter; later starts join it, a stop aborts it.

    ``event`` makes the two events of an acquisition (``stop``: set to abort it; ``done``: set when it has
    ended): ``asyncio.Event`` by default, or the server's ``async_lib.Event`` for a group that runs under any
    async library (only ``set()`` and ``await wait()`` are used here).
    """

    def __init__(self, event: Callable[[], Any] = asyncio.Event) -> None:
        self._event = event
        self._stop: Any = None  # set to abort the running acquisition
        self._done: Any = None  # set when the running acquisition ends

    async def run(self, acquire: Callable[[Any], Awaitable[None]]) -> None:
        """Run ``acquire(stop)`` as the acquisition; if one is running already, wait for its end instead.

        Whatever ``acquire`` does on its way out (e.g. putting ``Acquire`` back to idle in a ``finally``) is
        done before the acquisition counts as ended, so joined puts complete after it.
        """
        if self._done is not None:
            await self._done.wait()
            return
        stop, done = self._event(), self._event()
        self._stop, self._done = stop, done
        try:
            await acquire(stop)
        finally:
            self._stop = self._done = None
            done.set()

    async def put(
        self, value: str, states: tuple[str, str], acquire: Callable[[Any], Awaitable[None]], idle: Any
    ) -> None:
        """What an ``Acquire`` putter does with ``value``: ``states[1]`` runs (or joins) ``acquire``, anything
        else aborts the running acquisition; with none running it awaits ``idle()`` (writing ``states[0]``).

        The putter raises ``SkipWrite`` afterwards: ``acquire`` and ``idle`` write the PV themselves.
        """
        if value == states[1]:
            await self.run(acquire)
        elif not await self.abort():
            await idle()

    async def abort(self) -> bool:
        """Abort the running acquisition and wait for its end; False (at once) if none is running."""
        stop, done = self._stop, self._done
        if stop is None or done is None:
            return False
        stop.set()
        await done.wait()
        return True


async def wait_stop(stop: asyncio.Event, timeout: float) -> bool:
    """Wait ``timeout`` s unless ``stop`` is set first; True if stopped."""
    if timeout <= 0:
        return stop.is_set()
    try:
        await asyncio.wait_for(stop.wait(), timeout)
    except asyncio.TimeoutError:
        return False
    return True
