"""What every backend shares: connection state, the monitor cache and its fan-out, and pending operations.

A backend subclasses ``BaseChannel`` and supplies transport only (``_begin_get``, ``_send_put``,
``_start_monitor``, ``_stop_monitor``, ``_release``); its client threads report back through
``_set_connected``, ``_set_disconnected``, ``_set_access``, ``_on_monitor`` and the ``OpTable``. Everything a
user's callback sees is handed to the sophyd dispatchers here, never run on a client library's thread.
"""

from __future__ import annotations

import abc
import itertools
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._dispatch import get_dispatcher
from .._scheduler import TimerHandle, call_later
from ..errors import DisconnectedError, PutFailedError, ReadOnlyError
from ._base import (
    DEFAULT_TIMEOUT,
    FORMS,
    Backend,
    Channel,
    ConnectionCallback,
    PutCallback,
    PVInfo,
    PVReading,
    ReadingCallback,
)
from ._beacons import get_watcher
from ._convert import encode_value, to_string, with_access
from ._stall import StallWatch

__all__ = ["BaseBackend", "BaseChannel", "GetOp", "InfoOp", "Latch", "OpTable", "PutOp", "put_failed"]

logger = logging.getLogger("sophyd.control_layer")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _deadline(timeout: float | None) -> float | None:
    """The ``time.monotonic()`` by which a wait of ``timeout`` seconds ends; None (no limit) for None."""
    return None if timeout is None else time.monotonic() + timeout


