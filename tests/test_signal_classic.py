"""Soft signals the way classic ophyd users write them: DerivedSignal subclasses, InternalSignal,
AttributeSignal, describe() errors and dtypes, ``.value`` and the warnings classic emits."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import event_model
import jsonschema
import numpy as np
import pytest

from sophyd import Component, DestroyedError, Device, DisconnectedError, ReadOnlyError, Signal
from sophyd.signal import (
    ArrayAttributeSignal,
    AttributeSignal,
    DerivedSignal,
    InternalSignal,
    InternalSignalError,
)
from sophyd.sim import FakeEpicsSignal
from sophyd.status import StatusTimeoutError


# -- DerivedSignal: forward()/inverse() as methods ----------------------------------------------------------
class Halved(DerivedSignal):
    """The classic extension point: override forward (derived -> original) and inverse (original -> derived)."""

    def forward(self, value: Any) -> Any:
        return value * 2

    def inverse(self, value: Any) -> Any:
        return value / 2


def test_derived_subclass_methods_drive_get_put_set_and_subscribe() -> None:
    raw = Signal(name="raw", value=10.0)
    derived = Halved(raw, name="derived")
    assert derived.get() == 5.0
    assert derived.read()["derived"]["value"] == 5.0
    derived.put(3.0)
    assert raw.get() == 6.0
    derived.set(4.0).wait(1)
    assert raw.get() == 8.0
    seen: list[tuple[Any, Any]] = []
    derived.subscribe(lambda value, old_value, **kw: seen.append((value, old_value)), run=False)
    raw.put(20.0)
    assert seen == [(10.0, 4.0)]


def test_derived_callables_still_work_and_methods_default_to_identity() -> None:
    raw = Signal(name="raw", value=2.0)
    assert DerivedSignal(raw, name="same").get() == 2.0
    scaled = DerivedSignal(raw, name="scaled", inverse=lambda v: v * 10, forward=lambda v: v / 10)
    assert scaled.inverse(3.0) == 30.0 and scaled.forward(30.0) == 3.0
    scaled.put(50.0)
    assert raw.get() == 5.0


def test_derived_describe_merges_the_original_and_names_it() -> None:
    raw = Signal(name="raw", value=1.0, metadata={"units": "mm", "precision": 3})
    derived = Halved(raw, name="derived")
    key = derived.describe()["derived"]
    assert key["derived_from"] == "raw"
    assert key["units"] == "mm" and key["precision"] == 3  # from the original's description
    assert key["dtype"] == "number" and key["shape"] == []
    assert key["source"] == "DERIVED:SIM:raw"  # deliberate: classic says 'SIM:derived'
    counts = Signal(
        name="counts", value=4, dtype="uint16", metadata={"lower_ctrl_limit": 0, "upper_ctrl_limit": 8}
    )
    halved = Halved(counts, name="halved").describe()["halved"]
    assert "dtype_numpy" not in halved  # the original's '<u2' does not describe halved floats
    assert halved["limits"]["control"] == {"low": 0.0, "high": 4.0}  # through inverse()
    typed = Halved(raw, name="typed", dtype="uint32", shape=(2, 2))
    assert (typed.describe()["typed"]["dtype"], typed.describe()["typed"]["shape"]) == ("array", [2, 2])


def test_derived_limits_go_through_inverse_low_first() -> None:
    class Negated(DerivedSignal):
        def forward(self, value: Any) -> Any:
            return -value

        def inverse(self, value: Any) -> Any:
            return -value

    raw = Signal(name="raw", value=1.0, metadata={"lower_ctrl_limit": 0.0, "upper_ctrl_limit": 5.0})
    assert Negated(raw, name="neg").limits == (-5.0, -0.0)


def test_derived_mirrors_metadata_connection_and_meta_events() -> None:
    raw = Signal(name="raw", value=1.0, metadata={"units": "mm"})
    ro = DerivedSignal(raw, name="ro", write_access=False)
    assert ro.connected and ro.read_access and not ro.write_access
    assert ro.metadata["units"] == "mm" and ro.metadata["write_access"] is False
    with pytest.raises(ReadOnlyError):
        ro.put(2.0)
    seen: list[dict[str, Any]] = []
    ro.subscribe(lambda **kw: seen.append(kw), event_type=ro.SUB_META, run=False)
    raw._set_metadata(units="um")
    assert seen[-1]["units"] == "um" and seen[-1]["obj"] is ro
    assert seen[-1]["write_access"] is False  # the derived signal's own access, not the original's


def test_derived_follows_a_fake_epics_signal_without_stalling(caplog: pytest.LogCaptureFixture) -> None:
    """A fake EPICS signal's subscribe() waits until the dispatcher has delivered its latest value, which the
    derived signal's relay then reports: following it must not hold the lock that relay needs."""
    raw = FakeEpicsSignal("raw:pv", name="raw")
    raw.sim_put(3.0)
    derived = Halved(raw, name="derived")
    seen: list[float] = []
    derived.subscribe(lambda value, **kw: seen.append(value), run=True)
    raw.put(8.0)
    assert seen == [1.5, 4.0]
    assert "did not run" not in caplog.text  # the fake's delivery wait did not time out


