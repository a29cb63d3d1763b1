"""The areaDetector plugin classes as of ADCore 1.9.1, the release classic ophyd was first written against.

Each class is registered by its ``PluginType_RBV`` (see register_plugin). Newer ADCore releases added PVs; their
classes (``StatsPlugin_V34``, ...) are in :mod:`sophyd.areadetector.plugins`, reached with select_version().
"""

from __future__ import annotations

import functools
import operator
from collections import OrderedDict
from typing import Any, ClassVar

import numpy as np

from .._epics_signal import EpicsSignal, EpicsSignalRO
from ..errors import UnprimedPlugin
from ..status import StatusBase, SubscriptionStatus
from ._plugin_base import FilePlugin, PluginBase, register_plugin
from .base import ADBase, DDC_EpicsSignal, DDC_EpicsSignalRO, DDC_SignalWithRBV, NDDerivedSignal
from .base import ADComponent as Cpt
from .base import EpicsSignalWithRBV as SignalWithRBV

__all__ = [
    "BadPixelPlugin",
    "ColorConvPlugin",
    "HDF5Plugin",
    "ImagePlugin",
    "JPEGPlugin",
    "KafkaPlugin",
    "MagickPlugin",
    "NetCDFPlugin",
    "NexusPlugin",
    "Overlay",
    "OverlayPlugin",
    "ProcessPlugin",
    "ROIPlugin",
    "StatsPlugin",
    "TIFFPlugin",
    "TransformPlugin",
]


class _ImageShapeSignal(NDDerivedSignal):
    """ImagePlugin's ``shaped_image``: the frame in the shape of its last ``ndimensions`` array sizes.

    The sizes are (depth, height, width) = (ArraySize2, ArraySize1, ArraySize0), the frame's shape in C order
    when it has three dimensions; a 2-D frame is (height, width), the last two. Classic ophyd took the first
    two, (depth, height), and gave an empty array for a mono image.
    """

    @property
    def frame_shape(self) -> tuple[int, ...]:
        """The last ``num_dimensions`` sizes of derived_shape."""
        shape = self.derived_shape
        return shape[len(shape) - self.derived_ndims :]


