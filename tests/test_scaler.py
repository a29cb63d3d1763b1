"""EpicsScaler, ScalerCH and ScalerChannel (``sophyd.scaler``) against the scaler IOC over real Channel Access.

The IOC (``sophyd_iocs.scaler``) counts deterministically: ``S1`` is the 1e7 Hz clock, channel ``n`` counts
``channel_rate(n)`` per second, and channels 1 to 4 are named clock, I0, I and diode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from caproto import ErrorResponseReceived
from helpers import ca_read, ca_write, wait_for

import sophyd
from sophyd import EpicsSignal, EpicsSignalRO, Kind
from sophyd.scaler import EpicsScaler, ScalerCH, ScalerChannel
from sophyd_iocs.scaler import DEFAULT_NAMES, channel_rate

TIMEOUT = 10.0
PRESET = 0.2  # s, the count time of most tests
FREQ = 1e7  # Hz, the IOC's clock


def _value(pv: str) -> Any:
    data = ca_read(pv).data
    value = data[0]
    return value.decode() if isinstance(value, bytes) else value


@pytest.fixture
def record(scaler_prefix: str) -> Iterator[str]:
    """The scaler record's name; the record is put back to its start state (idle, OneShot, TP and TP1 1 s,
    no delay, the default channel names) after the test."""
    name = f"{scaler_prefix}scaler1"
    yield name
    ca_write(f"{name}.CNT", 0, notify=True)
    ca_write(f"{name}.CONT", 0, notify=True)
    ca_write(f"{name}.TP", 1.0, notify=True)
    ca_write(f"{name}.TP1", 1.0, notify=True)
    ca_write(f"{name}.DLY", 0.0, notify=True)
    for n in range(1, 9):
        ca_write(f"{name}.NM{n}", DEFAULT_NAMES[n - 1] if n <= len(DEFAULT_NAMES) else "", notify=True)


@pytest.fixture
def scaler(cl: str, record: str) -> Iterator[EpicsScaler]:
    """An EpicsScaler with a preset time of PRESET, on each control layer in turn."""
    device = EpicsScaler(record, name="scaler")
    device.wait_for_connection(timeout=TIMEOUT)
    device.preset_time.put(PRESET, wait=True)
    yield device
    device.destroy()


@pytest.fixture
def scaler_ch(record: str) -> Iterator[ScalerCH]:
    device = ScalerCH(record, name="sc")
    device.wait_for_connection(timeout=TIMEOUT)
    device.preset_time.put(PRESET, wait=True)
    yield device
    device.destroy()


# ----- construction, as classic ophyd declares it ---------------------------------------------------------


def test_epics_scaler_components_as_classic(record: str) -> None:
    sc = EpicsScaler(record, name="sc")
    assert sophyd.EpicsScaler is EpicsScaler
    expected = {
        "count": ".CNT",
        "count_mode": ".CONT",
        "delay": ".DLY",
        "auto_count_delay": ".DLY1",
        "time": ".T",
        "freq": ".FREQ",
        "preset_time": ".TP",
        "auto_count_time": ".TP1",
        "update_rate": ".RATE",
        "auto_count_update_rate": ".RAT1",
        "egu": ".EGU",
    }
    assert {attr: getattr(sc, attr).pvname for attr in expected} == {
        attr: record + suffix for attr, suffix in expected.items()
    }
    assert sc.channels.component_names == tuple(f"chan{i}" for i in range(1, 33))
    assert sc.channels.chan1.pvname == record + ".S1"
    assert sc.channels.chan32.pvname == record + ".S32"
    assert isinstance(sc.channels.chan7, EpicsSignalRO)
    assert sc.names.name3.pvname == record + ".NM3"
    assert sc.presets.preset5.pvname == record + ".PR5"
    assert sc.gates.gate32.pvname == record + ".G32"
    assert sc.count_mode.as_string and not sc.gates.gate1.as_string
    assert sc.channels.chan1.kind == Kind.hinted
    assert sc.names.name1.kind == Kind.config
    assert (sc.presets.preset1.kind, sc.gates.gate1.kind) == (Kind.omitted, Kind.omitted)
    assert (sc.count.kind, sc.count_mode.kind, sc.time.kind) == (Kind.omitted, Kind.config, Kind.config)
    assert (sc.update_rate.kind, sc.egu.kind) == (Kind.omitted, Kind.config)
    assert dict(sc.stage_sigs) == {"count_mode": 0}
    assert sc.trigger_signals == [sc.count]
    channels = [f"channels.chan{i}" for i in range(1, 33)]
    assert list(sc.read_attrs) == ["channels", *channels, "names", "presets", "gates"]


def test_scaler_ch_components_as_classic(record: str) -> None:
    sc = ScalerCH(record, name="sc")
    assert sc.channels.component_names == tuple(f"chan{i:02d}" for i in range(1, 33))
    chan = sc.channels.chan05
    assert isinstance(chan, ScalerChannel)
    assert {attr: getattr(chan, attr).pvname for attr in ("chname", "s", "preset", "gate")} == {
        "chname": record + ".NM5",
        "s": record + ".S5",
        "preset": record + ".PR5",
        "gate": record + ".G5",
    }
    assert isinstance(chan.s, EpicsSignalRO) and isinstance(chan.chname, EpicsSignal)
    assert chan.gate.as_string and not chan.s.auto_monitor
    assert (chan.kind, chan.s.kind, chan.chname.kind, chan.preset.kind) == (
        Kind.normal | Kind.config,
        Kind.hinted,
        Kind.config,
        Kind.config,
    )
    assert (sc.time.kind, sc.update_rate.kind, sc.count.kind) == (Kind.normal, Kind.omitted, Kind.omitted)
    assert sc.count.pvname == record + ".CNT" and sc.time.pvname == record + ".T"
    assert dict(sc.stage_sigs) == {}


def test_scaler_ch_constructor_reads_nothing(scaler_prefix: str) -> None:
    """Not classic (docs/migrating-from-ophyd.md): classic read the 32 names in the constructor, and failed there
    when the record was not reachable; the names are read at the first use instead."""
    sc = ScalerCH(f"{scaler_prefix}no_such_scaler", name="sc")
    assert sc.channels.chan02.s.name == "sc_channels_chan02_s"
    assert not sc.channels.chan02.chname.connected
    sc.destroy()


# ----- counting --------------------------------------------------------------------------------------------


def test_stage_puts_one_shot_and_unstage_restores(scaler: EpicsScaler, record: str) -> None:
    ca_write(f"{record}.CONT", 1, notify=True)  # AutoCount
    scaler.stage()
    try:
        assert _value(f"{record}.CONT") == "OneShot"
    finally:
        scaler.unstage()
    assert _value(f"{record}.CONT") == "AutoCount"


def test_trigger_completes_when_the_count_ends(scaler: EpicsScaler, record: str) -> None:
    started = time.monotonic()
    status = scaler.trigger()
    status.wait(TIMEOUT)
    assert time.monotonic() - started >= PRESET  # done only after the record counted the preset time
    assert status.success
    assert _value(f"{record}.CNT") == "Done"
    assert scaler.time.get() == pytest.approx(PRESET)
    assert scaler.channels.chan1.get() == PRESET * FREQ == scaler.presets.preset1.get()
    for n in (2, 3, 32):
        assert getattr(scaler.channels, f"chan{n}").get() == round(channel_rate(n) * PRESET)


def test_epics_scaler_read_keys(scaler: EpicsScaler) -> None:
    scaler.trigger().wait(TIMEOUT)
    reading = scaler.read()
    assert list(reading) == [f"scaler_channels_chan{i}" for i in range(1, 33)]
    assert reading["scaler_channels_chan2"]["value"] == round(channel_rate(2) * PRESET)
    assert scaler.hints == {"fields": list(reading)}
    config = scaler.read_configuration()
    assert config["scaler_names_name2"]["value"] == "I0"
    assert config["scaler_preset_time"]["value"] == pytest.approx(PRESET)
    assert config["scaler_count_mode"]["value"] == "OneShot"
    assert set(scaler.describe()) == set(reading)


def test_scaler_ch_keys_are_the_record_channel_names(scaler_ch: ScalerCH) -> None:
    """A channel's data key is its .NMn, read on first use; an unnamed channel keeps its tree name."""
    assert scaler_ch.channels.chan02.s.name == "sc_channels_chan02_s"  # not read yet
    scaler_ch.trigger().wait(TIMEOUT)
    reading = scaler_ch.read()
    named = list(DEFAULT_NAMES)
    unnamed = [f"sc_channels_chan{i:02d}_s" for i in range(len(named) + 1, 33)]
    assert list(reading) == [*named, *unnamed, "sc_time"]
    assert reading["I0"]["value"] == round(channel_rate(2) * PRESET)
    assert reading["clock"]["value"] == PRESET * FREQ
    assert scaler_ch.channels.chan02.s.name == "I0"
    assert set(scaler_ch.describe()) == set(reading)


