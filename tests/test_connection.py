"""Connecting devices: construction never blocks, connection is parallel, one error lists every missing PV.

Also init_devices() (naming and connecting, or mocking), lazy connection of classic code, and Device.read()
fetching unmonitored signals together. Real channels talk to the session's test IOC (``sophyd_iocs.testioc``).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from helpers import Events, ca_read

import sophyd
from sophyd import (
    DDC,
    ConnectionTimeoutError,
    Device,
    EpicsSignal,
    EpicsSignalRO,
    PutFailedError,
    init_devices,
    wait_for_connection,
)
from sophyd import Component as Cpt
from sophyd._dispatch import get_dispatcher
from sophyd.control import get_backend
from sophyd.control._mock import (
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)
from sophyd.errors import DisconnectedError

TIMEOUT = 5.0


def _many(count: int, suffix: str, start: int = 0, cls: type = EpicsSignalRO) -> dict[str, Any]:
    return {f"s{i:04d}": (cls, suffix.format(i=i), {}) for i in range(start, start + count)}


class Fifty(Device):
    """50 signals on PVs that no IOC serves."""

    sigs = DDC(_many(50, "nobody:home:{i}"))


class Bulk(Device):
    """The test IOC's 1000 ``bulk:NNNN`` PVs (value = index)."""

    sigs = DDC(_many(1000, "bulk:{i:04d}"))


class Hundred(Device):
    """100 unmonitored signals on ``bulk:0100``..``bulk:0199``."""

    sigs = DDC(_many(100, "bulk:{i:04d}", start=100))


class Inner(Device):
    good = Cpt(EpicsSignalRO, "dbl")
    bad = Cpt(EpicsSignalRO, "no_such_pv_inner")


class Mixed(Device):
    good = Cpt(EpicsSignal, "long")
    missing = Cpt(EpicsSignal, "no_such_pv_a")
    inner = Cpt(Inner, "")
    lazy_missing = Cpt(EpicsSignal, "no_such_pv_lazy", lazy=True)


class Small(Device):
    dbl = Cpt(EpicsSignal, "dbl")
    long = Cpt(EpicsSignal, "long", kind="config")
    enum = Cpt(EpicsSignal, "enum", string=True, lazy=True)


def test_construction_never_blocks(cl: str) -> None:
    start = time.monotonic()
    dev = Fifty("sophyd_missing:", name="dev")
    assert time.monotonic() - start < 1.0
    assert not dev.connected
    start = time.monotonic()
    with pytest.raises(ConnectionTimeoutError) as info:
        dev.wait_for_connection(timeout=0.5)
    elapsed = time.monotonic() - start
    assert elapsed < 2.0, f"waited {elapsed:.1f} s: not in parallel"  # one deadline, not 50 of them
    missing = info.value.missing
    assert len(missing) == 50
    assert missing[0] == "dev.sigs.s0000 (sophyd_missing:nobody:home:0)"
    assert all(f"sophyd_missing:nobody:home:{i}" in str(info.value) for i in range(50))


def test_thousand_pvs_connect_in_parallel(cl: str, testioc_prefix: str) -> None:
    start = time.monotonic()
    dev = Bulk(testioc_prefix, name="bulk")
    dev.wait_for_connection(timeout=20.0)
    elapsed = time.monotonic() - start
    assert elapsed < 10.0, f"1000 PVs took {elapsed:.1f} s"
    assert dev.connected
    assert dev.sigs.s0000.get() == 0.0 and dev.sigs.s0999.get() == 999.0


def test_one_error_lists_every_missing_pv(cl: str, testioc_prefix: str) -> None:
    dev = Mixed(testioc_prefix, name="mixed")
    with pytest.raises(ConnectionTimeoutError) as info:
        dev.wait_for_connection(timeout=1.0)
    assert sorted(info.value.missing) == [
        f"mixed.inner.bad ({testioc_prefix}no_such_pv_inner)",
        f"mixed.missing ({testioc_prefix}no_such_pv_a)",
    ]
    assert "mixed.missing" in str(info.value) and "mixed.inner.bad" in str(info.value)
    assert dev.good.connected and dev.inner.good.connected  # the present ones did connect
    with pytest.raises(ConnectionTimeoutError) as info:
        dev.wait_for_connection(all_signals=True, timeout=0.5)  # lazy components count too
    assert f"mixed.lazy_missing ({testioc_prefix}no_such_pv_lazy)" in info.value.missing


