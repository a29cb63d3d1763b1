"""The simulation side of sophyd: pure physics for the simulated IOCs, the launcher that runs them, and fake
devices for unit tests without an IOC.

Importing this package stays light (no caproto server, no h5py, no thread): ``launch_iocs`` needs only the
standard library until it probes an IOC.
"""

from .fake import (
    FakeEpicsSignal,
    FakeEpicsSignalRO,
    FakeEpicsSignalWithRBV,
    clear_fake_device,
    fake_device_cache,
    instantiate_fake_device,
    make_fake_device,
)
from .launch import IOCSet, launch_iocs
from .pseudo import SPseudo1x3, SPseudo3x3

__all__ = [
    "FakeEpicsSignal",
    "FakeEpicsSignalRO",
    "FakeEpicsSignalWithRBV",
    "IOCSet",
    "SPseudo1x3",
    "SPseudo3x3",
    "clear_fake_device",
    "fake_device_cache",
    "instantiate_fake_device",
    "launch_iocs",
    "make_fake_device",
]
