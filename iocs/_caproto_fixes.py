"""Every change sophyd's IOCs make to caproto's server, in one place: TCP_NODELAY on, a burst of requests
answered in one send(), monitor updates in small batches sent without waiting for more, and search replies that
echo the client's sequence.

``sophyd_iocs._run.run_ioc`` applies all five before the server runs. Each replaces a private attribute of
caproto's server, listed in ``CAPROTO_INTERNALS``; tests/test_caproto_internals.py fails with the attribute's
name when an installed caproto no longer has one (setup.cfg pins the caproto versions tested).

caproto 1.3 leaves TCP_NODELAY off by accident: it creates its listening socket with protocol 0, and asyncio
sets TCP_NODELAY on an accepted socket only when ``sock.proto == IPPROTO_TCP``, so every server circuit runs
with Nagle's algorithm. A small response written while an earlier segment is unacknowledged then waits for the
client's delayed ACK (40 ms on Linux), which libca clients see as put-completions on monitored PVs that now and
then take tens of milliseconds instead of a fraction of one (measurements in bench/README.md).
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any

import caproto as ca
import caproto.asyncio.server as _server
import caproto.server.common as _common
from caproto import CaprotoNetworkError

__all__ = [
    "CAPROTO_INTERNALS",
    "SUB_BATCH_BYTES",
    "bound_subscription_batches",
    "coalesce_responses",
    "echo_search_sequence",
    "enable_tcp_nodelay",
    "send_updates_promptly",
]

#: The private caproto attributes replaced or relied on here, as ``(module, "Class.attribute" or "name")``.
CAPROTO_INTERNALS: tuple[tuple[str, str], ...] = (
    ("caproto.asyncio.server", "_create_bound_tcp_socket"),
    ("caproto.asyncio.server", "_TransportWrapper"),
    ("caproto.asyncio.server", "_TransportWrapper.writer"),
    ("caproto.asyncio.server", "Event"),
    ("caproto.asyncio.server", "VirtualCircuit.get_from_sub_queue"),
    ("caproto.server.common", "SUB_BATCH_THRESH"),
    ("caproto.server.common", "Context._broadcaster_queue_iteration"),
    ("caproto.server.common", "Context.broadcaster"),
)

SUB_BATCH_BYTES = 2048


async def _create_bound_tcp_socket(addr: str, port: int) -> socket.socket:
    """A listening socket made with IPPROTO_TCP, so asyncio sets TCP_NODELAY on every accepted circuit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setblocking(False)
    sock.bind((addr, port))
    return sock


def enable_tcp_nodelay() -> None:
    """Make caproto's asyncio server create its TCP listeners with IPPROTO_TCP; call before the server runs."""
    _server._create_bound_tcp_socket = _create_bound_tcp_socket


class _CoalescingTransport(_server._TransportWrapper):  # type: ignore[misc]
    """A circuit's transport that sends every response made in one pass of the event loop in one segment.

    caproto's circuit answers each request with its own ``send()`` syscall, a large share of the IOC's busy
    time when a client reads many PVs at once (bench/README.md, F2). Here a response joins a per-circuit buffer
    that is written when the circuit's task next yields to the event loop, so nothing waits longer than the
    work already queued ahead of it, and responses keep their order.
    """

    BATCH = 16  # responses per send at most

    def __init__(self, reader: Any, writer: Any) -> None:
        super().__init__(reader, writer)
        self._pending: list[bytes] = []

    async def send(self, bytes_to_send: bytes) -> None:
        if self.writer.transport.is_closing():
            raise CaprotoNetworkError("Failed to send: the circuit is closed")
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(bytes_to_send)
        if len(self._pending) >= self.BATCH:
            self._flush()  # the client starts on these while the rest are made
        try:
            await self.writer.drain()  # waits only while the client is not reading (the transport paused us)
        except OSError as exc:
            raise CaprotoNetworkError(f"Failed to send: {exc}") from exc

    def _flush(self) -> None:
        data, self._pending = b"".join(self._pending), []
        if data and not self.writer.transport.is_closing():
            self.writer.write(data)


