"""EPICS alarm severities, as classic ophyd names them (``ophyd.utils.epics_pvs.AlarmSeverity``)."""

from __future__ import annotations

import enum

__all__ = ["AlarmSeverity"]


class AlarmSeverity(enum.IntEnum):
    """The severity EPICS attaches to every value: compare with ``>`` to rank them."""

    NO_ALARM = 0
    MINOR = 1
    MAJOR = 2
    INVALID = 3
