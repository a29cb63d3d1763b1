"""RunEngine and memory workloads, one library per process: ``python bench/_re_workers.py LIB WORKLOAD JSON``.

Run by bench_re.py in a fresh subprocess with the test IOC's CA environment; prints one line ``RESULT {json}``.
Libraries: ``sophyd-pyepics``, ``sophyd-caproto``, ``ophyd`` (classic, pyepics), ``ophyd-async`` (aioca).
Workloads:

- ``count``: ``RE(count([det], num=N))`` with det a device of 3 signals (1 hinted, 2 normal) on
  ``bulk:0000..0002``; params ``mode`` = ``unmonitored`` | ``monitored`` | ``memory`` (soft signals, no CA).
  Returns ms per point of each repetition.
- ``scan``: ``RE(scan([det], motor, 0, 1, N))`` with ``motor`` the EpicsMotor (ophyd-async: its epics Motor) of
  the record ``<prefix>mtr1`` and det 3 signals of the same IOC (``mtr2.RBV`` hinted, ``mtr2.VELO``,
  ``mtr3.RBV``); params ``mode`` as for count (``memory``: a SoftPositioner and soft signals, sophyd and classic
  ophyd only). Returns ms per point of each repetition, the
  wall-clock window of each (epoch seconds, to match the IOC's timestamps), and how many events held a motor
  position more than 1e-3 from the one the plan asked for.
- ``rss``: RSS per signal of a device of ``n`` EpicsSignalRO on ``bulk:*``, after connection and after describe().
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from _workers import bulk_names, rss_kib

perf = time.perf_counter


def _time_count(RE: Any, det: Any, p: dict[str, Any]) -> dict[str, Any]:
    import bluesky.plans as bp

    RE(bp.count([det], num=p["warmup"]))
    per_point = []
    for _ in range(p["reps"]):
        t0 = perf()
        RE(bp.count([det], num=p["num"]))
        per_point.append((perf() - t0) / p["num"] * 1e3)
    return {"ms_per_point": per_point}


BULK3 = ("bulk:0000", "bulk:0001", "bulk:0002")
MOTOR_IOC_DET = ("mtr2.RBV", "mtr2.VELO", "mtr3.RBV")  # the scan's detector: 3 PVs of the motor IOC
SCAN_TOLERANCE = 1e-3  # an event's motor position further than this from the plan's is off target


def _time_scan(RE: Any, det: Any, motor: Any, p: dict[str, Any]) -> dict[str, Any]:
    import bluesky.plans as bp

    asked: list[float] = []
    held: list[float] = []

    def collect(name: str, doc: dict[str, Any]) -> None:
        if name == "event":
            held.append(float(doc["data"]["motor"]))

    RE(bp.scan([det], motor, 0, 1, p["warmup"]))
    token = RE.subscribe(collect)
    per_point, windows = [], []
    for _ in range(p["reps"]):
        start, t0 = time.time(), perf()
        RE(bp.scan([det], motor, 0, 1, p["num"]))
        per_point.append((perf() - t0) / p["num"] * 1e3)
        windows.append([start, time.time()])
        asked.extend(i / (p["num"] - 1) for i in range(p["num"]))
    RE.unsubscribe(token)
    off = sum(abs(a - h) > SCAN_TOLERANCE for a, h in zip(asked, held, strict=False)) + abs(
        len(asked) - len(held)
    )
    return {"ms_per_point": per_point, "windows": windows, "off_target": off}


def _classic_det(lib: Any, prefix: str, mode: str, pvs: tuple[str, str, str] = BULK3) -> Any:
    """The 3-signal detector for sophyd and classic ophyd (the same class statement)."""
    Cpt = lib.Component
    if mode == "memory":
        attrs = {
            "a": Cpt(lib.Signal, value=1.0, kind="hinted"),
            "b": Cpt(lib.Signal, value=2.0),
            "c": Cpt(lib.Signal, value=3.0),
        }
    else:
        kw = {"auto_monitor": mode == "monitored"}
        attrs = {
            "a": Cpt(lib.EpicsSignalRO, pvs[0], kind="hinted", **kw),
            "b": Cpt(lib.EpicsSignalRO, pvs[1], **kw),
            "c": Cpt(lib.EpicsSignalRO, pvs[2], **kw),
        }
    det = type("Det", (lib.Device,), attrs)(prefix, name="det")
    det.wait_for_connection(timeout=30)
    if mode == "monitored":  # wait for the first monitor update of each signal
        for sig in (det.a, det.b, det.c):
            sig.get()
    return det


def _classic_rss(lib: Any, p: dict[str, Any]) -> dict[str, Any]:
    n = p["n"]
    attrs = {f"b{i:04d}": lib.Component(lib.EpicsSignalRO, f"bulk:{i:04d}") for i in range(n)}
    cls = type(f"Bulk{n}", (lib.Device,), attrs)
    base = rss_kib()
    dev = cls(p["prefix"], name="bulk")
    dev.wait_for_connection(timeout=60)
    connected = rss_kib()
    assert len(dev.describe()) == n
    described = rss_kib()
    return {"base_kib": base, "connected_kib": connected - base, "described_kib": described - base}


def _classic_scan(lib: Any, p: dict[str, Any]) -> dict[str, Any]:
    """The scan workload for sophyd and classic ophyd (the same code)."""
    from bluesky import RunEngine

    det = _classic_det(lib, p["prefix"], p["mode"], MOTOR_IOC_DET)
    if p["mode"] == "memory":  # the floor: no CA at all
        motor = lib.SoftPositioner(name="motor", init_pos=0.0)
    else:
        motor = lib.EpicsMotor(p["prefix"] + "mtr1", name="motor")
        motor.wait_for_connection(timeout=30)
    return _time_scan(RunEngine({}), det, motor, p)


def run_sophyd(cl: str, workload: str, p: dict[str, Any]) -> dict[str, Any]:
    import sophyd

    sophyd.set_cl(cl)
    if workload == "rss":
        return _classic_rss(sophyd, p)
    if workload == "scan":
        return _classic_scan(sophyd, p)
    from bluesky import RunEngine

    return _time_count(RunEngine({}), _classic_det(sophyd, p["prefix"], p["mode"]), p)


def run_ophyd(workload: str, p: dict[str, Any]) -> dict[str, Any]:
    import ophyd

    ophyd.set_cl("pyepics")
    if workload == "rss":
        return _classic_rss(ophyd, p)
    if workload == "scan":
        return _classic_scan(ophyd, p)
    from bluesky import RunEngine

    return _time_count(RunEngine({}), _classic_det(ophyd, p["prefix"], p["mode"]), p)


def run_ophyd_async(workload: str, p: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    from bluesky import RunEngine
    from ophyd_async.core import StandardReadable, StandardReadableFormat, init_devices, soft_signal_rw
    from ophyd_async.epics.core import epics_signal_r

    prefix, mode = p["prefix"], p.get("mode", "")
    RE = RunEngine({})  # ophyd-async devices connect in the RunEngine's event loop

    if workload == "rss":
        n = p["n"]

        class Bulk(StandardReadable):
            def __init__(self, name: str = "") -> None:
                with self.add_children_as_readables():
                    for i, pv in enumerate(bulk_names(prefix, n)):
                        setattr(self, f"b{i:04d}", epics_signal_r(float, pv))
                super().__init__(name=name)

        base = rss_kib()
        with init_devices(timeout=60):
            bulk = Bulk(name="bulk")
        connected = rss_kib()
        from bluesky.run_engine import call_in_bluesky_event_loop

        assert len(call_in_bluesky_event_loop(bulk.describe())) == n
        described = rss_kib()
        return {"base_kib": base, "connected_kib": connected - base, "described_kib": described - base}

    def make(pv: str, value: float) -> Any:
        return soft_signal_rw(float, value) if mode == "memory" else epics_signal_r(float, pv)

    pvs = MOTOR_IOC_DET if workload == "scan" else BULK3

    class Det(StandardReadable):
        def __init__(self, name: str = "") -> None:
            with self.add_children_as_readables(StandardReadableFormat.HINTED_SIGNAL):
                self.a = make(prefix + pvs[0], 1.0)
            with self.add_children_as_readables():
                self.b = make(prefix + pvs[1], 2.0)
                self.c = make(prefix + pvs[2], 3.0)
            super().__init__(name=name)

    with init_devices(timeout=30):
        det = Det(name="det")
        if workload == "scan":
            from ophyd_async.epics.motor import Motor

            motor = Motor(prefix + "mtr1", name="motor")
    if mode == "monitored":  # a subscribed signal reads from its cache
        from bluesky.run_engine import call_in_bluesky_event_loop

        async def subscribe() -> None:
            for sig in (det.a, det.b, det.c):
                sig.subscribe_reading(lambda reading: None)
            await asyncio.sleep(0.3)

        call_in_bluesky_event_loop(subscribe())
    if workload == "scan":
        return _time_scan(RE, det, motor, p)
    return _time_count(RE, det, p)


def main() -> None:
    lib, workload, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if lib.startswith("sophyd-"):
        result = run_sophyd(lib.split("-", 1)[1], workload, params)
    elif lib == "ophyd":
        result = run_ophyd(workload, params)
    elif lib == "ophyd-async":
        result = run_ophyd_async(workload, params)
    else:
        raise SystemExit(f"unknown library {lib}")
    print("RESULT " + json.dumps(result), flush=True)
    sys.stdout.flush()
    import os

    os._exit(0)  # skip the client libraries' teardown, which is not what is measured


if __name__ == "__main__":
    main()
