"""PVPositioner and its variants against the tempctrl IOC (a ramping temperature controller) over real CA,
and the bluesky tutorials' PVPositioner over caproto's own ``decay`` example IOC."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from example_ioc import example_ioc
from helpers import ca_read, ca_write

import sophyd
from sophyd import (
    Component,
    EpicsSignal,
    EpicsSignalRO,
    LimitError,
    MotionError,
    MoveStatus,
    PutFailedError,
    PVPositioner,
    PVPositionerDone,
    PVPositionerIsClose,
    PVPositionerPC,
    StatusTimeoutError,
)
from sophyd.sim import make_fake_device

TIMEOUT = 10.0
Cpt = Component


class TempCtrl(PVPositioner):
    setpoint = Cpt(EpicsSignal, "SP")
    readback = Cpt(EpicsSignalRO, "T")
    done = Cpt(EpicsSignalRO, "DONE")
    stop_signal = Cpt(EpicsSignal, "STOP")


class TempCtrlGo(PVPositioner):
    """The same controller used with its go button (AUTO off)."""

    setpoint = Cpt(EpicsSignal, "SP")
    readback = Cpt(EpicsSignalRO, "T")
    actuate = Cpt(EpicsSignal, "GO")
    actuate_value = 1
    done = Cpt(EpicsSignalRO, "DONE")
    done_value = 1


class TempCtrlPC(PVPositionerPC):
    """Completion by put-completion of the setpoint (SPW completes at the end of the ramp)."""

    setpoint = Cpt(EpicsSignal, "SPW")
    readback = Cpt(EpicsSignalRO, "T")


class TempCtrlPCGo(PVPositionerPC):
    """Completion by put-completion of the actuate PV (GO completes at the end of the ramp)."""

    setpoint = Cpt(EpicsSignal, "SP")
    readback = Cpt(EpicsSignalRO, "T")
    actuate = Cpt(EpicsSignal, "GO")


class TempCtrlIsClose(PVPositionerIsClose):
    setpoint = Cpt(EpicsSignal, "SP")
    readback = Cpt(EpicsSignalRO, "T")
    atol = 0.01


class Tolerance(PVPositionerDone):
    """One PV (tempctrl's TOL) presented as a positioner."""


def _raw(pv: str) -> Any:
    return ca_read(pv).data[0]


@pytest.fixture
def tempctrl(tempctrl_prefix: str) -> Iterator[str]:
    """The tempctrl IOC at 25 degC, ramping at 200 degC/s with AUTO on; restored the same way afterwards."""

    def reset() -> None:
        ca_write(tempctrl_prefix + "AUTO", 1)
        ca_write(tempctrl_prefix + "RATE", 200.0)
        ca_write(tempctrl_prefix + "TOL", 0.1)
        ca_write(tempctrl_prefix + "SPW", 25.0, notify=True, timeout=TIMEOUT)

    reset()
    yield tempctrl_prefix
    reset()


def _make(cls: type[PVPositioner], prefix: str, **kwargs: Any) -> Any:
    device = cls(prefix, name=kwargs.pop("name", "tc"), **kwargs)
    device.wait_for_connection(timeout=TIMEOUT)
    return device


# -- construction ------------------------------------------------------------------------------------------
def test_must_be_subclassed_with_the_right_components(tempctrl_prefix: str) -> None:
    """(The IOC fixture first: libca reads the CA address list once, when the first channel is made.)"""
    with pytest.raises(TypeError, match="subclassed"):
        PVPositioner(tempctrl_prefix, name="p")
    with pytest.raises(TypeError, match="subclassed"):
        PVPositionerPC(tempctrl_prefix, name="p")

    class NoSignals(PVPositioner):
        done = Cpt(EpicsSignalRO, "DONE")

    class NoDone(PVPositioner):
        setpoint = Cpt(EpicsSignal, "SP")

    with pytest.raises(ValueError, match="setpoint or a readback"):
        NoSignals(tempctrl_prefix, name="p")
    with pytest.raises(ValueError, match=r"'done' component.*PVPositionerPC"):
        NoDone(tempctrl_prefix, name="p")


# -- moves over the tempctrl IOC ---------------------------------------------------------------------------
def test_move_completes_on_the_done_transition(tempctrl: str, cl: str) -> None:
    tc = _make(TempCtrl, tempctrl, egu="degC")
    ca_write(tempctrl + "RATE", 20.0)
    starts: list[Any] = []
    dones: list[Any] = []
    tc.subscribe(lambda **kw: starts.append(kw), event_type=tc.SUB_START, run=False)
    tc.subscribe(lambda value=None, **kw: dones.append(value), event_type=tc.SUB_DONE, run=False)
    begin = time.monotonic()
    status = tc.set(30.0)
    assert isinstance(status, MoveStatus) and not status.done
    status.wait(TIMEOUT)
    elapsed = time.monotonic() - begin
    assert status.success and starts
    assert dones == [tc.done_value]  # SUB_DONE carries the done flag's value, as classic ophyd's
    assert elapsed >= 0.2  # 5 degC at 20 degC/s
    assert _raw(tempctrl + "DONE") == 1
    assert abs(tc.position - 30.0) <= 0.1 and abs(_raw(tempctrl + "T") - 30.0) <= 0.1
    assert not tc.moving
    tc.move(25.0, timeout=TIMEOUT)  # move waits by default
    assert abs(tc.position - 25.0) <= 0.1
    for _ in range(2):  # a move to where it is: the controller lowers and raises DONE, the move completes
        tc.set(tc.setpoint.get()).wait(TIMEOUT)
    tc.destroy()


def test_watch_reports_progress(tempctrl: str) -> None:
    tc = _make(TempCtrl, tempctrl, egu="degC")
    ca_write(tempctrl + "RATE", 25.0)
    reports: list[dict[str, Any]] = []
    status = tc.set(35.0)
    status.watch(lambda **kw: reports.append(kw))
    status.wait(TIMEOUT)
    assert len(reports) >= 3 and {r["name"] for r in reports} == {"tc"}
    assert reports[-1]["unit"] == "degC" and reports[-1]["target"] == 35.0
    assert reports[0]["fraction"] > reports[-1]["fraction"]
    tc.destroy()


def test_stop_fails_the_move_and_stop_success_completes_it(tempctrl: str) -> None:
    tc = _make(TempCtrl, tempctrl)
    ca_write(tempctrl + "RATE", 10.0)
    status = tc.set(100.0)
    tc.readback.subscribe(lambda value=None, **kw: None)  # keep a monitor running
    _wait_until(lambda: _raw(tempctrl + "T") > 26.0)
    tc.stop()
    with pytest.raises(MotionError, match=r"'tc'.*stopped"):
        status.wait(TIMEOUT)
    assert _raw(tempctrl + "STOP") == 0 and _raw(tempctrl + "T") < 100.0
    assert _raw(tempctrl + "SP") == pytest.approx(_raw(tempctrl + "T"))  # the controller halted
    paused = tc.set(100.0)
    tc.stop(success=True)  # as a RunEngine pause does
    paused.wait(TIMEOUT)
    assert paused.success
    tc.destroy()


def test_device_stopped_elsewhere_fails_the_move(tempctrl: str) -> None:
    """Stopped at the controller (not by us): DONE rises, but short of the target; the move fails."""
    tc = _make(TempCtrl, tempctrl)
    ca_write(tempctrl + "RATE", 10.0)
    status = tc.set(100.0)
    _wait_until(lambda: _raw(tempctrl + "T") > 26.0)
    ca_write(tempctrl + "STOP", 1)
    with pytest.raises(MotionError, match=r"'tc'.*stopped short"):
        status.wait(TIMEOUT)
    tc.destroy()


@pytest.mark.parametrize(
    "cls", [TempCtrlPC, TempCtrlPCGo, TempCtrlIsClose], ids=["pc-setpoint", "pc-actuate", "isclose"]
)
def test_variant_stopped_elsewhere_fails_the_move(tempctrl: str, cls: type[PVPositioner]) -> None:
    """Every variant fails (not hangs) a move the controller stopped short: put completion comes early, or
    (IsClose) the readback never gets close, but the device's setpoint is no longer the target."""
    if cls is TempCtrlPCGo:
        ca_write(tempctrl + "AUTO", 0)
    tc = _make(cls, tempctrl)
    ca_write(tempctrl + "RATE", 10.0)
    status = tc.set(100.0)
    _wait_until(lambda: _raw(tempctrl + "T") > 26.0)
    ca_write(tempctrl + "STOP", 1)
    with pytest.raises(MotionError, match=r"'tc'.*stopped short"):
        status.wait(TIMEOUT)
    assert _raw(tempctrl + "T") < 100.0
    tc.destroy()


def test_timeouts(tempctrl: str) -> None:
    tc = _make(TempCtrl, tempctrl, timeout=0.2)
    assert tc.timeout == 0.2
    ca_write(tempctrl + "RATE", 10.0)
    status = tc.set(100.0)  # 7.5 s of ramp
    with pytest.raises(StatusTimeoutError):
        status.wait(TIMEOUT)
    tc.stop()
    tc.timeout = None
    sp = _raw(tempctrl + "SP")
    for bad in (0, -1):
        with pytest.raises(ValueError, match=r"'tc'.*timeout"):
            tc.set(50.0, timeout=bad)
    assert _raw(tempctrl + "SP") == sp  # nothing was sent
    tc.destroy()


def test_limits_checked_before_anything_is_sent(tempctrl: str) -> None:
    tc = _make(TempCtrl, tempctrl, limits=(0.0, 100.0))
    assert tc.limits == (0.0, 100.0) and (tc.low_limit, tc.high_limit) == (0.0, 100.0)
    with pytest.raises(LimitError, match=r"'tc'.*150"):
        tc.set(150.0)
    assert _raw(tempctrl + "SP") == 25.0
    plain = _make(TempCtrl, tempctrl, name="plain")
    assert plain.limits == (-200.0, 1000.0)  # the setpoint's control limits
    with pytest.raises(LimitError):
        plain.set(2000.0)
    assert _raw(tempctrl + "SP") == 25.0
    wide = _make(TempCtrl, tempctrl, name="wide", limits=(-1000.0, 5000.0))
    with pytest.raises(PutFailedError):  # the IOC refuses what the limits given here let through
        wide.set(2000.0).wait(TIMEOUT)
    for device in (tc, plain, wide):
        device.destroy()


def test_actuate_starts_the_move(tempctrl: str) -> None:
    ca_write(tempctrl + "AUTO", 0)
    tc = _make(TempCtrlGo, tempctrl)
    status = tc.set(40.0)
    status.wait(TIMEOUT)
    assert status.success and abs(_raw(tempctrl + "T") - 40.0) <= 0.1
    tc.destroy()


@pytest.mark.parametrize("cls", [TempCtrlPC, TempCtrlPCGo], ids=["setpoint", "actuate"])
def test_put_completion_variants(tempctrl: str, cls: type[PVPositionerPC]) -> None:
    if cls is TempCtrlPCGo:
        ca_write(tempctrl + "AUTO", 0)
    tc = _make(cls, tempctrl)
    assert tc.put_complete
    ca_write(tempctrl + "RATE", 20.0)
    dones: list[Any] = []
    tc.subscribe(lambda value=None, **kw: dones.append(value), event_type=tc.SUB_DONE, run=False)
    status = tc.set(30.0)
    assert not status.done
    status.wait(TIMEOUT)
    assert status.success and _raw(tempctrl + "T") == 30.0  # the put completes at the end of the ramp
    assert dones == [None]  # no done flag ends these moves: SUB_DONE carries None, as classic ophyd's
    tc.destroy()


@pytest.mark.parametrize("cls", [TempCtrlPC, TempCtrlPCGo], ids=["setpoint", "actuate"])
def test_put_completion_that_comes_at_once_ends_the_move(cls: type[PVPositionerPC]) -> None:
    """A put that completes before put() returns (a fake device's, a fast IOC's) still ends the move."""
    tc = make_fake_device(cls)("TC:", name="tc")
    status = tc.set(30.0)
    status.wait(TIMEOUT)
    assert status.success and tc.setpoint.get() == 30.0


def test_is_close(tempctrl: str) -> None:
    tc = _make(TempCtrlIsClose, tempctrl)
    assert tc.atol == 0.01
    ca_write(tempctrl + "RATE", 20.0)
    status = tc.set(28.0)
    status.wait(TIMEOUT)
    assert status.success and abs(tc.position - 28.0) <= 0.01
    tc.set(28.0).wait(TIMEOUT)  # already there: done still rises
    loose = _make(TempCtrlIsClose, tempctrl, name="loose", atol=5.0)
    assert loose.atol == 5.0 and loose.done_comparator(24.0, 28.0)
    assert not tc.done_comparator(24.0, 28.0)
    for device in (tc, loose):
        device.destroy()


def test_done_variant_on_a_single_pv(tempctrl: str) -> None:
    tol = _make(Tolerance, tempctrl + "TOL", name="tol")
    status = tol.set(0.25)
    status.wait(TIMEOUT)
    assert status.success and _raw(tempctrl + "TOL") == 0.25 and tol.position == 0.25
    assert tol.hints == {"fields": ["tol_setpoint"]}
    tol.destroy()


def test_run_engine_scan_read_describe(tempctrl: str, cl: str) -> None:
    tc = _make(TempCtrl, tempctrl, egu="degC")
    RE = RunEngine({})
    docs: list[tuple[str, dict[str, Any]]] = []
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    RE(bp.scan([], tc, 20.0, 30.0, 3))
    RE(bps.mv(tc, 25.0))
    events = [doc for name, doc in docs if name == "event"]
    assert [e["data"]["tc_setpoint"] for e in events] == [20.0, 25.0, 30.0]
    assert [e["data"]["tc_readback"] for e in events] == pytest.approx([20.0, 25.0, 30.0], abs=0.1)
    assert next(doc for name, doc in docs if name == "stop")["exit_status"] == "success"
    assert tc.hints == {"fields": ["tc_readback"]}
    # Components are read by default (kind normal), as in classic ophyd: done and stop_signal too.
    assert set(tc.describe()) == {"tc_setpoint", "tc_readback", "tc_done", "tc_stop_signal"}
    tc.destroy()


def test_report_copy_repr(tempctrl: str) -> None:
    tc = _make(TempCtrl, tempctrl, egu="degC", limits=(0.0, 100.0), settle_time=0.05, timeout=30)
    assert tc.report == {"position": pytest.approx(tc.position), "pv": tempctrl + "T"}
    clone = copy.copy(tc)
    assert type(clone) is TempCtrl and clone is not tc
    assert (clone.prefix, clone.name, clone.limits, clone.egu, clone.settle_time, clone.timeout) == (
        tempctrl,
        "tc",
        (0.0, 100.0),
        "degC",
        0.05,
        30.0,
    )
    assert "limits=(0.0, 100.0)" in repr(tc) or "tc" in repr(tc)
    for device in (tc, clone):
        device.destroy()


def _wait_until(condition: Any, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        threading.Event().wait(0.01)


# -- the bluesky tutorials' PVPositioner over caproto's decay IOC --------------------------------------------
@pytest.mark.system  # starts one of caproto's example IOCs
def test_tutorial_decay_pvpositioner() -> None:
    """The tutorial's class, unchanged but for ``from sophyd import ...``, over caproto.ioc_examples.decay."""
    sophyd.set_cl(
        "caproto"
    )  # libca read EPICS_CA_ADDR_LIST before this IOC existed; caproto's client reads it now
    try:
        with example_ioc("caproto.ioc_examples.decay", "done", tail="decay:") as prefix:
            ca_write(prefix + "K", 0.3)  # the decay constant: 10 s by default, shortened for the test
            from sophyd import Component, EpicsSignal, EpicsSignalRO, PVPositioner

            class Decay(PVPositioner):
                """
                A device with a setpoint and readback that decays exponentially toward the setpoint.
                """

                readback = Component(EpicsSignalRO, ":I")
                setpoint = Component(EpicsSignal, ":SP")
                done = Component(EpicsSignalRO, ":done")
                # actuate = Component(EpicsSignal, ...)  # the "Go" button, not applicable to this IOC

            decay = Decay(prefix[:-1], name="decay")
            finished: list[Any] = []

            def callback(status: Any) -> None:
                finished.append(status)

            status = decay.set(140)
            status.add_callback(callback)
            status.wait(TIMEOUT)
            assert finished == [status] and status.success
            assert _raw(prefix + "done") in (1, b"On") and _raw(prefix + "SP") == 140.0
            assert abs(decay.readback.get(use_monitor=False) - 140.0) < 0.05 * 130  # the IOC's done rule
            RE = RunEngine({})
            docs: list[tuple[str, dict[str, Any]]] = []
            RE.subscribe(lambda name, doc: docs.append((name, doc)))
            RE(bp.scan([], decay, 100, 120, 3))
            events = [doc for name, doc in docs if name == "event"]
            assert [e["data"]["decay_setpoint"] for e in events] == [100, 110, 120]
            decay.destroy()
    finally:
        sophyd.set_cl(None)


class RecordAxis(PVPositioner):
    """A motor record driven as a PVPositioner: its put-completion and DMOV both come at the end of motion."""

    setpoint = Cpt(EpicsSignal, ".VAL")
    readback = Cpt(EpicsSignalRO, ".RBV")
    done = Cpt(EpicsSignalRO, ".DMOV")
    stop_signal = Cpt(EpicsSignal, ".STOP")


def test_position_after_a_move_is_the_final_one(motors_prefix: str) -> None:
    """The IOC answers before it sends the last readback update; the position read after the move is final."""
    axis = _make(RecordAxis, motors_prefix + "mtr2", name="axis")
    velocity = _raw(motors_prefix + "mtr2.VELO")
    ca_write(motors_prefix + "mtr2.VELO", 20.0)
    try:
        for target in (0.75, 1.5, 0.0):
            axis.move(target, timeout=TIMEOUT)
            assert axis.position == target
            assert axis.read()["axis_readback"]["value"] == target
    finally:
        ca_write(motors_prefix + "mtr2.VELO", velocity)
        axis.destroy()
