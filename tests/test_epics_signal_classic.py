"""The EPICS signal family the way classic ophyd users call it, over real Channel Access on both control layers:
alarm state without a prior get(), enum describe(), ``.value``, reprs that rebuild the signal, limits,
EpicsSignalNoValidation and setpoint metadata events."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from helpers import TIMEOUT, Events, ca_write

from sophyd import (
    AlarmSeverity,
    ConnectionTimeoutError,
    DerivedSignal,
    DestroyedError,
    Device,
    DisconnectedError,
    EpicsSignal,
    EpicsSignalBase,
    EpicsSignalNoValidation,
    EpicsSignalRO,
    EpicsSignalWithRBV,
    LimitError,
    NotConnectedError,
    ReadTimeoutError,
)
from sophyd import Component as Cpt
from sophyd.control import new_backend

#: EPICS alarm status and severity numbers (dbAlarm.h): HIHI status, MAJOR severity, HIGH status, MINOR.
HIHI, MAJOR, HIGH, MINOR, NO_ALARM = 3, 2, 4, 1, 0


@pytest.fixture
def pv(cl: str, testioc_prefix: str) -> Callable[[str], str]:
    return lambda suffix: testioc_prefix + suffix


@pytest.fixture
def made() -> Iterator[Callable[..., Any]]:
    """Make a signal (not waiting for it); destroyed after the test."""
    signals: list[EpicsSignalBase] = []

    def make(cls: type[EpicsSignalBase], *args: Any, **kwargs: Any) -> Any:
        signal = cls(*args, **kwargs)
        signals.append(signal)
        return signal

    yield make
    for signal in signals:
        signal.destroy()


def test_alarm_state_is_right_without_a_prior_get(pv: Callable[[str], str], made: Any) -> None:
    """A PV already in alarm reports it at once: before, a fresh signal said NO_ALARM until something read it."""
    ca_write(pv("alarm"), 12.0, notify=True)  # from outside: MAJOR/HIHI before sophyd looks at the PV
    ca_write(pv("long"), 7, notify=True)  # another PV's write leaves this PV's alarm alone, as in a real IOC
    try:
        sig = made(EpicsSignalRO, pv("alarm"), name="alarm")
        sig.wait_for_connection(timeout=TIMEOUT)
        assert (sig.alarm_status, sig.alarm_severity) == (HIHI, MAJOR)
        assert sig.alarm_severity is AlarmSeverity.MAJOR  # classic's enum
        assert sig.metadata["severity"] == MAJOR
        monitored = made(EpicsSignalRO, pv("alarm"), name="alarm_mon", auto_monitor=True)
        monitored.wait_for_connection(timeout=TIMEOUT)
        assert monitored.alarm_severity == MAJOR
        events = Events()
        monitored.subscribe(events)
        ca_write(pv("alarm"), 6.0, notify=True)  # MINOR/HIGH arrives with the monitor update
        events.wait_for(lambda e: e["value"] == 6.0)
        assert (monitored.alarm_status, monitored.alarm_severity) == (HIGH, MINOR)
    finally:
        ca_write(pv("alarm"), 0.0, notify=True)


def test_enum_describe_carries_enum_strs(pv: Callable[[str], str], made: Any) -> None:
    as_int = made(EpicsSignal, pv("enum"), name="mode")
    key = as_int.describe()["mode"]
    assert (key["dtype"], key["shape"], key["enum_strs"]) == ("integer", [], ("Off", "On", "Fault"))
    assert "lower_ctrl_limit" in key and "upper_ctrl_limit" in key  # as classic, even when None
    as_str = made(EpicsSignal, pv("enum"), name="mode_s", string=True)
    key = as_str.describe()["mode_s"]
    assert (key["dtype"], key["enum_strs"]) == ("string", ("Off", "On", "Fault"))


def test_value_is_settable_and_warns_only_when_unmonitored(pv: Callable[[str], str], made: Any) -> None:
    sig = made(EpicsSignal, pv("dbl"), name="dbl")
    sig.wait_for_connection(timeout=TIMEOUT)
    try:
        sig.value = 2.25  # a put, as in classic
        assert sig.get(use_monitor=False) == 2.25
        with pytest.warns(UserWarning, match="obj.value"):
            assert sig.value == 2.25
        monitored = made(EpicsSignal, pv("dbl"), name="dbl_mon", auto_monitor=True)
        monitored.wait_for_connection(timeout=TIMEOUT)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert monitored.value == 2.25
    finally:
        sig.put(1.5, wait=True)


def test_limits_true_raises_a_value_error_before_sending(pv: Callable[[str], str], made: Any) -> None:
    sig = made(EpicsSignal, pv("dbl"), name="lim", limits=True)
    sig.wait_for_connection(timeout=TIMEOUT)
    assert sig.use_limits
    before = sig.get(use_monitor=False)
    with pytest.raises(ValueError) as info:
        sig.put(500.0)
    assert isinstance(info.value, LimitError) and "lim" in str(info.value)
    with pytest.raises(LimitError):
        sig.set(-500.0)
    assert sig.get(use_monitor=False) == before
    sig.use_limits = False
    assert not sig.use_limits


def test_repr_rebuilds_the_signal(pv: Callable[[str], str], made: Any) -> None:
    sig = made(
        EpicsSignal,
        pv("rbv"),
        write_pv=pv("sp"),
        name="pair",
        put_complete=True,
        limits=True,
        auto_monitor=True,
        string=False,
        tolerance=0.01,
    )
    text = repr(sig)
    for part in (
        f"read_pv={pv('rbv')!r}",
        f"write_pv={pv('sp')!r}",
        "name='pair'",
        "put_complete=True",
        "limits=True",
        "auto_monitor=True",
        "string=False",
        "tolerance=0.01",
    ):
        assert part in text
    # A signal that has read nothing shows no value. (Not ``sig``: its monitor can deliver the value of a
    # channel an earlier test left connected before repr() runs.)
    unread = made(EpicsSignal, pv("rbv"), write_pv=pv("sp"), name="unread", auto_monitor=False)
    assert "value=" not in repr(unread)
    sig.wait_for_connection(timeout=TIMEOUT)
    sig.get()
    assert "value=" in repr(sig)
    rebuilt = made(EpicsSignal, **_kwargs_of(repr(sig)))
    assert type(rebuilt) is EpicsSignal
    assert (rebuilt.pvname, rebuilt.setpoint_pvname, rebuilt.name) == (pv("rbv"), pv("sp"), "pair")
    assert (rebuilt.put_complete, rebuilt.use_limits, rebuilt.auto_monitor, rebuilt.as_string) == (
        True,
        True,
        True,
        False,
    )
    assert rebuilt.tolerance == 0.01
    assert rebuilt.get() == sig.get()  # the value comes from the PV, not from the repr
    pair = made(EpicsSignalWithRBV, pv("sp"), name="rbv_pair")
    assert repr(pair).startswith(f"EpicsSignalWithRBV(prefix={pv('sp')!r}, name='rbv_pair'")
    copied = copy.copy(pair)
    assert type(copied) is EpicsSignalWithRBV and copied.pvname == pv("sp") + "_RBV"
    copied.destroy()
    ro = made(EpicsSignalRO, pv("ro"), name="ro")
    assert eval(repr(ro), {"EpicsSignalRO": EpicsSignalRO}).pvname == pv("ro")


def _kwargs_of(text: str) -> dict[str, Any]:
    """The keyword arguments of ``EpicsSignal(...)`` written in ``text``."""
    return eval(text.replace("EpicsSignal(", "dict(", 1), {"array": list})  # type: ignore[no-any-return]


def test_no_validation_set_returns_a_finished_status(pv: Callable[[str], str], made: Any) -> None:
    """As classic: set() puts and returns an already-finished Status, whatever the readback does."""
    sig = made(EpicsSignalNoValidation, pv("ro"), write_pv=pv("sp"), name="nv")
    sig.wait_for_connection(timeout=TIMEOUT)
    status = sig.set(7.5)
    assert status.done and status.success
    assert sig.get() == 4.25  # the readback never follows
    with pytest.raises(TypeError):
        sig.set("not a number")  # still checked before anything is sent
    sig.put(0.0, wait=True)


def test_setpoint_meta_events(pv: Callable[[str], str], made: Any) -> None:
    """SUB_SETPOINT_META: the setpoint PV's own metadata, for a signal with separate read and write PVs."""
    sig = made(EpicsSignal, pv("rbv"), write_pv=pv("sp"), name="pair")
    assert sig.SUB_SETPOINT_META == "setpoint_meta" and "setpoint_meta" in sig.event_types
    meta, setpoints = Events(), Events()
    sig.subscribe(meta, event_type=sig.SUB_SETPOINT_META)
    sig.subscribe(setpoints, event_type=sig.SUB_SETPOINT)
    sig.wait_for_connection(timeout=TIMEOUT)
    try:
        sig.put(3.5, wait=True)
        setpoints.wait_for(lambda e: e["value"] == 3.5)
        event = meta.wait_for(lambda e: e.get("precision") == 3)
        assert event["sub_type"] == "setpoint_meta" and event["obj"] is sig
        assert {"timestamp", "status", "severity", "precision", "units", "lower_ctrl_limit"} <= set(event)
        assert sig.setpoint_alarm_severity == NO_ALARM and sig.setpoint_alarm_status == NO_ALARM
        md = sig.metadata
        assert md["setpoint_precision"] == 3 and md["setpoint_severity"] == NO_ALARM
        assert md["setpoint_timestamp"] == sig.setpoint_ts is not None
    finally:
        sig.set(0.0).wait(TIMEOUT)


