"""Classic ophyd's control-layer namespace (``sophyd.cl``, ``sophyd.get_cl()``) over real Channel Access.

The CA tests talk to the session's caproto test IOC on both control layers (the ``cl`` fixture selects one);
the last tests use the mock layer. Tests that write a PV write a value of their own, read back in the test.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from helpers import TIMEOUT, wait_for

import sophyd
from sophyd import ConnectionTimeoutError, EpicsSignal, PutFailedError
from sophyd.control import PV, ControlLayerName, EventDispatcher

#: What classic's ``set_cl`` puts on ``ophyd.cl`` (ophyd/__init__.py, ``exports``).
CLASSIC_EXPORTS = (
    "setup",
    "caput",
    "caget",
    "get_pv",
    "thread_class",
    "name",
    "release_pvs",
    "get_dispatcher",
)


def unique() -> float:
    """A value no earlier test wrote, inside the control limits of the test IOC's ``dbl`` (+-100)."""
    return round(time.time() % 50, 3)


def test_cl_is_classic_namespace(cl: str) -> None:
    """``sophyd.cl`` and ``get_cl()`` are the selected layer, with classic's names and its ``name``."""
    layer = sophyd.get_cl()
    assert isinstance(layer, ControlLayerName) and isinstance(sophyd.cl, ControlLayerName)
    assert layer == cl and layer.name == cl and sophyd.cl.name == cl
    assert [attr for attr in CLASSIC_EXPORTS if not hasattr(sophyd.cl, attr)] == []
    assert sophyd.cl.thread_class is threading.Thread


def test_cl_follows_set_cl() -> None:
    """As classic's module global, ``sophyd.cl`` is what the last ``set_cl`` selected."""
    try:
        sophyd.set_cl("caproto")
        assert sophyd.cl.name == "caproto"
        sophyd.set_cl("mock")
        assert sophyd.cl == "mock" and sophyd.get_cl().name == "mock"
    finally:
        sophyd.set_cl(None)
    assert sophyd.cl == sophyd.get_cl()


def test_caget_caput_round_trip(cl: str, testioc_prefix: str) -> None:
    pvname = testioc_prefix + "dbl"
    value = unique()
    assert sophyd.cl.caput(pvname, value) == 1  # returns at once; the IOC applies it soon after
    wait_for(lambda: sophyd.cl.caget(pvname) == value, TIMEOUT, f"caget of {pvname} to return {value}")
    assert sophyd.cl.caput(pvname, value + 1, wait=True) == 1
    assert sophyd.cl.caget(pvname, use_monitor=False) == value + 1
    enum = testioc_prefix + "enum"
    sophyd.cl.caput(enum, "On", wait=True)
    assert sophyd.cl.caget(enum) == 1 and sophyd.cl.caget(enum, as_string=True) == "On"
    sophyd.cl.caput(enum, 0, wait=True)
    assert sophyd.cl.caget(enum, as_string=True) == "Off"
    assert list(sophyd.cl.caget(testioc_prefix + "farray", count=3, as_numpy=False)) == [0.0, 1.0, 2.0]


def test_caput_wait_waits_for_completion(cl: str, testioc_prefix: str) -> None:
    """The IOC completes a put to ``slow`` 0.5 s after it arrives: ``wait=True`` waits for that, not more."""
    pvname = testioc_prefix + "slow"
    value = unique()
    start = time.monotonic()
    sophyd.cl.caput(pvname, value, wait=True, timeout=TIMEOUT)
    elapsed = time.monotonic() - start
    assert 0.4 <= elapsed < TIMEOUT
    assert sophyd.cl.caget(pvname) == value
    assert sophyd.cl.caput(pvname, value + 1) == 1  # no wait: sent, completion not awaited
    wait_for(lambda: sophyd.cl.caget(pvname) == value + 1, TIMEOUT, "the put without wait to land")


def test_caput_errors_name_the_pv(cl: str, testioc_prefix: str) -> None:
    """A refused put, a put that does not complete in time and a PV that does not connect raise, naming it."""
    reject = testioc_prefix + "reject"
    with pytest.raises(PutFailedError, match=reject):
        sophyd.cl.caput(reject, -1.0, wait=True, timeout=TIMEOUT)
    slow = testioc_prefix + "slow"
    with pytest.raises(TimeoutError, match=slow):
        sophyd.cl.caput(slow, unique(), wait=True, timeout=0.1)
    missing = testioc_prefix + "no_such_pv"
    start = time.monotonic()
    with pytest.raises(ConnectionTimeoutError, match=missing):
        sophyd.cl.caget(missing, connection_timeout=0.5)
    with pytest.raises(ConnectionTimeoutError, match=missing):
        sophyd.cl.caput(missing, 1.0, connection_timeout=0.5)
    assert time.monotonic() - start < TIMEOUT
    with pytest.raises(ValueError, match=testioc_prefix + "dbl"):
        sophyd.cl.caput(testioc_prefix + "dbl", "not a number")


