"""Fake devices (make_fake_device and friends), tested the way a classic ophyd user tests a device class.

The device classes and tests below are written as for classic ophyd 1.11; only the import lines name sophyd.
"""

from __future__ import annotations

from typing import Any

import pytest

from sophyd import Component as Cpt
from sophyd import (
    Device,
    EpicsMotor,
    EpicsSignal,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
    Kind,
    LimitError,
    PseudoPositioner,
    PseudoSingle,
    ReadOnlyError,
    set_mock_value,
)
from sophyd import DynamicDeviceComponent as DDC
from sophyd import FormattedComponent as FCpt
from sophyd.areadetector.paths import EpicsPathSignal
from sophyd.pseudopos import pseudo_position_argument, real_position_argument
from sophyd.sim import (
    FakeEpicsPathSignal,
    FakeEpicsSignal,
    FakeEpicsSignalRO,
    FakeEpicsSignalWithRBV,
    clear_fake_device,
    fake_device_cache,
    instantiate_fake_device,
    make_fake_device,
)


# -- device classes as a beamline would write them -------------------------------------------------------
class Valve(Device):
    state = Cpt(EpicsSignalRO, ":STATE", kind="hinted")
    open_cmd = Cpt(EpicsSignal, ":OPN_CMD", kind="omitted")
    close_cmd = Cpt(EpicsSignal, ":CLS_CMD", kind="omitted")
    interlock = Cpt(EpicsSignalRO, ":ILK", kind="config")

    def __init__(self, prefix: str, *, name: str, **kwargs: object) -> None:
        super().__init__(prefix, name=name, **kwargs)
        self.transitions = 0
        self.state.subscribe(self._count, run=False)

    def _count(self, value: object = None, old_value: object = None, **kwargs: object) -> None:
        if old_value is not None and value != old_value:
            self.transitions += 1

    def open(self) -> None:
        if self.interlock.get():
            raise RuntimeError(f"{self.name} is interlocked")
        self.open_cmd.put(1)

    @property
    def is_open(self) -> bool:
        return self.state.get() == 1


class Camera(Device):
    acquire_time = Cpt(EpicsSignalWithRBV, "AcquireTime")
    model = Cpt(EpicsSignalRO, "Model_RBV", string=True, kind="config")
    trigger_mode = Cpt(EpicsSignal, "TriggerMode", string=True)
    gain = Cpt(EpicsSignal, "Gain", limits=True)
    proc = Cpt(EpicsSignalNoValidation, "Proc", kind="omitted")


class Channel(Device):
    """Formatted PV names from a constructor argument: instantiate_fake_device must fill it in."""

    value = FCpt(EpicsSignalRO, "{prefix}:CH{channel}")

    def __init__(self, prefix: str, channel: int, *, name: str, **kwargs: object) -> None:
        self.channel = channel
        super().__init__(prefix, name=name, **kwargs)


class Beamline(Device):
    valve = Cpt(Valve, "VLV")
    cam = Cpt(Camera, "CAM:")
    temps = DDC({"t1": (EpicsSignalRO, "T1", {}), "t2": (EpicsSignalRO, "T2", {})})
    soft = Cpt(EpicsSignal, "SOFT", lazy=True)


# -- the tests --------------------------------------------------------------------------------------------
def test_fake_class_is_a_cached_subclass_with_every_epics_signal_swapped() -> None:
    FakeBeamline = make_fake_device(Beamline)
    assert make_fake_device(Beamline) is FakeBeamline
    assert issubclass(FakeBeamline, Beamline) and FakeBeamline.__name__ == "FakeBeamline"
    bl = FakeBeamline("BL:", name="bl")
    assert isinstance(bl.valve, Valve) and isinstance(bl.valve.state, FakeEpicsSignalRO)
    assert isinstance(bl.cam.acquire_time, FakeEpicsSignalWithRBV)
    assert isinstance(bl.cam.gain, FakeEpicsSignal)
    assert isinstance(bl.cam.proc, EpicsSignalNoValidation) and hasattr(bl.cam.proc, "sim_put")
    assert hasattr(bl.temps.t1, "sim_put") and hasattr(bl.soft, "sim_put")
    assert bl.valve.state.pvname == "BL:VLV:STATE"
    # The real class is untouched.
    assert Beamline.valve.cls is Valve and Valve.state.cls is EpicsSignalRO
    assert fake_device_cache[EpicsSignal] is FakeEpicsSignal


