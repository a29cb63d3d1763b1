"""Component descriptors: how a Device class declares its signals and sub-devices."""

from __future__ import annotations

import collections
import contextlib
import functools
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, overload

from ._signal import Signal
from .kind import Kind

if TYPE_CHECKING:
    from .device import Device

__all__ = [
    "ALL_COMPONENTS",
    "DDC",
    "Component",
    "Cpt",
    "DynamicDeviceComponent",
    "FCpt",
    "FormattedComponent",
    "kind_context",
]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

#: Given as ``read_attrs`` or ``configuration_attrs`` (or their class defaults), selects every component.
ALL_COMPONENTS: Any = object()


class Component(Generic[T]):
    """Declares that a Device has a child of class ``cls`` at ``prefix + suffix``.

    Keyword arguments go to ``cls``; those named in ``add_prefix`` (by default ``suffix`` and ``write_pv``)
    get the device prefix put in front. ``lazy=True`` makes the child only on first access (default:
    the class attribute ``lazy_default``); ``trigger_value`` makes ``Device.trigger()`` set the child to it.
    Seen on a device instance, a Component is the child itself (typed as ``cls``); on the class, the Component.
    """

    #: Laziness of components made without ``lazy=``; a subclass may change it.
    lazy_default: ClassVar[bool] = False

    def __init__(
        self,
        cls: type[T],
        suffix: str | None = None,
        *,
        lazy: bool | None = None,
        trigger_value: Any = None,
        add_prefix: Iterable[str] | None = None,
        doc: str | None = None,
        kind: Kind | str | int = Kind.normal,
        **kwargs: Any,
    ) -> None:
        self.cls = cls
        self.suffix = suffix
        self.lazy = self.lazy_default if lazy is None else lazy
        self.trigger_value = trigger_value
        self.add_prefix = tuple(add_prefix) if add_prefix is not None else ("suffix", "write_pv")
        self.kind = Kind.coerce(kind)
        self.kwargs = kwargs
        self.attr = ""
        self.doc = doc
        self._doc_given = doc is not None
        #: event type (None: the child's default) -> methods of the device subscribed by decorator
        self._subscriptions: collections.defaultdict[str | None, list[Callable[..., Any]]] = (
            collections.defaultdict(list)
        )

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr
        if self.doc is None:
            self.doc = (
                f"{getattr(self.cls, '__name__', self.cls)} component {attr!r} (suffix {self.suffix!r})"
            )

    def make_docstring(self, parent_class: type) -> str:
        """The component's docstring, as classic ophyd makes it: the ``doc=`` given, else the class name and
        the component's repr (``parent_class``, the device class, is accepted for classic's signature)."""
        if self._doc_given and self.doc is not None:
            return self.doc
        return "\n".join(
            [f"{type(self).__name__} attribute", "::", "", textwrap.indent(repr(self), " " * 4), ""]
        )

    @property
    def is_device(self) -> bool:
        """True when this component makes a sub-device rather than a signal."""
        return isinstance(self.cls, type) and issubclass(self.cls, _device_class())

    @property
    def is_signal(self) -> bool:
        """True when this component makes a signal."""
        return isinstance(self.cls, type) and issubclass(self.cls, Signal)

    def maybe_add_prefix(self, instance: Any, kw: str, suffix: str) -> str:
        """``suffix`` with the device prefix in front, when keyword ``kw`` takes a prefix."""
        if kw in self.add_prefix:
            return f"{instance.prefix}{suffix}"
        return suffix

    def create_component(self, instance: Device) -> T:
        """Make the child for ``instance``, named ``{parent name}{separator}{attr}``.

        A lazy child is waited for (``wait_for_connection()``) unless the device's
        ``lazy_wait_for_connection`` is False; a child device inherits the device's child-name separator.
        """
        kwargs = dict(self.kwargs)
        for kw, value in kwargs.items():
            if isinstance(value, str):
                kwargs[kw] = self.maybe_add_prefix(instance, kw, value)
        kwargs.update(
            name=instance._child_name(self.attr),
            parent=instance,
            kind=instance._component_kinds[self.attr],
            attr_name=self.attr,
        )
        if self.is_device and instance._child_name_separator != "_":
            kwargs.setdefault("child_name_separator", instance._child_name_separator)
        if self.suffix is None:
            child = self.cls(**kwargs)
        else:
            child = self.cls(self.maybe_add_prefix(instance, "suffix", self.suffix), **kwargs)  # type: ignore[call-arg]
        if self.lazy and getattr(instance, "lazy_wait_for_connection", True):
            wait = getattr(child, "wait_for_connection", None)
            if wait is not None:
                wait()
        return child

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Component[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Component[T] | T:
        if instance is None:
            return self
        child: T = instance._get_component(self.attr)  # type: ignore[attr-defined]
        return child

    def __set__(self, instance: Any, value: Any) -> None:
        raise AttributeError(
            f"Cannot replace component {self.attr!r} of {instance.name!r}; use .put() or .set() on it"
        )

    # -- subscriptions declared in the class body ---------------------------------------------------------
    def subscriptions(self, event_type: str | None) -> Callable[[F], F]:
        """Decorator: subscribe the decorated Device method to the child's ``event_type`` events
        (None: the child's default event type) when the child is made."""

        def subscriber(func: F) -> F:
            self._subscriptions[event_type].append(func)
            if not hasattr(func, "_subscriptions"):
                func._subscriptions = []  # type: ignore[attr-defined]
            func._subscriptions.append((self, event_type))  # type: ignore[attr-defined]
            return func

        return subscriber

    def sub_default(self, func: F) -> F:
        """Decorator: subscribe the method to the child's default event type."""
        return self.subscriptions(None)(func)

    def sub_meta(self, func: F) -> F:
        """Decorator: subscribe the method to the child's metadata (``'meta'``) events."""
        return self.subscriptions("meta")(func)

    def sub_value(self, func: F) -> F:
        """Decorator: subscribe the method to the child's value (``'value'``) events."""
        return self.subscriptions("value")(func)

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.kwargs.items() if k not in ("read_attrs", "configuration_attrs")}
        shown["kind"] = self.kind.name
        args = [getattr(self.cls, "__name__", repr(self.cls))]
        if self.suffix:
            args.append(repr(self.suffix))
        args.extend(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({', '.join(args)})"


@functools.cache
def _device_class() -> type:
    """The Device class, imported on first use: device imports this module."""
    from .device import Device

    return Device


class FormattedComponent(Component[T]):
    """A Component whose suffix is a format string over the device, e.g. ``'{prefix}:m{self._axis}'``.

    The formatted string is the whole PV name: the prefix is not prepended.
    """

    def maybe_add_prefix(self, instance: Any, kw: str, suffix: str) -> str:
        if kw not in self.add_prefix:
            return suffix
        fields = {k: v for k, v in vars(instance).items() if not k.startswith("__")}
        return suffix.format(self=instance, **fields)


class DynamicDeviceComponent(Component[Any]):
    """A sub-device made from a table ``{attr: (cls, suffix, kwargs)}`` that shares the parent's prefix.

    The sub-device class is made with ``create_device_from_components`` when the owner class is defined;
    ``default_read_attrs``/``default_configuration_attrs`` become its class defaults.
    """

    def __init__(
        self,
        defn: Mapping[str, tuple[type, str | None, Mapping[str, Any]]],
        *,
        clsname: str | None = None,
        doc: str | None = None,
        kind: Kind | str | int = Kind.normal,
        default_read_attrs: Iterable[str] | None = None,
        default_configuration_attrs: Iterable[str] | None = None,
        component_class: type[Component[Any]] = Component,
        base_class: type | None = None,
    ) -> None:
        self.defn = dict(defn)
        self.clsname = clsname
        self.component_class = component_class
        self.base_class = base_class
        self.default_read_attrs = None if default_read_attrs is None else tuple(default_read_attrs)
        self.default_configuration_attrs = (
            None if default_configuration_attrs is None else tuple(default_configuration_attrs)
        )
        self.components: dict[str, Any] = {
            attr: component_class(cls, suffix, **dict(kwargs))
            for attr, (cls, suffix, kwargs) in self.defn.items()
        }
        super().__init__(object, "", lazy=False, doc=doc, kind=kind)
        for attr, cpt in self.components.items():
            if not hasattr(self, attr):
                setattr(self, attr, cpt)

    def __set_name__(self, owner: type, attr: str) -> None:
        from ._device_factory import create_device_from_components  # here: both import this module
        from .device import Device
        from .utils._helpers import underscores_to_camel_case

        if self.clsname is None:  # classic's name: 'array_size' -> 'ArraySize'
            self.clsname = underscores_to_camel_case(attr)
        self.cls = create_device_from_components(
            self.clsname,
            default_read_attrs=self.default_read_attrs,
            default_configuration_attrs=self.default_configuration_attrs,
            base_class=self.base_class or Device,
            **self.components,
        )
        super().__set_name__(owner, attr)

    def subscriptions(self, event_type: str | None) -> Callable[[F], F]:
        raise NotImplementedError("DynamicDeviceComponent does not support decorator subscriptions")

    def __repr__(self) -> str:
        return "\n".join(f"{attr} = {cpt!r}" for attr, cpt in self.components.items())


@contextlib.contextmanager
def kind_context(kind: Kind | str | int) -> Iterator[Callable[..., Component[Any]]]:
    """Yield ``Component`` with ``kind`` already given, for declaring a group of components of one kind.

    Used in a class body: ``with kind_context("config") as ConfigCpt:`` then ``gain = ConfigCpt(...)``.
    """
    yield functools.partial(Component, kind=kind)


Cpt = Component
FCpt = FormattedComponent
DDC = DynamicDeviceComponent