def test_select_channels(scaler_ch: ScalerCH) -> None:
    scaler_ch.select_channels(None)
    assert list(scaler_ch.read()) == [*DEFAULT_NAMES, "sc_time"]
    assert scaler_ch.channels.read_attrs[:2] == ["chan01", "chan01.s"]

    scaler_ch.select_channels(["I0", "diode"])
    scaler_ch.trigger().wait(TIMEOUT)
    reading = scaler_ch.read()
    assert list(reading) == ["I0", "diode", "sc_time"]
    assert reading["diode"]["value"] == round(channel_rate(4) * PRESET)
    assert scaler_ch.hints == {"fields": ["I0", "diode"]}
    config = scaler_ch.read_configuration()
    assert "sc_channels_chan02_chname" in config and "sc_channels_chan01_chname" not in config

    with pytest.raises(
        RuntimeError, match=r"The channel nope is not configured on the scaler.*'clock', 'I0'"
    ):
        scaler_ch.select_channels(["nope"])


def test_match_names_follows_the_record(scaler_ch: ScalerCH) -> None:
    assert "sc_channels_chan05_s" in scaler_ch.describe()  # the first use matches the names: chan05 has none
    scaler_ch.channels.chan05.chname.put("mon", wait=True)
    assert "mon" not in scaler_ch.describe()  # as classic: a new name counts from match_names() on
    scaler_ch.match_names()
    assert scaler_ch.channels.chan05.s.name == "mon"
    scaler_ch.select_channels(["mon"])
    scaler_ch.trigger().wait(TIMEOUT)
    assert scaler_ch.read()["mon"]["value"] == round(channel_rate(5) * PRESET)
    scaler_ch.name = "renamed"  # renaming the device keeps the record's channel names as keys
    assert list(scaler_ch.read()) == ["mon", "renamed_time"]
    scaler_ch.channels.chan05.chname.put("", wait=True)
    scaler_ch.match_names()
    assert scaler_ch.channels.chan05.s.name == "renamed_channels_chan05_s"


