"""Where users feel speed: import time, RunEngine points per second and memory per signal, against the peers.

Starts ONE test IOC (``iocs.testioc``) on its own loopback address (``--stock-ioc``: on caproto's server as
shipped), then runs each workload for each library in fresh subprocesses (``bench/_re_workers.py``), the
libraries interleaved repetition by repetition, and prints medians, spread (min-max) and ratios sophyd/peer.
Not a test: it only prints numbers.

    python bench/bench_re.py                      # import, count (3 modes), rss
    python bench/bench_re.py --workloads count --reps 5 --num 300
    python bench/bench_re.py --stock-ioc
    python bench/bench_re.py --real-ioc --workloads count rss   # EPICS base's RSRV (pythonSoftIOC)
    python bench/bench_re.py --workloads scan --scan-num 50   # EpicsMotor scans on two motor IOCs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _motor_watch import handover_times, motion_times
from bench_epics import Runner, availability, stock_ioc

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_re_workers.py"
MOTOR_WATCH = HERE / "_motor_watch.py"
FAKE_MOTOR_IOC = HERE / "_fake_motor_ioc.py"
#: The scan's motor IOCs: (label, launch_iocs name); both serve mtr1..mtr3.
SCAN_IOCS = [("caproto's fake motor record", str(FAKE_MOTOR_IOC)), ("sophyd's motors IOC", "motors")]
#: Fast motion, so the client's time per point dominates: (VELO, ACCL) set on mtr1 before the scans.
SCAN_MOTION = (1000.0, 0.0)
LIBS = ["sophyd-pyepics", "sophyd-caproto", "ophyd", "ophyd-async"]
IMPORTS = {
    "sophyd": "import sophyd",
    "sophyd.sim (synthetic motor, det)": "import sophyd; from sophyd.sim import motor, det",
    "ophyd": "import ophyd",
    "ophyd-async (core + epics)": "import ophyd_async.core, ophyd_async.epics.core",
}
COUNT_MODES = ["memory", "monitored", "unmonitored"]


class ReRunner(Runner):
    def run_re(self, lib: str, workload: str, params: dict[str, Any]) -> dict[str, Any]:
        params = {**params, "prefix": self.prefix}
        cmd = [sys.executable, str(WORKER), lib, workload, json.dumps(params)]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=600, cwd=HERE)
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                return dict(json.loads(line[len("RESULT ") :]))
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
        return {"error": f"exit code {proc.returncode}: {tail}"}


def spread(values: list[float], fmt: str = "{:.3f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def bench_import(reps: int) -> dict[str, list[float]]:
    """Wall time of a fresh ``python -c CODE``, with bytecode cached as after any first import."""
    print(f"\n== import: fresh process wall time, s, median (min-max) of {reps}, interleaved")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in [*IMPORTS, "python -c pass", "numpy"]}
    codes = {**IMPORTS, "python -c pass": "pass", "numpy": "import numpy"}
    for code in codes.values():  # write the bytecode caches once
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=False)
    for _ in range(reps):
        for name, code in codes.items():
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - t0)
    for name, values in times.items():
        print(f"  {name:<36} {spread(values)}")
    base = statistics.median(times["sophyd"])
    for peer in ("ophyd", "ophyd-async (core + epics)"):
        print(f"  ratio {peer} / sophyd: {statistics.median(times[peer]) / base:.2f}")
    return times


def bench_count(runner: ReRunner, libs: list[str], p: dict[str, Any], procs: int) -> dict[str, Any]:
    print(
        f"\n== RE(count([det], num={p['num']})), det = 3 signals (1 hinted); ms per point, median (min-max) of "
        f"{procs} processes x {p['reps']} repetitions, interleaved"
    )
    out: dict[str, Any] = {}
    for mode in COUNT_MODES:
        runs: dict[str, list[float]] = {lib: [] for lib in libs}
        errors: dict[str, str] = {}
        for _ in range(procs):
            for lib in libs:
                if mode == "memory" and lib == "sophyd-caproto":
                    continue  # no CA: the same as sophyd-pyepics
                r = runner.run_re(lib, "count", {**p, "mode": mode})
                if "error" in r:
                    errors[lib] = r["error"]
                else:
                    runs[lib].extend(r["ms_per_point"])
        print(f"  {mode}:")
        for lib in libs:
            if runs[lib]:
                print(f"    {lib:<16} {spread(runs[lib])}")
            elif lib in errors:
                print(f"    {lib:<16} FAILED: {errors[lib]}")
        out[mode] = {lib: values for lib, values in runs.items() if values}
    med = {mode: {lib: statistics.median(v) for lib, v in r.items()} for mode, r in out.items()}
    print("  ratios peer / sophyd-pyepics (above 1: sophyd faster):")
    for mode, m in med.items():
        if "sophyd-pyepics" in m:
            ratios = ", ".join(
                f"{lib} {v / m['sophyd-pyepics']:.2f}" for lib, v in m.items() if lib[:6] != "sophyd"
            )
            print(f"    {mode:<12} {ratios}")
    if "memory" in med and "monitored" in med and "sophyd-pyepics" in med["memory"]:
        floor = med["memory"]["sophyd-pyepics"]
        for lib in ("sophyd-pyepics", "sophyd-caproto"):
            if lib in med["monitored"]:
                print(
                    f"  {lib} monitored minus sophyd's in-memory floor: {med['monitored'][lib] - floor:+.3f} ms"
                )
        if "ophyd-async" in med["monitored"]:
            print(
                f"  sophyd floor / ophyd-async monitored (cached): {floor / med['monitored']['ophyd-async']:.2f}"
            )
    return out


def run_watched(runner: ReRunner, lib: str, p: dict[str, Any]) -> dict[str, Any]:
    """One scan worker, with ``_motor_watch.py`` recording the IOC's VAL and DMOV postings meanwhile; adds
    ``motion_ms`` (the motor's own time per point of each repetition, from those postings)."""
    watch = subprocess.Popen(
        [sys.executable, str(MOTOR_WATCH), runner.prefix + "mtr1"],
        env=runner.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE,
    )
    try:
        assert watch.stdin is not None and watch.stdout is not None
        if watch.stdout.readline().strip() != "READY":
            return {"error": "the motor watcher did not connect"}
        result = runner.run_re(lib, "scan", p)
        out, _ = watch.communicate(timeout=30)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    if "error" in result:
        return result
    seen = json.loads(out.split("RESULT ", 1)[1])
    result["motion_ms"] = [
        sum(motion_times(seen["val"], seen["dmov"], start, end)) / p["num"] * 1e3
        for start, end in result["windows"]
    ]
    result["handover_ms"] = [
        t * 1e3
        for start, end in result["windows"]
        for t in handover_times(seen["val"], seen["dmov"], start, end)
    ]
    return result


def bench_scan(stock: bool, libs: list[str], p: dict[str, Any], procs: int) -> dict[str, Any]:
    """RE(scan([det], motor, 0, 1, N)) on each motor IOC: time per point, the motor's own time, the rest."""
    from caproto.sync.client import write

    from sophyd.sim.launch import launch_iocs

    print(
        f"\n== RE(scan([det], motor, 0, 1, {p['num']})), motor = EpicsMotor (ophyd-async: epics Motor) on mtr1 with "
        f"VELO {SCAN_MOTION[0]:g}, ACCL {SCAN_MOTION[1]:g}; det = 3 {p['mode']} signals of the same IOC; ms per "
        f"point, median (min-max) of {procs} processes x {p['reps']} repetitions, interleaved. motion = the "
        "IOC's own time per point (VAL posting to the next DMOV=1 posting, IOC timestamps); overhead = per "
        "point - motion"
    )
    out: dict[str, Any] = {}
    floor_libs = [lib for lib in libs if lib in ("sophyd-pyepics", "ophyd")]
    if floor_libs:
        runner = ReRunner(dict(os.environ), "", verbose=False)
        floor: dict[str, list[float]] = {lib: [] for lib in floor_libs}
        for _ in range(procs):
            for lib in floor_libs:
                r = runner.run_re(lib, "scan", {**p, "mode": "memory"})
                floor[lib].extend(r.get("ms_per_point", []))
        print("  the RunEngine floor: SoftPositioner and 3 soft signals, no CA:")
        for lib, values in floor.items():
            if values:
                print(f"    {lib:<16} per point {spread(values, '{:.2f}')}")
        out["memory"] = floor
    saved = os.environ.get("SOPHYD_BENCH_STOCK_SERVER")
    os.environ["SOPHYD_BENCH_STOCK_SERVER"] = "1" if stock else "0"
    try:
        for label, name in SCAN_IOCS:
            with stock_ioc(stock and name == "motors"), launch_iocs(name, unique=True) as iocs:
                prefix = iocs.prefix(name)
                write(prefix + "mtr1.VELO", SCAN_MOTION[0], notify=True)
                write(prefix + "mtr1.ACCL", SCAN_MOTION[1], notify=True)
                how = "caproto's server as shipped" if stock else "with the iocs/ caproto-server fixes"
                print(f"  {label} at {iocs.address(name)} ({how}):")
                runner = ReRunner({**os.environ, **iocs.env}, prefix, verbose=False)
                runs: dict[str, dict[str, list[float]]] = {
                    lib: {
                        "ms_per_point": [],
                        "motion_ms": [],
                        "overhead_ms": [],
                        "handover_ms": [],
                        "off_target": [],
                    }
                    for lib in libs
                }
                errors: dict[str, str] = {}
                for _ in range(procs):
                    for lib in libs:
                        r = run_watched(runner, lib, p)
                        if "error" in r:
                            errors[lib] = r["error"]
                            continue
                        runs[lib]["ms_per_point"].extend(r["ms_per_point"])
                        runs[lib]["motion_ms"].extend(r["motion_ms"])
                        runs[lib]["overhead_ms"].extend(
                            t - m for t, m in zip(r["ms_per_point"], r["motion_ms"], strict=True)
                        )
                        runs[lib]["off_target"].append(r["off_target"])
                        runs[lib]["handover_ms"].extend(r["handover_ms"])
                for lib in libs:
                    r = runs[lib]
                    if r["ms_per_point"]:
                        print(
                            f"    {lib:<16} per point {spread(r['ms_per_point'], '{:.2f}')}   motion "
                            f"{spread(r['motion_ms'], '{:.2f}')}   overhead {spread(r['overhead_ms'], '{:.2f}')}"
                            f"   events off target: {sum(r['off_target'])}"
                        )
                        h = sorted(r["handover_ms"])
                        if h:
                            print(
                                f"    {'':<16} DMOV=1 to next VAL, per point: median {statistics.median(h):.2f}, "
                                f"quartiles {h[len(h) // 4]:.2f}-{h[3 * len(h) // 4]:.2f}"
                            )
                    elif lib in errors:
                        print(f"    {lib:<16} FAILED: {errors[lib]}")
                for key, what in (("overhead_ms", "overhead"), ("handover_ms", "median DMOV=1 to next VAL")):
                    med = {lib: statistics.median(r[key]) for lib, r in runs.items() if r[key]}
                    if "sophyd-pyepics" in med:
                        ratios = ", ".join(
                            f"{lib} {v / med['sophyd-pyepics']:.2f}"
                            for lib, v in med.items()
                            if lib[:6] != "sophyd"
                        )
                        print(f"    {what} ratios peer / sophyd-pyepics (above 1: sophyd faster): {ratios}")
                out[label] = {lib: r for lib, r in runs.items() if r["ms_per_point"]}
    finally:
        if saved is None:
            os.environ.pop("SOPHYD_BENCH_STOCK_SERVER", None)
        else:
            os.environ["SOPHYD_BENCH_STOCK_SERVER"] = saved
    return out


def bench_rss(runner: ReRunner, libs: list[str], n: int, procs: int) -> dict[str, Any]:
    print(
        f"\n== RSS per connected EpicsSignalRO, a device of {n} (KiB per signal, median (min-max) of {procs})"
    )
    out: dict[str, Any] = {}
    runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in libs}
    for _ in range(procs):
        for lib in libs:
            runs[lib].append(runner.run_re(lib, "rss", {"n": n}))
    for lib in libs:
        ok = [r for r in runs[lib] if "error" not in r]
        if not ok:
            print(f"    {lib:<16} FAILED: {runs[lib][0]['error']}")
            continue
        connected = [r["connected_kib"] / n for r in ok]
        described = [r["described_kib"] / n for r in ok]
        print(
            f"    {lib:<16} connected {spread(connected, '{:.2f}')}   after describe() {spread(described, '{:.2f}')}"
        )
        out[lib] = {"connected": connected, "described": described}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workloads", nargs="+", default=["import", "count", "rss"])
    parser.add_argument("--libs", nargs="+", default=LIBS)
    parser.add_argument("--num", type=int, default=300, help="points per count")
    parser.add_argument("--reps", type=int, default=3, help="counts per process")
    parser.add_argument("--procs", type=int, default=2, help="processes per library (interleaved)")
    parser.add_argument("--import-reps", type=int, default=10)
    parser.add_argument(
        "--rss-n", type=int, default=5000, help="signals for the RSS workload (the IOC serves as many)"
    )
    parser.add_argument("--stock-ioc", action="store_true", help="caproto's server as shipped")
    parser.add_argument(
        "--real-ioc",
        action="store_true",
        help="a real EPICS base IOC (sophyd_iocs.epics_testioc, pythonSoftIOC records served by RSRV)",
    )
    parser.add_argument(
        "--scan-mode", default="unmonitored", choices=["unmonitored", "monitored"], help="the scan's det"
    )
    parser.add_argument(
        "--scan-num", type=int, default=50, help="points per scan (caproto's fake motor takes ~0.1 s each)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.real_ioc and args.stock_ioc:
        parser.error("--real-ioc and --stock-ioc choose different IOCs; give one")
    skip = availability()
    libs = [lib for lib in args.libs if not skip.get(lib)]
    for lib in set(args.libs) - set(libs):
        print(f"skipping {lib}: {skip[lib]}")
    results: dict[str, Any] = {}
    started = time.monotonic()
    if "import" in args.workloads:
        results["import"] = bench_import(args.import_reps)
    if {"count", "rss"} & set(args.workloads):
        from sophyd.sim.launch import launch_iocs
        from sophyd_iocs._run import BULK_COUNT_VAR

        if "rss" in args.workloads:  # the IOC serves bulk:0000.. for every signal of the RSS workload
            os.environ[BULK_COUNT_VAR] = str(max(args.rss_n, 1000))
        ioc = "epics_testioc" if args.real_ioc else "testioc"
        with stock_ioc(args.stock_ioc), launch_iocs(ioc, unique=True, timeout=60) as iocs:
            how = "caproto's server as shipped" if args.stock_ioc else "with the iocs/ caproto-server fixes"
            if args.real_ioc:
                how = "EPICS base RSRV via pythonSoftIOC"
            print(f"\ntest IOC at {iocs.address(ioc)} ({how})")
            runner = ReRunner({**os.environ, **iocs.env}, iocs.prefix(ioc), verbose=False)
            if "count" in args.workloads:
                p = {"num": args.num, "reps": args.reps, "warmup": 20}
                results["count"] = bench_count(runner, libs, p, args.procs)
            if "rss" in args.workloads:
                results["rss"] = bench_rss(runner, libs, args.rss_n, args.procs)
    if "scan" in args.workloads:
        if args.real_ioc:
            print("\nscan: the real EPICS IOC has no motor record; the scan runs on the caproto motor IOCs")
        p = {"num": args.scan_num, "reps": args.reps, "warmup": 5, "mode": args.scan_mode}
        results["scan"] = bench_scan(args.stock_ioc, libs, p, args.procs)
    load = os.getloadavg()
    print(
        f"\ntotal {time.monotonic() - started:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
