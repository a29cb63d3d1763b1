"""``read_attrs`` and ``configuration_attrs``: list views of a device's component kinds.

Kind is the single source of truth. The views list the (dotted) names of the components whose kind has the
view's bit; assigning a list sets that bit on the named components and clears it on the others, as classic
ophyd does: taking a component out of ``read_attrs`` clears ``hinted`` too, and a dotted name ``'sub.a'`` keeps
``sub`` in the view and assigns ``['a']`` to ``sub``'s own view.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence
from typing import TYPE_CHECKING, Any, overload

from .kind import Kind

if TYPE_CHECKING:
    from .device import Device

__all__ = ["AttrList", "set_kinds_from_list", "summary_text"]


def set_kinds_from_list(device: Device, names: Iterable[str], view: str) -> None:
    """Give the components named in ``names`` the bit of ``view`` ('read_attrs' or 'configuration_attrs')
    and take it from the others. Names are checked before any kind changes."""
    set_kind, unset_kind = _VIEW_KINDS[view]
    wanted = list(names)
    nested: dict[str, list[str]] = {}
    for name in wanted:
        head, dot, rest = name.partition(".")
        if head not in device.component_names:
            raise ValueError(
                f"You asked to add the component {name!r} to {view} of {device._describe_me()}, but there is "
                f"no such child in {device.component_names}"
            )
        if dot:
            if not device._sig_attrs[head].is_device:
                raise ValueError(f"{view} of {device._describe_me()}: {head!r} is not a device, in {name!r}")
            nested.setdefault(head, []).append(rest)
    for attr in device.component_names:
        kind = device._get_kind(attr)
        device._set_kind(attr, kind | set_kind if attr in wanted else kind & ~unset_kind)
    for head, rests in nested.items():
        child = device._get_component(head)  # a grandchild's kind is set on its made parent
        child.kind |= set_kind
        setattr(child, view, rests)


#: view -> (the bit an entry sets, the bits leaving the view clears); leaving read_attrs clears hinted too.
_VIEW_KINDS = {
    "read_attrs": (Kind.normal, Kind.hinted),
    "configuration_attrs": (Kind.config, Kind.config),
}


class AttrList(MutableSequence[str]):
    """The live list of a device's ``read_attrs`` or ``configuration_attrs``.

    Reading it lists the names whose kind has the view's bit, sub-devices' entries as dotted names.
    ``append``/``insert`` add the bit to a component, ``remove``/``del`` take it away; compare and
    concatenate it like a list.
    """

    def __init__(self, device: Device, view: str) -> None:
        self._device = device
        self._view = view
        self._kind, self._remove_kind = _VIEW_KINDS[view]

    def _names(self) -> list[str]:
        names: list[str] = []
        for attr, child in self._device._instantiated_children(self._kind):
            names.append(attr)
            names.extend(f"{attr}.{sub}" for sub in getattr(child, self._view, []))
        return names

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._names()[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        raise NotImplementedError(f"assign the whole list instead: device.{self._view} = [...]")

    def __delitem__(self, index: int | slice) -> None:
        names = self._names()[index]
        for name in [names] if isinstance(names, str) else names:
            self.remove(name)

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def insert(self, index: int, value: str) -> None:
        component = self._device._get_dotted(value)
        component.kind |= self._kind

    def remove(self, value: str) -> None:
        if value not in self._names():
            raise ValueError(f"{value!r} is not in {self._view} of {self._device._describe_me()}")
        component = self._device._get_dotted(value)
        component.kind &= ~self._remove_kind

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Iterable[str]) -> list[str]:
        return list(self) + list(other)

    def __radd__(self, other: Iterable[str]) -> list[str]:
        return list(other) + list(self)

    def __repr__(self) -> str:
        return repr(list(self))


def summary_text(device: Device) -> str:
    """The text Device.summary() prints: data keys (hinted ones starred), read attrs, config keys,
    configuration attrs and unused attrs."""
    read_attrs = list(device.read_attrs)
    config_attrs = list(device.configuration_attrs)
    used = set(read_attrs + config_attrs)
    hints = device.hints.get("fields", [])

    def leaf(attr: str) -> str:
        child = device._get_dotted(attr)
        return f"{attr:<20} {type(child).__name__:<20}({child.name!r})"

    sections = [
        (
            "data keys (* hints)",
            [("*" if key in hints else " ") + key for key in sorted(device.describe())],
        ),
        ("read attrs", [leaf(a) for a in read_attrs]),
        ("config keys", sorted(device.describe_configuration())),
        ("configuration attrs", [leaf(a) for a in config_attrs]),
        ("unused attrs", [leaf(a) for a in device.component_names if a not in used]),
    ]
    lines: list[str] = []
    for title, items in sections:
        lines += [title, "-" * len(title), *items, ""]
    return "\n".join(lines)