def test_module_wait_for_connection_over_devices_and_signals(cl: str, testioc_prefix: str) -> None:
    small = Small(testioc_prefix, name="small")
    lone = EpicsSignalRO(testioc_prefix + "ro", name="lone")
    wait_for_connection(small, lone, timeout=TIMEOUT)
    assert small.connected and lone.connected and lone.get() == 4.25
    ghost = EpicsSignalRO(testioc_prefix + "no_such_pv_ghost", name="ghost")
    mixed = Mixed(testioc_prefix, name="mixed2")
    with pytest.raises(ConnectionTimeoutError) as info:
        wait_for_connection(small, ghost, mixed, timeout=0.5)
    assert sorted(info.value.missing) == sorted(
        [
            f"ghost ({testioc_prefix}no_such_pv_ghost)",
            f"mixed2.missing ({testioc_prefix}no_such_pv_a)",
            f"mixed2.inner.bad ({testioc_prefix}no_such_pv_inner)",
        ]
    )


def test_timeout_none_waits_until_connected(cl: str, testioc_prefix: str) -> None:
    dev = Small(testioc_prefix, name="small")
    done = threading.Event()
    errors: list[BaseException] = []

    def connect() -> None:
        try:
            dev.wait_for_connection(timeout=None)
            wait_for_connection(dev, timeout=None, all_signals=True)
        except BaseException as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=connect, daemon=True).start()
    assert done.wait(TIMEOUT), "wait_for_connection(timeout=None) did not return once connected"
    assert not errors and dev.connected and dev.enum.connected


def make_devices_in_block(prefix: str) -> dict[str, Any]:
    with init_devices():
        small = Small(prefix)
        other = Small(prefix, name="custom")
    return {"small": small, "other": other}


def test_init_devices_names_and_connects(cl: str, testioc_prefix: str) -> None:
    made = make_devices_in_block(testioc_prefix)
    small, other = made["small"], made["other"]
    assert small.name == "small" and other.name == "custom"  # an explicit name is kept
    assert small.dbl.name == "small_dbl"
    assert small.connected and other.connected
    assert "small_dbl" in small.read()


def test_init_devices_reports_every_missing_pv(cl: str, testioc_prefix: str) -> None:
    with pytest.raises(ConnectionTimeoutError) as info, init_devices(timeout=0.5):
        broken = Mixed(testioc_prefix)
        fine = Small(testioc_prefix)
    assert broken.name == "broken" and fine.name == "fine"
    assert sorted(info.value.missing) == [
        f"broken.inner.bad ({testioc_prefix}no_such_pv_inner)",
        f"broken.missing ({testioc_prefix}no_such_pv_a)",
    ]


class MockDet(Device):
    reading = Cpt(EpicsSignalRO, "reading", kind="hinted")
    gain = Cpt(EpicsSignal, "gain", kind="config")
    mode = Cpt(EpicsSignal, "mode", string=True, kind="config")
    acquire = Cpt(EpicsSignal, "acquire", put_complete=True, trigger_value=1, kind="omitted")