def test_setpoint_alarm_and_classic_warnings(pv: Callable[[str], str], made: Any) -> None:
    """Setpoint alarm state without a prior read; the warnings classic gives for its deprecated spellings."""
    ca_write(pv("dbl"), 95.0, notify=True)  # beyond the alarm limits of +-90: HIHI/MAJOR
    try:
        sig = made(EpicsSignal, pv("ro"), write_pv=pv("dbl"), name="odd_pair")
        sig.wait_for_connection(timeout=TIMEOUT)
        assert (sig.setpoint_alarm_status, sig.setpoint_alarm_severity) == (HIHI, MAJOR)
        assert sig.setpoint_ts > 0
        assert made(EpicsSignalRO, pv("ro")).name == pv("ro")  # classic: the name defaults to the PV
        with pytest.warns(DeprecationWarning, match="count"):
            sig.get(count=1)  # classic's get() has no count: it warns and ignores it
        with pytest.warns(UserWarning, match="setpoint is deprecated"):
            sig.setpoint = 1.5
        assert sig.get_setpoint() == 1.5
    finally:
        ca_write(pv("dbl"), 1.5, notify=True)


def test_get_form_picks_the_dbr_type(cl: str, pv: Callable[[str], str]) -> None:
    """get(form=) asks the IOC for DBR_TIME, DBR_CTRL or the native type, as classic ophyd does: the same
    array each time; 'ctrl' brings the control metadata with it; the two without an IOC timestamp stamp the
    reading with its arrival time (classic ophyd: time.time())."""
    with new_backend(cl):  # a first user of the PV: no metadata read yet
        sig = EpicsSignal(pv("farray"), name="farray")
        try:
            sig.wait_for_connection(timeout=TIMEOUT)
            channel = sig._read_channel
            assert not channel.info().control
            value = sig.get(form="time")
            assert isinstance(value, np.ndarray) and len(value) == 1000
            ioc_stamp = sig.timestamp
            before = time.time()
            assert ioc_stamp <= before
            assert np.array_equal(sig.get(form="ctrl"), value)
            assert channel.info().control  # units, limits and precision came with the value
            assert sig.timestamp >= before and sig.metadata["timestamp"] == sig.timestamp
            assert sig.alarm_severity == NO_ALARM
            assert np.array_equal(sig.get(form="native"), value)
            assert sig.timestamp >= before
            assert np.array_equal(sig.get_setpoint(form="ctrl"), value)
            assert np.array_equal(sig.get(), value) and sig.timestamp == ioc_stamp
            with pytest.raises(ValueError, match=r"'farray'.*form must be one of"):
                sig.get(form="graphic")
        finally:
            sig.destroy()