def test_derived_repr_and_copy() -> None:
    raw = Signal(name="raw", value=1.0)
    derived = Halved(raw, name="derived")
    assert "derived_from=Signal(name='raw'" in repr(derived)
    copied = copy.copy(derived)
    assert type(copied) is Halved and copied.derived_from is raw and copied.get() == 0.5

    class Dev(Device):
        raw = Component(Signal, value=4.0)
        half = Component(Halved, derived_from="raw")

    dev = Dev(name="dev")
    assert "derived_from='raw'" in repr(dev.half)
    assert dev.half.get() == 2.0


# -- InternalSignal ------------------------------------------------------------------------------------------
def test_internal_signal_needs_internal_true() -> None:
    sig = InternalSignal(name="state", value=0)
    for value in range(3):
        sig.put(value, internal=True)
        assert sig.get() == value
        sig.set(value + 10, internal=True).wait(1)
        assert sig.get() == value + 10
    with pytest.raises(InternalSignalError, match="internal=True"):
        sig.put(5)
    with pytest.raises(InternalSignalError):
        sig.set(5)
    assert issubclass(InternalSignalError, ReadOnlyError)
    assert sig.get() == 12


# -- AttributeSignal -----------------------------------------------------------------------------------------
class Settings:
    def __init__(self) -> None:
        self.gain = 2


class Holder(Device):
    count = Component(AttributeSignal, attr="_count")
    gain = Component(AttributeSignal, attr="settings.gain")
    frozen = Component(AttributeSignal, attr="_count", write_access=False)
    spectrum = Component(ArrayAttributeSignal, attr="_spectrum")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._count = 3
        self.settings = Settings()
        self._spectrum = [1, 2, 3]
        super().__init__(*args, **kwargs)


def test_attribute_signal_reads_and_writes_its_parents_attribute() -> None:
    dev = Holder(name="holder")
    assert dev.count.get() == 3
    seen: list[tuple[Any, Any]] = []
    dev.count.subscribe(lambda value, old_value, **kw: seen.append((value, old_value)), run=False)
    dev.count.put(7)
    assert dev._count == 7 and seen == [(7, 3)]
    dev.count.set(8).wait(1)
    assert dev._count == 8
    assert dev.gain.get() == 2 and dev.gain.full_attr == "settings.gain"
    assert dev.gain.base is dev.settings
    dev.gain.put(5)
    assert dev.settings.gain == 5
    with pytest.raises(ReadOnlyError):
        dev.frozen.put(1)
    assert dev.count.describe()["holder_count"] == {
        "source": "PY:holder._count",
        "dtype": "integer",
        "shape": [],
    }
    assert dev.gain.describe()["holder_gain"]["source"] == "PY:holder.settings.gain"
    spectrum = dev.spectrum.describe()["holder_spectrum"]
    assert (spectrum["dtype"], spectrum["shape"]) == ("array", [3])
    assert isinstance(dev.spectrum.get(), np.ndarray)
    assert dev.read()["holder_count"]["value"] == 8


# -- describe(): errors, dtype and dtype_numpy ---------------------------------------------------------------
@pytest.mark.parametrize("value", [None, object(), {"a": 1}, b"raw"])
def test_describe_of_an_undescribable_value_names_the_signal(value: Any) -> None:
    sig = Signal(name="the_none_signal", value=value)
    with pytest.raises(ValueError, match=f"failed to describe 'the_none_signal' with value '{value}'"):
        sig.describe()


def test_dtype_numpy_only_with_an_explicit_dtype() -> None:
    """Classic adds dtype_numpy only when dtype= is given (not for dtype='string'); shape is a list."""
    assert "dtype_numpy" not in Signal(name="plain").describe()["plain"]
    assert "dtype_numpy" not in Signal(name="arr", value=np.zeros(3, dtype=np.uint16)).describe()["arr"]
    image = Signal(name="image", value=np.zeros((2, 2)), dtype=np.uint16, shape=(2, 2)).describe()["image"]
    assert (image["dtype"], image["shape"], image["dtype_numpy"]) == ("array", [2, 2], "<u2")
    number = Signal(name="n", value=1.0, dtype=float).describe()["n"]
    assert (number["dtype"], number["shape"], np.dtype(number["dtype_numpy"])) == ("number", [], np.float64)
    text = Signal(name="t", value="x", dtype="string").describe()["t"]
    assert text["dtype"] == "string" and "dtype_numpy" not in text


