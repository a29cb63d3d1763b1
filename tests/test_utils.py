"""sophyd.utils: classic ophyd's utils package (errors, alarm enums, EPICS helpers) over sophyd's definitions."""

from __future__ import annotations

import builtins
import time
from typing import Any

import numpy as np
import pytest

import sophyd
import sophyd.errors
import sophyd.signal
import sophyd.utils
import sophyd.utils.epics_pvs as epics_pvs
import sophyd.utils.errors as utils_errors
from sophyd.utils import AlarmSeverity, AlarmStatus, ExceptionBundle, ReadOnlyError


def test_errors_are_sophyds_own_classes() -> None:
    for name in utils_errors.__all__:
        assert getattr(utils_errors, name) is getattr(sophyd.errors, name)
        assert getattr(sophyd.utils, name) is getattr(sophyd.errors, name)
    assert ReadOnlyError is sophyd.ReadOnlyError


@pytest.mark.parametrize(
    ("name", "bases"),
    [
        ("ReadOnlyError", ("OpException",)),
        ("LimitError", ("ValueError", "OpException")),
        ("DisconnectedError", ("OpException",)),
        ("DestroyedError", ("RuntimeError", "DisconnectedError")),
        ("ExceptionBundle", ("RuntimeError", "OpException")),
        ("RedundantStaging", ("OpException",)),
        ("UnknownStatusFailure", ("OpException",)),
        ("StatusTimeoutError", ("TimeoutError", "OpException")),
        ("WaitTimeoutError", ("TimeoutError", "OpException")),
        ("InvalidState", ("RuntimeError", "OpException")),
        ("BadPVName", ("ValueError", "OpException")),
        ("ReadTimeoutError", ("TimeoutError", "OpException")),
    ],
)
def test_errors_keep_classic_bases(name: str, bases: tuple[str, ...]) -> None:
    """Code that catches a classic base (``except ValueError``, ``except RuntimeError``) still catches them."""
    cls = getattr(sophyd.utils.errors, name)
    for base in bases:
        base_cls = getattr(sophyd.errors, base, None) or getattr(builtins, base)
        assert issubclass(cls, base_cls), (name, base)


def test_exception_bundle_keeps_its_exceptions() -> None:
    errors = [ValueError("a"), KeyError("b")]
    bundle = ExceptionBundle("two failed", errors)
    assert bundle.exceptions == errors
    assert "two failed" in str(bundle)


def test_alarm_enums_have_classic_members() -> None:
    assert [(m.name, m.value) for m in AlarmSeverity] == [
        ("NO_ALARM", 0),
        ("MINOR", 1),
        ("MAJOR", 2),
        ("INVALID", 3),
    ]
    names = [
        "NO_ALARM",
        "READ",
        "WRITE",
        "HIHI",
        "HIGH",
        "LOLO",
        "LOW",
        "STATE",
        "COS",
        "COMM",
        "TIMEOUT",
        "HWLIMIT",
        "CALC",
        "SCAN",
        "LINK",
        "SOFT",
        "BAD_SUB",
        "UDF",
        "DISABLE",
        "SIMM",
        "READ_ACCESS",
        "WRITE_ACCESS",
    ]
    assert [(m.name, m.value) for m in AlarmStatus] == list(zip(names, range(22), strict=True))
    assert AlarmSeverity(2) == 2 and AlarmStatus.HIHI == 3  # IntEnums compare with the numbers CA delivers
    assert epics_pvs.AlarmSeverity is AlarmSeverity and epics_pvs.AlarmStatus is AlarmStatus


def test_set_and_wait_is_the_signal_helper() -> None:
    assert epics_pvs.set_and_wait is sophyd.signal.set_and_wait is sophyd.utils.set_and_wait
    sig = sophyd.Signal(name="sig", value=0)
    epics_pvs.set_and_wait(sig, 3, timeout=5)
    assert sig.get() == 3


