"""Status objects: the Future-like handle every set(), trigger() and stage step returns.

Timeouts and settle times run on one shared timer thread (``sophyd._scheduler``), not a thread per status.
``StatusTimeoutError`` means the status' own timeout failed it; ``WaitTimeoutError`` means a caller of
``wait()`` gave up while the operation may still finish. The device-bound statuses (DeviceStatus, MoveStatus,
SubscriptionStatus, StableSubscriptionStatus) live in ``sophyd._device_status`` and are re-exported here.
"""

from __future__ import annotations

import inspect
import logging
import math
import threading
import time
import types
import warnings
from collections.abc import Callable
from typing import Any

from ._dispatch import get_dispatcher, wait_event, wake_waiters
from ._scheduler import TimerHandle, call_later
from .errors import InvalidState, StatusTimeoutError, UnknownStatusFailure, WaitTimeoutError
from .log import _TaggedLog

__all__ = [
    "AndStatus",
    "DeviceStatus",
    "MoveStatus",
    "StableSubscriptionStatus",
    "Status",
    "StatusBase",
    "SubscriptionStatus",
    "UseNewProperty",
    "wait",
]

logger = logging.getLogger("sophyd.status")


def _status_tag(status: StatusBase) -> dict[str, Any]:
    """The extra of a status's log records: the status, which LogFormatter shows as ``[str(status)]``."""
    return {"status": status}


#: Exceptions that only a status itself may raise: its own timeout, and a waiter giving up.
_RESERVED_EXCEPTIONS = (StatusTimeoutError, WaitTimeoutError)


class UseNewProperty(RuntimeError):
    """The deprecated ``finished_cb`` cannot express a status with more than one callback."""