def test_a_path_signal_has_a_named_fake_that_matches_paths_as_the_real_one() -> None:
    """classic's sim.FakeEpicsPathSignal: what make_fake_device gives for an EpicsPathSignal component."""
    assert make_fake_device(EpicsPathSignal) is FakeEpicsPathSignal

    class Writer(Device):
        file_path = Cpt(EpicsPathSignal, "FilePath", path_semantics="posix")

    writer = make_fake_device(Writer)("W:", name="w")
    assert isinstance(writer.file_path, FakeEpicsPathSignal)
    assert (writer.file_path.pvname, writer.file_path.setpoint_pvname) == ("W:FilePath_RBV", "W:FilePath")
    writer.file_path.set("/data/x/").wait(5)
    assert writer.file_path.get() == "/data/x/"
    with pytest.raises(ValueError, match="unknown path semantics"):
        FakeEpicsPathSignal("P:", path_semantics="amiga", name="bad")


def test_sim_put_get_and_read_only() -> None:
    FakeValve = make_fake_device(Valve)
    valve = FakeValve("VLV", name="valve")
    valve.state.sim_put(1)
    assert valve.state.get() == 1 and valve.is_open
    with pytest.raises(ReadOnlyError):
        valve.state.put(0)
    assert valve.read()["valve_state"]["value"] == 1
    assert valve.describe()["valve_state"]["source"] == "PV:VLV:STATE"


def test_subscribers_see_sim_put_before_it_returns() -> None:
    valve = make_fake_device(Valve)("VLV", name="valve")
    seen: list[object] = []
    valve.state.subscribe(lambda value, **kw: seen.append(value), run=False)
    valve.state.sim_put(1)
    assert seen[-1] == 1
    valve.state.sim_put(0)
    assert seen[-1] == 0 and valve.transitions == 2


def test_device_logic_writes_what_the_test_checks() -> None:
    valve = make_fake_device(Valve)("VLV", name="valve")
    valve.open()
    assert valve.open_cmd.get() == 1 and valve.close_cmd.get() == 0
    valve.interlock.sim_put(1)
    with pytest.raises(RuntimeError, match="interlocked"):
        valve.open()


def test_two_fakes_with_one_prefix_hold_their_own_values() -> None:
    FakeValve = make_fake_device(Valve)
    a, b = FakeValve("SAME", name="a"), FakeValve("SAME", name="b")
    a.state.sim_put(1)
    assert a.state.get() == 1 and b.state.get() == 0


def test_values_keep_their_type_and_rbv_pairs_are_one_value() -> None:
    cam = make_fake_device(Camera)("CAM:", name="cam")
    cam.acquire_time.put(0.25)
    assert cam.acquire_time.get() == 0.25 and cam.acquire_time.setpoint == 0.25
    cam.acquire_time.put(3)
    assert cam.acquire_time.get() == 3 and isinstance(cam.acquire_time.get(), int)
    cam.model.sim_put("Prosilica GT")
    assert cam.model.get() == "Prosilica GT"
    cam.trigger_mode.put("Internal")
    assert cam.trigger_mode.get() == "Internal"


def test_enum_strs_and_limits() -> None:
    cam = make_fake_device(Camera)("CAM:", name="cam")
    cam.trigger_mode.sim_set_enum_strs(["Internal", "External"])
    cam.trigger_mode.put("External")
    assert cam.trigger_mode.get() == "External" and cam.trigger_mode.get(as_string=False) == 1
    assert cam.trigger_mode.enum_strs == ("Internal", "External")
    with pytest.raises(ValueError, match="Gated"):
        cam.trigger_mode.put("Gated")
    key = cam.trigger_mode.describe()["cam_trigger_mode"]
    assert key["enum_strs"] == ("Internal", "External") and key["choices"] == ["Internal", "External"]
    cam.gain.sim_set_limits((0, 10))
    assert cam.gain.limits == (0, 10)
    cam.gain.put(5)
    with pytest.raises(LimitError, match="cam_gain"):
        cam.gain.put(11)
    assert cam.gain.get() == 5


def test_set_completes_and_a_putter_plays_the_ioc() -> None:
    valve = make_fake_device(Valve)("VLV", name="valve")
    valve.open_cmd.set(1).wait(timeout=5)
    assert valve.open_cmd.get() == 1
    valve.state.sim_put(1)
    valve.close_cmd.sim_set_putter(lambda value: valve.state.sim_put(0 if value else 1))
    valve.close_cmd.put(1)
    assert valve.state.get() == 0 and valve.close_cmd.get() == 0  # the putter stored nothing itself
    assert valve.transitions == 2


def test_instantiate_fake_device_fills_required_arguments() -> None:
    ch = instantiate_fake_device(Channel)
    assert ch.name == "FakeChannel" and ch.channel == "_channel_"
    assert ch.value.pvname == "_prefix:CH_channel_"
    ch = instantiate_fake_device(Channel, name="ch", prefix="X", channel=3)
    assert (ch.name, ch.value.pvname) == ("ch", "X:CH3")


