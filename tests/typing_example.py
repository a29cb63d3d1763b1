"""Type-checked (not run by pytest): sophyd's public API seen through bluesky's protocol types.

``tests/test_protocols.py`` runs mypy on this file; it must stay free of errors.
"""

from __future__ import annotations

from bluesky.protocols import (
    Checkable,
    Configurable,
    Flyable,
    HasHints,
    Movable,
    Pausable,
    Readable,
    Stageable,
    Status,
    Subscribable,
    Triggerable,
)

from sophyd import (
    AndStatus,
    Component,
    Cpt,
    DerivedSignal,
    Device,
    DeviceStatus,
    EpicsMotor,
    EpicsSignal,
    Kind,
    MoveStatus,
    Signal,
    SignalRO,
    StatusBase,
    SubscriptionStatus,
    set_and_wait,
    wait,
)
from sophyd.sim import SynAxis, SynGauss, TrivialFlyer


class Detector(Device):
    reading = Cpt(Signal, value=0.0, kind=Kind.hinted)
    gain = Component(Signal, value=1.0, kind="config")
    doubled = Cpt(DerivedSignal, derived_from="reading", inverse=lambda v: 2 * v)


sig = Signal(name="x", value=0.0)
ro = SignalRO(name="ro", value=1)
det = Detector(name="det")

r: Readable = sig
r_ro: Readable = ro
r_dev: Readable = det
m: Movable = sig
t_sig: Triggerable = sig
t_dev: Triggerable = det
staged: Stageable = det
paused: Pausable = det
# Not claimed statically: Stoppable. sophyd keeps classic ophyd's keyword-only ``stop(*, success=False)``, which
# classic's own classes have too (bluesky calls ``stop(success=...)``, so it works at run time);
# test_protocols.py checks it with isinstance().
conf_sig: Configurable = sig
conf_dev: Configurable = det
hinted_sig: HasHints = sig
hinted_dev: HasHints = det
checked_sig: Checkable = sig
checked_dev: Checkable = det

# The classic classes bluesky's protocols are usually checked against (classic ophyd's own tests use these).
motor = SynAxis(name="motor")
epics_motor = EpicsMotor("XF:MTR", name="epics_motor")
gauss = SynGauss("gauss", motor, "motor", center=0, Imax=1)
epics_sig = EpicsSignal("XF:SIG", name="epics_sig")
m_motor: Movable = motor
m_epics_motor: Movable = epics_motor
checked_motor: Checkable = epics_motor
r_motor: Readable = motor
r_gauss: Readable = gauss
flyer: Flyable = TrivialFlyer()
sub_sig: Subscribable = sig
sub_ro: Subscribable = ro
sub_dev: Subscribable = det
sub_epics: Subscribable = epics_sig
sub_motor: Subscribable = motor
sub_epics_motor: Subscribable = epics_motor
cid: int = sig.subscribe(lambda **kwargs: None)
sig.unsubscribe(cid)
base_status: Status = StatusBase()

s: Status = sig.set(1.0)
s_trigger: Status = det.trigger()
s_dev: Status = DeviceStatus(det)
s_move: Status = MoveStatus(sig, 2.0)
s_sub: Status = SubscriptionStatus(sig, lambda value, **kw: bool(value > 0))
own = sig.set(2.0)
other = det.trigger()
s_and: Status = AndStatus(own, other)
s_and2: Status = own & other

wait(own, timeout=1.0)
own.wait(1.0)
set_and_wait(sig, 2.0, timeout=1.0)
done: bool = s.done and s.success
failure: BaseException | None = s.exception()
names: list[str] = det.read_attrs + det.configuration_attrs
value: float = det.reading.get()
# A component is its class to a type checker: the child on an instance, the Component on the class.
reading_signal: Signal = det.reading
gain_component: Component[Signal] = Detector.gain
derived: DerivedSignal = det.doubled
old, new = det.configure({"gain": 2.0})
staged_devices: list[object] = det.stage()
det.unstage()
