"""sophyd.utils: classic ophyd's utils package (errors, alarm enums, EPICS helpers, its small general helpers)
over sophyd's definitions."""

from __future__ import annotations

import builtins
import copy
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path
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


# -- classic's small helpers (ophyd/utils/__init__.py, paths.py, epics_pvs.py) -------------------------------
def test_enum_makes_a_class_of_the_keyword_arguments() -> None:
    states = sophyd.utils.enum(IDLE=0, BUSY=1)
    assert isinstance(states, type) and states.__name__ == "Enum"
    assert (states.IDLE, states.BUSY) == (0, 1)


def test_ordered_default_dict_is_ordered_and_fills_missing_keys() -> None:
    table = sophyd.utils.OrderedDefaultDict(list)
    table["b"].append(1)
    table["a"].append(2)
    table["b"].append(3)
    assert list(table.items()) == [("b", [1, 3]), ("a", [2])]
    assert repr(table).startswith("OrderedDefaultDict(<class 'list'>, ")
    shallow, deep, pickled = copy.copy(table), copy.deepcopy(table), pickle.loads(pickle.dumps(table))
    for other in (shallow, deep, pickled, table.copy()):
        assert type(other) is sophyd.utils.OrderedDefaultDict and other == table
        assert other.default_factory is list
        assert other["new"] == []
    assert shallow["b"] is table["b"] and deep["b"] is not table["b"]
    plain = sophyd.utils.OrderedDefaultDict()
    with pytest.raises(KeyError, match="missing"):
        plain["missing"]
    with pytest.raises(TypeError, match="callable"):
        sophyd.utils.OrderedDefaultDict(5)


def test_doc_annotation_forwarder_copies_the_base_methods_doc_and_annotations() -> None:
    class Base:
        def move(self, position: float) -> int:
            """Move to position."""
            return 0

    class Child(Base):
        @sophyd.utils.doc_annotation_forwarder(Base)
        def move(self, position):  # type: ignore[no-untyped-def]
            return 1

    assert Child.move.__doc__ == "Move to position."
    assert Child.move.__annotations__ == Base.move.__annotations__
    assert Child().move(1.0) == 1


class _Duck:
    def quack(self) -> None: ...

    def read(self) -> None: ...


def test_instances_and_ducks_from_a_namespace() -> None:
    duck, other = _Duck(), _Duck()
    ns = {"duck": duck, "other": other, "number": 5, "text": "quack"}
    assert sophyd.utils.instances_from_namespace(_Duck, ns=ns) == [duck, other]
    assert sophyd.utils.instances_from_namespace((int, str), ns=ns) == [5, "quack"]
    assert sophyd.utils.ducks_from_namespace("quack", ns=ns) == [duck, other]
    assert sophyd.utils.ducks_from_namespace(["quack", "read"], ns={"d": duck, "s": "x"}) == [duck]
    assert sophyd.utils.ducks_from_namespace(["quack", "fly"], ns=ns) == []


def test_namespace_helpers_read_the_ipython_user_namespace() -> None:
    """Without ns= they search the running IPython session's namespace, leaving out names starting with _."""
    code = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from sophyd.utils import ducks_from_namespace, instances_from_namespace\n"
        "shell = InteractiveShell.instance()\n"
        "shell.user_ns.update(a=1, b=2.5, _hidden=3, c='x')\n"
        "print(instances_from_namespace(int), ducks_from_namespace('upper'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split("\n")[0] == "[1] ['x']"


def test_namespace_helpers_outside_ipython_ask_for_ns() -> None:
    with pytest.raises(RuntimeError, match="ns="):
        sophyd.utils.instances_from_namespace(int)
    with pytest.raises(RuntimeError, match="ns="):
        sophyd.utils.ducks_from_namespace("real")


@pytest.mark.parametrize(
    ("name", "camel"),
    [("abc_def_ghi", "AbcDefGhi"), ("single", "Single"), ("_private", "Private"), ("__", "__"), ("", "")],
)
def test_underscores_to_camel_case(name: str, camel: str) -> None:
    assert sophyd.utils.underscores_to_camel_case(name) == camel


def test_getattrs_pairs_names_with_values() -> None:
    point = complex(1, 2)
    pairs = sophyd.utils.getattrs(point, (n for n in ("real", "imag")))
    assert not isinstance(pairs, list)  # a generator, as classic's
    assert list(pairs) == [("real", 1.0), ("imag", 2.0)]
    with pytest.raises(AttributeError):
        list(sophyd.utils.getattrs(point, ["nope"]))


def test_do_not_use_is_a_sentinel_class() -> None:
    assert isinstance(sophyd.utils.DO_NOT_USE, type)
    assert sophyd.utils.DO_NOT_USE is not None and sophyd.utils.DO_NOT_USE.__doc__


def test_makedirs_makes_parents_with_the_mode_and_reports_them(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    old_umask = os.umask(0o077)  # the mode is set exactly, whatever the umask
    try:
        made = sophyd.utils.makedirs(str(target), mode=0o750)
    finally:
        os.umask(old_umask)
    assert made == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(target)]
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o750 for p in made)
    assert sophyd.utils.makedirs(str(target)) == []  # nothing to make


def test_makedirs_mode_base_limits_the_mode_to_directories_inside_it(tmp_path: Path) -> None:
    base = tmp_path / "data"
    inside, beside = base / "run1", tmp_path / "database"  # 'database' starts with the characters of 'data'
    old_umask = os.umask(0o022)
    try:
        sophyd.utils.makedirs(str(inside), mode=0o777, mode_base=str(base))
        sophyd.utils.makedirs(str(beside), mode=0o777, mode_base=str(base))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(inside).st_mode) == 0o777  # set with chmod, past the umask
    assert stat.S_IMODE(os.stat(base).st_mode) == 0o777
    assert stat.S_IMODE(os.stat(beside).st_mode) == 0o755  # outside mode_base: left to the umask


def test_make_dir_tree_makes_every_day_of_the_year(tmp_path: Path) -> None:
    paths = sophyd.utils.make_dir_tree(2024, base_path=str(tmp_path), mode=0o755)
    assert len(paths) == 366  # a leap year
    assert paths[0] == str(tmp_path / "2024" / "01" / "01") and paths[-1] == str(
        tmp_path / "2024" / "12" / "31"
    )
    assert all(Path(p).is_dir() for p in paths) and (tmp_path / "2024" / "02" / "29").is_dir()
    assert len(list((tmp_path / "2024").iterdir())) == 12


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (np.array([104, 105, 0, 120], dtype=np.uint8), {}, "hi"),  # cut at the first NUL
        ([104, 105], {"delim": "-"}, "h-i"),
        (b"path\x00junk", {}, "path"),
        ("already text", {}, "already text"),
        (12, {}, "12"),
    ],
)
def test_waveform_to_string(value: Any, kwargs: dict[str, Any], text: str) -> None:
    assert epics_pvs.waveform_to_string(value, **kwargs) == text


def test_records_from_db_reads_record_types_and_names(tmp_path: Path) -> None:
    db = tmp_path / "motor.db"
    db.write_text(
        "# record(ai, commented)\n"
        'record(ai, "$(P)temp") {\n'
        '    field(EGU, "K")\n'
        "}\n"
        "grecord(bo, $(P)$(R)enable) {\n"
        "record(calc,$(P)sum)\n"
        "record(broken)\n"
        '  record ( longout , "$(P)count" )\n'
    )
    assert epics_pvs.records_from_db(db) == [
        ("ai", "$(P)temp"),
        ("bo", "$(P)$(R)enable"),
        ("calc", "$(P)sum"),
        ("longout", "$(P)count"),
    ]
