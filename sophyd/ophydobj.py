"""The common base of signals and devices: naming, the parent tree, kind and subscriptions."""

from __future__ import annotations

import enum
import itertools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from ._versions import register_version, select_version
from .kind import Kind
from .log import _TaggedLog, control_layer_logger

__all__ = [
    "OphydObject",
    "UnknownSubscription",
    "register_instances_in_weakset",
    "register_instances_keyed_on_name",
    "select_version",
]

logger = logging.getLogger("sophyd.objects")

#: The flag enum ``Kind`` is built on (classic ophyd's name for it).
IFBase = enum.IntFlag


def _name_tag(obj: OphydObject) -> dict[str, Any]:
    """The extra of an object's log records: its name, which LogFormatter puts in front of the message."""
    return {"ophyd_object_name": obj.name}


_cid_counter = itertools.count(1)


class UnknownSubscription(KeyError):
    """subscribe() or _run_subs() named an event type the object does not emit (a KeyError, as in classic)."""


def register_instances_keyed_on_name(fail_if_late: bool = False) -> weakref.WeakValueDictionary[str, Any]:
    """A WeakValueDictionary that receives every OphydObject made from now on, keyed on its name.

    Names need not be unique: a later object of the same name replaces an earlier one. ``fail_if_late=True``
    raises RuntimeError if an OphydObject was already made (the registry would miss it).
    """
    registry: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def register(instance: OphydObject) -> None:
        registry[instance.name] = instance

    OphydObject.add_instantiation_callback(register, fail_if_late)
    return registry


def register_instances_in_weakset(fail_if_late: bool = False) -> weakref.WeakSet[Any]:
    """A WeakSet that receives every OphydObject made from now on.

    ``fail_if_late=True`` raises RuntimeError if an OphydObject was already made (the set would miss it).
    """
    registry: weakref.WeakSet[Any] = weakref.WeakSet()
    OphydObject.add_instantiation_callback(registry.add, fail_if_late)
    return registry


