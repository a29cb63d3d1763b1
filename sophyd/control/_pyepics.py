"""The default backend: libca (as loaded by pyepics) driven directly through ctypes.

pyepics' own put callback drops the ECA status of a put-completion, so a put the server refused looks like a
success (``caput(wait=True)`` returns 1). Here every request carries an integer token as libca's user pointer,
and the completion handlers read ``args.status`` themselves: ECA_NORMAL completes, anything else fails with
the ECA code and libca's message. One ctypes callback object per kind lives as long as the backend, so no
per-request callback has to be kept alive; libca copies put data before ``ca_array_put_callback`` returns.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from epics import ca, dbr

from ..errors import DisconnectedError
from . import late_ioc_address
from ._base import PVInfo, PVReading
from ._common import BaseBackend, BaseChannel, GetOp, put_failed
from ._convert import DBR_ENUM, DBR_STRING, DTYPES, build_info, control_fields, decode_value

__all__ = ["PyepicsBackend", "PyepicsChannel", "make_backend"]

ECA_NORMAL = 1
ECA_DISCONN = 192
_OP_CONN_UP = 6
_DBE_VALUE, _DBE_ALARM = 1, 4
_STS, _TIME, _CTRL = 7, 14, 28  # DBR_STS_<T> = T + 7, DBR_TIME_<T> = T + 14, DBR_CTRL_<T> = T + 28
_FORM_OFFSET = {"native": 0, "time": _TIME, "ctrl": _CTRL}
_EPICS_EPOCH = 631152000  # 1990-01-01 in POSIX seconds
_ECA_NAMES = {160: "ECA_PUTFAIL", 192: "ECA_DISCONN", 376: "ECA_NOWTACCESS", 368: "ECA_NORDACCESS"}
_c = ctypes


class _EventArgs(_c.Structure):
    """``struct event_handler_args``, with the user pointer as a plain integer token."""

    _fields_ = [
        ("usr", _c.c_void_p),
        ("chid", _c.c_void_p),
        ("type", _c.c_long),
        ("count", _c.c_long),
        ("dbr", _c.c_void_p),
        ("status", _c.c_int),
    ]


class _ConnArgs(_c.Structure):
    _fields_ = [("chid", _c.c_void_p), ("op", _c.c_long)]


class _AccessArgs(_c.Structure):
    _fields_ = [("chid", _c.c_void_p), ("access", _c.c_uint)]


class _TimeHeader(_c.Structure):
    """The leading fields every DBR_TIME_* structure shares."""

    _fields_ = [("status", _c.c_short), ("severity", _c.c_short), ("secs", _c.c_uint), ("nsec", _c.c_uint)]


def _load_libca() -> tuple[_c.CDLL, int]:
    """Our own handle on pyepics' libca (so our ctypes prototypes never touch pyepics') and its context."""
    if ca.libca is None:
        ca.initialize_libca()
    lib = _c.CDLL(ca.libca._name)
    vp, ulong, long_ = _c.c_void_p, _c.c_ulong, _c.c_long
    event_cb, conn_cb, access_cb = (_c.CFUNCTYPE(None, a) for a in (_EventArgs, _ConnArgs, _AccessArgs))
    protos: dict[str, tuple[list[Any], Any]] = {
        "ca_attach_context": ([vp], _c.c_int),
        "ca_create_channel": ([_c.c_char_p, conn_cb, vp, _c.c_uint, _c.POINTER(vp)], _c.c_int),
        "ca_clear_channel": ([vp], _c.c_int),
        "ca_puser": ([vp], vp),
        "ca_field_type": ([vp], _c.c_short),
        "ca_element_count": ([vp], ulong),
        "ca_read_access": ([vp], _c.c_uint),
        "ca_write_access": ([vp], _c.c_uint),
        "ca_replace_access_rights_event": ([vp, access_cb], _c.c_int),
        "ca_array_get_callback": ([long_, ulong, vp, event_cb, vp], _c.c_int),
        "ca_array_put": ([long_, ulong, vp, vp], _c.c_int),
        "ca_array_put_callback": ([long_, ulong, vp, vp, event_cb, vp], _c.c_int),
        "ca_create_subscription": ([long_, ulong, vp, long_, event_cb, vp, _c.POINTER(vp)], _c.c_int),
        "ca_clear_subscription": ([vp], _c.c_int),
        "ca_flush_io": ([], _c.c_int),
        "ca_message": ([long_], _c.c_char_p),
        "ca_host_name": ([vp], _c.c_char_p),
    }
    for name, (argtypes, restype) in protos.items():
        func = getattr(lib, name)
        func.argtypes, func.restype = argtypes, restype
    return lib, ca.initial_context


class PyepicsChannel(BaseChannel):
    """One libca channel; its key (libca's user pointer) finds it again in libca's callbacks."""

    _backend: PyepicsBackend

    def __init__(self, backend: PyepicsBackend, pvname: str, key: int) -> None:
        super().__init__(backend, pvname)
        self._key = key
        self._count = 1
        self._evid: _c.c_void_p | None = None
        self._chid = 0  # libca's channel id (an address); 0 until libca gives it
        backend._attach()
        backend._by_key[key] = self  # before libca can call back about it
        self._create()

    def _create(self) -> None:
        """Make the libca channel; its id is kept as an int (a ctypes object per channel costs 136 bytes)."""
        lib, backend = self._backend._lib, self._backend
        if backend._closed:
            raise DisconnectedError(
                f"{self.pvname}: Channel Access is shut down (the interpreter is exiting)"
            )
        chid = _c.c_void_p()
        self._check(
            lib.ca_create_channel(self.pvname.encode(), backend._conn_cb, self._key, 0, _c.byref(chid))
        )
        self._chid = chid.value or 0
        self._check(lib.ca_replace_access_rights_event(self._chid, backend._access_cb))
        lib.ca_flush_io()

    def _on_chid(self, call: Callable[[int], int]) -> int:
        """``call(chid)``'s ECA status, made under the backend's life lock; ECA_DISCONN, without calling, once
        the channel is cleared (libca freed it: a call on its old id would crash the process)."""
        with self._backend._life_lock:
            return call(self._chid) if self._chid else ECA_DISCONN

    def _check(self, status: int) -> None:
        if status == ECA_DISCONN:
            raise DisconnectedError(f"{self.pvname} is not connected")
        if status != ECA_NORMAL:
            raise RuntimeError(f"libca refused a request on {self.pvname}: {self._backend._message(status)}")

    def _on_up(self, chid: int) -> None:
        """libca connected the channel ``chid``: its type, size and access rights are all a connection needs."""
        lib = self._backend._lib
        self._chid = chid  # libca may call back before ca_create_channel has returned its id
        self._dbr_type, self._count = lib.ca_field_type(chid), lib.ca_element_count(chid)
        read, write = bool(lib.ca_read_access(chid)), bool(lib.ca_write_access(chid))
        self._set_access(read, write)
        info = build_info(self._dbr_type, self._count, None, read_access=read, write_access=write)
        self._set_connected(self._dbr_type, info)

    def _send_info_request(self, token: int) -> None:
        backend = self._backend
        backend._attach()
        status = self._on_chid(
            lambda chid: backend._lib.ca_array_get_callback(
                self._dbr_type + _CTRL, 1, chid, backend._ctrl_cb, token
            )
        )
        self._check(status)

    def _info_from(self, args: _EventArgs) -> PVInfo:
        """The PVInfo of a DBR_CTRL_* answer (valid only during the callback)."""
        struct = dbr.Map[args.type].from_address(args.dbr)
        meta = control_fields(struct)
        if args.type - _CTRL == DBR_ENUM:
            meta["enum_strs"] = [struct.strs[i].value for i in range(struct.no_str)]
        read, write = self._access
        return build_info(self._dbr_type, self._count, meta, read_access=read, write_access=write)

    def _request_type(self, form: str) -> int:
        """The DBR type a read of ``form`` asks for. A string's DBR_CTRL is DBR_STS_STRING in EPICS, but caproto
        servers answer it with a DBR_TIME_STRING layout: ask for DBR_STS_STRING, which both send alike."""
        if form == "ctrl" and self._dbr_type == DBR_STRING:
            return DBR_STRING + _STS
        return self._dbr_type + _FORM_OFFSET[form]

    def _reading(self, args: _EventArgs) -> PVReading:
        """Copy a native, DBR_STS_STRING, DBR_TIME_* or DBR_CTRL_* payload out of libca's buffer (valid only
        during the callback); the two last of a 'ctrl' read also bring the control metadata (``_keep_control``)."""
        family, ntype = divmod(args.type, _STS)  # 0 native, 1 DBR_STS_*, 2 DBR_TIME_*, 4 DBR_CTRL_*
        dtype = DTYPES[ntype]
        start = args.dbr + dbr.value_offset[args.type]
        raw = np.frombuffer(_c.string_at(start, args.count * dtype.itemsize), dtype=dtype)
        value = decode_value(ntype, self._count, raw)
        if family == 0:
            return PVReading(value, time.time())
        head = _TimeHeader.from_address(args.dbr)  # every DBR_STS/TIME/CTRL_* starts with status, severity
        if family == 2:
            stamp = head.secs + _EPICS_EPOCH + head.nsec * 1e-9
            return PVReading(value, stamp, head.status, head.severity)
        read, write = self._access
        info = (
            self._info_from(args)
            if family == 4
            else build_info(self._dbr_type, self._count, {}, read_access=read, write_access=write)
        )
        self._keep_control(info)
        return PVReading(value, time.time(), head.status, head.severity)

    def _server(self) -> Any:
        """libca's b'host:port' of the server this channel is on."""
        with self._backend._life_lock:  # as _on_chid, but the answer is the host, not a status
            return self._backend._lib.ca_host_name(self._chid) if self._chid else None

    def _begin_get(self, timeout: float | None, form: str = "time") -> GetOp:
        backend = self._backend
        backend._attach()
        op = GetOp(self)
        token = backend._ops.add(op)
        request = self._request_type(form)
        status = self._on_chid(
            lambda chid: backend._lib.ca_array_get_callback(request, 0, chid, backend._get_cb, token)
        )
        if status != ECA_NORMAL:
            backend._ops.pop(token)
            self._check(status)
        return op

    def _send_put(self, data: np.ndarray, token: int | None) -> None:
        backend = self._backend
        backend._attach()
        lib, ptr = backend._lib, data.ctypes.data
        dbr_type, count = self._dbr_type, len(data)
        if token is None:
            status = self._on_chid(lambda chid: lib.ca_array_put(dbr_type, count, chid, ptr))
        else:
            status = self._on_chid(
                lambda chid: lib.ca_array_put_callback(dbr_type, count, chid, ptr, backend._put_cb, token)
            )
        self._check(status)
        lib.ca_flush_io()

    def _start_monitor(self) -> None:
        if self._evid is not None:
            return
        backend = self._backend
        backend._attach()
        evid = _c.c_void_p()
        mask = _DBE_VALUE | _DBE_ALARM

        def subscribe(chid: int) -> int:
            status = backend._lib.ca_create_subscription(
                self._dbr_type + _TIME, 0, chid, mask, backend._event_cb, self._key, _c.byref(evid)
            )
            if status == ECA_NORMAL:
                self._evid = evid  # with the id, under the lock: a clear from now on takes it too
            return status

        self._check(self._on_chid(subscribe))
        backend._lib.ca_flush_io()

    def _stop_monitor(self) -> None:
        backend = self._backend
        with backend._life_lock:  # a channel cleared meanwhile took its subscription with it (evid now None)
            evid, self._evid = self._evid, None
            if evid is not None:
                backend._attach()
                backend._lib.ca_clear_subscription(evid)
        if evid is not None:
            backend._lib.ca_flush_io()

    def _renew(self) -> None:
        """Replace the libca channel of a disconnected PV with a new one, whose search starts at libca's
        shortest retry period (the old one may be waiting out a back-off of seconds)."""
        backend = self._backend
        lib = backend._lib
        with self._monitor_lock, backend._life_lock:
            if self.connected or backend._by_key.get(self._key) is not self or backend._closed:
                return  # reconnected meanwhile, released, or Channel Access is shut down
            backend._attach()
            self._evid = None  # cleared with the old channel; _set_connected subscribes again
            if self._chid:
                lib.ca_clear_channel(self._chid)
            self._chid = 0  # until libca gives the new one: _release skips a null chid
            self._create()

    def _release(self) -> None:
        backend = self._backend
        with backend._life_lock:
            if backend._by_key.pop(self._key, None) is None or backend._closed:
                return  # released already (by _close at exit, for one)
            backend._attach()
            if self._chid:
                backend._lib.ca_clear_channel(self._chid)
            self._chid, self._evid = 0, None  # freed by libca: nothing may use them again
            backend._lib.ca_flush_io()


