"""Device and Component as classic ophyd 1.11 users rely on them: kinds, names, hooks and helpers.

The expected kinds below were derived from classic ophyd's Device.__init__ and its read_attrs /
configuration_attrs setters: the lists act on the declared component kinds before any child is made
(read_attrs first), leaving a list clears the view's bit (``hinted`` with read_attrs), and a device whose
kind has ``normal`` also gets ``config``.
"""

from __future__ import annotations

import subprocess
import sys
import typing
import warnings
from typing import Any

import pytest
from helpers import TIMEOUT, wait_for

import sophyd
from sophyd import (
    ALL_COMPONENTS,
    Component,
    Cpt,
    Device,
    EpicsSignal,
    EpicsSignalRO,
    FormattedComponent,
    Kind,
    PutFailedError,
    Signal,
    SignalRO,
    kind_context,
)
from sophyd.areadetector import ADComponent
from sophyd.device import (
    BlueskyInterface,
    create_device_from_components,
    do_not_wait_for_lazy_connection,
    required_for_connection,
    wait_for_lazy_connection,
)

N, C, H, OM = Kind.normal, Kind.config, Kind.hinted, Kind.omitted
NC = N | C


class Inner(Device):
    x = Cpt(Signal, value=1)
    y = Cpt(Signal, value=2, kind="config")
    z = Cpt(Signal, value=3, kind="hinted")


class Outer(Device):
    a = Cpt(Signal, value=1)
    b = Cpt(Signal, value=2, kind="config")
    c = Cpt(Signal, value=3, kind="hinted")
    d = Cpt(Signal, value=4, kind="omitted")
    e = Cpt(Signal, value=5, kind="normal|config")
    sub = Cpt(Inner)
    csub = Cpt(Inner, kind="config")


class OuterWithDefaults(Outer):
    _default_read_attrs = ("a",)
    _default_configuration_attrs = ("b",)


ATTRS = ("a", "b", "c", "d", "e", "sub", "csub")


@pytest.mark.parametrize(
    ("cls", "read_attrs", "configuration_attrs", "expected"),
    [
        (Outer, None, None, (N, C, H, OM, NC, NC, C)),
        (Outer, [], None, (OM, C, OM, OM, C, OM, C)),
        (Outer, None, [], (N, OM, H, OM, N, NC, OM)),
        (Outer, [], [], (OM, OM, OM, OM, OM, OM, OM)),
        (Outer, ["a"], None, (N, C, OM, OM, C, OM, C)),
        (Outer, None, ["a"], (NC, OM, H, OM, N, NC, OM)),
        (Outer, ["sub.x"], None, (OM, C, OM, OM, C, NC, C)),
        (Outer, None, ["sub.y"], (N, OM, H, OM, N, NC, OM)),
        (Outer, ALL_COMPONENTS, None, (N, NC, H, N, NC, NC, NC)),
        (Outer, None, ALL_COMPONENTS, (NC, C, H | C, C, NC, NC, C)),
        (OuterWithDefaults, None, None, (N, C, OM, OM, OM, OM, OM)),
        (OuterWithDefaults, [], None, (OM, C, OM, OM, OM, OM, OM)),
        (OuterWithDefaults, None, [], (N, OM, OM, OM, OM, OM, OM)),
        (OuterWithDefaults, ["c", "sub"], ["e", "csub"], (OM, OM, H, OM, C, NC, C)),
    ],
)
def test_attrs_resolve_to_classic_kinds(
    cls: type[Outer], read_attrs: Any, configuration_attrs: Any, expected: tuple[Kind, ...]
) -> None:
    dev = cls(name="o", read_attrs=read_attrs, configuration_attrs=configuration_attrs)
    assert {attr: getattr(dev, attr).kind for attr in ATTRS} == dict(zip(ATTRS, expected, strict=True))


def test_nested_lists_set_the_sub_device_kinds() -> None:
    dev = Outer(name="o", read_attrs=["sub.x"])
    assert (dev.sub.x.kind, dev.sub.y.kind, dev.sub.z.kind) == (N, C, OM)
    assert dev.read_attrs == ["sub", "sub.x"]
    assert dev.configuration_attrs == ["b", "e", "sub", "sub.y", "csub", "csub.y"]
    dev = Outer(name="o", configuration_attrs=["sub.x"])
    assert (dev.sub.x.kind, dev.sub.y.kind, dev.sub.z.kind) == (NC, OM, H)