def test_dtype_numpy_is_what_event_model_accepts() -> None:
    """Deliberate difference: classic spells it 'uint16', which event-model's descriptor schema refuses."""
    key = Signal(name="image", value=np.zeros((2, 2)), dtype=np.uint16, shape=(2, 2)).describe()["image"]
    schema = event_model.schemas[event_model.DocumentNames.descriptor]
    data_key_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/DataKey"}
    jsonschema.validate(key, data_key_schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(key, dtype_numpy="uint16"), data_key_schema)


def test_dtype_and_shape_check_the_value_and_describe_a_signal_without_one() -> None:
    """Classic 1.11: made with dtype/shape and no value, a signal has none (get() raises) yet describes itself;
    a value that does not fit them is a TypeError."""
    image = Signal(name="image", dtype=np.uint16, shape=(2, 2))
    with pytest.raises(RuntimeError, match="image"):
        image.get()
    key = image.describe()["image"]
    assert (key["dtype"], key["shape"], key["dtype_numpy"]) == ("array", [2, 2], "<u2")
    image.put(np.ones((2, 2), dtype=np.uint16))
    assert image.get().sum() == 4
    assert Signal(name="ok", dtype="uint16", value=[1, 2]).get() == [1, 2]
    with pytest.raises(TypeError, match="bad"):
        Signal(name="bad", dtype="uint16", value=[0.3, 1])
    with pytest.raises(TypeError, match="shape"):
        Signal(name="bad_shape", dtype="int64", shape=(2, 2), value=[[1, 2, 3], [4, 5, 6]])
    assert type(Signal(name="plain").get()) is float  # without dtype/shape the default is still 0.0


