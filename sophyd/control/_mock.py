"""In-memory channels for ``mock=True`` devices and users' tests: no IOC, same semantics as a real channel.

A MockChannel is connected at once, completes puts at once, and fires monitors through the dispatchers like
the CA backends. Its metadata is inferred from the first value written (float, int, str, array) unless
``set_mock_info`` says otherwise. The helpers below play the IOC's part in a test: set the value, refuse puts,
hold put-completions back, drop the connection.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from . import get_backend
from ._base import PVInfo, PVReading
from ._common import BaseBackend, BaseChannel, GetOp, PutOp, put_failed
from ._convert import (
    DBR_CHAR,
    DBR_DOUBLE,
    DBR_ENUM,
    DBR_LONG,
    DBR_STRING,
    MAX_STRING_SIZE,
    decode_value,
    encode_value,
)

__all__ = [
    "MockBackend",
    "MockChannel",
    "make_backend",
    "mock_channel",
    "mock_put_failure",
    "set_mock_connected",
    "set_mock_info",
    "set_mock_put_proceeds",
    "set_mock_value",
]

_DBR_OF = {"float": DBR_DOUBLE, "integer": DBR_LONG, "enum": DBR_ENUM, "string": DBR_STRING, "char": DBR_CHAR}
_LONG_STRING_COUNT = 256


def _infer(value: Any) -> tuple[int, int]:
    """(DBR type, element count) for a first value: float, int, str (a char waveform from 40 bytes) or array."""
    if isinstance(value, (str, bytes)):
        size = len(value.encode("utf-8") if isinstance(value, str) else value)
        return (DBR_STRING, 1) if size < MAX_STRING_SIZE else (DBR_CHAR, max(_LONG_STRING_COUNT, size + 1))
    array = np.asarray(value)
    dbr_type = DBR_DOUBLE if array.dtype.kind in "fc" else DBR_LONG
    return dbr_type, (1 if array.ndim == 0 else max(array.size, 1))


class MockChannel(BaseChannel):
    """A channel whose 'server' is this object: puts land in memory, monitors fire on every change."""

    _backend: MockBackend

    def __init__(self, backend: MockBackend, pvname: str) -> None:
        super().__init__(backend, pvname)
        self._typed = False
        self._reading = PVReading(0.0, time.time())
        self._proceeds = True
        self._held: list[int] = []
        self._failure: BaseException | str | None = None
        self._set_connected(DBR_DOUBLE, PVInfo(native_type="float"))

    # --- the IOC's side ----------------------------------------------------------------------------
    def set_value(self, value: Any, *, status: int = 0, severity: int = 0) -> None:
        """Become ``value`` (typing the channel after it if nothing did yet) and post a monitor update."""
        if not self._typed:
            dbr_type, count = _infer(value)
            self.set_info(dbr_type, count=count)
        info = self.info()
        if info.count > 1 and not isinstance(value, (str, bytes)) and np.size(value) > info.count:
            info = self.set_info(count=int(np.size(value)))  # the 'IOC' may grow its arrays
        data = encode_value(self.pvname, self._dbr_type, info, value)
        self._store(data, status, severity)

    def set_info(self, dbr_type: int | None = None, **fields: Any) -> PVInfo:
        """Replace metadata fields (``native_type`` picks the DBR type); the channel is typed from now on.

        Signals on a connected channel reload their metadata, as after a property event from an IOC.
        """
        if "native_type" in fields:
            dbr_type = _DBR_OF[fields["native_type"]]
        with self._lock:
            if dbr_type is not None:
                self._dbr_type = dbr_type
                fields["native_type"] = {v: k for k, v in _DBR_OF.items()}[dbr_type]
            read, write = (
                fields.pop("read_access", self._access[0]),
                fields.pop("write_access", self._access[1]),
            )
            self._access = (read, write)
            assert self._info is not None
            self._info = dataclasses.replace(self._info, **fields, read_access=read, write_access=write)
            self._typed = True
            info, dbr, connected = self._info, self._dbr_type, self._is_connected
        if connected:
            self._set_connected(dbr, info)
        return info

    def set_put_proceeds(self, proceeds: bool) -> None:
        """False holds back put-completions; True completes every held one and lets new ones through."""
        self._proceeds = proceeds
        if proceeds:
            held, self._held = self._held, []
            for token in held:
                op = self._backend._ops.pop(token)
                if op is not None:
                    op.finish(None)

    def set_put_failure(self, failure: BaseException | str | None) -> None:
        """Refuse every later put (its callback gets ``failure``, a str becoming a PutFailedError) until None."""
        self._failure = failure

    def set_connected(self, connected: bool) -> None:
        """Drop or restore the connection, as an IOC going down and up again would."""
        if connected:
            assert self._info is not None
            self._set_connected(self._dbr_type, self._info)
        else:
            self._set_disconnected()

    def _store(self, data: np.ndarray, status: int = 0, severity: int = 0) -> None:
        value = decode_value(self._dbr_type, self.info().count, data)
        self._reading = PVReading(value, time.time(), status, severity)
        self._on_monitor(self._reading)

    # --- transport ---------------------------------------------------------------------------------
    def _begin_get(self, timeout: float | None, form: str = "time") -> GetOp:
        op = GetOp(self)
        reading = self._reading
        if form == "ctrl":
            self._keep_control(dataclasses.replace(self.info(), control=True))
            reading = PVReading(reading.value, time.time(), reading.status, reading.severity)
        elif form == "native":
            reading = PVReading(reading.value, time.time())
        op.finish(reading)
        return op

    def _send_info_request(self, token: int) -> None:
        """Mocked metadata is always complete; answer anyway, as a server would."""
        op = self._backend._ops.pop(token)
        if isinstance(op, GetOp):
            op.finish(dataclasses.replace(self.info(), control=True))

    def _send_put(self, data: np.ndarray, token: int | None) -> None:
        failure = self._failure
        if failure is not None:
            op = self._backend._ops.pop(token) if token is not None else None
            if isinstance(op, PutOp):
                op.fail(put_failed(self.pvname, op.value, failure) if isinstance(failure, str) else failure)
            return
        self._store(data)
        if token is not None:
            if self._proceeds:
                op = self._backend._ops.pop(token)
                if op is not None:
                    op.finish(None)
            else:
                self._held.append(token)

    def _start_monitor(self) -> None:
        self._on_monitor(self._reading)

    def _stop_monitor(self) -> None:
        """Nothing to stop: updates reach subscribers only while there are some."""

    def _release(self) -> None:
        """Nothing to give back."""


class MockBackend(BaseBackend):
    """In-memory channels, one per PV name, each gone with the last signal that used it.

    A channel set up by PV name before any signal uses it (``set_mock_info("pv", ...)``, as an IOC serves a PV
    before a client connects) is held for the first signal that asks for that name, which then owns it: when
    that signal is destroyed the state goes too, and a later signal on the name starts afresh.
    """

    name = "mock"

    def __init__(self) -> None:
        super().__init__()
        self._seeded: set[str] = set()  # PV names set up by name and not yet taken by a signal

    def channel(self, pvname: str) -> MockChannel:
        with self._channels_lock:
            if pvname in self._seeded:
                self._seeded.discard(pvname)
                channel = self._channels[pvname]  # the hold of the set-up passes to this caller
                assert isinstance(channel, MockChannel)
                return channel
        channel = super().channel(pvname)
        assert isinstance(channel, MockChannel)
        return channel

    def seeded(self, pvname: str) -> MockChannel:
        """The channel for ``pvname``: the one in use, or a new one held for the first signal to ask."""
        with self._channels_lock:
            existing = self._channels.get(pvname)
        if isinstance(existing, MockChannel):
            return existing
        channel = super().channel(pvname)
        with self._channels_lock:
            self._seeded.add(pvname)
        assert isinstance(channel, MockChannel)
        return channel

    def close(self) -> None:
        with self._channels_lock:
            self._seeded.clear()
        super().close()

    def _make_channel(self, pvname: str) -> MockChannel:
        return MockChannel(self, pvname)


def make_backend() -> MockBackend:
    """The mock backend."""
    return MockBackend()


def mock_channel(target: MockChannel | str | Any) -> MockChannel:
    """The MockChannel for a channel, a PV name (or an object with a ``pvname`` and no channel), or a signal in
    mock mode (the channel it reads, which may be a private one, as a fake signal's).

    A PV name no signal uses yet gets a channel held for the first mocked signal on it. A signal that is not in
    mock mode raises TypeError: the helpers play the IOC of mocked signals only.
    """
    if isinstance(target, MockChannel):
        return target
    channel = getattr(target, "_read_channel", None)
    if isinstance(channel, MockChannel):
        return channel
    pvname = (
        target
        if isinstance(target, str)
        else None
        if channel is not None
        else getattr(target, "pvname", None)
    )
    if isinstance(pvname, str):
        backend = get_backend("mock")
        assert isinstance(backend, MockBackend)
        return backend.seeded(pvname)
    name = getattr(target, "name", None) or repr(target)
    where = f" (PV {channel.pvname}, {type(channel).__name__})" if channel is not None else ""
    raise TypeError(
        f"{name}{where} is not in mock mode: the mock helpers work on signals made inside "
        "init_devices(mock=True) or use_cl('mock'), on their PV names, and on mock channels"
    )


def set_mock_value(
    target: MockChannel | str | Any, value: Any, *, status: int = 0, severity: int = 0
) -> None:
    """Make the mocked PV read ``value`` (with an alarm state) and post a monitor update, as an IOC would."""
    mock_channel(target).set_value(value, status=status, severity=severity)


def set_mock_info(target: MockChannel | str | Any, **fields: Any) -> PVInfo:
    """Set a mocked PV's metadata: any PVInfo field, e.g. ``native_type='enum', enum_strs=('Off', 'On')``."""
    return mock_channel(target).set_info(**fields)


def set_mock_put_proceeds(target: MockChannel | str | Any, proceeds: bool) -> None:
    """False: puts with a callback stay pending; True: complete the pending ones and every later one."""
    mock_channel(target).set_put_proceeds(proceeds)


def mock_put_failure(
    target: MockChannel | str | Any, failure: BaseException | str | None = "refused"
) -> None:
    """Make puts to the mocked PV fail (the callback gets ``failure`` as a PutFailedError); None ends it."""
    mock_channel(target).set_put_failure(failure)


def set_mock_connected(target: MockChannel | str | Any, connected: bool) -> None:
    """Disconnect (gets raise DisconnectedError, callbacks hear False) or reconnect a mocked PV."""
    mock_channel(target).set_connected(connected)
