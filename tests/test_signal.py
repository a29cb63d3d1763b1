"""Soft signals: Signal, SignalRO, DerivedSignal, set()/Status semantics and set_and_wait."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from helpers import TIMEOUT, done_event

from sophyd import (
    Component,
    DerivedSignal,
    Device,
    Kind,
    LimitError,
    ReadOnlyError,
    SetSupersededError,
    Signal,
    SignalRO,
    StatusTimeoutError,
    set_and_wait,
)


class OffsetSignal(Signal):
    """A signal whose put stores ``value + offset``, like a readback that never lands on the setpoint."""

    offset = 0.5

    def put(self, value: Any, **kwargs: Any) -> None:
        super().put(value + self.offset, **kwargs)


class LaggingSignal(Signal):
    """A signal whose readback only catches up with the setpoint when the test calls ``catch_up()``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.setpoint: Any = self.get()
        self.puts: list[Any] = []

    def put(self, value: Any, **kwargs: Any) -> None:
        self.check_value(value)
        self.setpoint = value
        self.puts.append(value)

    def catch_up(self) -> None:
        self._update(self.setpoint)


# -- construction, get, put ---------------------------------------------------------------------------------
def test_construction_arguments() -> None:
    sig = Signal(name="sig", value=1.5, kind="config", tolerance=0.1, rtolerance=0.01, timestamp=100.0)
    assert sig.name == "sig"
    assert sig.get() == 1.5
    with pytest.warns(UserWarning, match="obj.value"):
        assert sig.value == 1.5
    assert sig.timestamp == 100.0
    assert sig.kind == Kind.config
    assert sig.tolerance == 0.1
    assert sig.rtolerance == 0.01
    sig.tolerance = 0.2
    assert sig.tolerance == 0.2
    assert "sig" in repr(sig)


def test_default_kind_is_hinted_standalone() -> None:
    assert Signal(name="alone").kind == Kind.hinted


def test_put_updates_value_and_timestamp() -> None:
    sig = Signal(name="sig", value=0, timestamp=1.0)
    sig.put(2)
    assert sig.get() == 2
    assert sig.timestamp > 1.0
    sig.put(3, timestamp=42.0)
    assert (sig.get(), sig.timestamp) == (3, 42.0)


def test_soft_signal_holds_none() -> None:
    """A soft signal takes None as any other value, as classic ophyd's does (e.g. to mark "no value yet")."""
    sig = Signal(name="sig", value="0", tolerance=0.01)
    status = sig.set(None)
    status.wait(timeout=TIMEOUT)
    assert status.success and sig.get() is None
    seen: list[Any] = []
    sig.subscribe(lambda value, **kw: seen.append(value), run=False)
    sig.put(3)
    sig.put(None)
    assert seen == [3, None] and sig.get() is None


def test_signal_ro_refuses_writes() -> None:
    sig = SignalRO(name="ro", value=1)
    with pytest.raises(ReadOnlyError, match="ro"):
        sig.put(2)
    with pytest.raises(ReadOnlyError):
        sig.set(2)
    assert sig.get() == 1
    assert not sig.write_access
    sig._update(5)  # internal writers still can
    assert sig.get() == 5


def test_trigger_is_done() -> None:
    assert Signal(name="s").trigger().success


# -- set and tolerance ------------------------------------------------------------------------------------
def test_set_returns_finished_status_for_soft_signal() -> None:
    sig = Signal(name="sig", value=0)
    st = sig.set(4)
    st.wait(1)
    assert st.success
    assert sig.get() == 4


def test_set_completes_within_absolute_tolerance() -> None:
    sig = OffsetSignal(name="sig", value=0.0, tolerance=0.6)
    st = sig.set(1.0)
    st.wait(1)
    assert sig.get() == 1.5


def test_set_completes_within_relative_tolerance() -> None:
    sig = OffsetSignal(name="sig", value=0.0, rtolerance=0.1)
    sig.set(10.0).wait(1)
    assert sig.get() == 10.5


def test_set_outside_tolerance_times_out() -> None:
    sig = OffsetSignal(name="sig", value=0.0, tolerance=0.1)
    st = sig.set(1.0, timeout=0.05)
    assert done_event(st).wait(5)
    assert isinstance(st.exception(), StatusTimeoutError)


def test_set_completes_when_readback_catches_up() -> None:
    sig = LaggingSignal(name="lag", value=0)
    st = sig.set(3)
    assert not st.done
    sig.catch_up()
    assert st.success


def test_second_set_supersedes_the_first() -> None:
    sig = LaggingSignal(name="lag", value=0)
    first = sig.set(1)
    second = sig.set(2)
    assert first.done and not first.success
    exc = first.exception()
    assert isinstance(exc, SetSupersededError)
    assert "lag" in str(exc) and "2" in str(exc)
    assert not second.done
    sig.catch_up()
    assert second.success
    assert sig.get() == 2
    assert sig.puts == [1, 2]


