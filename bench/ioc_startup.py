"""IOC start-up time: from spawning ``python -m <module>`` to its ready PV answering a CA read (median of N).

    python bench/ioc_startup.py                                  # the pattern IOC, 5 runs
    python bench/ioc_startup.py sophyd_iocs.testioc ready 9      # any IOC module, its READY_PV, runs

Polls the ready PV with caproto's sync client every 50 ms, so figures are good to about that; run it on a quiet
machine and compare medians (results in bench/README.md).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from caproto.sync.client import read

from sophyd.sim.launch import pick_loopback_address


def startup_time(module: str, ready_pv: str, prefix: str) -> float:
    """Seconds from spawning the IOC module to ``prefix + ready_pv`` answering; the IOC is stopped after."""
    address = pick_loopback_address()
    os.environ["EPICS_CA_ADDR_LIST"] = address
    os.environ["EPICS_CA_AUTO_ADDR_LIST"] = "NO"
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--prefix", prefix, "--interfaces", address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                read(prefix + ready_pv, timeout=0.05, repeater=False)
                return time.monotonic() - start
            except TimeoutError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{module} exited with code {proc.returncode}") from None
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    module = sys.argv[1] if len(sys.argv) > 1 else "sophyd_iocs.pattern"
    ready_pv = sys.argv[2] if len(sys.argv) > 2 else "BDET:HDF1:WriteStatus"
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times = [startup_time(module, ready_pv, f"startup{i}:") for i in range(runs)]
    print(
        f"{module}: median {statistics.median(times):.3f} s over {runs} runs ({' '.join(f'{t:.3f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
