"""A pure-Python backend over caproto's threading client.

caproto's threading client drops an ErrorResponse (ECA_PUTFAIL, e.g. a putter that raised or a value outside
the control limits) for a write with notify: the waiter times out instead of failing. The circuit manager here
routes an ErrorResponse for a pending read- or write-notify to that request's callback, so a refused put fails
at once with PutFailedError carrying the server's message. The broadcaster here searches again as soon as a
restarted IOC's beacons arrive, so channels reconnect promptly.

Both override private parts of caproto's threading client, all of them here and listed in
``CAPROTO_INTERNALS``; tests/test_caproto_internals.py fails with the attribute's name when an installed
caproto no longer has one (setup.cfg pins the caproto versions tested).
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

import caproto as ca
import numpy as np
from caproto.threading.client import PV, Context, SharedBroadcaster, VirtualCircuitManager

from ..errors import DisconnectedError
from ._base import PVInfo, PVReading
from ._common import BaseBackend, BaseChannel, GetOp, put_failed
from ._convert import DBR_ENUM, DBR_STRING, build_info, control_fields, decode_value

__all__ = ["CAPROTO_INTERNALS", "CaprotoBackend", "CaprotoChannel", "make_backend"]

#: How long sending a subscription from the subscribing thread may wait for the PV's connection (it is
#: connected when this runs; a drop meanwhile leaves the subscription to caproto's own thread).
_SEND_SUBSCRIPTION_TIMEOUT = 0.5

#: The private caproto attributes overridden or relied on here, as ``(module, "Class.attribute")``.
CAPROTO_INTERNALS: tuple[tuple[str, str], ...] = (
    ("caproto.threading.client", "VirtualCircuitManager._process_command"),
    ("caproto.threading.client", "VirtualCircuitManager.ioids"),
    ("caproto.threading.client", "SharedBroadcaster._new_server_found"),
    ("caproto.threading.client", "SharedBroadcaster._search_lock"),
    ("caproto.threading.client", "SharedBroadcaster._search_now"),
    ("caproto.threading.client", "SharedBroadcaster.unanswered_searches"),
    ("caproto.threading.client", "SharedBroadcaster.server_protocol_versions"),
    ("caproto.threading.client", "Context.get_circuit_manager"),
    ("caproto.threading.client", "Context._lock_during_get_circuit_manager"),
    ("caproto.threading.client", "Context.circuit_managers"),
    ("caproto.threading.client", "Context.selector"),
    ("caproto.threading.client", "Context.pvs"),
    ("caproto.threading.client", "Context.pv_cache_lock"),
    ("caproto.threading.client", "Context.pvs_needing_circuits"),
    ("caproto.threading.client", "PV.circuit_ready"),
    ("caproto.threading.client", "Context.subscriptions_lock"),
    ("caproto.threading.client", "Context.subscriptions_to_activate"),
    ("caproto.threading.client", "Context.activate_subscriptions_now"),
    ("caproto.threading.client", "Subscription.compose_command"),
    ("caproto.threading.client", "PV.channel_ready"),
)

_NOTIFY_REQUESTS = (ca.ReadNotifyRequest.ID, ca.WriteNotifyRequest.ID)
# What caproto raises when a request meets a channel or circuit that is gone (a race with a disconnect).
_NOT_CONNECTED = (ca.CaprotoError, TimeoutError, OSError, AttributeError)


class _CircuitManager(VirtualCircuitManager):
    """A circuit manager that hands an ErrorResponse to the callback of the request it answers."""

    def _process_command(self, command: Any) -> None:
        if isinstance(command, ca.ErrorResponse):
            request = command.original_request
            if request.command in _NOTIFY_REQUESTS:
                ioid_info = self.ioids.pop(request.parameter2, None)
                callback = ioid_info.get("callback") if ioid_info else None
                if callback is not None:
                    callback(command)
        super()._process_command(command)


class _Broadcaster(SharedBroadcaster):
    """Searches again at once when a server appears or restarts (a beacon anomaly).

    caproto only lifts unanswered searches out of retirement then; they still wait out the retry back-off (up to
    ~8 s after an IOC restart). Marking them unsent and waking the search thread reconnects within a beacon.
    """

    def _new_server_found(self) -> None:
        super()._new_server_found()
        self.search_now()

    def search_now(self) -> None:
        """Send every unanswered search again now, and restart the retry back-off from its shortest period."""
        with self._search_lock:
            for item in self.unanswered_searches.values():
                item[-2] = 0.0  # "last sent": long ago, so the next pass sends it
        self._search_now.set()


class _Flag:
    """``threading.Event``'s calls, with the Condition made only when a thread has to wait.

    A caproto ``PV`` has two Events (circuit ready, channel ready), about 1.2 KB each with their Conditions;
    they are set once the PV connects and are then only ever asked, so most PVs never need the Condition.
    """

    __slots__ = ("_cond", "_flag", "_sets")

    def __init__(self) -> None:
        self._flag = False
        # How many times set() ran: a waiter woken by a set() that a clear() undid still returns True.
        self._sets = 0
        self._cond: threading.Condition | None = None

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        with _flag_lock:
            self._flag = True
            self._sets += 1
            cond = self._cond
        if cond is not None:
            with cond:
                cond.notify_all()

    def clear(self) -> None:
        with _flag_lock:
            self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        with _flag_lock:  # set() reads the Condition under this lock: once made here, it is notified
            if self._flag:
                return True
            sets = self._sets
            cond = self._cond
            if cond is None:
                cond = self._cond = threading.Condition(threading.Lock())
        with cond:
            return cond.wait_for(lambda: self._flag or self._sets != sets, timeout)


_flag_lock = threading.Lock()


class _Context(Context):
    """caproto's threading Context, making ``_CircuitManager`` circuits and PVs with lighter ready flags."""

    def get_pvs(self, *names: str, **kwargs: Any) -> list[PV]:
        """caproto's ``get_pvs``; a PV made here gets ``_Flag`` ready flags before its search is answered.

        caproto sets ``circuit_ready`` only after taking the PV out of ``pvs_needing_circuits`` (under
        ``pv_cache_lock``), and ``channel_ready`` after that: a PV still in there has had neither set."""
        priority = kwargs.get("priority", 0)
        with self.pv_cache_lock:
            new = {name for name in names if (name, priority) not in self.pvs}
        pvs = super().get_pvs(*names, **kwargs)
        with self.pv_cache_lock:
            for pv in pvs:
                if pv.name in new and pv in self.pvs_needing_circuits.get(pv.name, ()):
                    pv.circuit_ready, pv.channel_ready = _Flag(), _Flag()
        return list(pvs)

    def get_circuit_manager(self, address: Any, priority: int) -> VirtualCircuitManager:
        with self._lock_during_get_circuit_manager:
            manager = self.circuit_managers.get((address, priority))
            if manager is None or manager.dead.is_set():
                circuit = ca.VirtualCircuit(
                    our_role=ca.CLIENT,
                    address=address,
                    priority=priority,
                    protocol_version=self.broadcaster.server_protocol_versions[address],
                )
                manager = _CircuitManager(self, circuit, self.selector)
                self.circuit_managers[(address, priority)] = manager
            return manager


