"""The simulation side of sophyd: pure physics for the simulated IOCs and the launcher that runs them.

Importing this package stays light (no caproto server, no h5py): ``launch_iocs`` needs only the standard
library until it probes an IOC.
"""

from .launch import IOCSet, launch_iocs

__all__ = ["IOCSet", "launch_iocs"]