@pytest.mark.parametrize("cls", [EpicsScaler, ScalerCH])
def test_run_engine_count(record: str, RE: RunEngine, cls: type[EpicsScaler | ScalerCH]) -> None:
    device = cls(record, name="det")
    device.wait_for_connection(timeout=TIMEOUT)
    device.preset_time.put(0.05, wait=True)
    if isinstance(device, ScalerCH):
        device.select_channels()
    docs: list[tuple[str, dict[str, Any]]] = []
    RE(bp.count([device], 3), lambda name, doc: docs.append((name, doc)))
    events = [doc for name, doc in docs if name == "event"]
    assert len(events) == 3
    clock = "clock" if isinstance(device, ScalerCH) else "det_channels_chan1"
    assert [event["data"][clock] for event in events] == [0.05 * FREQ] * 3
    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert set(descriptor["data_keys"]) == set(events[0]["data"])
    device.destroy()


def test_stop_ends_a_count(scaler: EpicsScaler, record: str) -> None:
    """Not classic: classic's stop() left the record counting (docs/migrating-from-ophyd.md)."""
    scaler.preset_time.put(30.0, wait=True)
    status = scaler.trigger()
    wait_for(lambda: _value(f"{record}.CNT") == "Count", TIMEOUT, "the count to start")
    stopped = time.monotonic()
    scaler.stop()
    status.wait(TIMEOUT)
    assert time.monotonic() - stopped < TIMEOUT
    assert _value(f"{record}.CNT") == "Done"
    elapsed = scaler.time.get()
    assert 0 < elapsed < 30.0
    assert scaler.channels.chan1.get() == pytest.approx(elapsed * FREQ)


# ----- the IOC's own behaviour, seen by a plain CA client ---------------------------------------------------


def test_ioc_read_only_fields_refuse_writes(record: str) -> None:
    for field in (".S1", ".T", ".NCH"):
        with pytest.raises(ErrorResponseReceived):
            ca_write(f"{record}{field}", 5, notify=True)
    assert _value(f"{record}.NCH") == 32


def test_ioc_gated_channel_preset_ends_the_count(record: str) -> None:
    ca_write(f"{record}.PR3", 100, notify=True)
    try:
        assert _value(f"{record}.G3") == "Y"
        ca_write(f"{record}.CNT", 1, notify=True, timeout=TIMEOUT)  # TP is 1 s; channel 3 reaches 100 first
        assert _value(f"{record}.S3") == 100
        assert _value(f"{record}.T") == pytest.approx(100 / channel_rate(3))
    finally:
        ca_write(f"{record}.PR3", 0, notify=True)
    assert _value(f"{record}.G3") == "N"


def test_ioc_auto_count(record: str) -> None:
    ca_write(f"{record}.TP1", 0.07, notify=True)
    ca_write(f"{record}.CONT", "AutoCount", notify=True)
    wait_for(
        lambda: _value(f"{record}.S2") == round(channel_rate(2) * 0.07) and _value(f"{record}.CNT") == "Done",
        TIMEOUT,
        "the record to auto-count",
    )
    ca_write(f"{record}.CONT", "OneShot", notify=True)
