"""Run one of caproto's own example IOCs (``caproto.ioc_examples.*``) for a test, on its own loopback address.

Those IOCs are stock caproto servers, unlike sophyd's (``iocs/``): they bind to 0.0.0.0 and send beacons to the
LAN unless told otherwise, so they are started with ``--interfaces <address>`` and beacons kept on loopback.
While one runs, its address is added to ``EPICS_CA_ADDR_LIST``: caproto's client reads that variable on every
search, so devices on the caproto control layer find the IOC (libca read it once, at its first use, so pyepics
would not). The IOC is stopped by PID at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sophyd.control.probe import missing_pvs
from sophyd.sim.launch import pick_loopback_address

__all__ = ["example_ioc"]

START_TIMEOUT = 30.0
LOOPBACK_BROADCAST = "127.255.255.255"


@contextlib.contextmanager
def example_ioc(module: str, ready_suffix: str, *, tail: str = "") -> Iterator[str]:
    """Start ``python -m <module> --prefix <unique><tail> --interfaces <address>``; yield the prefix once
    ``<prefix><ready_suffix>`` answers a CA read; stop the IOC (SIGTERM, then SIGKILL) on exit."""
    address = pick_loopback_address()
    prefix = f"sophyd{secrets.token_hex(4)}:{tail}"
    env = dict(
        os.environ, EPICS_CAS_BEACON_ADDR_LIST=LOOPBACK_BROADCAST, EPICS_CAS_AUTO_BEACON_ADDR_LIST="NO"
    )
    saved = os.environ.get("EPICS_CA_ADDR_LIST")
    with tempfile.TemporaryDirectory(prefix="sophyd-example-ioc-") as logs:
        log_path = Path(logs) / "ioc.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", module, "--prefix", prefix, "--interfaces", address],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        os.environ["EPICS_CA_ADDR_LIST"] = f"{saved or ''} {address}".strip()
        try:
            ready = prefix + ready_suffix
            deadline = time.monotonic() + START_TIMEOUT
            # Short reads, repeated: one read searches once, and a search sent before the IOC listens is lost.
            while missing_pvs([ready], 0.5) and process.poll() is None and time.monotonic() < deadline:
                pass
            if missing_pvs([ready], 1.0):
                raise RuntimeError(
                    f"{module} did not answer {ready} on {address} within {START_TIMEOUT} s "
                    f"(exit code {process.poll()}): {log_path.read_text(errors='replace')[-2000:]}"
                )
            yield prefix
        finally:
            if saved is None:
                os.environ.pop("EPICS_CA_ADDR_LIST", None)
            else:
                os.environ["EPICS_CA_ADDR_LIST"] = saved
            process.send_signal(signal.SIGTERM)  # Popen signals its own child by PID
            try:
                process.wait(5.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5.0)