def test_init_devices_mock_needs_no_ioc() -> None:
    # Metadata the mocked IOC serves is set before the device connects, as a real IOC has it from the start.
    set_mock_info("sophyd_mock_conn:mode", native_type="enum", enum_strs=("Low", "High"))
    with init_devices(mock=True):
        mdet = MockDet("sophyd_mock_conn:")
    assert mdet.name == "mdet" and mdet.connected
    assert sophyd.get_cl() != "mock"  # mock only inside the block
    set_mock_value(mdet.reading, 12.5)
    assert mdet.read()["mdet_reading"]["value"] == 12.5
    set_mock_value(mdet.gain, 2.0)
    mdet.gain.set(3.0).wait(TIMEOUT)
    assert mdet.gain.get() == 3.0
    mdet.mode.put("High", wait=True)
    assert mdet.mode.get() == "High" and mdet.mode.get(as_string=False) == 1
    assert mdet.describe_configuration()["mdet_mode"]["choices"] == ["Low", "High"]

    # The mock IOC holds the put-completion back: the trigger stays pending until it lets it go.
    set_mock_value(mdet.acquire, 0)
    set_mock_put_proceeds(mdet.acquire, False)
    status = mdet.trigger()
    assert not status.done
    set_mock_put_proceeds(mdet.acquire, True)
    status.wait(TIMEOUT)
    assert status.success

    # The mock IOC refuses puts: the status fails with PutFailedError.
    mock_put_failure(mdet.gain, "no gain for you")
    failed = mdet.gain.set(4.0)
    assert isinstance(failed.exception(TIMEOUT), PutFailedError)
    assert "no gain for you" in str(failed.exception(0))
    mock_put_failure(mdet.gain, None)

    set_mock_connected(mdet.reading, False)
    with pytest.raises(DisconnectedError, match="reading"):
        mdet.reading.get()
    set_mock_connected(mdet.reading, True)
    assert mdet.reading.get() == 12.5


def test_classic_code_sets_a_fresh_device_without_waiting(cl: str, testioc_prefix: str) -> None:
    """No wait_for_connection: the first put waits for its channel (up to connection_timeout)."""
    dev = Small(testioc_prefix, name="fresh")
    try:
        dev.dbl.set(12.5).wait(TIMEOUT)
        assert dev.dbl.get() == 12.5
        assert dev.enum.get() == "Off"  # a lazy component, made and connected on first use
        dev.enum.set("On").wait(TIMEOUT)
        assert dev.enum.get() == "On"
        assert dev.read()["fresh_enum"]["value"] == "On"
    finally:
        dev.dbl.put(1.5, wait=True)
        dev.enum.put("Off", wait=True)


