"""How the simulated IOCs' circuits answer (iocs/_caproto_fixes.py): a burst of requests goes out in few sends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from caproto import CaprotoNetworkError

from sophyd_iocs._caproto_fixes import _CoalescingTransport, _WriteEvent


class _Transport:
    def __init__(self) -> None:
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing


class _Writer:
    """The part of asyncio.StreamWriter a circuit's transport uses; records each write (one send() each)."""

    def __init__(self) -> None:
        self.transport = _Transport()
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    async def drain(self) -> None:
        return None


def _transport() -> tuple[_CoalescingTransport, _Writer]:
    writer = _Writer()
    return _CoalescingTransport(reader=None, writer=writer), writer


def test_responses_of_one_pass_go_out_together_and_in_order() -> None:
    async def burst() -> tuple[list[bytes], list[bytes]]:
        transport, writer = _transport()
        for i in range(40):
            await transport.send(b"%02d" % i)
        during = list(writer.writes)
        await asyncio.sleep(0)  # the event loop's next pass
        return during, writer.writes

    during, writes = asyncio.run(burst())
    batch = _CoalescingTransport.BATCH
    assert [len(w) // 2 for w in during] == [batch, batch]  # full batches leave at once
    assert [len(w) // 2 for w in writes] == [batch, batch, 40 - 2 * batch]
    assert b"".join(writes) == b"".join(b"%02d" % i for i in range(40))


def test_a_lone_response_goes_out_on_the_next_pass() -> None:
    async def one() -> list[bytes]:
        transport, writer = _transport()
        await transport.send(b"answer")
        await asyncio.sleep(0)
        return writer.writes

    assert asyncio.run(one()) == [b"answer"]


def test_sending_on_a_closed_circuit_raises() -> None:
    async def closed() -> None:
        transport, writer = _transport()
        writer.transport.closing = True
        await transport.send(b"late")

    with pytest.raises(CaprotoNetworkError):
        asyncio.run(closed())


def _result_without_suspending(coro: Any) -> Any:
    """Run ``coro`` one step; its result if it finished without suspending (yielding to the event loop)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise AssertionError("the coroutine suspended")


def test_write_event_waits_only_when_a_write_is_in_progress() -> None:
    async def scenario() -> tuple[Any, ...]:
        event = _WriteEvent()
        event.set()
        ready = _result_without_suspending(event.wait(timeout=0.5))  # no task, no pass of the event loop
        event.clear()
        loop = asyncio.get_running_loop()
        start = loop.time()
        timed_out = await event.wait(timeout=0.05)
        return ready, timed_out, loop.time() - start

    ready, timed_out, waited = asyncio.run(scenario())
    assert ready is True
    assert timed_out is False and waited >= 0.04


def test_subscription_batches_are_small_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    import caproto.server.common as common

    from sophyd_iocs._caproto_fixes import SUB_BATCH_BYTES, bound_subscription_batches

    monkeypatch.setattr(common, "SUB_BATCH_THRESH", 2**16)
    monkeypatch.delenv("CAPROTO_SERVER_SUB_BATCH_THRESH", raising=False)
    bound_subscription_batches()
    assert common.SUB_BATCH_THRESH == SUB_BATCH_BYTES <= 4096
    monkeypatch.setattr(common, "SUB_BATCH_THRESH", 2**16)
    monkeypatch.setenv("CAPROTO_SERVER_SUB_BATCH_THRESH", "8192")  # caproto read it at import: leave it
    bound_subscription_batches()
    assert common.SUB_BATCH_THRESH == 2**16
