"""The control-layer interface: what a signal needs from a Channel Access client, and nothing more.

A backend (pyepics, caproto, mock) implements ``Channel``. Every callback a Channel makes to its users runs on
a sophyd dispatcher thread (``sophyd._dispatch``), never on the client library's own threads.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_TIMEOUT", "FORMS", "Channel", "PVInfo", "PVReading"]

#: Seconds a read waits when the caller names no timeout (also EpicsSignal's default ``timeout``).
DEFAULT_TIMEOUT = 2.0
#: The DBR forms ``Channel.get`` can ask for (classic ophyd's and pyepics' ``form``).
FORMS = ("time", "ctrl", "native")


@dataclass(frozen=True, slots=True)
class PVReading:
    """One value of a PV with its alarm state and server timestamp (POSIX seconds)."""

    value: Any
    timestamp: float
    status: int = 0
    severity: int = 0


@dataclass(frozen=True, slots=True)
class PVInfo:
    """What a PV says about itself: its native type and access rights, and its control metadata.

    ``native_type`` is one of ``'float'``, ``'integer'``, ``'enum'``, ``'string'``, ``'char'``; ``count`` is the
    element count (1 for scalars); a ``'char'`` PV with count > 1 is a char waveform read as str.
    ``dtype_numpy`` is the numpy dtype of one numeric element as the server holds it (``'<i4'`` for a LONG),
    '' when not numeric or not known. ``control`` is False while only the connection's facts (type, count,
    access) are known: units, precision, limits and enum labels come with ``Channel.load_info``.
    """

    native_type: str
    count: int = 1
    units: str = ""
    precision: int | None = None
    lower_ctrl_limit: float | None = None
    upper_ctrl_limit: float | None = None
    lower_disp_limit: float | None = None
    upper_disp_limit: float | None = None
    lower_alarm_limit: float | None = None
    upper_alarm_limit: float | None = None
    lower_warning_limit: float | None = None
    upper_warning_limit: float | None = None
    enum_strs: tuple[str, ...] = field(default_factory=tuple)
    read_access: bool = True
    write_access: bool = True
    dtype_numpy: str = ""
    control: bool = True


PutCallback = Callable[[BaseException | None], None]
ReadingCallback = Callable[[PVReading], None]
ConnectionCallback = Callable[[bool], None]


class Channel(abc.ABC):
    """One PV on one backend. Construction starts connecting and never blocks."""

    pvname: str
    #: True once the channel has connected; a read after a disconnect then fails at once instead of waiting.
    ever_connected: bool = False

    @property
    @abc.abstractmethod
    def connected(self) -> bool:
        """True while the channel is connected (its native type, count and access rights are known)."""

    @abc.abstractmethod
    def wait_for_connection(self, timeout: float | None) -> bool:
        """Block until connected (True) or ``timeout`` seconds passed (False); None waits forever."""

    @abc.abstractmethod
    def info(self) -> PVInfo:
        """What is known now, without blocking; raises DisconnectedError naming the PV if never connected.

        The control fields are filled once ``load_info`` read them for the current connection (``control``).
        """

    @abc.abstractmethod
    def load_info(self, timeout: float | None = DEFAULT_TIMEOUT) -> PVInfo:
        """The metadata with its control fields, read from the server once per connection, when first needed.

        Connecting does not read them: most channels are only ever read and written. Raises DisconnectedError
        when not connected, TimeoutError naming the PV when the server does not answer within ``timeout``.
        """

    @abc.abstractmethod
    def request_info(self) -> None:
        """Start reading the control metadata without waiting; connection callbacks run when it arrives."""

    @abc.abstractmethod
    def get(
        self,
        *,
        as_string: bool = False,
        use_monitor: bool = True,
        timeout: float | None = DEFAULT_TIMEOUT,
        form: str = "time",
    ) -> PVReading:
        """Read the PV; ``use_monitor=False`` forces a fresh read from the server.

        Enums read as int, or as their label with ``as_string=True``; char waveforms and strings read as str;
        arrays as numpy arrays. Raises DisconnectedError at once when not connected, TimeoutError on no answer.

        ``form`` picks the DBR type asked for, as pyepics' ``form`` does: ``'time'`` (the value with its alarm
        state and the server's timestamp), ``'ctrl'`` (the value with its alarm state and the control metadata,
        which the channel keeps as its ``info()``) or ``'native'`` (the value alone, alarm state 0). The two
        last carry no server timestamp: the reading's is the time it arrived. They always read the server.
        """

    @abc.abstractmethod
    def put(self, value: Any, *, callback: PutCallback | None = None, timeout: float | None = None) -> None:
        """Write ``value``; with ``callback``, ask for put-completion and report it.

        ``callback(None)`` means the server processed the put; ``callback(exc)`` carries a PutFailedError when the
        server refused it (ECA_PUTFAIL, limits) or a TimeoutError when no completion came within ``timeout``.
        Raises DisconnectedError or ReadOnlyError at once, before anything is sent.
        """

    @abc.abstractmethod
    def invalidate(self) -> None:
        """The PV's value has just been changed by this process (``put`` calls this itself; call it for an
        operation that changes the PV indirectly, e.g. the readback of a motor after its move).

        The server answers a put before it sends the monitor update, so until an update at least as new as a
        server read made since arrives, ``get(use_monitor=True)`` reads the server instead of the cache.
        """

    @abc.abstractmethod
    def confirm_cache(self) -> None:
        """End the staleness ``invalidate`` (or a put) began: the caller knows the monitor cache holds the
        change, e.g. a motor's VAL after the record posted DMOV = 1 for the move that VAL started, since a
        server sends one circuit's updates in the order it posted them. A channel without a cache ignores it."""

    @abc.abstractmethod
    def subscribe(self, callback: ReadingCallback) -> int:
        """Call ``callback(reading)`` on every monitor update (coalesced to the latest); returns a handle."""

    @abc.abstractmethod
    def unsubscribe(self, handle: int) -> None:
        """Stop a subscription made with ``subscribe``."""

    @abc.abstractmethod
    def add_connection_callback(self, callback: ConnectionCallback) -> None:
        """Call ``callback(connected)`` whenever the connection state changes (also after reconnects), and
        ``callback(True)`` again when the control metadata arrives, so listeners can refresh."""

    @abc.abstractmethod
    def destroy(self) -> None:
        """Release the channel and its subscriptions."""


