"""Trigger mixins for areaDetector detectors: what trigger() does, as classic ophyd's trigger_mixins.

Listed before the detector class among the bases::

    class MyDetector(SingleTrigger, SimDetector):
        hdf1 = Cpt(HDF5PluginWithFileStore, 'HDF1:', write_path_template='/data/%Y/%m/%d/')

stage() stops any acquisition and puts the camera in Multiple image mode; trigger() puts ``cam.acquire`` to 1
and its status finishes when the camera's ``Acquire`` readback returns to 0. trigger() also calls the
detector's ``generate_datum`` with the image's data key, which tells its file plugins that a frame was
taken (they make the Datum documents that events refer to).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import time as ttime
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .._bluesky_interface import BlueskyInterface, Staged
from .._device_hooks import do_not_wait_for_lazy_connection
from ..errors import InvalidState
from ..signal import Signal
from ..status import DeviceStatus

__all__ = [
    "ADTriggerStatus",
    "ContinuousAcquisitionTrigger",
    "MultiTrigger",
    "NDCircularBuffTriggerStatus",
    "SingleTrigger",
    "TriggerBase",
    "TriggerStatus",
]

logger = logging.getLogger("sophyd.areadetector")


class TriggerStatus(DeviceStatus):
    """The status of an areaDetector trigger; it reports progress to watchers (progress bars).

    Progress is ``tracking_signal`` (a counter) since the trigger against ``target`` (a number, or a signal
    read once): each watcher is called with ``name, current, initial, target, unit='images', precision,
    fraction, time_elapsed, time_remaining`` whenever the counter changes, ``fraction`` being the part still
    to do (1 at the start, 0 when the target is reached), as for a move.
    """

    def __init__(self, tracking_signal: Any, target: Any, device: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(device, *args, **kwargs)
        self._watchers: list[Callable[..., Any]] = []
        self.tracking_signal = tracking_signal
        self._tracking_cid: int | None = None
        if not self.done:
            self._name = self.device.name
            self._initial_count = tracking_signal.get()
            self._target_count = target.get() if isinstance(target, Signal) else target
            self._tracking_cid = tracking_signal.subscribe(self._notify_watchers, run=False)
            self.add_callback(self._stop_watching)

    def watch(self, func: Callable[..., Any]) -> None:
        """Call ``func(name=, current=, initial=, target=, unit=, precision=, fraction=, time_elapsed=,
        time_remaining=)`` on every change of the tracked counter until the trigger is done."""
        self._watchers.append(func)

    def _stop_watching(self, status: Any = None) -> None:
        cid, self._tracking_cid = self._tracking_cid, None
        if cid is not None:
            self.tracking_signal.unsubscribe(cid)

    def _notify_watchers(self, value: Any = None, *args: Any, **kwargs: Any) -> None:
        if self.done:
            self._stop_watching()
        if not self._watchers or value is None:
            return
        # the bar starts at 0 whatever the counter was when the trigger began
        current = value - self._initial_count
        target = self._target_count
        time_elapsed = ttime.time() - self.start_ts
        fraction: float | None
        time_remaining: float | None
        try:
            fraction = 1 - current / target
        except ZeroDivisionError:
            fraction, time_remaining = 0, 0
        except Exception:
            fraction, time_remaining = None, None
        else:
            # at the rate so far (classic divided the elapsed time by the part still to do)
            done_part = 1 - fraction
            time_remaining = max(0.0, time_elapsed * fraction / done_part) if done_part > 0 else None
        for watcher in list(self._watchers):
            watcher(
                name=self._name,
                current=current,
                initial=0,
                target=target,
                unit="images",
                precision=0,
                fraction=fraction,
                time_elapsed=time_elapsed,
                time_remaining=time_remaining,
            )


class ADTriggerStatus(TriggerStatus):
    """The status of an areaDetector trigger, with progress from the camera's image counter.

    The counter is the device's ``_counter_signal`` (the camera's ``array_counter``), the target the camera's
    ``num_images``. RuntimeError if the device has no ``cam``.
    """

    def __init__(self, device: Any, *args: Any, **kwargs: Any) -> None:
        if not hasattr(device, "cam"):
            raise RuntimeError("ADTriggerStatus must be initialized with a device that has a camera")
        counter = getattr(device, "_counter_signal", None) or device.cam.array_counter
        super().__init__(counter, device.cam.num_images, device, *args, **kwargs)


class NDCircularBuffTriggerStatus(TriggerStatus):
    """The status of a trigger of an NDPluginCircularBuff (the device's ``cb``), with progress from the frames
    it has saved since the trigger (``post_trigger_qty``) against the number it saves (``post_count``).
    RuntimeError if the device has no ``cb``."""

    def __init__(self, device: Any, *args: Any, **kwargs: Any) -> None:
        if not hasattr(device, "cb"):
            raise RuntimeError(
                "NDCircularBuffTriggerStatus must be initialized with a device that has a CircularBuffPlugin"
            )
        super().__init__(device.cb.post_trigger_qty, device.cb.post_count, device, *args, **kwargs)


def _back_to_zero(value: Any, old_value: Any, timestamp: float | None, since: float | None) -> bool:
    """Whether a readback update ends what a put of 1 started: a falling edge 1 -> 0, or a 0 posted after
    ``since`` (the readback's timestamp before the put), when its 1 and 0 reached us as one update (sophyd's
    dispatcher delivers a subscriber the latest value)."""
    if value != 0:
        return False
    if old_value == 1:
        return True
    return since is not None and timestamp is not None and timestamp > since


def _put_one_noting_since(signal: Any) -> float | None:
    """Put 1 to ``signal`` without waiting; return its readback's timestamp from just before (a fresh read:
    the readback's postings up to then belong to earlier puts)."""
    signal.get(use_monitor=False)
    since = signal.timestamp
    signal.put(1, wait=False)
    return since


class TriggerBase(BlueskyInterface):
    """The base of the trigger mixins: stage() stops the camera and sets it to Multiple image mode.

    ``_acquisition_signal`` is the camera's ``acquire`` and ``_counter_signal`` its ``array_counter`` (what
    ADTriggerStatus reports progress from); subclasses define
    ``_acquire_changed(value=None, old_value=None, **kwargs)``, called on each change of it while staged.
    A device without a ``cam`` (a quadEM) gets neither stage_sigs nor an acquisition signal.
    """

    cam: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hasattr(type(self), "cam"):
            self.stage_sigs.update([("cam.acquire", 0), ("cam.image_mode", 1)])  # stop; 'Multiple' mode
            # made now, connecting in the background: construction does not wait for the network
            with do_not_wait_for_lazy_connection(self), do_not_wait_for_lazy_connection(self.cam):
                self._acquisition_signal = self.cam.acquire
                self._counter_signal = self.cam.array_counter
        self._status: DeviceStatus | None = None
        self._acquire_cid: int | None = None
        #: IOC timestamp of the acquire readback when the running acquisition was started.
        self._acquire_since: float | None = None

    def stage(self) -> list[Any]:
        """Watch the acquire readback, then stage as the detector does."""
        self._watch_acquisition()
        try:
            staged = super().stage()
        except BaseException:
            self._stop_watching_acquisition()
            raise
        return staged or [self]

    def unstage(self) -> list[Any]:
        """Unstage as the detector does, then stop watching the acquire readback.

        Restoring ``cam.acquire`` to 0 stops an acquisition still running: its trigger status finishes, as
        in classic ophyd, on the readback's return to 0 (checked once more after unstaging, in case that
        update was still on its way when the watch ended).
        """
        try:
            return super().unstage()
        finally:
            self._stop_watching_acquisition()
            status, self._status = self._status, None
            if status is not None and not status.done:
                self._finish_if_stopped(status)

    def _finish_if_stopped(self, status: DeviceStatus) -> None:
        try:
            stopped = self._acquisition_signal.get(use_monitor=False) == 0
        except Exception:
            logger.warning("%s: cannot tell whether the acquisition of a pending trigger ended", self.name)
            return
        if stopped:
            with contextlib.suppress(InvalidState):  # it finished meanwhile
                status.set_finished()

    def _watch_acquisition(self) -> None:
        if self._acquire_cid is None:
            self._acquire_cid = self._acquisition_signal.subscribe(self._acquire_changed, run=False)

    def _stop_watching_acquisition(self) -> None:
        cid, self._acquire_cid = self._acquire_cid, None
        if cid is not None:
            self._acquisition_signal.unsubscribe(cid)

    def _require_staged(self) -> None:
        if self._staged != Staged.yes:
            raise RuntimeError(
                f"{self.name}: this detector is not ready to trigger. Call the stage() method before triggering."
            )

    def _start_acquisition(self) -> None:
        """Put 1 to ``_acquisition_signal`` without waiting, noting the readback's timestamp first."""
        self._acquire_since = _put_one_noting_since(self._acquisition_signal)

    def _acquisition_ended(self, value: Any, old_value: Any, timestamp: float | None) -> bool:
        """Whether this readback update ends the running acquisition (see ``_back_to_zero``)."""
        return _back_to_zero(value, old_value, timestamp, self._acquire_since)

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None = None) -> Any:
        """Tell the detector that a frame labelled ``key`` was taken: its ``generate_datum`` (an areaDetector
        detector's calls it on every file plugin) when it has one; nothing otherwise."""
        parent_generate = getattr(super(), "generate_datum", None)
        return None if parent_generate is None else parent_generate(key, timestamp, datum_kwargs)

    def _acquire_changed(self, value: Any = None, old_value: Any = None, **kwargs: Any) -> None:
        """Called on each change of the acquire readback while staged."""