@pytest.mark.parametrize("suffix", ["dbl", "enum", "str", "path", "iarray"])
def test_get_form_reads_every_pv_kind(ioc_pv: Callable[[str], str], made: Any, suffix: str) -> None:
    """Every form reads the same value of each kind of PV, from the caproto test IOC and from a real EPICS IOC
    (a DBR_STRING's DBR_CTRL is DBR_STS_STRING, which caproto servers lay out differently: both control layers
    ask for DBR_STS_STRING)."""
    sig = made(EpicsSignal, ioc_pv(suffix), name=suffix)
    sig.wait_for_connection(timeout=TIMEOUT)
    value, label = sig.get(), sig.get(as_string=True)
    for form in ("ctrl", "native"):
        assert np.array_equal(sig.get(form=form), value)
        assert np.array_equal(sig.get(form=form, as_string=True), label)


def test_get_count_is_ignored_with_classics_warning(pv: Callable[[str], str], made: Any) -> None:
    """Classic ophyd's get() documents ``count`` but takes it as an unknown keyword: it warns and returns the
    whole array. sophyd does the same, so code written for classic reads the same data."""
    sig = made(EpicsSignalRO, pv("farray"), name="farray_ro")
    sig.wait_for_connection(timeout=TIMEOUT)
    with pytest.warns(DeprecationWarning, match="count"):
        value = sig.get(count=3)
    assert len(value) == 1000