def test_set_with_settle_time() -> None:
    sig = Signal(name="sig", value=0)
    st = sig.set(1, settle_time=0.05)
    assert done_event(st).wait(5)
    assert st.success


def test_set_with_string_and_array_values() -> None:
    text = Signal(name="text", value="a")
    text.set("b").wait(1)
    assert text.get() == "b"
    arr = Signal(name="arr", value=np.zeros(3))
    arr.set(np.arange(3.0)).wait(1)
    np.testing.assert_array_equal(arr.get(), [0.0, 1.0, 2.0])


# -- limits ---------------------------------------------------------------------------------------------------
def test_limits_from_metadata() -> None:
    sig = Signal(name="lim", value=0.0, metadata=dict(lower_ctrl_limit=-1.0, upper_ctrl_limit=1.0))
    assert sig.limits == (-1.0, 1.0)
    assert (sig.low_limit, sig.high_limit) == (-1.0, 1.0)
    sig.put(0.5)
    sig.set(-1.0).wait(1)
    with pytest.raises(LimitError, match="lim"):
        sig.put(2.0)
    with pytest.raises(LimitError):
        sig.set(-1.5)
    with pytest.raises(ValueError):  # LimitError is a ValueError too
        sig.put(1.01)
    assert sig.get() == -1.0
    sig.put(5.0, force=True)
    assert sig.get() == 5.0


def test_equal_limits_mean_no_limits() -> None:
    sig = Signal(name="s", metadata=dict(lower_ctrl_limit=0, upper_ctrl_limit=0))
    sig.put(100)
    assert sig.get() == 100


# -- read / describe ------------------------------------------------------------------------------------------
def test_read() -> None:
    sig = Signal(name="sig", value=2.5, timestamp=10.0)
    assert sig.read() == {"sig": {"value": 2.5, "timestamp": 10.0}}
    assert sig.read_configuration() == sig.read()


@pytest.mark.parametrize(
    ("value", "dtype", "shape"),
    [
        (1.5, "number", []),
        (3, "integer", []),
        (True, "integer", []),  # classic ophyd's data_type: a bool is an int
        (np.float32(2.5), "number", []),
        ("text", "string", []),
        (np.zeros((2, 3), dtype=np.uint8), "array", [2, 3]),
        ([1.0, 2.0], "array", [2]),
        ((1, 2, 3), "array", [3]),
    ],
)
def test_describe_infers_dtype_and_shape(value: Any, dtype: str, shape: list[int]) -> None:
    """As classic: dtype and shape (a list) from the value; dtype_numpy only when ``dtype=`` was given."""
    desc = Signal(name="sig", value=value).describe()
    assert list(desc) == ["sig"]
    key = desc["sig"]
    assert key["source"] == "SIM:sig"
    assert key["dtype"] == dtype
    assert "dtype_numpy" not in key
    assert key["shape"] == shape
    assert isinstance(key["shape"], list)
    assert "units" not in key and "limits" not in key and "precision" not in key


def test_describe_explicit_dtype_and_shape() -> None:
    key = Signal(name="img", value=np.zeros((4, 5)), dtype="uint16", shape=(4, 5)).describe()["img"]
    assert key["dtype"] == "array"
    assert key["shape"] == [4, 5]
    assert key["dtype_numpy"] == "<u2"
    scalar = Signal(name="f", value=0, dtype="float32").describe()["f"]
    assert (scalar["dtype"], scalar["dtype_numpy"]) == ("number", "<f4")
    integer = Signal(name="i", value=0.0, dtype="int32").describe()["i"]
    assert (integer["dtype"], integer["dtype_numpy"]) == ("integer", "<i4")
    forced = Signal(name="s", value=1.0, dtype="string").describe()["s"]
    assert forced["dtype"] == "string"


def test_describe_with_metadata() -> None:
    sig = Signal(
        name="temp",
        value=20.0,
        metadata=dict(units="degC", precision=2, lower_ctrl_limit=0.0, upper_ctrl_limit=100.0),
    )
    key = sig.describe()["temp"]
    assert key["units"] == "degC"
    assert key["precision"] == 2
    assert key["limits"]["control"] == {"low": 0.0, "high": 100.0}
    assert sig.egu == "degC"
    assert sig.precision == 2
    assert sig.describe_configuration() == sig.describe()


def test_describe_choices_from_enum_strs() -> None:
    key = Signal(name="mode", value="On", metadata=dict(enum_strs=("Off", "On"))).describe()["mode"]
    assert key["choices"] == ["Off", "On"]