def test_get_pv_callbacks(cl: str, testioc_prefix: str) -> None:
    """Connection, access and value callbacks get pyepics' arguments; put callbacks run at completion."""
    pvname = testioc_prefix + "slow"
    connections: list[tuple[str, bool]] = []
    access: list[tuple[bool, bool]] = []
    pv = sophyd.cl.get_pv(
        pvname,
        connection_callback=lambda pvname, conn, pv: connections.append((pvname, conn)),
        access_callback=lambda read, write, pv: access.append((read, write)),
    )
    try:
        assert isinstance(pv, PV) and pv.pvname == pvname
        assert pv.wait_for_connection(TIMEOUT) and pv.connected
        assert sophyd.cl.get_pv(pvname) is pv  # one PV object per name, as pyepics' cache
        value = unique()
        seen: list[dict[str, Any]] = []
        arrived = threading.Event()

        def on_value(**kwargs: Any) -> None:
            seen.append(kwargs)
            if kwargs["value"] == value:
                arrived.set()

        index = pv.add_callback(on_value, tag="mine")
        completed = threading.Event()
        completion: list[dict[str, Any]] = []

        def on_complete(**kwargs: Any) -> None:
            completion.append(kwargs)
            completed.set()

        start = time.monotonic()
        assert pv.put(value, callback=on_complete, callback_data="data") == 1
        assert not completed.is_set() and pv.put_complete is False
        assert completed.wait(TIMEOUT) and time.monotonic() - start >= 0.4
        assert completion == [{"pvname": pvname, "data": "data"}] and pv.put_complete
        assert arrived.wait(TIMEOUT)
        last = seen[-1]
        assert last["pvname"] == pvname and last["tag"] == "mine" and last["cb_info"] == (index, pv)
        assert {"timestamp", "status", "severity", "char_value"} <= set(last)
        assert connections == [(pvname, True)] and access == [(True, True)]
        pv.remove_callback(index)
        pv.put(value + 1, wait=True, timeout=TIMEOUT)
        assert pv.get(use_monitor=False) == value + 1
        assert all(kw["value"] != value + 1 for kw in seen)  # removed: no call for the new value
        metadata = pv.get_all_metadata_blocking(timeout=TIMEOUT)
        assert "value" not in metadata and {"status", "severity", "timestamp", "units"} <= set(metadata)
    finally:
        sophyd.cl.release_pvs(pv)


def test_release_pvs(cl: str, testioc_prefix: str) -> None:
    """A released PV stops its callbacks and refuses use; a signal on the same PV keeps its channel."""
    pvname = testioc_prefix + "dbl"
    signal = EpicsSignal(pvname, name="dbl")
    signal.wait_for_connection(timeout=TIMEOUT)
    try:
        pv = sophyd.cl.get_pv(pvname, connect=True, timeout=TIMEOUT)
        calls: list[Any] = []
        pv.add_callback(lambda **kw: calls.append(kw["value"]))
        sophyd.cl.release_pvs(pv)
        assert not pv.connected and pv.callbacks == {}
        with pytest.raises(sophyd.DestroyedError, match=pvname):
            pv.get()
        assert sophyd.cl.get_pv(pvname) is not pv  # a new PV object for the name
        value = unique()
        signal.put(value, wait=True)
        assert signal.get() == value and sophyd.cl.caget(pvname) == value
        assert value not in calls
    finally:
        signal.destroy()