def test_get_connection_timeout_bounds_the_first_wait(cl: str, pv: Callable[[str], str], made: Any) -> None:
    """get(connection_timeout=) and put(connection_timeout=) replace the signal's own for this call, as in
    classic ophyd."""
    nowhere = made(EpicsSignalRO, pv("no_such_array"), name="nowhere", connection_timeout=60.0)
    start = time.monotonic()
    with pytest.raises(
        ConnectionTimeoutError, match=r"'nowhere'.*Failed to connect to .*no_such_array within 0\.30 sec"
    ):
        nowhere.get(connection_timeout=0.3)
    assert time.monotonic() - start < 10.0  # not the signal's 60 s
    unwritable = made(EpicsSignal, pv("no_such_setpoint"), name="unwritable", connection_timeout=60.0)
    start = time.monotonic()
    with pytest.raises(ConnectionTimeoutError, match=r"'unwritable'.*no_such_setpoint within 0\.30 sec"):
        unwritable.put(1.0, connection_timeout=0.3)  # put() takes it too, as in classic
    assert time.monotonic() - start < 10.0
    with new_backend(cl):  # a channel that has yet to connect, which no 1 us wait would see connected
        impatient = made(EpicsSignalRO, pv("iarray"), name="iarray", connection_timeout=1e-6)
        assert list(impatient.get(connection_timeout=TIMEOUT)) == list(range(16))
        impatient.destroy()


def test_timeout_errors_say_what_classics_say(cl: str, pv: Callable[[str], str], made: Any) -> None:
    """Classic ophyd's error classes and words, after the signal's name: wait_for_connection() raises a
    TimeoutError '<pv> could not connect within 0.2-second timeout.', a read the IOC does not answer in
    time a ReadTimeoutError 'Failed to read <pv> within 0.00 sec'."""
    nowhere = made(EpicsSignalRO, pv("no_such_pv_words"), name="nowhere")
    with pytest.raises(
        TimeoutError, match=r"'nowhere'.*no_such_pv_words could not connect within 0\.2-second timeout\."
    ):
        nowhere.wait_for_connection(timeout=0.2)
    array = made(EpicsSignalRO, pv("farray"), name="farray")
    array.wait_for_connection(timeout=TIMEOUT)
    with pytest.raises(
        ReadTimeoutError, match=r"'farray'.*Failed to read .*farray within 0\.00 sec"
    ) as caught:
        array.get(timeout=1e-6)  # no server answers a 1000-element read within a microsecond
    assert isinstance(caught.value, TimeoutError)


