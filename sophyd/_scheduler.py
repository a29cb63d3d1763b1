"""One shared timer thread for status timeouts and settle times, instead of a thread per status."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["TimerHandle", "call_later"]

logger = logging.getLogger("sophyd.scheduler")


class TimerHandle:
    """A scheduled call; ``cancel()`` stops it from running if it has not run yet."""

    __slots__ = ("args", "cancelled", "fn", "when")

    def __init__(self, when: float, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when = when
        self.fn = fn
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _Scheduler:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, TimerHandle]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> TimerHandle:
        handle = TimerHandle(time.monotonic() + max(0.0, delay), fn, args)
        with self._cond:
            heapq.heappush(self._heap, (handle.when, next(self._seq), handle))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sophyd-scheduler", daemon=True)
                self._thread.start()
            self._cond.notify()
        return handle

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._heap and self._heap[0][2].cancelled:
                        heapq.heappop(self._heap)
                    if self._heap:
                        wait = self._heap[0][0] - time.monotonic()
                        if wait <= 0:
                            handle = heapq.heappop(self._heap)[2]
                            break
                        self._cond.wait(wait)
                    else:
                        self._cond.wait()
            if handle.cancelled:
                continue
            try:
                handle.fn(*handle.args)
            except Exception:
                logger.exception("Scheduled call %r raised", handle.fn)


_scheduler = _Scheduler()


def call_later(delay: float, fn: Callable[..., Any], *args: Any) -> TimerHandle:
    """Run ``fn(*args)`` on the shared timer thread after ``delay`` seconds."""
    return _scheduler.call_later(delay, fn, *args)