def _seconds(value: Any, what: str) -> float:
    """``value`` as float seconds; ValueError for what is not a number or is NaN."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"A status {what} must be a number of seconds, not {value!r}") from None
    if math.isnan(seconds):
        raise ValueError(f"A status {what} must be a number of seconds, not NaN")
    return seconds


def _takes_positional_argument(callback: Callable[..., Any]) -> bool:
    """True for a plain function or bound method that can be called with one positional argument.

    The cheap check that spares ``inspect.signature`` for the usual callbacks (bluesky's RunEngine adds one to
    every status it waits on); anything else (partials, wrapped or keyword-only callables) is left to it.
    """
    bound = isinstance(callback, types.MethodType)
    function = callback.__func__ if isinstance(callback, types.MethodType) else callback
    if type(function) is not types.FunctionType or hasattr(function, "__wrapped__"):
        return False
    code = function.__code__
    if code.co_kwonlyargcount and len(function.__kwdefaults__ or ()) < code.co_kwonlyargcount:
        return False
    return bool(code.co_flags & inspect.CO_VARARGS) or code.co_argcount > (1 if bound else 0)


def adapt_old_callback_signature(callback: Callable[..., Any]) -> Callable[[StatusBase], Any]:
    """Return ``callback`` if it takes the status; wrap a zero-argument ``callback()`` with a warning.

    Classic ophyd status callbacks once took no argument; they still work but warn (DeprecationWarning).
    """
    if _takes_positional_argument(callback):
        return callback
    try:
        inspect.signature(callback).bind(None)
    except TypeError:
        warnings.warn(
            "The signature of a Status callback is now expected to be cb(status); "
            f"{callback!r} takes no argument. That is still supported but deprecated.",
            DeprecationWarning,
            stacklevel=3,
        )
        raw = callback

        def callback(status: StatusBase) -> Any:
            return raw()

    except ValueError:
        pass  # no signature to inspect (some builtins): assume it takes the status
    return callback


class StatusBase:
    """Tracks one operation: done or not, success or failure, callbacks to run when it ends.

    ``timeout`` fails the status with StatusTimeoutError if it has not finished ``timeout + settle_time``
    seconds after it was made; ``settle_time`` delays success by that many seconds after ``set_finished()``.
    ``done``/``success`` are deprecated constructor arguments (a status made done, failed unless
    ``success=True``).
    """

    def __init__(
        self,
        *,
        timeout: float | None = None,
        settle_time: float | None = 0,
        done: bool | None = None,
        success: bool | None = None,
    ) -> None:
        self._timeout = None if timeout is None else _seconds(timeout, "timeout")
        self._settle_time = 0.0 if settle_time is None else _seconds(settle_time, "settle_time")
        if success and not done:
            raise ValueError(f"A {type(self).__name__} cannot be made with success=True but done={done!r}")
        if done is not None or success is not None:
            warnings.warn(
                "The 'done' and 'success' arguments of a status are deprecated; call set_finished() or "
                "set_exception(exc) after making it.",
                DeprecationWarning,
                stacklevel=2,
            )
        self._lock = threading.RLock()
        self._event = threading.Event()
        self._callbacks: list[Callable[[StatusBase], Any]] = []
        self._exception: BaseException | None = None
        self._reported = False  # set_finished() or set_exception() was called (one call is allowed)
        self._completing = False  # the outcome is decided; _complete() runs or has run
        self._closed_early = False  # failed by a timeout or _abandon(): later reports are ignored
        self.start_ts = time.time()
        self.finish_ts: float | None = None
        self._timer: TimerHandle | None = None
        self._settle_timer: TimerHandle | None = None
        if self._timeout is not None:
            self._timer = call_later(self._timeout + max(self._settle_time, 0.0), self._on_timeout)
        if done:
            if success:
                self.set_finished()
            else:
                self.set_exception(
                    UnknownStatusFailure(f"{self._label()} was made with done=True, success=False")
                )

    # -- state --------------------------------------------------------------------------------------------
    @property
    def timeout(self) -> float | None:
        """Seconds (plus ``settle_time``) after creation at which the status fails; fixed at creation."""
        return self._timeout

    @property
    def settle_time(self) -> float:
        """Seconds between ``set_finished()`` and done; fixed at creation."""
        return self._settle_time

    @property
    def done(self) -> bool:
        """True once the operation finished, successfully or not (after any settle time)."""
        return self._event.is_set()

    @done.setter
    def done(self, value: bool) -> None:
        _refuse_state_assignment("done", self.done, value)

    @property
    def success(self) -> bool:
        """True when done without an exception."""
        return self.done and self._exception is None

    @success.setter
    def success(self, value: bool) -> None:
        _refuse_state_assignment("success", self.success, value)

    @property
    def callbacks(self) -> list[Callable[[StatusBase], Any]]:
        """The callbacks still to run at completion."""
        return list(self._callbacks)

    @property
    def finished_cb(self) -> Callable[[StatusBase], Any]:
        """Deprecated: the one callback; UseNewProperty when there is not exactly one (use ``callbacks``)."""
        with self._lock:
            if len(self._callbacks) != 1:
                raise UseNewProperty(
                    f"finished_cb is deprecated and cannot describe {len(self._callbacks)} callbacks; "
                    "use the callbacks property"
                )
            warnings.warn("finished_cb is deprecated; use the callbacks property", UserWarning, stacklevel=2)
            return self._callbacks[0]

    @finished_cb.setter
    def finished_cb(self, callback: Callable[[StatusBase], Any]) -> None:
        with self._lock:
            if self._callbacks:
                raise UseNewProperty(
                    "finished_cb is deprecated and cannot add a second callback; use add_callback"
                )
            warnings.warn("finished_cb is deprecated; use add_callback()", UserWarning, stacklevel=2)
            self.add_callback(callback)

    @property
    def elapsed(self) -> float:
        """Seconds since the status was created (until it finished)."""
        return (self.finish_ts or time.time()) - self.start_ts

    #: This status's logger (``'sophyd.status'``), whose records carry the status itself (``status``).
    log = _TaggedLog(logger, _status_tag)

    def _label(self) -> str:
        """How messages name this status."""
        return type(self).__name__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(done={self.done}, success={self.success})"

    # -- completion ---------------------------------------------------------------------------------------
    def set_finished(self) -> None:
        """Mark the operation successful (after ``settle_time``); raises InvalidState if already reported.

        A report arriving after the status failed early (its timeout, or a superseding operation) is ignored.
        """
        if not self._accept_report():
            return
        if self._settle_time > 0:
            self._settle_timer = call_later(
                self._settle_time, get_dispatcher("control").submit, self._settled_ok
            )
        else:
            self._settled_ok()

    def set_exception(self, exc: BaseException | type[BaseException]) -> None:
        """Mark the operation failed with ``exc``; InvalidState if already reported.

        ``exc`` is an exception or an exception class (made into an instance, as ``raise`` does).
        StatusTimeoutError and WaitTimeoutError are refused (ValueError): they have a fixed meaning.
        """
        if isinstance(exc, type) and issubclass(exc, Exception):
            exc = exc()
        if not isinstance(exc, Exception):
            raise ValueError(f"set_exception needs an Exception instance or class, not {exc!r}")
        if isinstance(exc, _RESERVED_EXCEPTIONS):
            raise ValueError(
                f"{type(exc).__name__} has a fixed meaning for statuses and cannot be set; use a plain "
                "TimeoutError or another exception"
            )
        if not self._accept_report():
            return
        with self._lock:
            if self._completing:
                return
            self._completing = True
            self._cancel_timers()
        self._complete(exc)

    def _accept_report(self) -> bool:
        """Count a set_finished()/set_exception() call; False when it comes after an early failure."""
        with self._lock:
            if self._closed_early:
                self.log.debug("%r was reported done after it had failed early; ignored", self)
                return False
            if self._reported:
                raise InvalidState(f"{self!r} is already done; it cannot be marked done again")
            self._reported = True
            return True

    def _settled_ok(self) -> None:
        with self._lock:
            if self._completing:
                return  # the timeout came first
            self._completing = True
            self._cancel_timers()
        self._complete(None)

    def _cancel_timers(self) -> None:
        for timer in (self._timer, self._settle_timer):
            if timer is not None:
                timer.cancel()

    def _fail_early(self, exc: BaseException, *, after_report: bool) -> bool:
        """Fail now with ``exc`` and ignore the operation's own report when it comes later."""
        if not self._close_early(after_report=after_report):
            return False
        self._complete(exc)
        return True

    def _close_early(self, *, after_report: bool) -> bool:
        """Claim the outcome for an early failure; False when it is already decided (or reported, unless
        ``after_report``)."""
        with self._lock:
            if self._completing or (self._reported and not after_report):
                return False
            self._completing = True
            self._closed_early = True
            self._cancel_timers()
        return True

    def _abandon(self, exc: BaseException) -> bool:
        """Fail now with ``exc`` unless the operation already reported; a later report is ignored."""
        return self._fail_early(exc, after_report=False)

    def _on_timeout(self) -> None:
        exc = StatusTimeoutError(f"{self._label()} did not finish within its timeout of {self._timeout} s")
        get_dispatcher("control").submit(self._time_out, exc)

    def _time_out(self, exc: StatusTimeoutError) -> None:
        if self._close_early(after_report=True):
            self.log.warning("%r has timed out", self)  # before the callbacks run, as in classic
            self._complete(exc)

    def _complete(self, exc: BaseException | None) -> None:
        try:
            self._settled()
        except Exception:
            self.log.exception("%r failed in _settled()", self)
        with self._lock:
            self._exception = exc
            self.finish_ts = time.time()
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        wake_waiters()
        if exc is not None:
            try:
                self._handle_failure()
            except Exception:
                self.log.exception("%r failed in _handle_failure()", self)
        for cb in callbacks:
            self._run_callback(cb)

    def _settled(self) -> None:
        """Hook: the outcome is decided and the status is about to be marked done."""

    def _handle_failure(self) -> None:
        """Hook: the status has just failed (its callbacks have not run yet)."""

    def _run_callback(self, cb: Callable[[StatusBase], Any]) -> None:
        try:
            cb(self)
        except Exception:
            self.log.exception("Callback %r of %r raised", cb, self)

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
        """Call ``callback(status)`` once when done; at once (in this thread) if already done."""
        callback = adapt_old_callback_signature(callback)
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