def test_a_destroyed_signal_raises_destroyed_error_at_once(pv: Callable[[str], str], made: Any) -> None:
    """Classic ophyd: once destroyed, an EPICS signal is not connected, and waiting for its connection or
    reading it raises DestroyedError at once; another signal of the same PV goes on working."""
    sig = made(EpicsSignalRO, pv("ro"), name="gone")
    other = made(EpicsSignalRO, pv("ro"), name="other")
    sig.wait_for_connection(timeout=TIMEOUT)
    sig.destroy()
    assert not sig.connected
    start = time.monotonic()
    for attempt in (sig.get, sig.read, lambda: sig.wait_for_connection(timeout=60.0)):
        with pytest.raises(DestroyedError, match=r"'gone'.*Cannot re-use a destroyed Signal"):
            attempt()
    assert time.monotonic() - start < 10.0  # at once, not after a timeout
    other.wait_for_connection(timeout=TIMEOUT)
    assert other.get() == 4.25


def test_read_of_a_never_connected_pv_is_a_disconnected_error(pv: Callable[[str], str], made: Any) -> None:
    """read() of a signal whose PV never connects fails with an error classic code catches as DisconnectedError
    (classic's read() raises that), which is also the ConnectionTimeoutError get() raises; a device's read()
    passes it on."""

    class Box(Device):
        lid = Cpt(EpicsSignalRO, "no_such_lid", connection_timeout=0.3)

    box = made(Box, pv(""), name="box")
    with pytest.raises(
        DisconnectedError, match=r"'box_lid'.*Failed to connect to .*no_such_lid within 0\.30 sec"
    ) as caught:
        box.read()
    assert isinstance(caught.value, ConnectionTimeoutError)
    assert isinstance(caught.value, NotConnectedError)
    assert caught.value.missing == [pv("no_such_lid")]
    with pytest.raises(ConnectionTimeoutError) as from_get:
        box.lid.get()
    assert not isinstance(from_get.value, DisconnectedError)  # get() raises classic's error type, unchanged


def test_limits_of_a_signal_with_a_setpoint_pv_are_the_setpoint_pvs(
    pv: Callable[[str], str], made: Any
) -> None:
    """With a separate write PV, limits, low/high_limit, metadata and describe() give that PV's control limits
    (they bound what may be written), as in classic ophyd; the read PV's limits apply to a read-only signal."""
    pair = made(EpicsSignal, pv("dbl"), write_pv=pv("long"), name="pair", limits=True)
    pair.wait_for_connection(timeout=TIMEOUT)
    assert pair.limits == (-1000, 1000)  # long's; dbl's are (-100, 100)
    assert (pair.low_limit, pair.high_limit) == (-1000, 1000)
    assert (pair.metadata["lower_ctrl_limit"], pair.metadata["upper_ctrl_limit"]) == (-1000, 1000)
    key = pair.describe()["pair"]
    assert (key["lower_ctrl_limit"], key["upper_ctrl_limit"]) == (-1000, 1000)
    pair.check_value(500)  # outside dbl's limits, inside long's
    with pytest.raises(LimitError, match="pair"):
        pair.check_value(pair.high_limit + 1)
    readback = made(EpicsSignalRO, pv("dbl"), name="readback")
    readback.wait_for_connection(timeout=TIMEOUT)
    assert readback.limits == (-100.0, 100.0)


