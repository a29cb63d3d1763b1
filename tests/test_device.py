"""Device and Component: composition, naming, Kind-based reading, attribute views, actions."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest

from sophyd import (
    DDC,
    Component,
    Cpt,
    Device,
    DeviceStatus,
    DynamicDeviceComponent,
    FCpt,
    FormattedComponent,
    Kind,
    LimitError,
    Signal,
    Status,
)
from sophyd.device import ComponentWalk


class PVSignal(Signal):
    """A soft signal that records its first positional argument as its "pv" (EPICS signals stand-in)."""

    created: list[str] = []

    def __init__(self, pv: str, *, write_pv: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pv = pv
        self.write_pv = write_pv
        PVSignal.created.append(pv)


class Detector(Device):
    gain = Cpt(PVSignal, ":gain", value=1.0, kind="config")
    exposure_time = Cpt(PVSignal, ":exposure_time", value=0.1, kind="config")
    reading = Cpt(PVSignal, ":reading", value=0.0, kind="hinted")
    acquire = Cpt(PVSignal, ":acquire", value=0, kind="omitted")
    setpoint = Cpt(PVSignal, ":sp_rbv", write_pv=":sp", value=0.0)


def test_prefix_and_suffix_composition() -> None:
    det = Detector("XF:DET", name="det")
    assert det.prefix == "XF:DET"
    assert det.gain.pv == "XF:DET:gain"
    assert det.reading.pv == "XF:DET:reading"
    assert det.setpoint.pv == "XF:DET:sp_rbv"
    assert det.setpoint.write_pv == "XF:DET:sp"


def test_component_aliases() -> None:
    assert Cpt is Component
    assert FCpt is FormattedComponent
    assert DDC is DynamicDeviceComponent
    assert isinstance(Detector.gain, Component)
    assert Detector.gain.kind == Kind.config
    assert "gain" in (Detector.gain.doc or "")


def test_child_names_and_separator() -> None:
    det = Detector("P", name="det")
    assert det.gain.name == "det_gain"
    assert det.exposure_time.name == "det_exposure_time"
    dotted = Detector("P", name="det", child_name_separator=".")
    assert dotted.gain.name == "det.gain"
    unnamed = Detector("P")
    assert unnamed.gain.name == "gain"


def test_component_cannot_be_replaced() -> None:
    det = Detector("P", name="det")
    with pytest.raises(AttributeError, match="gain"):
        det.gain = 5


def test_formatted_component() -> None:
    class Axis(Device):
        motor = FCpt(PVSignal, "{prefix}:m{_axis}")
        explicit = FormattedComponent(PVSignal, "{self.prefix}{self._axis}:RBV", kind="config")
        plain = Cpt(PVSignal, ":plain")

        def __init__(self, prefix: str, axis: int, **kwargs: Any) -> None:
            self._axis = axis
            super().__init__(prefix, **kwargs)

    dev = Axis("XF:MC", 3, name="ax")
    assert dev.motor.pv == "XF:MC:m3"
    assert dev.explicit.pv == "XF:MC3:RBV"
    assert dev.plain.pv == "XF:MC:plain"


def test_dynamic_device_component() -> None:
    class Multi(Device):
        channels = DDC(
            {
                "ch1": (PVSignal, ":CH1", {"value": 1}),
                "ch2": (PVSignal, ":CH2", {"value": 2, "kind": "config"}),
            }
        )

    dev = Multi("XF:SCL", name="scaler")
    assert isinstance(dev.channels, Device)
    assert dev.channels.component_names == ("ch1", "ch2")
    assert dev.channels.ch1.pv == "XF:SCL:CH1"
    assert dev.channels.ch2.name == "scaler_channels_ch2"
    assert list(dev.read()) == ["scaler_channels_ch1"]
    assert list(dev.read_configuration()) == ["scaler_channels_ch2"]
    assert dev.read_attrs == ["channels", "channels.ch1"]


def test_dynamic_device_component_default_attrs() -> None:
    class Multi(Device):
        channels = DynamicDeviceComponent(
            {"a": (PVSignal, ":A", {}), "b": (PVSignal, ":B", {})},
            default_read_attrs=["b"],
            clsname="MyChannels",
        )

    dev = Multi("X", name="m")
    assert type(dev.channels).__name__ == "MyChannels"
    assert list(dev.read()) == ["m_channels_b"]


def test_lazy_components_are_made_on_access() -> None:
    class Lazy(Device):
        eager = Cpt(PVSignal, ":eager")
        later = Cpt(PVSignal, ":later", lazy=True, kind="omitted")
        later_config = Cpt(PVSignal, ":later_config", lazy=True, kind="config")

    PVSignal.created.clear()
    dev = Lazy("L", name="lazy")
    assert PVSignal.created == ["L:eager"]
    dev.read()
    dev.describe()
    assert dev.read_attrs == ["eager"]
    assert PVSignal.created == ["L:eager"]  # omitted lazy ones stay unmade
    assert "lazy_later_config" in dev.read_configuration()
    assert PVSignal.created == ["L:eager", "L:later_config"]
    assert dev.later.pv == "L:later"
    assert dev.later is dev.later
    assert PVSignal.created == ["L:eager", "L:later_config", "L:later"]


def test_read_attrs_assignment_keeps_lazy_components_unmade() -> None:
    class Lazy(Device):
        eager = Cpt(PVSignal, ":eager")
        later = Cpt(PVSignal, ":later", lazy=True, kind="omitted")

    PVSignal.created.clear()
    dev = Lazy("L", name="lazy", read_attrs=["eager"])
    assert PVSignal.created == ["L:eager"]
    dev.read_attrs = ["eager", "later"]
    assert PVSignal.created == ["L:eager"]  # the kind of an unmade lazy component is kept until it is made
    assert list(dev.read()) == ["lazy_eager", "lazy_later"]
    assert PVSignal.created == ["L:eager", "L:later"]


class Sub(Device):
    x = Cpt(Signal, value=1)
    y = Cpt(Signal, value=2, kind="config")
    z = Cpt(Signal, value=3, kind="hinted")
    w = Cpt(Signal, value=4, kind="omitted")


class Big(Device):
    a = Cpt(Signal, value=10)
    b = Cpt(Signal, value=20, kind="config")
    c = Cpt(Signal, value=30, kind="hinted")
    d = Cpt(Signal, value=40, kind="omitted")
    sub = Cpt(Sub)
    e = Cpt(Signal, value=50, kind="normal|config")


def test_read_and_describe_in_component_order_by_kind() -> None:
    dev = Big(name="big")
    reading = dev.read()
    assert isinstance(reading, OrderedDict)
    assert list(reading) == ["big_a", "big_c", "big_sub_x", "big_sub_z", "big_e"]
    assert reading["big_sub_z"]["value"] == 3
    assert list(dev.describe()) == list(reading)
    assert dev.describe()["big_a"]["dtype"] == "integer"


def test_configuration_in_component_order_by_kind() -> None:
    dev = Big(name="big")
    config = dev.read_configuration()
    # a sub-device of kind normal also reports its configuration
    assert list(config) == ["big_b", "big_sub_y", "big_e"]
    assert config["big_b"]["value"] == 20
    assert list(dev.describe_configuration()) == list(config)


def test_hints() -> None:
    dev = Big(name="big")
    assert dev.hints == {"fields": ["big_c", "big_sub_z"]}
    dev.sub.kind = "omitted"
    assert dev.hints == {"fields": ["big_c"]}
    assert "big_sub_y" not in dev.read_configuration()


def test_read_attrs_and_configuration_attrs() -> None:
    dev = Big(name="big")
    assert dev.read_attrs == ["a", "c", "sub", "sub.x", "sub.z", "e"]
    assert dev.configuration_attrs == ["b", "sub", "sub.y", "e"]

    dev.read_attrs = ["a", "sub.y"]
    assert dev.read_attrs == ["a", "sub", "sub.y"]
    assert list(dev.read()) == ["big_a", "big_sub_y"]
    assert dev.c.kind == Kind.omitted  # dropping normal drops hinted too
    assert dev.hints == {"fields": []}
    assert dev.e.kind == Kind.config

    dev.configuration_attrs = ["sub.x"]
    assert dev.configuration_attrs == ["sub", "sub.x"]
    assert list(dev.read_configuration()) == ["big_sub_x"]
    assert dev.b.kind == Kind.omitted

    with pytest.raises(ValueError, match="nope"):
        dev.read_attrs = ["nope"]


def test_attrs_as_constructor_arguments() -> None:
    dev = Big(name="big", read_attrs=["a"], configuration_attrs=["d"])
    assert list(dev.read()) == ["big_a"]
    assert list(dev.read_configuration()) == ["big_d"]


def test_component_names_and_walks() -> None:
    assert Big.component_names == ("a", "b", "c", "d", "sub", "e")
    dev = Big(name="big")
    assert dev.component_names == Big.component_names
    walk = list(Big.walk_components())  # a classmethod: it walks the classes and yields Components
    assert all(isinstance(w, ComponentWalk) for w in walk)
    assert [w.dotted_name for w in walk] == [
        "a",
        "b",
        "c",
        "d",
        "sub",
        "sub.x",
        "sub.y",
        "sub.z",
        "sub.w",
        "e",
    ]
    assert walk[5].item is Sub.x
    assert walk[5].ancestors == (Big, Sub)
    assert [w.dotted_name for w in dev.walk_components()] == [w.dotted_name for w in walk]

    signals = list(dev.walk_signals())
    assert [w.dotted_name for w in signals] == ["a", "b", "c", "d", "sub.x", "sub.y", "sub.z", "sub.w", "e"]
    assert signals[4].item is dev.sub.x
    assert signals[4].ancestors == (dev, dev.sub)


def test_get_returns_namedtuple() -> None:
    dev = Big(name="big")
    value = dev.get()
    assert value.a == 10
    assert value.sub.z == 3
    assert value.sub == (1, 2, 3, 4)
    assert value._fields == Big.component_names


def test_configure() -> None:
    dev = Big(name="big")
    old, new = dev.configure({"b": 21, "sub.y": 22})
    assert old["big_b"]["value"] == 20
    assert new["big_b"]["value"] == 21
    assert old["big_sub_y"]["value"] == 2
    assert new["big_sub_y"]["value"] == 22
    assert dev.b.get() == 21
    with pytest.raises(ValueError, match="not a signal"):
        dev.configure({"sub": 1})
    with pytest.raises(ValueError, match="no signal named 'missing'"):
        dev.configure({"missing": 1})
    with pytest.raises(ValueError, match="'a' is not one of the configuration_attrs"):
        dev.configure({"b": 99, "a": 1})
    assert dev.b.get() == 21  # every key is checked before anything is set


class _Refusing(Signal):
    """A signal whose writes the 'hardware' refuses after they were accepted by check_value."""

    def _start_set(self, value: Any, status: Status) -> None:
        raise RuntimeError(f"hardware refused {value!r}")


class Camera(Device):
    exposure_time = Component(Signal, value=0.1, kind="config")
    gain = Component(
        Signal, value=1.0, kind="config", metadata={"lower_ctrl_limit": 0, "upper_ctrl_limit": 10}
    )
    mode = Component(_Refusing, value="single", kind="config")


def test_configure_checks_every_value_before_writing() -> None:
    cam = Camera(name="cam")
    with pytest.raises(LimitError, match="gain"):
        cam.configure({"exposure_time": 0.5, "gain": 99.0})
    assert cam.exposure_time.get() == 0.1  # nothing written
    with pytest.raises(ValueError, match="exposure_time"):
        cam.configure({"exposure_time": float("nan")})
    assert cam.exposure_time.get() == 0.1


def test_configure_restores_what_it_wrote_when_a_write_fails() -> None:
    cam = Camera(name="cam")
    with pytest.raises(RuntimeError) as info:
        cam.configure({"exposure_time": 0.5, "gain": 2.0, "mode": "burst"})
    message = str(info.value)
    assert "'mode'" in message and "hardware refused 'burst'" in message
    assert "restored 'gain' to 1.0, 'exposure_time' to 0.1" in message
    assert isinstance(info.value.__cause__, RuntimeError)
    assert (cam.exposure_time.get(), cam.gain.get(), cam.mode.get()) == (0.1, 1.0, "single")


def test_summary(capsys: pytest.CaptureFixture[str]) -> None:
    dev = Big(name="big")
    assert dev.summary() is None  # it prints, as classic ophyd's does
    text = capsys.readouterr().out
    assert text == dev._summary() + "\n"
    assert "*big_c" in text  # hinted keys starred
    assert " big_a" in text
    assert "big_b" in text  # config keys
    assert "config keys" in text
    assert "read attrs" in text
    assert "big_d" in text  # among the unused attrs


def test_trigger_with_trigger_value() -> None:
    class Trig(Device):
        acquire = Cpt(Signal, value=0, trigger_value=1, kind="omitted")
        other = Cpt(Signal, value=0, trigger_value=5, kind="omitted")
        reading = Cpt(Signal, value=0.0)

    dev = Trig(name="t")
    st = dev.trigger()
    assert isinstance(st, DeviceStatus)
    st.wait(1)
    assert st.success
    assert dev.acquire.get() == 1
    assert dev.other.get() == 5


def test_trigger_without_trigger_values_is_done() -> None:
    assert Big(name="big").trigger().success


def test_trigger_failure_propagates() -> None:
    class Trig(Device):
        acquire = Cpt(Signal, value=0, trigger_value=1, metadata=dict(lower_ctrl_limit=2, upper_ctrl_limit=3))

    with pytest.raises(LimitError, match="t_acquire"):  # raised at once, as classic ophyd's put would
        Trig(name="t").trigger()


def test_repr_is_exactly_classic() -> None:
    class TriggeredDetector(Device):
        gain = Cpt(PVSignal, ":gain", kind="config")
        exposure_time = Cpt(PVSignal, ":exposure_time", kind="config")
        reading = Cpt(PVSignal, ":reading", kind="normal")
        acquire = Cpt(PVSignal, ":acquire", kind="omitted")
        enabled = Cpt(PVSignal, ":enabled", kind="omitted")

    det = TriggeredDetector("trigger_with_pc", name="triggered_detector")
    assert repr(det) == (
        "TriggeredDetector(prefix='trigger_with_pc', name='triggered_detector', read_attrs=['reading'], "
        "configuration_attrs=['gain', 'exposure_time'])"
    )


# classic ophyd's reserved component names: the bluesky interface and OphydObject's public API
CLASSIC_RESERVED = [
    "read",
    "describe",
    "trigger",
    "configure",
    "read_configuration",
    "describe_configuration",
    "describe_collect",
    "set",
    "stage",
    "unstage",
    "pause",
    "resume",
    "kickoff",
    "complete",
    "collect",
    "position",
    "stop",
    "subscribe",
    "clear_sub",
    "event_types",
    "root",
    "signal_names",
]


@pytest.mark.parametrize("reserved", CLASSIC_RESERVED)
def test_reserved_component_names_refused(reserved: str) -> None:
    with pytest.raises(TypeError, match=f"Bad: the component name.*{reserved!r}"):
        type("Bad", (Device,), {reserved: Cpt(Signal)})


@pytest.mark.parametrize(
    "reserved", ["name", "parent", "component_names", "_signals", "_sig_attrs", "_sub_devices"]
)
def test_instance_attribute_names_refused_as_class_attributes(reserved: str) -> None:
    with pytest.raises(TypeError, match=f"Bad.{reserved}: the attribute name {reserved!r} is reserved"):
        type("Bad", (Device,), {reserved: None})


@pytest.mark.parametrize("allowed", ["get", "put", "summary", "walk_signals"])
def test_names_classic_allows_are_allowed(allowed: str) -> None:
    cls = type("Fine", (Device,), {allowed: Cpt(Signal, value=1)})
    assert allowed in cls.component_names


def test_renaming_renames_children() -> None:
    dev = Big(name="old")
    dev.name = "new"
    assert dev.name == "new"
    assert dev.a.name == "new_a"
    assert dev.sub.name == "new_sub"
    assert dev.sub.x.name == "new_sub_x"
    assert next(iter(dev.read())) == "new_a"


def test_subclass_inherits_and_extends_components() -> None:
    class More(Big):
        extra = Cpt(Signal, value=60)

    dev = More(name="more")
    assert More.component_names == (*Big.component_names, "extra")
    assert list(dev.read())[-1] == "more_extra"
    assert Big.component_names == ("a", "b", "c", "d", "sub", "e")


class SlowAcquire(Signal):
    """A trigger signal whose readback only reaches the setpoint when the test calls ``finish()``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.setpoint: Any = self.get()

    def put(self, value: Any, **kwargs: Any) -> None:
        self.check_value(value)
        self.setpoint = value

    def finish(self) -> None:
        self._update(self.setpoint)


def test_trigger_waits_for_every_trigger_value() -> None:
    class Trig(Device):
        acquire = Cpt(SlowAcquire, value=0, trigger_value=1, kind="omitted")
        other = Cpt(SlowAcquire, value=0, trigger_value=2, kind="omitted")

    dev = Trig(name="t")
    st = dev.trigger()
    assert not st.done
    dev.acquire.finish()
    assert not st.done
    dev.other.finish()
    assert st.success