def _refuse_state_assignment(what: str, current: bool, value: bool) -> None:
    if bool(current) != bool(value):
        raise RuntimeError(
            f"The {what} state of a status cannot be changed by assignment; call set_finished() or "
            "set_exception(exc)"
        )
    warnings.warn(
        f"Do not assign a status' {what} attribute; it follows set_finished() and set_exception(exc)",
        UserWarning,
        stacklevel=3,
    )


class Status(StatusBase):
    """A status that may name the object it is about (``obj``)."""

    def __init__(
        self,
        obj: Any = None,
        timeout: float | None = None,
        settle_time: float | None = 0,
        done: bool | None = None,
        success: bool | None = None,
    ) -> None:
        self.obj = obj
        super().__init__(timeout=timeout, settle_time=settle_time, done=done, success=success)

    def _label(self) -> str:
        if self.obj is None:
            return type(self).__name__
        return f"{type(self).__name__} of {getattr(self.obj, 'name', self.obj)!r}"

    def __repr__(self) -> str:
        obj = getattr(self.obj, "name", self.obj)
        return f"{type(self).__name__}(obj={obj}, done={self.done}, success={self.success})"


class AndStatus(StatusBase):
    """Done when both statuses are done; fails as soon as either fails, with that status' exception."""

    def __init__(self, left: StatusBase, right: StatusBase, **kwargs: Any) -> None:
        self.left = left
        self.right = right
        super().__init__(**kwargs)
        left.add_callback(self._on_part)
        right.add_callback(self._on_part)

    def _on_part(self, part: StatusBase) -> None:
        exc = part._exception if part.done else None
        if exc is not None:
            self._abandon(exc)
        elif self.left.success and self.right.success:
            self._finish_if_pending()  # the other part may have completed it already

    def __contains__(self, status: object) -> bool:
        """True when ``status`` is one of the parts, at any depth of nested AndStatuses."""
        return any(
            part is status or (isinstance(part, AndStatus) and status in part)
            for part in (self.left, self.right)
        )

    def __repr__(self) -> str:
        return f"({self.left!r} & {self.right!r})"

    def __str__(self) -> str:
        return f"{type(self).__name__}(done={self.done}, success={self.success})"


def wait(status: StatusBase, timeout: float | None = None, poll_rate: Any = "DEPRECATED") -> None:
    """Block until ``status`` is done; raise its exception, or WaitTimeoutError after ``timeout`` seconds.

    ``poll_rate`` is accepted for classic ophyd code and ignored: waiting is event-driven.
    """
    status.wait(timeout)


from ._device_status import (  # noqa: E402  (they subclass Status, defined above)
    DeviceStatus,
    MoveStatus,
    StableSubscriptionStatus,
    SubscriptionStatus,
)