@register_plugin
class ImagePlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDStdArrays plugin (``image1:``): the last frame as a flat ``ArrayData`` waveform."""

    _default_suffix: ClassVar[str] = "image1:"
    _suffix_re: ClassVar[str | None] = r"image\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginStdArrays.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginStdArrays"

    array_data = Cpt(EpicsSignal, "ArrayData")
    shaped_image = Cpt(
        _ImageShapeSignal,
        derived_from="array_data",
        shape=("array_size.depth", "array_size.height", "array_size.width"),
        num_dimensions="ndimensions",
        kind="omitted",
    )

    @property
    def image(self) -> np.ndarray:
        """The last frame in its shape (depth dropped when 0); RuntimeError when the plugin has seen none."""
        array_size = tuple(int(dim) for dim in self.array_size.get())
        if array_size == (0, 0, 0):
            raise RuntimeError(f"{self._describe_me()}: invalid image; ensure array_callbacks are on")
        if array_size[0] == 0:
            array_size = array_size[1:]
        pixel_count = self.array_pixels
        image = np.asarray(self.array_data.get())[:pixel_count]
        return image.reshape(array_size)


@register_plugin
class StatsPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginStats plugin (``Stats1:``): total, mean, extrema, centroid, sigma, histogram, profiles."""

    _default_suffix: ClassVar[str] = "Stats1:"
    _suffix_re: ClassVar[str | None] = r"Stats\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginStats.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginStats"

    bgd_width = Cpt(SignalWithRBV, "BgdWidth", kind="config")
    centroid_threshold = Cpt(SignalWithRBV, "CentroidThreshold", kind="config")
    centroid = DDC_EpicsSignalRO(("x", "CentroidX_RBV"), ("y", "CentroidY_RBV"), doc="The centroid XY")
    compute_centroid = Cpt(SignalWithRBV, "ComputeCentroid", string=True, kind="config")
    compute_histogram = Cpt(SignalWithRBV, "ComputeHistogram", string=True, kind="config")
    compute_profiles = Cpt(SignalWithRBV, "ComputeProfiles", string=True, kind="config")
    compute_statistics = Cpt(SignalWithRBV, "ComputeStatistics", string=True, kind="config")
    cursor = DDC_SignalWithRBV(("x", "CursorX"), ("y", "CursorY"), doc="The cursor XY")
    hist_entropy = Cpt(EpicsSignalRO, "HistEntropy_RBV", kind="config")
    hist_max = Cpt(SignalWithRBV, "HistMax", kind="config")
    hist_min = Cpt(SignalWithRBV, "HistMin", kind="config")
    hist_size = Cpt(SignalWithRBV, "HistSize")
    histogram = Cpt(EpicsSignalRO, "Histogram_RBV")
    max_size = DDC_EpicsSignal(("x", "MaxSizeX"), ("y", "MaxSizeY"), doc="The maximum size in XY")
    max_value = Cpt(EpicsSignalRO, "MaxValue_RBV")
    max_xy = DDC_EpicsSignalRO(("x", "MaxX_RBV"), ("y", "MaxY_RBV"), doc="Maximum in XY")
    mean_value = Cpt(EpicsSignalRO, "MeanValue_RBV")
    min_value = Cpt(EpicsSignalRO, "MinValue_RBV")
    min_xy = DDC_EpicsSignalRO(("x", "MinX_RBV"), ("y", "MinY_RBV"), doc="Minimum in XY")
    net = Cpt(EpicsSignalRO, "Net_RBV")
    profile_average = DDC_EpicsSignalRO(
        ("x", "ProfileAverageX_RBV"), ("y", "ProfileAverageY_RBV"), doc="Profile average in XY"
    )
    profile_centroid = DDC_EpicsSignalRO(
        ("x", "ProfileCentroidX_RBV"), ("y", "ProfileCentroidY_RBV"), doc="Profile centroid in XY"
    )
    profile_cursor = DDC_EpicsSignalRO(
        ("x", "ProfileCursorX_RBV"), ("y", "ProfileCursorY_RBV"), doc="Profile cursor in XY", kind="config"
    )
    profile_size = DDC_EpicsSignalRO(
        ("x", "ProfileSizeX_RBV"), ("y", "ProfileSizeY_RBV"), doc="Profile size in XY", kind="config"
    )
    profile_threshold = DDC_EpicsSignalRO(
        ("x", "ProfileThresholdX_RBV"), ("y", "ProfileThresholdY_RBV"), doc="Profile threshold in XY"
    )
    set_xhopr = Cpt(EpicsSignal, "SetXHOPR")
    set_yhopr = Cpt(EpicsSignal, "SetYHOPR")
    sigma_xy = Cpt(EpicsSignalRO, "SigmaXY_RBV")
    sigma_x = Cpt(EpicsSignalRO, "SigmaX_RBV")
    sigma_y = Cpt(EpicsSignalRO, "SigmaY_RBV")
    sigma = Cpt(EpicsSignalRO, "Sigma_RBV")
    ts_acquiring = Cpt(EpicsSignal, "TSAcquiring")
    ts_centroid = DDC_EpicsSignal(
        ("x", "TSCentroidX"), ("y", "TSCentroidY"), doc="Time series centroid in XY"
    )
    ts_control = Cpt(EpicsSignal, "TSControl", string=True, kind="config")
    ts_current_point = Cpt(EpicsSignal, "TSCurrentPoint")
    ts_max_value = Cpt(EpicsSignal, "TSMaxValue")
    ts_max = DDC_EpicsSignal(("x", "TSMaxX"), ("y", "TSMaxY"), doc="Time series maximum in XY")
    ts_mean_value = Cpt(EpicsSignal, "TSMeanValue")
    ts_min_value = Cpt(EpicsSignal, "TSMinValue")
    ts_min = DDC_EpicsSignal(("x", "TSMinX"), ("y", "TSMinY"), doc="Time series minimum in XY")
    ts_net = Cpt(EpicsSignal, "TSNet")
    ts_num_points = Cpt(EpicsSignal, "TSNumPoints", kind="config")
    ts_read = Cpt(EpicsSignal, "TSRead")
    ts_sigma = Cpt(EpicsSignal, "TSSigma")
    ts_sigma_x = Cpt(EpicsSignal, "TSSigmaX")
    ts_sigma_xy = Cpt(EpicsSignal, "TSSigmaXY")
    ts_sigma_y = Cpt(EpicsSignal, "TSSigmaY")
    ts_total = Cpt(EpicsSignal, "TSTotal")
    total = Cpt(EpicsSignalRO, "Total_RBV")


