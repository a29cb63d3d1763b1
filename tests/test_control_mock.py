"""The mock backend: in-memory channels with the semantics of the CA backends, and the helpers tests use."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import numpy as np
import pytest
from helpers import TIMEOUT, PutWaiter

from sophyd.control import PVReading, get_backend
from sophyd.control._mock import (
    MockChannel,
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)
from sophyd.errors import DisconnectedError, PutFailedError, ReadOnlyError

_names = itertools.count()


@pytest.fixture
def ch() -> MockChannel:
    channel = get_backend("mock").channel(f"MOCK:pv{next(_names)}")
    assert isinstance(channel, MockChannel)
    return channel


def test_connected_at_once_and_shared(ch: MockChannel) -> None:
    assert ch.connected and ch.wait_for_connection(0)
    assert get_backend("mock").channel(ch.pvname) is ch
    assert ch.get().value == 0.0 and ch.info().native_type == "float"


@pytest.mark.parametrize(
    ("value", "native_type", "count"),
    [
        (1.5, "float", 1),
        (3, "integer", 1),
        ("abc", "string", 1),
        ("/x" * 30, "char", 256),
        ([1.0, 2.0], "float", 2),
    ],
)
def test_metadata_inferred_from_first_value(
    ch: MockChannel, value: Any, native_type: str, count: int
) -> None:
    set_mock_value(ch.pvname, value)
    info = ch.info()
    assert (info.native_type, info.count) == (native_type, count)
    got = ch.get().value
    assert list(got) == value if isinstance(got, np.ndarray) else got == value


def test_put_completes_and_monitors_fire(ch: MockChannel) -> None:
    seen: list[PVReading] = []
    changed = threading.Event()
    handle = ch.subscribe(lambda r: (seen.append(r), changed.set() if r.value == 7.0 else None))
    done = PutWaiter()
    ch.put(7.0, callback=done)
    assert done.event.wait(TIMEOUT) and done.error is None
    assert changed.wait(TIMEOUT) and ch.get().value == 7.0
    ch.unsubscribe(handle)


def test_monitor_cache_serves_reads_again_once_a_server_read_finds_it_current(
    ch: MockChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a put the monitored channel reads the server; when that read is no newer than the monitor update
    that already arrived (the mock posts it before the put completes), the cache serves the reads after it."""
    handle = ch.subscribe(lambda r: None)
    done = PutWaiter()
    ch.put(7.0, callback=done)
    assert done.event.wait(TIMEOUT) and done.error is None
    server_reads: list[tuple[Any, ...]] = []
    begin_get = ch._begin_get
    monkeypatch.setattr(ch, "_begin_get", lambda *args: (server_reads.append(args), begin_get(*args))[1])
    assert [ch.get().value for _ in range(3)] == [7.0, 7.0, 7.0]
    assert len(server_reads) == 1  # the first read after the put only
    ch.put(8.0, callback=PutWaiter())
    assert ch.get().value == 8.0 and len(server_reads) == 2  # a new write: read the server again, once
    ch.unsubscribe(handle)


def test_held_completion(ch: MockChannel) -> None:
    set_mock_put_proceeds(ch, False)
    done = PutWaiter()
    ch.put(2.0, callback=done)
    assert ch.get().value == 2.0 and not done.event.is_set()
    set_mock_put_proceeds(ch, True)
    assert done.event.wait(TIMEOUT) and done.error is None


def test_held_completion_times_out(ch: MockChannel) -> None:
    set_mock_put_proceeds(ch, False)
    done = PutWaiter()
    ch.put(2.0, callback=done, timeout=0.05)
    assert done.event.wait(TIMEOUT) and isinstance(done.error, TimeoutError)


def test_put_failure(ch: MockChannel) -> None:
    mock_put_failure(ch, "putter raised")
    done = PutWaiter()
    ch.put(9.0, callback=done)
    assert done.event.wait(TIMEOUT) and isinstance(done.error, PutFailedError)
    assert ch.pvname in str(done.error) and "putter raised" in str(done.error)
    assert ch.get().value != 9.0
    mock_put_failure(ch, None)
    ok = PutWaiter()
    ch.put(9.0, callback=ok)
    assert ok.event.wait(TIMEOUT) and ok.error is None


def test_enum_and_read_only(ch: MockChannel) -> None:
    set_mock_info(ch, native_type="enum", enum_strs=("Off", "On"))
    ch.put("On")
    assert ch.get().value == 1 and ch.get(as_string=True).value == "On"
    set_mock_info(ch, write_access=False)
    with pytest.raises(ReadOnlyError):
        ch.put("Off")


def test_disconnect(ch: MockChannel) -> None:
    states: list[bool] = []
    down = threading.Event()
    ch.add_connection_callback(lambda up: (states.append(up), None if up else down.set()))
    set_mock_connected(ch, False)
    assert down.wait(TIMEOUT)
    with pytest.raises(DisconnectedError):
        ch.get()
    set_mock_connected(ch, True)
    assert ch.get().value == 0.0


def test_get_many_and_helpers_by_signal_like_object(ch: MockChannel) -> None:
    class FakeSignal:
        pvname = ch.pvname

    set_mock_value(FakeSignal(), 4)
    other = get_backend("mock").channel(ch.pvname + ":other")
    readings = get_backend("mock").get_many([ch, other], as_string=[True, False])
    assert [r.value for r in readings] == ["4", 0.0]


def test_new_backend_is_used_inside_the_block_and_closed_after() -> None:
    from sophyd import control

    before = control.get_backend("mock")
    with control.new_backend("mock") as backend:
        assert control.get_backend("mock") is backend is not before
        assert backend in control.backends() and before not in control.backends()
        channel = backend.channel("new_backend:pv")
        assert backend.channels() == [channel]
    assert control.get_backend("mock") is before
    assert backend.channels() == []  # closed: every channel destroyed
    with pytest.raises(ValueError, match="no_such_layer"), control.new_backend("no_such_layer"):
        pass  # pragma: no cover


def test_get_cl_is_the_name_and_has_classics_name_attribute() -> None:
    """Classic's get_cl() returns a namespace whose ``name`` says which client it is; sophyd's is the name
    itself, a str, with that attribute too."""
    from sophyd import get_cl
    from sophyd.control import use_cl

    with use_cl("mock"):
        cl = get_cl()
        assert cl == "mock" and cl.name == "mock" and isinstance(cl, str)
    assert get_cl().name == str(get_cl()) != "mock"
