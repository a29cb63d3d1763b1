"""caproto's example motor IOC (``caproto.ioc_examples.fake_motor_record``), for ``bench_re.py --workloads scan``.

``launch_iocs`` starts this script with ``--prefix`` and ``--interfaces``; it serves caproto's FakeMotorIOC
(``mtr1``..``mtr3``, records that answer a put to ``.VAL`` at once and then move, polling for a new target ten
times a second) unchanged. The server gets the five fixes of ``sophyd_iocs._caproto_fixes`` (as sophyd's own
IOCs do) unless ``$SOPHYD_BENCH_STOCK_SERVER`` is ``1``: then it is caproto's server as shipped.
"""

from __future__ import annotations

import os
import runpy
import sys

DEFAULT_PREFIX = "sim:"
READY_PV = "mtr1.DMOV"
EXAMPLE = "caproto.ioc_examples.fake_motor_record"


def main() -> None:
    from sophyd_iocs._run import exit_with_parent

    exit_with_parent()  # no IOC left behind if the bench is killed
    if os.environ.get("SOPHYD_BENCH_STOCK_SERVER") != "1":
        from sophyd_iocs._caproto_fixes import (
            bound_subscription_batches,
            coalesce_responses,
            echo_search_sequence,
            enable_tcp_nodelay,
            send_updates_promptly,
        )

        enable_tcp_nodelay()
        coalesce_responses()
        bound_subscription_batches()
        echo_search_sequence()
        send_updates_promptly()
    sys.argv = [EXAMPLE, *sys.argv[1:]]
    runpy.run_module(EXAMPLE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
