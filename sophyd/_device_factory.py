"""create_device_from_components: a Device subclass made at run time from a mapping of Components."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._component import Component

if TYPE_CHECKING:
    from .device import Device

__all__ = ["create_device_from_components"]


def create_device_from_components(
    name: str,
    *,
    docstring: str | None = None,
    default_read_attrs: Sequence[str] | None = None,
    default_configuration_attrs: Sequence[str] | None = None,
    base_class: type[Device] | tuple[type, ...] | None = None,
    class_kwargs: dict[str, Any] | None = None,
    **components: Component[Any],
) -> type[Device]:
    """Make a Device subclass called ``name`` from keyword arguments ``attr=Component(...)``.

    For devices whose layout is known only at run time (channel counts, plugin lists).
    """
    from .device import Device  # here: device imports this module

    if base_class is None:
        base_class = Device
    bases = base_class if isinstance(base_class, tuple) else (base_class,)
    namespace: dict[str, Any] = {
        "__doc__": docstring if docstring is not None else f"{name} Device",
        "_default_read_attrs": default_read_attrs,
        "_default_configuration_attrs": default_configuration_attrs,
    }
    for attr, component in components.items():
        if not isinstance(component, Component):
            raise ValueError(f"Attribute {attr} is not a Component. It is of type {type(component).__name__}")
        namespace[attr] = component
    cls: type[Device] = type(name, bases, namespace, **(class_kwargs or {}))
    return cls