@register_plugin
class ColorConvPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginColorConvert plugin (``CC1:``): converts between mono, Bayer and RGB color modes."""

    _default_suffix: ClassVar[str] = "CC1:"
    _suffix_re: ClassVar[str | None] = r"CC\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginColorConvert.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginColorConvert"

    color_mode_out = Cpt(SignalWithRBV, "ColorModeOut", kind="config")
    false_color = Cpt(SignalWithRBV, "FalseColor", kind="config")


@register_plugin
class ProcessPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginProcess plugin (``Proc1:``): background, flat field, offset/scale, clipping, filtering."""

    _default_suffix: ClassVar[str] = "Proc1:"
    _suffix_re: ClassVar[str | None] = r"Proc\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginProcess.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginProcess"

    auto_offset_scale = Cpt(EpicsSignal, "AutoOffsetScale", string=True, kind="config")
    auto_reset_filter = Cpt(SignalWithRBV, "AutoResetFilter", string=True, kind="config")
    average_seq = Cpt(EpicsSignal, "AverageSeq", kind="config")
    copy_to_filter_seq = Cpt(EpicsSignal, "CopyToFilterSeq", kind="config")
    data_type_out = Cpt(SignalWithRBV, "DataTypeOut", string=True, kind="config")
    difference_seq = Cpt(EpicsSignal, "DifferenceSeq", kind="config")
    enable_background = Cpt(SignalWithRBV, "EnableBackground", string=True, kind="config")
    enable_filter = Cpt(SignalWithRBV, "EnableFilter", string=True, kind="config")
    enable_flat_field = Cpt(SignalWithRBV, "EnableFlatField", string=True, kind="config")
    enable_high_clip = Cpt(SignalWithRBV, "EnableHighClip", string=True, kind="config")
    enable_low_clip = Cpt(SignalWithRBV, "EnableLowClip", string=True, kind="config")
    enable_offset_scale = Cpt(SignalWithRBV, "EnableOffsetScale", string=True, kind="config")
    fc = DDC_SignalWithRBV(
        ("fc1", "FC1"),
        ("fc2", "FC2"),
        ("fc3", "FC3"),
        ("fc4", "FC4"),
        doc="Filter coefficients",
        kind="config",
    )
    foffset = Cpt(SignalWithRBV, "FOffset", kind="config")
    fscale = Cpt(SignalWithRBV, "FScale", kind="config")
    filter_callbacks = Cpt(SignalWithRBV, "FilterCallbacks", string=True, kind="config")
    filter_type = Cpt(EpicsSignal, "FilterType", string=True, kind="config")
    filter_type_seq = Cpt(EpicsSignal, "FilterTypeSeq", kind="config")
    high_clip = Cpt(SignalWithRBV, "HighClip", kind="config")
    low_clip = Cpt(SignalWithRBV, "LowClip", kind="config")
    num_filter = Cpt(SignalWithRBV, "NumFilter", kind="config")
    num_filter_recip = Cpt(EpicsSignal, "NumFilterRecip", kind="config")
    num_filtered = Cpt(EpicsSignalRO, "NumFiltered_RBV", kind="config")
    oc = DDC_SignalWithRBV(
        ("oc1", "OC1"),
        ("oc2", "OC2"),
        ("oc3", "OC3"),
        ("oc4", "OC4"),
        doc="Output coefficients",
        kind="config",
    )
    o_offset = Cpt(SignalWithRBV, "OOffset", kind="config")
    o_scale = Cpt(SignalWithRBV, "OScale", kind="config")
    offset = Cpt(SignalWithRBV, "Offset", kind="config")
    rc = DDC_SignalWithRBV(("rc1", "RC1"), ("rc2", "RC2"), doc="Filter coefficients", kind="config")
    roffset = Cpt(SignalWithRBV, "ROffset", kind="config")
    recursive_ave_diff_seq = Cpt(EpicsSignal, "RecursiveAveDiffSeq", kind="config")
    recursive_ave_seq = Cpt(EpicsSignal, "RecursiveAveSeq", kind="config")
    reset_filter = Cpt(SignalWithRBV, "ResetFilter", kind="config")
    save_background = Cpt(SignalWithRBV, "SaveBackground", kind="config")
    save_flat_field = Cpt(SignalWithRBV, "SaveFlatField", kind="config")
    scale = Cpt(SignalWithRBV, "Scale", kind="config")
    scale_flat_field = Cpt(SignalWithRBV, "ScaleFlatField", kind="config")
    sum_seq = Cpt(EpicsSignal, "SumSeq", kind="config")
    valid_background = Cpt(EpicsSignalRO, "ValidBackground_RBV", string=True, kind="config")
    valid_flat_field = Cpt(EpicsSignalRO, "ValidFlatField_RBV", string=True, kind="config")