def test_hints() -> None:
    assert Signal(name="h", kind="hinted").hints == {"fields": ["h"]}
    assert Signal(name="n", kind="normal").hints == {"fields": []}
    assert Signal(name="c", kind="config").hints == {"fields": []}


# -- DerivedSignal --------------------------------------------------------------------------------------------
def test_derived_signal_over_any_signal() -> None:
    raw = Signal(name="raw", value=2.0)
    derived = DerivedSignal(raw, name="derived", inverse=lambda v: v * 10, forward=lambda v: v / 10)
    assert derived.get() == 20.0
    assert derived.read()["derived"]["value"] == 20.0
    assert derived.timestamp == raw.timestamp
    derived.put(50.0)
    assert raw.get() == 5.0
    st = derived.set(70.0)
    st.wait(1)
    assert st.success
    assert raw.get() == 7.0
    assert derived.describe()["derived"]["source"] == "DERIVED:SIM:raw"
    assert derived.derived_from is raw


def test_derived_signal_subscriptions_propagate() -> None:
    raw = Signal(name="raw", value=1.0)
    derived = DerivedSignal(raw, name="derived", inverse=lambda v: v + 100)
    seen: list[tuple[Any, Any]] = []
    derived.subscribe(lambda value, old_value, **kw: seen.append((value, old_value)), run=True)
    assert seen == [(101.0, None)]
    raw.put(2.0)
    assert seen[-1] == (102.0, 101.0)
    late: list[Any] = []
    derived.subscribe(lambda value, **kw: late.append(value), run=True)
    assert late == [102.0]


def test_derived_signal_limits_and_read_only() -> None:
    raw = Signal(name="raw", value=1.0, metadata=dict(lower_ctrl_limit=0.0, upper_ctrl_limit=1.0))
    derived = DerivedSignal(raw, name="d", inverse=lambda v: v * 2, forward=lambda v: v / 2)
    assert derived.limits == (0.0, 2.0)
    with pytest.raises(LimitError):
        derived.put(3.0)
    ro = DerivedSignal(raw, name="ro", write_access=False)
    with pytest.raises(ReadOnlyError):
        ro.put(0.5)
    ro_raw = DerivedSignal(SignalRO(name="r", value=1), name="d2")
    with pytest.raises(ReadOnlyError):
        ro_raw.set(2)


def test_derived_signal_over_sibling_by_name() -> None:
    class Dev(Device):
        raw = Component(Signal, value=3.0)
        scaled = Component(
            DerivedSignal, derived_from="raw", inverse=lambda v: v * 2, forward=lambda v: v / 2
        )

    dev = Dev(name="dev")
    assert dev.scaled.derived_from is dev.raw
    assert dev.scaled.get() == 6.0
    dev.scaled.set(10.0).wait(1)
    assert dev.raw.get() == 5.0
    assert dev.read()["dev_scaled"]["value"] == 10.0
    seen: list[Any] = []
    dev.scaled.subscribe(lambda value, **kw: seen.append(value), run=False)
    dev.raw.put(1.0)
    assert seen == [2.0]


def test_derived_signal_without_parent_cannot_resolve_a_name() -> None:
    with pytest.raises(ValueError, match="no parent"):
        DerivedSignal("raw", name="orphan").get()


def test_derived_signal_destroy_unsubscribes_from_original() -> None:
    raw = Signal(name="raw", value=1.0)
    derived = DerivedSignal(raw, name="derived")
    derived.subscribe(lambda **kw: None)
    assert len(raw._callbacks[Signal.SUB_VALUE]) == 1
    derived.destroy()
    assert len(raw._callbacks[Signal.SUB_VALUE]) == 0


# -- set_and_wait -------------------------------------------------------------------------------------------
def test_set_and_wait_success() -> None:
    sig = Signal(name="sig", value=0)
    set_and_wait(sig, 5)
    assert sig.get() == 5
    off = OffsetSignal(name="off", value=0.0)
    set_and_wait(off, 1.0, atol=0.6, timeout=1)
    assert off.get() == 1.5


def test_set_and_wait_waits_for_a_readback_from_another_thread() -> None:
    sig = LaggingSignal(name="lag", value=0)
    timer = threading.Timer(0.02, sig.catch_up)
    timer.start()
    set_and_wait(sig, 4, timeout=5)
    assert sig.get() == 4
    timer.join()


def test_set_and_wait_timeout_names_signal_target_and_last_value() -> None:
    sig = OffsetSignal(name="stubborn", value=0.0)
    with pytest.raises(TimeoutError) as info:
        set_and_wait(sig, 2.0, timeout=0.05)
    message = str(info.value)
    assert "stubborn" in message
    assert "2.0" in message  # the target
    assert "2.5" in message  # the last value seen