class Backend(abc.ABC):
    """A control layer: makes Channels, and gets many of them at once."""

    name: str

    @abc.abstractmethod
    def release(self, channel: Channel) -> None:
        """Give back a channel got from ``channel()``; the last user's release destroys it."""

    @abc.abstractmethod
    def channels(self) -> list[Channel]:
        """The channels this backend holds now (one per PV name), e.g. to check which are connected."""

    @abc.abstractmethod
    def close(self) -> None:
        """Destroy every channel and let go of the client's connections; for tests and shutdown."""

    @abc.abstractmethod
    def channel(self, pvname: str) -> Channel:
        """The channel for ``pvname``, shared by every signal of this process that names that PV.

        ``get(use_monitor=True)`` answers from the monitor cache while the channel has a subscription, and
        reads from the server otherwise.
        """

    def get_many(
        self,
        channels: Sequence[Channel],
        *,
        as_string: Sequence[bool],
        timeout: float | None = DEFAULT_TIMEOUT,
        use_monitor: bool = True,
    ) -> list[PVReading]:
        """Read several channels concurrently; the default reads them one by one.

        ``use_monitor=False`` reads every channel from the server, even those with a monitor cache."""
        return [
            ch.get(as_string=s, use_monitor=use_monitor, timeout=timeout)
            for ch, s in zip(channels, as_string, strict=False)
        ]

    def wait_for_connection_many(self, channels: Sequence[Channel], timeout: float | None) -> bool:
        """Wait until every channel is connected (True) or ``timeout`` passed (False); the default waits
        for them one by one against one deadline."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for ch in channels:
            ch.wait_for_connection(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return all(ch.connected for ch in channels)

    def load_info_many(
        self, channels: Sequence[Channel], *, timeout: float | None = DEFAULT_TIMEOUT
    ) -> list[PVInfo]:
        """``load_info`` of several channels; the default loads them one by one."""
        return [ch.load_info(timeout) for ch in channels]