class Overlay(ADBase, version=(1, 9, 1), version_type="ADCore"):
    """One of the eight overlays (``1:`` .. ``8:``) of an NDPluginOverlay plugin: shape, position, color."""

    _html_docs: ClassVar[list[str]] = ["NDPluginOverlay.html"]

    blue = Cpt(SignalWithRBV, "Blue")
    draw_mode = Cpt(SignalWithRBV, "DrawMode")
    green = Cpt(SignalWithRBV, "Green")
    max_size_x = Cpt(EpicsSignal, "MaxSizeX")
    max_size_y = Cpt(EpicsSignal, "MaxSizeY")
    overlay_portname = Cpt(SignalWithRBV, "Name")
    position_x = Cpt(SignalWithRBV, "PositionX")
    position_y = Cpt(SignalWithRBV, "PositionY")
    position_xlink = Cpt(EpicsSignal, "PositionXLink")
    position_ylink = Cpt(EpicsSignal, "PositionYLink")
    red = Cpt(SignalWithRBV, "Red")
    set_xhopr = Cpt(EpicsSignal, "SetXHOPR")
    set_yhopr = Cpt(EpicsSignal, "SetYHOPR")
    shape = Cpt(SignalWithRBV, "Shape")
    size_x = Cpt(SignalWithRBV, "SizeX")
    size_y = Cpt(SignalWithRBV, "SizeY")
    size_xlink = Cpt(EpicsSignal, "SizeXLink")
    size_ylink = Cpt(EpicsSignal, "SizeYLink")
    use = Cpt(SignalWithRBV, "Use")


