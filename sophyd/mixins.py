"""SignalPositionerMixin and EpicsSignalPositioner: a signal driven as a positioner, as in classic ``ophyd.mixins``.

Mixed in before a Signal class, the mixin gives the signal the positioner API: ``move()``/``set()`` return a
MoveStatus, ``position`` is the signal's value, SUB_START/SUB_DONE/SUB_READBACK events are run, and
``stop()`` ends the pending move. The motion itself is the signal's own ``set()`` (``set_func``), whose
status the MoveStatus follows. Like classic ophyd, neither class is exported from the package's top level.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ._epics_signal import EpicsSignal
from .positioner import PositionerBase, check_timeout
from .status import MoveStatus, StatusBase

__all__ = ["EpicsSignalPositioner", "SignalPositionerMixin"]


class SignalPositionerMixin(PositionerBase):
    """Make a Signal a positioner: list it first in the bases, the Signal class second.

    For signals that should be moved, scanned and stopped like motors. ``set_func`` is the signal class's
    ``set`` (for example ``Signal.set``): ``move()`` calls it and its status decides the move's success;
    ``readback_event`` is the signal event that reports new positions; ``egu`` the engineering units;
    with ``hold_on_stop`` a ``stop()`` also moves the signal to its current value.
    """

    get: Callable[..., Any]  # the signal's get(), from the Signal class mixed in

    def __init__(
        self,
        *args: Any,
        set_func: Callable[..., StatusBase],
        readback_event: str = "value",
        egu: str = "",
        hold_on_stop: bool = False,
        **kwargs: Any,
    ) -> None:
        self._egu = egu
        self._hold_on_stop = bool(hold_on_stop)
        self._mixed_set = set_func.__get__(self, type(self))  # the signal's set(), bound to this object
        self._current_move: MoveStatus | None = None  # the move whose set() status is followed
        self._mixed_lock = threading.Lock()
        self._moved_cbs: dict[StatusBase, Callable[[StatusBase], Any]] = {}  # moved_cb of moves not ended yet
        # Set on a thread while this mixin itself ends a move: the failed MoveStatus then calls stop(), which
        # must not act again (a hold_on_stop move of its own, or a stop of the move that superseded it).
        self._ending = threading.local()
        self._timeout = None  # the signal's __init__ may read ``timeout`` before PositionerBase sets it
        super().__init__(*args, **kwargs)
        self.subscribe(self._position_updated, event_type=readback_event)

    def _position_updated(self, value: Any = None, **kwargs: Any) -> None:
        """Report each new value of the signal as the position (SUB_READBACK)."""
        self._set_position(value)

    @property
    def position(self) -> Any:
        """The current position: the signal's value (``get()``)."""
        return self.get()

    @property
    def egu(self) -> str:
        """The engineering units given as ``egu=``."""
        return self._egu

    @property
    def limits(self) -> tuple[Any, Any]:
        """The signal's limits: (None, None) for a soft signal, the PV's control limits for an EPICS one."""
        return super(PositionerBase, self).limits  # type: ignore[misc]

    def check_value(self, value: Any) -> None:
        """The signal's own check (read-only, limits, the PV's type), so a bad position fails before moving."""
        super(PositionerBase, self).check_value(value)

    @property
    def timeout(self) -> float | None:
        """Default seconds a move may take (None: no limit); while None, the signal's own timeout for reads.

        An EPICS signal reads with its ``timeout``; the positioner's name for it is the move timeout, so a
        signal whose positioner has none keeps timing out its reads.
        """
        if self._timeout is not None:
            return self._timeout
        return getattr(super(PositionerBase, self), "timeout", None)

    @timeout.setter
    def timeout(self, timeout: float | None) -> None:
        self._timeout = check_timeout(self, timeout)

    def move(  # type: ignore[override]  # classic argument order: wait second
        self,
        position: Any,
        wait: bool = True,
        moved_cb: Callable[..., Any] | None = None,
        timeout: float | None = None,
    ) -> MoveStatus:
        """Move to ``position`` with the signal's set(); the MoveStatus ends when that set's status does.

        Raises before anything is sent for a position the signal refuses or a bad timeout. Runs SUB_START,
        then SUB_DONE when the move succeeds. With ``wait`` (the default) blocks until the move ends and
        raises its failure; ``moved_cb(obj=self)`` runs when it ends (``moved_cb(status, obj=self)`` if it
        needs the status, as other positioners call it); ``timeout`` defaults to the positioner's.
        """
        with self._ending_move():
            status = PositionerBase.move(self, position, timeout=timeout)
        with self._mixed_lock:
            self._current_move = status
            if moved_cb is not None:
                self._moved_cbs[status] = self._moved_callback(moved_cb)
        if moved_cb is not None:  # a move ended another way (stop()) still tells it, once
            status.add_callback(self._run_moved_cb)
        self._moving = True
        self._run_subs(sub_type=self.SUB_START, timestamp=time.time())
        try:
            inner = self._mixed_set(position, timeout=status.timeout, settle_time=None)
        except Exception as exc:
            self._set_finished(status, exc)
        else:
            inner.add_callback(lambda st: self._set_finished(status, st.exception()))
        return self._wait_for_move(status, wait)

    def _moved_callback(self, moved_cb: Callable[..., Any]) -> Callable[[StatusBase], Any]:
        """The status callback that runs ``moved_cb`` the way classic's mixin documents it: ``moved_cb(obj=)``.

        A callback that cannot be called with ``obj`` alone (``def cb(status, *, obj)``, the signature other
        positioners use) gets the status first, so callbacks written for either signature work.
        """
        try:
            inspect.signature(moved_cb).bind(obj=self)
        except TypeError:
            return functools.partial(moved_cb, obj=self)
        except ValueError:
            pass  # no signature to inspect (some builtins): call it as classic's mixin does
        return lambda status: moved_cb(obj=self)

    def _set_finished(self, status: MoveStatus, exc: BaseException | None) -> None:
        """The signal's set() for the move ``status`` ended (failed with ``exc`` unless None): end the move,
        unless a newer move or stop() has taken over."""
        with self._mixed_lock:
            if self._current_move is not status:
                return
            self._current_move = None
        self._moving = False
        if exc is None:  # as classic's mixin: SUB_DONE (its value None), then moved_cb, then the status ends
            self._run_subs(sub_type=self.SUB_DONE, timestamp=time.time(), value=None)
            self._run_moved_cb(status)
            self._end_request(success=True)
        else:
            self._run_moved_cb(status)
            self._done_moving(success=False, exception=exc)

    def _run_moved_cb(self, status: StatusBase) -> None:
        """Run the moved_cb of the move ``status``, if it has one not run yet; log what it raises (classic)."""
        with self._mixed_lock:
            moved = self._moved_cbs.pop(status, None)
        if moved is not None:
            try:
                moved(status)
            except Exception:
                self.log.exception("moved_cb of %s raised", self._describe_me())

    def stop(self, *, success: bool = False) -> None:
        """End the pending move (a success with ``success=True``); with ``hold_on_stop`` then move to the
        current value, so a signal still heading for the old target stays where it is."""
        if getattr(self._ending, "active", False):
            return
        with self._mixed_lock:
            self._current_move = None
        self._moving = False
        with self._ending_move():
            super().stop(success=success)
        if self._hold_on_stop:
            self.move(self.get(), wait=False)

    @contextlib.contextmanager
    def _ending_move(self) -> Iterator[None]:
        """While inside, this thread's stop() calls (from the failing MoveStatus) do nothing."""
        self._ending.active = True
        try:
            yield
        finally:
            self._ending.active = False

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("egu", self._egu)
        yield ("hold_on_stop", self._hold_on_stop)


class EpicsSignalPositioner(SignalPositionerMixin, EpicsSignal):  # type: ignore[misc]  # set() is the move
    """An EpicsSignal moved as a positioner: reads ``read_pv``, moves by writing ``write_pv`` (the same PV by
    default); a move ends when the readback reaches the target (or the put completes, with
    ``put_complete=True``).

    For setpoints that need no motor record: a temperature, a voltage, a piezo, scanned like a motor.
    """

    def __init__(self, read_pv: str, **kwargs: Any) -> None:
        if kwargs.get("name") is None:
            kwargs["name"] = read_pv
        super().__init__(read_pv=read_pv, set_func=EpicsSignal.set, **kwargs)
