"""hw(): the classic set of synthetic hardware (``motor``, ``det``, ``noisy_det``, ...) in a namespace."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .._signal import Signal
from ..paths import StaticPathProvider, UUIDFilenameProvider
from .flyers import MockFlyer, NewTrivialFlyer, TrivialFlyer
from .pseudo import SPseudo1x3, SPseudo3x3
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
from .synthetic import InvariantSignal, SynPeriodicSignal, SynSignal

__all__ = ["hw"]

_MOTORS = {"motors"}
_DETECTORS = {"detectors"}


def _jitter(x: float) -> float:
    """A readback up to one unit above the setpoint, at random."""
    return x + float(np.random.rand())


def hw(save_path: str | None = None) -> SimpleNamespace:
    """Build a fresh set of synthetic hardware: motors, Gaussian detectors over them, and test devices.

    ``det`` peaks (Imax 1, sigma 1) where ``motor`` is 0; ``det1``, ``det2`` and ``det3`` follow ``motor1``,
    ``motor2`` and ``motor3``; ``det4`` and ``det5`` are 2-D peaks. ``img`` writes 10x10 frames of ones to
    HDF5 files in ``save_path`` (default: a new temporary directory at its first stage). ``rand`` and
    ``rand2`` update in the background only after ``start_simulation()``.
    """
    motor = SynAxis(name="motor", labels=_MOTORS)
    motor1 = SynAxis(name="motor1", labels=_MOTORS)
    motor2 = SynAxis(name="motor2", labels=_MOTORS)
    motor3 = SynAxis(name="motor3", labels=_MOTORS)
    jittery_motor1 = SynAxis(name="jittery_motor1", readback_func=_jitter, labels=_MOTORS)
    jittery_motor2 = SynAxis(name="jittery_motor2", readback_func=_jitter, labels=_MOTORS)
    det = SynGauss("det", motor, "motor", center=0, Imax=1, sigma=1, labels=_DETECTORS)
    path_provider = None if save_path is None else StaticPathProvider(UUIDFilenameProvider(), save_path)
    direct_img = DirectImage(func=lambda: np.ones((10, 10)), name="direct", labels=_DETECTORS)
    direct_img.img.name = "img"
    direct_img_list = DirectImage(func=lambda: [[1] * 10] * 10, name="direct", labels=_DETECTORS)
    direct_img_list.img.name = "direct_img_list"
    return SimpleNamespace(
        motor=motor,
        motor1=motor1,
        motor2=motor2,
        motor3=motor3,
        jittery_motor1=jittery_motor1,
        jittery_motor2=jittery_motor2,
        noisy_det=SynGauss(
            "noisy_det",
            motor,
            "motor",
            center=0,
            Imax=1,
            noise="uniform",
            sigma=1,
            noise_multiplier=0.1,
            labels=_DETECTORS,
        ),
        det=det,
        identical_det=SynGauss("det", motor, "motor", center=0, Imax=1, sigma=1, labels=_DETECTORS),
        det1=SynGauss("det1", motor1, "motor1", center=0, Imax=5, sigma=0.5, labels=_DETECTORS),
        det2=SynGauss("det2", motor2, "motor2", center=1, Imax=2, sigma=2, labels=_DETECTORS),
        det3=SynGauss("det3", motor3, "motor3", center=-1, Imax=2, sigma=1, labels=_DETECTORS),
        det4=Syn2DGauss("det4", motor1, "motor1", motor2, "motor2", center=(0, 0), Imax=1, labels=_DETECTORS),
        det5=Syn2DGauss(
            "det5",
            jittery_motor1,
            "jittery_motor1",
            jittery_motor2,
            "jittery_motor2",
            center=(0, 0),
            Imax=1,
            labels=_DETECTORS,
        ),
        flyer1=MockFlyer("flyer1", det, motor, 1, 5, 20),
        flyer2=MockFlyer("flyer2", det, motor, 1, 5, 10),
        trivial_flyer=TrivialFlyer(),
        new_trivial_flyer=NewTrivialFlyer(),
        ab_det=ABDetector(name="det", labels=_DETECTORS),
        direct_img=direct_img,
        direct_img_list=direct_img_list,
        img=SynHDF5Detector(
            lambda: np.ones((10, 10)), name="img", path_provider=path_provider, labels=_DETECTORS
        ),
        invariant1=InvariantSignal(func=lambda: 0, name="invariant1", labels=_DETECTORS),
        invariant2=InvariantSignal(func=lambda: 0, name="invariant2", labels=_DETECTORS),
        pseudo3x3=SPseudo3x3(name="pseudo3x3"),
        pseudo1x3=SPseudo1x3(name="pseudo1x3"),
        sig=Signal(name="sig", value=0),
        det_with_conf=DetWithConf(name="det", labels=_DETECTORS),
        det_with_count_time=DetWithCountTime(name="det", labels=_DETECTORS),
        rand=SynPeriodicSignal(name="rand", labels=_DETECTORS),
        rand2=SynPeriodicSignal(name="rand2", labels=_DETECTORS),
        motor_no_pos=SynAxisNoPosition(name="motor", labels=_MOTORS),
        motor_empty_hints1=SynAxisEmptyHints(name="motor1", labels=_MOTORS),
        motor_empty_hints2=SynAxisEmptyHints(name="motor2", labels=_MOTORS),
        motor_no_hints1=SynAxisNoHints(name="motor1", labels=_MOTORS),
        motor_no_hints2=SynAxisNoHints(name="motor2", labels=_MOTORS),
        bool_sig=Signal(value=False, name="bool_sig", labels=_DETECTORS),
        signal=SynSignal(name="signal"),
    )