@register_plugin
class OverlayPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginOverlay plugin (``Over1:``): draws up to eight graphics overlays on the frame."""

    _default_suffix: ClassVar[str] = "Over1:"
    _suffix_re: ClassVar[str | None] = r"Over\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginOverlay.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginOverlay"

    max_size = DDC_EpicsSignalRO(("x", "MaxSizeX_RBV"), ("y", "MaxSizeY_RBV"), doc="The maximum size in XY")
    overlay_1 = Cpt(Overlay, "1:", kind="config")
    overlay_2 = Cpt(Overlay, "2:", kind="config")
    overlay_3 = Cpt(Overlay, "3:", kind="config")
    overlay_4 = Cpt(Overlay, "4:", kind="config")
    overlay_5 = Cpt(Overlay, "5:", kind="config")
    overlay_6 = Cpt(Overlay, "6:", kind="config")
    overlay_7 = Cpt(Overlay, "7:", kind="config")
    overlay_8 = Cpt(Overlay, "8:", kind="config")


@register_plugin
class ROIPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginROI plugin (``ROI1:``): a region of the frame, binned, scaled or reversed."""

    _default_suffix: ClassVar[str] = "ROI1:"
    _suffix_re: ClassVar[str | None] = r"ROI\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginROI.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginROI"

    array_size = DDC_EpicsSignalRO(
        ("z", "ArraySizeZ_RBV"),
        ("y", "ArraySizeY_RBV"),
        ("x", "ArraySizeX_RBV"),
        doc="Size of the ROI data in XYZ",
    )
    auto_size = DDC_SignalWithRBV(
        ("x", "AutoSizeX"),
        ("y", "AutoSizeY"),
        ("z", "AutoSizeZ"),
        doc="Automatically set SizeXYZ to the input array size minus MinXYZ",
    )
    bin_ = DDC_SignalWithRBV(("x", "BinX"), ("y", "BinY"), ("z", "BinZ"), doc="Binning in XYZ", kind="config")
    data_type_out = Cpt(SignalWithRBV, "DataTypeOut", string=True, kind="config")
    enable_scale = Cpt(SignalWithRBV, "EnableScale", string=True, kind="config")
    roi_enable = DDC_SignalWithRBV(
        ("x", "EnableX"),
        ("y", "EnableY"),
        ("z", "EnableZ"),
        string=True,
        kind="config",
        doc=(
            "Enable ROI calculations in the X, Y, Z dimensions. If not enabled then the start, size, binning, "
            "and reverse operations are disabled in the X/Y/Z dimension, and the values from the input array "
            "are used."
        ),
    )
    max_xy = DDC_EpicsSignal(("x", "MaxX"), ("y", "MaxY"), doc="Maximum in XY")
    max_size = DDC_EpicsSignalRO(
        ("x", "MaxSizeX_RBV"),
        ("y", "MaxSizeY_RBV"),
        ("z", "MaxSizeZ_RBV"),
        doc="Maximum size of the ROI in XYZ",
    )
    min_xyz = DDC_SignalWithRBV(
        ("min_x", "MinX"),
        ("min_y", "MinY"),
        ("min_z", "MinZ"),
        doc="Minimum size of the ROI in XYZ",
        kind="normal",
    )
    name_ = Cpt(SignalWithRBV, "Name", doc="ROI name", kind="config")
    reverse = DDC_SignalWithRBV(
        ("x", "ReverseX"),
        ("y", "ReverseY"),
        ("z", "ReverseZ"),
        doc="Reverse ROI in the XYZ dimensions. (0=No, 1=Yes)",
    )
    scale = Cpt(SignalWithRBV, "Scale")
    set_xhopr = Cpt(EpicsSignal, "SetXHOPR")
    set_yhopr = Cpt(EpicsSignal, "SetYHOPR")
    size = DDC_SignalWithRBV(
        ("x", "SizeX"), ("y", "SizeY"), ("z", "SizeZ"), doc="Size of the ROI in XYZ", kind="normal"
    )

    def set(self, region: dict[str, Any]) -> StatusBase:
        """Set the region: ``{'x': [min, size], 'y': [min, size], 'z': [min, size]}``; axes left out stay.

        Returns a status done when every start and size has been set. Raises ValueError, before anything is
        sent, for an empty region, an axis other than x, y, z, or a value that is not a [min, size] pair.
        """
        if not region:
            raise ValueError(f"{self._describe_me()}: set() needs a region such as {{'x': [min, size]}}")
        unknown = sorted(set(region) - {"x", "y", "z"})
        if unknown:
            raise ValueError(
                f"{self._describe_me()}: unknown ROI axes {unknown} in {region!r} (known: x, y, z)"
            )
        malformed = {
            axis: value
            for axis, value in region.items()
            if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != 2
        }
        if malformed:
            raise ValueError(f"{self._describe_me()}: each ROI axis takes [min, size], not {malformed!r}")
        statuses = []
        for direction, (start, size) in region.items():
            statuses.append(getattr(self, f"min_xyz.min_{direction}").set(start))
            statuses.append(getattr(self, f"size.{direction}").set(size))
        return functools.reduce(operator.and_, statuses)


