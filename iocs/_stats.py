"""An areaDetector statistics plugin (``NDPluginStats``) as a caproto PVGroup: numbers computed from each frame.

PVs (after the plugin prefix, e.g. ``BDET:Stats1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``STATS1``, ``PluginType_RBV`` ``NDPluginStats``); settings have an ``_RBV`` readback:

- ``ComputeStatistics`` (No/Yes, default Yes): ``Total_RBV`` (sum of the pixels), ``Net_RBV`` (the total less
  the background: the mean of the ``BgdWidth`` pixels at each edge times the pixel count; the total when
  BgdWidth is 0), ``MeanValue_RBV``, ``Sigma_RBV``, ``MinValue_RBV``, ``MaxValue_RBV``, ``MinX_RBV``,
  ``MinY_RBV``, ``MaxX_RBV``, ``MaxY_RBV`` (where the first minimum and maximum are);
- ``ComputeCentroid`` (No/Yes, default Yes): over the pixels at or above ``CentroidThreshold``, weighted by
  their values, ``CentroidX_RBV``, ``CentroidY_RBV``, ``SigmaX_RBV``, ``SigmaY_RBV`` and ``SigmaXY_RBV`` (the
  x-y correlation, -1..1);
- ``ComputeProfiles``, ``ComputeHistogram`` (No/Yes, default No; not simulated: a put of Yes is refused);
- served so that classic ophyd's ``StatsPlugin`` connects in full, not simulated (``UnsimulatedStats``):
  ``CursorX``, ``CursorY``, ``HistSize``, ``HistMin``, ``HistMax`` (with ``_RBV``), ``MaxSizeX``, ``MaxSizeY``,
  ``SetXHOPR``, ``SetYHOPR`` (stored); ``HistEntropy_RBV``, ``Histogram_RBV``, ``ProfileSizeX_RBV``,
  ``ProfileSizeY_RBV`` and the profiles ``ProfileAverageX_RBV``, ``ProfileCentroidX_RBV``,
  ``ProfileCursorX_RBV``, ``ProfileThresholdX_RBV`` and their Y twins (zero); the time series' ``TSControl``
  (only Stop and Read: Erase/Start and Start are refused), ``TSAcquiring`` (Done), ``TSNumPoints``,
  ``TSCurrentPoint``, ``TSRead`` and its waveforms ``TSTotal``, ``TSNet``, ``TSMeanValue``, ``TSSigma``,
  ``TSMinValue``, ``TSMaxValue``, ``TSMinX``, ``TSMinY``, ``TSMaxX``, ``TSMaxY``, ``TSCentroidX``,
  ``TSCentroidY``, ``TSSigmaX``, ``TSSigmaY``, ``TSSigmaXY`` (zero).

Every value is updated before the camera's acquisition ends, so a client that waited for ``Acquire`` to
return to Done reads the statistics of the last frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from caproto.server import pvproperty

from sophyd_iocs._adcam import RBVGroup
from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, with_rbv

__all__ = ["StatsPlugin", "frame_centroid", "frame_statistics"]

_NO_YES = ("No", "Yes")
_TS_CONTROL = ("Erase/Start", "Start", "Stop", "Read")
_SERIES = 2048  # the length of the histogram, profile and time-series waveforms


def frame_statistics(frame: np.ndarray, bgd_width: int = 0) -> dict[str, float]:
    """Total, net, mean, sigma, min and max of a frame and where its extremes are (x = column, y = row)."""
    data = np.asarray(frame, dtype=np.float64)
    total = float(data.sum())
    net = total
    if bgd_width > 0:
        w = min(bgd_width, min(data.shape) // 2)
        edges = np.concatenate(
            [data[:w].ravel(), data[-w:].ravel(), data[w:-w, :w].ravel(), data[w:-w, -w:].ravel()]
        )
        net = total - float(edges.mean()) * data.size
    min_y, min_x = np.unravel_index(int(data.argmin()), data.shape)
    max_y, max_x = np.unravel_index(int(data.argmax()), data.shape)
    return {
        "total": total,
        "net": net,
        "mean": float(data.mean()),
        "sigma": float(data.std()),
        "min": float(data.min()),
        "max": float(data.max()),
        "min_x": int(min_x),
        "min_y": int(min_y),
        "max_x": int(max_x),
        "max_y": int(max_y),
    }


def frame_centroid(frame: np.ndarray, threshold: float) -> dict[str, float]:
    """Centroid, widths and x-y correlation of the pixels at or above ``threshold``, weighted by value."""
    data = np.asarray(frame, dtype=np.float64)
    weights = np.where(data >= threshold, data, 0.0)
    total = weights.sum()
    if total <= 0:
        return {"x": 0.0, "y": 0.0, "sigma_x": 0.0, "sigma_y": 0.0, "sigma_xy": 0.0}
    rows, cols = np.indices(data.shape)
    x = float((weights * cols).sum() / total)
    y = float((weights * rows).sum() / total)
    var_x = float((weights * (cols - x) ** 2).sum() / total)
    var_y = float((weights * (rows - y) ** 2).sum() / total)
    cov = float((weights * (cols - x) * (rows - y)).sum() / total)
    corr = cov / np.sqrt(var_x * var_y) if var_x > 0 and var_y > 0 else 0.0
    return {"x": x, "y": y, "sigma_x": np.sqrt(var_x), "sigma_y": np.sqrt(var_y), "sigma_xy": float(corr)}


def _result(name: str, doc: str, value: float = 0.0) -> pvproperty:
    return number(name, value, doc, read_only=True, precision=3)


def _array(name: str, doc: str, length: int) -> pvproperty:
    """A read-only waveform of up to ``length`` doubles, empty but for one 0."""
    return pvproperty(name=name, value=[0.0], dtype=float, max_length=length, read_only=True, doc=doc)


class UnsimulatedStats(RBVGroup):
    """The statistics plugin's PVs for what is not simulated: cursor, histogram, profiles and time series."""

    cursor_x, cursor_x_rbv = with_rbv(number, "CursorX", 0, "Cursor column")
    cursor_y, cursor_y_rbv = with_rbv(number, "CursorY", 0, "Cursor row")
    hist_size, hist_size_rbv = with_rbv(number, "HistSize", 256, "Histogram bins")
    hist_min, hist_min_rbv = with_rbv(number, "HistMin", 0.0, "Histogram low edge")
    hist_max, hist_max_rbv = with_rbv(number, "HistMax", 255.0, "Histogram high edge")
    hist_entropy = _result("HistEntropy_RBV", "Histogram entropy")
    histogram = _array("Histogram_RBV", "Histogram", _SERIES)
    max_size_x = number("MaxSizeX", 0, "Maximum X (stored)")
    max_size_y = number("MaxSizeY", 0, "Maximum Y (stored)")
    set_xhopr = number("SetXHOPR", 0, "X display limit (stored)")
    set_yhopr = number("SetYHOPR", 0, "Y display limit (stored)")
    profile_size_x = number("ProfileSizeX_RBV", 0, "Profile length in X", read_only=True)
    profile_size_y = number("ProfileSizeY_RBV", 0, "Profile length in Y", read_only=True)
    profile_average_x = _array("ProfileAverageX_RBV", "Average profile in X", _SERIES)
    profile_average_y = _array("ProfileAverageY_RBV", "Average profile in Y", _SERIES)
    profile_centroid_x = _array("ProfileCentroidX_RBV", "Profile through the centroid in X", _SERIES)
    profile_centroid_y = _array("ProfileCentroidY_RBV", "Profile through the centroid in Y", _SERIES)
    profile_cursor_x = _array("ProfileCursorX_RBV", "Profile through the cursor in X", _SERIES)
    profile_cursor_y = _array("ProfileCursorY_RBV", "Profile through the cursor in Y", _SERIES)
    profile_threshold_x = _array("ProfileThresholdX_RBV", "Thresholded profile in X", _SERIES)
    profile_threshold_y = _array("ProfileThresholdY_RBV", "Thresholded profile in Y", _SERIES)
    ts_control = menu("TSControl", _TS_CONTROL, "Stop", "Time series control (Stop and Read only)")
    ts_acquiring = menu("TSAcquiring", ("Done", "Acquiring"), "Done", "Time series running", read_only=True)
    ts_num_points = number("TSNumPoints", _SERIES, "Time series length")
    ts_current_point = number("TSCurrentPoint", 0, "Time series points so far", read_only=True)
    ts_read = number("TSRead", 0, "Read the time series")
    ts_total = _array("TSTotal", "Time series of Total", _SERIES)
    ts_net = _array("TSNet", "Time series of Net", _SERIES)
    ts_mean_value = _array("TSMeanValue", "Time series of MeanValue", _SERIES)
    ts_sigma = _array("TSSigma", "Time series of Sigma", _SERIES)
    ts_min_value = _array("TSMinValue", "Time series of MinValue", _SERIES)
    ts_max_value = _array("TSMaxValue", "Time series of MaxValue", _SERIES)
    ts_min_x = _array("TSMinX", "Time series of MinX", _SERIES)
    ts_min_y = _array("TSMinY", "Time series of MinY", _SERIES)
    ts_max_x = _array("TSMaxX", "Time series of MaxX", _SERIES)
    ts_max_y = _array("TSMaxY", "Time series of MaxY", _SERIES)
    ts_centroid_x = _array("TSCentroidX", "Time series of CentroidX", _SERIES)
    ts_centroid_y = _array("TSCentroidY", "Time series of CentroidY", _SERIES)
    ts_sigma_x = _array("TSSigmaX", "Time series of SigmaX", _SERIES)
    ts_sigma_y = _array("TSSigmaY", "Time series of SigmaY", _SERIES)
    ts_sigma_xy = _array("TSSigmaXY", "Time series of SigmaXY", _SERIES)

    @ts_control.putter  # type: ignore[no-redef]
    async def ts_control(self, instance: Any, value: str) -> str:
        if value not in ("Stop", "Read"):
            raise ValueError(f"{instance.pvname}: the time series is not simulated, so {value} is refused")
        return value


