"""PseudoPositioner and PseudoSingle: axes computed from real positioners (a slit's gap and center, say).

A subclass declares ``PseudoSingle`` components (the pseudo axes) and positioner components (the real axes),
and implements ``forward(pseudo_pos) -> RealPosition`` and ``inverse(real_pos) -> PseudoPosition``. The
namedtuple classes ``PseudoPosition`` and ``RealPosition`` are made from the components, in component order.
A move checks every pseudo axis' limits and every real axis' target before anything moves, then moves the
reals together (``concurrent=True``, the default) or one after another in component order.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ._component import Component
from ._positions import position_tuple, pseudo_position_argument, real_position_argument, to_position_tuple
from ._signal import Signal, SignalRO
from .device import Device
from .errors import ExceptionBundle, LimitError, MotionError
from .positioner import PositionerBase, SoftPositioner
from .status import MoveStatus, StatusBase

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "PseudoPositioner",
    "PseudoSingle",
    "pseudo_position_argument",
    "real_position_argument",
]


class _PseudoReadback(SignalRO):
    """A PseudoSingle's position as a signal: what read() reports and what MoveStatus.watch follows."""

    @property
    def source(self) -> str:
        axis: Any = self.parent
        return str(axis.source)

    def get(self, **kwargs: Any) -> Any:
        axis: Any = self.parent
        self._readback = axis.position
        return self._readback


class _PseudoSetpoint(SignalRO):
    """A PseudoSingle's last commanded target as a signal."""

    def get(self, **kwargs: Any) -> Any:
        axis: Any = self.parent
        self._readback = axis.target
        return self._readback


