"""The pure pattern physics of sophyd.sim.pattern, checked against the formulas written out independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sophyd.sim.pattern import (
    BLOB_DTYPE,
    BLOB_MAX,
    BLOB_SHAPE,
    HIGH_ENERGY_PHASE,
    LOW_ENERGY_PHASE,
    NUM_CHANNELS,
    EnergyMode,
    blob_frame,
    blob_intensity,
    blob_sum,
    point_value,
    point_values,
)

POSITIONS = [(0.0, 0.0), (1.0, 2.0), (-2.5, 0.7), (3.3, -4.1), (10.0, 10.0)]


def expected_point(x: float, y: float, exposure: float, i: int, high: bool) -> int:
    phase = 100.0 if high else 10.0
    return math.floor((math.sin(x) ** i + math.cos(x * y + phase) + 2) * 2500 * exposure)


def test_constants() -> None:
    assert (LOW_ENERGY_PHASE, HIGH_ENERGY_PHASE, NUM_CHANNELS) == (10.0, 100.0, 3)
    assert BLOB_SHAPE == (240, 320)
    assert np.uint8 == BLOB_DTYPE and BLOB_MAX == 255


@pytest.mark.parametrize(("x", "y"), POSITIONS)
@pytest.mark.parametrize("exposure", [0.1, 0.5, 2.0])
def test_point_values_match_formula(x: float, y: float, exposure: float) -> None:
    for modes in [(False, False, False), (True, False, True), (True, True, True)]:
        values = point_values(x, y, exposure, modes)
        assert values == tuple(expected_point(x, y, exposure, i, modes[i - 1]) for i in (1, 2, 3))
        assert all(isinstance(v, int) and v >= 0 for v in values)


def test_point_values_default_is_low_energy_for_three_channels() -> None:
    assert point_values(1.0, 2.0, 0.2) == point_values(1.0, 2.0, 0.2, [False] * 3)
    assert len(point_values(1.0, 2.0, 0.2)) == 3


def test_modes_can_be_bools_enums_or_epics_strings() -> None:
    as_bools = point_values(0.3, 1.7, 1.0, [True, False, True])
    assert point_values(0.3, 1.7, 1.0, [EnergyMode.HIGH, EnergyMode.LOW, EnergyMode.HIGH]) == as_bools
    assert point_values(0.3, 1.7, 1.0, ["High Energy", "Low Energy", "high energy"]) == as_bools
    assert point_values(0.3, 1.7, 1.0, [1, 0, 1]) == as_bools
    assert as_bools != point_values(0.3, 1.7, 1.0, [False, False, False])


def test_fewer_channels_and_bad_arguments() -> None:
    assert point_values(1.0, 1.0, 1.0, [True]) == (point_value(1.0, 1.0, 1.0, 1, True),)
    with pytest.raises(ValueError, match="at most 3"):
        point_values(1.0, 1.0, 1.0, [False] * 4)
    with pytest.raises(ValueError, match="channel"):
        point_value(1.0, 1.0, 1.0, 4)
    with pytest.raises(ValueError, match="energy mode"):
        point_values(1.0, 1.0, 1.0, ["Medium"])


def test_point_values_scale_with_exposure() -> None:
    assert point_values(1.0, 2.0, 0.0) == (0, 0, 0)
    one = point_values(0.4, 0.9, 1.0)
    two = point_values(0.4, 0.9, 2.0)
    assert all(abs(b - 2 * a) <= 1 for a, b in zip(one, two, strict=True))


def reference_blob(x: float, y: float, exposure: float) -> np.ndarray:
    u = np.linspace(-1, 1, 320)
    v = np.linspace(-1, 1, 240)
    uu, vv = np.meshgrid(u, v)  # uu varies along columns, vv along rows
    intensity = (math.sin(x) + math.cos(x * y + 10) + 2) / 4 * exposure
    return np.clip(np.floor(255 * np.exp(-(uu**2 + vv**2)) * intensity), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("x", "y"), POSITIONS)
@pytest.mark.parametrize("exposure", [0.05, 0.5, 1.0])
def test_blob_frame_matches_formula(x: float, y: float, exposure: float) -> None:
    frame = blob_frame(x, y, exposure)
    assert frame.shape == (240, 320) and frame.dtype == np.uint8
    np.testing.assert_array_equal(frame, reference_blob(x, y, exposure))


def test_blob_is_centred_gaussian() -> None:
    frame = blob_frame(1.0, 1.0, 1.0).astype(int)
    assert frame[119:121, 159:161].max() == frame.max()  # peak in the middle (even sizes: 4 centre pixels)
    assert frame[0, 0] < frame[120, 0] < frame[120, 160]  # falls off towards the edges and corners
    np.testing.assert_array_equal(frame, frame[::-1, ::-1])  # symmetric


def test_blob_saturates_instead_of_wrapping() -> None:
    x, y = math.pi / 2, 0.0  # sin(x) = 1: intensity (2 + cos(10)) / 4 * exposure
    assert blob_intensity(x, y, 1.0) == pytest.approx((3 + math.cos(10)) / 4)
    frame = blob_frame(x, y, 100.0)
    assert frame.max() == 255 and frame[120, 160] == 255
    assert frame.min() > 0  # nowhere wrapped round to small values
    np.testing.assert_array_equal(frame, reference_blob(x, y, 100.0))


def test_zero_exposure_gives_black_frame_and_frames_are_independent() -> None:
    assert not blob_frame(1.0, 2.0, 0.0).any()
    first = blob_frame(1.0, 2.0, 0.5)
    first[:] = 0  # frames are fresh arrays: modifying one does not touch the cached base image
    assert blob_frame(1.0, 2.0, 0.5).any()


def test_blob_sum() -> None:
    frame = np.full((240, 320), 255, dtype=np.uint8)
    assert blob_sum(frame) == 255 * 240 * 320
    assert isinstance(blob_sum(frame), int)
    assert blob_sum(blob_frame(1.0, 2.0, 0.5)) == int(reference_blob(1.0, 2.0, 0.5).astype(np.int64).sum())