def test_a_device_is_normal_and_config_by_default() -> None:
    assert Device(name="d").kind == NC
    assert Device(name="d", kind="hinted").kind == H | C
    assert Device(name="d", kind="config").kind == C
    assert Device(name="d", kind="omitted").kind == OM
    dev = Outer(name="o")
    dev.sub.kind = Kind.normal
    assert dev.sub.kind == NC


def test_sub_devices_are_walked_by_read_and_read_configuration() -> None:
    dev = Outer(name="o")
    assert list(dev.read()) == ["o_a", "o_c", "o_e", "o_sub_x", "o_sub_z"]
    assert list(dev.describe()) == list(dev.read())
    assert list(dev.read_configuration()) == ["o_b", "o_e", "o_sub_y", "o_csub_y"]
    assert list(dev.describe_configuration()) == list(dev.read_configuration())
    assert dev.hints == {"fields": ["o_c", "o_sub_z"]}


def test_read_configuration_asks_each_signal_for_its_own_configuration() -> None:
    """A signal class that overrides read_configuration()/describe_configuration() is honoured by its
    device, as in classic ophyd (which calls them on every config component, not read()/describe())."""

    class Calibrated(Signal):
        def read_configuration(self) -> dict[str, Any]:
            return {f"{self.name}_calibration": {"value": 2.5, "timestamp": 0.0}}

        def describe_configuration(self) -> dict[str, Any]:
            return {f"{self.name}_calibration": {"source": "calibration", "dtype": "number", "shape": []}}

    class Dev(Device):
        gain = Cpt(Calibrated, value=1, kind="config")
        plain = Cpt(Signal, value=7, kind="config")

    dev = Dev(name="d")
    assert dev.read_configuration() == {
        "d_gain_calibration": {"value": 2.5, "timestamp": 0.0},
        "d_plain": dev.plain.read()["d_plain"],
    }
    assert list(dev.describe_configuration()) == ["d_gain_calibration", "d_plain"]
    assert dev.describe_configuration()["d_gain_calibration"]["source"] == "calibration"


def test_child_name_separator_applies_through_the_tree() -> None:
    class T(Device):
        a = Cpt(Signal, value=1)

    class Top(Device):
        t = Cpt(T)

    bob = Top(name="bob", child_name_separator="!")
    assert bob.t.name == "bob!t"
    assert bob.t.a.name == "bob!t!a"
    assert list(bob.read()) == ["bob!t!a"]


def test_hidden_components() -> None:
    class Hidden(Device):
        shown = Cpt(Signal, value=1)
        _hidden = Cpt(Signal, value=2)

    dev = Hidden(name="h")
    assert Hidden.component_names == ("shown", "_hidden")
    assert dev.get() == (1,)
    assert dev.get()._fields == ("shown",)
    dev.put((3,))
    assert dev.shown.get() == 3
    assert dev._hidden.get() == 2
    assert "h__hidden" in dev.read()


def test_put_tuple_and_device_tuple() -> None:
    class Pair(Device):
        a = Cpt(Signal, value=0)
        b = Cpt(Signal, value=0)

    dev = Pair(name="p")
    dev.put((1, 2))
    assert dev.get() == (1, 2)
    dev.put(Pair.get_device_tuple()(a=10, b=12))
    assert (dev.a.get(), dev.b.get()) == (10, 12)
    with pytest.raises(ValueError, match=r"'p'.*fields are \('a', 'b'\)"):
        dev.put((1, 2, 3))
    assert dev.get() == (10, 12)


def test_repr() -> None:
    dev = Outer(name="o", prefix="P:", read_attrs=["a"], configuration_attrs=["b"])
    assert repr(dev) == "Outer(prefix='P:', name='o', read_attrs=['a'], configuration_attrs=['b'])"
    assert repr(dev.sub) == (
        "Inner(prefix='', name='o_sub', parent='o', read_attrs=['x', 'z'], configuration_attrs=['y'])"
    )


def test_top_level_names_as_classic_exports_them() -> None:
    assert sophyd.kind_context is kind_context
    assert sophyd.ALL_COMPONENTS is ALL_COMPONENTS
    assert sophyd.wait_for_lazy_connection is wait_for_lazy_connection
    assert sophyd.do_not_wait_for_lazy_connection is do_not_wait_for_lazy_connection
    assert sophyd.BlueskyInterface is BlueskyInterface  # classic ophyd's top level has it too
    assert {"kind_context", "ALL_COMPONENTS", "wait_for_lazy_connection", "BlueskyInterface"} <= set(
        sophyd.__all__
    )


