"""Statuses bound to a device: DeviceStatus, MoveStatus and the subscription-driven statuses.

Import them from ``sophyd.status`` (or ``sophyd``); this module only keeps status.py small.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ._dispatch import get_dispatcher
from ._scheduler import TimerHandle, call_later
from .errors import SetSupersededError
from .status import Status, StatusBase

__all__ = ["DeviceStatus", "MoveStatus", "StableSubscriptionStatus", "SubscriptionStatus"]


class DeviceStatus(Status):
    """Status of an operation on a device (e.g. a trigger).

    When it fails, it calls ``device.stop()`` (if the device has ``stop``) so that hardware does not carry on
    with an operation nobody waits for; ``call_stop_on_failure=False`` turns that off. A status failed
    because a newer operation superseded it does not stop the device: the device is busy with the newer one.
    """

    def __init__(self, device: Any, *, call_stop_on_failure: bool = True, **kwargs: Any) -> None:
        self.device = device
        self.call_stop_on_failure = call_stop_on_failure
        self._progress_watchers: list[Callable[..., Any]] = []
        super().__init__(device, **kwargs)

    def watch(self, func: Callable[..., Any]) -> None:
        """Progress for progress bars: ``func(name=...)`` now, ``func(name=..., fraction=0.0)`` when done."""
        if self.device is not None:
            self._progress_watchers.append(func)
            func(name=self.device.name)

    def _settled(self) -> None:
        for func in self._progress_watchers:
            func(name=self.device.name, fraction=0.0)

    def _handle_failure(self) -> None:
        if isinstance(self._exception, SetSupersededError) or not self.call_stop_on_failure:
            return
        stop = getattr(self.device, "stop", None)
        if callable(stop):
            self.log.debug("%r failed: stopping %r", self, self.device)
            stop()

    def __repr__(self) -> str:
        name = getattr(self.device, "name", None) if self.device is not None else "None"
        return f"{type(self).__name__}(device={name}, done={self.done}, success={self.success})"


class MoveStatus(DeviceStatus):
    """Status of a positioner's move; ``watch()`` reports progress for progress bars.

    ``start_value`` (or ``positioner.position`` when not given) is where the move began; ``error``,
    ``start_pos``, ``finish_pos``, ``start_ts``, ``finish_ts`` and ``elapsed`` describe the move as classic
    ophyd does.
    """

    def __init__(
        self,
        positioner: Any,
        target: Any,
        *,
        start_ts: float | None = None,
        start_value: Any = None,
        **kwargs: Any,
    ) -> None:
        self.pos = positioner
        self.target = target
        self.start_pos = start_value if start_value is not None else _position(positioner)
        self.finish_pos: Any = None
        self._watchers: list[Callable[..., Any]] = []
        self._watch_cid: int | None = None
        super().__init__(positioner, **kwargs)
        if start_ts is not None:
            self.start_ts = start_ts
        self.add_callback(self._stop_watching)

    @property
    def error(self) -> Any:
        """Final (or, while moving, current) position minus the target; None when they cannot be subtracted."""
        position = self.finish_pos if self.finish_pos is not None else _position(self.pos)
        try:
            return np.array(position) - np.array(self.target)
        except Exception:
            return None

    def watch(self, func: Callable[..., Any]) -> None:
        """Call ``func(name=, current=, initial=, target=, unit=, precision=, fraction=, time_elapsed=,
        time_remaining=)`` on every readback update until the move ends."""
        with self._lock:
            if self.done:
                return
            self._watchers.append(func)
            first = self._watch_cid is None
        if first:
            readback = getattr(self.pos, "readback", self.pos)
            self._watch_cid = readback.subscribe(self._notify_watchers, run=True)
            if self.done:  # the move ended while we subscribed: _stop_watching may have run already
                self._stop_watching(self)

    def _notify_watchers(self, value: Any = None, **kwargs: Any) -> None:
        if self.done or value is None:
            return
        if self.start_pos is None:
            self.start_pos = value
        elapsed = time.time() - self.start_ts
        current: Any
        fraction: float | None
        try:
            current, target = float(value), float(self.target)
            initial: Any = float(self.start_pos)
        except (TypeError, ValueError):
            # A position that is not one number (a PseudoPositioner's tuple) is reported as it is, without a
            # fraction, as classic ophyd does; bluesky's progress bar measures tuples itself.
            current, target, initial = value, self.target, self.start_pos
            fraction = remaining = None
        else:
            span = abs(target - initial)
            fraction = 1.0 if span == 0 else min(1.0, abs(target - current) / span)
            done_part = 1.0 - fraction
            remaining = elapsed / done_part * fraction if done_part > 0 else None
        info = dict(
            name=getattr(self.pos, "name", ""),
            current=current,
            initial=initial,
            target=target,
            unit=getattr(self.pos, "egu", "units"),
            precision=getattr(self.pos, "precision", 3),
            fraction=fraction,
            time_elapsed=elapsed,
            time_remaining=remaining,
        )
        for func in list(self._watchers):
            try:
                func(**info)
            except Exception:
                self.log.exception("Watcher %r of %r raised", func, self)

    def _settled(self) -> None:
        self.finish_pos = _position(self.pos)

    def _stop_watching(self, status: StatusBase) -> None:
        if self._watch_cid is not None:
            getattr(self.pos, "readback", self.pos).unsubscribe(self._watch_cid)
            self._watch_cid = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(done={self.done}, pos={getattr(self.pos, 'name', self.pos)}, "
            f"elapsed={self.elapsed:.1f}, success={self.success}, settle_time={self.settle_time})"
        )


def _position(positioner: Any) -> Any:
    """``positioner.position``, or None when it has none or cannot be read now."""
    try:
        return positioner.position
    except Exception:
        return None


class SubscriptionStatus(DeviceStatus):
    """Done when ``callback(*args, **event_kwargs)`` returns true for an event of ``device``.

    With ``run=True`` the latest event is checked at once. A callback that raises fails the status with
    that exception. The subscription ends when the status is done.
    """

    def __init__(
        self,
        device: Any,
        callback: Callable[..., Any],
        event_type: str | None = None,
        timeout: float | None = None,
        settle_time: float | None = None,
        run: bool = True,
        **kwargs: Any,
    ) -> None:
        self.callback = callback
        super().__init__(device, timeout=timeout, settle_time=settle_time, **kwargs)
        self._cid = device.subscribe(self.check_value, event_type=event_type, run=run)
        self.add_callback(lambda _st: device.unsubscribe(self._cid))

    def check_value(self, *args: Any, **kwargs: Any) -> None:
        """Run the user's callback on one event and finish the status when it says so."""
        if self._reported or self.done:
            return
        try:
            matched = self.callback(*args, **kwargs)
        except Exception as exc:
            self._abandon(exc)
            return
        self._on_check(bool(matched))

    def _on_check(self, matched: bool) -> None:
        if matched:
            self._finish()

    def _finish(self) -> None:
        self._finish_if_pending()  # a concurrent event may have completed it first


