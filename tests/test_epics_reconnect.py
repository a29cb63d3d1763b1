"""EPICS signals across an IOC restart, for the pyepics and caproto backends both.

The session's test IOC is stopped and started again once, here, for both backends together; it is restarted
even when the test fails, so later tests find it running.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from helpers import TIMEOUT, Events

import sophyd
from sophyd import DisconnectedError, EpicsSignal, EpicsSignalRO
from sophyd.sim.launch import IOCSet

BACKENDS = ("pyepics", "caproto")


def _make(cl: str, prefix: str) -> dict[str, Any]:
    sophyd.set_cl(cl)
    try:
        monitored = EpicsSignal(prefix + "dbl", name=f"{cl}_dbl", timeout=10.0)
        plain = EpicsSignalRO(prefix + "long", name=f"{cl}_long", timeout=10.0)
    finally:
        sophyd.set_cl(None)
    monitored.wait_for_connection(TIMEOUT)
    plain.wait_for_connection(TIMEOUT)
    values, meta = Events(), Events()
    monitored.subscribe(values)
    monitored.subscribe(meta, event_type="meta", run=False)
    return {"monitored": monitored, "plain": plain, "values": values, "meta": meta}


def test_signals_survive_an_ioc_restart(restartable_testioc: IOCSet, testioc_prefix: str) -> None:
    ioc = restartable_testioc
    sets = {cl: _make(cl, testioc_prefix) for cl in BACKENDS}
    for cl, s in sets.items():
        s["monitored"].put(3.25, wait=True)
        s["values"].wait_for(lambda e: e["value"] == 3.25)
        assert s["plain"].get() == 7, cl

    ioc.stop("testioc")
    try:
        for cl, s in sets.items():
            # The connection callback reports the loss; then every read fails at once, naming the PV.
            s["meta"].wait_for(lambda e: e.get("connected") is False)
            assert not s["monitored"].connected, cl
            for signal in (s["monitored"], s["plain"]):
                start = time.monotonic()
                with pytest.raises(DisconnectedError) as info:
                    signal.get()
                assert time.monotonic() - start < 0.5, f"{cl}: not at once (read timeout is 10 s)"
                assert signal.pvname in str(info.value) and signal.name in str(info.value)
            with pytest.raises(DisconnectedError, match="dbl"):
                s["monitored"].get(use_monitor=False)
            with pytest.raises(DisconnectedError, match="dbl"):
                s["monitored"].put(1.0, wait=True)
            s["values"].clear()
    finally:
        ioc.start("testioc")

    for cl, s in sets.items():
        # Reconnected by themselves: the resumed monitor reports the restarted IOC's initial value 1.5.
        s["meta"].wait_for(lambda e: e.get("connected") is True, timeout=20.0)
        s["values"].wait_for(lambda e: e["value"] == 1.5, timeout=20.0)
        s["monitored"].wait_for_connection(
            timeout=20.0
        )  # the monitor may resume before the metadata read ends
        assert s["monitored"].connected, cl
        assert s["monitored"].get() == 1.5
        assert s["plain"].get() == 7
    for cl, s in sets.items():
        target = 2.0 + BACKENDS.index(cl)
        s["monitored"].put(target, wait=True)
        for other in sets.values():
            other["values"].wait_for(lambda e, t=target: e["value"] == t)
    for s in sets.values():
        s["monitored"].put(1.5, wait=True)
        s["monitored"].destroy()
        s["plain"].destroy()


#: The promise: every signal is usable again this soon after the restarted IOC answers a search.
RECOVERY_BOUND = 2.0


@pytest.mark.parametrize("restartable_ioc", ["testioc", "epics_testioc"], indirect=True)
def test_reconnect_within_two_seconds_of_the_ioc_answering(restartable_ioc: tuple[IOCSet, str]) -> None:
    """Kill and restart a caproto IOC and a real EPICS IOC; both backends recover within RECOVERY_BOUND.

    The CA repeater that launch_iocs runs hands the restarted IOC's beacons to sophyd's beacon watcher, which
    makes both clients search again at once (sophyd.control._beacons)."""
    iocs, name = restartable_ioc
    sets = {cl: _make(cl, iocs.prefix(name)) for cl in BACKENDS}
    for _trial in range(2):
        iocs.stop(name)
        for s in sets.values():
            s["meta"].wait_for(lambda e: e.get("connected") is False)
            s["values"].clear()
            s["meta"].clear()
        iocs.start(name)  # returns once the IOC answers a CA search and read
        answered = time.monotonic()
        deadline = answered + RECOVERY_BOUND
        for cl, s in sets.items():
            # Each PV has its own channel, and each reconnects on its own: every one within the bound.
            s["monitored"].wait_for_connection(timeout=max(0.1, deadline - time.monotonic()))
            s["plain"].wait_for_connection(timeout=max(0.1, deadline - time.monotonic()))
            s["values"].wait_for(lambda e: e["value"] == 1.5, timeout=max(0.1, deadline - time.monotonic()))
            elapsed = time.monotonic() - answered
            assert elapsed < RECOVERY_BOUND, f"{cl} on {name}: {elapsed:.2f} s"
            assert s["plain"].get() == 7, cl
    for s in sets.values():
        s["monitored"].destroy()
        s["plain"].destroy()
