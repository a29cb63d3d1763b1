"""Helpers the test modules share: callbacks that record what they are given and can be waited on, waits
for a condition or for processes to exit, and scripts run in a fresh Python."""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from caproto.sync import client as _sync_client

if TYPE_CHECKING:
    from sophyd import StatusBase

TIMEOUT = 5.0


def _searching_on(op: Callable[..., Any]) -> Callable[..., Any]:
    """``op`` (a caproto sync-client call) that searches for its PV a second time before it fails.

    The sync client gives up on a PV after one search window, while libca and caproto's threading client
    keep searching: a search datagram may go unanswered, and these calls are the tests' independent view of
    the IOC, not the client under test. A failure of anything but the search is raised at once.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return op(*args, **kwargs)
        except _sync_client.CaprotoTimeoutError as exc:
            if "response from the search" not in str(exc):
                raise
            return op(*args, **kwargs)

    return call


# caproto's sync client spawns a caproto-repeater (bound to 0.0.0.0, outliving the tests) unless told not to.
ca_read = _searching_on(partial(_sync_client.read, repeater=False))
ca_write = _searching_on(partial(_sync_client.write, repeater=False))


class Events:
    """A subscription callback that records events and wakes a waiter when one matches."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def __call__(self, **kwargs: Any) -> None:
        with self._cond:
            self.events.append(kwargs)
            self._cond.notify_all()

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """The latest matching event; fails the test if none arrives within ``timeout`` seconds."""
        with self._cond:
            found: list[dict[str, Any]] = []

            def match() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            assert self._cond.wait_for(match, timeout), f"no matching event in {self.events[-5:]}"
            return found[-1]

    def clear(self) -> None:
        with self._cond:
            self.events.clear()


class PutWaiter:
    """A put-completion callback (``callback(error)``) that can be waited on."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.error: BaseException | None = None

    def __call__(self, error: BaseException | None) -> None:
        self.error = error
        self.event.set()

    def wait(self, timeout: float = TIMEOUT) -> BaseException | None:
        assert self.event.wait(timeout), "no put completion callback"
        return self.error


def done_event(status: StatusBase) -> threading.Event:
    """An Event set by the status' completion callback."""
    event = threading.Event()
    status.add_callback(lambda st: event.set())
    return event


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        threading.Event().wait(0.005)


def gauss(x: float, center: float, sigma: float, imax: float) -> float:
    """The value a synthetic Gaussian detector (SynGauss) promises at motor position ``x``."""
    return imax * math.exp(-((x - center) ** 2) / (2 * sigma**2))


def gone(pid: int) -> bool:
    """Whether no process (not even a zombie) has this PID."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait for a process that is not our child to exit (a pidfd becomes readable when it does)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return bool(readable)


def run_json_script(script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Any:
    """Run ``python -c script *args`` (e.g. pyepics, kept out of this process); return its last output line
    parsed as JSON. Fails with the script's stderr if it exits with an error."""
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ) if env is None else env,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def listening_addresses(pid: int) -> list[str]:
    """The local addresses (``"127.0.0.1:PORT"``) of the TCP sockets process ``pid`` listens on, from /proc.

    The socket inodes among the process's open files are matched against the LISTEN rows (state 0A) of
    /proc/net/tcp and tcp6, whose addresses are little-endian hex.
    """
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = []
    for table in ("tcp", "tcp6"):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] != "0A" or fields[9] not in inodes:
                continue
            address, port = fields[1].split(":")
            raw = bytes.fromhex(address)
            if table == "tcp":
                host = ".".join(str(b) for b in reversed(raw))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                host = ":".join(words[i : i + 2].hex() for i in range(0, 16, 2))
            found.append(f"{host}:{int(port, 16)}")
    return found


@contextlib.contextmanager
def fast_stage(prefix: str, timeout: float = TIMEOUT) -> Iterator[Any]:
    """The pattern IOC's stage, made fast; back at (0, 0) and its old speed afterwards."""
    from sophyd.sim.devices import SimStage

    stage = SimStage(prefix, name="stage")
    stage.wait_for_connection(timeout=timeout)
    saved = [(m, m.velocity.get()) for m in (stage.x, stage.y)]
    for motor in (stage.x, stage.y):
        motor.velocity.set(1000.0).wait(timeout)
    try:
        yield stage
    finally:
        for motor, velocity in saved:
            motor.set(0.0).wait(timeout)
            motor.velocity.set(velocity).wait(timeout)


def read_tiff(path: str | Path) -> np.ndarray:
    """The pixels of an uncompressed one-strip 8-bit grayscale TIFF file, read with the standard library."""
    data = Path(path).read_bytes()
    order = {b"II": "<", b"MM": ">"}[data[:2]]
    magic, ifd = struct.unpack(order + "HI", data[2:8])
    assert magic == 42
    (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
    tags: dict[int, int] = {}
    for i in range(count):
        tag, kind, n, raw = struct.unpack(order + "HHI4s", data[ifd + 2 + 12 * i : ifd + 14 + 12 * i])
        if kind in (3, 4) and n == 1:  # one SHORT (left-justified) or LONG value
            tags[tag] = (
                struct.unpack(order + "H", raw[:2])[0] if kind == 3 else struct.unpack(order + "I", raw)[0]
            )
    # 8 bits per sample, no compression, BlackIsZero, one sample per pixel
    assert (tags[258], tags[259], tags[262], tags.get(277, 1)) == (8, 1, 1, 1)
    width, height, offset, size = tags[256], tags[257], tags[273], tags[279]
    assert size == width * height and tags.get(278, height) >= height  # one strip
    return np.frombuffer(data[offset : offset + size], dtype=np.uint8).reshape(height, width)


def assert_read_only(prefix: str, suffixes: Sequence[str]) -> None:
    """Each PV ``prefix + suffix`` refuses a write over Channel Access (ReadOnlyError, nothing sent)."""
    from sophyd import EpicsSignal, ReadOnlyError

    for suffix in suffixes:
        signal = EpicsSignal(prefix + suffix, name="ro")
        try:
            signal.wait_for_connection(timeout=TIMEOUT)
            with pytest.raises(ReadOnlyError):
                signal.put(1)
        finally:
            signal.destroy()
