"""How the simulated IOCs declare their enum and string PVs: one helper for each kind, shared by every IOC."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caproto import ChannelType
from caproto.server import pvproperty

__all__ = ["menu", "number", "string", "with_rbv"]


def menu(name: str, choices: tuple[str, ...], value: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """An enum PV (DBR_ENUM, an mbbo/bo record's VAL) with the states ``choices``, starting at ``value``."""
    return pvproperty(
        name=name, value=value, dtype=ChannelType.ENUM, enum_strings=choices, read_only=read_only, doc=doc
    )


def string(name: str, value: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """A DBR_STRING PV (at most 39 characters, as a stringout record's VAL or a record's .EGU/.DESC field)."""
    return pvproperty(name=name, value=value, dtype=ChannelType.STRING, read_only=read_only, doc=doc)


def number(name: str, value: float, doc: str, *, read_only: bool = False, **kwargs: Any) -> pvproperty:
    """A float or int PV (an ao/longout record's VAL), depending on the type of ``value``."""
    return pvproperty(name=name, value=value, dtype=type(value), read_only=read_only, doc=doc, **kwargs)


def with_rbv(
    factory: Callable[..., pvproperty], name: str, *args: Any, **kwargs: Any
) -> tuple[pvproperty, pvproperty]:
    """An areaDetector setting ``name`` and its read-only readback ``name_RBV``, both made by ``factory``
    (``menu``, ``string``, ``number``) with the same arguments; unpack them into two class attributes."""
    return factory(name, *args, **kwargs), factory(f"{name}_RBV", *args, read_only=True, **kwargs)
