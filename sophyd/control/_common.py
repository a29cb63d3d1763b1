"""What every backend shares: connection state, the monitor cache and its fan-out, and pending operations.

A backend subclasses ``BaseChannel`` and supplies transport only (``_begin_get``, ``_send_put``,
``_start_monitor``, ``_stop_monitor``, ``_release``); its client threads report back through
``_set_connected``, ``_set_disconnected``, ``_set_access``, ``_on_monitor`` and the ``OpTable``. Everything a
user's callback sees is handed to the sophyd dispatchers here, never run on a client library's thread.
"""

from __future__ import annotations

import abc
import itertools
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._dispatch import get_dispatcher
from .._scheduler import TimerHandle, call_later
from ..errors import DisconnectedError, PutFailedError, ReadOnlyError
from ._base import Backend, Channel, ConnectionCallback, PutCallback, PVInfo, PVReading, ReadingCallback
from ._convert import encode_value, to_string, with_access

__all__ = ["BaseBackend", "BaseChannel", "GetOp", "OpTable", "PutOp", "put_failed"]


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def put_failed(pvname: str, value: Any, reason: str) -> PutFailedError:
    """The error for a put the server refused; ``reason`` carries the ECA code and the server's message."""
    return PutFailedError(f"Put of {_describe(value)} to {pvname} failed: {reason}")


class GetOp:
    """One outstanding read; the waiting thread blocks on ``event``."""

    __slots__ = ("batch", "channel", "error", "event", "reading", "token")

    def __init__(self, channel: BaseChannel) -> None:
        self.channel = channel
        self.token = 0  # set by OpTable.add
        self.event = threading.Event()
        self.reading: PVReading | None = None
        self.error: BaseException | None = None
        self.batch: _Batch | None = None

    def finish(self, reading: PVReading | None, error: BaseException | None = None) -> None:
        self.reading, self.error = reading, error
        self.event.set()
        batch = self.batch
        if batch is not None:
            batch.finished(self)

    def fail(self, error: BaseException) -> None:
        self.finish(None, error)

    def wait(self, deadline: float, timeout: float) -> PVReading:
        """The reading, once it came; TimeoutError naming the PV if it did not come by ``deadline``."""
        if not self.event.wait(max(0.0, deadline - time.monotonic())):
            self.channel._backend._ops.pop(self.token)  # a late answer finds nothing to finish
            raise TimeoutError(f"No answer from {self.channel.pvname} to a read within {timeout} s")
        if self.error is not None:
            raise self.error
        assert self.reading is not None
        return self.reading


class _Batch:
    """The reads of one get_many: the waiting thread wakes once, when the last answer came, not per answer."""

    def __init__(self, ops: list[GetOp]) -> None:
        self._lock = threading.Lock()
        self._done: set[int] = set()
        self._count = len(ops)
        self.event = threading.Event()
        for op in ops:
            op.batch = self
        for op in ops:
            if op.event.is_set():  # answered before it joined the batch
                self.finished(op)
        if not ops:
            self.event.set()

    def finished(self, op: GetOp) -> None:
        with self._lock:
            self._done.add(id(op))
            if len(self._done) == self._count:
                self.event.set()