class SingleTrigger(TriggerBase):
    """One acquisition per trigger(): its status finishes when the camera's acquire readback returns to 0.

    The frame's data key is ``image_name`` (default ``'<name>_image'``); trigger() calls
    ``generate_datum(image_name, time, {})`` so that file plugins record the frame.
    """

    _status_type: type[DeviceStatus] = ADTriggerStatus

    def __init__(self, *args: Any, image_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if image_name is None:
            image_name = f"{self.name}_image"
        self._image_name = image_name

    def trigger(self) -> DeviceStatus:
        """Trigger one acquisition; RuntimeError if the detector is not staged."""
        self._require_staged()
        status = self._status_type(self)
        self._status = status
        self._start_acquisition()
        self.generate_datum(self._image_name, ttime.time(), {})
        return status

    def _acquire_changed(self, value: Any = None, old_value: Any = None, **kwargs: Any) -> None:
        """Finish the trigger's status when the acquisition ends."""
        status = self._status
        if status is None or not self._acquisition_ended(value, old_value, kwargs.get("timestamp")):
            return
        self._status = None
        status.set_finished()


class MultiTrigger(TriggerBase):
    """Several acquisitions per trigger(), each with its own settings, cycling through ``trigger_cycle``.

    ``trigger_cycle`` is a list; each trigger() takes its next element (cycling), a list of ``(key, {signal:
    value})`` acquisitions: the signals are set, ``generate_datum(key, ...)`` is called and one acquisition is
    taken, in turn; the status finishes when the last one ends. Example: ``[[('dark', {shutter: 'close'}),
    ('light', {shutter: 'open'})], [('light', {shutter: 'open'})]]`` takes a dark and a light frame on odd
    triggers and a light frame on even ones.
    """

    _SUB_ACQ_DONE = "acq_done"

    def __init__(
        self,
        *args: Any,
        trigger_cycle: Iterable[Iterable[tuple[str, Mapping[Any, Any]]]] | None = None,
        **kwargs: Any,
    ) -> None:
        if trigger_cycle is None:
            raise ValueError("must provide trigger_cycle -- see the MultiTrigger docstring")
        self.trigger_cycle = trigger_cycle
        super().__init__(*args, **kwargs)
        self._acq_iter: Iterator[tuple[str, Mapping[Any, Any]]] = iter(())

    @property
    def trigger_cycle(self) -> Any:
        """An endless iterator over the lists of acquisitions given."""
        return self._trigger_cycle

    @trigger_cycle.setter
    def trigger_cycle(self, value: Iterable[Iterable[tuple[str, Mapping[Any, Any]]]]) -> None:
        self._trigger_cycle = itertools.cycle(value)

    def trigger(self) -> DeviceStatus:
        """Take the next list of acquisitions of the cycle; RuntimeError if the detector is not staged."""
        self._require_staged()
        self._acq_iter = iter(next(self.trigger_cycle))
        self._status = DeviceStatus(self)
        status = self._status
        self._acquire()
        return status

    def _acquire(self, **kwargs: Any) -> None:
        """Start the next acquisition of this trigger, or finish the status when there is none left."""
        status = self._status
        if status is None:
            return
        try:
            key, settings = next(self._acq_iter)
        except StopIteration:
            logger.debug("%s: trigger cycle complete", self.name)
            self._status = None
            status.set_finished()
            return
        try:
            logger.debug("%s: configuring signals for the acquisition labelled %r", self.name, key)
            for signal, value in settings.items():
                signal.set(value).wait(self.stage_timeout)
            self.generate_datum(key, ttime.time(), {})
            self._start_acquisition()
        except Exception as exc:
            self._status = None
            status.set_exception(exc)

    def _acquire_changed(self, value: Any = None, old_value: Any = None, **kwargs: Any) -> None:
        """Start the next acquisition of the trigger when one ends."""
        if self._status is None or not self._acquisition_ended(value, old_value, kwargs.get("timestamp")):
            return
        self._acquire_since = None  # the next acquisition sets its own
        self._acquire()


class ContinuousAcquisitionTrigger(BlueskyInterface):
    """Frames from a circular buffer (NDPluginCircularBuff, the detector's ``cb``) the camera fills continuously.

    stage() starts the camera in Continuous image mode and the buffer capturing; trigger() triggers the
    buffer, which saves its ``post_count`` next frames; the status finishes when the buffer's trigger returns
    to 0. The other plugins are meant to take their frames from the buffer, not from the camera. The frame's
    data key is ``image_name`` (default ``'<name>_image'``). RuntimeError if the detector has no ``cam`` or
    no ``cb``.
    """

    _status_type: type[DeviceStatus] = NDCircularBuffTriggerStatus
    cam: Any
    cb: Any

    def __init__(self, *args: Any, image_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if image_name is None:
            image_name = f"{self.name}_image"
        self._image_name = image_name
        if not hasattr(self, "cam"):
            raise RuntimeError("Detector must have a camera configured.")
        if not hasattr(self, "cb"):
            raise RuntimeError("Detector must have a CircularBuffPlugin configured.")
        # in this order: the camera acquires before the buffer captures
        self.stage_sigs.update(
            [
                ("cam.image_mode", self.cam.ImageMode.CONTINUOUS),
                ("cam.acquire", 1),
                ("cb.flush_on_soft_trigger", 0),  # flush the buffer on a new image
                ("cb.preset_trigger_count", 0),  # keep the buffer capturing forever
                ("cb.pre_count", 0),  # no frames from before the trigger
                ("cb.capture", 1),
            ]
        )
        with do_not_wait_for_lazy_connection(self), do_not_wait_for_lazy_connection(self.cb):
            self._trigger_signal = self.cb.trigger_
        self._status: DeviceStatus | None = None
        self._trigger_cid: int | None = None
        #: IOC timestamp of the buffer's trigger readback when the running trigger was put.
        self._trigger_since: float | None = None

    def stage(self) -> list[Any]:
        """Watch the buffer's trigger, then stage as the detector does."""
        if self._trigger_cid is None:
            self._trigger_cid = self._trigger_signal.subscribe(self._trigger_changed, run=False)
        try:
            staged = super().stage()
        except BaseException:
            self._stop_watching_trigger()
            raise
        return staged or [self]

    def unstage(self) -> list[Any]:
        """Unstage as the detector does, then stop watching the buffer's trigger."""
        try:
            return super().unstage()
        finally:
            self._stop_watching_trigger()

    def _stop_watching_trigger(self) -> None:
        cid, self._trigger_cid = self._trigger_cid, None
        if cid is not None:
            self._trigger_signal.unsubscribe(cid)

    def trigger(self) -> DeviceStatus:
        """Trigger the buffer; RuntimeError if the detector is not staged."""
        if self._staged != Staged.yes:
            raise RuntimeError(
                f"{self.name}: this detector is not ready to trigger. Call the stage() method before triggering."
            )
        self._status = status = self._status_type(self)
        self._trigger_since = _put_one_noting_since(self._trigger_signal)
        self.generate_datum(self._image_name, ttime.time(), {})
        return status

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None = None) -> Any:
        """Tell the detector that a frame labelled ``key`` was taken: its ``generate_datum`` (an areaDetector
        detector's calls it on every file plugin) when it has one; nothing otherwise."""
        parent_generate = getattr(super(), "generate_datum", None)
        return None if parent_generate is None else parent_generate(key, timestamp, datum_kwargs)

    def _trigger_changed(self, value: Any = None, old_value: Any = None, **kwargs: Any) -> None:
        status = self._status
        if status is None or not _back_to_zero(
            value, old_value, kwargs.get("timestamp"), self._trigger_since
        ):
            return
        self._status = None
        status.set_finished()