class PyepicsBackend(BaseBackend):
    """Channels over libca; libca's callback threads only copy data and hand it on."""

    name = "pyepics"

    def __init__(self) -> None:
        super().__init__()
        #: The CA search list libca reads when its context is made, here, and never again in this process.
        self.search_list = os.environ.get("EPICS_CA_ADDR_LIST", "")
        self._lib, self._context = _load_libca()
        self._local = threading.local()
        self._keys = itertools.count(1)
        self._by_key: dict[int, PyepicsChannel] = {}
        # One callback object per kind, alive as long as the backend (libca keeps raw pointers to them).
        self._conn_cb = dbr.make_callback(self._on_connection, _ConnArgs)
        self._access_cb = dbr.make_callback(self._on_access, _AccessArgs)
        self._ctrl_cb = dbr.make_callback(self._on_ctrl, _EventArgs)
        self._get_cb = dbr.make_callback(self._on_get, _EventArgs)
        self._put_cb = dbr.make_callback(self._on_put, _EventArgs)
        self._event_cb = dbr.make_callback(self._on_event, _EventArgs)
        # Held around every libca call on a channel id, and while a channel is cleared (its id then set to 0):
        # libca frees a cleared channel, and a call on its old id from another thread crashes the process.
        # libca's callback threads never take it, so clearing (which waits for their callbacks) cannot deadlock.
        # Channels are cleared, and no new one is made, once _close() has run at interpreter exit.
        self._life_lock = threading.Lock()
        self._closed = False
        atexit.register(
            self._close
        )  # after pyepics' own exit handler, so it runs before it (last in, first out)

    def _close(self) -> None:
        """Clear every channel of ours before pyepics' exit handler destroys the CA context.

        That handler clears only pyepics' own channels; ours would still be subscribed while the context is
        destroyed, and libca's threads could call back into Python as it goes (or sophyd renew a channel of an
        IOC that just stopped), which crashes the process on its way out.
        """
        with self._life_lock:
            self._closed = True
            channels, self._by_key = list(self._by_key.values()), {}
            self._attach()
            for channel in channels:
                if channel._chid:
                    self._lib.ca_clear_channel(channel._chid)
                channel._chid, channel._evid = 0, None
            self._lib.ca_flush_io()

    def out_of_reach(self, pvname: str) -> bool:
        address = late_ioc_address(pvname)
        return address is not None and address not in self.search_list.split()

    def _make_channel(self, pvname: str) -> PyepicsChannel:
        return PyepicsChannel(self, pvname, next(self._keys))

    def _attach(self) -> None:
        """Join pyepics' CA context once per thread (libca requires it of every calling thread)."""
        if not getattr(self._local, "attached", False):
            self._lib.ca_attach_context(self._context)
            self._local.attached = True

    def _flush(self) -> None:
        self._attach()
        self._lib.ca_flush_io()

    def _search_again(self, channels: list[BaseChannel]) -> None:
        for channel in channels:
            if isinstance(channel, PyepicsChannel):
                channel._renew()

    def _message(self, status: int) -> str:
        text = self._lib.ca_message(status)
        return f"{_ECA_NAMES.get(status, 'ECA')} ({status}): {text.decode() if text else 'unknown status'}"

    # --- libca's threads ------------------------------------------------------------------------------
    def _channel_of(self, chid: int | None) -> PyepicsChannel | None:
        return self._by_key.get(self._lib.ca_puser(chid) or 0) if chid else None

    def _on_connection(self, args: _ConnArgs) -> None:
        channel = self._channel_of(args.chid)
        if channel is None:
            return
        if args.op == _OP_CONN_UP:
            channel._on_up(args.chid)
        else:
            channel._set_disconnected()

    def _on_access(self, args: _AccessArgs) -> None:
        channel = self._channel_of(args.chid)
        if channel is not None:
            channel._set_access(bool(args.access & 1), bool(args.access & 2))

    def _on_ctrl(self, args: _EventArgs) -> None:
        self._answer_read(args, PyepicsChannel._info_from)

    def _on_get(self, args: _EventArgs) -> None:
        self._answer_read(args, PyepicsChannel._reading)

    def _answer_read(self, args: _EventArgs, decode: Callable[[PyepicsChannel, _EventArgs], Any]) -> None:
        """Finish the read whose token libca hands back with ``decode(channel, args)``, or fail it."""
        op = self._ops.pop(args.usr or 0)
        if not isinstance(op, GetOp):
            return
        channel = op.channel
        assert isinstance(channel, PyepicsChannel)
        if args.status == ECA_NORMAL:
            op.finish(decode(channel, args))
        elif args.status == ECA_DISCONN:
            op.fail(DisconnectedError(f"{channel.pvname} disconnected during a read"))
        else:
            op.fail(RuntimeError(f"Read of {channel.pvname} failed: {self._message(args.status)}"))

    def _on_put(self, args: _EventArgs) -> None:
        op = self._ops.pop(args.usr or 0)
        if op is None or isinstance(op, GetOp):
            return
        if args.status == ECA_NORMAL:
            op.finish(None)
        elif args.status == ECA_DISCONN:
            op.fail(DisconnectedError(f"{op.channel.pvname} disconnected before the put completed"))
        else:
            op.fail(put_failed(op.channel.pvname, op.value, self._message(args.status)))

    def _on_event(self, args: _EventArgs) -> None:
        channel = self._by_key.get(args.usr or 0)
        if channel is not None and args.status == ECA_NORMAL:
            channel._on_monitor(channel._reading(args))


def make_backend() -> PyepicsBackend:
    """The pyepics (libca) backend; creating it loads libca and makes pyepics' CA context if needed."""
    return PyepicsBackend()