class PutOp:
    """One put waiting for its completion; the user's callback runs on the 'control' dispatcher."""

    __slots__ = ("callback", "channel", "timer", "token", "value")

    def __init__(self, channel: BaseChannel, value: Any, callback: PutCallback) -> None:
        self.channel = channel
        self.token = 0  # set by OpTable.add
        self.value = value
        self.callback = callback
        self.timer: TimerHandle | None = None

    def finish(self, error: BaseException | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        get_dispatcher("control").submit(self.callback, error)

    fail = finish


class OpTable:
    """Outstanding gets and puts by integer token, so each completes exactly once (first answer wins)."""

    def __init__(self) -> None:
        self._ops: dict[int, GetOp | PutOp] = {}
        self._tokens = itertools.count(1)

    def add(self, op: GetOp | PutOp) -> int:
        op.token = token = next(self._tokens)
        self._ops[token] = op
        return token

    def pop(self, token: int) -> GetOp | PutOp | None:
        return self._ops.pop(token, None)

    def add_put(self, op: PutOp, timeout: float | None) -> int:
        """Register a put; with a timeout, fail it with TimeoutError unless it completes by then."""
        token = self.add(op)
        if timeout is not None:
            op.timer = call_later(timeout, self._expire, token, timeout)
        return token

    def _expire(self, token: int, timeout: float) -> None:
        op = self.pop(token)
        if isinstance(op, PutOp):
            msg = f"Put of {_describe(op.value)} to {op.channel.pvname} did not complete within {timeout} s"
            op.fail(TimeoutError(msg))

    def fail_channel(self, channel: BaseChannel) -> None:
        """Fail every operation still waiting on ``channel`` (it disconnected) with DisconnectedError."""
        for token, op in list(self._ops.items()):
            if op.channel is channel and self.pop(token) is op:
                op.fail(DisconnectedError(f"{channel.pvname} disconnected before the operation finished"))


class BaseChannel(Channel):
    """Connection state, metadata, monitor cache and subscriber fan-out; subclasses add the transport."""

    def __init__(self, backend: BaseBackend, pvname: str) -> None:
        self.pvname = pvname
        self._backend = backend
        self._lock = threading.Lock()  # short sections only, never held across a client-library call
        self._monitor_lock = threading.Lock()  # serialises starting/stopping the server subscription
        self._connected = threading.Event()
        self._info: PVInfo | None = None
        self._dbr_type = 0
        self._access = (True, True)
        self._conn_callbacks: list[ConnectionCallback] = []
        self._subscribers: dict[int, ReadingCallback] = {}
        self._handles = itertools.count(1)
        self._cache: PVReading | None = None

    # --- what users call -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_for_connection(self, timeout: float | None) -> bool:
        return self._connected.wait(timeout)

    def info(self) -> PVInfo:
        info = self._info
        if info is None:
            raise DisconnectedError(f"{self.pvname} has never connected, so its metadata is unknown")
        return info

    def get(self, *, as_string: bool = False, use_monitor: bool = True, timeout: float = 2.0) -> PVReading:
        self._require_connected()
        cached = self._cache if use_monitor else None
        if cached is None:
            op = self._begin_get(timeout)
            self._backend._flush()
            cached = op.wait(time.monotonic() + timeout, timeout)
        return self.format(cached, as_string)

    def put(self, value: Any, *, callback: PutCallback | None = None, timeout: float | None = None) -> None:
        self._require_connected()
        info = self.info()
        if not info.write_access:
            raise ReadOnlyError(f"{self.pvname} is read-only (the server grants no write access)")
        data = encode_value(self.pvname, self._dbr_type, info, value)
        token = None
        if callback is not None:
            token = self._backend._ops.add_put(PutOp(self, value, callback), timeout)
        try:
            self._send_put(data, token)
        except BaseException:
            if token is not None:
                self._backend._ops.pop(token)
            raise

    def subscribe(self, callback: ReadingCallback) -> int:
        with self._lock:
            handle = next(self._handles)
            self._subscribers[handle] = callback
            first, cached = len(self._subscribers) == 1, self._cache
        if first:
            self._sync_monitor()
        elif cached is not None:
            get_dispatcher("monitor").submit(callback, cached, key=(id(self), handle))
        return handle

    def unsubscribe(self, handle: int) -> None:
        with self._lock:
            removed = self._subscribers.pop(handle, None)
            last = removed is not None and not self._subscribers
        if last:
            self._sync_monitor()

    def add_connection_callback(self, callback: ConnectionCallback) -> None:
        with self._lock:
            self._conn_callbacks.append(callback)
        if self.connected:
            get_dispatcher("control").submit(callback, True)

    def destroy(self) -> None:
        with self._lock:
            self._subscribers.clear()
            self._conn_callbacks.clear()
        self._sync_monitor()
        self._connected.clear()
        self._backend._forget(self)
        self._release()

    def format(self, reading: PVReading, as_string: bool) -> PVReading:
        """``reading`` with its value as text when ``as_string`` (enum labels, floats at precision)."""
        if not as_string or self._info is None:
            return reading
        return PVReading(
            to_string(reading.value, self._info), reading.timestamp, reading.status, reading.severity
        )

    # --- what client threads call ---------------------------------------------------------------------
    def _set_connected(self, dbr_type: int, info: PVInfo) -> None:
        """Connection (or reconnection) complete with fresh metadata: wake waiters, tell callbacks."""
        with self._lock:
            self._dbr_type = dbr_type
            self._info = with_access(info, *self._access)
            callbacks = list(self._conn_callbacks)
        self._connected.set()
        control = get_dispatcher("control")
        control.submit(self._sync_monitor)
        for callback in callbacks:
            control.submit(callback, True)

    def _set_disconnected(self) -> None:
        """The server went away: fail what waits on it and tell callbacks; the client keeps reconnecting."""
        with self._lock:
            was_connected = self._connected.is_set()
            self._connected.clear()
            self._cache = None
            callbacks = list(self._conn_callbacks)
        self._backend._ops.fail_channel(self)
        if was_connected:
            control = get_dispatcher("control")
            for callback in callbacks:
                control.submit(callback, False)

    def _set_access(self, read_access: bool, write_access: bool) -> None:
        with self._lock:
            self._access = (read_access, write_access)
            if self._info is not None:
                self._info = with_access(self._info, read_access, write_access)

    def _on_monitor(self, reading: PVReading) -> None:
        """A monitor update: keep it as the cache and hand it to every subscriber (coalesced per subscriber)."""
        with self._lock:
            if not self._subscribers:
                return
            self._cache = reading
            subscribers = list(self._subscribers.items())
        monitor = get_dispatcher("monitor")
        for handle, callback in subscribers:
            monitor.submit(callback, reading, key=(id(self), handle))

    def _require_connected(self) -> None:
        if not self._connected.is_set():
            raise DisconnectedError(f"{self.pvname} is not connected")

    def _sync_monitor(self) -> None:
        """Start the server subscription when there are subscribers and a connection; stop it when none."""
        with self._monitor_lock:
            with self._lock:
                wanted = bool(self._subscribers)
                if not wanted:
                    self._cache = None
            if wanted and self.connected:
                self._start_monitor()
            elif not wanted:
                self._stop_monitor()

    # --- transport, supplied by each backend ----------------------------------------------------------
    @abc.abstractmethod
    def _begin_get(self, timeout: float) -> GetOp:
        """Send a read of the current value (time metadata included); the op finishes when it answers.

        ``timeout`` is how long the caller will wait, for clients that want to know."""

    @abc.abstractmethod
    def _send_put(self, data: np.ndarray, token: int | None) -> None:
        """Send native ``data``; with a token, ask for completion and finish that op when it arrives."""

    @abc.abstractmethod
    def _start_monitor(self) -> None:
        """Make the server subscription if there is none (idempotent); updates go to ``_on_monitor``."""

    @abc.abstractmethod
    def _stop_monitor(self) -> None:
        """Clear the server subscription if there is one (idempotent)."""

    @abc.abstractmethod
    def _release(self) -> None:
        """Give the channel back to the client library."""


class BaseBackend(Backend):
    """One channel per PV name, a table of outstanding operations, and concurrent ``get_many``."""

    def __init__(self) -> None:
        self._channels: dict[str, BaseChannel] = {}
        self._channels_lock = threading.Lock()
        self._ops = OpTable()

    def channel(self, pvname: str) -> BaseChannel:
        with self._channels_lock:
            channel = self._channels.get(pvname)
            if channel is None:
                channel = self._channels[pvname] = self._make_channel(pvname)
        return channel

    def get_many(
        self,
        channels: Sequence[Channel],
        *,
        as_string: Sequence[bool],
        timeout: float = 2.0,
        use_monitor: bool = True,
    ) -> list[PVReading]:
        """Send every read first, flush once, then collect the answers against one deadline.

        Channels with a subscription answer from their monitor cache, as ``get()`` does by default, unless
        ``use_monitor=False``.
        """
        chans = [ch for ch in channels if isinstance(ch, BaseChannel)]
        if len(chans) != len(channels):
            raise TypeError(f"get_many of the {self.name} backend takes only its own channels")
        for ch in chans:
            ch._require_connected()
        deadline = time.monotonic() + timeout
        ops = [(ch._cache if use_monitor else None) or ch._begin_get(timeout) for ch in chans]
        self._flush()
        _Batch([op for op in ops if isinstance(op, GetOp)]).event.wait(max(0.0, deadline - time.monotonic()))
        return [
            ch.format(op if isinstance(op, PVReading) else op.wait(deadline, timeout), s)
            for ch, op, s in zip(chans, ops, as_string, strict=True)
        ]

    def _forget(self, channel: BaseChannel) -> None:
        with self._channels_lock:
            if self._channels.get(channel.pvname) is channel:
                del self._channels[channel.pvname]

    def _flush(self) -> None:
        """Push requests queued by ``_begin_get`` onto the wire (a no-op where sends are immediate)."""

    @abc.abstractmethod
    def _make_channel(self, pvname: str) -> BaseChannel:
        """A new channel for ``pvname``; it starts connecting at once and never blocks."""
