"""Is an IOC up? Read PVs once over Channel Access and report those that did not answer.

Used by the IOC launcher, the supervisor status script and users' own checks (``missing_pvs``). It uses
caproto's *sync* client, which reads the ``EPICS_CA_*`` environment on every call and keeps no context, so it
works before (or without) any pyepics/libca context and sees environment changes made at runtime.
Command line: ``python -m sophyd.control.probe PV [PV ...] [--timeout S]``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait

__all__ = ["missing_pvs"]

_MAX_WORKERS = 16
_FIRST_ATTEMPT = 0.5  # seconds; each failed attempt doubles it
# The sync client shares one TCP circuit per (server address, priority) between calls and closes it after
# each read, so concurrent reads of two PVs on one IOC would trip over each other. Each worker thread
# therefore uses its own priority; priorities above the default 0 also keep clear of other sync-client users.
_priorities = itertools.count(1)
_local = threading.local()


def _assign_priority() -> None:
    _local.priority = next(_priorities) % 100 or 1


def _answers(pvname: str, deadline: float) -> bool:
    """Whether ``pvname`` answers a read before ``deadline``, asking again with doubling attempt times.

    One sync-client read searches twice, at its start and half-way through its timeout: a single read with a
    30 s timeout would not search again for 15 s if its first search went out before the IOC was up.
    """
    from caproto.sync.client import read  # imported here: importing this module must stay cheap

    attempt = _FIRST_ATTEMPT
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            read(pvname, timeout=min(attempt, remaining), priority=_local.priority, repeater=False)
        except Exception:
            attempt *= 2
            continue
        return True
    return False


def missing_pvs(pvnames: Sequence[str], timeout: float) -> list[str]:
    """Return the PVs of ``pvnames`` (in order) that did not answer a CA read within ``timeout`` seconds.

    All PVs are read concurrently, so the call takes about one round trip when everything is up, and about
    ``timeout`` seconds otherwise (a read still in flight at the deadline counts as missing).
    """
    names = list(dict.fromkeys(pvnames))
    if not names:
        return []
    deadline = time.monotonic() + timeout
    pool = ThreadPoolExecutor(
        max_workers=min(_MAX_WORKERS, len(names)),
        thread_name_prefix="sophyd-probe",
        initializer=_assign_priority,
    )
    try:
        futures = {name: pool.submit(_answers, name, deadline) for name in names}
        wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()) + 0.5)
    finally:
        # Do not wait for stragglers: each read gives up on its own by the deadline.
        pool.shutdown(wait=False, cancel_futures=True)
    answered = {name for name, fut in futures.items() if fut.done() and not fut.cancelled() and fut.result()}
    return [name for name in pvnames if name not in answered]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: exit 0 when every PV answers, else print the missing PVs (one a line) and exit 1."""
    parser = argparse.ArgumentParser(
        prog="python -m sophyd.control.probe", description="Check that PVs answer a Channel Access read."
    )
    parser.add_argument("pvnames", nargs="+", metavar="PV")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for all PVs (default 5)")
    args = parser.parse_args(argv)
    missing = missing_pvs(args.pvnames, args.timeout)
    for name in missing:
        print(name)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
