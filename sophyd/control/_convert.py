"""Value and metadata conversion shared by every backend: DBR types to Python values and back.

pyepics and caproto number the native DBR types alike (0 STRING .. 6 DOUBLE), so both backends hand raw data
here: numpy arrays for numbers, byte strings for DBR_STRING. Keeping one copy of these rules keeps what a user
reads identical whichever client is underneath.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._base import PVInfo

__all__ = [
    "DBR_CHAR",
    "DBR_DOUBLE",
    "DBR_ENUM",
    "DBR_FLOAT",
    "DBR_LONG",
    "DBR_SHORT",
    "DBR_STRING",
    "DTYPES",
    "LIMIT_FIELDS",
    "build_info",
    "control_fields",
    "decode_value",
    "encode_value",
    "enum_index",
    "native_type_name",
    "to_string",
    "with_access",
]

DBR_STRING, DBR_SHORT, DBR_FLOAT, DBR_ENUM, DBR_CHAR, DBR_LONG, DBR_DOUBLE = range(7)
MAX_STRING_SIZE = 40

#: numpy dtype of each native DBR type, in host byte order (DBR_STRING: 40-byte NUL-padded records).
DTYPES: dict[int, np.dtype[Any]] = {
    DBR_STRING: np.dtype(f"S{MAX_STRING_SIZE}"),
    DBR_SHORT: np.dtype(np.int16),
    DBR_FLOAT: np.dtype(np.float32),
    DBR_ENUM: np.dtype(np.uint16),
    DBR_CHAR: np.dtype(np.uint8),
    DBR_LONG: np.dtype(np.int32),
    DBR_DOUBLE: np.dtype(np.float64),
}

_TYPE_NAMES = {
    DBR_STRING: "string",
    DBR_SHORT: "integer",
    DBR_FLOAT: "float",
    DBR_ENUM: "enum",
    DBR_CHAR: "char",
    DBR_LONG: "integer",
    DBR_DOUBLE: "float",
}

#: The names of the control, display, alarm and warning limits in a PV's metadata (as classic ophyd names them).
LIMIT_FIELDS = (
    "lower_ctrl_limit",
    "upper_ctrl_limit",
    "lower_disp_limit",
    "upper_disp_limit",
    "lower_alarm_limit",
    "upper_alarm_limit",
    "lower_warning_limit",
    "upper_warning_limit",
)


def control_fields(ctrl: Any) -> dict[str, Any]:
    """The units, precision and limits a DBR_CTRL structure (libca's or caproto's) has, by PVInfo name."""
    return {
        name: getattr(ctrl, name) for name in (*LIMIT_FIELDS, "precision", "units") if hasattr(ctrl, name)
    }


def native_type_name(dbr_type: int) -> str:
    """The PVInfo ``native_type`` of a native DBR type number."""
    return _TYPE_NAMES[dbr_type]


def _text(raw: Any) -> str:
    if isinstance(raw, (bytes, bytearray, np.bytes_)):
        return bytes(raw).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(raw)


def _number(raw: Any) -> float | int:
    if isinstance(raw, (bytes, bytearray, np.bytes_)):  # caproto reports CHAR limits as 1-byte strings
        return int.from_bytes(bytes(raw)[:1] or b"\0", "little")
    return raw.item() if isinstance(raw, np.generic) else raw


def build_info(
    dbr_type: int,
    count: int,
    meta: Mapping[str, Any] | None,
    *,
    read_access: bool,
    write_access: bool,
) -> PVInfo:
    """PVInfo from a native type, element count and the fields of a DBR_CTRL reading (any subset).

    ``meta`` may hold ``units``, ``precision``, the names in LIMIT_FIELDS and ``enum_strs``; bytes are decoded
    and numpy scalars become Python numbers. Limits of 0 and 0 mean "none set" in EPICS and are kept as read.
    ``meta=None`` means not read yet (``control=False``), except for strings, which have no control fields.
    """
    control = meta is not None or dbr_type == DBR_STRING
    meta = meta or {}
    fields: dict[str, Any] = {"native_type": native_type_name(dbr_type), "count": count, "control": control}
    if dbr_type in (DBR_STRING, DBR_ENUM):
        if dbr_type == DBR_ENUM:
            fields["enum_strs"] = tuple(_text(s) for s in meta.get("enum_strs", ()))
    else:
        fields["units"] = _text(meta.get("units", ""))
        fields["dtype_numpy"] = DTYPES[dbr_type].str
        if dbr_type in (DBR_FLOAT, DBR_DOUBLE) and "precision" in meta:
            fields["precision"] = int(_number(meta["precision"]))
        for name in LIMIT_FIELDS:
            if name in meta:
                fields[name] = _number(meta[name])
    return _shared(PVInfo(**fields, read_access=read_access, write_access=write_access))


_SHARED_MAX = 4096
_shared_infos: dict[PVInfo, PVInfo] = {}


def _shared(info: PVInfo) -> PVInfo:
    """One PVInfo object for equal ones: most PVs of a beamline share type, units and limits, and each
    channel keeps its PVInfo as long as it lives (a few hundred bytes each). Up to ``_SHARED_MAX`` kinds."""
    try:
        known = _shared_infos.get(info)
        if known is not None:
            return known
        return _shared_infos.setdefault(info, info) if len(_shared_infos) < _SHARED_MAX else info
    except TypeError:  # an unhashable field value
        return info


def with_access(info: PVInfo, read_access: bool, write_access: bool) -> PVInfo:
    """``info`` with new access rights (the server may change them while connected)."""
    if (info.read_access, info.write_access) == (read_access, write_access):
        return info
    return dataclasses.replace(info, read_access=read_access, write_access=write_access)


def decode_value(dbr_type: int, native_count: int, data: Any) -> Any:
    """The Python value of raw native data: float/int scalars, str, or a numpy array.

    A PV whose native element count is 1 is a scalar; a CHAR waveform reads as the text before its first NUL;
    DBR_STRING reads as str (a list of str when the PV holds several).
    """
    if dbr_type == DBR_STRING:
        texts = [_text(item) for item in data]
        if native_count == 1:
            return texts[0] if texts else ""
        return texts
    if dbr_type == DBR_CHAR and native_count > 1:
        return _text(np.asarray(data, dtype=np.uint8).tobytes())
    if native_count == 1 and len(data) == 1:
        return data[0].item()
    array = np.asarray(data)
    return array.astype(array.dtype.newbyteorder("="), copy=True)


def to_string(value: Any, info: PVInfo) -> Any:
    """``value`` as text, the way ``get(as_string=True)`` reports it: an enum's label, a float at the PV's
    precision; arrays are returned unchanged."""
    if isinstance(value, (str, list, np.ndarray)):
        return value
    if info.native_type == "enum":
        return info.enum_strs[value] if 0 <= value < len(info.enum_strs) else str(value)
    if isinstance(value, float) and info.precision is not None:
        return f"{value:.{max(info.precision, 0)}f}"
    return str(value)


#: Channel Access carries at most 16 states for an enum (DBR_ENUM): the valid indexes while labels are unknown.
MAX_ENUM_STATES = 16


def enum_index(value: Any, enum_strs: Sequence[str], where: str) -> int:
    """The state index that ``value`` (a state's label, or an integer index) stands for in an enum PV.

    The one rule for enum values, used by signals before they send and by the control layer as it encodes:
    a label must be one of ``enum_strs``; an index must be an integer from 0 to the number of states - 1
    (to 15 while the labels are not known). Raises ValueError or TypeError starting with ``where``.
    """
    if isinstance(value, str):
        if value in enum_strs:
            return list(enum_strs).index(value)
        raise ValueError(f"{where}: {value!r} is not one of the PV's states {list(enum_strs)}")
    if isinstance(value, (bool, int, np.integer)):
        count = len(enum_strs) or MAX_ENUM_STATES
        if 0 <= int(value) < count:
            return int(value)
        raise ValueError(f"{where}: {value!r} is not a valid state index (0..{count - 1})")
    raise TypeError(f"{where}: cannot write {value!r} ({type(value).__name__}) to an enum PV")


def encode_value(pvname: str, dbr_type: int, info: PVInfo, value: Any) -> np.ndarray:
    """``value`` as a contiguous numpy array of the PV's native DBR type, ready to send.

    Strings are encoded as UTF-8; a str written to a CHAR waveform gets a terminating NUL where there is room
    for one (one that fills the waveform exactly is sent whole, as pyepics does); an enum accepts its label or
    index. Raises ValueError naming the PV when the value does not fit (pyepics would cut it short).
    """
    dtype = DTYPES[dbr_type]
    if dbr_type == DBR_STRING:
        items = [value] if isinstance(value, (str, bytes)) else list(value)
        texts = [item if isinstance(item, bytes) else str(item).encode("utf-8") for item in items]
        if any(len(item) >= MAX_STRING_SIZE for item in texts):
            raise ValueError(
                f"{value!r} is too long for {pvname} (DBR_STRING holds {MAX_STRING_SIZE - 1} bytes)"
            )
        return np.array(texts, dtype=dtype)
    if dbr_type == DBR_CHAR and isinstance(value, (str, bytes)) and info.count > 1:
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        if len(raw) > info.count:
            raise ValueError(f"{value!r} is too long for {pvname} (at most {info.count} bytes)")
        return np.frombuffer(raw + b"\0" if len(raw) < info.count else raw, dtype=np.uint8)
    if dbr_type == DBR_ENUM:
        items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
        value = [enum_index(item, info.enum_strs, pvname) for item in items]
    try:
        array = np.ascontiguousarray(value, dtype=dtype).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Cannot write {value!r} to {pvname} ({native_type_name(dbr_type)}): {exc}"
        ) from None
    if array.size > max(info.count, 1):
        raise ValueError(f"{array.size} elements do not fit {pvname} (at most {info.count})")
    return array