def test_derived_signal_over_an_epics_signal(pv: Callable[[str], str], made: Any) -> None:
    """A DerivedSignal subclass mirrors the PV's connection and metadata and converts both ways."""

    class Microns(DerivedSignal):
        def forward(self, value: Any) -> Any:
            return value / 1000.0

        def inverse(self, value: Any) -> Any:
            return value * 1000.0

    raw = made(EpicsSignal, pv("dbl"), name="dbl")
    derived = Microns(raw, name="dbl_um")
    derived.wait_for_connection(timeout=TIMEOUT)
    assert derived.connected and derived.write_access
    try:
        derived.put(2500.0, wait=True)
        assert raw.get(use_monitor=False) == 2.5
        assert derived.get() == 2500.0
        derived.set(3000.0).wait(TIMEOUT)
        assert raw.get(use_monitor=False) == 3.0
        key = derived.describe()["dbl_um"]
        assert (
            key["derived_from"] == "dbl"
            and key["units"] == "mm"
            and key["source"] == f"DERIVED:PV:{pv('dbl')}"
        )
        assert derived.limits == (-100000.0, 100000.0)
        events = Events()
        derived.subscribe(events, run=False)
        raw.put(4.0, wait=True)
        assert events.wait_for(lambda e: e["value"] == 4000.0)["obj"] is derived
    finally:
        raw.put(1.5, wait=True)


