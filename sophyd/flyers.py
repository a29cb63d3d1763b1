"""Flyers in classic ophyd's shape: the FlyerInterface to implement; MonitorFlyerMixin, which records the
values its signals take between kickoff() and complete() and hands them to bluesky as events; and classic's two
EPICS collectors, which read a buffer the IOC filled (an areaDetector time series, NSLS-II timestamp records).

MonitorFlyerMixin's monitors are ordinary subscriptions, so the values arrive in the order the signals
reported them, each with the timestamp the signal gave it.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from ._bluesky_interface import BlueskyInterface
from ._component import Component
from ._epics_signal import EpicsSignal, EpicsSignalRO
from ._signal import Signal
from .device import Device
from .status import DeviceStatus, StatusBase

__all__ = ["AreaDetectorTimeseriesCollector", "FlyerInterface", "MonitorFlyerMixin", "WaveformCollector"]

logger = logging.getLogger(__name__)


def _done_status(device: Any) -> DeviceStatus:
    """A status of ``device`` that is already finished successfully."""
    status = DeviceStatus(device)
    status.set_finished()
    return status


class FlyerInterface(BlueskyInterface):
    """The methods bluesky's fly plans call; a flyer class implements them all.

    A base for classes that declare themselves flyers, as in classic ophyd. Each method raises
    NotImplementedError here, so a flyer that forgets one fails by name instead of returning nothing.
    """

    def _not_implemented(self, method: str) -> NotImplementedError:
        return NotImplementedError(f"{type(self).__name__} ({self.name!r}) does not implement {method}()")

    def kickoff(self) -> StatusBase:
        """Start flying; the status returned is done once flying has started."""
        raise self._not_implemented("kickoff")

    def complete(self) -> StatusBase:
        """Ask the flyer to finish (or whether it has); the status returned is done when flying is over.

        A fixed trajectory ends by itself; a passive collector stops collecting when asked.
        """
        raise self._not_implemented("complete")

    def collect(self) -> Iterator[dict[str, Any]]:
        """Yield the collected data as events: dicts with the keys ``time``, ``timestamps`` and ``data``.

        The events may belong to several streams; describe_collect() says which data keys form each.
        """
        raise self._not_implemented("collect")

    def collect_tables(self) -> Iterable[Any]:
        """Yield the collected data as tables (``time``, ``data``, ``timestamps``); a proposal of classic's."""
        raise self._not_implemented("collect_tables")

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        """The data keys of collect()'s events, as describe() gives them, nested by stream name."""
        raise self._not_implemented("describe_collect")