class StableSubscriptionStatus(SubscriptionStatus):
    """Done once ``callback`` has returned true for ``stability_time`` seconds without an event saying false.

    An event for which it returns false restarts the wait. The wait runs on sophyd's shared timer thread.
    """

    def __init__(
        self,
        device: Any,
        callback: Callable[..., Any],
        stability_time: float,
        event_type: str | None = None,
        timeout: float | None = None,
        settle_time: float | None = None,
        run: bool = True,
        **kwargs: Any,
    ) -> None:
        if timeout and stability_time > timeout:
            raise ValueError(f"stability_time ({stability_time} s) must not exceed the timeout ({timeout} s)")
        self.stability_time = float(stability_time)
        self._stable_lock = threading.Lock()
        self._stable_timer: TimerHandle | None = None
        self._stable_token: object | None = None
        super().__init__(device, callback, event_type, timeout, settle_time, run, **kwargs)
        self.add_callback(lambda _st: self._cancel_stable_timer())

    def _on_check(self, matched: bool) -> None:
        with self._stable_lock:
            if not matched:
                self._cancel_stable_timer_locked()
            elif self._stable_timer is None:
                token = object()
                self._stable_token = token
                self._stable_timer = call_later(
                    self.stability_time, get_dispatcher("control").submit, self._held, token
                )

    def _held(self, token: object) -> None:
        """The condition has held for stability_time, unless the wait was restarted or ended since."""
        with self._stable_lock:
            if token is not self._stable_token:
                return
            self._stable_timer = self._stable_token = None
        self._finish()

    def _cancel_stable_timer(self) -> None:
        with self._stable_lock:
            self._cancel_stable_timer_locked()

    def _cancel_stable_timer_locked(self) -> None:
        if self._stable_timer is not None:
            self._stable_timer.cancel()
        self._stable_timer = self._stable_token = None