def _run_fresh(code: str) -> list[str]:
    """Run ``code`` in a new Python process (no EPICS signal made yet) and return its printed words."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return out.stdout.split()


def test_set_defaults_before_the_first_signal_applies_to_every_signal() -> None:
    """Classic ophyd: class-wide defaults for the class it is called on and its subclasses; a signal's own
    values win; the old name set_default_timeout warns (UserWarning, as in classic) and does the same."""
    code = (
        "import warnings\n"
        "from sophyd import EpicsSignal, EpicsSignalBase, EpicsSignalRO\n"
        "EpicsSignal.set_defaults(timeout=7.0, connection_timeout=3.0, write_timeout=0.5, auto_monitor=True)\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    EpicsSignalRO.set_default_timeout(timeout=4.0)\n"
        "print(caught[0].category.__name__)\n"
        "sig = EpicsSignal('sophyd_nowhere:a', name='a')\n"
        "own = EpicsSignal('sophyd_nowhere:b', name='b', timeout=1.5)\n"
        "ro = EpicsSignalRO('sophyd_nowhere:c', name='c')\n"
        "print(sig.timeout, sig.connection_timeout, sig.write_timeout, sig.auto_monitor, own.timeout, ro.timeout)\n"
        "try:\n"
        "    EpicsSignalBase.set_defaults(timeout=9.0)\n"
        "except RuntimeError:\n"
        "    print('refused', sig.timeout)\n"
    )
    assert _run_fresh(code) == ["UserWarning", "7.0", "3.0", "0.5", "True", "1.5", "4.0", "refused", "7.0"]


@pytest.mark.parametrize("layer", ["pyepics", "caproto"])
def test_a_components_connection_timeout_beats_the_class_wide_default(
    testioc_prefix: str, layer: str
) -> None:
    """As in classic ophyd: a lazy component connects when first used, waiting for its own
    ``connection_timeout`` if the Component gives one, else for the class-wide default of set_defaults()
    (EpicsSignalBase's for a signal, Device's for a sub-device); a wait too short for the IOC raises TimeoutError."""
    code = (
        "import sys\n"
        "from sophyd import Component as Cpt, Device, EpicsSignalBase, EpicsSignalRO, set_cl\n"
        "set_cl(sys.argv[1])\n"
        "EpicsSignalBase.set_defaults(connection_timeout=1e-6)\n"
        "Device.set_defaults(connection_timeout=1e-6)\n"
        "class One(Device):\n"
        "    value = Cpt(EpicsSignalRO, '')\n"
        "class Box(Device):\n"
        "    hasty = Cpt(EpicsSignalRO, 'dbl', lazy=True)\n"
        "    patient = Cpt(EpicsSignalRO, 'ro', lazy=True, connection_timeout=30.0)\n"
        "    hasty_dev = Cpt(One, 'long', lazy=True)\n"
        "    patient_dev = Cpt(One, 'enum', lazy=True, connection_timeout=30.0)\n"
        "box = Box(sys.argv[2], name='box')\n"
        "for attr in ('hasty', 'patient', 'hasty_dev', 'patient_dev'):\n"
        "    try:\n"
        "        print(attr, getattr(box, attr).connected)\n"
        "    except TimeoutError as exc:\n"
        "        print(attr, type(exc).__name__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, layer, testioc_prefix],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == [
        "hasty", "ConnectionTimeoutError", "patient", "True", "hasty_dev", "ConnectionTimeoutError",
        "patient_dev", "True",
    ]  # fmt: skip


def test_whether_a_signal_was_made_has_classic_name() -> None:
    """Classic startup scripts ask ``EpicsSignalBase._EpicsSignalBase__any_instantiated`` before they call
    set_defaults(); it is False until the first EPICS signal is made, True from then on."""
    code = (
        "from sophyd import EpicsSignalBase, EpicsSignalRO\n"
        "print(EpicsSignalBase._EpicsSignalBase__any_instantiated)\n"
        "if not EpicsSignalBase._EpicsSignalBase__any_instantiated:\n"
        "    EpicsSignalBase.set_defaults(timeout=5.0)\n"
        "sig = EpicsSignalRO('sophyd_nowhere:a', name='a')\n"
        "print(EpicsSignalBase._EpicsSignalBase__any_instantiated, sig.timeout)\n"
    )
    assert _run_fresh(code) == ["False", "True", "5.0"]


def test_none_timeouts_mean_no_limit_from_set_defaults() -> None:
    """Classic ophyd: None, as a class-wide default too, means wait as long as it takes."""
    code = (
        "from sophyd import EpicsSignalBase, EpicsSignalRO\n"
        "EpicsSignalBase.set_defaults(timeout=None, connection_timeout=None, write_timeout=None)\n"
        "sig = EpicsSignalRO('sophyd_nowhere:a', name='a')\n"
        "print(sig.timeout, sig.connection_timeout, EpicsSignalRO('sophyd_nowhere:b', name='b', timeout=3).timeout)\n"
    )
    assert _run_fresh(code) == ["None", "None", "3.0"]


def test_none_timeouts_given_to_a_signal_mean_no_limit(cl: str, pv: Callable[[str], str]) -> None:
    """timeout=None and connection_timeout=None given to a signal mean no limit (classic: "wait forever"),
    not the class-wide default; reads, first connections and a device's concurrent read honour it."""

    class Arrays(Device):
        farray = Cpt(EpicsSignalRO, "farray", timeout=None, connection_timeout=None)
        iarray = Cpt(EpicsSignalRO, "iarray")

    with new_backend(cl):  # channels yet to connect
        sig = EpicsSignalRO(pv("iarray"), name="iarray", timeout=None, connection_timeout=None)
        dev = Arrays(pv(""), name="arrays")
        try:
            assert sig.timeout is None and sig.connection_timeout is None
            assert list(sig.get()) == list(range(16))  # waited for the connection, then read, without limit
            dev.wait_for_connection(timeout=TIMEOUT)
            reading = dev.read()
            assert (
                len(reading["arrays_farray"]["value"]) == 1000
                and len(reading["arrays_iarray"]["value"]) == 16
            )
            assert dev.farray.timeout is None and dev.iarray.timeout == 2.0
        finally:
            sig.destroy()
            dev.destroy()


def test_default_timeouts_are_classics() -> None:
    """Classic ophyd's class-wide defaults: 1 s for the first connection, 2 s per read, no limit on
    put-completion, no monitor unless asked; a Device waits 10 s for all its signals."""
    sig = EpicsSignal("sophyd_nowhere:defaults", name="defaults")  # made, never connected: no IOC needed
    try:
        assert (sig.connection_timeout, sig.timeout, sig.write_timeout, sig.auto_monitor) == (
            1.0,
            2.0,
            None,
            False,
        )
        assert Device(name="box").connection_timeout == 10.0
    finally:
        sig.destroy()