@register_plugin
class TransformPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginTransform plugin (``Trans1:``): rotates and mirrors the frame."""

    _default_suffix: ClassVar[str] = "Trans1:"
    _suffix_re: ClassVar[str | None] = r"Trans\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginTransform.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginTransform"

    width = Cpt(SignalWithRBV, "ArraySize0")
    height = Cpt(SignalWithRBV, "ArraySize1")
    depth = Cpt(SignalWithRBV, "ArraySize2")
    array_size = DDC_SignalWithRBV(
        ("depth", "ArraySize2"), ("height", "ArraySize1"), ("width", "ArraySize0"), doc="Array size"
    )
    name_ = Cpt(EpicsSignal, "Name")
    origin_location = Cpt(SignalWithRBV, "OriginLocation")
    t1_max_size = DDC_EpicsSignal(
        ("size0", "T1MaxSize0"), ("size1", "T1MaxSize1"), ("size2", "T1MaxSize2"), doc="Transform 1 max size"
    )
    t2_max_size = DDC_EpicsSignal(
        ("size0", "T2MaxSize0"), ("size1", "T2MaxSize1"), ("size2", "T2MaxSize2"), doc="Transform 2 max size"
    )
    t3_max_size = DDC_EpicsSignal(
        ("size0", "T3MaxSize0"), ("size1", "T3MaxSize1"), ("size2", "T3MaxSize2"), doc="Transform 3 max size"
    )
    t4_max_size = DDC_EpicsSignal(
        ("size0", "T4MaxSize0"), ("size1", "T4MaxSize1"), ("size2", "T4MaxSize2"), doc="Transform 4 max size"
    )
    types = DDC_EpicsSignal(
        ("type1", "Type1"), ("type2", "Type2"), ("type3", "Type3"), ("type4", "Type4"), doc="Transform types"
    )


@register_plugin
class NetCDFPlugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileNetCDF file plugin (``netCDF1:``)."""

    _default_suffix: ClassVar[str] = "netCDF1:"
    _suffix_re: ClassVar[str | None] = r"netCDF\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileNetCDF.html"]
    _plugin_type: ClassVar[str | None] = "NDFileNetCDF"


@register_plugin
class TIFFPlugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileTIFF file plugin (``TIFF1:``)."""

    _default_suffix: ClassVar[str] = "TIFF1:"
    _suffix_re: ClassVar[str | None] = r"TIFF\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileTIFF.html"]
    _plugin_type: ClassVar[str | None] = "NDFileTIFF"


@register_plugin
class JPEGPlugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileJPEG file plugin (``JPEG1:``)."""

    _default_suffix: ClassVar[str] = "JPEG1:"
    _suffix_re: ClassVar[str | None] = r"JPEG\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileJPEG.html"]
    _plugin_type: ClassVar[str | None] = "NDFileJPEG"

    jpeg_quality = Cpt(SignalWithRBV, "JPEGQuality", kind="config")


