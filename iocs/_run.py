"""Shared command-line entry point for the simulated IOCs: caproto's standard options, loopback by default.

caproto binds to 0.0.0.0 and broadcasts beacons to 255.255.255.255 unless told otherwise; a simulated IOC
should not be visible on the network by accident, so ``run_ioc`` listens on 127.0.0.1 unless ``--interfaces``
or ``EPICS_CAS_INTF_ADDR_LIST`` says otherwise, and an IOC on loopback sends its beacons to loopback only.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import threading
import time
from typing import Any

from caproto.server import PVGroup, run, template_arg_parser

from sophyd_iocs._caproto_fixes import (
    bound_subscription_batches,
    coalesce_responses,
    echo_search_sequence,
    enable_tcp_nodelay,
    send_updates_promptly,
)

__all__ = [
    "BULK_COUNT_VAR",
    "LOOPBACK",
    "LOOPBACK_BROADCAST",
    "PARENT_PID_VAR",
    "bulk_count",
    "exit_with_parent",
    "run_ioc",
]

LOOPBACK = "127.0.0.1"
LOOPBACK_BROADCAST = "127.255.255.255"
_BEACON_VARS = ("EPICS_CAS_BEACON_ADDR_LIST", "EPICS_CAS_AUTO_BEACON_ADDR_LIST")
#: Set by ``sophyd.sim.launch_iocs`` to its PID: the IOC then exits when that process is gone, so a test run
#: killed before its teardown (e.g. by ``timeout``) leaves no IOC behind.
PARENT_PID_VAR = "SOPHYD_IOC_PARENT_PID"
_PARENT_POLL = 0.5
#: How many ``bulk:NNNN`` PVs the test IOCs serve, when set (benchmarks set it; tests use the default).
BULK_COUNT_VAR = "SOPHYD_IOC_BULK_COUNT"
_MAX_BULK = 10000  # the names have four digits


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def bulk_count(default: int) -> int:
    """The number of ``bulk:NNNN`` PVs to serve: ``$SOPHYD_IOC_BULK_COUNT`` if set, else ``default``.

    The benchmarks connect thousands of signals; the tests need fewer, and every PV costs start-up time.
    """
    text = os.environ.get(BULK_COUNT_VAR, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 0 < int(text) <= _MAX_BULK:
        raise SystemExit(f"{BULK_COUNT_VAR}={text!r}: give a whole number from 1 to {_MAX_BULK}")
    return int(text)


def exit_with_parent() -> None:
    """If ``$SOPHYD_IOC_PARENT_PID`` names our parent, SIGTERM ourselves once that parent is gone."""
    value = os.environ.pop(PARENT_PID_VAR, "")
    if not value.isdigit():
        return
    parent = int(value)
    if os.getppid() != parent:
        raise SystemExit(f"the launching process {parent} is gone; not starting")

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def run_ioc(group_cls: type[PVGroup], *, default_prefix: str, desc: str, **group_kwargs: Any) -> None:
    """Parse caproto's standard IOC options from ``sys.argv``, build ``group_cls`` and serve it until killed.

    ``group_kwargs`` are passed to ``group_cls`` besides ``prefix`` and ``macros``. Without ``--interfaces``
    and without ``EPICS_CAS_INTF_ADDR_LIST`` in the environment, the server listens on 127.0.0.1 only. When
    every interface is a loopback address and no ``EPICS_CAS_*BEACON_ADDR_LIST`` is set, beacons go to
    127.255.255.255 instead of the LAN broadcast address. With ``$SOPHYD_IOC_PARENT_PID`` set (by the
    launcher), the IOC exits when that process does. Five changes to caproto's server are applied on the
    way, all in ``sophyd_iocs._caproto_fixes``: TCP_NODELAY on every circuit, a burst of requests answered in
    one send(), small monitor batches sent without waiting for more, and search replies that echo the client's
    sequence number.
    """
    parser, split_args = template_arg_parser(desc=desc, default_prefix=default_prefix)
    default_interfaces = parser.get_default("interfaces")
    parser.set_defaults(interfaces=None)
    args = parser.parse_args()
    if args.interfaces is None:
        from_env = os.environ.get("EPICS_CAS_INTF_ADDR_LIST", "").strip()
        args.interfaces = list(default_interfaces) if from_env else [LOOPBACK]
    if all(_is_loopback(a) for a in args.interfaces) and not any(os.environ.get(v) for v in _BEACON_VARS):
        os.environ["EPICS_CAS_BEACON_ADDR_LIST"] = LOOPBACK_BROADCAST
        os.environ["EPICS_CAS_AUTO_BEACON_ADDR_LIST"] = "NO"
    exit_with_parent()
    enable_tcp_nodelay()  # put-completions without the ~40 ms delayed-ACK stall seen by libca clients
    coalesce_responses()  # one send() for the answers to a burst of requests, not one each
    bound_subscription_batches()  # a reply never waits behind ~2000 queued monitor updates
    echo_search_sequence()  # libca searches at full speed (caproto answers every search with sequence 1)
    send_updates_promptly()  # the last monitor update of a burst is not held back 10 ms
    ioc_options, run_options = split_args(args)
    ioc = group_cls(**ioc_options, **group_kwargs)
    run(ioc.pvdb, **run_options)