class StatsPlugin(NDPluginBase, UnsimulatedStats):
    """Statistics of every frame the plugin takes (see the module docstring)."""

    port_name, plugin_type = identity("STATS1", "NDPluginStats")
    compute_statistics, compute_statistics_rbv = with_rbv(
        menu, "ComputeStatistics", _NO_YES, "Yes", "Statistics"
    )
    compute_centroid, compute_centroid_rbv = with_rbv(menu, "ComputeCentroid", _NO_YES, "Yes", "Centroid")
    compute_profiles, compute_profiles_rbv = with_rbv(menu, "ComputeProfiles", _NO_YES, "No", "Profiles")
    compute_histogram, compute_histogram_rbv = with_rbv(menu, "ComputeHistogram", _NO_YES, "No", "Histogram")
    bgd_width, bgd_width_rbv = with_rbv(
        number, "BgdWidth", 0, "Background edge width (pixels)", lower_ctrl_limit=0
    )
    centroid_threshold, centroid_threshold_rbv = with_rbv(
        number, "CentroidThreshold", 1.0, "Centroid threshold"
    )
    total = _result("Total_RBV", "Sum of the pixels")
    net = _result("Net_RBV", "Total less background")
    mean_value = _result("MeanValue_RBV", "Mean pixel value")
    sigma = _result("Sigma_RBV", "Standard deviation of the pixels")
    min_value = _result("MinValue_RBV", "Smallest pixel value")
    max_value = _result("MaxValue_RBV", "Largest pixel value")
    min_x = number("MinX_RBV", 0, "Column of the minimum", read_only=True)
    min_y = number("MinY_RBV", 0, "Row of the minimum", read_only=True)
    max_x = number("MaxX_RBV", 0, "Column of the maximum", read_only=True)
    max_y = number("MaxY_RBV", 0, "Row of the maximum", read_only=True)
    centroid_x = _result("CentroidX_RBV", "Centroid column")
    centroid_y = _result("CentroidY_RBV", "Centroid row")
    sigma_x = _result("SigmaX_RBV", "Width along x")
    sigma_y = _result("SigmaY_RBV", "Width along y")
    sigma_xy = _result("SigmaXY_RBV", "x-y correlation")

    @compute_profiles.putter  # type: ignore[no-redef]
    async def compute_profiles(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "No")

    @compute_histogram.putter  # type: ignore[no-redef]
    async def compute_histogram(self, instance: Any, value: str) -> str:
        return await self.only(instance, value, "No")

    async def process(self, frame: np.ndarray) -> None:
        """Compute and post the statistics of ``frame``."""
        if self.compute_statistics.value == "Yes":
            stats = frame_statistics(frame, int(self.bgd_width.value))
            for pv, key in (
                (self.total, "total"),
                (self.net, "net"),
                (self.mean_value, "mean"),
                (self.sigma, "sigma"),
                (self.min_value, "min"),
                (self.max_value, "max"),
                (self.min_x, "min_x"),
                (self.min_y, "min_y"),
                (self.max_x, "max_x"),
                (self.max_y, "max_y"),
            ):
                await pv.write(stats[key])
        if self.compute_centroid.value == "Yes":
            centroid = frame_centroid(frame, float(self.centroid_threshold.value))
            for pv, key in (
                (self.centroid_x, "x"),
                (self.centroid_y, "y"),
                (self.sigma_x, "sigma_x"),
                (self.sigma_y, "sigma_y"),
                (self.sigma_xy, "sigma_xy"),
            ):
                await pv.write(centroid[key])
