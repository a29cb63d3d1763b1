"""The simulation side of sophyd: the simulated IOCs' physics and launcher, fake devices for unit tests, and
classic ``ophyd.sim``'s synthetic devices, which run in this process without any IOC.

Importing this package stays light (no caproto server, no h5py, no thread, no device made): the synthetic
device classes are imported on first use, and the classic hardware set (``motor``, ``det``, ``noisy_det``, ...)
is built by ``hw()`` the first time one of its names is asked for, so ``from sophyd.sim import motor, det``
works and gives devices that belong together (``det`` follows that ``motor``).
"""

from __future__ import annotations

import importlib
import threading
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .fake import (
    FakeEpicsPathSignal,
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

if TYPE_CHECKING:
    from .flyers import MockFlyer, NewTrivialFlyer, TrivialFlyer
    from .hardware import hw
    from .synaxis import SynAxis, SynAxisEmptyHints, SynAxisNoHints, SynAxisNoPosition
    from .syndetectors import (
        ABDetector,
        DetWithConf,
        DetWithCountTime,
        DirectImage,
        Syn2DGauss,
        SynGauss,
    )
    from .synfile import SynHDF5Detector
    from .synregistry import NumpySeqHandler, SynSignalWithRegistry
    from .synthetic import (
        EnumSignal,
        InvariantSignal,
        NullStatus,
        SynPeriodicSignal,
        SynSignal,
        SynSignalRO,
    )

#: Where each synthetic class (and hw) is defined, for importing it on first use.
_LAZY_MODULES = {
    "hw": ".hardware",
    **dict.fromkeys(("SynAxis", "SynAxisEmptyHints", "SynAxisNoHints", "SynAxisNoPosition"), ".synaxis"),
    **dict.fromkeys(
        (
            "ABDetector",
            "DetWithConf",
            "DetWithCountTime",
            "DirectImage",
            "Syn2DGauss",
            "SynGauss",
        ),
        ".syndetectors",
    ),
    "SynHDF5Detector": ".synfile",
    **dict.fromkeys(("NumpySeqHandler", "SynSignalWithRegistry"), ".synregistry"),
    **dict.fromkeys(("MockFlyer", "NewTrivialFlyer", "TrivialFlyer"), ".flyers"),
    **dict.fromkeys(
        ("EnumSignal", "InvariantSignal", "NullStatus", "SynPeriodicSignal", "SynSignal", "SynSignalRO"),
        ".synthetic",
    ),
}

__all__ = [
    "ABDetector",
    "DetWithConf",
    "DetWithCountTime",
    "DirectImage",
    "EnumSignal",
    "FakeEpicsPathSignal",
    "FakeEpicsSignal",
    "FakeEpicsSignalRO",
    "FakeEpicsSignalWithRBV",
    "IOCSet",
    "InvariantSignal",
    "MockFlyer",
    "NewTrivialFlyer",
    "NullStatus",
    "NumpySeqHandler",
    "SPseudo1x3",
    "SPseudo3x3",
    "Syn2DGauss",
    "SynAxis",
    "SynAxisEmptyHints",
    "SynAxisNoHints",
    "SynAxisNoPosition",
    "SynGauss",
    "SynHDF5Detector",
    "SynPeriodicSignal",
    "SynSignal",
    "SynSignalRO",
    "SynSignalWithRegistry",
    "TrivialFlyer",
    "ab_det",
    "bool_sig",
    "clear_fake_device",
    "det",
    "det1",
    "det2",
    "det3",
    "det4",
    "det5",
    "det_with_conf",
    "det_with_count_time",
    "direct_img",
    "direct_img_list",
    "fake_device_cache",
    "flyer1",
    "flyer2",
    "hw",
    "identical_det",
    "img",
    "instantiate_fake_device",
    "invariant1",
    "invariant2",
    "jittery_motor1",
    "jittery_motor2",
    "launch_iocs",
    "make_fake_device",
    "motor",
    "motor1",
    "motor2",
    "motor3",
    "motor_empty_hints1",
    "motor_empty_hints2",
    "motor_no_hints1",
    "motor_no_hints2",
    "motor_no_pos",
    "new_trivial_flyer",
    "noisy_det",
    "pseudo1x3",
    "pseudo3x3",
    "rand",
    "rand2",
    "sig",
    "signal",
    "trivial_flyer",
]

#: The names of the classic hardware set, as hw() makes them: the rest of __all__.
_HW_NAMES = frozenset(__all__) - set(_LAZY_MODULES) - set(globals())

_hardware: SimpleNamespace | None = None
_hardware_lock = threading.Lock()


def _module_hardware() -> SimpleNamespace:
    """The hardware set behind ``sophyd.sim.motor`` and friends: one hw(), built on first use."""
    global _hardware
    with _hardware_lock:
        if _hardware is None:
            from .hardware import hw

            _hardware = hw()
        return _hardware


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        value = getattr(importlib.import_module(_LAZY_MODULES[name], __name__), name)
    elif name in _HW_NAMES:
        value = getattr(_module_hardware(), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
