"""Status objects: the Future-like handle every set(), trigger() and stage step returns.

Timeouts and settle times run on one shared timer thread (``sophyd._scheduler``), not a thread per status.
``StatusTimeoutError`` means the status' own timeout failed it; ``WaitTimeoutError`` means a caller of
``wait()`` gave up while the operation may still finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ._dispatch import get_dispatcher, wait_event, wake_waiters
from ._scheduler import TimerHandle, call_later
from .errors import InvalidState, StatusTimeoutError, UnknownStatusFailure, WaitTimeoutError

__all__ = [
    "AndStatus",
    "DeviceStatus",
    "MoveStatus",
    "Status",
    "StatusBase",
    "SubscriptionStatus",
    "wait",
]

logger = logging.getLogger("sophyd.status")


class StatusBase:
    """Tracks one operation: done or not, success or failure, callbacks to run when it ends.

    ``timeout`` fails the status with StatusTimeoutError if it has not finished by then; ``settle_time``
    delays success by that many seconds after ``set_finished()``.
    """

    def __init__(
        self,
        *,
        timeout: float | None = None,
        settle_time: float | None = None,
        done: bool | None = None,
        success: bool | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._event = threading.Event()
        self._callbacks: list[Callable[[StatusBase], Any]] = []
        self._exception: BaseException | None = None
        self._finishing = False
        self._closed_early = False
        self.timeout = None if timeout is None else float(timeout)
        self.settle_time = float(settle_time or 0.0)
        self.start_ts = time.time()
        self.finish_ts: float | None = None
        self._timer: TimerHandle | None = None
        if done:
            if success is False:
                self.set_exception(UnknownStatusFailure(f"{self._label()} was created as failed"))
            else:
                self.set_finished()
        elif self.timeout is not None:
            self._timer = call_later(self.timeout, self._on_timeout)

    # -- state --------------------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """True once the operation finished, successfully or not (after any settle time)."""
        return self._event.is_set()

    @property
    def success(self) -> bool:
        """True when done without an exception."""
        return self.done and self._exception is None

    @property
    def callbacks(self) -> list[Callable[[StatusBase], Any]]:
        """The callbacks still to run at completion."""
        return list(self._callbacks)

    @property
    def elapsed(self) -> float:
        """Seconds since the status was created (until it finished)."""
        return (self.finish_ts or time.time()) - self.start_ts

    def _label(self) -> str:
        """How messages name this status."""
        return type(self).__name__

    def _repr_fields(self) -> list[str]:
        if not self.done:
            return ["pending"]
        return ["done", "success" if self.success else f"failed: {self._exception!r}"]

    # -- completion ---------------------------------------------------------------------------------------
    def set_finished(self) -> None:
        """Mark the operation successful (after ``settle_time``); raises InvalidState if already completed."""
        if not self._begin_finish():
            return
        if self.settle_time > 0:
            call_later(self.settle_time, get_dispatcher("control").submit, self._complete, None)
        else:
            self._complete(None)

    def set_exception(self, exc: BaseException) -> None:
        """Mark the operation failed with ``exc``; raises InvalidState if already completed."""
        if not isinstance(exc, BaseException):
            raise ValueError(f"set_exception needs an exception instance, not {exc!r}")
        if self._begin_finish():
            self._complete(exc)

    def _begin_finish(self) -> bool:
        with self._lock:
            if self._finishing:
                if self._closed_early:
                    # The operation ended after a timeout or a newer set() had failed the status.
                    logger.debug("%r completed after it had been failed early", self)
                    return False
                raise InvalidState(f"{self!r} is already done; it cannot be marked done again")
            self._finishing = True
            if self._timer is not None:
                self._timer.cancel()
        return True

    def _abandon(self, exc: BaseException) -> bool:
        """Fail now with ``exc`` and ignore the operation's own completion when it comes later."""
        with self._lock:
            if self._finishing:
                return False
            self._finishing = True
            self._closed_early = True
            if self._timer is not None:
                self._timer.cancel()
        self._complete(exc)
        return True

    def _on_timeout(self) -> None:
        exc = StatusTimeoutError(f"{self._label()} did not finish within its timeout of {self.timeout} s")
        get_dispatcher("control").submit(self._abandon, exc)

    def _complete(self, exc: BaseException | None) -> None:
        with self._lock:
            self._exception = exc
            self.finish_ts = time.time()
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        wake_waiters()
        for cb in callbacks:
            self._run_callback(cb)

    def _run_callback(self, cb: Callable[[StatusBase], Any]) -> None:
        try:
            cb(self)
        except Exception:
            logger.exception("Callback %r of %r raised", cb, self)

    def _finish_if_pending(self, exc: BaseException | None = None) -> bool:
        """Finish, failed with ``exc`` if given, unless something finished it already (then False): for code
        that races with another way of finishing, such as a concurrent monitor update."""
        try:
            if exc is None:
                self.set_finished()
            else:
                self.set_exception(exc)
        except InvalidState:
            return False
        return True

    def _mirror(self, other: StatusBase) -> None:
        """Finish like ``other`` did (use as ``other.add_callback(self._mirror)``)."""
        if other._exception is None:
            self.set_finished()
        else:
            self._abandon(other._exception)

    def _finished(self, success: bool = True, **kwargs: Any) -> None:
        """Classic ophyd completion hook (usable as a put callback): success or an unexplained failure."""
        if success:
            self.set_finished()
        else:
            self.set_exception(UnknownStatusFailure(f"{self._label()} reported failure"))

    # -- waiting and callbacks ----------------------------------------------------------------------------
    def add_callback(self, callback: Callable[[StatusBase], Any]) -> None:
        """Call ``callback(status)`` when done; at once (in this thread) if already done."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        self._run_callback(callback)

    def wait(self, timeout: float | None = None) -> None:
        """Block until done; raise the failure's exception, or WaitTimeoutError after ``timeout`` seconds."""
        if not wait_event(self._event, timeout):
            raise WaitTimeoutError(f"Gave up waiting for {self!r} after {timeout} s; it may still finish")
        if self._exception is not None:
            raise self._exception

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Wait until done (up to ``timeout``) and return the failure's exception, or None on success."""
        if not wait_event(self._event, timeout):
            raise WaitTimeoutError(f"{self!r} is not done after {timeout} s")
        return self._exception

    def __and__(self, other: StatusBase) -> AndStatus:
        return AndStatus(self, other)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_fields())})"


