"""The part of an EPICS signal's metadata that mirrors its channels: connection, access rights and the control
fields (units, precision, limits, enum labels), copied when what the channels know changes.

Kept apart from the signal class, with a lock of its own (one for all mirrors: a copy is short), so that copying
the channels' state never waits on the signal's other work (starting monitors, destroy) and the signal module
holds only the user-facing semantics.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from .control import Channel, PVInfo

__all__ = ["MetadataMirror", "metadata_from_info"]


def metadata_from_info(info: PVInfo) -> dict[str, Any]:
    """The classic metadata keys a connected PV's ``info`` fills in."""
    return {
        "connected": True,
        "read_access": info.read_access,
        "units": info.units,
        "precision": info.precision,
        "lower_ctrl_limit": info.lower_ctrl_limit,
        "upper_ctrl_limit": info.upper_ctrl_limit,
        "lower_disp_limit": info.lower_disp_limit,
        "upper_disp_limit": info.upper_disp_limit,
        "lower_alarm_limit": info.lower_alarm_limit,
        "upper_alarm_limit": info.upper_alarm_limit,
        "lower_warning_limit": info.lower_warning_limit,
        "upper_warning_limit": info.upper_warning_limit,
        "enum_strs": tuple(info.enum_strs) if info.enum_strs else None,
    }


# Serialises the copies of every mirror: a copy is a few dict operations and never waits on anything else.
_copy_lock = threading.Lock()


class MetadataMirror:
    """Copies what a signal's channels know into the signal's metadata dict (updated in place)."""

    __slots__ = ("_metadata", "_state", "changed")

    def __init__(self, metadata: dict[str, Any]) -> None:
        self._metadata = metadata
        self._state: tuple[Any, ...] = ()  # what the channels knew at the last copy
        #: The channels changed the metadata at least once (set by the signal, which records a 'meta' event of
        #: it only once it has subscription tables).
        self.changed = False

    def snapshot(self) -> dict[str, Any]:
        """A copy of the metadata, never taken half-way through a copy of the channels' state."""
        with _copy_lock:
            return dict(self._metadata)

    def refresh(
        self,
        channels: Sequence[Channel],
        read_channel: Channel,
        write_access: Callable[[PVInfo], bool],
        limits_channel: Channel | None = None,
    ) -> bool:
        """Copy the channels' state if it changed since the last copy; True when the metadata changed.

        ``write_access(info)`` says whether the signal may write, given the read channel's info (a signal
        that writes through another channel asks that one). ``limits_channel``, when not the read channel,
        supplies the control limits: those bound what may be written, so they are the setpoint PV's."""
        state = tuple(ch.connected and ch.info() for ch in channels)
        if state == self._state:
            return False
        with _copy_lock:
            self._state = state
            before = dict(self._metadata)
            if read_channel.connected:
                info = read_channel.info()
                self._metadata.update(metadata_from_info(info))
                self._metadata["write_access"] = write_access(info)
            if limits_channel is not None and limits_channel is not read_channel:
                limits = limits_channel.info() if limits_channel.connected else None
                self._metadata["lower_ctrl_limit"] = limits.lower_ctrl_limit if limits else None
                self._metadata["upper_ctrl_limit"] = limits.upper_ctrl_limit if limits else None
            self._metadata["connected"] = all(ch.connected for ch in channels)
            return self._metadata != before
