"""Turn values and metadata into event-model data keys (the dicts describe() returns)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey

__all__ = ["data_key", "values_match"]


#: JSON dtype of a scalar of each numpy dtype kind.
_JSON_OF_KIND = {"b": "boolean", "i": "integer", "u": "integer", "f": "number", "U": "string", "S": "string"}


def _json_dtype(value: Any) -> tuple[str, list[int], str]:
    """Return (dtype, shape, dtype_numpy) for a value, as event-model spells them."""
    if isinstance(value, (bool, np.bool_)):
        return "boolean", [], "|b1"
    if isinstance(value, (int, np.integer)):
        return "integer", [], np.dtype(type(value) if isinstance(value, np.integer) else np.int64).str
    if isinstance(value, (float, np.floating)):
        return "number", [], np.dtype(type(value) if isinstance(value, np.floating) else np.float64).str
    if isinstance(value, (str, bytes)):
        return "string", [], "|S40"
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        return "array", list(arr.shape), arr.dtype.str
    return "string", [], "|S40"


def data_key(
    value: Any,
    *,
    source: str,
    dtype: str | None = None,
    shape: list[int] | tuple[int, ...] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> DataKey:
    """A DataKey for ``value``: source, dtype, shape (a list), dtype_numpy, plus units, precision,
    limits and choices when the metadata knows them."""
    json_dtype, inferred_shape, dtype_numpy = _json_dtype(value)
    key_shape = list(shape) if shape is not None else inferred_shape
    if dtype is not None and dtype in ("string", "number", "array", "boolean", "integer"):
        json_dtype = dtype
    elif dtype is not None:
        # An explicit numpy dtype decides both spellings, as in classic ophyd (the value may be a placeholder).
        np_dtype = np.dtype(dtype)
        dtype_numpy = np_dtype.str
        json_dtype = "array" if key_shape else _JSON_OF_KIND.get(np_dtype.kind, "string")
    key: dict[str, Any] = {
        "source": source,
        "dtype": json_dtype,
        "shape": key_shape,
        "dtype_numpy": dtype_numpy,
    }
    md = metadata or {}
    if md.get("units"):
        key["units"] = md["units"]
    if md.get("precision") is not None:
        key["precision"] = md["precision"]
    if md.get("enum_strs"):
        key["choices"] = list(md["enum_strs"])
    limits = {}
    for kind in ("control", "display", "alarm", "warning"):
        short = {"control": "ctrl", "display": "disp", "alarm": "alarm", "warning": "warning"}[kind]
        low, high = md.get(f"lower_{short}_limit"), md.get(f"upper_{short}_limit")
        if (low is not None or high is not None) and low != high:  # equal limits mean "none" in EPICS
            limits[kind] = {"low": low, "high": high}
    if limits:
        key["limits"] = limits
    return cast("DataKey", key)


def values_match(current: Any, target: Any, atol: float | None = None, rtol: float | None = None) -> bool:
    """True when ``current`` equals ``target`` within the tolerances (strings and arrays compare too)."""
    if isinstance(current, (str, bytes)) or isinstance(target, (str, bytes)):
        return str(current) == str(target)
    try:
        cur = np.asarray(current)
        tgt = np.asarray(target)
        if cur.shape != tgt.shape:
            return False
        if atol is None and rtol is None:
            return bool(np.array_equal(cur, tgt))
        return bool(np.allclose(cur, tgt, atol=atol or 0.0, rtol=rtol or 0.0))
    except (TypeError, ValueError):
        return bool(current == target)