@register_plugin
class KafkaPlugin(PluginBase, version=(1, 9, 1), version_type="ADCore"):
    """The NDPluginKafka plugin (``KAFKA1:``): sends frames to a Kafka broker."""

    _default_suffix: ClassVar[str] = "KAFKA1:"
    _suffix_re: ClassVar[str | None] = r"KAFKA\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginKafka.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginKafka"

    connection_message = Cpt(EpicsSignalRO, "ConnectionMessage_RBV")
    connection_status = Cpt(EpicsSignalRO, "ConnectionStatus_RBV")
    kafka_broker_address = Cpt(SignalWithRBV, "KafkaBrokerAddress")
    kafka_buffer_size = Cpt(SignalWithRBV, "KafkaBufferSize")
    kafka_max_message_size = Cpt(SignalWithRBV, "KafkaMaxMessageSize")
    kafka_max_queue_size = Cpt(SignalWithRBV, "KafkaMaxQueueSize")
    kafka_stats_interval_time = Cpt(SignalWithRBV, "KafkaStatsIntervalTime")
    kafka_topic = Cpt(SignalWithRBV, "KafkaTopic")
    reconnect_flush = Cpt(SignalWithRBV, "ReconnectFlush")
    reconnect_flush_time = Cpt(SignalWithRBV, "ReconnectFlushTime")
    source_name = Cpt(SignalWithRBV, "SourceName")
    unsent_packets = Cpt(EpicsSignalRO, "UnsentPackets_RBV")


