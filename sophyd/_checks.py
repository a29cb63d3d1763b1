"""Checks of arguments made before anything is sent: PV names, timeouts, set() targets, numeric values.

Bad input should fail at once with an error naming the object, instead of reaching an IOC or leaving a
caller waiting for something that cannot happen.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import BadPVName

__all__ = ["check_finite_target", "check_numeric_value", "check_pv_name", "check_timeout"]


def check_pv_name(pvname: Any, where: str | None = None) -> str:
    """Return ``pvname`` if Channel Access could search for it; raise BadPVName otherwise.

    The one PV-name check of sophyd: signals call it with ``where`` naming themselves, and classic's public
    ``sophyd.utils.validate_pv_name`` calls it without. A name is refused when it is not a string, is empty,
    holds whitespace, or names more than one field (more than one '.', classic's only rule).
    """
    prefix = f"{where}: " if where else ""
    if not isinstance(pvname, str):
        raise BadPVName(f"{prefix}a PV name must be a str, not {pvname!r}")
    if not pvname:
        raise BadPVName(f"{prefix}the PV name is empty")
    if any(ch.isspace() for ch in pvname):
        raise BadPVName(f"{prefix}PV name {pvname!r} contains whitespace")
    if pvname.count(".") > 1:
        raise BadPVName(f"{prefix}PV name {pvname!r} has more than one '.' (a record name and one field)")
    return pvname


def check_timeout(timeout: Any, where: str) -> None:
    """Refuse a timeout that is not None and not a positive number of seconds (0, negative, NaN)."""
    if timeout is None:
        return
    try:
        positive = float(timeout) > 0
    except (TypeError, ValueError):
        positive = False
    if not positive:
        raise ValueError(f"{where}: timeout must be a positive number of seconds or None, not {timeout!r}")


def check_finite_target(value: Any, where: str) -> None:
    """Refuse a set() target that is NaN or infinite (or an array holding one): no readback can ever match
    it, so the set could never finish."""
    if isinstance(value, (bool, str, bytes)) or value is None:
        return
    if isinstance(value, (int, np.integer)):
        return
    if isinstance(value, (float, np.floating)):
        finite = math.isfinite(value)
    elif isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        finite = arr.dtype.kind not in "fc" or bool(np.all(np.isfinite(arr)))
    else:
        return
    if not finite:
        raise ValueError(f"{where}: cannot set a non-finite target {value!r}; no readback can ever equal it")


def check_numeric_value(value: Any, count: int, where: str) -> None:
    """Refuse a value a numeric PV of ``count`` elements cannot take: a string, a non-numeric array (an array
    only when ``count`` > 1), or anything that is not a number."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: cannot write the string {value!r} to a numeric PV")
    if count > 1 and isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: cannot write an array of {arr.dtype} to a numeric PV")
        return
    if not isinstance(value, (bool, int, float, np.number)):
        raise TypeError(f"{where}: cannot write {value!r} ({type(value).__name__}) to a numeric PV")
