"""Flyers of classic ``ophyd.sim``: trivial ones that follow the flyer protocol, and a step-scanning MockFlyer.

MockFlyer's scan advances from status callbacks (a move's end triggers the detector, a trigger's end records
the point and starts the next move), so a flight needs no thread of its own.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._dispatch import get_dispatcher
from ..status import DeviceStatus, StatusBase
from .synthetic import NullStatus

__all__ = ["MockFlyer", "NewTrivialFlyer", "TrivialFlyer"]


class TrivialFlyer:
    """A flyer that follows bluesky's flyer protocol and collects 100 empty events."""

    name = "trivial_flyer"
    parent = None

    def kickoff(self) -> StatusBase:
        return NullStatus()

    def complete(self) -> StatusBase:
        return NullStatus()

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        return {"stream_name": {}}

    def read_configuration(self) -> OrderedDict[str, Any]:
        return OrderedDict()

    def describe_configuration(self) -> OrderedDict[str, Any]:
        return OrderedDict()

    def collect(self) -> Iterator[dict[str, Any]]:
        for i in range(100):
            yield {"data": {}, "timestamps": {}, "time": i, "seq_num": i}

    def stop(self, *, success: bool = False) -> None:
        """Nothing runs, so nothing stops."""


class NewTrivialFlyer(TrivialFlyer):
    """A TrivialFlyer that also has ``collect_asset_docs()`` (with no documents)."""

    name = "new_trivial_flyer"

    def collect_asset_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from ()


class MockFlyer:
    """A flyer that steps ``motor`` through ``num`` points from ``start`` to ``stop``, triggering and reading
    ``detector`` at each; collect() gives one event per point (motor and detector readings together).

    kickoff() starts the flight and is done at once; complete() is done when the last point is read.
    """

    def __init__(self, name: str, detector: Any, motor: Any, start: float, stop: float, num: int) -> None:
        self.name = name
        self.parent = None
        self._mot = motor
        self._detector = detector
        self._steps = np.linspace(start, stop, num)
        self._data: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._completion_status: DeviceStatus | None = None
        self._todo: Iterator[float] = iter(())

    def read_configuration(self) -> OrderedDict[str, Any]:
        return OrderedDict()

    def describe_configuration(self) -> OrderedDict[str, Any]:
        return OrderedDict()

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        return {self.name: {**self._mot.describe(), **self._detector.describe()}}

    def kickoff(self) -> StatusBase:
        """Start the flight; a second kickoff before it is complete is an error."""
        if self._completion_status is not None and not self._completion_status.done:
            raise RuntimeError(f"{self.name!r} is already flying; kicked off a second time")
        with self._lock:
            self._data = deque()
        self._completion_status = DeviceStatus(self)
        self._todo = iter(self._steps.tolist())
        get_dispatcher("control").submit(self._next_point, self._completion_status)
        return NullStatus()

    def complete(self) -> StatusBase:
        """The status of the flight: done when every point is read."""
        if self._completion_status is None:
            raise RuntimeError(f"{self.name!r} has no flight in progress: kick it off first")
        return self._completion_status

    def collect(self) -> Iterator[dict[str, Any]]:
        """The events read since the last collect()."""
        with self._lock:
            data, self._data = list(self._data), deque()
        yield from data

    def stop(self, *, success: bool = False) -> None:
        """Nothing to stop between points: a flight ends by itself."""

    def _next_point(self, flight: DeviceStatus) -> None:
        position = next(self._todo, None)
        if position is None:
            flight.set_finished()
            return
        self._mot.set(position).add_callback(lambda moved: self._after(moved, flight, self._trigger))

    def _trigger(self, flight: DeviceStatus) -> None:
        self._detector.trigger().add_callback(lambda done: self._after(done, flight, self._record))

    def _after(self, status: StatusBase, flight: DeviceStatus, then: Any) -> None:
        """Go on with ``then(flight)`` if ``status`` succeeded; fail the flight otherwise."""
        exc = status.exception(0)
        if exc is not None:
            flight.set_exception(exc)
        else:
            then(flight)

    def _record(self, flight: DeviceStatus) -> None:
        event: dict[str, Any] = {"time": time.time(), "data": {}, "timestamps": {}}
        for device in (self._mot, self._detector):
            for key, reading in device.read().items():
                event["data"][key] = reading["value"]
                event["timestamps"][key] = reading["timestamp"]
        with self._lock:
            self._data.append(event)
        # the next point starts from the dispatcher, not from inside this callback: no recursion per point
        get_dispatcher("control").submit(self._next_point, flight)
