"""Device classes for the simulated pattern IOC (``sophyd_iocs.pattern``): the stage and the two detectors.

They are ordinary sophyd devices over Channel Access, the synchronous counterparts of the Using Devices demo:
a stage of two motor records, a 3-channel point detector and an HDF5-writing blob detector.
"""

from __future__ import annotations

from ..areadetector import HDF5Detector
from ..device import Component as Cpt
from ..device import Device
from ..epics_motor import EpicsMotor
from ..kind import Kind
from ..signal import EpicsSignal, EpicsSignalRO

__all__ = ["PatternChannel", "SimBlobDetector", "SimPointDetector", "SimStage"]


class SimStage(Device):
    """Two motors, ``x`` and ``y`` (records ``<prefix>STAGE:X`` and ``<prefix>STAGE:Y``)."""

    x = Cpt(EpicsMotor, "STAGE:X")
    y = Cpt(EpicsMotor, "STAGE:Y")


class PatternChannel(Device):
    """One channel of the point detector: its value and its energy mode."""

    value = Cpt(EpicsSignalRO, "Value", kind=Kind.hinted)
    mode = Cpt(EpicsSignal, "Mode", string=True, kind=Kind.config)


class SimPointDetector(Device):
    """Three channels whose values follow the stage position (prefix ``<ioc prefix>PDET:``).

    trigger() puts ``Acquire`` and finishes when the IOC completes it, after ``acquire_time``.
    """

    acquire_time = Cpt(EpicsSignal, "AcquireTime", kind=Kind.config)
    acquire = Cpt(EpicsSignal, "Acquire", put_complete=True, trigger_value=1, kind=Kind.omitted)
    channel1 = Cpt(PatternChannel, "1:")
    channel2 = Cpt(PatternChannel, "2:")
    channel3 = Cpt(PatternChannel, "3:")


class SimBlobDetector(HDF5Detector):
    """Gaussian blobs whose intensity follows the stage, written by the IOC to HDF5 (``<ioc prefix>BDET:``)."""