class _WriteEvent(_server.Event):  # type: ignore[misc]
    """caproto's circuit write event, without a task per wait when it is already set.

    Every read first waits (bounded) for a write in progress on its circuit. caproto does that through
    ``asyncio.wait_for`` even when no write is in progress: a task and a pass of the event loop per read, which
    also splits a burst of reads into one send() each.
    """

    async def wait(self, timeout: float | None = None) -> bool:
        if self.is_set():
            return True
        return bool(await super().wait(timeout))


def bound_subscription_batches() -> None:
    """Send monitor updates in batches of at most 2 KiB (~64 updates), not caproto's 64 KiB (~2000).

    Under a flood caproto batches updates for throughput; a reply on the same circuit then waits until the
    client has taken in the whole batch before it (bench/README.md, F3). A real IOC's CA server
    sends from a 16 KiB buffer. ``CAPROTO_SERVER_SUB_BATCH_THRESH`` still overrides this.
    """
    if "CAPROTO_SERVER_SUB_BATCH_THRESH" not in os.environ:
        _common.SUB_BATCH_THRESH = SUB_BATCH_BYTES


async def _get_from_sub_queue(self: Any, timeout: float | None = None) -> Any:
    """The next queued monitor update; with a timeout, None at once when none is queued (do not wait)."""
    if timeout is None:
        return await self.subscription_queue.get()
    try:
        return self.subscription_queue.get_nowait()
    except asyncio.QueueEmpty:
        return None


def send_updates_promptly() -> None:
    """Send a circuit's monitor updates as soon as no more are queued; call before the server runs.

    caproto holds a burst of updates until none has come for 10 ms (``CAPROTO_SERVER_HIGH_LOAD_TIMEOUT_SEC``),
    so the last update of a burst, such as a motor record's DMOV = 1 after the readback and MOVN updates of the
    end of a move, reaches clients 10 ms after it was posted. A real IOC's CA server sends what is queued
    whenever it can. Updates queued meanwhile still go out together (up to ``SUB_BATCH_BYTES`` per batch).
    """
    _server.VirtualCircuit.get_from_sub_queue = _get_from_sub_queue


def coalesce_responses() -> None:
    """Make caproto's asyncio server answer a burst of requests in one pass of its event loop and one send();
    call before the server runs."""
    _server.Event = _WriteEvent
    _server._TransportWrapper = _CoalescingTransport


# Search replies: a CA client starts each search datagram with a VERSION message carrying a sequence number,
# and the server's reply must echo it. caproto 1.3 always answers 1, so libca takes every reply after its first
# search pass for a stale one: it never sees a fully answered pass, never speeds up, and paces its search
# datagrams by its round-trip estimate, which caps how fast pyepics connects many channels (bench/README.md, F1).


def echo_search_sequence() -> None:
    """Make caproto's server echo the search sequence number; call before the server runs."""
    original = _common.Context._broadcaster_queue_iteration
    if getattr(original, "_sophyd_echoes_sequence", False):
        return

    async def iteration(self: Any, addr: Any, commands: Any) -> Any:
        seq = next((c.header.parameter1 for c in commands if isinstance(c, ca.VersionRequest)), None)
        if seq is None:
            return await original(self, addr, commands)
        send = self.broadcaster.send

        def send_echoing_seq(*replies: Any) -> Any:
            for reply in replies:
                if isinstance(reply, ca.VersionResponse):
                    reply.header.parameter1 = seq
            return send(*replies)

        # The broadcaster handles one datagram at a time, so overriding send for this call is safe.
        self.broadcaster.send = send_echoing_seq
        try:
            return await original(self, addr, commands)
        finally:
            del self.broadcaster.send

    iteration._sophyd_echoes_sequence = True  # type: ignore[attr-defined]
    _common.Context._broadcaster_queue_iteration = iteration
