"""PVPositioner and its variants: positioners built from a setpoint PV, a readback PV and a done flag.

Temperature controllers, monochromators, slits and undulators are often driven through a few PVs rather than a
motor record. Subclass ``PVPositioner`` and declare the components ``setpoint``, ``readback``, ``done`` (and
optionally ``actuate``, ``stop_signal``) with the class attributes ``done_value``, ``actuate_value``,
``stop_value``. A move writes the setpoint (waiting for its put-completion without blocking the caller), then
the actuate value, and ends when ``done`` returns to ``done_value``. A move fails when stopped with
``stop(success=False)``, when its timeout passes, when a put is refused, or when the device stops short (the
done flag says done but the device's setpoint is no longer the target, as when it was stopped at the panel).
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._component import Component as Cpt
from ._epics_signal import EpicsSignal, EpicsSignalBase
from ._signal import SignalRO
from .device import Device
from .errors import LimitError
from .kind import Kind
from .positioner import _PendingMove, _ReportedMovePositioner, fresh_reading
from .status import MoveStatus, Status, StatusBase

__all__ = [
    "PVPositioner",
    "PVPositionerComparator",
    "PVPositionerDone",
    "PVPositionerIsClose",
    "PVPositionerPC",
]

logger = logging.getLogger("sophyd.pv_positioner")


class PVPositioner(Device, _ReportedMovePositioner):
    """A positioner driven through PVs; subclass it and declare its components (see the module docstring).

    ``limits=(low, high)`` overrides the setpoint's control limits; ``egu`` names the units; ``settle_time``
    and ``timeout`` are as for every positioner. Raises TypeError when not subclassed and ValueError when
    neither ``setpoint`` nor ``readback`` is declared, or when ``done`` is missing (use PVPositionerPC then).
    """

    setpoint: Any = None
    readback: Any = None
    actuate: Any = None
    actuate_value: Any = 1
    stop_signal: Any = None
    stop_value: Any = 1
    done: Any = None
    done_value: Any = 1

    def __init__(
        self,
        prefix: str = "",
        *,
        limits: tuple[float, float] | None = None,
        name: str | None = None,
        egu: str = "",
        settle_time: float = 0.0,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        if type(self) in (PVPositioner, PVPositionerPC, PVPositionerComparator):
            raise TypeError(
                f"{type(self).__name__} must be subclassed with its signals (setpoint, readback, done, ...) "
                "declared as components"
            )
        self._move_lock = threading.RLock()
        self._move: _PendingMove | None = None
        super().__init__(prefix, name=name or "", **kwargs)
        self.settle_time = settle_time
        self.timeout = timeout
        self._egu = egu
        self._limits = None if limits is None else (limits[0], limits[1])
        if self.readback is not None:
            self.readback.kind = Kind.hinted
            self.readback.subscribe(self._pos_changed, run=False)
        elif self.setpoint is not None:
            self.setpoint.subscribe(self._pos_changed, run=False)
        else:
            raise ValueError(
                f"{self._describe_me()}: a PVPositioner needs a setpoint or a readback component"
            )
        if self.done is None and not self.put_complete:
            raise ValueError(
                f"{self._describe_me()}: a PVPositioner needs a 'done' component, or use PVPositionerPC "
                "(which ends moves on put completion)"
            )
        if self.done is not None:
            self.done.subscribe(self._done_changed, run=False)

    # -- what it is ----------------------------------------------------------------------------------------
    @property
    def put_complete(self) -> bool:
        """Whether moves end on put completion (PVPositionerPC) rather than on the done flag."""
        return isinstance(self, PVPositionerPC)

    @property
    def egu(self) -> str:
        return self._egu

    @property
    def limits(self) -> tuple[Any, Any]:
        """The ``limits`` given at construction, else the setpoint's control limits."""
        if self._limits is not None:
            return self._limits
        low, high = self.setpoint.limits if self.setpoint is not None else (0, 0)
        return (0 if low is None else low, 0 if high is None else high)

    @property
    def position(self) -> Any:
        """The readback's value (the setpoint's when there is no readback)."""
        source = self.readback if self.readback is not None else self.setpoint
        return source.get()

    @property
    def moving(self) -> bool:
        """Whether a move is under way: the done flag read fresh, or the positioner's own state without one."""
        if self.done is not None:
            return bool(fresh_reading(self.done)[0] != self.done_value)
        return self._moving

    @property
    def report(self) -> dict[str, Any]:
        report = super().report
        source = self.readback if self.readback is not None else self.setpoint
        report["pv"] = getattr(source, "pvname", source.name)
        return report

    def check_value(self, value: Any) -> None:
        """Raise before anything is sent: LimitError outside ``limits`` (the given ones, else the setpoint's
        control limits), and the setpoint's own checks unless limits were given."""
        if self.setpoint is None:
            raise ValueError(f"{self._describe_me()} has no setpoint component, so it cannot move")
        if self._limits is None:
            self.setpoint.check_value(value)
        low, high = self.limits
        try:
            outside = low < high and not low <= value <= high
        except TypeError:
            return
        if outside:
            raise LimitError(f"{self._describe_me()}: {value!r} is outside the limits [{low}, {high}]")

    # -- moving --------------------------------------------------------------------------------------------
    def move(  # type: ignore[override]
        self,
        position: Any,
        wait: bool = True,
        timeout: float | None = None,
        moved_cb: Any = None,
    ) -> MoveStatus:
        """Move to ``position``; with ``wait`` (the default) block until the move ends and raise if it failed."""
        if self.stop_signal is not None:
            self.stop_signal.wait_for_connection()  # a move we could not stop is not started
        move = self._begin_move(position, moved_cb, timeout)  # no done update counts until the baseline
        status = move.status
        try:
            if self.done is not None:
                move.since = fresh_reading(self.done)[1] or -math.inf
            else:
                move.since = -math.inf
                self._moving = True
            self._setup_move(position)
        except BaseException as exc:
            self._fail_move(move, exc)
            raise
        return self._wait_for_move(status, wait)

    def _setup_move(self, position: Any) -> None:
        """Write the setpoint; once the IOC has processed it, write the actuate value (if any)."""
        move = self._move
        self._put(self.setpoint, position, lambda: self._setpoint_done(move, position))

    def _setpoint_done(self, move: _PendingMove | None, position: Any) -> None:
        """The setpoint was written: arm the move (see ``_arm``), then actuate."""
        if move is None or move.ended:
            return
        if self.done is not None and not self.put_complete:
            self._arm(move)
        if self.actuate is not None:
            self._put(self.actuate, self.actuate_value, None, move=move)

    def _arm(self, move: _PendingMove) -> None:
        """From now on a done report can end ``move``: one made after the IOC processed the setpoint.

        A device still finishing an earlier motion may report done between our request and its processing;
        that report belongs to the earlier motion. The setpoint's timestamp (read fresh) marks the processing;
        the done flag is read once more in case this move's report has come already.
        """
        try:
            if not isinstance(self.done, EpicsSignalBase):
                # A done flag computed here changes only from now on, from this move's updates.
                move.since = max(move.since, self.done.timestamp)
                move.armed = True
                return
            if isinstance(self.setpoint, EpicsSignalBase):
                processed = fresh_reading(self.setpoint)[1]
                if processed is not None:
                    move.since = max(move.since, processed)
            move.armed = True
            value, timestamp = fresh_reading(self.done)
        except Exception as exc:
            self._fail_move(move, exc)
            return
        if value == self.done_value and move.is_news(timestamp):
            self._end_move(move)

    def _put(self, signal: Any, value: Any, then: Any, *, move: _PendingMove | None = None) -> None:
        """Write ``value`` to ``signal``; run ``then()`` when the IOC has processed it; a refusal fails the move."""
        move = move if move is not None else self._move
        if isinstance(signal, EpicsSignalBase) and then is not None:
            answer = Status(signal)
            signal.put(value, callback=answer._finished, use_complete=True)

            def answered(st: StatusBase) -> None:
                exc = st.exception(0)
                if exc is not None:
                    if move is not None:
                        self._fail_move(move, exc)
                else:
                    then()

            answer.add_callback(answered)
            return
        signal.put(value)
        if then is not None:
            then()

    def _done_changed(self, value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
        """The done flag changed: the move started (not ``done_value``) or ended (``done_value``)."""
        if value is None:
            return
        was_moving, self._moving = self._moving, value != self.done_value
        move = self._move
        if move is None or move.ended:
            if self._moving and not was_moving:
                self._run_subs(sub_type=self.SUB_START, timestamp=timestamp, value=value)
            elif was_moving and not self._moving:
                self._run_subs(sub_type=self.SUB_DONE, timestamp=timestamp, value=value)
            return
        if self._moving:
            with self._move_lock:
                first = not move.started and not move.ended
                move.started = True
            if first:
                self._started_moving = True
                self._run_subs(sub_type=self.SUB_START, timestamp=timestamp, value=value)
        elif not self.put_complete and move.armed and move.is_news(timestamp):
            self._end_move(move)

    def _end_move(self, move: _PendingMove) -> None:
        """The device reports the move done: it succeeded unless the device's setpoint left the target."""
        self._end_move_once(move, functools.partial(self._finish_move, move.target))

    def _finish_move(self, target: Any) -> None:
        self._moving = False
        source = self.readback if self.readback is not None else self.setpoint
        if isinstance(source, EpicsSignalBase):
            # The IOC may answer before it sends the last monitor updates: read the final position fresh.
            source.invalidate_cache()
        reason = self._stopped_short(target)
        # SUB_DONE carries what classic ophyd's does: the done flag's value, or None when put completion ends moves
        done = None if self.put_complete else self.done_value
        self._done_moving(success=not reason, value=done, reason=reason)

    def _stopped_short(self, target: Any) -> str:
        """Why the device did not go to ``target`` ('' if it did): its setpoint was changed meanwhile."""
        if not isinstance(self.setpoint, EpicsSignalBase):
            return ""
        try:
            now = fresh_reading(self.setpoint)[0]
            if _left_target(now, target):
                return f"stopped short: the setpoint is now {now!r} (stopped or changed elsewhere)"
        except (TypeError, ValueError):
            return ""
        except Exception as exc:
            return f"the setpoint could not be read after the move ({exc})"
        return ""

    def _fail_move(self, move: _PendingMove, exc: BaseException) -> None:
        def fail() -> None:
            self._moving = False  # a move with no done flag is 'moving' until it ends
            self._end_request(success=False, exception=exc)

        self._end_move_once(move, fail)

    def stop(self, *, success: bool = False) -> None:
        """Write ``stop_value`` to ``stop_signal`` (if any) and end the pending move (a success with
        ``success=True``, as on a RunEngine pause)."""
        try:
            if self.stop_signal is not None:
                self.stop_signal.put(self.stop_value)
        finally:
            with self._move_lock:
                self._moving = False
                _ReportedMovePositioner.stop(self, success=success)

    def _pos_changed(self, value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
        if value is not None:
            self._set_position(value, timestamp=timestamp)

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from Device._repr_info(self)
        yield ("settle_time", self._settle_time)
        yield ("timeout", self._timeout)
        yield ("limits", self._limits)
        yield ("egu", self._egu)


def _left_target(setpoint: Any, target: Any) -> bool:
    """Whether a numeric ``setpoint`` is no longer the move's ``target`` (changed by someone else)."""
    if not isinstance(target, (int, float)):
        return False
    try:
        return not np.isclose(setpoint, target, rtol=1e-9, atol=1e-12)
    except TypeError:  # not a number: no judgement
        return False


class PVPositionerPC(PVPositioner):
    """A PVPositioner whose moves end on put completion: of ``actuate`` if declared, else of ``setpoint``."""

    def _setup_move(self, position: Any) -> None:
        move = self._move
        if move is None:
            return

        def finished() -> None:  # defined first: the put may complete before _put() returns
            self._end_move(move)

        if self.actuate is not None:
            self._put(self.setpoint, position, lambda: self._put(self.actuate, self.actuate_value, finished))
        else:
            self._put(self.setpoint, position, finished)


class PVPositionerComparator(PVPositioner):
    """A PVPositioner whose done flag is computed here: ``done_comparator(readback, setpoint)`` says if done.

    Every setpoint update lowers the flag first, so each move has a rising edge even when it is within
    tolerance already. A setpoint update made after this move's setpoint was processed, to another value, means
    the device was stopped or redirected elsewhere: the move ends then and fails as stopped short (the readback
    would never come close to the target). Subclass it and implement ``done_comparator``; it needs a setpoint
    and a readback.
    """

    done = Cpt(SignalRO, value=0, kind=Kind.omitted)
    done_value = 1

    def __init__(self, prefix: str = "", *, name: str | None = None, **kwargs: Any) -> None:
        self._last_readback: Any = None
        self._last_setpoint: Any = None
        self._setpoint_processed: float | None = None  # IOC timestamp of the pending move's setpoint
        super().__init__(prefix, name=name, **kwargs)
        if self.setpoint is None or self.readback is None:
            raise NotImplementedError(
                f"{type(self).__name__} needs both a setpoint and a readback to compare"
            )
        self.setpoint.subscribe(self._update_setpoint, run=False)
        self.readback.subscribe(self._update_readback)

    def done_comparator(self, readback: Any, setpoint: Any) -> bool:
        """True when ``readback`` counts as having reached ``setpoint``; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement done_comparator(readback, setpoint)")

    def _setpoint_done(self, move: _PendingMove | None, position: Any) -> None:
        if move is not None and isinstance(self.setpoint, EpicsSignalBase):
            try:
                self._setpoint_processed = fresh_reading(self.setpoint)[1]
            except Exception as exc:
                self._fail_move(move, exc)
                return
        super()._setpoint_done(move, position)
        self._update_setpoint(value=position)  # an unchanged setpoint posts no monitor update: still an edge

    def _update_setpoint(
        self, *args: Any, value: Any = None, timestamp: float | None = None, **kwargs: Any
    ) -> None:
        self._last_setpoint = value
        self.done._update(0)
        move = self._move
        if (
            move is not None
            and move.armed
            and timestamp is not None
            and self._setpoint_processed is not None
            and timestamp > self._setpoint_processed
            and _left_target(value, move.target)
        ):
            self._end_move(move)  # changed elsewhere after our write: fails as stopped short
            return
        self._update_done()

    def _update_readback(self, *args: Any, value: Any = None, **kwargs: Any) -> None:
        self._last_readback = value
        self._update_done()

    def _update_done(self) -> None:
        move = self._move
        # While a move is pending its target is the setpoint: a late monitor update of the old one must not
        # make the move look done.
        setpoint = move.target if move is not None and move.armed else self._last_setpoint
        if self._last_readback is None or setpoint is None:
            return
        done = int(bool(self.done_comparator(self._last_readback, setpoint)))
        if done != self.done.get():
            self.done._update(done)


class PVPositionerIsClose(PVPositionerComparator):
    """A PVPositioner done when ``numpy.isclose(readback, setpoint, atol=atol, rtol=rtol)``.

    ``atol`` and ``rtol`` come from the class or the constructor (None: numpy's defaults).
    """

    atol: float | None = None
    rtol: float | None = None

    def __init__(
        self,
        prefix: str = "",
        *,
        name: str | None = None,
        atol: float | None = None,
        rtol: float | None = None,
        **kwargs: Any,
    ) -> None:
        if atol is not None:
            self.atol = atol
        if rtol is not None:
            self.rtol = rtol
        super().__init__(prefix, name=name, **kwargs)

    def done_comparator(self, readback: Any, setpoint: Any) -> bool:
        atol = 1e-8 if self.atol is None else self.atol  # numpy's defaults
        rtol = 1e-5 if self.rtol is None else self.rtol
        return bool(np.isclose(readback, setpoint, atol=atol, rtol=rtol))


class PVPositionerDone(PVPositioner):
    """A single PV presented as a positioner: a move writes it and is done as soon as the IOC processed it."""

    setpoint = Cpt(EpicsSignal, "", kind=Kind.hinted)
    done = Cpt(SignalRO, value=1, kind=Kind.omitted)
    done_value = 1

    def _setpoint_done(self, move: _PendingMove | None, position: Any) -> None:
        super()._setpoint_done(move, position)
        self.done._update(0)
        self.done._update(1)