def test_a_device_with_components_needs_a_prefix() -> None:
    with pytest.raises(ValueError, match="'o': a device with components needs a prefix"):
        Outer(None, name="o")  # type: ignore[arg-type]
    assert Device(None, name="plain").prefix is None  # type: ignore[arg-type]


def test_kind_context() -> None:
    class Dev(Device):
        with kind_context("config") as ConfigCpt:
            gain = ConfigCpt(Signal, value=1)
        reading = Cpt(Signal, value=2)

    assert Dev.gain.kind == Kind.config
    assert list(Dev(name="d").read_configuration()) == ["d_gain"]


def test_create_device_from_components() -> None:
    components = {"one": Cpt(Signal, value=1), "two": Cpt(Signal, value=2, kind="config")}
    Made = create_device_from_components("Made", default_read_attrs=["one"], **components)
    assert Made.__name__ == "Made"
    assert issubclass(Made, Device)
    assert Made.one is components["one"]  # type: ignore[attr-defined]
    assert list(Made(name="m").read()) == ["m_one"]
    with pytest.raises(ValueError, match="bad is not a Component"):
        create_device_from_components("Bad", bad=None)  # type: ignore[arg-type]


class Lazily(Signal):
    """A soft signal that records whether anyone waited for its connection."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.waited = False

    def wait_for_connection(self, timeout: float | None = None) -> None:
        self.waited = True


def test_first_access_to_a_lazy_component_waits_for_its_connection() -> None:
    class Dev(Device):
        later = Cpt(Lazily, lazy=True)

    dev = Dev(name="d")
    assert "later" not in dev._signals
    assert dev.later.waited


@pytest.mark.parametrize(
    ("class_default", "context", "waited"),
    [(False, wait_for_lazy_connection, True), (True, do_not_wait_for_lazy_connection, False)],
)
def test_lazy_connection_contexts(class_default: bool, context: Any, waited: bool) -> None:
    class Dev(Device):
        lazy_wait_for_connection = class_default
        later = Cpt(Lazily, lazy=True)

    dev = Dev(name="d")
    with context(dev):
        assert dev.lazy_wait_for_connection is not class_default
        assert dev.later.waited is waited
    assert dev.lazy_wait_for_connection is class_default


def test_lazy_default_on_a_component_subclass() -> None:
    class LazyCpt(Component[Any]):
        lazy_default = True

    class Dev(Device):
        later = LazyCpt(Lazily)
        eager = LazyCpt(Lazily, lazy=False)

    assert Dev.later.lazy and not Dev.eager.lazy
    assert list(Dev(name="d")._signals) == ["eager"]


def test_subscription_decorators() -> None:
    class Watched(Device):
        value_sig = Cpt(Signal, value=None)
        lazy_sig = Cpt(Signal, value=None, lazy=True)

        def __init__(self, **kwargs: Any) -> None:
            self.seen: list[tuple[str, Any]] = []
            super().__init__(**kwargs)

        @value_sig.sub_value
        def _on_value(self, value: Any, **kwargs: Any) -> None:
            self.seen.append(("value", value))

        @value_sig.sub_default
        def _on_default(self, value: Any, **kwargs: Any) -> None:
            self.seen.append(("default", value))

        @lazy_sig.subscriptions("value")
        def _on_lazy(self, value: Any, **kwargs: Any) -> None:
            self.seen.append(("lazy", value))

    dev = Watched(name="w")
    assert set(dev._signals) == {
        "value_sig",
        "lazy_sig",
    }  # a lazy component with subscriptions is made at init
    dev.value_sig.put(3)
    dev.lazy_sig.put(4)
    assert dev.seen == [("value", 3), ("default", 3), ("lazy", 4)]
    assert Watched._on_value._subscriptions == [(Watched.value_sig, "value")]  # type: ignore[attr-defined]


def test_sub_meta_decorator_registers_meta_events() -> None:
    class Meta(Device):
        sig = Cpt(Signal, value=None)

        @sig.sub_meta
        def _on_meta(self, **kwargs: Any) -> None:
            pass

    assert Meta.sig._subscriptions == {"meta": [Meta._on_meta]}


def test_required_for_connection_on_a_subscription() -> None:
    class Dev(Device):
        cpt = Cpt(Signal, value=None)

        @required_for_connection
        @cpt.sub_value
        def _first_value(self, **kwargs: Any) -> None:
            pass

    dev = Dev(name="dev")
    assert not dev.connected
    with pytest.raises(TimeoutError, match=r"pending operations: dev._first_value\[value\] subscription"):
        dev.wait_for_connection(timeout=0.05)
    dev.cpt.put(0)
    assert dev.connected
    dev.wait_for_connection(timeout=0.05)


def test_required_subscription_to_a_soft_signal_made_with_a_value_is_met_at_once() -> None:
    """The subscription hears the signal's value when the device is made (classic waits for a put)."""
    heard: list[Any] = []

    class Dev(Device):
        cpt = Cpt(Signal, value=0)

        @required_for_connection
        @cpt.sub_value
        def _first_value(self, value: Any, **kwargs: Any) -> None:
            heard.append(value)

    dev = Dev(name="dev")
    assert heard == [0]
    assert dev.connected
    dev.wait_for_connection(timeout=0.05)


