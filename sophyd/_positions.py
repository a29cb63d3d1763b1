"""Position namedtuples and the classic decorators that let pseudo-positioner methods take positions in any form.

``PseudoPositioner.PseudoPosition``/``RealPosition`` are made by ``position_tuple``; ``pseudo_position_argument``
and ``real_position_argument`` turn positional values, a sequence, a mapping or keywords into one of them.
"""

from __future__ import annotations

import functools
import math
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["position_tuple", "pseudo_position_argument", "real_position_argument", "to_position_tuple"]


class _PositionArithmetic:
    """Element-wise ``+`` and ``-`` (with a tuple, a sequence or a partial dict) and ``abs()`` (the length) for
    position namedtuples, so that distances between positions can be computed."""

    __slots__ = ()
    _fields: tuple[str, ...]

    def _coerce(self, other: Any) -> Any:
        if isinstance(other, type(self)):
            return other
        if isinstance(other, Mapping):
            unknown = set(other) - set(self._fields)
            if unknown:
                return None
            return type(self)(*(other.get(field, 0) for field in self._fields))
        try:
            return type(self)(*other)
        except TypeError:
            return None

    def __add__(self, other: Any) -> Any:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return type(self)(*(a + b for a, b in zip(self, coerced, strict=True)))  # type: ignore[call-overload]

    def __sub__(self, other: Any) -> Any:
        coerced = self._coerce(other)
        if coerced is None:
            return NotImplemented
        return type(self)(*(a - b for a, b in zip(self, coerced, strict=True)))  # type: ignore[call-overload]

    def __abs__(self) -> float:
        return math.sqrt(sum(x * x for x in self))  # type: ignore[attr-defined]


def position_tuple(name: str, fields: Sequence[str]) -> type:
    """A namedtuple class ``name`` with ``fields`` and element-wise arithmetic."""
    return type(name, (_PositionArithmetic, namedtuple(f"_{name}", list(fields))), {"__slots__": ()})


_USAGE = """Positions can be given as positional arguments: method(px, py, pz, **kwargs),
as one sequence or position tuple: method((px, py, pz), **kwargs), or by name: method(px=1, py=2, **kwargs);
axes left out keep their current target."""


def to_position_tuple(
    cls: type, *args: Any, _current: Callable[[], Any], **kwargs: Any
) -> tuple[Any, dict[str, Any]]:
    """Split ``args``/``kwargs`` into a position of namedtuple class ``cls`` and the remaining keywords.

    Missing axes are taken from ``_current()``. ValueError for too many values, for values given both by
    position and by name, and when no position is given at all.
    """
    fields: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
    if args:
        first = args[0]
        if isinstance(first, Mapping):
            if len(args) > 1:
                raise ValueError(f"a mapping of positions cannot be followed by more values ({args!r})")
            overlap = set(first) & set(kwargs)
            if overlap:
                raise ValueError(f"axes given twice, in the mapping and by keyword: {sorted(overlap)}")
            kwargs.update(first)
            args = ()
        elif isinstance(first, (Sequence, np.ndarray)) and not isinstance(first, str):
            if len(args) > 1:
                raise ValueError(f"a sequence of positions cannot be followed by more values ({args!r})")
            args = tuple(first)
    if len(args) > len(fields):
        raise ValueError(f"{len(args)} values given for the {len(fields)} axes {fields}")
    if args:
        named = [field for field in fields if field in kwargs]
        if named:
            raise ValueError(f"axes {named} given both by position and by name")
        if len(args) < len(fields):
            args = (*args, *_current()[len(args) :])
        return cls(*args), kwargs
    if not any(field in kwargs for field in fields):
        raise ValueError(f"no position given for the axes {fields}. {_USAGE}")
    missing = [field for field in fields if field not in kwargs]
    current = _current() if missing else None
    position = cls(*(kwargs[field] if field in kwargs else getattr(current, field) for field in fields))
    return position, {key: value for key, value in kwargs.items() if key not in fields}


def _with_position(method: Callable[..., Any], convert: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        position, rest = getattr(self, convert)(*args, **kwargs)
        return method(self, position, **rest)

    return wrapped


def pseudo_position_argument(method: Callable[..., Any]) -> Callable[..., Any]:
    """Let a pseudo-positioner method that takes a PseudoPosition first (``forward``, ``move``) be called with
    a PseudoPosition, a sequence, a mapping, positional values or values by axis name.

    The method always receives a PseudoPosition; axes left out are taken from the current targets.
    """
    return _with_position(method, "to_pseudo_tuple")


def real_position_argument(method: Callable[..., Any]) -> Callable[..., Any]:
    """Let a pseudo-positioner method that takes a RealPosition first (``inverse``) be called with a
    RealPosition, a sequence, a mapping, positional values or values by axis name.

    The method always receives a RealPosition; axes left out are taken from the current real positions.
    """
    return _with_position(method, "to_real_tuple")
