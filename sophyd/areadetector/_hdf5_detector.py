"""sophyd's file-writing HDF5Detector, with the camera and the HDF5 file plugin it drives.

The file-writing detector follows bluesky's WritesStreamAssets protocol: describe() marks its data keys as
external, and collect_asset_docs() yields one stream_resource per data key and a stream_datum per frame.
stage() opens a file through the plugin (in Stream mode, every frame flushed); unstage() ends the capture
and waits until the IOC has closed the file, so an interrupted plan loses no frame an event refers to. Before
it closes the file, unstage() asks the plugin to drop the trailing frames of an interrupted point, which no
event refers to, through the plugin's ``KeepFrames`` PV, and pause() does the same for the point bluesky
repeats on resume; an IOC without that PV (areaDetector has none) keeps them, and the detector logs a warning.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .._component import Component as Cpt
from .._epics_signal import EpicsSignal, EpicsSignalRO, EpicsSignalWithRBV
from .._hdf5_assets import FileWriteError, HDF5StreamAssets
from ..device import Device
from ..errors import ConnectionTimeoutError, OpException
from ..kind import Kind
from ..paths import PathProvider
from ..status import DeviceStatus, StatusBase, SubscriptionStatus
from ._cam_base import AreaDetectorCam

__all__ = ["FileWriteError", "HDF5Detector", "HDF5DetectorCam", "HDF5FileWriter"]

logger = logging.getLogger("sophyd.areadetector")


class HDF5DetectorCam(AreaDetectorCam):
    """HDF5Detector's camera: classic's AreaDetectorCam, with the PVs the detector drives made up front.

    ``acquire`` completes when the IOC has finished the acquisition (``put_complete=True``), which trigger()
    waits for; ``image_mode`` reads as a string. These components, and the configuration (acquire time and
    period, number of images, image mode), are not lazy, so that connecting the detector connects them; the
    rest of AreaDetectorCam's PVs stay lazy. The camera has no ``port_name``: the detector checks no asyn port
    graph, and staging asks the IOC for nothing it does not use.
    """

    _default_configuration_attrs = ("acquire_time", "acquire_period", "num_images", "image_mode")

    acquire = Cpt(EpicsSignal, "Acquire", put_complete=True, kind=Kind.omitted)
    acquire_time = Cpt(EpicsSignalWithRBV, "AcquireTime", kind=Kind.config)
    acquire_period = Cpt(EpicsSignalWithRBV, "AcquirePeriod", kind=Kind.config)
    num_images = Cpt(EpicsSignalWithRBV, "NumImages", kind=Kind.config)
    image_mode = Cpt(EpicsSignalWithRBV, "ImageMode", string=True, kind=Kind.config)
    port_name = None


class HDF5FileWriter(Device):
    """The NDFileHDF5 plugin (``HDF1:``) as HDF5Detector drives it: where the file goes, the capture writing it.

    The components HDF5Detector uses, connected with the detector (not lazy) and left out of its documents.
    Classic ophyd's whole plugin API (stage sigs, plugin type and port checks, lazy components for every PV of
    NDFileHDF5) is ``sophyd.areadetector.plugins.HDF5Plugin``; this class is not one, so that an IOC serving
    only these PVs (as sophyd's simulated one) connects completely and stages without those checks.
    """

    file_path = Cpt(EpicsSignal, "FilePath", kind=Kind.omitted)
    file_name = Cpt(EpicsSignal, "FileName", kind=Kind.omitted)
    file_template = Cpt(EpicsSignal, "FileTemplate", kind=Kind.omitted)
    full_file_name = Cpt(EpicsSignalRO, "FullFileName_RBV", kind=Kind.omitted)
    file_write_mode = Cpt(EpicsSignalWithRBV, "FileWriteMode", string=True, kind=Kind.omitted)
    num_capture = Cpt(EpicsSignalWithRBV, "NumCapture", kind=Kind.omitted)
    num_captured = Cpt(EpicsSignalRO, "NumCaptured_RBV", kind=Kind.omitted, auto_monitor=True)
    capture = Cpt(EpicsSignal, "Capture", kind=Kind.omitted)
    capture_rbv = Cpt(EpicsSignalRO, "Capture_RBV", kind=Kind.omitted)
    swmr_mode = Cpt(EpicsSignalWithRBV, "SWMRMode", string=True, kind=Kind.omitted)
    write_status = Cpt(EpicsSignalRO, "WriteStatus", kind=Kind.omitted)
    write_message = Cpt(EpicsSignalRO, "WriteMessage", kind=Kind.omitted)


class HDF5Detector(HDF5StreamAssets):
    """A detector whose frames an HDF5 plugin writes; data reach documents as stream resources.

    ``datasets`` maps a data-key suffix ('' for the device name itself) to (HDF5 dataset, per-frame shape,
    numpy dtype). Every trigger acquires one frame and finishes when the plugin has written it.

    After a run, the file holds exactly the frames its events refer to: unstage() stops an exposure still
    running and, if the run was interrupted after a frame was written but before its event was emitted,
    drops that frame through the plugin's ``KeepFrames`` PV (``keep_frames_pv``) before the capture ends. On
    an IOC without that PV (a real areaDetector) such a frame stays at the end of the file, no document refers
    to it, and a warning names the file; the frames the events refer to are the same either way. pause()
    drops the interrupted point's frame the same way, as bluesky takes the point again on resume. The PV is
    not a component: the detector connects, and stays connected, without it.
    """

    cam = Cpt(HDF5DetectorCam, "cam1:")
    hdf = Cpt(HDF5FileWriter, "HDF1:")

    datasets: dict[str, tuple[str, list[int], str]] = {
        "": ("/entry/data/data", [240, 320], "|u1"),
        "sum": ("/entry/sum", [], "<i8"),
    }
    #: Seconds to wait for the file to open at stage() and to close at unstage().
    file_timeout = 10.0
    #: The plugin's PV (after its prefix) that keeps the first N frames of the running capture: sophyd's
    #: simulated plugin has it, areaDetector's NDFileHDF5 has not. None: do not look for it.
    keep_frames_pv: str | None = "KeepFrames"
    #: Seconds unstage() waits for that PV to connect, when it has frames to drop, before it keeps them.
    keep_frames_timeout = 1.0

    def __init__(self, prefix: str = "", *, path_provider: PathProvider, **kwargs: Any) -> None:
        super().__init__(prefix, **kwargs)
        self.path_provider = path_provider
        self.stage_sigs.update(
            [("cam.image_mode", "Multiple"), ("cam.num_images", 1), ("hdf.file_write_mode", "Stream")]
        )
        self._capture_status: StatusBase | None = None
        self._keep_frames_signal: EpicsSignal | None = None

    # -- staging: one file per stage --------------------------------------------------------------------
    def _open_file(self) -> None:
        """Point the plugin at a new file and start capturing into it (the IOC's WriteMessage says why not)."""
        info = self.path_provider(self.name)
        directory = str(info.directory_path).rstrip("/") + "/"
        self.hdf.file_path.put(directory, wait=True, timeout=self.file_timeout)
        self.hdf.file_name.put(info.filename, wait=True, timeout=self.file_timeout)
        self.hdf.file_template.put("%s%s.h5", wait=True, timeout=self.file_timeout)
        self.hdf.num_capture.put(0, wait=True, timeout=self.file_timeout)
        self.hdf.swmr_mode.put("On", wait=True, timeout=self.file_timeout)
        capture = DeviceStatus(self.hdf)
        self.hdf.capture.put(1, callback=capture._finished)
        self._capture_status = capture
        opened = SubscriptionStatus(
            self.hdf.capture_rbv, lambda value=None, **kw: value == 1, timeout=self.file_timeout
        )
        settled = threading.Event()
        capture.add_callback(lambda st: settled.set())
        opened.add_callback(lambda st: settled.set())
        settled.wait(self.file_timeout + 1.0)
        if capture.done and capture.exception(0) is not None:
            self._capture_status = None  # no capture runs: unstage has no file to close
            raise FileWriteError(
                f"{self._describe_me()}: could not open {directory}{info.filename}.h5: "
                f"{self.hdf.write_message.get(use_monitor=False)} ({capture.exception(0)})"
            )
        opened.wait(0)
        if self._keep_frames_signal is None and self.keep_frames_pv:
            # made here, connecting while the detector acquires, so that unstage() need not wait for it
            self._keep_frames_signal = EpicsSignal(
                self.hdf.prefix + self.keep_frames_pv,
                name=f"{self.hdf.name}_keep_frames",
                parent=self.hdf,
                kind=Kind.omitted,
            )
        self._begin_file(
            str(self.hdf.full_file_name.get(use_monitor=False)),
            frames_before=int(self.hdf.num_captured.get(use_monitor=False)),
        )

    def _close_file(self, keep: int | None) -> None:
        """Stop an exposure still running, drop the frames after ``keep``, end the capture, wait for the close.

        An exposure cut short (a plan aborted during a trigger) is abandoned by the camera before the capture
        ends, so the file holds only frames of finished triggers, and the next trigger starts a new exposure
        instead of joining the old one.
        """
        capture, self._capture_status = self._capture_status, None
        if capture is None:
            return
        try:
            self.cam.acquire.put(0, wait=True, timeout=self.file_timeout)
            if keep is not None:
                self._keep_frames(self._first_frame + keep)
        finally:
            self.hdf.capture.put(0, wait=True, timeout=self.file_timeout)
            capture.wait(self.file_timeout)

    def _abandon_after(self, keep: int) -> int | None:
        """Stop an exposure still running and drop the frames after ``keep``; the frames in the file now."""
        if self._capture_status is None:
            return None
        self.cam.acquire.put(0, wait=True, timeout=self.file_timeout)
        return self._keep_frames(self._first_frame + keep) - self._first_frame

    def _keep_frames(self, keep: int) -> int:
        """Have the plugin drop the frames of this capture after the first ``keep`` (warn if it cannot).

        Returns the frames of the capture now.
        """
        captured = int(self.hdf.num_captured.get(use_monitor=False))
        if captured <= keep:
            return captured
        signal = self._keep_frames_signal
        if signal is not None:
            try:
                signal.wait_for_connection(timeout=self.keep_frames_timeout)
            except ConnectionTimeoutError:
                signal = None
        if signal is None:
            logger.warning(
                "%s: %d frame(s) that no event refers to stay in %s: the plugin has no PV %s",
                self.name,
                captured - keep,
                self._full_path,
                self.hdf.prefix + (self.keep_frames_pv or "KeepFrames"),
            )
            return captured
        signal.put(keep, wait=True, timeout=self.file_timeout)
        return keep

    def destroy(self) -> None:
        """Destroy the signals, the ``KeepFrames`` one too."""
        signal, self._keep_frames_signal = self._keep_frames_signal, None
        if signal is not None:
            signal.destroy()
        super().destroy()

    # -- acquisition ------------------------------------------------------------------------------------
    def trigger(self) -> DeviceStatus:
        """Acquire one frame; done when the plugin has written it to the file."""
        if self._capture_status is None:
            raise OpException(f"{self._describe_me()} must be staged before it is triggered")
        status = DeviceStatus(self)
        generation = self._generation

        def acquired(st: StatusBase) -> None:
            if st.exception(0) is not None:
                status._mirror(st)
                return
            self._frame_written(generation)
            status.set_finished()

        self.cam.acquire.set(1).add_callback(acquired)
        return status

    def _asset_source(self) -> str:
        return f"PV:{self.hdf.full_file_name.pvname}"
