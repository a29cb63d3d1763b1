"""Type-checked (not run by pytest): sophyd's public API seen through bluesky's protocol types.

``tests/test_protocols.py`` runs mypy on this file; it must stay free of errors.
"""

from __future__ import annotations

from bluesky.protocols import (
    Configurable,
    HasHints,
    Movable,
    Pausable,
    Readable,
    Stageable,
    Status,
    Triggerable,
)

from sophyd import (
    AndStatus,
    Component,
    Cpt,
    DerivedSignal,
    Device,
    DeviceStatus,
    Kind,
    MoveStatus,
    Signal,
    SignalRO,
    SubscriptionStatus,
    set_and_wait,
    wait,
)


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
# Not claimed statically: Stoppable (sophyd keeps classic ophyd's keyword-only ``stop(*, success=False)``;
# bluesky calls ``stop(success=...)``, so it works at run time) and Subscribable (classic ``subscribe`` returns
# a subscription id and calls back with keyword arguments). test_protocols.py checks both with isinstance().
conf_sig: Configurable = sig
conf_dev: Configurable = det
hinted_sig: HasHints = sig
hinted_dev: HasHints = det

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
