"""The motor's own motion time, from the IOC's timestamps: ``python bench/_motor_watch.py RECORD``.

Run by ``bench_re.py`` beside each scan worker, in its own process, the same for every library measured. It
monitors ``RECORD.VAL`` and ``RECORD.DMOV`` with pyepics (DBR_TIME: the IOC's timestamps), prints ``READY`` once
both are connected, and when its stdin closes prints ``RESULT {"val": [[ts, value], ...], "dmov": [[ts, value],
...]}``. A VAL posting marks the moment the IOC took a move request, the next DMOV = 1 posting the moment it
reported that move done; ``motion_times`` turns the two into the motor's time per move, ``handover_times`` into
the client's time from one move's end to the next request.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any


def motion_times(val: list[list[float]], dmov: list[list[float]], start: float, end: float) -> list[float]:
    """Seconds from each VAL posting in ``[start, end]`` to the first DMOV = 1 posting after it.

    A move the IOC reports done only after the next request arrived is cut at that request, so moves never
    overlap and their sum never exceeds the wall time; a move with no DMOV = 1 posting before ``end`` counts
    up to ``end``.
    """
    requests = sorted(ts for ts, _ in val if start <= ts <= end)
    done = sorted(ts for ts, value in dmov if value == 1)
    times = []
    for i, ts in enumerate(requests):
        limit = requests[i + 1] if i + 1 < len(requests) else end
        finished = next((d for d in done if d > ts), end)
        times.append(min(finished, limit) - ts)
    return times


def handover_times(val: list[list[float]], dmov: list[list[float]], start: float, end: float) -> list[float]:
    """Seconds from each DMOV = 1 posting in ``[start, end]`` to the next VAL posting (the client's time
    between the IOC reporting a move done and the next move request reaching it), where there is one."""
    requests = sorted(ts for ts, _ in val if start <= ts <= end)
    times = []
    for done in sorted(ts for ts, value in dmov if value == 1 and start <= ts <= end):
        following = next((ts for ts in requests if ts > done), None)
        if following is not None:
            times.append(following - done)
    return times


def main() -> None:
    import epics

    record = sys.argv[1]
    seen: dict[str, list[list[float]]] = {"val": [], "dmov": []}
    lock = threading.Lock()

    def recorder(key: str) -> Any:
        def callback(value: Any = None, timestamp: float | None = None, **kwargs: Any) -> None:
            with lock:
                seen[key].append([float(timestamp or 0.0), float(value)])

        return callback

    pvs = [
        epics.PV(f"{record}.{field}", form="time", auto_monitor=True, callback=recorder(key))
        for key, field in (("val", "VAL"), ("dmov", "DMOV"))
    ]
    for pv in pvs:
        if not pv.wait_for_connection(timeout=30):
            raise SystemExit(f"{pv.pvname} did not connect")
        pv.get(timeout=30)
    print("READY", flush=True)
    sys.stdin.read()  # until the bench closes our stdin
    with lock:
        print("RESULT " + json.dumps(seen), flush=True)


if __name__ == "__main__":
    main()