def _reason(response: Any) -> str:
    """An ErrorResponse (or a failed WriteNotifyResponse) as text: the ECA name and the server's message."""
    status = response.status
    name = getattr(status, "name", str(status))
    message = bytes(getattr(response, "error_message", b"")).split(b"\0", 1)[0].decode("utf-8", "replace")
    return f"{name}: {message}" if message else f"{name} ({getattr(status, 'description', '')})"


class CaprotoChannel(BaseChannel):
    """One caproto PV; caproto's callbacks arrive on its per-circuit executor thread."""

    _backend: CaprotoBackend

    def __init__(self, backend: CaprotoBackend, pvname: str) -> None:
        super().__init__(backend, pvname)
        self._count = 1
        self._sub: Any = None
        self._sub_token: int | None = None
        (self._pv,) = backend._context.get_pvs(pvname)
        # caproto holds callbacks weakly; this channel lives as long as the backend knows it.
        self._state_token = self._pv.connection_state_callback.add_callback(self._on_state, run=True)
        self._rights_token = self._pv.access_rights_callback.add_callback(self._on_rights, run=True)

    def _on_state(self, pv: PV, state: str) -> None:
        if state == "connected":
            channel = pv.channel
            self._dbr_type, self._count = int(channel.native_data_type), int(channel.native_data_count)
            self._on_rights(pv, pv.access_rights or 0)
            read, write = self._access
            info = build_info(self._dbr_type, self._count, None, read_access=read, write_access=write)
            self._set_connected(self._dbr_type, info)
        elif state == "disconnected":
            self._set_disconnected()

    def _on_rights(self, pv: PV, rights: Any) -> None:
        self._set_access(bool(rights & ca.AccessRights.READ), bool(rights & ca.AccessRights.WRITE))

    def _info_from(self, response: Any) -> PVInfo:
        md = response.metadata
        meta = control_fields(md)
        if self._dbr_type == DBR_ENUM:
            meta["enum_strs"] = md.enum_strings
        read, write = self._access
        return build_info(self._dbr_type, self._count, meta, read_access=read, write_access=write)

    def _reading(self, response: Any) -> PVReading:
        md = response.metadata
        value = decode_value(self._dbr_type, self._count, response.data)
        return PVReading(value, md.timestamp, int(md.status), int(md.severity))

    def _ctrl_reading(self, response: Any) -> PVReading:
        """A DBR_CTRL answer: the value with its alarm state (no server timestamp); keeps the metadata."""
        self._keep_control(self._info_from(response))
        md = response.metadata
        value = decode_value(self._dbr_type, self._count, response.data)
        return PVReading(value, time.time(), int(md.status), int(md.severity))

    def _native_reading(self, response: Any) -> PVReading:
        return PVReading(decode_value(self._dbr_type, self._count, response.data), time.time())

    def _server(self) -> Any:
        """The (host, port) of the circuit this channel is on; None while it has none."""
        manager = self._pv.circuit_manager
        return None if manager is None else manager.circuit.address

    def _begin_get(self, timeout: float | None, form: str = "time") -> GetOp:
        op = GetOp(self)
        data_type, decode = {
            "time": ("time", self._reading),
            "ctrl": ("control", self._ctrl_reading),
            "native": ("native", self._native_reading),
        }[form]
        if data_type == "control" and self._dbr_type == DBR_STRING:
            # A string's DBR_CTRL is DBR_STS_STRING in EPICS, which caproto lays out as a DBR_TIME_STRING:
            # ask for DBR_STS_STRING, which every server and client lay out alike.
            data_type = "status"
        self._send_read(self._backend._ops.add(op), data_type, decode, timeout)
        return op

    def _send_info_request(self, token: int) -> None:
        self._send_read(token, "control", self._info_from, None, count=1)  # the metadata, not the array

    def _send_read(
        self,
        token: int,
        data_type: str,
        decode: Callable[[Any], Any],
        timeout: float | None,
        count: int | None = None,
    ) -> None:
        """Read ``count`` elements (None: all) as ``data_type``; the op ``token`` finishes with
        ``decode(response)``."""
        callback = functools.partial(self._on_read, token, decode)
        try:
            self._pv.read(
                data_type=data_type, data_count=count, wait=False, timeout=timeout, callback=callback
            )
        except _NOT_CONNECTED:
            self._backend._ops.pop(token)
            raise DisconnectedError(f"{self.pvname} is not connected") from None

    def _on_read(self, token: int, decode: Callable[[Any], Any], response: Any) -> None:
        op = self._backend._ops.pop(token)
        if not isinstance(op, GetOp):
            return
        if isinstance(response, ca.ErrorResponse):
            op.fail(RuntimeError(f"Read of {self.pvname} failed: {_reason(response)}"))
        else:
            op.finish(decode(response))

    def _send_put(self, data: np.ndarray, token: int | None) -> None:
        payload: Any = list(data) if self._dbr_type == DBR_STRING else data
        callback = None if token is None else functools.partial(self._on_write, token)
        # No caproto timeout: it would drop completions that arrive after it. Our OpTable timer bounds the wait.
        try:
            self._pv.write(payload, wait=False, callback=callback, notify=token is not None, timeout=None)
        except _NOT_CONNECTED:
            raise DisconnectedError(f"{self.pvname} is not connected") from None

    def _on_write(self, token: int, response: Any) -> None:
        op = self._backend._ops.pop(token)
        if op is None or isinstance(op, GetOp):
            return
        if isinstance(response, ca.ErrorResponse) or not response.status.success:
            op.fail(put_failed(self.pvname, op.value, _reason(response)))
        else:
            op.finish(None)

    def _start_monitor(self) -> None:
        if self._sub is None:
            self._sub = self._pv.subscribe(data_type="time")
            self._sub_token = self._sub.add_callback(self._on_event)
            self._send_subscription(self._sub)

    def _send_subscription(self, sub: Any) -> None:
        """Send a new subscription's request from this thread, in order with this thread's later requests.

        caproto's client queues it for its activation thread, so a write sent right after (a put after
        wait_for_connection()) could reach the server first, and the subscribers would miss the value from
        before the write. A subscription the activation thread has taken already is left to it; one that
        cannot be sent now goes back to it, and caproto retries it.
        """
        manager = self._pv.circuit_manager
        if manager is None:
            return  # disconnected meanwhile: caproto subscribes again when the PV reconnects
        context = manager.context
        with context.subscriptions_lock:
            queued = context.subscriptions_to_activate.get(manager)
            if queued is None or sub not in queued:
                return
            queued.discard(sub)
        try:
            # connected now: caproto's wait for a connection is bounded anyway, here short
            command = sub.compose_command(timeout=_SEND_SUBSCRIPTION_TIMEOUT)
            if self._pv.circuit_manager is not manager:
                raise DisconnectedError(f"{self.pvname} reconnected while its subscription was being sent")
            if command is not None:
                manager.send(command, extra={"pv": self.pvname})
        except Exception:
            current = self._pv.circuit_manager or manager  # caproto's thread sends it on the live circuit
            with context.subscriptions_lock:
                context.subscriptions_to_activate[current].add(sub)
            context.activate_subscriptions_now.set()

    def _stop_monitor(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            sub.remove_callback(self._sub_token)

    def _on_event(self, sub: Any, response: Any) -> None:
        self._on_monitor(self._reading(response))

    def _release(self) -> None:
        """Stop listening to caproto's PV. The PV stays connected: caproto's Context keeps one PV object per
        name and hands it to the next channel for that name, and idling it would race with that channel."""
        self._pv.connection_state_callback.remove_callback(self._state_token)
        self._pv.access_rights_callback.remove_callback(self._rights_token)


class CaprotoBackend(BaseBackend):
    """Channels over caproto's threading client (one Context for the process)."""

    name = "caproto"

    def __init__(self) -> None:
        super().__init__()
        self._broadcaster = _Broadcaster()
        self._context = _Context(self._broadcaster)

    def close(self) -> None:
        super().close()
        self._context.disconnect()

    def _make_channel(self, pvname: str) -> CaprotoChannel:
        return CaprotoChannel(self, pvname)

    def _search_again(self, channels: list[BaseChannel]) -> None:
        self._broadcaster.search_now()  # caproto searches for every disconnected PV it knows


def make_backend() -> CaprotoBackend:
    """The caproto backend; its Context (and caproto's client threads) start here."""
    return CaprotoBackend()