def test_pv_name_helpers() -> None:
    assert epics_pvs.split_record_field("mtr1.VAL") == ("mtr1", "VAL")
    assert epics_pvs.split_record_field("mtr1") == ("mtr1", "")
    assert epics_pvs.strip_field("sim:mtr1.RBV") == "sim:mtr1"
    assert epics_pvs.record_field("sim:mtr1.VAL", "egu") == "sim:mtr1.EGU"
    assert epics_pvs.validate_pv_name("sim:mtr1.VAL") is None  # classic returns nothing for a good name
    with pytest.raises(sophyd.utils.BadPVName, match=r"a\.b\.c"):
        epics_pvs.validate_pv_name("a.b.c")


@pytest.mark.parametrize("bad", ["a.b.c", "", "sim: mtr1", 5])
def test_validate_pv_name_refuses_what_a_signal_refuses(bad: Any) -> None:
    """One rule set: the public check refuses exactly the names an EPICS signal refuses, with the same
    exception (BadPVName, a ValueError as in classic); the signal's message also names the signal."""
    with pytest.raises(sophyd.utils.BadPVName) as public:
        epics_pvs.validate_pv_name(bad)
    with pytest.raises(sophyd.utils.BadPVName, match="'named'") as made:
        sophyd.EpicsSignalRO(bad, name="named")
    assert isinstance(public.value, ValueError)
    assert str(made.value).endswith(str(public.value))


@pytest.mark.parametrize(
    ("value", "dtype", "shape"),
    [
        (1.5, "number", ()),
        (np.float32(2), "number", ()),
        (3, "integer", ()),
        (np.int16(3), "integer", ()),
        (True, "integer", ()),
        ("text", "string", ()),
        ([1, 2, 3], "array", (3,)),
        ((1, 2), "array", (2,)),
        ([], "array", (0,)),
        (np.zeros((2, 5)), "array", (2, 5)),
    ],
)
def test_data_type_and_shape(value: Any, dtype: str, shape: tuple[int, ...]) -> None:
    """data_shape() gives a tuple, as classic ophyd 1.11's does (code comparing it to a tuple keeps working)."""
    assert epics_pvs.data_type(value) == dtype
    assert epics_pvs.data_shape(value) == shape
    assert isinstance(epics_pvs.data_shape(value), tuple)


@pytest.mark.parametrize("value", [None, {"a": 1}, b"bytes", object()])
def test_data_type_refuses_what_it_cannot_describe(value: Any) -> None:
    with pytest.raises(ValueError, match="data type"):
        epics_pvs.data_type(value)


def test_raise_if_disconnected() -> None:
    class Thing:
        name = "thing"
        connected = False

        @epics_pvs.raise_if_disconnected
        def read(self) -> str:
            return "read"

    thing = Thing()
    with pytest.raises(sophyd.DisconnectedError, match="thing is not connected"):
        thing.read()
    thing.connected = True
    assert thing.read() == "read"


def test_fmt_time() -> None:
    stamp = time.mktime((2024, 5, 17, 13, 4, 5, 0, 0, -1)) + 0.25
    assert epics_pvs.fmt_time(stamp) == "2024-05-17 13:04:05.25000"
    assert len(epics_pvs.fmt_time()) == len("2024-05-17 13:04:05.25000")


def test_adapt_old_callback_signature() -> None:
    calls: list[str] = []

    def new(status: object) -> None:
        calls.append("new")

    assert sophyd.utils.adapt_old_callback_signature(new) is new
    with pytest.warns(DeprecationWarning, match="signature"):
        adapted = sophyd.utils.adapt_old_callback_signature(lambda: calls.append("old"))
    adapted(None)
    assert calls == ["old"]


def test_setup_ophyd_is_a_warning_no_op() -> None:
    with pytest.warns(DeprecationWarning, match="setup_ophyd"):
        assert sophyd.setup_ophyd() is None
    assert sophyd.setup_ophyd is sophyd.utils.startup.setup
