"""Helpers the test modules share: callbacks that record what they are given and can be waited on."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

TIMEOUT = 5.0


class Events:
    """A subscription callback that records events and wakes a waiter when one matches."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, **kwargs: Any) -> None:
        with self._cond:
            self.events.append(kwargs)
            self._cond.notify_all()

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """The latest matching event; fails the test if none arrives within ``timeout`` seconds."""
        with self._cond:
            found: list[dict[str, Any]] = []

            def match() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            assert self._cond.wait_for(match, timeout), f"no matching event in {self.events[-5:]}"
            return found[-1]

    def clear(self) -> None:
        with self._cond:
            self.events.clear()


class PutWaiter:
    """A put-completion callback (``callback(error)``) that can be waited on."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.error: BaseException | None = None

    def __call__(self, error: BaseException | None) -> None:
        self.error = error
        self.event.set()

    def wait(self, timeout: float = TIMEOUT) -> BaseException | None:
        assert self.event.wait(timeout), "no put completion callback"
        return self.error