def test_clear_fake_device() -> None:
    cam = make_fake_device(Camera)("CAM:", name="cam")
    cam.acquire_time.sim_put(2.0)
    cam.model.sim_put("Prosilica")
    written = clear_fake_device(cam, default_value=1, default_string_value="none")
    assert {sig.attr_name for sig, _ in written} == {"acquire_time", "model", "trigger_mode", "gain", "proc"}
    assert cam.acquire_time.get() == 1 and cam.model.get() == "none" and cam.trigger_mode.get() == "none"
    with pytest.raises(ValueError, match="None"):
        cam.trigger_mode.check_value(None)


def test_mock_helpers_reach_a_fake_signal() -> None:
    valve = make_fake_device(Valve)("VLV", name="valve")
    set_mock_value(valve.state, 1)
    assert valve.state.get() == 1


def test_fake_devices_stay_off_the_network() -> None:
    class Built(Device):
        """A device that makes a signal by hand in __init__: the fake makes it on the mock layer."""

        def __init__(self, prefix: str, **kwargs: object) -> None:
            super().__init__(prefix, **kwargs)
            self.extra = EpicsSignal(prefix + "EXTRA", name="extra", parent=self)

    built = make_fake_device(Built)("B:", name="b")
    assert built.extra._backend.name == "mock" and built.extra.get() == 0.0
    valve = make_fake_device(Valve)("VLV", name="valve")
    assert {walk.item._backend.name for walk in valve.walk_signals()} == {"fake"}


def test_standalone_fake_signal_and_hints() -> None:
    sig = FakeEpicsSignal("PV:A", name="a")
    sig.put(4.5)
    assert sig.get() == 4.5 and sig.read()["a"]["value"] == 4.5 and sig.hints == {"fields": ["a"]}
    ro = FakeEpicsSignalRO("PV:B", name="b", kind=Kind.normal)
    ro.sim_put(2)
    assert ro.get() == 2


def test_fake_epics_motor_reads_its_position() -> None:
    motor = make_fake_device(EpicsMotor)("MTR:m1", name="m1")
    motor.user_readback.sim_put(2.5)
    assert motor.position == 2.5 and motor.read()["m1"]["value"] == 2.5


class SlitOverMotors(PseudoPositioner):
    gap = Cpt(PseudoSingle, limits=(0, 10))
    left = Cpt(EpicsMotor, "L")
    right = Cpt(EpicsMotor, "R")

    @pseudo_position_argument
    def forward(self, pseudo_pos: Any) -> Any:
        return self.RealPosition(left=-pseudo_pos.gap / 2, right=pseudo_pos.gap / 2)

    @real_position_argument
    def inverse(self, real_pos: Any) -> Any:
        return self.PseudoPosition(gap=real_pos.right - real_pos.left)


def test_fake_pseudo_positioner_follows_its_fake_motors() -> None:
    slit = make_fake_device(SlitOverMotors)("SL:", name="slit")
    gaps: list[float] = []
    slit.gap.subscribe(lambda value, **kw: gaps.append(value), run=False)
    slit.left.user_readback.sim_put(-1.5)
    slit.right.user_readback.sim_put(2.5)
    assert slit.gap.position == 4.0 and gaps[-1] == 4.0
    assert slit.read()["slit_gap"]["value"] == 4.0


FAKE_PROBE = """
import json, socket, sys, threading

sockets = []
_init = socket.socket.__init__

def recording_init(self, *args, **kwargs):
    sockets.append(repr(args))
    _init(self, *args, **kwargs)

socket.socket.__init__ = recording_init
threads_before = threading.active_count()
import sophyd.sim
after_import = threading.active_count()

from sophyd import Component, Device, EpicsMotor, EpicsSignal
class Dev(Device):
    sig = Component(EpicsSignal, "SIG")
    motor = Component(EpicsMotor, "MTR")

dev = sophyd.sim.make_fake_device(Dev)("P:", name="dev")
dev.sig.sim_put(5)
dev.motor.user_readback.sim_put(1.5)
assert dev.sig.get() == 5 and dev.motor.position == 1.5
print(json.dumps(dict(threads_before=threads_before, after_import=after_import, sockets=sockets,
                      backends=sorted(m for m in ("epics", "caproto") if m in sys.modules))))
"""


def test_import_and_fake_devices_stay_off_the_network_and_start_no_thread_at_import() -> None:
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", FAKE_PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["after_import"] == report["threads_before"]
    assert report["sockets"] == [] and report["backends"] == []