def _left(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (never negative); None for no deadline."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


_SEARCH_AGAIN_EVERY = 0.1  # seconds between two searches prompted by a restarted server's beacons


def put_failed(pvname: str, value: Any, reason: str) -> PutFailedError:
    """The error for a put the server refused; ``reason`` carries the ECA code and the server's message."""
    return PutFailedError(f"Put of {_describe(value)} to {pvname} failed: {reason}")


class Latch:
    """A one-shot event on one lock: ``set()`` it once, ``wait()`` for it from any number of threads.

    The same calls as threading.Event's, for an event never cleared. An Event is a Condition with its own
    lock, deque and bound methods, about 1 KiB; a describe() of 5000 signals makes 5000 reads at once.
    """

    __slots__ = ("_flag", "_lock")

    def __init__(self) -> None:
        self._flag = False
        self._lock = threading.Lock()
        self._lock.acquire()  # held until set(): a waiter blocks acquiring it

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        with _latch_guard:  # two threads setting at once release the lock once
            if self._flag:
                return
            self._flag = True
        self._lock.release()

    def wait(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        if self._lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            self._lock.release()  # for the next waiter
        return self._flag


_latch_guard = threading.Lock()
# Subscription handles: unique per process is unique per channel (one counter instead of one per channel).
_handles = itertools.count(1)


class GetOp:
    """One outstanding read (of a value, or of the control metadata); waiting threads block on ``event``."""

    __slots__ = ("answered_at", "batches", "channel", "error", "event", "result", "token")

    def __init__(self, channel: BaseChannel) -> None:
        self.channel = channel
        self.token = 0  # set by OpTable.add
        self.event = Latch()
        self.result: Any = None
        self.error: BaseException | None = None
        self.batches: list[_Batch] = []
        self.answered_at = 0.0  # time.monotonic() of the answer (get_many's StallWatch looks at the gaps)

    def finish(self, result: Any, error: BaseException | None = None) -> None:
        self.result, self.error = result, error
        self.answered_at = time.monotonic()
        self.event.set()
        for batch in self.batches:
            batch.finished(self)

    def fail(self, error: BaseException) -> None:
        self.finish(None, error)

    def wait(self, deadline: float | None, timeout: float | None) -> Any:
        """The result, once it came; TimeoutError naming the PV if it did not come by ``deadline`` (None:
        wait as long as it takes)."""
        if not self.event.wait(_left(deadline)):
            if self.channel._backend._ops.pop(self.token) is self:  # a late answer now finds nothing
                self.fail(TimeoutError(f"No answer from {self.channel.pvname} to a read within {timeout} s"))
            self.event.wait(1.0)  # finished by now: by us, or by an answer or disconnect that won the race
        if self.error is not None:
            raise self.error
        return self.result


class InfoOp(GetOp):
    """A read of the control metadata; the channel keeps what it brings (or forgets the op if it failed)."""

    __slots__ = ()

    def finish(self, result: Any, error: BaseException | None = None) -> None:
        self.channel._info_done(self, result)
        super().finish(result, error)


class _CountDown:
    """Wakes its one waiter when each of ``count`` distinct items is done, not once per item."""

    def __init__(self, count: int) -> None:
        self._lock = threading.Lock()
        self._done: set[int] = set()
        self._count = count
        self.event = threading.Event()
        if count == 0:
            self.event.set()

    def finished(self, item: object) -> None:
        with self._lock:
            self._done.add(id(item))
            if len(self._done) >= self._count:
                self.event.set()

    def wait(self, deadline: float | None) -> None:
        self.event.wait(_left(deadline))


class _Batch(_CountDown):
    """The reads of one get_many: the waiting thread wakes once, when the last answer came, not per answer."""

    def __init__(self, ops: Sequence[GetOp]) -> None:
        super().__init__(len(ops))
        for op in ops:
            op.batches.append(self)
        for op in ops:
            if op.event.is_set():  # answered before it joined the batch
                self.finished(op)


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

    def fail_channel(self, channel: BaseChannel, why: str = "disconnected") -> None:
        """Fail every operation still waiting on ``channel`` (it disconnected, or ``why``) with
        DisconnectedError."""
        for token, op in list(self._ops.items()):
            if op.channel is channel and self.pop(token) is op:
                op.fail(DisconnectedError(f"{channel.pvname} {why} before the operation finished"))


class BaseChannel(Channel):
    """Connection state, metadata, monitor cache and subscriber fan-out; subclasses add the transport."""

    def __init__(self, backend: BaseBackend, pvname: str) -> None:
        self.pvname = pvname
        self._backend = backend
        self._lock = threading.Lock()  # short sections only, never held across a client-library call
        self._monitor_lock = threading.Lock()  # serialises starting/stopping the server subscription
        self._is_connected = False
        self._waiter: Latch | None = None  # made by a wait_for_connection while not connected
        self.ever_connected = False
        self._latches: list[_CountDown] | None = None  # wait_for_connection_many waiters, while there are any
        self._info: PVInfo | None = None
        self._info_op: InfoOp | None = None  # the control-metadata read in flight, if any
        self._dbr_type = 0
        self._access = (True, True)
        self._conn_callbacks: list[ConnectionCallback] | None = None  # made by the first one added
        self._subscribers: dict[int, ReadingCallback] = {}
        self._cache: PVReading | None = None
        # Read-your-writes: after a put (or ``invalidate()``) the monitor cache may still hold the old value,
        # because the server answers a put before it sends the monitor update. Until an update at least as
        # new as a server read made since arrives, reads that would answer from the cache read the server.
        self._stale = False
        self._fresh_ts: float | None = None  # the timestamp of the newest server read while stale

    # --- what users call -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._is_connected

    def wait_for_connection(self, timeout: float | None) -> bool:
        if not self._is_connected:
            if self._backend.out_of_reach(self.pvname):
                return False  # it will not connect: say so now, not after the timeout
            with self._lock:
                waiter = None  # connected meanwhile
                if not self._is_connected:
                    waiter = self._waiter
                    if waiter is None:
                        waiter = self._waiter = Latch()  # set (and dropped) by _set_connected
            if waiter is not None and not waiter.wait(timeout):
                return False
        self._start_pending_monitor()
        return True

    def _start_pending_monitor(self) -> None:
        """Start the server subscription now if the channel has subscribers and it is not running yet.

        On connection the 'control' dispatcher starts it a moment later; a write sent after
        wait_for_connection() returned could reach the server first, and the subscribers would never see the
        value from before it. Started here, in the waiting thread, the subscription precedes any later
        request on the same circuit, so the first event is the value at connection, as in classic ophyd.
        """
        if self._subscribers and self._is_connected:
            try:
                self._sync_monitor()
            except Exception:  # the connection stands; the 'control' dispatcher starts it again on reconnect
                logger.exception("%s: starting the monitor after the connection failed", self.pvname)

    def info(self) -> PVInfo:
        info = self._info
        if info is None:
            raise DisconnectedError(f"{self.pvname} has never connected, so its metadata is unknown")
        return info

    def load_info(self, timeout: float | None = DEFAULT_TIMEOUT) -> PVInfo:
        op = self._begin_info()
        if op is not None:
            self._backend._flush()
            op.wait(_deadline(timeout), timeout)
        return self.info()

    def request_info(self) -> None:
        if self._is_connected:
            try:
                self._begin_info()
            except DisconnectedError:
                return  # it reconnects, and whoever needs the metadata asks again
            self._backend._flush()

    def get(
        self,
        *,
        as_string: bool = False,
        use_monitor: bool = True,
        timeout: float | None = DEFAULT_TIMEOUT,
        form: str = "time",
    ) -> PVReading:
        if form not in FORMS:
            raise ValueError(f"{self.pvname}: form must be one of {FORMS}, not {form!r}")
        self._require_connected()
        if as_string:
            self.load_info(timeout)  # enum labels and precision
        cached = self._fresh_cache() if use_monitor and form == "time" else None
        if cached is None:
            op = self._begin_get(timeout, form)
            self._backend._flush()
            cached = op.wait(_deadline(timeout), timeout)
            if form == "time":  # a reading with the server's timestamp can end the staleness after a write
                cached = self._read_from_server(cached)
        return self.format(cached, as_string)

    def invalidate(self) -> None:
        with self._lock:
            self._stale = True
            self._fresh_ts = None

    def confirm_cache(self) -> None:
        with self._lock:
            if self._cache is not None:
                self._stale = False

    def _fresh_cache(self) -> PVReading | None:
        """The monitor cache, unless a write since may not be in it yet (then None: read the server)."""
        with self._lock:
            return None if self._stale else self._cache

    def _read_from_server(self, reading: PVReading) -> PVReading:
        """Note a server read: a monitor update at least as new as it ends the staleness after a write, also
        one that arrived before the read answered (else the cache would stay stale until the PV next changes)."""
        with self._lock:
            if self._stale:
                if self._cache is not None and self._cache.timestamp >= reading.timestamp:
                    self._stale = False
                elif self._fresh_ts is None or reading.timestamp > self._fresh_ts:
                    self._fresh_ts = reading.timestamp
        return reading

    def put(self, value: Any, *, callback: PutCallback | None = None, timeout: float | None = None) -> None:
        self._require_connected()
        info = self.info()
        if info.native_type == "enum" and not info.control:
            info = self.load_info()  # labels and the index range are the enum's states
        if not info.write_access:
            raise ReadOnlyError(f"{self.pvname} is read-only (the server grants no write access)")
        data = encode_value(self.pvname, self._dbr_type, info, value)
        self.invalidate()
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
            handle = next(_handles)
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
            if self._conn_callbacks is None:
                self._conn_callbacks = []
            self._conn_callbacks.append(callback)
        if self.connected:
            get_dispatcher("control").submit(callback, True)

    def destroy(self) -> None:
        with self._lock:
            self._subscribers.clear()
            self._conn_callbacks = None
        self._sync_monitor()
        with self._lock:
            self._is_connected = False
        self._backend._forget(self)
        self._release()
        self._backend._ops.fail_channel(self, "was destroyed")  # the client library will not answer them now

    def format(self, reading: PVReading, as_string: bool) -> PVReading:
        """``reading`` with its value as text when ``as_string`` (enum labels, floats at precision, once the
        control metadata is loaded)."""
        if not as_string or self._info is None:
            return reading
        return PVReading(
            to_string(reading.value, self._info), reading.timestamp, reading.status, reading.severity
        )

    def _begin_info(self) -> InfoOp | None:
        """Send a read of the control metadata unless it is known or already asked for (None when known)."""
        self._require_connected()
        with self._lock:
            info, op = self._info, self._info_op
            if op is not None or (info is not None and info.control):
                return op
            op = self._info_op = InfoOp(self)
        token = self._backend._ops.add(op)
        try:
            self._send_info_request(token)
        except BaseException as exc:
            if self._backend._ops.pop(token) is op:
                op.fail(exc)
            raise
        return op

    def _info_done(self, op: InfoOp, info: PVInfo | None) -> None:
        """The metadata read ``op`` ended (``info`` None: it failed); keep what it brought, tell listeners."""
        with self._lock:
            if self._info_op is not op:
                return  # the channel reconnected meanwhile: a newer read answers for it
            self._info_op = None
        if info is not None:
            self._keep_control(info)

    def _keep_control(self, info: PVInfo) -> None:
        """Control metadata arrived (a metadata read, or a ``form='ctrl'`` get): keep it, tell listeners."""
        with self._lock:
            if not self._is_connected:
                return
            self._info = with_access(info, *self._access)
            callbacks = list(self._conn_callbacks or ())
        control = get_dispatcher("control")
        for callback in callbacks:
            control.submit(callback, True)

    # --- what client threads call ---------------------------------------------------------------------
    def _set_connected(self, dbr_type: int, info: PVInfo) -> None:
        """Connection (or reconnection) complete: wake waiters, tell callbacks.

        ``info`` is what the connection told (``control=False``); a reconnection forgets earlier control
        metadata, since the restarted server may say otherwise.
        """
        with self._lock:
            self._dbr_type = dbr_type
            self._info = with_access(info, *self._access)
            self._info_op = None
            callbacks = list(self._conn_callbacks or ())
        with self._lock:  # read as it connects: a subscribe() or a waiter from now on sees it connected
            self._is_connected = True
            waiter, self._waiter = self._waiter, None
            self.ever_connected = True
            monitored = bool(self._subscribers)
            latches = list(self._latches or ())
        if waiter is not None:
            waiter.set()
        for latch in latches:
            latch.finished(self)
        control = get_dispatcher("control")
        if monitored:
            control.submit(self._sync_monitor)
        for callback in callbacks:
            control.submit(callback, True)

    def _set_disconnected(self) -> None:
        """The server went away: fail what waits on it and tell callbacks; the client keeps reconnecting."""
        with self._lock:
            was_connected = self._is_connected
            self._is_connected = False
            self._cache = None
            callbacks = list(self._conn_callbacks or ())
        self._backend._ops.fail_channel(self)
        if was_connected:
            self._backend._watch_beacons()  # to search again as soon as the server is back
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
            if self._stale and self._fresh_ts is not None and reading.timestamp >= self._fresh_ts:
                self._stale = False  # the cache has caught up with what a read after the write saw
            subscribers = list(self._subscribers.items())
        monitor = get_dispatcher("monitor")
        for handle, callback in subscribers:
            monitor.submit(callback, reading, key=(id(self), handle))

    def _require_connected(self) -> None:
        if not self._is_connected:
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

    def _server(self) -> Any:
        """The server this channel is connected to (hashable), or None where that means nothing (mock)."""
        return None

    # --- transport, supplied by each backend ----------------------------------------------------------
    @abc.abstractmethod
    def _begin_get(self, timeout: float | None, form: str = "time") -> GetOp:
        """Send a read of the current value as DBR ``form`` (see ``Channel.get``); the op finishes with a
        PVReading when it answers (a 'ctrl' answer also goes to ``_keep_control``).

        ``timeout`` is how long the caller will wait, for clients that want to know."""

    @abc.abstractmethod
    def _send_info_request(self, token: int) -> None:
        """Send a read of the control metadata (DBR_CTRL); finish the InfoOp ``token`` with a PVInfo."""

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
        self._users: dict[str, int] = {}  # channel() calls not yet released, by PV name
        self._channels_lock = threading.Lock()
        self._ops = OpTable()
        self._stalls = StallWatch()
        self._watching_beacons = False
        self._searched_at = 0.0  # when _search_again last ran (monotonic)

    def out_of_reach(self, pvname: str) -> bool:
        """Whether this backend will never find ``pvname``'s IOC; only a client that reads its search list
        once (libca) can know that."""
        return False

    def channel(self, pvname: str) -> BaseChannel:
        with self._channels_lock:
            channel = self._channels.get(pvname)
            if channel is None:
                channel = self._channels[pvname] = self._make_channel(pvname)
            self._users[pvname] = self._users.get(pvname, 0) + 1
        return channel

    def channels(self) -> list[Channel]:
        with self._channels_lock:
            return list(self._channels.values())

    def close(self) -> None:
        for channel in self.channels():
            channel.destroy()

    def release(self, channel: Channel) -> None:
        with self._channels_lock:
            if self._channels.get(channel.pvname) is not channel:
                return  # destroyed already
            users = self._users.get(channel.pvname, 0) - 1
            if users > 0:
                self._users[channel.pvname] = users
                return
        channel.destroy()

    def get_many(
        self,
        channels: Sequence[Channel],
        *,
        as_string: Sequence[bool],
        timeout: float | None = DEFAULT_TIMEOUT,
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
        labelled = [ch for ch, s in zip(chans, as_string, strict=True) if s]
        if labelled:
            self.load_info_many(labelled, timeout=timeout)  # enum labels and precision
        deadline = _deadline(timeout)
        cached = [ch._fresh_cache() if use_monitor else None for ch in chans]
        by_server: dict[Any, list[int]] = {}
        for i, ch in enumerate(chans):
            if cached[i] is None:
                by_server.setdefault(ch._server(), []).append(i)
        in_turn = {server for server, idx in by_server.items() if self._stalls.read_in_turn(server, len(idx))}
        sent: dict[int, GetOp] = {}
        for server, idx in by_server.items():
            if server not in in_turn:
                for i in idx:
                    sent[i] = chans[i]._begin_get(timeout)
        self._flush()
        for server in in_turn:  # one after another: these servers stall on concurrent reads (_stall.py)
            for i in by_server[server]:
                op = sent[i] = chans[i]._begin_get(timeout)
                self._flush()
                op.event.wait(_left(deadline))
        _Batch(list(sent.values())).wait(deadline)
        for server, idx in by_server.items():
            if server not in in_turn:
                self._stalls.observe(server, [sent[i].answered_at for i in idx if sent[i].event.is_set()])
        return [
            ch.format(
                reading if reading is not None else ch._read_from_server(sent[i].wait(deadline, timeout)), s
            )
            for i, (ch, reading, s) in enumerate(zip(chans, cached, as_string, strict=True))
        ]

    def wait_for_connection_many(self, channels: Sequence[Channel], timeout: float | None) -> bool:
        """Wait until every channel is connected, waking once when the last one connects (not per channel)."""
        # Once per channel: a device may hold one channel twice (two components on one PV), and the latch
        # counts distinct channels.
        pending = list(
            {id(ch): ch for ch in channels if isinstance(ch, BaseChannel) and not ch.connected}.values()
        )
        if any(self.out_of_reach(ch.pvname) for ch in pending):
            timeout = 0.0  # one of them will not connect: say so now, not after the timeout
        latch = _CountDown(len(pending))
        for ch in pending:
            with ch._lock:
                if ch._latches is None:
                    ch._latches = []
                ch._latches.append(latch)
            if ch.connected:
                latch.finished(ch)
        try:
            latch.wait(_deadline(timeout))
        finally:
            for ch in pending:
                with ch._lock:
                    assert ch._latches is not None
                    ch._latches.remove(latch)
                    if not ch._latches:
                        ch._latches = None
        for channel in channels:
            if isinstance(channel, BaseChannel):
                channel._start_pending_monitor()
        return all(ch.connected for ch in channels)

    def load_info_many(
        self, channels: Sequence[Channel], *, timeout: float | None = DEFAULT_TIMEOUT
    ) -> list[PVInfo]:
        """Send every metadata read not yet made, flush once, then collect them against one deadline."""
        chans = [ch for ch in channels if isinstance(ch, BaseChannel)]
        if len(chans) != len(channels):
            raise TypeError(f"load_info_many of the {self.name} backend takes only its own channels")
        deadline = _deadline(timeout)
        ops = list({id(op): op for op in (ch._begin_info() for ch in chans) if op is not None}.values())
        if ops:
            self._flush()
            _Batch(ops).wait(deadline)
            for op in ops:
                op.wait(deadline, timeout)
        return [ch.info() for ch in chans]

    def _forget(self, channel: BaseChannel) -> None:
        with self._channels_lock:
            if self._channels.get(channel.pvname) is channel:
                del self._channels[channel.pvname]
                self._users.pop(channel.pvname, None)

    def _flush(self) -> None:
        """Push requests queued by ``_begin_get`` onto the wire (a no-op where sends are immediate)."""

    def _watch_beacons(self) -> None:
        """From the first disconnect on, hear when servers restart (``sophyd.control._beacons``)."""
        if not self._watching_beacons:
            self._watching_beacons = True
            get_watcher().add_listener(self._server_restarted)

    def _server_restarted(self, server: tuple[str, int]) -> None:
        """A server (re)started: search again now for the channels that lost their connection.

        Runs on every beacon during the restart window; at most once per ``_SEARCH_AGAIN_EVERY`` seconds."""
        now = time.monotonic()
        if now - self._searched_at < _SEARCH_AGAIN_EVERY:
            return
        self._searched_at = now
        with self._channels_lock:
            lost = [ch for ch in self._channels.values() if ch.ever_connected and not ch.connected]
        if lost:
            self._search_again(lost)

    def _search_again(self, channels: list[BaseChannel]) -> None:
        """Search for these disconnected channels at once instead of after the client's back-off."""

    @abc.abstractmethod
    def _make_channel(self, pvname: str) -> BaseChannel:
        """A new channel for ``pvname``; it starts connecting at once and never blocks."""
