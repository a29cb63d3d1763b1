"""What a RunEngine point costs before any device work: the same read() behind objects that differ only in
whether they have ``trigger()``, and the floor of a ``scan``. No IOC, no peer library; it only prints numbers.

bluesky's ``trigger_and_read`` sends a ``trigger`` and a ``wait`` message to every device that has a
``trigger`` attribute (a runtime ``Triggerable`` check, decided by the class). Classic ophyd gives every
Device and Signal ``trigger()``, and so does sophyd; ophyd-async's ``StandardReadable`` has none. This bench
measures that difference directly, in one process, interleaved:

- ``sophyd Device``: a Device of 3 soft Signals (1 hinted, 2 normal), as bench_re.py's in-memory floor;
- ``no trigger``: an object whose read()/describe() call that Device's, and which has no ``trigger``;
- ``trigger, minimal status``: the same object with a ``trigger()`` returning the smallest finished status
  bluesky accepts (``done``, ``success``, ``add_callback`` that calls back at once);
- ``trigger, sophyd Status``: the same with a finished ``sophyd.status.Status``.

and, for the EpicsMotor scan goal, ``scan([det], motor, 0, 1, N)`` with a ``SoftPositioner`` and the soft
Device, and with a settable object that finishes its moves at once and the no-trigger reader.

    python bench/bench_re_paths.py                # about 40 s
    python bench/bench_re_paths.py --num 3000 --reps 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from bluesky import RunEngine
from bluesky.plans import count, scan

from sophyd import Component, Device, Signal, SoftPositioner
from sophyd.status import Status


class SoftDetector(Device):
    a = Component(Signal, value=1.0, kind="hinted")
    b = Component(Signal, value=2.0)
    c = Component(Signal, value=3.0)


class Reader:
    """read()/describe() of a device, without trigger(): bluesky sends it no trigger/wait messages."""

    parent = None

    def __init__(self, device: Device) -> None:
        self._device = device
        self.name = device.name

    def read(self) -> Any:
        return self._device.read()

    def describe(self) -> Any:
        return self._device.describe()

    def read_configuration(self) -> dict[str, Any]:
        return {}

    def describe_configuration(self) -> dict[str, Any]:
        return {}


class DoneStatus:
    """The least a status needs for bluesky: finished, successful, calls back at once."""

    done = True
    success = True

    def add_callback(self, callback: Any) -> None:
        callback(self)

    def exception(self, timeout: float | None = None) -> None:
        return None


class MinimalTrigger(Reader):
    def trigger(self) -> DoneStatus:
        return DoneStatus()


class StatusTrigger(Reader):
    def trigger(self) -> Status:
        status = Status(self)
        status.set_finished()
        return status


class InstantMotor:
    """A settable, readable object whose moves finish at once, without trigger()."""

    name = "m"
    parent = None
    position = 0.0

    def set(self, value: float) -> Status:
        self.position = value
        status = Status(self)
        status.set_finished()
        return status

    def read(self) -> dict[str, Any]:
        return {"m": {"value": self.position, "timestamp": time.time()}}

    def describe(self) -> dict[str, Any]:
        return {"m": {"source": "SIM:m", "dtype": "number", "shape": []}}

    def read_configuration(self) -> dict[str, Any]:
        return {}

    def describe_configuration(self) -> dict[str, Any]:
        return {}


def per_point(RE: RunEngine, plan: Any, num: int) -> float:
    """ms per point of one run of ``plan`` (num points)."""
    start = time.perf_counter()
    RE(plan)
    return (time.perf_counter() - start) / num * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num", type=int, default=2000, help="points per run")
    parser.add_argument("--reps", type=int, default=3, help="runs per case, interleaved")
    args = parser.parse_args()

    RE = RunEngine({})
    det = SoftDetector(name="det")
    counts = {
        "sophyd Device": det,
        "no trigger": Reader(det),
        "trigger, minimal status": MinimalTrigger(det),
        "trigger, sophyd Status": StatusTrigger(det),
    }
    scans = {
        "SoftPositioner + sophyd Device": (det, SoftPositioner(name="m", init_pos=0.0)),
        "instant motor + no trigger": (Reader(det), InstantMotor()),
    }
    results: dict[str, list[float]] = {label: [] for label in [*counts, *scans]}
    for obj in counts.values():  # warm-up
        RE(count([obj], num=20))
    for _ in range(args.reps):
        for label, obj in counts.items():
            results[label].append(per_point(RE, count([obj], num=args.num), args.num))
        for label, (reader, motor) in scans.items():
            results[label].append(per_point(RE, scan([reader], motor, 0, 1, args.num // 4), args.num // 4))

    print(f"load average {os.getloadavg()[0]:.2f}; ms per point, median (min-max) of {args.reps} runs")
    print(f"== count([x], num={args.num})")
    floor = statistics.median(results["no trigger"])
    for label in counts:
        values = results[label]
        med = statistics.median(values)
        print(
            f"  {label:30s} {med:6.3f} ({min(values):.3f}-{max(values):.3f})   above 'no trigger': {med - floor:+.3f}"
        )
    print(f"== scan([det], motor, 0, 1, {args.num // 4})")
    for label in scans:
        values = results[label]
        print(f"  {label:30s} {statistics.median(values):6.3f} ({min(values):.3f}-{max(values):.3f})")


if __name__ == "__main__":
    main()
