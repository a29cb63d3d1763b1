"""Hears Channel Access server beacons through the CA repeater and tells the backends when a server (re)starts.

Both CA clients reconnect slowly after an IOC restart: libca moves its disconnected channels to a search
period of about 5 s on a beacon anomaly, and caproto's client notices the anomaly only when beacons come
faster than before, which EPICS base's RSRV beacons (sent while the IOC is still initialising) often do not
show. Here a restart is recognised by the server's beacon counter starting again (or a server not heard
before), and for a few seconds after, on every beacon of that server, the backends search again at once for
their disconnected channels; so a channel reconnects within a search round trip of the IOC answering.

The watcher registers with the repeater on ``127.0.0.1:$EPICS_CA_REPEATER_PORT`` (5065 by default), as
libca does; without a repeater it hears nothing and the clients keep their own back-off.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable

__all__ = ["BeaconWatcher", "get_watcher"]

logger = logging.getLogger("sophyd.control.beacons")

_BEACON = 13  # CA_PROTO_RSRV_IS_UP
_REPEATER_CONFIRM = 17
_REPEATER_REGISTER = 24
# command, payload size, data type, data count, parameter 1, parameter 2; a beacon carries the protocol
# version as data type, the server's port as data count, its beacon number and its address.
_HEADER = struct.Struct(">HHHHII")
_LOOPBACK = "127.0.0.1"
#: How long after a restart every beacon of that server makes the backends search again (s). RSRV sends its
#: first beacons during iocInit, before it answers searches, at intervals doubling from 20 ms.
RESTART_WINDOW = 10.0
#: A server silent this long is treated as new when heard again (s); servers beacon at most every 15 s.
_SILENCE = 20.0
_REGISTER_EVERY = 10.0  # re-register this often: the repeater may have started after us (s)

ServerListener = Callable[[tuple[str, int]], None]


class BeaconWatcher:
    """A thread that hears beacons via the repeater and calls listeners with ``(host, port)`` of a server
    that restarted, on each of its beacons during ``RESTART_WINDOW``."""

    def __init__(self) -> None:
        self._listeners: list[ServerListener] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._servers: dict[tuple[str, int], tuple[int, float]] = {}  # last beacon number, time heard
        self._restarted: dict[tuple[str, int], float] = {}  # when each server was seen to (re)start

    def add_listener(self, listener: ServerListener) -> None:
        """Call ``listener((host, port))`` when that server restarts; starts the thread on first use."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sophyd-beacons", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        port = _repeater_port()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((_LOOPBACK, 0))
            sock.settimeout(1.0)
            register = _HEADER.pack(_REPEATER_REGISTER, 0, 0, 0, 0, 0)[:12] + socket.inet_aton(_LOOPBACK)
            next_register = 0.0
            while True:
                now = time.monotonic()
                if now >= next_register:
                    try:
                        sock.sendto(register, (_LOOPBACK, port))
                    except OSError as exc:
                        logger.debug("cannot register with the CA repeater on port %d: %s", port, exc)
                    next_register = now + _REGISTER_EVERY
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    continue  # e.g. ECONNREFUSED from a repeater that is not running
                self._on_datagram(data, time.monotonic())

    def _on_datagram(self, data: bytes, now: float) -> None:
        for offset in range(0, len(data) - _HEADER.size + 1, _HEADER.size):
            command, _, _version, server_port, number, address = _HEADER.unpack_from(data, offset)
            if command == _BEACON:
                self.on_beacon((socket.inet_ntoa(struct.pack(">I", address)), server_port), number, now)

    def on_beacon(self, server: tuple[str, int], number: int, now: float) -> None:
        """Note a beacon of ``server``; tell the listeners if the server restarted not long ago."""
        previous = self._servers.get(server)
        self._servers[server] = (number, now)
        if previous is None or number < previous[0] or now - previous[1] > _SILENCE:
            self._restarted[server] = now
        started = self._restarted.get(server)
        if started is None or now - started > RESTART_WINDOW:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(server)
            except Exception:
                logger.exception("beacon listener %r failed", listener)


def _repeater_port() -> int:
    value = os.environ.get("EPICS_CA_REPEATER_PORT", "").strip()
    return int(value) if value.isdigit() else 5065


_watcher: BeaconWatcher | None = None
_watcher_lock = threading.Lock()


def get_watcher() -> BeaconWatcher:
    """The process's one beacon watcher (its thread starts with its first listener)."""
    global _watcher
    with _watcher_lock:
        if _watcher is None:
            _watcher = BeaconWatcher()
        return _watcher
