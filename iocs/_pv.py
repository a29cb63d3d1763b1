"""How the simulated IOCs declare their enum and string PVs: one helper for each kind, shared by every IOC."""

from __future__ import annotations

from caproto import ChannelType
from caproto.server import pvproperty

__all__ = ["menu", "string"]


def menu(name: str, choices: tuple[str, ...], value: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """An enum PV (DBR_ENUM, an mbbo/bo record's VAL) with the states ``choices``, starting at ``value``."""
    return pvproperty(
        name=name, value=value, dtype=ChannelType.ENUM, enum_strings=choices, read_only=read_only, doc=doc
    )


def string(name: str, value: str, doc: str, *, read_only: bool = False) -> pvproperty:
    """A DBR_STRING PV (at most 39 characters, as a stringout record's VAL or a record's .EGU/.DESC field)."""
    return pvproperty(name=name, value=value, dtype=ChannelType.STRING, read_only=read_only, doc=doc)
