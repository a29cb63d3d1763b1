"""An areaDetector-like camera driver (the ``cam1`` part of ``ADBase``) as a caproto PVGroup.

PVs (after the camera prefix, e.g. ``BDET:cam1:``); settings have an ``_RBV`` readback like areaDetector:

- ``Acquire`` (Done/Acquire) and ``Acquire_RBV``; ``AcquireTime``, ``AcquirePeriod`` (s), ``NumImages``,
  ``ImageMode`` (Single/Multiple/Continuous, default Multiple), each with ``_RBV``;
- ``ArrayCounter`` (writable, to reset it) and ``ArrayCounter_RBV``, ``NumImagesCounter_RBV``,
  ``ArrayRate_RBV`` (frames/s of the last acquisition), ``DetectorState_RBV`` (areaDetector's states,
  Idle/Acquire used here), ``StatusMessage_RBV``;
- ``PortName_RBV`` (the camera's asyn port, ``CAM1``: plugins whose ``NDArrayPort`` names it get its frames),
  ``ArrayCallbacks`` (Disable/Enable, default Enable: with Disable no plugin gets a frame), ``TriggerMode``
  (only Internal), ``NumExposures`` (each image is one exposure here) and ``NumExposuresCounter_RBV``, each
  setting with its ``_RBV``;
- frame description: ``ArraySizeX_RBV`` (320), ``ArraySizeY_RBV`` (240), ``ArraySizeZ_RBV`` (0),
  ``ArraySize_RBV`` (bytes per frame), ``MaxSizeX_RBV``, ``MaxSizeY_RBV``, ``DataType_RBV`` (UInt8),
  ``ColorMode_RBV`` (Mono), ``Manufacturer_RBV``, ``Model_RBV``;
- the other standard driver PVs (region, binning, shutter, temperature, array pool, ...) and the ADSimDetector
  driver's (gains, peaks, noise, ``SimMode``), stored but unused: ``DriverSettings`` and ``SimDriverSettings``
  in ``_addriver.py`` list them.

``Acquire`` = 1 takes 1 (Single), NumImages (Multiple) or unlimited (Continuous) frames, one every
max(AcquireTime, AcquirePeriod) seconds; each frame is made at the end of its exposure by ``make_frame`` and,
when ArrayCallbacks is Enable, handed to every plugin in ``plugins`` (awaited in order, so no frame is
dropped). The put-completion arrives when the last frame has been processed by the plugins (areaDetector's
``WaitForPlugins`` = Yes); a put of 0 stops the acquisition after the current exposure is abandoned, and
completes every pending put. A put of 1 during an acquisition joins it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from caproto import SkipWrite
from caproto.server import PVGroup, pvproperty

from sophyd_iocs._acquisition import Acquisition, wait_stop
from sophyd_iocs._addriver import COLOR_MODES, DATA_TYPES, DriverSettings, SimDriverSettings
from sophyd_iocs._pv import menu, number, string, with_rbv
from sophyd_iocs.physics import BLOB_HEIGHT, BLOB_WIDTH

__all__ = ["DETECTOR_STATES", "AreaCam", "RBVGroup"]

#: The camera's asyn port name, which its plugins' NDArrayPort names by default.
CAM_PORT = "CAM1"

#: areaDetector's DetectorState_RBV strings.
DETECTOR_STATES = (
    "Idle",
    "Acquire",
    "Readout",
    "Correct",
    "Saving",
    "Aborting",
    "Error",
    "Waiting",
    "Initializing",
    "Disconnected",
    "Aborted",
)
_ACQUIRE = ("Done", "Acquire")
_IMAGE_MODES = ("Single", "Multiple", "Continuous")
_ENABLE = ("Disable", "Enable")


class RBVGroup(PVGroup):
    """A PVGroup whose setting ``<name>`` is mirrored into ``<name>_RBV`` when written, as areaDetector does."""

    async def mirror(self, instance: Any, value: Any) -> None:
        """Write ``value`` to the ``_RBV`` readback of ``instance``, if it has one."""
        readback = self.pvdb.get(instance.pvname + "_RBV")
        if readback is not None:
            await readback.write(value, verify_value=False)

    async def group_write(self, instance: Any, value: Any) -> Any:
        """Default putter: accept the value and mirror it into the readback."""
        await self.mirror(instance, value)
        return value

    async def store(self, instance: Any, value: Any) -> None:
        """Set a setting and its readback from inside the IOC."""
        await instance.write(value, verify_value=False)
        await self.mirror(instance, value)


class AreaCam(RBVGroup, DriverSettings, SimDriverSettings):
    """A camera making frames of 240 x 320 uint8 pixels with ``make_frame(exposure)``."""

    acquire = menu("Acquire", _ACQUIRE, "Done", "Acquire (completes when all frames are processed)")
    acquire_rbv = menu("Acquire_RBV", _ACQUIRE, "Done", "Acquiring", read_only=True)
    acquire_time = number(
        "AcquireTime",
        0.1,
        "Exposure time",
        units="s",
        precision=3,
        lower_ctrl_limit=0.0,
        upper_ctrl_limit=3600.0,
    )
    acquire_time_rbv = number("AcquireTime_RBV", 0.1, "Exposure time", read_only=True, units="s", precision=3)
    acquire_period = number(
        "AcquirePeriod",
        0.0,
        "Time between frame starts",
        units="s",
        precision=3,
        lower_ctrl_limit=0.0,
        upper_ctrl_limit=3600.0,
    )
    acquire_period_rbv = number(
        "AcquirePeriod_RBV", 0.0, "Frame period", read_only=True, units="s", precision=3
    )
    num_images = number(
        "NumImages",
        1,
        "Frames per acquisition in Multiple mode",
        lower_ctrl_limit=1,
        upper_ctrl_limit=2**31 - 1,
    )
    num_images_rbv = number("NumImages_RBV", 1, "Frames per acquisition", read_only=True)
    num_images_counter = number("NumImagesCounter_RBV", 0, "Frames of this acquisition", read_only=True)
    image_mode = menu("ImageMode", _IMAGE_MODES, "Multiple", "Image mode")
    image_mode_rbv = menu("ImageMode_RBV", _IMAGE_MODES, "Multiple", "Image mode", read_only=True)
    array_counter = number("ArrayCounter", 0, "Frames acquired (write to reset)")
    array_counter_rbv = number("ArrayCounter_RBV", 0, "Frames acquired", read_only=True)
    array_rate = number("ArrayRate_RBV", 0.0, "Frames per second", read_only=True, units="Hz", precision=2)
    array_callbacks, array_callbacks_rbv = with_rbv(
        menu, "ArrayCallbacks", _ENABLE, "Enable", "Hand frames to plugins"
    )
    port_name = string("PortName_RBV", CAM_PORT, "asyn port name", read_only=True)
    trigger_mode, trigger_mode_rbv = with_rbv(menu, "TriggerMode", ("Internal",), "Internal", "Trigger mode")
    num_exposures, num_exposures_rbv = with_rbv(
        number, "NumExposures", 1, "Exposures per image", lower_ctrl_limit=1
    )
    num_exposures_counter = number("NumExposuresCounter_RBV", 0, "Exposures of this image", read_only=True)
    detector_state = menu("DetectorState_RBV", DETECTOR_STATES, "Idle", "Detector state", read_only=True)
    status_message = pvproperty(
        name="StatusMessage_RBV",
        value="Idle",
        dtype=str,
        max_length=256,
        read_only=True,
        doc="Status message",
    )
    array_size_x = number("ArraySizeX_RBV", BLOB_WIDTH, "Frame width", read_only=True)
    array_size_y = number("ArraySizeY_RBV", BLOB_HEIGHT, "Frame height", read_only=True)
    array_size_z = number("ArraySizeZ_RBV", 0, "Frame depth", read_only=True)
    array_size = number("ArraySize_RBV", BLOB_WIDTH * BLOB_HEIGHT, "Frame size in bytes", read_only=True)
    max_size_x = number("MaxSizeX_RBV", BLOB_WIDTH, "Sensor width", read_only=True)
    max_size_y = number("MaxSizeY_RBV", BLOB_HEIGHT, "Sensor height", read_only=True)
    data_type = menu("DataType_RBV", DATA_TYPES, "UInt8", "Pixel type", read_only=True)
    color_mode = menu("ColorMode_RBV", COLOR_MODES, "Mono", "Color mode", read_only=True)
    manufacturer = string("Manufacturer_RBV", "sophyd", "Manufacturer", read_only=True)
    model = string("Model_RBV", "Simulated blob camera", "Model", read_only=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Makes one frame for an exposure time (s); the IOC wires it to its physics.
        self.make_frame: Callable[[float], np.ndarray] = self._blank
        #: Coroutines called with every frame, in order (e.g. ``HDF5Plugin.on_frame``).
        self.plugins: list[Callable[[np.ndarray], Awaitable[None]]] = []
        self._acquisition = Acquisition()

    @staticmethod
    def _blank(exposure: float) -> np.ndarray:
        return np.zeros((BLOB_HEIGHT, BLOB_WIDTH), dtype=np.uint8)

    @acquire.putter  # type: ignore[no-redef]
    async def acquire(self, instance: Any, value: str) -> None:
        await self._acquisition.put(
            value,
            ("Done", "Acquire"),
            lambda stop: self._run(instance, stop),
            lambda: self.store(instance, "Done"),
        )
        raise SkipWrite()

    async def _run(self, instance: Any, stop: asyncio.Event) -> None:
        """One acquisition: the frames between ``Acquire`` and back to ``Idle``/``Done``."""
        try:
            await self.store(instance, "Acquire")
            await self._acquire(stop)
        finally:
            await self.detector_state.write("Idle")
            await self.status_message.write("Idle")
            await self.store(instance, "Done")

    async def _acquire(self, stop: asyncio.Event) -> None:
        mode = self.image_mode.value
        total = 1 if mode == "Single" else int(self.num_images.value) if mode == "Multiple" else None
        await self.num_images_counter.write(0)
        loop = asyncio.get_running_loop()
        count = 0
        last = loop.time()
        while total is None or count < total:
            start = loop.time()
            exposure = float(self.acquire_time.value)
            await self.detector_state.write("Acquire")
            await self.status_message.write("Acquiring")
            if await wait_stop(stop, exposure):
                return
            frame = self.make_frame(exposure)
            count += 1
            await self.store(self.array_counter, self.array_counter.value + 1)
            await self.num_images_counter.write(count)
            await self.num_exposures_counter.write(1)
            if count > 1:
                await self.array_rate.write(1.0 / max(loop.time() - last, 1e-6))
            last = loop.time()
            if self.array_callbacks.value == "Enable":
                for plugin in self.plugins:
                    await plugin(frame)
            if total is not None and count >= total:
                return
            await self.detector_state.write("Waiting")
            rest = float(self.acquire_period.value) - (loop.time() - start)
            if await wait_stop(stop, rest):
                return