@register_plugin
class NexusPlugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileNexus file plugin (``Nexus1:``), which lays out the file from an XML template."""

    _default_suffix: ClassVar[str] = "Nexus1:"
    _suffix_re: ClassVar[str | None] = r"Nexus\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileNexus.html"]
    _plugin_type: ClassVar[str | None] = "NDPluginNexus"

    file_template_valid = Cpt(EpicsSignal, "FileTemplateValid")
    template_file_name = Cpt(SignalWithRBV, "TemplateFileName", string=True, kind="config")
    template_file_path = Cpt(SignalWithRBV, "TemplateFilePath", string=True, kind="config")


@register_plugin
class BadPixelPlugin(PluginBase, version=(3, 11), version_type="ADCore"):
    """The NDPluginBadPixel plugin (``BadPix1:``), which replaces bad pixels listed in a JSON file."""

    _default_suffix: ClassVar[str] = "BadPix1:"
    _suffix_re: ClassVar[str | None] = r"BadPix\d:"
    _html_docs: ClassVar[list[str]] = ["NDPluginBadPixel.html"]
    _plugin_type: ClassVar[str | None] = "NDBadPixel"

    badpixel_json_filename = Cpt(EpicsSignal, "FileName")


@register_plugin
class HDF5Plugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileHDF5 file plugin (``HDF1:``): chunking, compression and extra dimensions of the HDF5 file.

    stage() raises UnprimedPlugin while the plugin has not seen a frame (its array size is 0x0x0): the
    plugin would not know the shape of the dataset to create. warmup() primes it.
    """

    _default_suffix: ClassVar[str] = "HDF1:"
    _suffix_re: ClassVar[str | None] = r"HDF\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileHDF5.html"]
    _plugin_type: ClassVar[str | None] = "NDFileHDF5"

    boundary_align = Cpt(SignalWithRBV, "BoundaryAlign", kind="config")
    boundary_threshold = Cpt(SignalWithRBV, "BoundaryThreshold", kind="config")
    compression = Cpt(SignalWithRBV, "Compression", kind="config")
    data_bits_offset = Cpt(SignalWithRBV, "DataBitsOffset", kind="config")
    extra_dim_name = DDC_EpicsSignalRO(
        ("name_x", "ExtraDimNameX_RBV"),
        ("name_y", "ExtraDimNameY_RBV"),
        ("name_n", "ExtraDimNameN_RBV"),
        doc="Extra dimension names (XYN)",
        kind="config",
    )
    extra_dim_size = DDC_SignalWithRBV(
        ("size_x", "ExtraDimSizeX"),
        ("size_y", "ExtraDimSizeY"),
        ("size_n", "ExtraDimSizeN"),
        doc="Extra dimension sizes (XYN)",
        kind="config",
    )
    io_speed = Cpt(EpicsSignal, "IOSpeed", kind="config")
    num_col_chunks = Cpt(SignalWithRBV, "NumColChunks", kind="config")
    num_data_bits = Cpt(SignalWithRBV, "NumDataBits", kind="config")
    num_extra_dims = Cpt(SignalWithRBV, "NumExtraDims", kind="config")
    num_frames_chunks = Cpt(SignalWithRBV, "NumFramesChunks", kind="config")
    num_frames_flush = Cpt(SignalWithRBV, "NumFramesFlush", kind="config")
    num_row_chunks = Cpt(SignalWithRBV, "NumRowChunks", kind="config")
    run_time = Cpt(EpicsSignal, "RunTime", kind="config")
    szip_num_pixels = Cpt(SignalWithRBV, "SZipNumPixels", kind="config")
    store_attr = Cpt(SignalWithRBV, "StoreAttr", kind="config", string=True, doc="0='No' 1='Yes'")
    store_perform = Cpt(SignalWithRBV, "StorePerform", kind="config", string=True, doc="0='No' 1='Yes'")
    zlevel = Cpt(SignalWithRBV, "ZLevel", kind="config")

    def warmup(self, timeout: float = 10.0) -> None:
        """Prime the plugin: have the camera acquire one frame with this plugin enabled, then restore it.

        The plugin learns the frame's size from the first frame it sees and cannot open a file before that.
        The camera (``parent.cam``) is set to single-image internal triggering with 1 s exposures for the
        frame; its settings are restored afterwards. Waits until the plugin has counted the frame, at most
        ``timeout`` seconds (StatusTimeoutError, after restoring, if it does not).
        """
        cam = getattr(self.parent, "cam", None)
        if cam is None:
            raise RuntimeError(f"{self._describe_me()}: warmup() needs a parent detector with a 'cam'")
        self.enable.set(1).wait(timeout)
        sigs = OrderedDict(
            [
                (cam.array_callbacks, 1),
                (cam.image_mode, "Single"),
                (cam.trigger_mode, "Internal"),
                (cam.acquire_time, 1),  # in case the exposure was set very long
                (cam.acquire_period, 1),
            ]
        )
        original_vals = {sig: sig.get() for sig in sigs}
        counted = int(self.array_counter.get())
        try:
            for sig, val in sigs.items():
                sig.set(val).wait(timeout)
            seen = SubscriptionStatus(
                self.array_counter, lambda value=None, **kw: int(value) > counted, timeout=timeout
            )
            cam.acquire.put(1)  # a single image: the acquisition ends by itself
            seen.wait()  # at most its own timeout
        finally:
            for sig, val in reversed(list(original_vals.items())):
                sig.set(val).wait(timeout)

    def stage(self) -> list[Any]:
        """Stage as any plugin, after checking that the plugin has been primed (UnprimedPlugin if not)."""
        if np.array(self.array_size.get()).sum() == 0:
            raise UnprimedPlugin(
                f"The plugin {self.dotted_name} on the area detector with name {self.root.name} has not been "
                "primed: its array size is 0x0x0; acquire one frame with it enabled (HDF5Plugin.warmup())"
            )
        return super().stage()


@register_plugin
class MagickPlugin(FilePlugin, version=(1, 9, 1), version_type="ADCore"):
    """The NDFileMagick file plugin (``Magick1:``): files in any format GraphicsMagick writes."""

    _default_suffix: ClassVar[str] = "Magick1:"
    _suffix_re: ClassVar[str | None] = r"Magick\d:"
    _html_docs: ClassVar[list[str]] = ["NDFileMagick"]  # sic: classic names it without .html
    _plugin_type: ClassVar[str | None] = "NDFileMagick"

    bit_depth = Cpt(SignalWithRBV, "BitDepth", kind="config")
    compress_type = Cpt(SignalWithRBV, "CompressType", kind="config")
    quality = Cpt(SignalWithRBV, "Quality", kind="config")