# -- .value and warnings -------------------------------------------------------------------------------------
def test_value_warns_as_classic_and_is_settable(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = Signal(name="sig", value=1.0)
    with pytest.warns(UserWarning, match="obj.value"):
        assert sig.value == 1.0
    seen: list[Any] = []
    sig.subscribe(lambda value, **kw: seen.append(value), run=False)
    sig.value = 5.0  # a put
    assert sig.get() == 5.0 and seen == [5.0]
    monkeypatch.setenv("OPHYD_SILENCE_VALUE_WARNING", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sig.value == 5.0


def test_put_with_unknown_keywords_warns_and_ignores_them() -> None:
    sig = Signal(name="sig", value=0)
    with pytest.warns(UserWarning, match="wait"):
        sig.put(1, wait=True)
    assert sig.get() == 1
    sig.put(2, metadata={"status": 1, "severity": 1}, timestamp=42.0)
    assert sig.metadata["severity"] == 1 and sig.timestamp == 42.0


def test_copying_a_signal_does_not_warn() -> None:
    sig = Signal(name="sig", value=1.0, timestamp=5.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copied = copy.copy(sig)
    assert (copied.name, copied.get(), copied.timestamp) == ("sig", 1.0, 5.0)


class _Warming(Signal):
    """A signal whose get() computes its value elsewhere (here: from how often it was read), as classic users
    write them: it sends no event when that value changes."""

    def __init__(self, *args: Any, readings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.readings = readings
        self.calls = 0

    def get(self, **kwargs: Any) -> Any:
        self.calls += 1
        return self.readings[min(self.calls, len(self.readings)) - 1]


def test_set_polls_an_overridden_get_until_it_matches() -> None:
    """set() finishes once get() is within tolerance even when no event says so, as classic's set() polls;
    a None on the way (classic's test case) is only a mismatch."""
    sig = _Warming(name="warming", value=0, readings=[0, 1, 2, None, 4.001], tolerance=0.01)
    status = sig.set(4)
    status.wait(timeout=5)
    assert status.success
    assert sig.calls >= 5


def test_set_fails_when_the_polled_get_raises() -> None:
    class Broken(_Warming):
        def get(self, **kwargs: Any) -> Any:
            value = super().get(**kwargs)
            if self.calls > 2:
                raise RuntimeError(f"{self.name}: sensor unplugged")
            return value

    status = Broken(name="broken", value=0, readings=[0]).set(1)
    with pytest.raises(RuntimeError, match="sensor unplugged"):
        status.wait(timeout=5)


def test_a_polled_set_that_never_matches_fails_at_its_timeout() -> None:
    sig = _Warming(name="stuck", value=0, readings=[0])
    status = sig.set(1, timeout=1.0)
    with pytest.raises(StatusTimeoutError):
        status.wait(timeout=5)
    assert sig.calls >= 3  # two checks when set() starts, then at least one poll before the timeout


@pytest.mark.parametrize(
    "readback, target, tolerances, matches",
    [
        ([1, 2, 3], np.array([1, 2, 3]), {}, True),
        ((1, 2, 3), [1, 2, 3], {}, True),
        ([1, 2, 3], [1, 2, 3, 0], {}, False),  # another shape never matches
        (5, [5, 5, 5], {}, False),  # a scalar is not an array of it
        ([1, 2, 3.12345], [1, 2, 3.0], {"tolerance": 0.01}, False),
        ([1, 2, 3.12345], [1, 2, 3.0], {"tolerance": 0.2}, True),
        (3.12345, 3, {"rtolerance": 0.01}, False),
        (3.12345, 3, {"rtolerance": 0.2}, True),
        (100000.5, 100000.0, {"tolerance": 0.01}, True),  # plus numpy's relative 1e-5 (1.0 here), as classic
        (100001.5, 100000.0, {"tolerance": 0.01}, False),
        (1e-9, 0.0, {"rtolerance": 0.1}, True),  # plus numpy's absolute 1e-8, as classic
        (1e-7, 0.0, {"rtolerance": 0.1}, False),
        (110.0, 100.0, {"rtolerance": 0.095}, True),  # relative to the readback (10.45), as classic
        (90.0, 100.0, {"rtolerance": 0.105}, False),  # 9.45 of the readback, though 10.5 of the target
        (False, True, {}, False),
    ],
)
def test_set_compares_arrays_by_shape_and_numbers_within_tolerance(
    readback: Any, target: Any, tolerances: dict[str, float], matches: bool
) -> None:
    """set() finishes when the readback equals the target: element by element for arrays, lists and tuples of
    one shape; numbers within ``tolerance`` (absolute) and ``rtolerance`` (relative) as ``numpy.allclose``
    compares, the one not given taking numpy's default, as in classic ophyd."""
    sig = _Warming(name="compared", value=0, readings=[readback], **tolerances)
    status = sig.set(target, timeout=0.3)
    if matches:
        status.wait(timeout=5)
        assert status.success
    else:
        with pytest.raises(StatusTimeoutError):
            status.wait(timeout=5)


def test_metadata_keys_and_source_name_are_classics() -> None:
    """``metadata_keys`` names what ``metadata`` holds (an EPICS signal's too, without reading the IOC), and
    ``source_name`` is classic's name for ``source``."""
    from sophyd import EpicsSignal, EpicsSignalRO
    from sophyd.control import use_cl

    soft = Signal(name="soft")
    assert soft.metadata_keys == tuple(soft.metadata) and soft.source_name == "SIM:soft"
    with use_cl("mock"):
        rw = EpicsSignal("sophyd_md_keys:rw", name="rw")
        ro = EpicsSignalRO("sophyd_md_keys:ro", name="ro")
        assert "setpoint_timestamp" in rw.metadata_keys and "setpoint_timestamp" not in ro.metadata_keys
        for sig in (rw, ro):
            sig.wait_for_connection(timeout=5)
            assert set(sig.metadata_keys) == set(sig.metadata)
        assert ro.source_name == "PV:sophyd_md_keys:ro"
        derived = DerivedSignal(derived_from=ro, name="derived")
        assert derived.metadata_keys == ro.metadata_keys


def test_every_object_has_classics_loggers_and_a_check_value(caplog: pytest.LogCaptureFixture) -> None:
    class Box(Device):
        inner = Component(Signal)

    box = Box(name="box")
    box.check_value(object())  # a device accepts anything, as classic's OphydObject
    with caplog.at_level("DEBUG", logger="sophyd"):
        box.log.info("hello")
        box.inner.control_layer_log.debug("put")
    assert [(r.name, r.ophyd_object_name, r.getMessage()) for r in caplog.records] == [  # type: ignore[attr-defined]
        ("sophyd.objects", "box", "hello"),
        ("sophyd.control_layer", "box_inner", "put"),
    ]
    box.log = "mine"  # type: ignore[assignment]  # classic code may assign its own
    assert box.log == "mine"


def test_a_destroyed_signal_is_not_connected_and_refuses_reads() -> None:
    """Classic ophyd: destroy() leaves a signal disconnected, and read() raises an error classic code catches
    as DisconnectedError (sophyd's is the DestroyedError classic raises for EPICS signals)."""
    sig = Signal(name="gone", value=2.0)
    assert sig.connected
    sig.destroy()
    assert not sig.connected
    with pytest.raises(DestroyedError, match="'gone' is destroyed") as caught:
        sig.read()
    assert isinstance(caught.value, DisconnectedError)
