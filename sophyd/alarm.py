"""EPICS alarm states, as classic ophyd names them (``ophyd.utils.epics_pvs.AlarmSeverity``, ``AlarmStatus``).

``EpicsSignal.alarm_severity`` and ``alarm_status`` (and ``read()``'s ``alarm_severity``) are these numbers;
the enums give them names. Values are EPICS base's (``alarm.h``), as classic ophyd numbers them.
"""

from __future__ import annotations

import enum

__all__ = ["AlarmSeverity", "AlarmStatus"]


class AlarmSeverity(enum.IntEnum):
    """How bad an alarm is (the record's SEVR field); compare with ``>`` to rank them."""

    NO_ALARM = 0
    MINOR = 1
    MAJOR = 2
    INVALID = 3


class AlarmStatus(enum.IntEnum):
    """Why a record is in alarm (the record's STAT field)."""

    NO_ALARM = 0
    READ = 1
    WRITE = 2
    HIHI = 3
    HIGH = 4
    LOLO = 5
    LOW = 6
    STATE = 7
    COS = 8
    COMM = 9
    TIMEOUT = 10
    HWLIMIT = 11
    CALC = 12
    SCAN = 13
    LINK = 14
    SOFT = 15
    BAD_SUB = 16
    UDF = 17
    DISABLE = 18
    SIMM = 19
    READ_ACCESS = 20
    WRITE_ACCESS = 21
