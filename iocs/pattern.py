"""The detectors of the ophyd-async "Using Devices" demo served over EPICS (default prefix ``pattern:``).

- Stage: two motor records ``STAGE:X`` and ``STAGE:Y`` (``sophyd_iocs._motor.MotorRecord``; bare name = setpoint,
  ``.RBV``, ``.VELO``, ... as on a real motor record).
- Point detector ``PDET:``: ``AcquireTime`` (s), ``Acquire`` (Done/Acquire; its put-completion arrives
  after the acquire time), and for channels 1..3 ``PDET:<i>:Value`` (read-only counts) and ``PDET:<i>:Mode``
  ("Low Energy"/"High Energy"). At the end of an acquisition of T seconds the values become
  ``sophyd_iocs.physics.point_values(x, y, T, modes)`` with x, y the stage readbacks at that moment. A put of
  Acquire during an acquisition joins it; a put of Done aborts it (values unchanged, pending puts complete).
- Blob detector ``BDET:``, named like an areaDetector IOC: the camera ``BDET:cam1:`` (``sophyd_iocs._adcam``,
  asyn port ``CAM1``) makes ``sophyd_iocs.physics.blob_frame(x, y, AcquireTime)`` frames; the HDF5 plugin
  ``BDET:HDF1:`` (``sophyd_iocs._hdf5``, port ``HDF1``) writes them to ``/entry/data/data`` with their sums in
  ``/entry/sum``, and the statistics plugin ``BDET:Stats1:`` (``sophyd_iocs._stats``, port ``STATS1``)
  computes their total, mean, extremes and centroid; the circular buffer ``BDET:CB1:``
  (``sophyd_iocs._circbuff``, port ``CB1``) counts them for its soft triggers; the TIFF plugin ``BDET:TIFF1:``
  (``sophyd_iocs._tiff``, port ``TIFF1``) writes them one file each; the ROI plugin ``BDET:ROI1:``
  (``sophyd_iocs._roi``, port ``ROI1``) cuts them to a region and passes that on to the plugins whose
  NDArrayPort is ``ROI1``; the standard-arrays plugin ``BDET:image1:`` (``sophyd_iocs._stdarrays``, port
  ``IMAGE1``) serves the last frame as the waveform ``ArrayData``; the process plugin ``BDET:Proc1:``
  (``sophyd_iocs._process``, port ``PROC1``) offsets, scales and clips them and passes them on, and the
  overlay plugin ``BDET:Over1:`` (``sophyd_iocs._overlay``, port ``OVER1``), the color-convert plugin
  ``BDET:CC1:`` and the transform plugin ``BDET:Trans1:`` (``sophyd_iocs._convert``, ports ``CC1`` and
  ``TRANS1``) pass them on unchanged; the netCDF and JPEG file plugins ``BDET:netCDF1:`` and ``BDET:JPEG1:``
  (``sophyd_iocs._netcdf_jpeg``) serve their PVs but write no file. The
  camera also serves the ADSimDetector driver's PVs (stored, unused), so classic ophyd's ``SimDetector``
  connects in full. The plugins share areaDetector's plugin PVs (``sophyd_iocs._ndplugin``; the file plugins
  also ``sophyd_iocs._ndfile``) and take the camera's frames, in that order, before its acquisition ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, SubGroup, pvproperty

from sophyd_iocs._acquisition import Acquisition, wait_stop
from sophyd_iocs._adcam import AreaCam
from sophyd_iocs._circbuff import CircularBuffPlugin
from sophyd_iocs._convert import ColorConvertPlugin, TransformPlugin
from sophyd_iocs._hdf5 import HDF5Plugin
from sophyd_iocs._motor import MotorRecord
from sophyd_iocs._netcdf_jpeg import JPEGPlugin, NetCDFPlugin
from sophyd_iocs._overlay import OverlayPlugin
from sophyd_iocs._process import ProcessPlugin
from sophyd_iocs._roi import ROIPlugin
from sophyd_iocs._run import run_ioc
from sophyd_iocs._stats import StatsPlugin
from sophyd_iocs._stdarrays import StdArraysPlugin
from sophyd_iocs._tiff import TIFFPlugin
from sophyd_iocs.physics import blob_frame, point_values

__all__ = ["DEFAULT_PREFIX", "READY_PV", "PatternIOC", "PointChannel", "PointDetector", "main"]

DEFAULT_PREFIX = "pattern:"
READY_PV = "BDET:HDF1:WriteStatus"

_ACQUIRE = ("Done", "Acquire")
_MODES = ("Low Energy", "High Energy")


class PointChannel(PVGroup):
    """One channel of the point detector: its last counts and its energy mode."""

    value = pvproperty(name="Value", value=0, dtype=int, read_only=True, units="counts", doc="Counts")
    mode = pvproperty(name="Mode", value=_MODES[0], dtype=ChannelType.ENUM, enum_strings=_MODES, doc="Energy")


class PointDetector(PVGroup):
    """A three-channel point detector triggered by a put to ``Acquire`` with completion."""

    acquire_time = pvproperty(
        name="AcquireTime",
        value=0.1,
        dtype=float,
        units="s",
        precision=3,
        lower_ctrl_limit=0.0,
        upper_ctrl_limit=3600.0,
        doc="Exposure time",
    )
    acquire = pvproperty(
        name="Acquire", value="Done", dtype=ChannelType.ENUM, enum_strings=_ACQUIRE, doc="Acquire"
    )
    channel1 = SubGroup(PointChannel, prefix="1:")
    channel2 = SubGroup(PointChannel, prefix="2:")
    channel3 = SubGroup(PointChannel, prefix="3:")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Returns the stage position (x, y) at the end of an exposure; the IOC wires it to its motors.
        self.position: Any = lambda: (0.0, 0.0)
        self._acquisition = Acquisition()

    @property
    def channels(self) -> tuple[PointChannel, ...]:
        """Channels 1, 2 and 3."""
        return (self.channel1, self.channel2, self.channel3)

    @acquire.putter  # type: ignore[no-redef]
    async def acquire(self, instance: Any, value: str) -> None:
        await self._acquisition.put(
            value,
            _ACQUIRE,
            lambda stop: self._expose(instance, stop),
            lambda: instance.write(_ACQUIRE[0], verify_value=False),
        )
        raise SkipWrite()

    async def _expose(self, instance: Any, stop: asyncio.Event) -> None:
        """One acquisition: ``Acquire``, the exposure, the new values (unless stopped), back to ``Done``."""
        try:
            await instance.write(_ACQUIRE[1], verify_value=False)
            exposure = float(self.acquire_time.value)
            if not await wait_stop(stop, exposure):
                x, y = self.position()
                modes = [channel.mode.value for channel in self.channels]
                for channel, counts in zip(self.channels, point_values(x, y, exposure, modes), strict=True):
                    await channel.value.write(counts)
        finally:
            # Back to Done before the put completes, so a read after completion sees the new values and Done.
            await instance.write(_ACQUIRE[0], verify_value=False)


class PatternIOC(PVGroup):
    """The demo's stage, point detector and blob detector in one IOC."""

    stage_x = SubGroup(MotorRecord, prefix="STAGE:X", description="Stage X")
    stage_y = SubGroup(MotorRecord, prefix="STAGE:Y", description="Stage Y")
    pdet = SubGroup(PointDetector, prefix="PDET:")
    cam = SubGroup(AreaCam, prefix="BDET:cam1:")
    hdf = SubGroup(HDF5Plugin, prefix="BDET:HDF1:")
    stats = SubGroup(StatsPlugin, prefix="BDET:Stats1:")
    cb = SubGroup(CircularBuffPlugin, prefix="BDET:CB1:")
    tiff = SubGroup(TIFFPlugin, prefix="BDET:TIFF1:")
    roi = SubGroup(ROIPlugin, prefix="BDET:ROI1:")
    image = SubGroup(StdArraysPlugin, prefix="BDET:image1:")
    proc = SubGroup(ProcessPlugin, prefix="BDET:Proc1:")
    over = SubGroup(OverlayPlugin, prefix="BDET:Over1:")
    cc = SubGroup(ColorConvertPlugin, prefix="BDET:CC1:")
    trans = SubGroup(TransformPlugin, prefix="BDET:Trans1:")
    netcdf = SubGroup(NetCDFPlugin, prefix="BDET:netCDF1:")
    jpeg = SubGroup(JPEGPlugin, prefix="BDET:JPEG1:")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pdet.position = self.stage_position
        self.cam.make_frame = self._blob
        sources = [self.roi, self.proc, self.over, self.cc, self.trans]  # these pass frames on
        plugins = [self.hdf, self.stats, self.cb, self.tiff, self.image, self.netcdf, self.jpeg, *sources]
        self.cam.plugins.extend(plugin.on_frame for plugin in plugins)
        for source in sources:  # a plugin takes a source's frames when its NDArrayPort names the source
            source.outputs.extend(plugin.on_frame for plugin in plugins if plugin is not source)

    def stage_position(self) -> tuple[float, float]:
        """The user readbacks (x, y) of the stage motors."""
        return float(self.stage_x.rbv.value), float(self.stage_y.rbv.value)

    def _blob(self, exposure: float) -> np.ndarray:
        return blob_frame(*self.stage_position(), exposure)


def main() -> None:
    """Serve the pattern IOC with caproto's standard command-line options."""
    run_ioc(PatternIOC, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "pattern")


if __name__ == "__main__":
    main()
