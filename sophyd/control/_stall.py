"""Concurrent reads without the delayed-ACK stall: which servers get_many reads one PV after another.

A server that writes each answer with its own send() and leaves Nagle's algorithm on (caproto's server as
shipped) holds the second answer of a burst back until the client acknowledges the first, and the client's
kernel delays that acknowledgement by about 40 ms: a concurrent read of several PVs on such a server takes
~40 ms every time. Reads made one after another never leave the server two answers to send, so they do not
stall. ``get_many`` sends its reads concurrently and reports when each answer came; a server whose answers to
one batch showed a silence of ``STALL_GAP`` in ``CONFIRM`` batches in a row is read one PV after another from
then on (for up to ``MAX_IN_TURN`` reads per batch, where that is quicker than one stall), and concurrently
once every ``REPROBE`` batches to see whether it still stalls. Servers without the stall keep concurrent reads.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Hashable, Sequence

__all__ = ["StallWatch"]

STALL_GAP = 0.030  # s of silence between two answers of one batch: the delayed ACK (40 ms on Linux)
CONFIRM = 2  # batches in a row that show it before a server is read in turn (one may be a busy machine)
REPROBE = 200  # batches read in turn before one concurrent batch looks again
MAX_IN_TURN = 16  # reads per server per batch above which one stall costs less than reading in turn


class StallWatch:
    """Per server (a backend's name for it, e.g. ``'host:port'``): read it concurrently or in turn."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._suspect: dict[Hashable, int] = {}  # stalled batches in a row, per server not yet read in turn
        self._in_turn: dict[Hashable, int] = {}  # batches left before the next concurrent probe
        self._stalled_before: set[Hashable] = set()  # one stalled probe puts these back in turn

    def read_in_turn(self, server: Hashable | None, count: int) -> bool:
        """Whether ``count`` reads on ``server`` in one batch should go one after another."""
        if server is None or count < 2 or count > MAX_IN_TURN:
            return False
        with self._lock:
            left = self._in_turn.get(server)
            if left is None:
                return False
            if left <= 0:  # this batch probes concurrently
                del self._in_turn[server]
                return False
            self._in_turn[server] = left - 1
            return True

    def observe(self, server: Hashable | None, answered_at: Sequence[float]) -> None:
        """A concurrent batch on ``server`` is done: ``answered_at`` are its answers' monotonic times."""
        if server is None or len(answered_at) < 2 or len(answered_at) > MAX_IN_TURN:
            return
        times = sorted(answered_at)
        stalled = max(later - earlier for earlier, later in itertools.pairwise(times)) >= STALL_GAP
        with self._lock:
            if not stalled:
                self._suspect.pop(server, None)
                return
            seen = self._suspect.get(server, 0) + 1
            if seen >= CONFIRM or server in self._stalled_before:
                self._suspect.pop(server, None)
                self._stalled_before.add(server)
                self._in_turn[server] = REPROBE
            else:
                self._suspect[server] = seen

    def reads_in_turn(self, server: Hashable) -> bool:
        """True while ``server`` is read one PV after another (for tests and diagnostics)."""
        with self._lock:
            return server in self._in_turn

    def mark(self, server: Hashable, in_turn: bool) -> None:
        """Read ``server`` in turn (or concurrently) from now on, as if its batches had shown (not) the stall."""
        with self._lock:
            self._suspect.pop(server, None)
            if in_turn:
                self._stalled_before.add(server)
                self._in_turn[server] = REPROBE
            else:
                self._stalled_before.discard(server)
                self._in_turn.pop(server, None)
