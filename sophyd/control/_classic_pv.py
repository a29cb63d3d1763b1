"""The PV object of classic ophyd's ``cl.get_pv``: the part of pyepics' ``PV`` that ophyd code and users call.

Classic ophyd's control layer hands out pyepics (or caproto's pyepics-compatible) PV objects. This one has the
same names and call signatures, over one sophyd ``Channel``: it shares the channel (connection, monitor, put
completion) with every signal of the process on that PV, and its callbacks run on sophyd's dispatcher threads.
Unlike pyepics, a read or a put that cannot be done raises an error naming the PV instead of returning None.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .._dispatch import wait_event
from ..errors import ConnectionTimeoutError, DestroyedError, ReadTimeoutError
from . import connection_hint
from ._base import Backend, PVInfo, PVReading
from ._convert import to_string

__all__ = ["PV", "get_pv", "release_pvs"]

logger = logging.getLogger("sophyd.control_layer")

#: Seconds ``PV.wait_for_connection()`` waits when given no timeout (pyepics' and classic's default).
CONNECTION_TIMEOUT = 5.0
#: Seconds a read waits for the server's answer when given no timeout.
READ_TIMEOUT = 2.0

_CTRL_FIELDS = (
    "units",
    "precision",
    "enum_strs",
    "upper_disp_limit",
    "lower_disp_limit",
    "upper_alarm_limit",
    "lower_alarm_limit",
    "upper_warning_limit",
    "lower_warning_limit",
    "upper_ctrl_limit",
    "lower_ctrl_limit",
)


def _ctrlvars(info: PVInfo) -> dict[str, Any]:
    """The control metadata of ``info`` under pyepics' names (``enum_strs`` only for enums, as pyepics)."""
    fields = {name: getattr(info, name) for name in _CTRL_FIELDS}
    if info.native_type != "enum":
        del fields["enum_strs"]
    return fields


def _reading_fields(reading: PVReading) -> dict[str, Any]:
    return {"value": reading.value, "timestamp": reading.timestamp, "status": reading.status,
            "severity": reading.severity}  # fmt: skip


