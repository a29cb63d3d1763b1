"""Component descriptors: how a Device class declares its signals and sub-devices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from .kind import Kind

__all__ = ["DDC", "Component", "Cpt", "DynamicDeviceComponent", "FCpt", "FormattedComponent"]

T = TypeVar("T")


class Component(Generic[T]):
    """Declares that a Device has a child of class ``cls`` at ``prefix + suffix``.

    Keyword arguments go to ``cls``; those named in ``add_prefix`` (by default ``suffix`` and ``write_pv``)
    get the device prefix put in front. ``lazy=True`` makes the child only on first access;
    ``trigger_value`` makes ``Device.trigger()`` set the child to that value.
    """

    def __init__(
        self,
        cls: type[T],
        suffix: str | None = None,
        *,
        lazy: bool = False,
        trigger_value: Any = None,
        add_prefix: Iterable[str] | None = None,
        doc: str | None = None,
        kind: Kind | str | int = Kind.normal,
        **kwargs: Any,
    ) -> None:
        self.cls = cls
        self.suffix = suffix
        self.lazy = lazy
        self.trigger_value = trigger_value
        self.add_prefix = tuple(add_prefix) if add_prefix is not None else ("suffix", "write_pv")
        self.kind = Kind.coerce(kind)
        self.kwargs = kwargs
        self.attr = ""
        self.doc = doc

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr
        if self.doc is None:
            self.doc = f"{self.cls.__name__} component {attr!r} (suffix {self.suffix!r})"

    @property
    def is_device(self) -> bool:
        """True when this component makes a sub-device rather than a signal."""
        from .device import Device

        return isinstance(self.cls, type) and issubclass(self.cls, Device)

    def maybe_add_prefix(self, instance: Any, kw: str, suffix: str) -> str:
        """``suffix`` with the device prefix in front, when keyword ``kw`` takes a prefix."""
        if kw in self.add_prefix:
            return f"{instance.prefix}{suffix}"
        return suffix

    def create_component(self, instance: Any) -> T:
        """Make the child for ``instance``, named ``{parent name}{separator}{attr}``."""
        kwargs = dict(self.kwargs)
        for kw, value in kwargs.items():
            if isinstance(value, str):
                kwargs[kw] = self.maybe_add_prefix(instance, kw, value)
        kwargs.update(
            name=instance._child_name(self.attr), parent=instance, kind=self.kind, attr_name=self.attr
        )
        if self.suffix is None:
            return self.cls(**kwargs)
        return self.cls(self.maybe_add_prefix(instance, "suffix", self.suffix), **kwargs)  # type: ignore[call-arg]

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance._get_component(self.attr)

    def __set__(self, instance: Any, value: Any) -> None:
        raise AttributeError(
            f"Cannot replace component {self.attr!r} of {instance.name!r}; use .put() or .set() on it"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.cls.__name__}, {self.suffix!r}, kind={self.kind.name!r})"


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
    """A sub-device made from a table ``{attr: (cls, suffix, kwargs)}`` that shares the parent's prefix."""

    def __init__(
        self,
        defn: Mapping[str, tuple[type, str | None, Mapping[str, Any]]],
        *,
        clsname: str | None = None,
        doc: str | None = None,
        kind: Kind | str | int = Kind.normal,
        default_read_attrs: list[str] | None = None,
        default_configuration_attrs: list[str] | None = None,
        component_class: type[Component[Any]] = Component,
    ) -> None:
        self.defn = dict(defn)
        self.clsname = clsname
        self.component_class = component_class
        self.default_read_attrs = default_read_attrs
        self.default_configuration_attrs = default_configuration_attrs
        super().__init__(object, "", doc=doc, kind=kind)

    def __set_name__(self, owner: type, attr: str) -> None:
        from .device import Device

        name = self.clsname or f"{owner.__name__}{attr.capitalize()}"
        namespace: dict[str, Any] = {}
        for child, (cls, suffix, kwargs) in self.defn.items():
            namespace[child] = self.component_class(cls, suffix, **dict(kwargs))
        self.cls = type(name, (Device,), namespace)
        super().__set_name__(owner, attr)

    def create_component(self, instance: Any) -> Any:
        kwargs: dict[str, Any] = {}
        if self.default_read_attrs is not None:
            kwargs["read_attrs"] = self.default_read_attrs
        if self.default_configuration_attrs is not None:
            kwargs["configuration_attrs"] = self.default_configuration_attrs
        return self.cls(
            instance.prefix,
            name=instance._child_name(self.attr),
            parent=instance,
            kind=self.kind,
            attr_name=self.attr,
            **kwargs,
        )


Cpt = Component
FCpt = FormattedComponent
DDC = DynamicDeviceComponent
