"""The synthetic signals, axes and detectors of sophyd.sim on their own: values, steps, noise, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from helpers import TIMEOUT, gauss, wait_for

from sophyd import DeviceStatus, MoveStatus, ReadOnlyError, SetSupersededError
from sophyd._scheduler import call_later
from sophyd.sim import (
    ABDetector,
    DetWithConf,
    EnumSignal,
    InvariantSignal,
    NullStatus,
    Syn2DGauss,
    SynAxis,
    SynAxisEmptyHints,
    SynAxisNoHints,
    SynAxisNoPosition,
    SynGauss,
    SynPeriodicSignal,
    SynSignal,
    SynSignalRO,
)

# -- SynAxis -------------------------------------------------------------------------------------------------


def test_synaxis_delayed_move_updates_the_readback_in_steps_in_order() -> None:
    axis = SynAxis(name="ax", value=1.0, delay=0.5, events_per_move=5)
    seen: list[tuple[float, float]] = []
    axis.subscribe(lambda value, timestamp, **kw: seen.append((value, timestamp)), run=False)
    progress: list[float] = []
    start = time.monotonic()
    status = axis.set(2.0)
    assert isinstance(status, MoveStatus)
    status.watch(lambda fraction, **kw: progress.append(fraction))
    assert not status.done
    status.wait(TIMEOUT)
    elapsed = time.monotonic() - start
    assert [v for v, _ in seen] == pytest.approx([1.2, 1.4, 1.6, 1.8, 2.0])
    assert [t for _, t in seen] == sorted(t for _, t in seen)
    assert elapsed >= 0.5 - 0.01
    assert progress == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.0])  # the start, then each step
    assert axis.position == 2.0 and axis.setpoint.get() == 2.0
    assert axis.read()["ax"]["value"] == 2.0


def test_synaxis_without_delay_finishes_at_once_and_describes_precision() -> None:
    axis = SynAxis(name="ax", precision=5, egu="deg", events_per_move=3)
    values: list[float] = []
    axis.readback.subscribe(lambda value, **kw: values.append(value), run=False)
    status = axis.set(3)
    assert status.done and status.success
    assert values == pytest.approx([1.0, 2.0, 3.0])
    assert axis.describe()["ax"]["precision"] == 5
    assert axis.egu == "deg"
    assert list(axis.read()) == ["ax", "ax_setpoint"]
    assert list(axis.read_configuration()) == ["ax_velocity", "ax_acceleration"]
    assert axis.hints == {"fields": ["ax"]}


def test_synaxis_new_move_supersedes_and_stop_ends_a_move() -> None:
    axis = SynAxis(name="ax", delay=10, events_per_move=2)
    first = axis.set(5)
    second = axis.set(-1)
    with pytest.raises(SetSupersededError, match="ax"):
        first.wait(TIMEOUT)
    axis.stop()
    with pytest.raises(Exception, match="stopped"):
        second.wait(TIMEOUT)
    assert axis.position == 0
    quick = SynAxis(name="quick", delay=10)
    moving = quick.set(1)
    quick.stop(success=True)
    moving.wait(TIMEOUT)
    assert quick.position == 0
    doomed = quick.set(2)
    quick.destroy()
    with pytest.raises(Exception, match="stopped"):
        doomed.wait(TIMEOUT)


def test_synaxis_setpoint_put_and_set_move_the_axis() -> None:
    axis = SynAxis(name="ax", delay=0.01)
    axis.setpoint.set(4).wait(TIMEOUT)
    assert axis.position == 4
    with pytest.raises(ReadOnlyError):
        axis.readback.put(1)
    with pytest.raises(TypeError, match=r"'ax'.*'far'"):
        axis.set("far")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="events_per_move"):
        SynAxis(name="bad", events_per_move=0)


def test_synaxis_variants() -> None:
    no_hints = SynAxisNoHints(name="m")
    with pytest.raises(AttributeError):
        no_hints.hints  # noqa: B018
    assert "m" not in no_hints.read()
    assert SynAxisEmptyHints(name="m").hints == {}
    no_pos = SynAxisNoPosition(name="m")
    assert not hasattr(no_pos, "position")
    status = no_pos.set(1)
    assert type(status) is DeviceStatus and status.success


def test_jittery_readback_uses_readback_func() -> None:
    axis = SynAxis(name="ax", readback_func=lambda x: x + 0.5)
    axis.set(1).wait(TIMEOUT)
    assert axis.position == 1.5 and axis.setpoint.get() == 1


# -- signals -------------------------------------------------------------------------------------------------


def test_synsignal_exposure_time_delays_the_value() -> None:
    values = iter([1, 2])
    sig = SynSignal(lambda: next(values), name="sig", exposure_time=0.5, precision=2)
    assert sig.get() == 1 and sig.kind.name == "normal"
    status = sig.trigger()
    assert not status.done and sig.get() == 1
    status.wait(TIMEOUT)
    assert sig.get() == 2
    assert sig.describe()["sig"]["precision"] == 2
    sig.sim_set_func(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sig.trigger().wait(TIMEOUT)


def test_synsignal_without_func_keeps_its_value_and_ro_refuses_writes() -> None:
    sig = SynSignal(name="sig")
    sig.put(7)
    sig.trigger().wait(TIMEOUT)
    assert sig.get() == 7
    ro = SynSignalRO(lambda: 3, name="ro")
    with pytest.raises(ReadOnlyError, match="ro"):
        ro.put(1)
    with pytest.raises(ReadOnlyError):
        ro.set(1)
    ro.trigger().wait(TIMEOUT)
    assert ro.get() == 3


def test_enum_signal() -> None:
    sig = EnumSignal(value="b", enum_strings=("a", "b", "c"), name="e")
    assert sig.get() == "b" and sig.get(as_string=False) == 1
    sig.set(2).wait(TIMEOUT)
    assert sig.get() == "c"
    sig.set("a").wait(TIMEOUT)
    assert sig.get(as_string=False) == 0
    with pytest.raises(ValueError, match=r"'z'.*'e'"):
        sig.put("z")
    desc = sig.describe()["e"]
    assert desc["enum_strs"] == ("a", "b", "c") and desc["choices"] == ["a", "b", "c"]


def test_periodic_signal_updates_until_stopped() -> None:
    sig = SynPeriodicSignal(name="rand", period=0.01, period_jitter=0)
    updates: list[float] = []
    sig.subscribe(lambda value, **kw: updates.append(value), run=False)
    assert not sig.simulating
    sig.start_simulation()
    sig.start_simulation()  # a second start does nothing
    wait_for(lambda: len(updates) >= 3, TIMEOUT, "three updates")
    assert all(0 <= v < 1 for v in updates)
    sig.stop_simulation()
    count = len(updates)
    later = threading.Event()
    call_later(0.1, later.set)  # ten periods later, on the same timer thread
    assert later.wait(TIMEOUT)
    assert len(updates) <= count + 1  # at most the update already handed to the dispatcher
    sig.start_simulation()
    wait_for(lambda: len(updates) >= count + 3, TIMEOUT, "three more updates")
    sig.destroy()
    assert not sig.simulating


def test_gaussian_noise_is_reproducible_with_a_random_state() -> None:
    motor = SynAxis(name="motor", value=0.3)
    dets = [
        SynGauss(
            "d", motor, "motor", center=0, Imax=1000, noise="poisson", random_state=np.random.RandomState(0)
        )
        for _ in range(2)
    ]
    readings = [[(d.trigger().wait(TIMEOUT), d.read()["d"]["value"])[1] for _ in range(5)] for d in dets]
    assert readings[0] == readings[1]
    assert all(isinstance(v, int) for v in readings[0])
    uniform = SynGauss("u", motor, "motor", center=0, Imax=1, noise="uniform", noise_multiplier=0.1)
    for _ in range(20):
        uniform.trigger().wait(TIMEOUT)
        assert abs(uniform.read()["u"]["value"] - gauss(0.3, 0, 1, 1)) <= 0.1
    with pytest.raises(ValueError, match="gaussian"):
        SynGauss("bad", motor, "motor", center=0, Imax=1, noise="gaussian")


def test_gauss_subscriptions_go_to_its_value() -> None:
    motor = SynAxis(name="motor")
    det = Syn2DGauss("det", motor, "motor", motor, "motor", center=(1, 1), Imax=2, sigma=1)
    values: list[float] = []
    cid = det.subscribe(lambda value, **kw: values.append(value), run=False)
    motor.set(1).wait(TIMEOUT)
    det.trigger().wait(TIMEOUT)
    assert values == [pytest.approx(2.0)]
    det.unsubscribe(cid)
    det.trigger().wait(TIMEOUT)
    assert len(values) == 1
    with pytest.raises(KeyError, match="'nope'"):
        SynGauss("bad", motor, "nope", center=0, Imax=1)


def test_small_test_detectors() -> None:
    det = DetWithConf(name="det")
    det.trigger().wait(TIMEOUT)
    assert {k: v["value"] for k, v in det.read().items()} == {"det_a": 1, "det_b": 2}
    assert {k: v["value"] for k, v in det.read_configuration().items()} == {"det_c": 3, "det_d": 4}
    ab = ABDetector(name="ab")
    before = ab.read()
    ab.trigger().wait(TIMEOUT)
    assert ab.read()["ab_a"]["value"] != before["ab_a"]["value"]
    assert ab.hints == {"fields": ["ab_a"]}
    inv = InvariantSignal(func=lambda: 0, name="inv")
    assert inv.read() == {"inv": {"value": 0, "timestamp": 0}}
    assert repr(inv) == "<INVARIANT REPR>"
    assert NullStatus().success
