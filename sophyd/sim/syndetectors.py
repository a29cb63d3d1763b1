"""Synthetic detectors of classic ``ophyd.sim``: Gaussian peaks over motors, and small test detectors."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._component import Component as Cpt
from .._signal import Signal
from ..device import Device
from ..kind import Kind
from ..status import DeviceStatus
from .synthetic import EnumSignal, SynSignal

__all__ = [
    "ABDetector",
    "DetWithConf",
    "DetWithCountTime",
    "DirectImage",
    "Syn2DGauss",
    "SynGauss",
]

NOISE_KINDS = ("none", "poisson", "uniform")


class _GaussDetector(Device):
    """What SynGauss and Syn2DGauss share: the peak's parameters as config signals, noise, and ``val``.

    ``val`` is named after the device (its one data key); trigger() evaluates the peak at the motors'
    current readings. Subscriptions go to ``val``.
    """

    val = Cpt(SynSignal, kind=Kind.hinted)
    Imax = Cpt(Signal, value=10, kind=Kind.config)
    center = Cpt(Signal, value=0, kind=Kind.config)
    sigma = Cpt(Signal, value=1, kind=Kind.config)
    noise = Cpt(EnumSignal, value="none", kind=Kind.config, enum_strings=NOISE_KINDS)
    noise_multiplier = Cpt(Signal, value=1, kind=Kind.config)

    def __init__(self, name: str, *, random_state: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.random_state = random_state or np.random
        self.val.name = self.name
        self.val.sim_set_func(self._compute)

    def _squared_distance(self) -> Any:
        """Squared distance of the motors' position from ``center``."""
        raise NotImplementedError

    @staticmethod
    def _motor_value(motor: Any, field: str) -> Any:
        try:
            return motor.read()[field]["value"]
        except KeyError:
            raise KeyError(
                f"{motor.name!r} has no data key {field!r}; it reads {list(motor.read())}"
            ) from None

    def _compute(self) -> Any:
        sigma = self.sigma.get()
        value = self.Imax.get() * np.exp(-self._squared_distance() / (2 * sigma**2))
        noise = self.noise.get()
        if noise == "poisson":
            value = int(self.random_state.poisson(np.round(value), 1)[0])
        elif noise == "uniform":
            value += self.random_state.uniform(-1, 1) * self.noise_multiplier.get()
        return value

    def trigger(self) -> DeviceStatus:
        return self.val.trigger()

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        return self.val.subscribe(callback, event_type, run)

    def clear_sub(self, cb: Callable[..., Any], event_type: str | None = None) -> None:
        self.val.clear_sub(cb, event_type)

    def unsubscribe(self, cid: int) -> None:
        self.val.unsubscribe(cid)

    def unsubscribe_all(self) -> None:
        self.val.unsubscribe_all()

    @property
    def precision(self) -> int | None:
        """Precision of ``val``."""
        return self.val.precision

    @precision.setter
    def precision(self, value: int | None) -> None:
        self.val.precision = value

    @property
    def exposure_time(self) -> float:
        """Exposure time of ``val``: how long a trigger takes."""
        return self.val.exposure_time

    @exposure_time.setter
    def exposure_time(self, value: float) -> None:
        self.val.exposure_time = value


class SynGauss(_GaussDetector):
    """A point on a Gaussian peak ``Imax * exp(-(m - center)**2 / (2 * sigma**2))`` at the motor's position.

    ``motor_field`` is the motor's data key to use (for a SynAxis, its name). ``noise`` is 'none', 'poisson'
    or 'uniform' (uniform in +/- ``noise_multiplier``); ``random_state`` (e.g. ``np.random.RandomState(0)``)
    makes the noise reproducible.
    """

    def __init__(
        self,
        name: str,
        motor: Any,
        motor_field: str,
        center: float,
        Imax: float,
        *,
        sigma: float | None = None,
        noise: str | None = None,
        noise_multiplier: float | None = None,
        random_state: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, random_state=random_state, **kwargs)
        self._motor = motor
        self._motor_field = motor_field
        self.center.put(center)
        self.Imax.put(Imax)
        for signal, value in (
            (self.sigma, sigma),
            (self.noise, noise),
            (self.noise_multiplier, noise_multiplier),
        ):
            if value is not None:
                signal.put(value)
        self.val._update(self._compute())  # raises now if the motor has no such field

    def _squared_distance(self) -> Any:
        return (self._motor_value(self._motor, self._motor_field) - self.center.get()) ** 2


class Syn2DGauss(_GaussDetector):
    """A point on a two-dimensional Gaussian peak at the position of two motors.

    ``center`` is an (x, y) pair; the other parameters are those of SynGauss.
    """

    def __init__(
        self,
        name: str,
        motor0: Any,
        motor_field0: str,
        motor1: Any,
        motor_field1: str,
        center: Sequence[float],
        Imax: float,
        sigma: float = 1,
        noise: str | None = "none",
        noise_multiplier: float = 1,
        random_state: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, random_state=random_state, **kwargs)
        self._motors = ((motor0, motor_field0), (motor1, motor_field1))
        self.center.put(center)
        self.Imax.put(Imax)
        self.sigma.put(sigma)
        self.noise.put(noise or "none")  # classic documents None for no noise
        self.noise_multiplier.put(noise_multiplier)
        self.val._update(self._compute())  # raises now if the motor has no such field

    def _squared_distance(self) -> Any:
        position = np.array([self._motor_value(motor, field) for motor, field in self._motors])
        return np.sum((position - np.asarray(self.center.get())) ** 2)


def _trigger_both(device: Device, first: SynSignal, second: SynSignal) -> DeviceStatus:
    """Trigger two signals; the device's status finishes when both have."""
    status = DeviceStatus(device)
    (first.trigger() & second.trigger()).add_callback(status._mirror)
    return status


class ABDetector(Device):
    """Two random values, ``a`` (hinted) and ``b``, new at every trigger."""

    a = Cpt(SynSignal, func=random.random, kind=Kind.hinted)
    b = Cpt(SynSignal, func=random.random)

    def trigger(self) -> DeviceStatus:
        return _trigger_both(self, self.a, self.b)


class DetWithCountTime(Device):
    """A detector reading ``intensity`` (always 0) with a ``count_time`` signal, as plans with a time use."""

    intensity = Cpt(SynSignal, func=lambda: 0, kind=Kind.hinted)
    count_time = Cpt(Signal)


class DetWithConf(Device):
    """Reads ``a`` (1) and ``b`` (2); ``c`` (3) and ``d`` (4) are its configuration."""

    a = Cpt(SynSignal, func=lambda: 1, kind=Kind.hinted)
    b = Cpt(SynSignal, func=lambda: 2, kind=Kind.hinted)
    c = Cpt(SynSignal, func=lambda: 3)
    d = Cpt(SynSignal, func=lambda: 4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_attrs = ["a", "b"]
        self.configuration_attrs = ["c", "d"]

    def trigger(self) -> DeviceStatus:
        return _trigger_both(self, self.a, self.b)


class DirectImage(Device):
    """An image detector whose frames (from ``func``) go into the events themselves, not into files."""

    img = Cpt(SynSignal, kind=Kind.hinted)

    def __init__(self, *args: Any, func: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if func is not None:
            self.img.sim_set_func(func)

    def trigger(self) -> DeviceStatus:
        return self.img.trigger()
