"""Run a simulated IOC on caproto's server as shipped, without the fixes in ``iocs/`` (``--stock-ioc``).

``python bench/_stock_ioc.py sophyd_iocs.testioc --prefix ... --interfaces ...`` turns ``run_ioc``'s caproto
server fixes (TCP_NODELAY, the search sequence echo, a burst of requests answered in one pass, small subscription
batches sent without waiting for more) into no-ops, then runs the IOC module as ``__main__``. It shows how much
of a benchmark figure is the IOC's and how much the client's. (The test IOC's flood still yields between
updates: that is its own code.)
"""

from __future__ import annotations

import runpy
import sys

import sophyd_iocs._run as run

FIXES = (
    "enable_tcp_nodelay",
    "echo_search_sequence",
    "coalesce_responses",
    "bound_subscription_batches",
    "send_updates_promptly",
)


def main() -> None:
    for name in FIXES:
        if not callable(getattr(run, name, None)):
            raise RuntimeError(f"sophyd_iocs._run has no {name}(): update bench/_stock_ioc.py")
        setattr(run, name, lambda: None)
    module, rest = sys.argv[1], sys.argv[2:]
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
