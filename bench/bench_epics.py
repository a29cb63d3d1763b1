"""Channel Access benchmark: sophyd against classic ophyd, ophyd-async and the raw caproto client.

Starts ONE test IOC (``sophyd_iocs.testioc``) on its own loopback address, then runs every workload for every library
in a fresh subprocess with the IOC's CA environment (``bench/_workers.py``), and prints medians, p90 (p99) and
the ratios sophyd/peer against the targets. Not a test: it only prints numbers.

    python bench/bench_epics.py            # full run, about 4 minutes on 2 cores
    python bench/bench_epics.py --quick    # about 2 minutes
    python bench/bench_epics.py --workloads put read --libs sophyd-pyepics caproto-raw
    python bench/bench_epics.py --stock-ioc   # the IOC on caproto's server as shipped (no iocs/ fixes)
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_workers.py"

ALL_LIBS = ["sophyd-pyepics", "sophyd-caproto", "ophyd", "ophyd-async", "caproto-raw", "pyepics-raw"]
WORKLOADS = ["connect", "read", "put", "flood"]
# Which libraries take part in which workload.
WORKLOAD_LIBS = {
    "connect": ALL_LIBS,
    "read": ALL_LIBS,
    "put": ALL_LIBS,
    "flood": ["sophyd-pyepics", "sophyd-caproto", "ophyd", "caproto-raw"],
}
FULL = {
    "connect_reps": 5,
    "read": {"n_signals": 100, "n_reads": 200, "warmup": 10},
    "put": {"pv": "dbl", "n_puts": 500, "warmup": 20},
    "flood": {
        "pv": "dbl",
        "rate": 10000.0,
        "duration": 10.0,
        "baseline": 3.0,
        "probe_period": 0.05,
        "drain_cap": 5.0,
        "callback_s": 0.001,
    },
}
QUICK = {
    "connect_reps": 3,
    "read": {"n_signals": 100, "n_reads": 50, "warmup": 5},
    "put": {"pv": "dbl", "n_puts": 200, "warmup": 10},
    "flood": {**FULL["flood"], "duration": 3.0, "baseline": 1.5, "drain_cap": 2.0},
}


# ---------------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def stock_ioc(enabled: bool) -> Iterator[None]:
    """With ``enabled``, make launch_iocs start ``python bench/_stock_ioc.py iocs.<name> ...`` (caproto's server
    as shipped, without the fixes in iocs/) instead of ``python -m sophyd_iocs.<name> ...``; nothing else changes."""
    if not enabled:
        yield
        return
    import sophyd.sim.launch as launch

    real = launch.subprocess
    wrapped: list[str] = []

    class _Subprocess:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        @staticmethod
        def Popen(args: Any, **kwargs: Any) -> Any:
            args = list(args)
            if len(args) >= 3 and args[1] == "-m" and str(args[2]).startswith("sophyd_iocs."):
                args = [args[0], str(HERE / "_stock_ioc.py"), *args[2:]]
                wrapped.append(str(args[2]))
            return real.Popen(args, **kwargs)

    launch.subprocess = _Subprocess()  # type: ignore[assignment]
    try:
        yield
    finally:
        launch.subprocess = real
    if not wrapped:
        raise RuntimeError(
            "--stock-ioc: launch_iocs no longer starts 'python -m sophyd_iocs.<name>'; not applied"
        )


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile (q in [0, 1])."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p90": quantile(values, 0.90),
        "p99": quantile(values, 0.99),
        "max": max(values) if values else float("nan"),
    }


def ms(x: float) -> str:
    return f"{x * 1e3:8.3f}" if x == x else "     n/a"


def availability() -> dict[str, str | None]:
    """None for an available library, else why it is skipped."""
    reasons: dict[str, str | None] = dict.fromkeys(ALL_LIBS)
    if importlib.util.find_spec("ophyd") is None:
        reasons["ophyd"] = "classic ophyd is not installed (pip install -e '.[bench]')"
    if importlib.util.find_spec("ophyd_async") is None:
        reasons["ophyd-async"] = "ophyd-async is not installed (pip install -e '.[bench]')"
    elif importlib.util.find_spec("aioca") is None:
        reasons["ophyd-async"] = "ophyd-async's CA transport needs aioca (pip install 'ophyd-async[ca]')"
    return reasons


class Runner:
    def __init__(self, env: dict[str, str], prefix: str, verbose: bool) -> None:
        self.env = env
        self.prefix = prefix
        self.verbose = verbose

    def run(self, lib: str, workload: str, params: dict[str, Any], timeout: float = 180) -> dict[str, Any]:
        params = {**params, "prefix": self.prefix}
        cmd = [sys.executable, str(WORKER), lib, workload, json.dumps(params)]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=timeout)
        wall = time.monotonic() - t0
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
                result["_wall"] = wall
                if self.verbose and proc.stderr.strip():
                    print(f"    [{lib} {workload} stderr]\n{proc.stderr.strip()}", file=sys.stderr)
                return result
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        return {"error": f"exit code {proc.returncode}: {tail}", "_wall": wall}


# ---------------------------------------------------------------------------------------------------------
def bench_connect(runner: Runner, libs: list[str], reps: int) -> dict[str, Any]:
    print(f"\n== 1. connect a Device of 1000 EpicsSignalRO (bulk:0000..0999), fresh process x {reps}")
    out: dict[str, Any] = {}
    # Interleave libraries so that slow drifts of the machine hit all of them alike.
    runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in libs}
    for _ in range(reps):
        for lib in libs:
            runs[lib].append(runner.run(lib, "connect", {}))
    print(
        f"  {'library':<16} {'median s':>9} {'min s':>8} {'max s':>8} {'construct s':>12} "
        f"{'then describe() s':>18}  (n)"
    )
    for lib in libs:
        errors = [r["error"] for r in runs[lib] if "error" in r]
        ok = [r for r in runs[lib] if "total" in r]
        if errors and not ok:
            print(f"  {lib:<16} FAILED: {errors[0]}")
            out[lib] = {"error": errors[0]}
            continue
        totals = [r["total"] for r in ok]
        construct = statistics.median(r["construct"] for r in ok)
        describes = [r["describe"] for r in ok if "describe" in r]
        describe = statistics.median(describes) if describes else float("nan")
        out[lib] = {
            **summary(totals),
            "min": min(totals),
            "construct_median": construct,
            "describe_median": describe,
            "errors": len(errors),
        }
        print(
            f"  {lib:<16} {statistics.median(totals):9.3f} {min(totals):8.3f} {max(totals):8.3f} "
            f"{construct:12.3f} {describe:18.3f}  ({len(ok)}{f', {len(errors)} failed' if errors else ''})"
        )
    return out


def _print_times(title: str, results: dict[str, Any], with_p99: bool = False) -> None:
    print(f"  {title}")
    head = f"    {'library':<16} {'median ms':>9} {'p90 ms':>8}" + (
        f" {'p99 ms':>8} {'max ms':>8}" if with_p99 else ""
    )
    print(head)
    for lib, r in results.items():
        if "error" in r:
            print(f"    {lib:<16} FAILED: {r['error']}")
            continue
        line = f"    {lib:<16} {ms(r['median']):>9} {ms(r['p90']):>8}"
        if with_p99:
            line += f" {ms(r['p99']):>8} {ms(r['max']):>8}"
        print(line + f"   (n={r['n']})")


def bench_times(runner: Runner, workload: str, libs: list[str], params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for monitor in (False, True):
        key = "monitored" if monitor else "plain"
        out[key] = {}
        for lib in libs:
            r = runner.run(lib, workload, {**params, "monitor": monitor})
            out[key][lib] = {"error": r["error"]} if "error" in r else summary(r["times"])
    return out


def bench_read(runner: Runner, libs: list[str], params: dict[str, Any]) -> dict[str, Any]:
    print(f"\n== 2. read() of a {params['n_signals']}-signal device (bulk PVs), {params['n_reads']} reads")
    out = bench_times(runner, "read", libs, params)
    _print_times("without monitors (auto_monitor=False; ophyd-async: no subscription)", out["plain"])
    _print_times("with monitors (auto_monitor=True; ophyd-async: subscribed)", out["monitored"])
    return out


def bench_put(runner: Runner, libs: list[str], params: dict[str, Any]) -> dict[str, Any]:
    print(f"\n== 3. {params['n_puts']} put-complete set(v).wait() round trips on {params['pv']}")
    out = bench_times(runner, "put", libs, params)
    _print_times("PV not monitored", out["plain"], with_p99=True)
    _print_times("PV monitored by the same client", out["monitored"], with_p99=True)
    return out


def bench_flood(runner: Runner, libs: list[str], params: dict[str, Any], callback: str) -> dict[str, Any]:
    from caproto.sync.client import write as ca_write

    print(
        f"\n== 4. subscription flood: flood_rate={params['rate']:g} Hz for {params['duration']:g} s, "
        f"subscriber callback {callback} {params['callback_s'] * 1e3:g} ms (caproto-raw: counting only); "
        f"put-complete probe on {params['pv']} every {params['probe_period'] * 1e3:g} ms"
    )
    out: dict[str, Any] = {}
    for lib in libs:
        kind = "none" if lib == "caproto-raw" else callback
        try:
            r = runner.run(lib, "flood", {**params, "callback": kind}, timeout=120)
        finally:
            ca_write(
                runner.prefix + "flood_rate", 0.0, notify=True, timeout=5, repeater=False
            )  # never leave the IOC flooding
            time.sleep(0.5)
        if "error" in r:
            out[lib] = {"error": r["error"]}
            continue
        r["baseline_stats"] = summary(r.pop("baseline"))
        r["during_stats"] = summary(r.pop("during"))
        r["callback"] = kind
        out[lib] = r
    print(
        "  posted = updates the IOC made (flood counter delta); received = reached the client library's callback "
        "(sophyd: delivered + dropped); delivered = ran the subscriber's callback; dropped = coalesced away"
    )
    print(
        f"  {'library':<16} {'posted':>7} {'/s':>5} {'received':>8} {'delivered':>9} {'dropped':>7} {'drain':>6} "
        f"{'RSS MiB start>mid>end>drained':>29}  {'put ms no flood med/p90/p99':>27}  {'put ms flood med/p90/p99':>25}"
    )
    for lib, r in out.items():
        if "error" in r:
            print(f"  {lib:<16} FAILED: {r['error']}")
            continue
        rss = {k: v / 1024 for k, v in r["rss_kib"].items()}
        b, d = r["baseline_stats"], r["during_stats"]
        drain = f"{r['drain_s']:.1f}s" + ("+" if r["drain_capped"] else "")
        dropped = "-" if r["dropped"] is None else str(r["dropped"])
        received = "-" if r["dropped"] is None else str(r["dropped"] + r["delivered_total"])
        print(
            f"  {lib:<16} {r['posted']:7d} {r['posted'] / r['flood_s']:5.0f} {received:>8} {r['delivered_total']:9d} "
            f"{dropped:>7} {drain:>6} "
            f"{rss['start']:8.1f}>{rss['middle']:6.1f}>{rss['end']:6.1f}>{rss['after_drain']:6.1f}  "
            f"{b['median'] * 1e3:9.2f}/{b['p90'] * 1e3:.2f}/{b['p99'] * 1e3:<8.2f}  "
            f"{d['median'] * 1e3:9.2f}/{d['p90'] * 1e3:.2f}/{d['p99'] * 1e3:.2f}"
        )
    return out


# ---------------------------------------------------------------------------------------------------------
def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report_targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) rows; met is None when the peer was not measured."""
    rows: list[tuple[str, str, bool | None]] = []

    def get(*path: str) -> dict[str, Any] | None:
        node: Any = results
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return None if (not isinstance(node, dict) or "error" in node) else node

    s, o, a = get("connect", "sophyd-pyepics"), get("connect", "ophyd"), get("connect", "ophyd-async")
    if s and o:
        r = _ratio(o["median"], s["median"])
        rows.append(("connect 1000: ophyd/sophyd >= 5x", f"{r:.2f}x", r >= 5))
    if s and a:
        r = _ratio(a["median"], s["median"])
        rows.append(("connect 1000: faster than ophyd-async", f"ophyd-async/sophyd {r:.2f}x", r > 1))
    s, o = get("read", "plain", "sophyd-pyepics"), get("read", "plain", "ophyd")
    if s and o:
        r = _ratio(o["median"], s["median"])
        rows.append(("read 100 (no monitors): ophyd/sophyd >= 4x", f"{r:.2f}x", r >= 4))
    for mode in ("plain", "monitored"):
        c = get("put", mode, "caproto-raw")
        for lib in ("sophyd-pyepics", "sophyd-caproto"):
            s = get("put", mode, lib)
            if s and c:
                r = _ratio(s["median"], c["median"])
                rows.append(
                    (f"put-complete ({mode}): {lib}/caproto-raw <= 1.3x", f"{r:.2f}x (median)", r <= 1.3)
                )
        s = get("put", mode, "sophyd-pyepics")
        if s:
            rows.append(
                (
                    f"put-complete ({mode}) sophyd-pyepics: no 40 ms tail",
                    f"p99 {s['p99'] * 1e3:.2f} ms",
                    s["p99"] < 0.02,
                )
            )
    for lib in ("sophyd-pyepics", "sophyd-caproto"):
        f = get("flood", lib)
        if f:
            grow = (f["rss_kib"]["end"] - f["rss_kib"]["start"]) / 1024
            rows.append((f"flood {lib}: memory flat (< 5 MiB growth)", f"{grow:+.1f} MiB", grow < 5))
            b, d = f["baseline_stats"], f["during_stats"]
            floor = get("flood", "caproto-raw")
            for stat in ("median", "p90"):
                r = _ratio(d[stat], b[stat])
                floor_txt = ""
                if floor:
                    fb, fd = floor["baseline_stats"][stat], floor["during_stats"][stat]
                    floor_txt = f"; caproto-raw floor {fd * 1e3:.2f} vs {fb * 1e3:.2f} ms"
                rows.append(
                    (
                        f"flood {lib}: put latency {stat} unchanged (<= 1.3x)",
                        f"{d[stat] * 1e3:.2f} vs {b[stat] * 1e3:.2f} ms = {r:.2f}x{floor_txt}",
                        r <= 1.3,
                    )
                )
    return rows


