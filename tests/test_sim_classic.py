"""Classic ``ophyd.sim`` behaviours a user relies on, checked against ``sophyd.sim``.

Each test states what classic ophyd 1.11 does (read from its ``ophyd/sim.py``) and asserts sophyd does the same:
the ``hw()`` set and its names, SynAxis, SynGauss (det1/det2 of motor1/motor2), SynSignal, SynPeriodicSignal,
the fake-device tools and FakeEpicsSignal. No IOC is needed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sophyd import Component as Cpt
from sophyd import Device, EpicsSignal, EpicsSignalRO, Kind
from sophyd.sim import (
    FakeEpicsSignal,
    FakeEpicsSignalRO,
    SynAxis,
    SynGauss,
    SynPeriodicSignal,
    SynSignal,
    clear_fake_device,
    hw,
    instantiate_fake_device,
    make_fake_device,
)

TIMEOUT = 5.0


def test_hw_is_a_fresh_namespace_of_the_classic_set() -> None:
    first, second = hw(), hw()
    assert isinstance(first, SimpleNamespace)  # its names: test_sim_devices.py::test_hw_makes_the_classic_set
    assert second.motor is not first.motor
    assert [first.motor1.name, first.det1.name, first.det2.name] == ["motor1", "det1", "det2"]
    # classic's own odd names, which code and tests match on
    assert (first.identical_det.name, first.ab_det.name, first.motor_no_pos.name) == ("det", "det", "motor")
    assert (first.direct_img.name, first.direct_img.img.name) == ("direct", "img")
    assert first.motor1._ophyd_labels_ == {"motors"} and first.det1._ophyd_labels_ == {"detectors"}


def test_synaxis_reads_sets_and_names_as_classic() -> None:
    axis = SynAxis(name="m", readback_func=lambda x: x + 0.5)
    assert list(axis.read()) == ["m", "m_setpoint"]
    assert list(axis.read_configuration()) == ["m_velocity", "m_acceleration"]
    assert axis.hints == {"fields": ["m"]}
    assert (axis.egu, axis.precision, axis.delay) == ("mm", 3, 0)
    status = axis.set(2)
    status.wait(TIMEOUT)
    assert type(status).__name__ == "MoveStatus"
    assert axis.position == 2.5 and axis.setpoint.get() == 2
    assert axis.sim_state["setpoint"] == 2 and axis.sim_state["readback"] == 2.5
    assert axis.describe()["m"]["precision"] == 3


def test_det1_and_det2_are_the_classic_gaussians_of_motor1_and_motor2() -> None:
    h = hw()
    assert (h.det1.center.get(), h.det1.Imax.get(), h.det1.sigma.get()) == (0, 5, 0.5)
    assert (h.det2.center.get(), h.det2.Imax.get(), h.det2.sigma.get()) == (1, 2, 2)
    assert list(h.det1.read_configuration()) == [
        f"det1_{k}" for k in ("Imax", "center", "sigma", "noise", "noise_multiplier")
    ]
    assert h.det1.hints == {"fields": ["det1"]} and h.det1.noise.get() == "none"
    h.motor1.set(0.5).wait(TIMEOUT)
    assert h.det1.read()["det1"]["value"] == 5.0  # classic: the value changes on trigger(), not on a move
    seen: list[float] = []
    h.det1.subscribe(lambda value, **kw: seen.append(value), run=False)  # subscribe goes to det1.val
    h.det1.trigger().wait(TIMEOUT)
    assert seen == [pytest.approx(5 * np.exp(-0.5))]
    poisson = SynGauss(
        "p", h.motor1, "motor1", center=0, Imax=5, noise="poisson", random_state=np.random.RandomState(0)
    )
    poisson.trigger().wait(TIMEOUT)
    assert isinstance(poisson.read()["p"]["value"], int)


def test_synsignal_evaluates_its_function_on_trigger() -> None:
    plain = SynSignal(name="plain")
    assert plain.get() == 0 and plain.kind == Kind.normal  # classic: kind=None means normal here
    sig = SynSignal(func=lambda: 3.5, name="s")
    assert sig.get() == 3.5  # the function's value from the start
    assert type(sig.trigger()).__name__ == "DeviceStatus"
    sig.sim_set_func(lambda: 7)
    sig.trigger().wait(TIMEOUT)
    assert sig.get() == 7 and sig.describe()["s"]["precision"] == 3


def test_synperiodicsignal_starts_with_a_random_value() -> None:
    rand = SynPeriodicSignal(name="rand", period=0.01, period_jitter=0)
    assert 0 <= rand.get() < 1  # classic's default function is np.random.rand
    rand.destroy()


class Shutter(Device):
    cmd = Cpt(EpicsSignal, "CMD")
    state = Cpt(EpicsSignalRO, "STATE", string=True)


class Configured(Device):
    cmd = Cpt(EpicsSignal, "CMD")

    def __init__(self, prefix: str, *, name: str, mode: Any, gain: int = 3, **kwargs: Any) -> None:
        self.mode, self.gain = mode, gain
        super().__init__(prefix, name=name, **kwargs)


def test_make_fake_device_and_instantiate_fake_device_as_classic() -> None:
    fake_cls = make_fake_device(Shutter)
    assert make_fake_device(Shutter) is fake_cls and fake_cls.__name__ == "FakeShutter"
    assert issubclass(fake_cls, Shutter) and make_fake_device(int) is int
    dev = fake_cls("SH:", name="sh")
    assert isinstance(dev.cmd, FakeEpicsSignal) and isinstance(dev.state, FakeEpicsSignalRO)
    made = instantiate_fake_device(Configured)
    assert (made.name, made.prefix, made.mode, made.gain) == ("FakeConfigured", "_prefix", "_mode_", 3)


def test_fakes_start_at_integer_zero_as_classic() -> None:
    """Classic fakes are SynSignals that start at 0 (an int; '0' for a string fake)."""
    number = FakeEpicsSignal("X", name="number")
    text = FakeEpicsSignal("Y", name="text", string=True)
    assert number.get() == 0 and isinstance(number.get(), int)
    assert number.describe()["number"]["dtype"] == "integer"
    assert text.get() == "0"
    number.sim_put(2.5)
    assert number.get() == 2.5  # the first value written types the fake


def test_fake_signal_sim_methods_and_clear_fake_device() -> None:
    dev = make_fake_device(Shutter)("SH:", name="sh")
    calls: list[Any] = []
    dev.cmd.sim_put(1)
    dev.cmd.sim_set_enum_strs(["Close", "Open"])
    assert (dev.cmd.get(), dev.cmd.get(as_string=True)) == (1, "Open")
    dev.cmd.put("Close")
    assert dev.cmd.get() == 0 and dev.cmd.describe()["sh_cmd"]["enum_strs"] == ("Close", "Open")
    dev.cmd.sim_set_putter(lambda value, *args, **kwargs: calls.append(value))
    dev.cmd.put(1)
    assert calls == [1]
    dev.state.sim_put("moving")
    cleared = clear_fake_device(dev)
    assert [(sig.name, value) for sig, value in cleared] == [("sh_cmd", 0), ("sh_state", "")]
    assert dev.state.get() == ""


def test_enum_strs_set_over_a_value_that_is_no_state_reset_it_to_state_zero() -> None:
    """The one difference (docs/migrating-from-ophyd.md): an enum PV holds only its states."""
    sig = FakeEpicsSignal("E", name="e")
    sig.sim_put(6)
    sig.sim_set_enum_strs(["Off", "On"])
    assert (sig.get(), sig.get(as_string=True)) == (0, "Off")