def test_subscripted_components_make_their_class() -> None:
    """``Component[X](X, ...)`` and the annotated forms of classic ophyd 1.11 make X and remember the subscript.

    Soft signals only: an EpicsSignal made here would start Channel Access before the IOC fixtures set its
    environment, which libca reads once per process.
    """

    class Dev(Device):
        plain = Component[Signal](Signal, value=1)
        formatted = FormattedComponent[Signal](Signal, value=0.5)
        lazy_ad = ADComponent[SignalRO](SignalRO, value=3)
        annotated: Component[Signal] = Component(Signal, value=2)

    dev = Dev("XF:", name="dev")
    assert isinstance(dev.plain, Signal) and dev.plain.get() == 1
    assert isinstance(dev.formatted, Signal) and dev.formatted.get() == 0.5
    assert isinstance(dev.lazy_ad, SignalRO) and dev.lazy_ad.get() == 3
    assert Dev.lazy_ad.lazy and not Dev.plain.lazy
    assert dev.annotated.get() == 2
    assert typing.get_args(Dev.plain.__orig_class__) == (Signal,)  # type: ignore[attr-defined]
    assert typing.get_args(Dev.lazy_ad.__orig_class__) == (SignalRO,)  # type: ignore[attr-defined]
    assert not hasattr(Dev.annotated, "__orig_class__")  # an annotation alone records nothing, as in classic
    assert Dev.__annotations__["annotated"] == "Component[Signal]"
    assert Dev.component_names == ("plain", "formatted", "lazy_ad", "annotated")


def test_required_for_connection_on_a_method_and_per_instance() -> None:
    class Dev(Device):
        @required_for_connection
        def setup(self) -> None:
            pass

    dev = Dev(name="dev")
    with pytest.raises(TimeoutError, match="setup call"):
        dev.wait_for_connection(timeout=0.01)
    dev.setup()
    dev.wait_for_connection(timeout=0.01)
    assert Dev(name="other").connected is False  # each instance waits for its own call

    class Late(Device):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.call_to_connect = required_for_connection(
                self.method, device=self, description="{device} ready"
            )

        def method(self) -> int:
            return 5

    late = Late(name="late")
    with pytest.raises(TimeoutError, match="late ready"):
        late.wait_for_connection(timeout=0.01)
    assert late.call_to_connect() == 5
    assert late.connected


def test_walk_subdevices_and_classes() -> None:
    class Top(Device):
        one = Cpt(Outer)
        lazy_one = Cpt(Inner, lazy=True)

    assert list(Top.walk_subdevice_classes()) == [
        ("one", Outer),
        ("one.sub", Inner),
        ("one.csub", Inner),
        ("lazy_one", Inner),
    ]
    top = Top(name="top")
    assert [name for name, _ in top.walk_subdevices()] == ["one", "one.sub", "one.csub"]
    assert [name for name, _ in top.walk_subdevices(include_lazy=True)] == [
        "one",
        "one.sub",
        "one.csub",
        "lazy_one",
    ]
    assert top.one.sub is dict(top.walk_subdevices())["one.sub"]
    assert getattr(top, "one.sub.x") is top.one.sub.x


def test_get_instantiated_signals() -> None:
    class Top(Device):
        sig = Cpt(Signal, value=1)
        inner = Cpt(Inner)
        later = Cpt(Signal, lazy=True)

    top = Top(name="top")
    names = [name for name, _ in top.get_instantiated_signals()]
    assert names == ["top.sig", "top.inner.x", "top.inner.y", "top.inner.z"]
    assert dict(top.get_instantiated_signals())["top.inner.y"] is top.inner.y


