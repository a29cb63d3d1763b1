"""Classic ophyd's areaDetector detectors: DetectorBase and one class per driver, each with its camera ``cam``.

A detector is the IOC as a whole (``<prefix>``); its camera is a lazy component at ``cam1:`` (``det1:`` for
Xspress3). Plugins are added by subclassing, as in classic ophyd::

    class MyDetector(SingleTrigger, SimDetector):
        hdf1 = Cpt(HDF5PluginWithFileStore, "HDF1:", write_path_template="/tmp/%Y/", root="/tmp")

DetectorBase passes the file plugins' documents on: generate_datum() asks each file plugin to record a frame,
and collect_asset_docs() yields the Resource and Datum documents they made.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from .base import ADBase
from .base import ADComponent as ADCpt
from .cam import (
    AdscDetectorCam,
    Andor3DetectorCam,
    AndorDetectorCam,
    AreaDetectorCam,
    BrukerDetectorCam,
    DexelaDetectorCam,
    EigerDetectorCam,
    EmergentVisionDetectorCam,
    FirewireLinDetectorCam,
    FirewireWinDetectorCam,
    GreatEyesDetectorCam,
    LightFieldDetectorCam,
    Mar345DetectorCam,
    MarCCDDetectorCam,
    PerkinElmerDetectorCam,
    PICamDetectorCam,
    PilatusDetectorCam,
    PixiradDetectorCam,
    PointGreyDetectorCam,
    ProsilicaDetectorCam,
    PSLDetectorCam,
    PvaDetectorCam,
    PvcamDetectorCam,
    RoperDetectorCam,
    SimDetectorCam,
    URLDetectorCam,
    UVCDetectorCam,
    Xspress3DetectorCam,
)

__all__ = [
    "AdscDetector",
    "Andor3Detector",
    "AndorDetector",
    "AreaDetector",
    "BrukerDetector",
    "DetectorBase",
    "DexelaDetector",
    "EigerDetector",
    "EmergentVisionDetector",
    "FirewireLinDetector",
    "FirewireWinDetector",
    "GreatEyesDetector",
    "LightFieldDetector",
    "Mar345Detector",
    "MarCCDDetector",
    "PICamDetector",
    "PSLDetector",
    "PerkinElmerDetector",
    "PilatusDetector",
    "PixiradDetector",
    "PointGreyDetector",
    "ProsilicaDetector",
    "PvaDetector",
    "PvcamDetector",
    "RoperDetector",
    "SimDetector",
    "URLDetector",
    "UVCDetector",
    "Xspress3Detector",
]


class DetectorBase(ADBase):
    """The base of every detector class: its camera goes into the configuration; file plugins make its documents.

    A file plugin is a component with ``generate_datum`` (and ``collect_asset_docs``), as classic ophyd's
    FileStore mixins have. Only the components made so far count: a lazy plugin nobody has used has no file.
    """

    _default_configuration_attrs = ("cam",)
    #: The camera; each detector class declares it as a component.
    cam: Any

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None = None) -> None:
        """Ask each enabled file plugin to record the frame(s) of an acquisition labelled ``key``.

        ``key`` is a label such as 'light', 'dark' or 'gain8'; each plugin with a ``generate_datum(key,
        timestamp, datum_kwargs)`` method whose ``enable`` signal reads true is called with ``datum_kwargs``
        (default: none).
        """
        if datum_kwargs is None:
            datum_kwargs = {}
        for plugin in self._file_plugins("generate_datum"):
            if plugin.enable.get():
                plugin.generate_datum(key, timestamp, datum_kwargs)

    def dispatch(self, key: str, timestamp: float) -> None:
        """Deprecated name of generate_datum() (without datum kwargs); warns, as classic ophyd does."""
        warnings.warn(".dispatch is deprecated, use .generate_datum instead", UserWarning, stacklevel=2)
        self.generate_datum(key, timestamp, {})

    def make_data_key(self) -> dict[str, Any]:
        """The data key of the frames: an external array of (images, height, width) from the camera's PVs."""
        shape = (
            self.cam.num_images.get(),
            self.cam.array_size.array_size_y.get(),
            self.cam.array_size.array_size_x.get(),
        )
        return {"shape": shape, "source": f"PV:{self.prefix}", "dtype": "array", "external": "FILESTORE:"}

    def collect_asset_docs(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The (name, document) pairs the file plugins have made since they were last collected."""
        for plugin in self._file_plugins("collect_asset_docs"):
            yield from plugin.collect_asset_docs()

    def _file_plugins(self, method: str) -> list[Any]:
        """The components made so far that have ``method``, in the order they were made."""
        return [child for child in list(self._signals.values()) if hasattr(child, method)]


class AreaDetector(DetectorBase):
    """A detector of any areaDetector driver: its camera ``cam`` (AreaDetectorCam) at ``cam1:``."""

    cam = ADCpt(AreaDetectorCam, "cam1:")


class SimDetector(DetectorBase):
    """A detector of the ADSimDetector driver: its camera ``cam`` (SimDetectorCam) at ``cam1:``."""

    cam = ADCpt(SimDetectorCam, "cam1:")


class AdscDetector(DetectorBase):
    """A detector of the ADADSC driver: its camera ``cam`` (AdscDetectorCam) at ``cam1:``."""

    cam = ADCpt(AdscDetectorCam, "cam1:")


class AndorDetector(DetectorBase):
    """A detector of the ADAndor driver: its camera ``cam`` (AndorDetectorCam) at ``cam1:``."""

    cam = ADCpt(AndorDetectorCam, "cam1:")


class Andor3Detector(DetectorBase):
    """A detector of the ADAndor3 driver: its camera ``cam`` (Andor3DetectorCam) at ``cam1:``."""

    cam = ADCpt(Andor3DetectorCam, "cam1:")


class BrukerDetector(DetectorBase):
    """A detector of the ADBruker driver: its camera ``cam`` (BrukerDetectorCam) at ``cam1:``."""

    cam = ADCpt(BrukerDetectorCam, "cam1:")


class DexelaDetector(DetectorBase):
    """A detector of the ADDexela driver: its camera ``cam`` (DexelaDetectorCam) at ``cam1:``."""

    cam = ADCpt(DexelaDetectorCam, "cam1:")


class EmergentVisionDetector(DetectorBase):
    """A detector of the ADEVT driver: its camera ``cam`` (EmergentVisionDetectorCam) at ``cam1:``."""

    cam = ADCpt(EmergentVisionDetectorCam, "cam1:")


class EigerDetector(DetectorBase):
    """A detector of the ADEiger driver: its camera ``cam`` (EigerDetectorCam) at ``cam1:``."""

    cam = ADCpt(EigerDetectorCam, "cam1:")


class FirewireLinDetector(DetectorBase):
    """A detector of the firewireDCAM driver (Linux): its camera ``cam`` (FirewireLinDetectorCam) at ``cam1:``."""

    cam = ADCpt(FirewireLinDetectorCam, "cam1:")


class FirewireWinDetector(DetectorBase):
    """A detector of the firewireWinDCAM driver (Windows): its camera ``cam`` (FirewireWinDetectorCam) at ``cam1:``."""

    cam = ADCpt(FirewireWinDetectorCam, "cam1:")


class GreatEyesDetector(DetectorBase):
    """A detector of the ADGreatEyes driver: its camera ``cam`` (GreatEyesDetectorCam) at ``cam1:``."""

    cam = ADCpt(GreatEyesDetectorCam, "cam1:")


class LightFieldDetector(DetectorBase):
    """A detector of the ADLightField driver: its camera ``cam`` (LightFieldDetectorCam) at ``cam1:``."""

    cam = ADCpt(LightFieldDetectorCam, "cam1:")


class Mar345Detector(DetectorBase):
    """A detector of the ADmar345 driver: its camera ``cam`` (Mar345DetectorCam) at ``cam1:``."""

    cam = ADCpt(Mar345DetectorCam, "cam1:")


class MarCCDDetector(DetectorBase):
    """A detector of the ADmarCCD driver: its camera ``cam`` (MarCCDDetectorCam) at ``cam1:``."""

    cam = ADCpt(MarCCDDetectorCam, "cam1:")


class PerkinElmerDetector(DetectorBase):
    """A detector of the ADPerkinElmer driver: its camera ``cam`` (PerkinElmerDetectorCam) at ``cam1:``."""

    cam = ADCpt(PerkinElmerDetectorCam, "cam1:")


class PSLDetector(DetectorBase):
    """A detector of the ADPSL driver: its camera ``cam`` (PSLDetectorCam) at ``cam1:``."""

    cam = ADCpt(PSLDetectorCam, "cam1:")


class PICamDetector(DetectorBase):
    """A detector of the ADPICam driver: its camera ``cam`` (PICamDetectorCam) at ``cam1:``."""

    cam = ADCpt(PICamDetectorCam, "cam1:")


class PilatusDetector(DetectorBase):
    """A detector of the ADPilatus driver: its camera ``cam`` (PilatusDetectorCam) at ``cam1:``."""

    cam = ADCpt(PilatusDetectorCam, "cam1:")


class PixiradDetector(DetectorBase):
    """A detector of the ADPixirad driver: its camera ``cam`` (PixiradDetectorCam) at ``cam1:``."""

    cam = ADCpt(PixiradDetectorCam, "cam1:")


class PointGreyDetector(DetectorBase):
    """A detector of the ADPointGrey driver: its camera ``cam`` (PointGreyDetectorCam) at ``cam1:``."""

    cam = ADCpt(PointGreyDetectorCam, "cam1:")


class ProsilicaDetector(DetectorBase):
    """A detector of the ADProsilica driver: its camera ``cam`` (ProsilicaDetectorCam) at ``cam1:``."""

    cam = ADCpt(ProsilicaDetectorCam, "cam1:")


class PvaDetector(DetectorBase):
    """A detector of the pvaDriver: its camera ``cam`` (PvaDetectorCam) at ``cam1:``."""

    cam = ADCpt(PvaDetectorCam, "cam1:")


class PvcamDetector(DetectorBase):
    """A detector of the ADPvCam driver: its camera ``cam`` (PvcamDetectorCam) at ``cam1:``."""

    cam = ADCpt(PvcamDetectorCam, "cam1:")


class RoperDetector(DetectorBase):
    """A detector of the ADRoper driver: its camera ``cam`` (RoperDetectorCam) at ``cam1:``."""

    cam = ADCpt(RoperDetectorCam, "cam1:")


class URLDetector(DetectorBase):
    """A detector of the ADURL driver: its camera ``cam`` (URLDetectorCam) at ``cam1:``."""

    cam = ADCpt(URLDetectorCam, "cam1:")


class UVCDetector(DetectorBase):
    """A detector of the ADUVC driver: its camera ``cam`` (UVCDetectorCam) at ``cam1:``."""

    cam = ADCpt(UVCDetectorCam, "cam1:")


class Xspress3Detector(DetectorBase):
    """A detector of the Xspress3 driver: its camera ``cam`` (Xspress3DetectorCam) at ``det1:``."""

    cam = ADCpt(Xspress3DetectorCam, "det1:")
