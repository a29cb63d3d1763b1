"""AttributeSignal: a signal over a plain Python attribute of its parent (``source='PY:...'``).

It lets a device expose a Python-side setting (a counter, a mode kept in the object) to read(), describe()
and subscriptions like any other signal.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ._signal import Signal
from .errors import ReadOnlyError

__all__ = ["ArrayAttributeSignal", "AttributeSignal"]


class AttributeSignal(Signal):
    """The attribute ``attr`` of this signal's parent, read and written as a signal.

    ``attr`` may be dotted (``'settings.gain'``): the last part is the attribute, the rest the path to the
    object holding it. ``write_access=False`` refuses writes with ReadOnlyError.
    """

    def __init__(self, attr: str, *, parent: Any = None, write_access: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("value", None)  # the value lives in the attribute; nothing to replay before a put
        super().__init__(parent=parent, **kwargs)
        self.attr_base: str | None
        if "." in attr:
            self.attr_base, self.attr = attr.rsplit(".", 1)
        else:
            self.attr_base, self.attr = None, attr
        self._metadata.update(read_access=True, write_access=write_access)

    @property
    def full_attr(self) -> str:
        """The attribute path relative to the parent, dotted."""
        return self.attr if not self.attr_base else f"{self.attr_base}.{self.attr}"

    @property
    def base(self) -> Any:
        """The object that holds the attribute (the parent, or an object reached from it)."""
        obj = self.parent
        if self.attr_base is None:
            return obj
        for part in self.attr_base.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError as exc:
                owner = getattr(obj, "name", type(obj).__name__)
                raise AttributeError(f"{self._describe_me()}: {owner}.{part} ({exc})") from exc
        return obj

    def get(self, **kwargs: Any) -> Any:
        """The attribute's value now."""
        self._readback = getattr(self.base, self.attr)
        return self._readback

    def put(self, value: Any, *, force: bool = False, **kwargs: Any) -> None:
        """Set the attribute and tell subscribers."""
        if not self.write_access:
            raise ReadOnlyError(f"{self._describe_me()} is read-only; cannot write {value!r}")
        old = self.get()
        setattr(self.base, self.attr, value)
        self._readback = value
        self._timestamp = time.time()
        self._run_subs(old_value=old, value=value, timestamp=self._timestamp, sub_type=self.SUB_VALUE)

    @property
    def source(self) -> str:
        parent_name = getattr(self.parent, "name", "")
        return f"PY:{parent_name}.{self.full_attr}"

    def _repr_info(self) -> Any:
        yield ("attr", self.full_attr)
        yield from super()._repr_info()


class ArrayAttributeSignal(AttributeSignal):
    """An AttributeSignal whose value is read as a numpy array (so that describe() knows its shape)."""

    def get(self, **kwargs: Any) -> Any:
        return np.asarray(super().get(**kwargs))