def test_device_read_fetches_unmonitored_signals_together(
    cl: str, testioc_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = Hundred(testioc_prefix, name="h")
    dev.wait_for_connection(timeout=TIMEOUT)
    backend = get_backend(cl)
    calls: list[int] = []
    original = backend.get_many

    def spy(channels: Any, **kwargs: Any) -> Any:
        calls.append(len(channels))
        return original(channels, **kwargs)

    monkeypatch.setattr(backend, "get_many", spy)
    reading = dev.read()
    assert calls == [100]  # one concurrent fetch of all 100, not 100 round trips
    assert list(reading) == [f"h_sigs_s{i:04d}" for i in range(100, 200)]
    assert [r["value"] for r in reading.values()] == [float(i) for i in range(100, 200)]
    assert all(r["timestamp"] > 0 for r in reading.values())
    assert list(dev.describe()) == list(reading)


def test_read_is_fresh_even_when_another_signal_monitors_the_pv(cl: str, testioc_prefix: str) -> None:
    """The server answers a put before its monitor update: an unmonitored signal must not answer from the
    cache of another signal's monitor of the same PV, neither in Device.read() nor in get()."""
    dev = Small(testioc_prefix, name="small")
    watcher = EpicsSignalRO(testioc_prefix + "dbl", name="watcher")
    seen: list[Any] = []
    watcher.subscribe(lambda value=None, **kw: seen.append(value))  # keeps a monitor on the shared channel
    dev.wait_for_connection(timeout=TIMEOUT)
    try:
        for i in range(10):
            value = 3.5 + i
            dev.dbl.put(value, wait=True)
            assert dev.read()["small_dbl"]["value"] == value, f"stale Device.read() #{i}"
            dev.dbl.put(value + 0.25, wait=True)
            assert dev.dbl.get() == value + 0.25, f"stale get() #{i}"
    finally:
        dev.dbl.put(1.5, wait=True)
        watcher.destroy()


def test_mock_metadata_changed_after_connection_reaches_the_signal() -> None:
    with init_devices(mock=True):
        late = MockDet("sophyd_mock_late:")
    events: list[dict[str, object]] = []
    loaded, changed = threading.Event(), threading.Event()

    def on_meta(**kwargs: object) -> None:
        events.append(kwargs)
        if kwargs.get("connected"):
            loaded.set()
        if kwargs.get("units") == "keV":
            changed.set()

    late.gain.subscribe(on_meta, event_type="meta")
    assert loaded.wait(TIMEOUT), "the signal never loaded its first metadata"
    assert late.gain.describe()["late_gain"].get("units") != "keV"
    set_mock_info(late.gain, units="keV", precision=2)
    assert changed.wait(TIMEOUT), f"no metadata event with the new units: {events}"
    key = late.gain.describe()["late_gain"]
    assert key["units"] == "keV" and key["precision"] == 2


# -- metadata is read when first needed, not at connection -----------------------------------------------
@pytest.fixture
def info_reads(fresh_cl: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The PVs whose control metadata (DBR_CTRL) the fresh backend reads, in order."""
    reads: list[str] = []
    channel_type = type(fresh_cl.channel("sophyd_unused:probe"))
    real = channel_type._send_info_request

    def counting(self: Any, token: int) -> None:
        reads.append(self.pvname)
        real(self, token)

    monkeypatch.setattr(channel_type, "_send_info_request", counting)
    return reads


def test_connecting_and_reading_read_no_metadata(info_reads: list[str], testioc_prefix: str) -> None:
    dev = Hundred(testioc_prefix, name="hundred")
    dev.wait_for_connection(timeout=TIMEOUT)
    assert dev.connected and dev.sigs.s0100.write_access is False and dev.sigs.s0100.read_access
    assert dev.read()["hundred_sigs_s0150"]["value"] == 150.0
    assert info_reads == []


def test_describe_reads_the_metadata_of_all_signals_together(
    info_reads: list[str], testioc_prefix: str
) -> None:
    dev = Small(testioc_prefix, name="small")
    dev.wait_for_connection(timeout=TIMEOUT)
    assert info_reads == []
    key = dev.describe()["small_dbl"]
    assert (key["units"], key["precision"], key["limits"]["control"]) == (
        "mm",
        3,
        {"low": -100.0, "high": 100.0},
    )
    described = sorted(testioc_prefix + suffix for suffix in ("dbl", "enum"))  # long is config
    assert sorted(info_reads) == described
    assert dev.describe_configuration()["small_long"]["units"] == "counts"
    dev.describe()
    assert sorted(info_reads) == sorted([*described, testioc_prefix + "long"])  # once each


def test_metadata_accessors_read_it_on_first_use(info_reads: list[str], testioc_prefix: str) -> None:
    sig = EpicsSignal(testioc_prefix + "dbl", name="sig")
    sig.wait_for_connection(timeout=TIMEOUT)
    assert info_reads == []
    assert (sig.precision, sig.egu, sig.limits) == (3, "mm", (-100.0, 100.0))
    assert sig.metadata["units"] == "mm"
    assert info_reads == [testioc_prefix + "dbl"]


def test_meta_subscribers_get_the_metadata_without_asking(fresh_cl: Any, testioc_prefix: str) -> None:
    sig = EpicsSignalRO(testioc_prefix + "long", name="sig")
    events: list[dict[str, Any]] = []
    seen = threading.Event()

    def on_meta(**kwargs: Any) -> None:
        events.append(kwargs)
        if kwargs.get("units") == "counts":
            seen.set()

    sig.subscribe(on_meta, event_type="meta", run=False)
    assert seen.wait(TIMEOUT), f"no metadata event with units: {events}"
    assert events[-1]["connected"] is True and events[-1]["upper_ctrl_limit"] == 1000


def test_enum_labels_are_read_for_a_string_put(fresh_cl: Any, testioc_prefix: str) -> None:
    sig = EpicsSignal(testioc_prefix + "enum", name="sig")
    sig.wait_for_connection(timeout=TIMEOUT)
    before = sig.get()
    try:
        sig.put("Fault", wait=True, timeout=TIMEOUT)
        assert sig.get() == 2
        assert sig.get(as_string=True) == "Fault"
    finally:
        sig.put(before, wait=True, timeout=TIMEOUT)


def test_destroy_gives_a_channel_back_when_its_last_signal_goes(fresh_cl: Any, testioc_prefix: str) -> None:
    pv = testioc_prefix + "bulk:0321"
    first, second = EpicsSignalRO(pv, name="first"), EpicsSignalRO(pv, name="second")
    wait_for_connection(first, second, timeout=TIMEOUT)
    channel = first._read_channel
    assert second._read_channel is channel  # one channel per PV
    first.destroy()
    first.destroy()  # a second destroy gives nothing back twice
    assert channel.connected and second.get() == 321.0
    second.destroy()
    assert not channel.connected and pv not in {ch.pvname for ch in fresh_cl.channels()}
    again = EpicsSignalRO(pv, name="again")
    again.wait_for_connection(timeout=TIMEOUT)
    assert again._read_channel is not channel and again.get() == 321.0
    again.destroy()


def test_connection_timeouts_say_where_the_client_searches(cl: str, testioc_prefix: str) -> None:
    """A PV that never connects looks like a dead IOC; the error says what to check: the address list."""
    addresses = os.environ["EPICS_CA_ADDR_LIST"]
    sig = EpicsSignal(testioc_prefix + "no_such_pv_hint", name="hint", connection_timeout=0.2)
    errors = []
    for attempt in (
        sig.get,
        lambda: sig.wait_for_connection(timeout=0.2),
        lambda: wait_for_connection(sig, timeout=0.2),
    ):
        with pytest.raises(ConnectionTimeoutError) as info:
            attempt()
        errors.append(str(info.value))
    for message in errors:
        assert "no_such_pv_hint" in message
        assert f"EPICS_CA_ADDR_LIST={addresses!r}" in message
        assert "ca_env.sh" in message


@pytest.mark.parametrize("wait", ["signal", "together"])
def test_subscribers_from_before_the_connection_see_the_value_before_a_put(
    fresh_cl: Any, testioc_prefix: str, wait: str
) -> None:
    """A subscriber added before the signal connects gets the value at connection first, as in classic ophyd:
    the monitors are in place when wait_for_connection() returns, so a put made next cannot overtake them.

    The 'control' dispatcher, which also starts them after a connection, is kept busy meanwhile: only
    wait_for_connection() (the signal's, or the one for many objects) can have started them."""
    sp, rbv = testioc_prefix + "sp", testioc_prefix + "rbv"
    start = float(ca_read(sp).data[0])
    sig = EpicsSignal(rbv, write_pv=sp, name="pair")
    values, setpoints = Events(), Events()
    sig.subscribe(values)
    sig.subscribe(setpoints, event_type=sig.SUB_SETPOINT)
    release = threading.Event()
    get_dispatcher("control").submit(release.wait, 30.0)
    try:
        if wait == "signal":
            sig.wait_for_connection(timeout=TIMEOUT)
        else:
            wait_for_connection(sig, timeout=TIMEOUT)
        first_value = values.wait_for(lambda e: True)
        first_setpoint = setpoints.wait_for(lambda e: True)
    finally:
        release.set()
    try:
        assert (first_setpoint["old_value"], first_setpoint["value"]) == (None, start)
        assert first_value["value"] == start
        sig.put(start + 1.0, wait=True, timeout=TIMEOUT)
        later = setpoints.wait_for(lambda e: e["value"] == start + 1.0)
        assert later["old_value"] == start and setpoints.events[0] is first_setpoint
    finally:
        sig.put(start, wait=True, timeout=TIMEOUT)
        sig.destroy()