class Status(StatusBase):
    """A status that may name the object it is about."""

    def __init__(self, obj: Any = None, **kwargs: Any) -> None:
        self.obj = obj
        super().__init__(**kwargs)

    def _label(self) -> str:
        if self.obj is None:
            return type(self).__name__
        return f"{type(self).__name__} of {getattr(self.obj, 'name', self.obj)!r}"

    def _repr_fields(self) -> list[str]:
        fields = super()._repr_fields()
        if self.obj is not None:
            fields.insert(0, f"obj={getattr(self.obj, 'name', self.obj)!r}")
        return fields


class DeviceStatus(Status):
    """Status of an operation on a device (e.g. a trigger)."""

    def __init__(self, device: Any, **kwargs: Any) -> None:
        self.device = device
        super().__init__(device, **kwargs)


class MoveStatus(DeviceStatus):
    """Status of a positioner's move; ``watch()`` reports progress for progress bars."""

    def __init__(self, positioner: Any, target: Any, *, start_value: Any = None, **kwargs: Any) -> None:
        self.pos = positioner
        self.target = target
        self.start_value = start_value
        self._watchers: list[Callable[..., Any]] = []
        self._watch_cid: int | None = None
        super().__init__(positioner, **kwargs)
        self.add_callback(self._stop_watching)

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
        try:
            current, target = float(value), float(self.target)
            initial = float(self.start_value) if self.start_value is not None else current
        except (TypeError, ValueError):
            return
        if self.start_value is None:
            self.start_value = initial
        span = abs(target - initial)
        fraction = 1.0 if span == 0 else min(1.0, abs(target - current) / span)
        elapsed = time.time() - self.start_ts
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
                logger.exception("Watcher %r of %r raised", func, self)

    def _stop_watching(self, status: StatusBase) -> None:
        if self._watch_cid is not None:
            getattr(self.pos, "readback", self.pos).unsubscribe(self._watch_cid)
            self._watch_cid = None


class SubscriptionStatus(DeviceStatus):
    """Done when ``callback(**event_kwargs)`` returns True for an event of ``device``."""

    def __init__(
        self,
        device: Any,
        callback: Callable[..., bool],
        event_type: str | None = None,
        *,
        run: bool = True,
        **kwargs: Any,
    ) -> None:
        self.callback = callback
        super().__init__(device, **kwargs)
        self._cid = device.subscribe(self._check, event_type=event_type, run=run)
        self.add_callback(lambda _st: device.unsubscribe(self._cid))

    def _check(self, *args: Any, **kwargs: Any) -> None:
        if self._finishing:
            return
        try:
            matched = self.callback(*args, **kwargs)
        except Exception as exc:
            self._finish_if_pending(exc)
            return
        if matched:
            self._finish_if_pending()


class AndStatus(StatusBase):
    """Done when both statuses are done; fails as soon as either fails."""

    def __init__(self, left: StatusBase, right: StatusBase, **kwargs: Any) -> None:
        self.left = left
        self.right = right
        super().__init__(**kwargs)
        left.add_callback(self._on_part)
        right.add_callback(self._on_part)

    def _on_part(self, part: StatusBase) -> None:
        exc = part._exception if part.done else None
        if exc is not None or (self.left.done and self.right.done):
            self._finish_if_pending(exc)  # the other part may have completed it already

    def _repr_fields(self) -> list[str]:
        return [f"{self.left!r} & {self.right!r}", *super()._repr_fields()]


def wait(status: StatusBase, timeout: float | None = None, poll_rate: float | None = None) -> None:
    """Block until ``status`` is done; raise its exception, or WaitTimeoutError after ``timeout`` seconds.

    ``poll_rate`` is accepted for classic ophyd code and ignored: waiting is event-driven.
    """
    status.wait(timeout)