class _Delivery:
    """What one subscription has been given: events reach its callback in the order they happened.

    Events are numbered per event type when they happen; an event older than one the callback already
    received is dropped instead of delivered late. The lock makes the replay of ``subscribe(run=True)`` (in
    the subscriber's thread) and live events (in a dispatcher thread) reach the callback one at a time.
    """

    __slots__ = ("lock", "seq")

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.seq = -1  # the number of the newest event given to the callback

    def deliver(
        self,
        obj: OphydObject,
        callback: Callable[..., Any],
        seq: int,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        with self.lock:
            if seq <= self.seq:
                return  # the callback has seen this event, or a newer one
            self.seq = seq
            obj._call_one(callback, args, dict(kwargs))


class _Subscriptions:
    """One object's subscriptions and its latest event of each type, made when first needed.

    Most signals are never subscribed to: keeping these tables out of every object until the first
    subscription or event saves most of a kilobyte per signal.
    """

    __slots__ = ("args_cache", "callbacks", "cid_to_event", "deliveries", "event_seq", "lock")

    def __init__(self, event_types: tuple[str, ...]) -> None:
        self.lock = threading.RLock()
        self.callbacks: dict[str, dict[int, Callable[..., Any]]] = {t: {} for t in event_types}
        self.args_cache: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self.event_seq: dict[str, int] = {}  # how many events of each type have happened
        self.deliveries: dict[int, _Delivery] = {}
        self.cid_to_event: dict[int, str] = {}


# Makes each object's _Subscriptions and label set: two threads asking at once get the same one.
_lazy_lock = threading.Lock()


class OphydObject:
    """Names, parentage, ``kind`` and callbacks shared by every Signal and Device.

    Callbacks receive keyword arguments (``value``, ``old_value``, ``timestamp``, ``sub_type``, ``obj``, ...).
    A callback that raises is logged with this object's name and never disturbs the object or other callbacks.
    """

    _default_sub: ClassVar[str | None] = None
    #: The event types this class emits: every class attribute named ``SUB_*`` or ``_SUB_*`` (as classic).
    subscriptions: ClassVar[frozenset[str]] = frozenset()
    _event_types: ClassVar[tuple[str, ...]] = ()
    _instantiation_callbacks: ClassVar[list[Callable[[Any], None]]] = []
    _any_instantiated: ClassVar[bool] = False

    def __init_subclass__(
        cls, version: Any = None, version_of: type | None = None, version_type: Any = None, **kwargs: Any
    ) -> None:
        """Collect the event types; ``version``, ``version_of``, ``version_type`` join a version family
        (see select_version)."""
        super().__init_subclass__(**kwargs)
        register_version(cls, version, version_of, version_type)
        # the names dir(cls) would give, without its cost (it sorts every attribute of a deep hierarchy)
        keys = {key for klass in cls.__mro__ for key in vars(klass) if key.startswith(("SUB", "_SUB"))}
        names = {getattr(cls, key) for key in keys}
        names.update(cls.__dict__.get("_event_types", ()))  # a class may also list them explicitly
        for base in cls.__bases__:
            names.update(getattr(base, "subscriptions", ()))
        cls.subscriptions = frozenset(name for name in names if isinstance(name, str))
        cls._event_types = tuple(sorted(cls.subscriptions))

    @classmethod
    def add_instantiation_callback(cls, callback: Callable[[Any], None], fail_if_late: bool = False) -> None:
        """Call ``callback(obj)`` for every OphydObject made from now on (of any class).

        ``fail_if_late=True`` raises RuntimeError when an OphydObject was already made, so a registry can make
        sure it misses none.
        """
        if fail_if_late and OphydObject._any_instantiated:
            raise RuntimeError(
                "An OphydObject has already been made: this callback would miss it. "
                "Pass fail_if_late=False if that is acceptable."
            )
        OphydObject._instantiation_callbacks.append(callback)

    def __init__(
        self,
        *,
        name: str | None = "",
        attr_name: str = "",
        parent: OphydObject | None = None,
        labels: set[str] | None = None,
        kind: Kind | str | int | None = None,
    ) -> None:
        if name is None:
            name = ""
        if not isinstance(name, str):
            raise ValueError(f"name must be a str, not {name!r}")
        self._name = name
        self._attr_name = attr_name
        self._parent = parent
        self._labels: set[str] | None = set(labels) if labels else None  # made on first use (_ophyd_labels_)
        self._kind = Kind.coerce(kind if kind is not None else self._default_kind())
        self._subs: _Subscriptions | None = None  # made by the first subscription or event (_table)
        OphydObject._any_instantiated = True
        for callback in list(OphydObject._instantiation_callbacks):
            callback(self)

    def _default_kind(self) -> Kind:
        """The kind of an object made without ``kind=``: ``normal`` (``Signal`` overrides it)."""
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

    @property
    def connected(self) -> bool:
        """True when the object can be used; always True here, signals and devices say more."""
        return True

    #: This object's logger (``'sophyd.objects'``), whose records carry ``ophyd_object_name``.
    log = _TaggedLog(logger, _name_tag)
    #: The control layer's logger (``'sophyd.control_layer'``), whose records carry ``ophyd_object_name``.
    control_layer_log = _TaggedLog(control_layer_logger, _name_tag)

    def check_value(self, value: Any) -> None:
        """Raise if ``value`` cannot be written to this object; the base accepts anything (signals check)."""

    @property
    def report(self) -> dict[str, Any]:
        """A report on the object (empty here, as in classic ophyd); subclasses may add to it."""
        return {}

    def _describe_me(self) -> str:
        """How error messages name this object: its name and its dotted path."""
        dotted = self.dotted_name
        if dotted and self.root.name:
            return f"{self.name!r} ({self.root.name}.{dotted})"
        return repr(self.name or type(self).__name__)

    # -- subscriptions ------------------------------------------------------------------------------------
    def _table(self) -> _Subscriptions:
        """This object's subscription tables, made on first use (once, whichever thread asks first)."""
        subs = self._subs
        if subs is None:
            with _lazy_lock:
                subs = self._subs
                if subs is None:
                    subs = self._subs = _Subscriptions(self._event_types)
        return subs

    @property
    def _subs_lock(self) -> threading.RLock:
        """The lock of this object's subscription tables."""
        return self._table().lock

    @property
    def _callbacks(self) -> dict[str, dict[int, Callable[..., Any]]]:
        """The subscribed callbacks by event type and subscription id (classic ophyd's attribute)."""
        return self._table().callbacks

    @property
    def _args_cache(self) -> dict[str, tuple[tuple[Any, ...], dict[str, Any]]]:
        """The latest event of each type, replayed by ``subscribe(run=True)`` (classic ophyd's attribute)."""
        return self._table().args_cache

    @property
    def _ophyd_labels_(self) -> set[str]:
        """The labels given at construction (classic ophyd's attribute; the set is made on first use)."""
        labels = self._labels
        if labels is None:
            with _lazy_lock:
                labels = self._labels
                if labels is None:
                    labels = self._labels = set()
        return labels

    @_ophyd_labels_.setter
    def _ophyd_labels_(self, value: set[str]) -> None:
        self._labels = value

    def _has_subscribers(self, event_type: str) -> bool:
        """Whether any callback is subscribed to ``event_type`` (without making the tables)."""
        subs = self._subs
        return subs is not None and bool(subs.callbacks.get(event_type))

    @property
    def event_types(self) -> tuple[str, ...]:
        """The subscription types this object emits."""
        return self._event_types

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        """Call ``callback(**kwargs)`` on every event of ``event_type``; return an id for ``unsubscribe``.

        With ``run=True`` the callback also runs at once with the latest event, when there has been one; an
        event that happens meanwhile reaches it only after that replay, so it sees values in order.
        The id is an int; it is typed ``Any`` so that sophyd objects satisfy bluesky's ``Subscribable``
        protocol (whose ``subscribe`` returns None) for a type checker, as classic ophyd's untyped ones do.
        """
        if not callable(callback):
            raise ValueError(f"callback must be callable, not {callback!r}")
        if event_type is None:
            event_type = self._default_sub
        if event_type is None:
            raise ValueError(
                f"{self._describe_me()} ({type(self).__name__}) has no default event type; "
                f"name one of {self._event_types}"
            )
        self._check_event_type(event_type)
        cid = next(_cid_counter)
        delivery = _Delivery()
        subs = self._table()
        with subs.lock:
            subs.callbacks[event_type][cid] = callback
            subs.deliveries[cid] = delivery
            subs.cid_to_event[cid] = event_type
            cached = subs.args_cache.get(event_type)
            seq = subs.event_seq.get(event_type, 0)
        if run and cached is not None:
            args, kwargs = cached
            delivery.deliver(self, callback, seq, args, kwargs)
        self._on_first_subscription(event_type)
        return cid

    def unsubscribe(self, cid: int) -> None:
        """Remove the subscription with id ``cid``; unknown ids are ignored."""
        subs = self._subs
        if subs is None:
            return
        with subs.lock:
            event_type = subs.cid_to_event.pop(cid, None)
            subs.deliveries.pop(cid, None)
            if event_type is not None:
                subs.callbacks[event_type].pop(cid, None)

    def clear_sub(self, cb: Callable[..., Any], event_type: str | None = None) -> None:
        """Remove every subscription of ``cb`` (of one event type, or of all)."""
        subs = self._subs
        if subs is None:
            return
        with subs.lock:
            for etype, cbs in subs.callbacks.items():
                if event_type is not None and etype != event_type:
                    continue
                for cid in [cid for cid, f in cbs.items() if f == cb]:
                    del cbs[cid]
                    subs.cid_to_event.pop(cid, None)
                    subs.deliveries.pop(cid, None)

    def unsubscribe_all(self) -> None:
        """Remove every subscription."""
        subs = self._subs
        if subs is None:
            return
        with subs.lock:
            for cbs in subs.callbacks.values():
                cbs.clear()
            subs.cid_to_event.clear()
            subs.deliveries.clear()

    def _check_event_type(self, event_type: str) -> None:
        if event_type not in self.subscriptions:
            raise UnknownSubscription(
                f"{self._describe_me()} has no event type {event_type!r}; choose one of {self._event_types}"
            )

    def _reset_sub(self, event_type: str) -> None:
        """Remove every subscription of one event type (classic ophyd's name for it)."""
        subs = self._subs
        if subs is None:
            return
        with subs.lock:
            for cid in subs.callbacks.get(event_type, {}):
                subs.cid_to_event.pop(cid, None)
                subs.deliveries.pop(cid, None)
            subs.callbacks.get(event_type, {}).clear()

    def _on_first_subscription(self, event_type: str) -> None:
        """Hook for subclasses that start monitoring only when someone listens."""

    def _run_subs(self, *args: Any, sub_type: str, **kwargs: Any) -> None:
        """Run the callbacks of ``sub_type`` with ``obj`` and ``sub_type`` added; remember the event.

        A ``timestamp`` of None becomes the current time; an unknown ``sub_type`` raises UnknownSubscription.
        """
        self._check_event_type(sub_type)
        if "timestamp" in kwargs and kwargs["timestamp"] is None:
            kwargs["timestamp"] = time.time()
        kwargs["sub_type"] = sub_type
        kwargs["obj"] = self
        subs = self._table()
        with subs.lock:
            seq = subs.event_seq[sub_type] = subs.event_seq.get(sub_type, 0) + 1
            subs.args_cache[sub_type] = (args, kwargs)
            targets = [(cb, subs.deliveries[cid]) for cid, cb in subs.callbacks.get(sub_type, {}).items()]
        for cb, delivery in targets:
            delivery.deliver(self, cb, seq, args, kwargs)

    def _call_one(self, cb: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            cb(*args, **kwargs)
        except Exception:
            logger.exception("Subscription callback %r of %s raised", cb, self._describe_me())

    def destroy(self) -> None:
        """Drop every subscription and release resources; the object is unusable afterwards."""
        self.unsubscribe_all()
        subs = self._subs
        if subs is not None:
            with subs.lock:
                subs.args_cache.clear()

    # -- repr and copy ------------------------------------------------------------------------------------
    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        """(keyword, value) pairs that rebuild this object; ``repr()`` and ``copy.copy()`` are made from them."""
        yield ("name", getattr(self, "_name", ""))
        parent = getattr(self, "_parent", None)
        if parent is not None:
            yield ("parent", parent.name)

    def __repr__(self) -> str:
        info = ", ".join(f"{key}={value!r}" for key, value in self._repr_info())
        return f"{type(self).__name__}({info})"

    def __copy__(self) -> OphydObject:
        """A new object of the same class made from the ``_repr_info()`` pairs (as classic ophyd copies).

        The copy gets this object's parent itself, where the repr shows only the parent's name.
        """
        kwargs = dict(self._repr_info())
        if "parent" in kwargs:
            kwargs["parent"] = self._parent
        return type(self)(**kwargs)
