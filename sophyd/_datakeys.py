"""Turn values and metadata into event-model data keys (the dicts describe() returns)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey

__all__ = ["JSON_DTYPES", "data_key", "json_dtype", "json_shape", "values_match"]


#: JSON dtype of a scalar of each numpy dtype kind (a bool counts as an integer, as in classic ophyd).
_JSON_OF_KIND = {"b": "integer", "i": "integer", "u": "integer", "f": "number", "U": "string", "S": "string"}
#: The dtypes event-model knows (describe() passes them through as given).
JSON_DTYPES = ("string", "number", "array", "boolean", "integer")


def json_dtype(value: Any) -> str:
    """The JSON dtype of ``value`` as classic ophyd's ``data_type`` infers it; ValueError if it has none.

    Iterables other than str, bytes and dict are ``'array'``; bools are ``'integer'``.
    """
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        return "array"
    if isinstance(value, (float, np.floating)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, np.integer)):
        return "integer"
    raise ValueError(
        f"cannot determine a bluesky data type for {value!r} of type {type(value).__name__}; "
        "supported are int, float, str and iterables such as list, tuple and numpy arrays"
    )


def json_shape(value: Any) -> list[int]:
    """The shape of ``value`` as a list (``[]`` for scalars), as a describe() data key holds it."""
    if json_dtype(value) != "array":
        return []
    try:
        return list(value.shape)
    except AttributeError:
        return [len(value)]


def data_key(
    value: Any,
    *,
    source: str,
    name: str,
    dtype: Any = None,
    shape: list[int] | tuple[int, ...] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> DataKey:
    """A DataKey for signal ``name`` holding ``value``: source, dtype, shape (a list), plus units, precision,
    limits and choices when the metadata knows them.

    ``dtype_numpy`` is there only when ``dtype`` names a numpy dtype (as in classic ophyd), spelled as
    event-model requires (``'<u2'``). A value no dtype fits raises ValueError naming the signal.
    """
    key: dict[str, Any] = {"source": source}
    try:
        if dtype is None:
            key["dtype"] = json_dtype(value)
        elif isinstance(dtype, str) and dtype in JSON_DTYPES:
            key["dtype"] = dtype
        else:
            np_dtype = np.dtype(dtype)
            key["dtype"] = "array" if shape else _JSON_OF_KIND.get(np_dtype.kind, "string")
            key["dtype_numpy"] = np_dtype.str
        key["shape"] = list(shape) if shape is not None else json_shape(value)
    except ValueError as exc:
        raise ValueError(f"failed to describe '{name}' with value '{value}': {exc}") from exc
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
    """True when ``current`` equals ``target`` within the tolerances (strings and arrays compare too).

    With either tolerance given, numbers compare as ``numpy.allclose`` does, the other taking numpy's default,
    as classic ophyd compares them; with neither, exactly. An array never matches another shape."""
    if isinstance(current, (str, bytes)) or isinstance(target, (str, bytes)):
        return str(current) == str(target)
    try:
        cur = np.asarray(current)
        tgt = np.asarray(target)
        if cur.shape != tgt.shape:
            return False
        if atol is None and rtol is None:
            return bool(np.array_equal(cur, tgt))
        # as classic ophyd: the tolerance not given takes numpy's default (absolute 1e-8, relative 1e-5), and
        # the relative one scales with the readback (numpy's second argument)
        return bool(
            np.allclose(tgt, cur, atol=1e-8 if atol is None else atol, rtol=1e-5 if rtol is None else rtol)
        )
    except (TypeError, ValueError):
        return bool(current == target)