class MonitorFlyerMixin(BlueskyInterface):
    """A flyer that records every value its ``monitor_attrs`` signals take from kickoff() to complete().

    Mix it in before Device: ``class MyFlyer(MonitorFlyerMixin, Device)``. ``monitor_attrs`` names the
    signals (attribute names) to monitor; ``stream_names`` maps an attribute to its stream (default: the
    signal's name). With ``pivot=True`` collect() yields one event per recorded value; otherwise one event
    per signal whose data is the list of values (and timestamps), stamped with the kickoff time.
    kickoff() and complete() return statuses that are already done: the data is ready as soon as
    complete() returns.
    """

    def __init__(
        self,
        *args: Any,
        monitor_attrs: list[str] | None = None,
        stream_names: dict[str, str] | None = None,
        pivot: bool = False,
        **kwargs: Any,
    ) -> None:
        self.monitor_attrs: list[str] = list(monitor_attrs) if monitor_attrs is not None else []
        self.stream_names: dict[str, str] = dict(stream_names) if stream_names is not None else {}
        self._pivot = pivot
        self._acquiring = False
        self._paused = False
        self._start_time = 0.0
        self._collected_data: OrderedDict[str, dict[str, list[Any]]] | None = None
        self._monitors: dict[Any, Any] = {}
        self._collect_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def kickoff(self) -> StatusBase:
        """Start recording every ``monitor_attrs`` signal (each one's current value first).

        Returns a status that is already done. Raises ValueError if an attribute names a Device.
        """
        with self._collect_lock:
            self._collected_data = OrderedDict()
            self._start_time = time.time()
            self._acquiring = True
            self._paused = False
        self._add_monitors()
        return _done_status(self)

    def _add_monitors(self) -> None:
        for attr in self.monitor_attrs:
            obj = getattr(self, attr)
            if isinstance(obj, Device):
                raise ValueError(
                    f"{self.name!r} cannot monitor {attr!r}: it is a Device ({obj.name!r}); monitor its signals"
                )
            callback = functools.partial(self._monitor_callback, attribute=attr)
            self._monitors[obj] = callback
            obj.subscribe(callback)

    def _monitor_callback(
        self,
        attribute: str,
        obj: Any = None,
        value: Any = None,
        timestamp: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Record one value of a monitored signal (while acquiring and not paused)."""
        if value is None or timestamp is None:
            reading = obj.read()[obj.name]
            value, timestamp = reading["value"], reading["timestamp"]
        with self._collect_lock:
            if not self._acquiring or self._paused or self._collected_data is None:
                return
            collected = self._collected_data.setdefault(attribute, {"values": [], "timestamps": []})
            collected["values"].append(value)
            collected["timestamps"].append(timestamp)

    def _clear_monitors(self) -> None:
        for obj, callback in self._monitors.items():
            try:
                obj.clear_sub(callback)
            except Exception:
                logger.debug("Failed to clear the monitor of %s", obj.name, exc_info=True)
        self._monitors.clear()

    def _get_stream_name(self, attr: str) -> str:
        return self.stream_names.get(attr, getattr(self, attr).name)

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        """Each monitored signal's describe(), keyed by its stream name.

        Without pivot each data key's ``dtype`` is ``"array"``: its event holds the list of values.
        """
        streams: dict[str, dict[str, Any]] = {}
        for attr in self.monitor_attrs:
            obj = getattr(self, attr)
            desc = OrderedDict(obj.describe())
            if not self._pivot:
                desc[obj.name] = {**desc[obj.name], "dtype": "array"}
            streams[self._get_stream_name(attr)] = desc
        return streams

    def pause(self) -> None:
        """Stop recording until resume() (values meanwhile are not kept); nothing happens if not acquiring."""
        if not self._acquiring:
            return
        self._paused = True
        self._clear_monitors()
        super().pause()

    def resume(self) -> None:
        """Record again after pause(), starting with each signal's current value."""
        if not self._acquiring:
            return
        self._paused = False
        self._add_monitors()
        super().resume()

    def complete(self) -> StatusBase:
        """Stop recording; the status returned is already done. RuntimeError if not kicked off."""
        if not self._acquiring:
            raise RuntimeError(f"{self.name!r} is not acquiring: kick it off first")
        with self._collect_lock:
            self._acquiring = False
            self._paused = False
        self._clear_monitors()
        return _done_status(self)

    def collect(self) -> Iterator[dict[str, Any]]:
        """Yield the recorded values as events, once: a second collect() needs a new kickoff().

        RuntimeError if still acquiring (call complete() first) or if nothing was kicked off.
        """
        if self._acquiring:
            raise RuntimeError(f"{self.name!r}: acquisition still in progress. Call complete() first.")
        with self._collect_lock:
            collected, self._collected_data = self._collected_data, None
        if collected is None:
            raise RuntimeError(f"{self.name!r} has nothing to collect: kickoff() and complete() first")
        for attr, data in collected.items():
            name = getattr(self, attr).name
            if self._pivot:
                for timestamp, value in zip(data["timestamps"], data["values"], strict=True):
                    yield {"time": timestamp, "timestamps": {name: timestamp}, "data": {name: value}}
            else:
                yield {
                    "time": self._start_time,
                    "timestamps": {name: data["timestamps"]},
                    "data": {name: data["values"]},
                }


def _point_key(waveform: Any, dtype: str) -> dict[str, Any]:
    """The data key of one point of ``waveform``: its description as a scalar of ``dtype``."""
    key = dict(waveform.describe()[waveform.name])
    key.update(dtype=dtype, shape=[])
    key.pop("dtype_numpy", None)
    return key


class AreaDetectorTimeseriesCollector(Device):
    """A flyer over an areaDetector NDStats plugin's time series (``TSControl``, ``TSTotal``, ...).

    kickoff() erases the buffer and starts it, complete() stops it, and collect() yields one event per point
    recorded: the point's value (from ``TSTotal``) under the device's name, stamped with its time (from
    ``TSTimestamp``). The events form the stream ``stream_name`` (default: the device's name). Give the
    plugin's prefix, e.g. ``AreaDetectorTimeseriesCollector("XF:1:Stats1:", name="ts")``.
    """

    control = Component(EpicsSignal, "TSControl")
    num_points = Component(EpicsSignal, "TSNumPoints")
    cur_point = Component(EpicsSignalRO, "TSCurrentPoint")
    waveform = Component(EpicsSignalRO, "TSTotal")
    waveform_ts = Component(EpicsSignalRO, "TSTimestamp")

    # as classic declares them: a subclass's new components are not read either unless it says so
    _default_configuration_attrs = ("num_points",)
    _default_read_attrs = ()

    def __init__(self, *args: Any, stream_name: str | None = None, **kwargs: Any) -> None:
        self.stream_name = stream_name
        super().__init__(*args, **kwargs)

    def _get_waveforms(self) -> tuple[Any, Any]:
        """The values and times of the points recorded so far."""
        n = int(self.cur_point.get())
        if not n:
            return [], []
        return self.waveform.get()[:n], self.waveform_ts.get()[:n]

    def kickoff(self) -> StatusBase:
        """Erase the buffer and start collecting; the status returned is already done."""
        self.control.put("Erase/Start", wait=True)
        return _done_status(self)

    def pause(self) -> None:
        """Stop collecting, keeping the buffer."""
        self.control.put("Stop", wait=True)
        super().pause()

    def resume(self) -> None:
        """Collect again, adding to the buffer."""
        self.control.put("Start", wait=True)
        super().resume()

    def complete(self) -> StatusBase:
        """Stop collecting; the data can be collected at once. RuntimeError if it was not collecting."""
        if self.control.get(as_string=True) == "Stop":
            raise RuntimeError(f"{self.name!r} is not acquiring: kick it off first")
        self.pause()
        return _done_status(self)

    def collect(self) -> Iterator[dict[str, Any]]:
        """One event per recorded point; RuntimeError while still collecting (call complete() first)."""
        if self.control.get(as_string=True) != "Stop":
            raise RuntimeError(f"{self.name!r}: acquisition still in progress. Call complete() first.")
        values, times = self._get_waveforms()
        for value, timestamp in zip(values, times, strict=True):
            yield {"data": {self.name: value}, "timestamps": {self.name: timestamp}, "time": timestamp}

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        """The data key of collect()'s events (one point of ``TSTotal``), under the stream name."""
        return {self.stream_name or self.name: {self.name: _point_key(self.waveform, "number")}}


class WaveformCollector(Device):
    """A flyer over the NSLS-II timestamp records (``Sw-Sel``, ``Val:Time-Wfrm``, ...), a buffer of the times
    of trigger pulses.

    kickoff() clears the buffer and starts buffering, complete() stops it, and collect() yields one event per
    stamp, stamped with it. With ``data_is_time`` (the default) an event's data is the stamp itself, otherwise
    its index in the buffer. The events form the stream ``stream_name`` (default: the device's name).
    """

    _default_configuration_attrs = ()
    _default_read_attrs = ()

    select = Component(EpicsSignal, "Sw-Sel")
    reset = Component(EpicsSignal, "Rst-Sel")
    waveform_count = Component(EpicsSignalRO, "Val:TimeN-I")
    waveform = Component(EpicsSignalRO, "Val:Time-Wfrm")
    waveform_nord = Component(EpicsSignalRO, "Val:Time-Wfrm.NORD")
    data_is_time = Component(Signal)

    def __init__(
        self, *args: Any, data_is_time: bool = True, stream_name: str | None = None, **kwargs: Any
    ) -> None:
        self.stream_name = stream_name
        super().__init__(*args, **kwargs)
        self.data_is_time.put(data_is_time)

    def _get_waveform(self) -> Any:
        """The stamps buffered so far (the waveform's first NORD elements)."""
        if not self.waveform_count.get():
            return []
        return self.waveform.get()[: int(self.waveform_nord.get())]

    def pause(self) -> None:
        """Stop buffering, keeping the stamps."""
        self.select.put(0, wait=True)

    def resume(self) -> None:
        """Buffer again, adding to the stamps."""
        self.select.put(1, wait=True)

    def complete(self) -> StatusBase:
        """Stop buffering; the status returned is already done."""
        self.pause()
        return _done_status(self)

    def kickoff(self) -> StatusBase:
        """Clear the buffer (reset mode, then a reset) and start buffering; the status is already done."""
        self.select.put(2, wait=True)
        self.reset.put(1, wait=True)
        self.select.put(1, wait=True)
        return _done_status(self)

    def collect(self) -> Iterator[dict[str, Any]]:
        """One event per stamp: its data is the stamp (``data_is_time``) or its index."""
        data_is_time = self.data_is_time.get()
        for index, stamp in enumerate(self._get_waveform()):
            value = stamp if data_is_time else index
            yield {"data": {self.name: value}, "timestamps": {self.name: stamp}, "time": stamp}

    def describe_collect(self) -> dict[str, dict[str, Any]]:
        """The data key of collect()'s events (a stamp, or an index), under the stream name."""
        dtype = "number" if self.data_is_time.get() else "integer"
        return {self.stream_name or self.name: {self.name: _point_key(self.waveform, dtype)}}

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("data_is_time", self.data_is_time.get())