class PV:
    """A Channel Access PV with pyepics' ``PV`` interface, as classic ophyd's ``cl.get_pv`` returns.

    For code written against classic ophyd's control layer (``cl.get_pv(...)``): ``get``, ``put`` with
    ``wait``/``callback``, value callbacks, connection and access callbacks, and the metadata calls. Get one
    with ``sophyd.cl.get_pv(pvname)``; release it with ``sophyd.cl.release_pvs(pv)`` (or ``disconnect()``).
    """

    def __init__(
        self,
        backend: Backend,
        pvname: str,
        *,
        form: str = "time",
        auto_monitor: bool | int | None = None,
        count: int | None = None,
        connection_timeout: float | None = None,
    ) -> None:
        self.pvname = pvname
        self.form = form
        self.count = count
        self.connection_timeout = CONNECTION_TIMEOUT if connection_timeout is None else connection_timeout
        self._backend = backend
        self._channel = backend.channel(pvname)
        self._lock = threading.Lock()
        self.callbacks: dict[int, tuple[Callable[..., Any], dict[str, Any]]] = {}
        self.connection_callbacks: list[Callable[..., Any]] = []
        self.access_callbacks: list[Callable[..., Any]] = []
        self._monitoring = False
        self._subscription: int | None = None
        self._latest: PVReading | None = None
        self._was_connected = False
        self._access: tuple[bool, bool] | None = None
        self._released = False
        self._put_complete: bool | None = None
        self.auto_monitor = bool(auto_monitor)
        self._channel.add_connection_callback(self._on_connection)
        if self.auto_monitor:
            self._monitor()

    def __repr__(self) -> str:
        state = "released" if self._released else "connected" if self.connected else "disconnected"
        return f"<PV {self.pvname!r}: {state}>"

    # --- connection ----------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True while the PV is connected."""
        return not self._released and self._channel.connected

    def wait_for_connection(self, timeout: float | None = None) -> bool:
        """Wait until connected (True) or ``timeout`` seconds (default ``connection_timeout``) passed (False)."""
        self._check_released()
        return self._channel.wait_for_connection(self.connection_timeout if timeout is None else timeout)

    connect = wait_for_connection

    def _require_connection(self, timeout: float | None = None) -> None:
        """Wait for the connection; ConnectionTimeoutError naming the PV (and where CA searches) if none comes."""
        wait = self.connection_timeout if timeout is None else timeout
        if not self.wait_for_connection(wait):
            raise ConnectionTimeoutError(
                f"{self.pvname} did not connect within {wait} s. {connection_hint()}", missing=[self.pvname]
            )

    def _check_released(self) -> None:
        if self._released:
            raise DestroyedError(f"PV {self.pvname} was released (release_pvs or disconnect)")

    def _on_connection(self, connected: bool) -> None:
        """From the channel (on a dispatcher thread): tell connection and access callbacks what changed."""
        if self._released:
            return
        with self._lock:
            changed = connected != self._was_connected
            self._was_connected = connected
            if not connected:
                self._latest = None  # the monitor's value is not the PV's any more
            access = None
            if connected:
                info = self._channel.info()
                access = (info.read_access, info.write_access)
                if access == self._access:
                    access = None
                else:
                    self._access = access
            connection_callbacks = list(self.connection_callbacks) if changed else []
            access_callbacks = list(self.access_callbacks) if access is not None else []
        for callback in connection_callbacks:
            self._run(callback, pvname=self.pvname, conn=connected, pv=self)
        for callback in access_callbacks:
            assert access is not None
            self._run(callback, *access, pv=self)

    def _watch(
        self, connection_callback: Callable[..., Any] | None, access_callback: Callable[..., Any] | None
    ) -> None:
        """Add connection and access callbacks; each runs at once with the state already reported, if any."""
        with self._lock:
            if connection_callback is not None:
                self.connection_callbacks.append(connection_callback)
            if access_callback is not None:
                self.access_callbacks.append(access_callback)
            connected, access = self._was_connected, self._access
        # otherwise _on_connection, which updates the state under the same lock, calls them
        if connected and connection_callback is not None:
            self._run(connection_callback, pvname=self.pvname, conn=True, pv=self)
        if access is not None and access_callback is not None:
            self._run(access_callback, *access, pv=self)

    def _run(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Call a user's callback; an exception is logged with the PV's name and does not stop the others."""
        try:
            callback(*args, **kwargs)
        except Exception:
            logger.exception("Callback %r of PV %s raised", callback, self.pvname)

    # --- reading -------------------------------------------------------------------------------------
    def get_with_metadata(
        self,
        count: int | None = None,
        as_string: bool = False,
        as_numpy: bool = True,
        timeout: float | None = None,
        with_ctrlvars: bool = False,
        form: str | None = None,
        use_monitor: bool = True,
    ) -> dict[str, Any]:
        """The value with its alarm state and timestamp (and the control metadata for ``form='ctrl'`` or
        ``with_ctrlvars``), as a dict; classic ophyd's signals read through this call.

        Raises ConnectionTimeoutError when the PV does not connect within ``connection_timeout``, and
        ReadTimeoutError naming the PV when the server does not answer within ``timeout`` (default 2 s).
        """
        self._require_connection()
        wait = READ_TIMEOUT if timeout is None else timeout
        form = form or self.form
        try:
            reading = self._channel.get(as_string=as_string, use_monitor=use_monitor, timeout=wait, form=form)
            info = self._channel.load_info(wait) if with_ctrlvars or form == "ctrl" else None
        except TimeoutError as exc:
            if isinstance(exc, ReadTimeoutError):
                raise
            raise ReadTimeoutError(f"PV {self.pvname}: {exc}") from exc
        result = _reading_fields(reading)
        result["value"] = self._shaped(reading.value, count, as_numpy)
        if info is not None:
            result.update(_ctrlvars(info))
        return result

    def get(
        self,
        count: int | None = None,
        as_string: bool = False,
        as_numpy: bool = True,
        timeout: float | None = None,
        with_ctrlvars: bool = False,
        use_monitor: bool = True,
    ) -> Any:
        """The PV's value (an enum's label, a float at its precision with ``as_string``); see
        ``get_with_metadata`` for the errors. pyepics returns None where this raises."""
        return self.get_with_metadata(
            count=count,
            as_string=as_string,
            as_numpy=as_numpy,
            timeout=timeout,
            with_ctrlvars=with_ctrlvars,
            use_monitor=use_monitor,
        )["value"]

    def _shaped(self, value: Any, count: int | None, as_numpy: bool) -> Any:
        """An array value cut to ``count`` elements (or the PV's ``count``), as a list unless ``as_numpy``."""
        if not isinstance(value, np.ndarray):
            return value
        count = count or self.count
        if count:
            value = value[:count]
        return value if as_numpy else value.tolist()

    def _reading(self) -> PVReading:
        """The monitor's latest reading while the PV is monitored, else a fresh read from the server."""
        latest = self._latest
        if latest is not None and self._subscription is not None:
            return latest
        self._require_connection()
        try:
            return self._channel.get(use_monitor=False, timeout=READ_TIMEOUT, form=self.form)
        except TimeoutError as exc:
            raise ReadTimeoutError(f"PV {self.pvname}: {exc}") from exc

    @property
    def value(self) -> Any:
        """The latest value: the monitor's when the PV is monitored, else read from the server."""
        return self._shaped(self._reading().value, None, True)

    @property
    def char_value(self) -> Any:
        """The latest value as text (an enum's label, a float at its precision)."""
        reading = self._reading()
        return to_string(reading.value, self._channel.load_info())

    @property
    def timestamp(self) -> float:
        """The server's timestamp of the latest value."""
        return self._reading().timestamp

    @property
    def status(self) -> int:
        """The alarm status of the latest value."""
        return self._reading().status

    @property
    def severity(self) -> int:
        """The alarm severity of the latest value."""
        return self._reading().severity

    def get_timevars(self, timeout: float = 5.0, warn: bool = True) -> dict[str, Any]:
        """The alarm status and severity and the timestamp of a fresh read (``warn`` is accepted for pyepics'
        signature; a failure raises instead)."""
        reading = self.get_with_metadata(timeout=timeout, use_monitor=False)
        return {key: reading[key] for key in ("status", "severity", "timestamp")}

    def get_ctrlvars(self, timeout: float = 5.0, warn: bool = True) -> dict[str, Any]:
        """The control metadata (units, precision, limits, enum labels), read from the server once per
        connection; raises ReadTimeoutError naming the PV when it does not come within ``timeout``."""
        self._require_connection()
        try:
            info = self._channel.load_info(timeout)
        except TimeoutError as exc:
            raise ReadTimeoutError(f"PV {self.pvname}: {exc}") from exc
        return _ctrlvars(info)

    def get_all_metadata_blocking(self, timeout: float) -> dict[str, Any]:
        """Alarm state, timestamp and control metadata in one dict, without the value (classic ophyd's call)."""
        return {**self.get_timevars(timeout=timeout), **self.get_ctrlvars(timeout=timeout)}

    def _info(self) -> PVInfo:
        self._check_released()
        return self._channel.info()

    @property
    def units(self) -> str:
        """The engineering units."""
        return str(self.get_ctrlvars()["units"])

    @property
    def precision(self) -> int | None:
        """The display precision of a floating-point PV."""
        return self.get_ctrlvars().get("precision")

    @property
    def enum_strs(self) -> tuple[str, ...]:
        """An enum PV's labels (empty for other types)."""
        return self.get_ctrlvars().get("enum_strs", ())

    @property
    def read_access(self) -> bool:
        """Whether the server lets this client read the PV."""
        return self._info().read_access

    @property
    def write_access(self) -> bool:
        """Whether the server lets this client write the PV."""
        return self._info().write_access

    @property
    def nelm(self) -> int:
        """The PV's element count (1 for a scalar)."""
        return self._info().count

    # --- writing -------------------------------------------------------------------------------------
    @property
    def put_complete(self) -> bool | None:
        """After a put with ``use_complete`` or a callback: whether the server has finished processing it."""
        return self._put_complete

    def put(
        self,
        value: Any,
        wait: bool = False,
        timeout: float | None = 30.0,
        use_complete: bool = False,
        callback: Callable[..., Any] | None = None,
        callback_data: Any = None,
    ) -> int:
        """Write ``value``; with ``wait``, block until the server finished processing it (at most ``timeout``
        seconds, None: no limit); ``callback(pvname=..., data=callback_data)`` runs when it has. Returns 1.

        Raises ConnectionTimeoutError if the PV does not connect, ValueError or ReadOnlyError before sending a
        value it cannot take, and with ``wait`` the PutFailedError of a put the server refused or a
        TimeoutError naming the PV. A refused put without ``wait`` is logged (its callback runs as pyepics').
        """
        self._require_connection()
        if not (wait or use_complete or callback is not None):
            self._channel.put(value)
            return 1
        done = threading.Event()
        outcome: list[BaseException | None] = []
        self._put_complete = False

        def completed(error: BaseException | None) -> None:
            self._put_complete = True
            outcome.append(error)
            done.set()
            if error is not None and not wait:
                logger.error("Put of %r to %s failed: %s", value, self.pvname, error)
            if callback is not None:
                self._run(callback, pvname=self.pvname, data=callback_data)

        self._channel.put(value, callback=completed, timeout=timeout)
        if not wait:
            return 1
        # the channel fails the put itself once ``timeout`` passed; the extra second covers that report
        if not wait_event(done, None if timeout is None else timeout + 1.0):
            raise TimeoutError(f"Put of {value!r} to {self.pvname} did not complete within {timeout} s")
        if outcome[0] is not None:
            raise outcome[0]
        return 1

    # --- callbacks -----------------------------------------------------------------------------------
    def add_callback(
        self,
        callback: Callable[..., Any] | None = None,
        index: int | None = None,
        run_now: bool = False,
        with_ctrlvars: bool = True,
        **kw: Any,
    ) -> int | None:
        """Call ``callback(pvname=, value=, char_value=, timestamp=, status=, severity=, cb_info=, **kw)`` on
        every value update, as pyepics does; returns the index ``remove_callback`` takes.

        Starts the PV's monitor. ``with_ctrlvars`` asks for the control metadata (units, limits, labels) without
        waiting for it; the updates after it arrived carry it. ``run_now`` calls it at once with a fresh read.
        """
        self._check_released()
        if callable(callback):
            with self._lock:
                if index is None:
                    index = 1 + max(self.callbacks, default=0)
                self.callbacks[index] = (callback, kw)
        if with_ctrlvars:
            self._channel.request_info()
        self.auto_monitor = True
        self._monitor()
        if run_now and index is not None and self.connected:
            reading = self._channel.get(use_monitor=False, timeout=READ_TIMEOUT)
            self._call_value_callback(index, reading)
        return index

    def remove_callback(self, index: int | None = None) -> None:
        """Stop calling the callback ``add_callback`` returned ``index`` for."""
        with self._lock:
            self.callbacks.pop(index, None)  # type: ignore[arg-type]

    def clear_callbacks(self) -> None:
        """Forget every value, connection and access callback (as classic ophyd's PV does)."""
        with self._lock:
            self.callbacks.clear()
            self.connection_callbacks.clear()
            self.access_callbacks.clear()

    def run_callbacks(self) -> None:
        """Call every value callback now with the latest value (read from the server if not monitored)."""
        reading = self._latest or self._channel.get(use_monitor=False, timeout=READ_TIMEOUT)
        for index in sorted(self.callbacks):
            self._call_value_callback(index, reading)

    def _monitor(self) -> None:
        with self._lock:
            if self._monitoring or self._released:
                return
            self._monitoring = True  # a concurrent call does not subscribe twice
        subscription = self._channel.subscribe(self._on_reading)
        with self._lock:
            released = self._released
            if not released:
                self._subscription = subscription
        if released:  # released meanwhile, before it could see this subscription: drop it here
            self._channel.unsubscribe(subscription)

    def _on_reading(self, reading: PVReading) -> None:
        """A monitor update (on sophyd's monitor dispatcher): keep it and run the value callbacks."""
        self._latest = reading
        with self._lock:
            indexes = sorted(self.callbacks)
        for index in indexes:
            self._call_value_callback(index, reading)

    def _call_value_callback(self, index: int, reading: PVReading) -> None:
        entry = self.callbacks.get(index)
        if entry is None or self._released:
            return
        callback, extra = entry
        kwargs = {"pvname": self.pvname, **_reading_fields(reading), "count": np.size(reading.value)}
        info = self._channel.info() if self._channel.connected else None
        kwargs["char_value"] = reading.value if info is None else to_string(reading.value, info)
        if info is not None and info.control:
            kwargs.update(_ctrlvars(info))
        kwargs.update(extra)
        kwargs["cb_info"] = (index, self)
        self._run(callback, **kwargs)

    # --- releasing -----------------------------------------------------------------------------------
    def disconnect(self, deepclean: bool = True) -> None:
        """Release the PV: its callbacks stop and its channel is given back; ``cl.get_pv`` then makes a new PV.

        ``deepclean`` is accepted for pyepics' signature; the callbacks are always cleared.
        """
        release_pvs(self)

    def _release(self) -> None:
        """Stop the monitor, forget the callbacks and give the channel back (once)."""
        with self._lock:
            if self._released:
                return
            self._released = True
            subscription, self._subscription = self._subscription, None
        self.clear_callbacks()
        if subscription is not None:
            self._channel.unsubscribe(subscription)
        self._backend.release(self._channel)


#: The PVs ``get_pv`` made, per backend instance, by (PV name, form): one PV object per name, as pyepics keeps.
_cache: weakref.WeakKeyDictionary[Backend, dict[tuple[str, str], PV]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def get_pv(
    backend: Backend,
    pvname: str,
    form: str = "time",
    connect: bool = False,
    context: Any = None,
    timeout: float = CONNECTION_TIMEOUT,
    connection_callback: Callable[..., Any] | None = None,
    access_callback: Callable[..., Any] | None = None,
    callback: Callable[..., Any] | None = None,
    count: int | None = None,
    auto_monitor: bool | int | None = None,
    verbose: bool = False,
    monitor_delta: float | None = None,
) -> PV:
    """The PV object of ``pvname`` on ``backend``: the one made before (adding the given callbacks to it), or
    a new one. With ``connect``, wait up to ``timeout`` seconds for the connection (ConnectionTimeoutError
    naming the PV if none comes). ``context`` must be None: sophyd has one CA context per process.
    ``verbose`` and ``monitor_delta`` are accepted for pyepics' signature and not used: sophyd logs through
    its loggers, and a monitor delivers every update the server sends."""
    if context is not None:
        raise ValueError(f"get_pv({pvname!r}): context must be None, not {context!r}")
    with _cache_lock:
        pvs = _cache.setdefault(backend, {})
        pv = pvs.get((pvname, form))
        if pv is None:
            pv = pvs[(pvname, form)] = PV(backend, pvname, form=form, auto_monitor=auto_monitor, count=count)
    if auto_monitor and not pv.auto_monitor:
        pv.auto_monitor = True
        pv._monitor()
    pv._watch(connection_callback, access_callback)
    if callback is not None:
        pv.add_callback(callback, with_ctrlvars=False)
    if connect:
        pv._require_connection(timeout)
    return pv


def release_pvs(*pvs: PV) -> None:
    """Give back PVs got from ``get_pv``: their callbacks stop, their channels are released (destroyed when no
    signal uses them), and ``get_pv`` makes a new PV object for the name afterwards."""
    for pv in pvs:
        with _cache_lock:
            pvs_of_backend = _cache.get(pv._backend, {})
            if pvs_of_backend.get((pv.pvname, pv.form)) is pv:
                del pvs_of_backend[(pv.pvname, pv.form)]
        pv._release()