def test_acq_done_is_a_device_event_type() -> None:
    dev = Device(name="d")
    seen: list[dict[str, Any]] = []
    dev.subscribe(lambda **kw: seen.append(kw), event_type=Device.SUB_ACQ_DONE, run=False)
    dev._run_subs(sub_type=Device.SUB_ACQ_DONE, success=True)
    assert seen[0]["success"] is True and seen[0]["obj"] is dev


def test_trigger_signals() -> None:
    class Trig(Device):
        acquire = Cpt(Signal, value=0, trigger_value=1)
        reading = Cpt(Signal, value=0)

    dev = Trig(name="t")
    assert dev.trigger_signals == [dev.acquire]


def test_a_mixin_component_that_is_not_on_a_device_raises() -> None:
    class Host(Device):
        a = Cpt(Signal)

    class MixIn:
        b = Cpt(Signal)

    class Target(Host, MixIn):
        pass

    target = Target(name="target")
    assert Target.component_names == ("a",)
    with pytest.raises(RuntimeError, match=r"'b'.*mix-in class that does not inherit from Device"):
        target.b  # noqa: B018


def test_blueskyinterface_stages_a_class_that_is_not_a_device() -> None:
    class Plain(BlueskyInterface):
        def __init__(self) -> None:
            self.name = "plain"
            self.sig = Signal(name="sig", value=1)
            super().__init__()

    plain = Plain()
    plain.stage_sigs["sig"] = 5
    assert plain.stage() == [plain]
    assert plain.sig.get() == 5
    assert plain.unstage() == [plain]
    assert plain.sig.get() == 1
    assert issubclass(Device, BlueskyInterface)


def test_signal_names_warns_as_classic() -> None:
    dev = Outer(name="o")
    with pytest.warns(UserWarning, match="component_names"):
        names = dev.signal_names
    assert names == Outer.component_names


def test_no_warning_for_ordinary_use() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dev = Outer(name="o", read_attrs=["a", "sub.x"])
        dev.read()
        dev._summary()


def test_attr_lists_are_live_views() -> None:
    dev = Outer(name="o")
    dev.read_attrs.append("d")
    assert dev.d.kind == Kind.normal
    dev.read_attrs.remove("c")
    assert dev.c.kind == Kind.omitted
    assert dev.read_attrs + ["x"] == ["a", "d", "e", "sub", "sub.x", "sub.z", "x"]
    assert "sub.x" in dev.read_attrs
    with pytest.raises(ValueError, match="'b' is not in read_attrs"):
        dev.read_attrs.remove("b")
    del dev.read_attrs[0]
    assert dev.a.kind == Kind.omitted
    dev.configuration_attrs.remove("sub")  # a normal sub-device stays config, as in classic ophyd
    assert "sub" in dev.configuration_attrs


def test_two_grandchildren_of_one_child_are_both_kept() -> None:
    for _ in range(20):  # classic ophyd's result depended on set iteration order
        dev = Outer(name="o", read_attrs=["sub.x", "a", "sub.y", "csub.z", "sub.z"])
        assert dev.read_attrs == ["a", "sub", "sub.x", "sub.y", "sub.z", "csub", "csub.z"]


def test_walking_lazy_signals_does_not_wait_for_each() -> None:
    class Dev(Device):
        later = Cpt(Lazily, lazy=True)

    dev = Dev(name="d")
    (walk,) = dev.walk_signals(include_lazy=True)
    assert walk.item is dev.later
    assert walk.item.waited is False


def test_set_defaults_is_refused_once_devices_exist() -> None:
    Device(name="exists")
    with pytest.raises(RuntimeError, match="before any Device is made"):
        Device.set_defaults(connection_timeout=20.0)


