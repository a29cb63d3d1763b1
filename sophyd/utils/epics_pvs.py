"""Classic ophyd's ``ophyd.utils.epics_pvs``: alarm enums, PV-name helpers, data types, ``set_and_wait``."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

from .._checks import check_pv_name
from .._signal import set_and_wait
from ..alarm import AlarmSeverity, AlarmStatus
from ..errors import BadPVName, DisconnectedError

__all__ = [
    "AlarmSeverity",
    "AlarmStatus",
    "BadPVName",
    "data_shape",
    "data_type",
    "fmt_time",
    "raise_if_disconnected",
    "record_field",
    "records_from_db",
    "set_and_wait",
    "split_record_field",
    "strip_field",
    "validate_pv_name",
    "waveform_to_string",
]

_F = TypeVar("_F", bound=Callable[..., Any])


def validate_pv_name(pv: str) -> None:
    """Raise BadPVName (a ValueError) when ``pv`` is not a name Channel Access could search for.

    Classic ophyd's name for the check every EPICS signal makes of its PV names (``sophyd._checks``): more
    than one ``.`` (record.FIELD allows one), and also an empty name, whitespace or a name that is not a str.
    """
    check_pv_name(pv)


def split_record_field(pv: str) -> tuple[str, str]:
    """``'rec.VAL'`` -> ``('rec', 'VAL')``; ``'rec'`` -> ``('rec', '')``."""
    if "." not in pv:
        return pv, ""
    record, field = pv.rsplit(".", 1)
    return record, field


def strip_field(pv: str) -> str:
    """The record part of ``pv`` (``'rec.VAL'`` -> ``'rec'``)."""
    return split_record_field(pv)[0]


def record_field(record: str, field: str) -> str:
    """The PV of ``field`` of ``record`` (``record_field('rec.VAL', 'egu')`` -> ``'rec.EGU'``)."""
    return f"{strip_field(record)}.{field.upper()}"


def waveform_to_string(value: Any, type_: Callable[[Any], str] = str, delim: str = "") -> str:
    """The text a CHAR waveform holds: its codes joined by ``delim`` as characters, cut at the first NUL.

    A value that is not a sequence of character codes (already a str, say) is converted with ``type_``.
    """
    try:
        text = delim.join(chr(code) for code in value)
    except TypeError:
        text = type_(value)
    nul = text.find("\0")
    return text if nul < 0 else text[:nul]


def records_from_db(fn: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``[(record type, record name), ...]`` of the records an EPICS .db or .template file defines.

    A line-by-line reading, not a parser: ``record(ai, "$(P)x")`` and ``grecord(...)`` lines that are not
    comments; a name without quotes ends at its first unmatched closing parenthesis, so macros survive.
    """
    found: list[tuple[str, str]] = []
    with open(fn) as file:
        lines = file.readlines()
    for raw in lines:
        line = raw.strip()
        if line.startswith("#") or not line.startswith(("record", "grecord")) or "(" not in line:
            continue
        line = line[line.index("(") + 1 :]
        if "," not in line:
            continue
        rtype, record = (part.strip() for part in line.split(",", 1))
        if record.startswith('"'):
            record = record[1:]
            record = record[: record.index('"')]
        else:
            depth = 0
            for i, char in enumerate(record):
                if char == "(":
                    depth += 1
                elif char == ")":
                    depth -= 1
                    if depth < 0:
                        record = record[:i]
                        break
        found.append((rtype, record))
    return found


def data_type(val: Any) -> str:
    """The event-model dtype of ``val``: ``'array'``, ``'number'``, ``'integer'`` or ``'string'``.

    Raises ValueError for values none of those describe (a dict, None, an arbitrary object).
    """
    if isinstance(val, Iterable) and not isinstance(val, (str, bytes, dict)):
        return "array"
    if isinstance(val, (float, np.floating)):
        return "number"
    if isinstance(val, str):
        return "string"
    if isinstance(val, (int, np.integer)):
        return "integer"
    raise ValueError(
        f"Cannot tell the data type of {val!r} ({type(val).__name__}); supported are numbers, strings and "
        "sequences such as lists, tuples and numpy arrays"
    )


def data_shape(val: Any) -> tuple[int, ...]:
    """``()`` for a scalar or string, else the array's shape as a tuple (``(len,)`` for sequences without one).

    A tuple, as classic ophyd 1.11's ``data_shape`` returns; a describe() data key wants a list, so
    ``list(data_shape(val))`` goes there.
    """
    if data_type(val) != "array":
        return ()
    shape = getattr(val, "shape", None)
    return tuple(shape) if shape is not None else (len(val),)


def raise_if_disconnected(fcn: _F) -> _F:
    """Decorate a method so that it raises DisconnectedError (naming the object) when ``self.connected``
    is false, instead of running."""

    @functools.wraps(fcn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.connected:
            raise DisconnectedError(f"{self.name} is not connected")
        return fcn(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def fmt_time(tstamp: float | None = None) -> str:
    """``'YYYY-mm-dd HH:MM:SS.fffff'`` in local time for a POSIX timestamp (default: now)."""
    if tstamp is None:
        tstamp = time.time()
    seconds, frac = divmod(tstamp, 1)
    hundred_thousandths = min(round(frac * 1e5), 99999)
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(seconds))}.{hundred_thousandths:05d}"
