"""Pure physics of the simulated X-ray pattern: a leaf module that imports the standard library and numpy only.

The demo stage moves a sample in ``x`` and ``y``; a point detector with three channels and a blob (area)
detector see intensities that depend on that position and on the exposure time. The simulated IOCs compute
their readings here and tests compute the numbers they expect here (client code imports it as
``sophyd.sim.pattern``). It lives in the IOC package, not in ``sophyd``, because importing any ``sophyd``
module runs ``sophyd/__init__`` (the whole client library): an IOC process imports only this and caproto's
server. tests/test_layers.py checks that it stays a leaf.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "BLOB_DTYPE",
    "BLOB_HEIGHT",
    "BLOB_MAX",
    "BLOB_SHAPE",
    "BLOB_WIDTH",
    "HIGH_ENERGY_PHASE",
    "LOW_ENERGY_PHASE",
    "NUM_CHANNELS",
    "POINT_SCALE",
    "EnergyMode",
    "blob_frame",
    "blob_intensity",
    "blob_sum",
    "point_value",
    "point_values",
]

#: Number of channels of the point detector (channel numbers are 1-based: 1, 2, 3).
NUM_CHANNELS = 3
#: Counts per second at the unit pre-factor of the point detector formula.
POINT_SCALE = 2500
#: Phase ``D`` added to ``x*y`` in the point detector formula for each energy mode.
LOW_ENERGY_PHASE = 10.0
HIGH_ENERGY_PHASE = 100.0

#: Blob image size: 240 rows (``v``, along y) by 320 columns (``u``, along x), like a (height, width) frame.
BLOB_HEIGHT = 240
BLOB_WIDTH = 320
BLOB_SHAPE = (BLOB_HEIGHT, BLOB_WIDTH)
BLOB_DTYPE = np.uint8
#: Largest pixel value of a blob frame (values are clipped to ``0..BLOB_MAX``).
BLOB_MAX = 255


class EnergyMode(enum.IntEnum):
    """Energy mode of one point-detector channel; the integer is the EPICS enum index."""

    LOW = 0
    HIGH = 1


#: What a channel mode may be given as: a bool (True = high energy), an EnergyMode / enum index, or the
#: EPICS enum string ("Low Energy" / "High Energy").
ModeLike = bool | int | str | EnergyMode

_HIGH_STRINGS = frozenset({"high energy", "high", "1"})
_LOW_STRINGS = frozenset({"low energy", "low", "0"})


def _is_high(mode: ModeLike) -> bool:
    """Tell whether ``mode`` means high energy; strings are the EPICS enum strings, case-insensitive."""
    if isinstance(mode, str):
        key = mode.strip().lower()
        if key in _HIGH_STRINGS:
            return True
        if key in _LOW_STRINGS:
            return False
        raise ValueError(f"unknown energy mode {mode!r}: expected 'Low Energy' or 'High Energy'")
    return bool(mode)


def point_value(x: float, y: float, exposure: float, channel: int, mode: ModeLike = False) -> int:
    """Counts of one point-detector channel (1-based) at stage position (x, y) after ``exposure`` seconds.

    ``floor((sin(x)**i + cos(x*y + D) + 2) * POINT_SCALE * exposure)`` with ``D`` the phase of the channel's
    energy mode; the bracket lies in [0, 4], so counts grow linearly with exposure and are never negative.
    """
    if not 1 <= channel <= NUM_CHANNELS:
        raise ValueError(f"channel must be in 1..{NUM_CHANNELS}, not {channel}")
    phase = HIGH_ENERGY_PHASE if _is_high(mode) else LOW_ENERGY_PHASE
    bracket = math.sin(x) ** channel + math.cos(x * y + phase) + 2
    return max(0, math.floor(bracket * POINT_SCALE * exposure))


def point_values(
    x: float, y: float, exposure: float, high_energy: Sequence[ModeLike] = (False,) * NUM_CHANNELS
) -> tuple[int, ...]:
    """Counts of channels 1..3 (one per entry of ``high_energy``, each a channel's energy mode).

    A sequence shorter than three gives only the first channels; longer is an error, as the detector has
    three channels.
    """
    if len(high_energy) > NUM_CHANNELS:
        raise ValueError(f"at most {NUM_CHANNELS} channel modes, got {len(high_energy)}")
    return tuple(point_value(x, y, exposure, i, mode) for i, mode in enumerate(high_energy, start=1))


@functools.lru_cache(maxsize=1)
def _gaussian_base() -> np.ndarray:
    """``255 * exp(-(u**2 + v**2))`` on the blob grid, computed once; read-only so the cache stays intact."""
    u = np.linspace(-1.0, 1.0, BLOB_WIDTH)
    v = np.linspace(-1.0, 1.0, BLOB_HEIGHT)
    base = BLOB_MAX * np.exp(-(u[np.newaxis, :] ** 2 + v[:, np.newaxis] ** 2))
    base.setflags(write=False)
    return base


def blob_intensity(x: float, y: float, exposure: float) -> float:
    """Blob scale factor at (x, y): ``(sin(x) + cos(x*y + 10) + 2) / 4 * exposure``, in [0, exposure]."""
    return (math.sin(x) + math.cos(x * y + LOW_ENERGY_PHASE) + 2) / 4 * exposure


def blob_frame(x: float, y: float, exposure: float) -> np.ndarray:
    """One blob image (240 rows x 320 columns, uint8) at stage position (x, y) after ``exposure`` seconds.

    Pixel = ``floor(255 * exp(-(u**2 + v**2)) * I)`` with ``u`` along columns and ``v`` along rows, both
    ``linspace(-1, 1)``, and ``I = blob_intensity(x, y, exposure)``. Exposures above 1 s would exceed 255,
    so values are clipped to 0..255 before the cast: the detector saturates instead of wrapping around.
    """
    scaled = np.floor(_gaussian_base() * blob_intensity(x, y, exposure))
    return np.clip(scaled, 0, BLOB_MAX).astype(BLOB_DTYPE)


def blob_sum(frame: np.ndarray) -> int:
    """Sum of all pixels of a frame as a Python int (accumulated in int64 so uint8 never overflows)."""
    return int(np.sum(frame, dtype=np.int64))
