"""Time how long sophyd's signals take to reconnect after an IOC restart, for both backends and both IOC kinds.

Starts the caproto test IOC and the real EPICS IOC (``sophyd_iocs.epics_testioc``) with ``launch_iocs``, monitors one
PV of each from both control layers, then repeatedly stops an IOC, waits a second, and starts it again.
``IOCSet.start`` returns once the restarted IOC answers a CA search and read; the figures are the time from
then until each signal is connected again (negative: it reconnected before the launcher's probe finished),
and from the moment the IOC process was started. A benchmark: it prints numbers and asserts nothing.

    python bench/bench_reconnect.py --trials 5
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import sophyd
from sophyd import EpicsSignal
from sophyd.sim import launch_iocs

BACKENDS = ("pyepics", "caproto")
KINDS = ("testioc", "epics_testioc")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--down", type=float, default=1.0, help="seconds each IOC stays stopped")
    args = parser.parse_args()
    with launch_iocs(*KINDS, unique=True) as iocs:
        signals = {}
        for kind in KINDS:
            for cl in BACKENDS:
                sophyd.set_cl(cl)
                sig = EpicsSignal(iocs.prefix(kind) + "dbl", name=f"{kind}_{cl}")
                sig.wait_for_connection(5.0)
                sig.subscribe(lambda **kw: None)
                signals[(kind, cl)] = sig
        sophyd.set_cl(None)
        after_answer: dict[tuple[str, str], list[float]] = {key: [] for key in signals}
        after_start: dict[tuple[str, str], list[float]] = {key: [] for key in signals}
        for _trial in range(args.trials):
            for kind in KINDS:
                iocs.stop(kind)
                while any(signals[(kind, cl)].connected for cl in BACKENDS):
                    time.sleep(0.001)
                time.sleep(args.down)
                seen: dict[str, float] = {}
                done = threading.Event()

                def poll(
                    kind: str = kind, seen: dict[str, float] = seen, done: threading.Event = done
                ) -> None:
                    while not done.is_set() and len(seen) < len(BACKENDS):
                        for cl in BACKENDS:
                            if cl not in seen and signals[(kind, cl)].connected:
                                seen[cl] = time.monotonic()
                        time.sleep(0.001)

                poller = threading.Thread(target=poll)
                poller.start()
                started = time.monotonic()
                iocs.start(kind)
                answered = time.monotonic()
                poller.join(30.0)
                done.set()
                for cl in BACKENDS:
                    at = seen.get(cl, float("nan"))
                    after_answer[(kind, cl)].append(at - answered)
                    after_start[(kind, cl)].append(at - started)
        print(
            f"{'IOC':<15}{'backend':<9}{'after the IOC answered (max / median)':<40}after its process started (median)"
        )
        for key in signals:
            a, s = after_answer[key], after_start[key]
            print(
                f"{key[0]:<15}{key[1]:<9}{max(a):+7.3f} s / {statistics.median(a):+7.3f} s"
                f"{'':<20}{statistics.median(s):6.2f} s"
            )


if __name__ == "__main__":
    main()