class PseudoSingle(Device, SoftPositioner):
    """One pseudo axis of a PseudoPositioner; declare it as a component of one, never alone.

    ``limits=(low, high)`` bound this axis; ``egu`` is its units. Moving it moves the parent with every other
    pseudo axis held at its target (its last commanded position, or its position when none was commanded).
    """

    _event_types = (*SoftPositioner._event_types, *Device._event_types)

    readback = Component(_PseudoReadback, kind="hinted", value=None)
    setpoint = Component(_PseudoSetpoint, kind="normal", value=None)

    def __init__(
        self,
        prefix: str = "",
        *,
        limits: tuple[Any, Any] | None = None,
        egu: str = "",
        parent: Any = None,
        name: str | None = None,
        source: str = "computed",
        target_initial_position: bool = False,
        settle_time: float = 0.0,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(parent, PseudoPositioner):
            raise TypeError(
                f"PseudoSingle {name!r} must be a component of a PseudoPositioner, not of {parent!r}"
            )
        super().__init__(prefix, name=name or "", parent=parent, **kwargs)
        self._egu = egu
        self._limits = tuple(limits) if limits is not None else (0, 0)
        if len(self._limits) != 2:
            raise ValueError(f"{self._describe_me()}: limits must be (low, high), not {limits!r}")
        self.source = source
        self.settle_time = settle_time
        self.timeout = timeout
        self._target_initial_position = target_initial_position
        self._target: Any = None
        self._idx = type(parent)._pseudo_names.index(self.attr_name)
        self.readback.name = self.name
        for signal in (self.readback, self.setpoint):
            signal._metadata.update(
                units=egu, lower_ctrl_limit=self._limits[0], upper_ctrl_limit=self._limits[1]
            )
        parent.subscribe(self._proxy, event_type=parent.SUB_START, run=False)
        parent.subscribe(self._proxy, event_type=parent.SUB_DONE, run=False)
        parent.subscribe(self._proxy_readback, event_type=parent.SUB_READBACK, run=False)

    def _set_name(self, value: str) -> None:
        super()._set_name(value)
        if "readback" in self._signals:
            self.readback.name = value  # read() reports the axis under its own name, e.g. 'slit_gap'

    def describe(self) -> OrderedDict[str, DataKey]:
        """As a device's, with this axis' limits and units on its readback and setpoint keys.

        Classic ophyd names them there (``lower_ctrl_limit``, ``upper_ctrl_limit``, ``units``), the keys an
        EpicsSignal's description carries, whatever the limits are."""
        desc = super().describe()
        low, high = self.limits
        for signal in (self.readback, self.setpoint):
            key: dict[str, Any] | None = desc.get(signal.name)  # type: ignore[assignment]
            if key is not None:  # absent when the signal's kind leaves it out of describe()
                key.update(lower_ctrl_limit=low, upper_ctrl_limit=high, units=self.egu)
        return desc

    def _proxy(self, obj: Any = None, sub_type: str = "", **kwargs: Any) -> None:
        """Pass the parent's start and done events on as this axis' own."""
        self._run_subs(sub_type=sub_type, **kwargs)

    def _proxy_readback(self, obj: Any = None, value: Any = None, sub_type: str = "", **kwargs: Any) -> None:
        """Pass the parent's new position on as this axis' readback (its own element of it)."""
        mine = value[self._idx]
        self._run_subs(sub_type=self.SUB_READBACK, value=mine, **kwargs)
        self.readback._update(mine, kwargs.get("timestamp"))

    @property
    def _parent_pseudo(self) -> PseudoPositioner:
        parent = self.parent
        assert isinstance(parent, PseudoPositioner)
        return parent

    @property
    def position(self) -> Any:
        """This axis' current position, computed from the real positions."""
        return self._parent_pseudo.position[self._idx]

    @property
    def target(self) -> Any:
        """The last commanded position of this axis (its position when none was commanded)."""
        return self.position if self._target is None else self._target

    def sync(self) -> None:
        """Forget the commanded target: from now on the target is the current position."""
        self._target = None

    @property
    def moving(self) -> bool:
        return self._parent_pseudo.moving

    def check_value(self, value: Any) -> None:
        """Raise (LimitError) unless the parent can move with this axis at ``value``, the others at target."""
        self._parent_pseudo.check_single(self, value)

    def move(  # type: ignore[override]
        self,
        position: Any,
        wait: bool = True,
        timeout: float | None = None,
        moved_cb: Callable[..., Any] | None = None,
    ) -> MoveStatus:
        """Move this axis to ``position`` (the other axes keep their targets); with ``wait`` block until done.

        The MoveStatus is this axis' own, so that progress bars follow this axis. ``timeout`` defaults to this
        axis' ``timeout``, else the parent's, which bounds the move as in classic ophyd (it moves the parent).
        """
        if timeout is None:
            timeout = self._parent_pseudo.timeout if self.timeout is None else self.timeout
        status = PositionerBase.move(self, position, moved_cb=moved_cb, timeout=timeout)
        self._target = position
        try:
            moved = self._parent_pseudo.move_single(self, position, wait=False, timeout=timeout)
        except Exception as exc:
            status._abandon(exc)
            self._end_request(success=False)
            raise
        moved.add_callback(functools.partial(self._parent_moved, status))
        if wait:
            status.wait()
        return status

    def _parent_moved(self, status: MoveStatus, moved: StatusBase) -> None:
        if status.done:
            return  # superseded meanwhile
        exc = moved.exception(0)
        if exc is None:
            self._end_request(success=True)
        else:
            status._abandon(exc)
            self._end_request(success=False)

    def stop(self, *, success: bool = False) -> None:
        """Stop the parent, and with it every real axis."""
        self._parent_pseudo.stop(success=success)


def _is_real_positioner(cls: Any) -> bool:
    """True for a component class that moves: a positioner, or a device with ``set`` and ``position``."""
    if not isinstance(cls, type) or issubclass(cls, (PseudoSingle, Signal)):
        return False
    return issubclass(cls, PositionerBase) or (hasattr(cls, "set") and hasattr(cls, "position"))


class PseudoPositioner(Device, SoftPositioner):
    """Pseudo axes (PseudoSingle components) computed from real axes (positioner components).

    Subclasses implement ``forward`` and ``inverse``. ``concurrent=False`` moves the reals one after another
    in component order. ``egu`` defaults to the pseudo axes' units joined by commas. With ``auto_target``
    (the default) every move sets the target of each pseudo axis. Class attributes ``_pseudo`` and ``_real``
    (lists of attribute names) choose the axes when not all such components are meant.
    """

    _event_types = (*SoftPositioner._event_types, *Device._event_types)

    PseudoPosition: ClassVar[type] = tuple
    RealPosition: ClassVar[type] = tuple
    _pseudo_names: ClassVar[tuple[str, ...]] = ()
    _real_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        components = cls._sig_attrs
        pseudo = getattr(cls, "_pseudo", None)
        real = getattr(cls, "_real", None)
        cls._pseudo_names = tuple(
            pseudo
            if isinstance(pseudo, (list, tuple))
            else (
                a
                for a, c in components.items()
                if isinstance(c.cls, type) and issubclass(c.cls, PseudoSingle)
            )
        )
        cls._real_names = tuple(
            real
            if isinstance(real, (list, tuple))
            else (a for a, c in components.items() if _is_real_positioner(c.cls))
        )
        cls.PseudoPosition = position_tuple(f"{cls.__name__}PseudoPos", cls._pseudo_names)
        cls.RealPosition = position_tuple(f"{cls.__name__}RealPos", cls._real_names)

    def __init__(
        self,
        prefix: str = "",
        *,
        concurrent: bool = True,
        read_attrs: list[str] | None = None,
        configuration_attrs: list[str] | None = None,
        name: str = "",
        egu: str = "",
        auto_target: bool = True,
        settle_time: float = 0.0,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        if type(self) is PseudoPositioner:
            raise TypeError(
                "PseudoPositioner must be subclassed, with its pseudo and real axes as components"
            )
        if not self._pseudo_names or not self._real_names:
            raise ValueError(
                f"{type(self).__name__} needs at least one PseudoSingle and one real positioner component "
                f"(found pseudo axes {self._pseudo_names}, real axes {self._real_names})"
            )
        self._lock = threading.RLock()
        self._concurrent = bool(concurrent)
        self.auto_target = auto_target
        self._move_queue: list[tuple[Any, Any]] = []
        self._real_cache: dict[int, Any] = {}
        super().__init__(
            prefix, name=name, read_attrs=read_attrs, configuration_attrs=configuration_attrs, **kwargs
        )
        self.settle_time = settle_time
        self.timeout = timeout
        self._real = [getattr(self, attr) for attr in self._real_names]
        self._pseudo = [getattr(self, attr) for attr in self._pseudo_names]
        self._egu = egu or self.composite_egu
        for real in self._real:
            source, event_type = _readback_events(real)
            source.subscribe(functools.partial(self._real_pos_update, real), event_type=event_type, run=True)

    # -- positions ----------------------------------------------------------------------------------------
    def to_pseudo_tuple(self, *args: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """(PseudoPosition, other keywords) from a position given in any accepted form."""
        return to_position_tuple(self.PseudoPosition, *args, _current=lambda: self.target, **kwargs)

    def to_real_tuple(self, *args: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """(RealPosition, other keywords) from a position given in any accepted form."""
        return to_position_tuple(self.RealPosition, *args, _current=lambda: self.real_position, **kwargs)

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        """The RealPosition for a PseudoPosition; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(pseudo_pos)")

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        """The PseudoPosition for a RealPosition; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement inverse(real_pos)")

    @property
    def real_position(self) -> Any:
        """The real axes' current positions, as a RealPosition."""
        return self.RealPosition(*(real.position for real in self._real))

    @property
    def position(self) -> Any:
        """The pseudo axes' current positions, as a PseudoPosition computed from the real positions."""
        return self.inverse(self.real_position)

    @property
    def target(self) -> Any:
        """Each pseudo axis' last commanded position (or current position), as a PseudoPosition."""
        return self.PseudoPosition(*(pseudo.target for pseudo in self._pseudo))

    @property
    def pseudo_positioners(self) -> Any:
        """The PseudoSingle instances, as a PseudoPosition."""
        return self.PseudoPosition(*self._pseudo)

    @property
    def real_positioners(self) -> Any:
        """The real positioner instances, as a RealPosition."""
        return self.RealPosition(*self._real)

    @property
    def composite_egu(self) -> str:
        """The pseudo axes' units joined by commas."""
        return ", ".join(pseudo.egu for pseudo in self._pseudo if pseudo.egu)

    @property
    def concurrent(self) -> bool:
        """True when the reals move together."""
        return self._concurrent

    @property
    def sequential(self) -> bool:
        """True when the reals move one after another, in component order."""
        return not self._concurrent

    @property
    def moving(self) -> bool:
        return any(getattr(real, "moving", False) for real in self._real)

    @property
    def limits(self) -> Any:
        """Each pseudo axis' (low, high), as a PseudoPosition."""
        return self.PseudoPosition(*(pseudo.limits for pseudo in self._pseudo))

    @property
    def low_limit(self) -> Any:
        return self.PseudoPosition(*(pseudo.low_limit for pseudo in self._pseudo))

    @property
    def high_limit(self) -> Any:
        return self.PseudoPosition(*(pseudo.high_limit for pseudo in self._pseudo))

    def _real_pos_update(self, real: Any, value: Any = None, **kwargs: Any) -> None:
        """A real axis reported a position: tell the pseudo axes their new positions."""
        self._real_cache[id(real)] = value
        positions = []
        for each in self._real:
            known = self._real_cache.get(id(each))
            positions.append(each.position if known is None else known)
        if any(p is None for p in positions):
            return  # a real axis has no position yet
        pseudo = self.inverse(self.RealPosition(*positions))
        if self._position is None:
            for axis, single in zip(self._pseudo, pseudo, strict=True):
                if axis._target_initial_position:
                    axis._target = single
        self._set_position(pseudo, timestamp=kwargs.get("timestamp"))

    # -- checking -----------------------------------------------------------------------------------------
    def check_value(self, value: Any) -> None:
        """Raise before anything moves: LimitError for a pseudo axis outside its limits, or whatever a real
        axis' check_value raises for its forward() target; ValueError for a malformed position."""
        try:
            position = self.PseudoPosition(*value)
        except TypeError as exc:
            raise ValueError(
                f"{self._describe_me()}: {value!r} is not a position of the axes {self._pseudo_names} ({exc})"
            ) from None
        for pseudo, pos in zip(self._pseudo, position, strict=True):
            low, high = pseudo.limits
            try:
                outside = low < high and not low <= pos <= high
            except TypeError as exc:  # the TypeError classic raises here, naming the axis and the value
                raise TypeError(
                    f"{pseudo._describe_me()}: position {pos!r} cannot be compared ({exc})"
                ) from None
            if outside:
                raise LimitError(
                    f"{pseudo._describe_me()}: position {pos!r} is outside the limits [{low}, {high}]"
                )
        for real, pos in zip(self._real, self.forward(position), strict=True):
            check = getattr(real, "check_value", None)  # a device with only set() and position has none
            if check is not None:
                check(pos)

    def check_single(self, pseudo_single: PseudoSingle, single_pos: Any) -> None:
        """check_value for a move of one pseudo axis, the others at their targets."""
        target = list(self.target)
        target[pseudo_single._idx] = single_pos
        self.check_value(self.PseudoPosition(*target))

    # -- moving -------------------------------------------------------------------------------------------
    @pseudo_position_argument
    def move(
        self,
        position: Any,
        wait: bool = True,
        timeout: float | None = None,
        moved_cb: Callable[..., Any] | None = None,
    ) -> MoveStatus:
        """Move to a pseudo position (any accepted form); with ``wait`` block until every real has arrived.

        Raises before anything moves when a pseudo or real axis would leave its limits.
        """
        with self._lock:
            status = PositionerBase.move(self, position, moved_cb=moved_cb, timeout=timeout)
            if self.auto_target:
                for pseudo, single in zip(self._pseudo, position, strict=True):
                    pseudo._target = single
            try:
                self._setup_move(position, status)
            except Exception as exc:
                self._fail(status, None, exc)
                raise
        if wait:
            status.wait()
        return status

    @pseudo_position_argument
    def set(self, position: Any, **kwargs: Any) -> MoveStatus:
        """Start a move to a pseudo position (any accepted form) and return its MoveStatus."""
        return PositionerBase.set(self, position, **kwargs)

    def move_single(self, pseudo: PseudoSingle, position: Any, **kwargs: Any) -> MoveStatus:
        """Move one pseudo axis to ``position``, the others to their targets."""
        target = list(self.target)
        target[pseudo._idx] = position
        return self.move(self.PseudoPosition(*target), **kwargs)

    def _setup_move(self, position: Any, status: MoveStatus) -> None:
        """Send the reals to ``forward(position)``, together or one after another."""
        real_pos = self.forward(position)
        self._run_subs(sub_type=self.SUB_START, timestamp=time.time())
        if self._concurrent:
            self._concurrent_move(real_pos, status)
        else:
            self._move_queue = list(zip(self._real, real_pos, strict=True))
            self._move_next(status, None)

    def _concurrent_move(self, real_pos: Any, status: MoveStatus) -> None:
        waiting = {id(real) for real in self._real}
        for real, value in zip(self._real, real_pos, strict=True):
            moved = _start_real(real, value, status.timeout)

            def arrived(moved: StatusBase, real: Any = real) -> None:
                with self._lock:
                    if status.done:
                        return
                    exc = moved.exception(0)
                    if exc is not None:
                        self._fail(status, real, exc)
                        return
                    waiting.discard(id(real))
                    if not waiting:
                        self._done_moving(success=True)

            moved.add_callback(arrived)

    def _move_next(self, status: MoveStatus, previous: StatusBase | None) -> None:
        """Sequential moves: start the next real once the previous one arrived."""
        with self._lock:
            if status.done:
                return
            if previous is not None:
                exc = previous.exception(0)
                if exc is not None:
                    self._fail(status, getattr(previous, "pos", None), exc)
                    return
            if not self._move_queue:
                self._done_moving(success=True)
                return
            real, value = self._move_queue.pop(0)
            remaining = None if status.timeout is None else status.timeout - (time.time() - status.start_ts)
            if remaining is not None and remaining <= 0:
                return  # the status' own timeout fails it
            moved = _start_real(real, value, remaining)
            moved.add_callback(functools.partial(self._move_next, status))

    def _fail(self, status: MoveStatus, real: Any, exc: BaseException) -> None:
        """End ``status`` with a MotionError naming this device (and the real axis that failed)."""
        where = f" ({real.name})" if real is not None else ""
        error = MotionError(
            f"{self._describe_me()}: the move to {status.target!r} did not complete{where}: {exc}"
        )
        error.__cause__ = exc
        status._abandon(error)
        self._end_request(success=False)

    def stop(self, *, success: bool = False) -> None:
        """Stop every real axis (and other sub-devices) and end the pending move; failures are raised together.

        ``success=True`` (bluesky's pause) ends the move as a success.
        """
        with self._lock:
            self._move_queue.clear()
            PositionerBase.stop(self, success=success)  # first: the reals' stopped moves must not fail it
        targets = list(self._real)
        targets += [
            dev
            for dev in map(self._get_component, self._sub_devices)
            if not isinstance(dev, PseudoSingle) and dev not in targets
        ]
        errors: list[BaseException] = []
        for device in targets:
            try:
                device.stop(success=success)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise ExceptionBundle(f"Stopping {self.name!r} failed for {len(errors)} axis/axes", errors)


def _readback_events(real: Any) -> tuple[Any, str]:
    """What to subscribe to for a real axis' positions: its SUB_READBACK, or its readback signal's values."""
    if isinstance(real, PositionerBase):
        return real, real.SUB_READBACK
    readback = getattr(real, "readback", None)
    if isinstance(readback, Signal):
        return readback, readback.SUB_VALUE
    raise TypeError(f"cannot follow the position of {real!r}: it has no SUB_READBACK and no readback signal")


def _start_real(real: Any, value: Any, timeout: float | None) -> StatusBase:
    """Start one real axis' move (``set``, so that nothing blocks)."""
    if timeout is None:
        return real.set(value)
    return real.set(value, timeout=timeout)
