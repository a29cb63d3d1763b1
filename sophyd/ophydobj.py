"""The common base of signals and devices: naming, the parent tree, kind and subscriptions."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from .kind import Kind

__all__ = ["OphydObject"]

logger = logging.getLogger("sophyd.objects")

_cid_counter = itertools.count(1)


class OphydObject:
    """Names, parentage, ``kind`` and callbacks shared by every Signal and Device.

    Callbacks receive keyword arguments (``value``, ``old_value``, ``timestamp``, ``sub_type``, ``obj``, ...).
    A callback that raises is logged with this object's name and never disturbs the object or other callbacks.
    """

    SUB_VALUE = "value"
    SUB_META = "meta"
    _default_sub: str | None = None
    _event_types: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        name: str = "",
        attr_name: str = "",
        parent: OphydObject | None = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"name must be a str, not {name!r}")
        self._name = name
        self._attr_name = attr_name
        self._parent = parent
        self._ophyd_labels_ = set(labels or ())
        self._kind = Kind.coerce(kind if kind is not None else self._default_kind())
        self._subs_lock = threading.RLock()
        self._callbacks: dict[str, dict[int, Callable[..., Any]]] = {t: {} for t in self._event_types}
        self._args_cache: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._cid_to_event: dict[int, str] = {}

    def _default_kind(self) -> Kind:
        """Kind used when none is given: ``normal`` inside a parent, ``hinted`` for a standalone signal."""
        return Kind.normal

    # -- naming and the tree ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The name used as a data key prefix in documents."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._set_name(value)

    def _set_name(self, value: str) -> None:
        self._name = value

    @property
    def attr_name(self) -> str:
        """The attribute name of this object in its parent ('' at the top)."""
        return self._attr_name

    @property
    def parent(self) -> Any | None:
        """The device this object is a component of, or None."""
        return self._parent

    @property
    def root(self) -> OphydObject:
        """The top-most device of the tree this object belongs to."""
        obj: OphydObject = self
        while obj._parent is not None:
            obj = obj._parent
        return obj

    @property
    def dotted_name(self) -> str:
        """Attribute path from the root, e.g. ``'cam.acquire_time'`` ('' for the root itself)."""
        names = []
        obj: OphydObject | None = self
        while obj is not None and obj._parent is not None:
            names.append(obj._attr_name)
            obj = obj._parent
        return ".".join(reversed(names))

    @property
    def kind(self) -> Kind:
        """Where this object's data goes: read(), read_configuration(), hints (see :class:`Kind`)."""
        return self._kind

    @kind.setter
    def kind(self, value: Kind | str | int) -> None:
        self._kind = Kind.coerce(value)

    def _describe_me(self) -> str:
        """How error messages name this object: its name and its dotted path."""
        dotted = self.dotted_name
        if dotted and self.root.name:
            return f"{self.name!r} ({self.root.name}.{dotted})"
        return repr(self.name or type(self).__name__)

    # -- subscriptions ------------------------------------------------------------------------------------
    @property
    def event_types(self) -> tuple[str, ...]:
        """The subscription types this object emits."""
        return self._event_types

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> int:
        """Call ``callback(**kwargs)`` on every event of ``event_type``; return an id for ``unsubscribe``.

        With ``run=True`` the callback also runs at once with the latest event, when there has been one.
        """
        if not callable(callback):
            raise ValueError(f"callback must be callable, not {callback!r}")
        event_type = event_type or self._default_sub
        if event_type is None or event_type not in self._callbacks:
            raise KeyError(
                f"{self._describe_me()} has no event type {event_type!r}; choose one of {self._event_types}"
            )
        cid = next(_cid_counter)
        with self._subs_lock:
            self._callbacks[event_type][cid] = callback
            self._cid_to_event[cid] = event_type
            cached = self._args_cache.get(event_type)
        if run and cached is not None:
            args, kwargs = cached
            self._call_one(callback, args, dict(kwargs))
        self._on_first_subscription(event_type)
        return cid

    def unsubscribe(self, cid: int) -> None:
        """Remove the subscription with id ``cid``; unknown ids are ignored."""
        with self._subs_lock:
            event_type = self._cid_to_event.pop(cid, None)
            if event_type is not None:
                self._callbacks[event_type].pop(cid, None)

    def clear_sub(self, cb: Callable[..., Any], event_type: str | None = None) -> None:
        """Remove every subscription of ``cb`` (of one event type, or of all)."""
        with self._subs_lock:
            for etype, cbs in self._callbacks.items():
                if event_type is not None and etype != event_type:
                    continue
                for cid in [cid for cid, f in cbs.items() if f == cb]:
                    del cbs[cid]
                    self._cid_to_event.pop(cid, None)

    def unsubscribe_all(self) -> None:
        """Remove every subscription."""
        with self._subs_lock:
            for cbs in self._callbacks.values():
                cbs.clear()
            self._cid_to_event.clear()

    def _reset_sub(self, event_type: str) -> None:
        """Remove every subscription of one event type (classic ophyd's name for it)."""
        with self._subs_lock:
            for cid in self._callbacks.get(event_type, {}):
                self._cid_to_event.pop(cid, None)
            self._callbacks.get(event_type, {}).clear()

    def _on_first_subscription(self, event_type: str) -> None:
        """Hook for subclasses that start monitoring only when someone listens."""

    def _run_subs(self, *args: Any, sub_type: str, **kwargs: Any) -> None:
        """Run the callbacks of ``sub_type`` with ``obj`` and ``sub_type`` added; remember the event."""
        kwargs["sub_type"] = sub_type
        kwargs["obj"] = self
        with self._subs_lock:
            self._args_cache[sub_type] = (args, kwargs)
            callbacks = list(self._callbacks.get(sub_type, {}).values())
        for cb in callbacks:
            self._call_one(cb, args, dict(kwargs))

    def _call_one(self, cb: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            cb(*args, **kwargs)
        except Exception:
            logger.exception("Subscription callback %r of %s raised", cb, self._describe_me())

    def destroy(self) -> None:
        """Drop every subscription and release resources; the object is unusable afterwards."""
        self.unsubscribe_all()
        with self._subs_lock:
            self._args_cache.clear()