def print_ratios(results: dict[str, Any]) -> None:
    print("\n== ratios sophyd/peer (median; < 1 means sophyd is faster)")
    for workload in ("connect", "read", "put"):
        data = results.get(workload)
        if not data:
            continue
        modes = {"": data} if workload == "connect" else {f" ({m})": data[m] for m in ("plain", "monitored")}
        for label, table in modes.items():
            for me in ("sophyd-pyepics", "sophyd-caproto"):
                mine = table.get(me)
                if not mine or "error" in mine:
                    continue
                parts = []
                for peer in ("ophyd", "ophyd-async", "caproto-raw", "pyepics-raw"):
                    theirs = table.get(peer)
                    if theirs and "error" not in theirs:
                        parts.append(f"/{peer} {_ratio(mine['median'], theirs['median']):.2f}")
                print(f"  {workload}{label:<12} {me:<15} " + "  ".join(parts))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a 3 s flood (~2 min)")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=WORKLOADS)
    parser.add_argument("--libs", nargs="+", choices=ALL_LIBS, default=ALL_LIBS)
    parser.add_argument("--reps", type=int, help="connect repetitions per library (default 5, quick 3)")
    parser.add_argument(
        "--flood-callback",
        choices=["busy", "sleep"],
        default="busy",
        help="the slow subscriber: 1 ms of CPU holding the GIL (busy, default) or time.sleep(1 ms)",
    )
    parser.add_argument(
        "--flood-rate", type=float, help="flood_rate setpoint in Hz (default 10000; the IOC may not keep up)"
    )
    parser.add_argument(
        "--flood-probe-ioc",
        action="store_true",
        help="put the flood's put-complete probe PV on a second test IOC, off the flooded circuit",
    )
    parser.add_argument(
        "--stock-ioc",
        action="store_true",
        help="run the IOC on caproto's server as shipped, without the fixes in iocs/ (see bench/_stock_ioc.py)",
    )
    parser.add_argument(
        "--real-ioc",
        action="store_true",
        help="run connect/read/put against a real EPICS base IOC (sophyd_iocs.epics_testioc, pythonSoftIOC) instead",
    )
    parser.add_argument("--json", type=Path, help="also write all results (raw summaries) to this file")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the workers' stderr")
    args = parser.parse_args()
    if args.real_ioc and args.stock_ioc:
        parser.error("--real-ioc and --stock-ioc choose different IOCs; give one")
    ioc_name = "epics_testioc" if args.real_ioc else "testioc"
    if args.real_ioc and "flood" in args.workloads:
        print("skipping flood: the real IOC has no flood PV")
        args.workloads = [w for w in args.workloads if w != "flood"]
    cfg = QUICK if args.quick else FULL
    if args.flood_rate is not None:
        cfg = {**cfg, "flood": {**cfg["flood"], "rate": args.flood_rate}}
    reasons = availability()
    libs = [lib for lib in args.libs if reasons[lib] is None]
    for lib in args.libs:
        if reasons[lib]:
            print(f"skipping {lib}: {reasons[lib]}")

    from sophyd.sim.launch import launch_iocs

    started = time.monotonic()
    import caproto
    import epics

    versions = {
        "python": platform.python_version(),
        "pyepics": epics.__version__,
        "caproto": caproto.__version__,
    }
    for mod, dist in (("ophyd", "ophyd"), ("ophyd_async", "ophyd-async")):
        if importlib.util.find_spec(mod):
            from importlib.metadata import version

            versions[dist] = version(dist)
    print(
        f"sophyd CA benchmark {datetime.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + "; load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )
    results: dict[str, Any] = {
        "versions": versions,
        "quick": args.quick,
        "date": datetime.date.today().isoformat(),
        "stock_ioc": args.stock_ioc,
        "real_ioc": args.real_ioc,
        "flood_probe_ioc": args.flood_probe_ioc,
    }
    probe_ioc = launch_iocs("testioc", unique=True, set_env=False) if args.flood_probe_ioc else None
    with (
        stock_ioc(args.stock_ioc),
        launch_iocs(ioc_name, unique=True) as iocs,
        probe_ioc or contextlib.nullcontext() as probe_iocs,
    ):
        prefix = iocs.prefix(ioc_name)
        env = {**os.environ, **iocs.env}
        flood_params = dict(cfg["flood"])
        if probe_iocs is not None:
            env["EPICS_CA_ADDR_LIST"] += " " + probe_iocs.address("testioc")
            flood_params["probe_prefix"] = probe_iocs.prefix("testioc")
            print(f"flood probe on a second test IOC at {probe_iocs.address('testioc')}")
        how = "caproto's server as shipped" if args.stock_ioc else "with the iocs/ caproto-server fixes"
        if args.real_ioc:
            how = "EPICS base RSRV via pythonSoftIOC"
        print(f"test IOC at {iocs.address(ioc_name)}, prefix {prefix} ({how})")
        runner = Runner(env, prefix, args.verbose)

        def pick(workload: str) -> list[str]:
            return [lib for lib in WORKLOAD_LIBS[workload] if lib in libs]

        if "connect" in args.workloads:
            results["connect"] = bench_connect(runner, pick("connect"), args.reps or cfg["connect_reps"])
        if "read" in args.workloads:
            results["read"] = bench_read(runner, pick("read"), cfg["read"])
        if "put" in args.workloads:
            results["put"] = bench_put(runner, pick("put"), cfg["put"])
        if "flood" in args.workloads:
            results["flood"] = bench_flood(runner, pick("flood"), flood_params, args.flood_callback)

    print_ratios(results)
    rows = report_targets(results)
    if rows:
        print("\n== targets")
        for target, measured, met in rows:
            mark = "n/a " if met is None else ("MET " if met else "MISS")
            print(f"  [{mark}] {target:<55} {measured}")
    load = os.getloadavg()
    print(
        f"\ntotal {time.monotonic() - started:.0f} s; load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if args.json:
        results["targets"] = rows
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