def test_set_defaults_is_refused_once_a_signal_exists() -> None:
    """Classic ophyd raises RuntimeError once any EPICS signal has been made (of any class)."""
    EpicsSignalRO("sophyd_nowhere:pv", name="x").destroy()  # made, never connected: no IOC needed
    with pytest.raises(RuntimeError, match="before any EPICS signal is made"):
        EpicsSignal.set_defaults(timeout=4.0)
    with pytest.raises(RuntimeError, match="before any EPICS signal is made"), pytest.warns(UserWarning):
        EpicsSignalBase.set_default_timeout(timeout=4.0)
    sig = EpicsSignal("sophyd_nowhere:pv", name="y")
    assert sig.timeout == 2.0  # the defaults did not change
    sig.destroy()


def test_subscribers_see_only_values_the_ioc_sent(pv: Callable[[str], str], made: Callable[..., Any]) -> None:
    """A put does not report the written value before the IOC does (classic ran the value and setpoint
    subscriptions with it at once): a value the IOC refuses never reaches subscribers, and ``.value`` keeps
    the PV's own."""
    sig = made(EpicsSignal, pv("reject"), name="reject")
    sig.wait_for_connection(timeout=TIMEOUT)
    sig.put(1.5, wait=True)
    values, setpoints = Events(), Events()
    sig.subscribe(values)
    sig.subscribe(setpoints, event_type=sig.SUB_SETPOINT)
    values.wait_for(lambda event: event["value"] == 1.5)
    sig.put(-7.0)  # refused by the IOC's putter
    sig.put(2.5, wait=True)
    values.wait_for(lambda event: event["value"] == 2.5)
    setpoints.wait_for(lambda event: event["value"] == 2.5)
    assert -7.0 not in [event["value"] for event in values.events + setpoints.events]
    assert sig.value == 2.5


def test_put_callbacks_get_classics_keywords(pv: Callable[[str], str], made: Callable[..., Any]) -> None:
    """A put callback written for classic ophyd (``cb(pvname, data)``, ``cb(**kwargs)``) gets the written PV's
    name and the put's ``callback_data`` as the CA clients passed them; one that takes nothing is called
    without them."""
    sig = made(EpicsSignal, pv("dbl"), pv("sp"), name="cb_kw")
    sig.wait_for_connection(timeout=TIMEOUT)
    calls = Events()

    def classic(pvname: str, data: Any) -> None:
        calls(kind="classic", got={"pvname": pvname, "data": data})

    def keywords(**kwargs: Any) -> None:
        calls(kind="keywords", got=kwargs)

    sig.put(3.25, callback=classic)
    sig.put(3.5, callback=lambda: calls(kind="plain", got={}))
    sig.put(3.75, callback=keywords, callback_data="mine")
    for kind in ("classic", "plain", "keywords"):
        calls.wait_for(lambda event, kind=kind: event["kind"] == kind)
    got = {event["kind"]: event["got"] for event in calls.events}
    assert got == {
        "classic": {"pvname": pv("sp"), "data": None},
        "plain": {},
        "keywords": {"pvname": pv("sp"), "data": "mine"},
    }


def test_put_needs_the_readback_connected_too(pv: Callable[[str], str], made: Callable[..., Any]) -> None:
    """As classic's put, which waits for the whole signal: a readback PV that never connects fails the put,
    naming that PV, and nothing is written to the setpoint PV."""
    sig = made(EpicsSignal, pv("no_such_readback"), pv("sp"), name="half", connection_timeout=0.3)
    setpoint = made(EpicsSignal, pv("sp"), name="sp_now")
    setpoint.wait_for_connection(timeout=TIMEOUT)
    before = setpoint.get(use_monitor=False)
    with pytest.raises(ConnectionTimeoutError, match="no_such_readback"):
        sig.put(before + 1.0)
    assert setpoint.get(use_monitor=False) == before