def test_dispatcher(cl: str, testioc_prefix: str) -> None:
    """Classic's EventDispatcher calls: utility tasks and thread contexts run on sophyd's dispatcher threads."""
    dispatcher = sophyd.cl.get_dispatcher()
    assert isinstance(dispatcher, EventDispatcher)
    assert sophyd.cl.setup(logging.getLogger("test")) is dispatcher
    ran: list[tuple[str, Any]] = []
    done = threading.Event()

    def task(value: Any, *, pvname: str) -> None:
        ran.append((threading.current_thread().name, value, pvname))
        done.set()

    dispatcher.schedule_utility_task(task, 1, pvname="x")
    assert done.wait(TIMEOUT) and ran == [("sophyd-utility", 1, "x")]
    assert dispatcher.is_alive() and "utility" in dispatcher.threads
    done.clear()
    dispatcher.get_thread_context("monitor").run(task, 2, pvname="y")
    assert done.wait(TIMEOUT) and ran[-1] == ("sophyd-monitor", 2, "y")
    with pytest.raises(KeyError, match="nope"):
        dispatcher.get_thread_context("nope")
    running = list(dispatcher.threads.values())
    dispatcher.stop(timeout=TIMEOUT)
    # each thread that ran has ended (another object of the session may start a new one at once)
    assert running and not any(thread.is_alive() for thread in running)
    # the threads start again when next needed: a CA callback still arrives
    pvname = testioc_prefix + "dbl"
    value = unique()
    arrived = threading.Event()
    pv = sophyd.cl.get_pv(pvname, connect=True, timeout=TIMEOUT)
    try:
        pv.add_callback(lambda **kw: kw["value"] == value and arrived.set())
        sophyd.cl.caput(pvname, value, wait=True)
        assert arrived.wait(TIMEOUT)
    finally:
        sophyd.cl.release_pvs(pv)


def test_mock_layer() -> None:
    """On the mock layer, ``cl`` reads and writes in-memory PVs, which the mock helpers play the IOC of."""
    with sophyd.control.use_cl("mock"):
        cl = sophyd.cl
        assert cl.name == "mock"
        assert cl.caput("MOCK:cl:a", 2.5, wait=True) == 1
        assert cl.caget("MOCK:cl:a") == 2.5
        connections: list[bool] = []
        pv = cl.get_pv("MOCK:cl:a", connection_callback=lambda pvname, conn, pv: connections.append(conn))
        seen = threading.Event()
        pv.add_callback(lambda **kw: kw["value"] == 7.0 and seen.set())
        sophyd.set_mock_value("MOCK:cl:a", 7.0)
        assert seen.wait(TIMEOUT) and pv.get() == 7.0
        sophyd.mock_put_failure("MOCK:cl:a", "refused by the test")
        with pytest.raises(PutFailedError, match="MOCK:cl:a"):
            cl.caput("MOCK:cl:a", 1.0, wait=True)
        sophyd.set_mock_connected("MOCK:cl:a", False)
        wait_for(
            lambda: connections == [True, False], TIMEOUT, "the connection callback to hear the disconnect"
        )
        with pytest.raises(ConnectionTimeoutError, match="MOCK:cl:a"):
            cl.caget("MOCK:cl:a", connection_timeout=0.1)
        cl.release_pvs(pv)


def test_a_signal_takes_its_own_control_layer(testioc_prefix: str) -> None:
    """Classic's ``cl=`` argument: an EPICS signal made with ``cl='caproto'`` uses caproto's client while
    another layer is selected, and says so in ``signal.cl``; a soft signal reports the layer it was given, or
    the selected one; an unknown layer is refused, naming the signal."""
    sophyd.set_cl("pyepics")
    try:
        other = EpicsSignal(testioc_prefix + "dbl", name="other_layer", cl="caproto")
        selected = EpicsSignal(testioc_prefix + "dbl", name="selected_layer")
        other.wait_for_connection(timeout=TIMEOUT)
        selected.wait_for_connection(timeout=TIMEOUT)
        assert other.cl == "caproto" and other.cl.name == "caproto" and selected.cl == "pyepics"
        value = unique()
        other.put(value, wait=True)
        assert selected.get(use_monitor=False) == pytest.approx(value)
        assert sophyd.Signal(name="soft", cl=sophyd.get_cl()).cl == "pyepics"  # classic's namespace is taken
        assert sophyd.Signal(name="soft").cl.thread_class is threading.Thread
        with pytest.raises(ValueError, match=r"'bad_layer'.*unknown control layer 'pvaccess'"):
            sophyd.Signal(name="bad_layer", cl="pvaccess")
        other.destroy()
        selected.destroy()
    finally:
        sophyd.set_cl(None)


def test_get_pv_takes_pyepics_keywords(cl: str, testioc_prefix: str) -> None:
    """``verbose`` and ``monitor_delta``, which pyepics' ``get_pv`` takes, are accepted (and not used)."""
    pv = sophyd.cl.get_pv(
        testioc_prefix + "dbl", connect=True, timeout=TIMEOUT, verbose=True, monitor_delta=0.1
    )
    try:
        assert pv.connected and pv.pvname == testioc_prefix + "dbl"
    finally:
        sophyd.cl.release_pvs(pv)