def test_set_defaults_sets_the_class_wide_connection_timeout() -> None:
    code = (
        "from sophyd import Device\n"
        "Device.set_defaults(connection_timeout=20.0)\n"
        "print(Device(name='d').connection_timeout, Device(name='e', connection_timeout=3).connection_timeout)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["20.0", "3"]


class PutCallbackDetector(Device):
    """A classic device triggered through a ``trigger_value`` on an EPICS signal without ``put_complete``."""

    acquire = Cpt(EpicsSignal, "acquire", trigger_value=1, kind="omitted")
    exposure_time = Cpt(EpicsSignal, "exposure_time", kind="config")
    reading = Cpt(EpicsSignalRO, "reading", kind="hinted")


def test_trigger_of_an_epics_trigger_value_ends_with_the_ioc_put_completion(
    trigger_with_pc_prefix: str,
) -> None:
    """As classic's Device.trigger() (a put with a completion callback), the trigger ends when the IOC finishes
    processing the put, not when the PV reads back the value; SUB_ACQ_DONE subscribers then run, once."""
    det = PutCallbackDetector(trigger_with_pc_prefix, name="det")
    det.wait_for_connection(timeout=10)
    det.exposure_time.set(0.5).wait(10)
    acq_done: list[dict[str, Any]] = []
    det.subscribe(lambda **kw: acq_done.append(kw), event_type=det.SUB_ACQ_DONE, run=False)
    status = det.trigger()
    wait_for(lambda: det.acquire.get(use_monitor=False) == 1, 10, "the IOC to acquire")
    assert not status.done and acq_done == []
    status.wait(10)
    assert status.success and det.acquire.get(use_monitor=False) == 0  # back to idle: the exposure is over
    assert [kw["success"] for kw in acq_done] == [True]
    det.trigger().wait(10)
    assert len(acq_done) == 1  # the subscription was for that acquisition only, as classic


def test_trigger_fails_when_the_ioc_refuses_the_trigger_put(trigger_with_pc_prefix: str) -> None:
    det = PutCallbackDetector(trigger_with_pc_prefix, name="det")
    det.wait_for_connection(timeout=10)
    enabled = EpicsSignal(trigger_with_pc_prefix + "enabled", name="enabled")
    enabled.wait_for_connection(timeout=TIMEOUT)
    enabled.put(0, wait=True)
    try:
        with pytest.raises(PutFailedError):
            det.trigger().wait(10)
    finally:
        enabled.put(1, wait=True)


def test_component_docstrings_and_attr_list_type_are_classics() -> None:
    """``Component.make_docstring(cls)`` gives the ``doc=`` given, else classic's text (class name and the
    component's repr); ``Device.OphydAttrList`` is the type of ``read_attrs``."""
    from sophyd import Component as Cpt
    from sophyd import Device, Signal

    class Dev(Device):
        plain = Cpt(Signal, value=1, kind="config")
        documented = Cpt(Signal, doc="the gain, in counts per photon")

    assert Dev.documented.make_docstring(Dev) == "the gain, in counts per photon"
    text = Dev.plain.make_docstring(Dev)
    assert text.splitlines()[:3] == ["Component attribute", "::", ""]
    assert "Component(Signal, value=1, kind='config')" in text
    assert isinstance(Dev(name="dev").read_attrs, Device.OphydAttrList)


def test_classic_module_names_and_small_behaviours() -> None:
    """Names classic code imports from classic's modules, and what they do: ``HomeEnum``, ``IFBase``,
    ``SignalWithRBV``, ``OrderedDictType``, ``RedundantStaging`` where classic has them; a fake's
    ``sim_set_func``; ``path_semantics`` checked when changed; ``BlueskyInterface.trigger()``."""
    import enum

    from sophyd import EpicsSignalWithRBV, Kind, RedundantStaging
    from sophyd._bluesky_interface import BlueskyInterface
    from sophyd.areadetector import EpicsPathSignal
    from sophyd.device import OrderedDictType
    from sophyd.device import RedundantStaging as DeviceRedundantStaging
    from sophyd.epics_motor import HomeEnum
    from sophyd.mca import SignalWithRBV
    from sophyd.ophydobj import IFBase
    from sophyd.sim import FakeEpicsSignal, make_fake_device

    assert HomeEnum.forward == "forward" and HomeEnum("reverse") is HomeEnum.reverse
    assert issubclass(Kind, IFBase) and IFBase is enum.IntFlag
    assert SignalWithRBV is EpicsSignalWithRBV and DeviceRedundantStaging is RedundantStaging
    assert OrderedDictType[str, int] == dict[str, int]
    fake = FakeEpicsSignal("X", name="fake")
    values = iter([3, 4])
    fake.sim_set_func(lambda: next(values))
    assert fake.trigger().done and fake.get() == 3
    fake.trigger()
    assert fake.get() == 4
    path = make_fake_device(EpicsPathSignal)("P:FilePath", name="path", path_semantics="posix")
    path.path_semantics = "nt"
    assert path.separator == "\\"
    with pytest.raises(ValueError, match=r"'path'.*unknown path semantics 'vms'"):
        path.path_semantics = "vms"
    status = BlueskyInterface().trigger()
    assert status.done and status.success
