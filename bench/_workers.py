"""Benchmark workloads, one library per process: ``python bench/_workers.py LIB WORKLOAD JSON-PARAMS``.

Run by bench_epics.py in a fresh subprocess with the test IOC's CA environment; prints one line
``RESULT {json}`` and exits. Libraries (LIB):

- ``sophyd-pyepics`` / ``sophyd-caproto``: sophyd with that control layer
- ``ophyd``: classic ophyd (pyepics control layer)
- ``ophyd-async``: ophyd-async over aioca, in its own asyncio event loop
- ``caproto-raw``: caproto's threading client used directly (the floor)
- ``pyepics-raw``: pyepics' ``epics.ca`` used directly (libca floor, for reference)

Only public APIs of the peer libraries are used.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

perf = time.perf_counter
N_BULK_CONNECT = 1000


def rss_kib() -> int:
    """Resident set size of this process in KiB, from /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def busy(seconds: float) -> None:
    """Spin (holding the GIL as CPU-bound Python does) for ``seconds``."""
    end = perf() + seconds
    while perf() < end:
        pass


def make_slow_callback(kind: str, seconds: float) -> Callable[[], None]:
    if kind == "busy":
        return lambda: busy(seconds)
    if kind == "sleep":
        return lambda: time.sleep(seconds)
    return lambda: None


def bulk_names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}bulk:{i:04d}" for i in range(n)]


def put_values(n: int) -> list[float]:
    """Distinct consecutive values inside dbl's control limits."""
    return [((i % 97) - 48) * 0.5 for i in range(n)]


# ===================================================================================================
# sophyd
# ===================================================================================================
class Sophyd:
    def __init__(self, cl: str) -> None:
        import sophyd

        sophyd.set_cl(cl)
        self.s = sophyd

    def bulk_device(self, prefix: str, n: int, **kw: Any) -> Any:
        s = self.s
        attrs = {f"b{i:04d}": s.Cpt(s.EpicsSignalRO, f"bulk:{i:04d}", **kw) for i in range(n)}
        return type(f"Bulk{n}", (s.Device,), attrs)

    def connect(self, p: dict[str, Any]) -> dict[str, Any]:
        return _time_connect(self.bulk_device(p["prefix"], N_BULK_CONNECT), p["prefix"])

    def read(self, p: dict[str, Any]) -> dict[str, Any]:
        monitor = p["monitor"]
        cls = self.bulk_device(p["prefix"], p["n_signals"], auto_monitor=monitor)
        dev = cls(p["prefix"], name="bulk")
        dev.wait_for_connection(timeout=30)
        if monitor:
            _wait_until(lambda: all(c._monitor_handle is not None for c in _children(dev)), 10)
        return _time_reads(dev.read, p, check=lambda r: len(r) == p["n_signals"])

    def put(self, p: dict[str, Any]) -> dict[str, Any]:
        sig = self.s.EpicsSignal(p["prefix"] + p["pv"], put_complete=True, name="sig")
        sig.wait_for_connection(timeout=10)
        if p["monitor"]:
            sig.subscribe(lambda **kw: None)
        return _time_puts(lambda v: sig.set(v).wait(timeout=10), p)

    def flood(self, p: dict[str, Any]) -> dict[str, Any]:
        from sophyd._dispatch import get_dispatcher

        pre = p["prefix"]
        rate = self.s.EpicsSignal(pre + "flood_rate", put_complete=True, name="rate")
        counter = self.s.EpicsSignalRO(pre + "flood", name="flood")
        probe = self.s.EpicsSignal(p.get("probe_prefix", pre) + p["pv"], put_complete=True, name="probe")
        for sig in (rate, counter, probe):
            sig.wait_for_connection(timeout=10)
        dispatcher = get_dispatcher("monitor")
        stats = {"delivered": 0, "last": None}
        slow = make_slow_callback(p["callback"], p["callback_s"])

        def on_value(value: Any = None, **kw: Any) -> None:
            stats["delivered"] += 1
            stats["last"] = value
            slow()

        def subscribe() -> None:
            counter.subscribe(on_value, run=False)

        def dropped() -> int:
            return dispatcher.dropped

        return _flood(
            p,
            set_rate=lambda hz: rate.set(hz).wait(timeout=10),
            read_counter=lambda: int(counter.get(use_monitor=False)),
            probe_put=lambda v: probe.set(v).wait(timeout=10),
            subscribe=subscribe,
            stats=stats,
            dropped=dropped,
        )


def _time_connect(cls: Any, prefix: str) -> dict[str, Any]:
    """Construct a classic-style Device, wait for its connection, then describe it (sophyd and ophyd alike)."""
    t0 = perf()
    dev = cls(prefix, name="bulk")
    t1 = perf()
    dev.wait_for_connection(timeout=60)
    t2 = perf()
    assert dev.connected
    assert len(dev.describe()) == N_BULK_CONNECT
    return {"total": t2 - t0, "construct": t1 - t0, "describe": perf() - t2}


def _children(dev: Any) -> list[Any]:
    return [w.item for w in dev.walk_signals()]


# ===================================================================================================
# classic ophyd
# ===================================================================================================
class Ophyd:
    def __init__(self) -> None:
        import ophyd

        ophyd.set_cl("pyepics")
        self.o = ophyd

    def bulk_device(self, n: int, **kw: Any) -> Any:
        o = self.o
        attrs = {f"b{i:04d}": o.Component(o.EpicsSignalRO, f"bulk:{i:04d}", **kw) for i in range(n)}
        return type(f"Bulk{n}", (o.Device,), attrs)

    def connect(self, p: dict[str, Any]) -> dict[str, Any]:
        return _time_connect(self.bulk_device(N_BULK_CONNECT), p["prefix"])

    def read(self, p: dict[str, Any]) -> dict[str, Any]:
        cls = self.bulk_device(p["n_signals"], auto_monitor=p["monitor"])
        dev = cls(p["prefix"], name="bulk")
        dev.wait_for_connection(timeout=30)
        return _time_reads(dev.read, p, check=lambda r: len(r) == p["n_signals"])

    def put(self, p: dict[str, Any]) -> dict[str, Any]:
        o = self.o
        sig = o.EpicsSignal(p["prefix"] + p["pv"], put_complete=True, auto_monitor=p["monitor"], name="sig")
        sig.wait_for_connection(timeout=10)
        if p["monitor"]:
            sig.subscribe(lambda **kw: None)
        return _time_puts(lambda v: sig.set(v).wait(timeout=10), p)

    def flood(self, p: dict[str, Any]) -> dict[str, Any]:
        o = self.o
        pre = p["prefix"]
        rate = o.EpicsSignal(pre + "flood_rate", put_complete=True, name="rate")
        counter = o.EpicsSignalRO(pre + "flood", name="flood")
        probe = o.EpicsSignal(p.get("probe_prefix", pre) + p["pv"], put_complete=True, name="probe")
        for sig in (rate, counter, probe):
            sig.wait_for_connection(timeout=10)
        stats = {"delivered": 0, "last": None}
        slow = make_slow_callback(p["callback"], p["callback_s"])

        def on_value(value: Any = None, **kw: Any) -> None:
            stats["delivered"] += 1
            stats["last"] = value
            slow()

        return _flood(
            p,
            set_rate=lambda hz: rate.set(hz).wait(timeout=10),
            read_counter=lambda: int(counter.get(use_monitor=False)),
            probe_put=lambda v: probe.set(v).wait(timeout=10),
            subscribe=lambda: counter.subscribe(on_value, run=False),
            stats=stats,
            dropped=None,
        )


# ===================================================================================================
# ophyd-async (own event loop)
# ===================================================================================================
class OphydAsync:
    def __init__(self) -> None:
        import ophyd_async.core as core
        import ophyd_async.epics.core as epics_core

        self.core, self.ec = core, epics_core

    def connect(self, p: dict[str, Any]) -> dict[str, Any]:
        core, ec = self.core, self.ec

        class Bulk(core.StandardReadable):
            def __init__(self, prefix: str, n: int, name: str = "") -> None:
                with self.add_children_as_readables():
                    for i in range(n):
                        setattr(self, f"b{i:04d}", ec.epics_signal_r(float, f"{prefix}bulk:{i:04d}"))
                super().__init__(name=name)

        async def main() -> dict[str, Any]:
            t0 = perf()
            dev = Bulk(p["prefix"], N_BULK_CONNECT, name="bulk")
            t1 = perf()
            await dev.connect(timeout=60)
            t2 = perf()
            assert len(await dev.describe()) == N_BULK_CONNECT
            return {"total": t2 - t0, "construct": t1 - t0, "describe": perf() - t2}

        return asyncio.run(main())

    def read(self, p: dict[str, Any]) -> dict[str, Any]:
        core, ec = self.core, self.ec
        n = p["n_signals"]

        class Bulk(core.StandardReadable):
            def __init__(self, prefix: str, name: str = "") -> None:
                with self.add_children_as_readables():
                    for i in range(n):
                        setattr(self, f"b{i:04d}", ec.epics_signal_r(float, f"{prefix}bulk:{i:04d}"))
                super().__init__(name=name)

        async def main() -> dict[str, Any]:
            dev = Bulk(p["prefix"], name="bulk")
            await dev.connect(timeout=30)
            if p["monitor"]:
                for _, child in dev.children():
                    child.subscribe_reading(lambda reading: None)
                await asyncio.sleep(0.5)
            return await _time_reads_async(dev.read, p, check=lambda r: len(r) == n)

        return asyncio.run(main())

    def put(self, p: dict[str, Any]) -> dict[str, Any]:
        ec = self.ec

        async def main() -> dict[str, Any]:
            sig = ec.epics_signal_rw(float, p["prefix"] + p["pv"], name="sig", wait=True)
            await sig.connect(timeout=10)
            if p["monitor"]:
                sig.subscribe_reading(lambda reading: None)
                await asyncio.sleep(0.2)

            async def one(v: float) -> None:
                await sig.set(v)

            return await _time_puts_async(one, p)

        return asyncio.run(main())


# ===================================================================================================
# caproto threading client (the floor)
# ===================================================================================================
class CaprotoRaw:
    def __init__(self) -> None:
        from caproto.threading.client import Context

        self.ctx = Context()

    def connect(self, p: dict[str, Any]) -> dict[str, Any]:
        names = bulk_names(p["prefix"], N_BULK_CONNECT)
        t0 = perf()
        pvs = self.ctx.get_pvs(*names)
        t1 = perf()
        for pv in pvs:
            pv.wait_for_connection(timeout=60)
        t2 = perf()
        return {"total": t2 - t0, "construct": t1 - t0}

    def read(self, p: dict[str, Any]) -> dict[str, Any]:
        names = bulk_names(p["prefix"], p["n_signals"])
        pvs = self.ctx.get_pvs(*names)
        for pv in pvs:
            pv.wait_for_connection(timeout=30)
        if p["monitor"]:
            latest: dict[str, Any] = {}

            def make_cb(name: str) -> Callable[..., None]:
                def cb(sub: Any, response: Any) -> None:
                    latest[name] = response

                return cb

            keep = []
            for pv in pvs:
                sub = pv.subscribe(data_type="time")
                cb = make_cb(pv.name)
                keep.append(cb)  # caproto holds callbacks weakly
                sub.add_callback(cb)
            _wait_until(lambda: len(latest) == len(pvs), 10)

            def read_all() -> dict[str, Any]:
                out = {}
                for name in names:
                    r = latest[name]
                    out[name] = {"value": r.data[0], "timestamp": r.metadata.timestamp}
                return out

        else:

            def read_all() -> dict[str, Any]:
                results: dict[str, Any] = {}
                done = threading.Event()
                lock = threading.Lock()

                def make_cb(name: str) -> Callable[[Any], None]:
                    def cb(response: Any) -> None:
                        with lock:
                            results[name] = {
                                "value": response.data[0],
                                "timestamp": response.metadata.timestamp,
                            }
                            if len(results) == len(names):
                                done.set()

                    return cb

                for pv in pvs:
                    pv.read(data_type="time", wait=False, callback=make_cb(pv.name))
                if not done.wait(5):
                    raise TimeoutError("caproto batch read timed out")
                return {name: results[name] for name in names}

        return _time_reads(read_all, p, check=lambda r: len(r) == p["n_signals"])

    def put(self, p: dict[str, Any]) -> dict[str, Any]:
        (pv,) = self.ctx.get_pvs(p["prefix"] + p["pv"])
        pv.wait_for_connection(timeout=10)
        keep = None
        if p["monitor"]:
            sub = pv.subscribe(data_type="time")
            keep = lambda sub, response: None  # noqa: E731
            sub.add_callback(keep)
        result = _time_puts(lambda v: pv.write([v], wait=True, timeout=10), p)
        del keep
        return result

    def flood(self, p: dict[str, Any]) -> dict[str, Any]:
        pre = p["prefix"]
        rate, counter, probe = self.ctx.get_pvs(
            pre + "flood_rate", pre + "flood", p.get("probe_prefix", pre) + p["pv"]
        )
        for pv in (rate, counter, probe):
            pv.wait_for_connection(timeout=10)
        stats = {"delivered": 0, "last": None}
        slow = make_slow_callback(p["callback"], p["callback_s"])

        def on_value(sub: Any, response: Any) -> None:
            stats["delivered"] += 1
            stats["last"] = int(response.data[0])
            slow()

        def subscribe() -> None:
            sub = counter.subscribe(data_type="time")
            sub.add_callback(on_value)

        return _flood(
            p,
            set_rate=lambda hz: rate.write([hz], wait=True, timeout=10),
            read_counter=lambda: int(counter.read(timeout=10).data[0]),
            probe_put=lambda v: probe.write([v], wait=True, timeout=10),
            subscribe=subscribe,
            stats=stats,
            dropped=None,
        )


# ===================================================================================================
# pyepics' epics.ca used directly (libca floor, for reference)
# ===================================================================================================
class PyepicsRaw:
    def __init__(self) -> None:
        from epics import ca

        self.ca = ca

    def _channels(self, names: list[str], timeout: float) -> list[Any]:
        ca = self.ca
        chids = [ca.create_channel(name, connect=False, auto_cb=False) for name in names]
        for chid in chids:
            if not ca.connect_channel(chid, timeout=timeout):
                raise TimeoutError(f"{ca.name(chid)} did not connect")
        return chids

    def connect(self, p: dict[str, Any]) -> dict[str, Any]:
        names = bulk_names(p["prefix"], N_BULK_CONNECT)
        t0 = perf()
        self._channels(names, 60)
        t2 = perf()
        return {"total": t2 - t0, "construct": float("nan")}

    def read(self, p: dict[str, Any]) -> dict[str, Any]:
        ca = self.ca
        names = bulk_names(p["prefix"], p["n_signals"])
        if p["monitor"]:
            import epics

            pvs = [epics.PV(name, auto_monitor=True, form="time") for name in names]
            for pv in pvs:
                pv.wait_for_connection(timeout=30)
            _wait_until(lambda: all(pv.value is not None for pv in pvs), 10)

            def read_all() -> dict[str, Any]:
                return {pv.pvname: {"value": pv.get(), "timestamp": pv.timestamp} for pv in pvs}

        else:
            chids = self._channels(names, 30)
            ftypes = [ca.promote_type(chid, use_time=True) for chid in chids]

            def read_all() -> dict[str, Any]:
                for chid, ftype in zip(chids, ftypes, strict=True):
                    ca.get_with_metadata(chid, ftype=ftype, wait=False)
                ca.poll()
                out = {}
                for name, chid, ftype in zip(names, chids, ftypes, strict=True):
                    md = ca.get_complete_with_metadata(chid, ftype=ftype, timeout=5)
                    out[name] = {"value": md["value"], "timestamp": md.get("timestamp")}
                return out

        return _time_reads(read_all, p, check=lambda r: len(r) == p["n_signals"])

    def put(self, p: dict[str, Any]) -> dict[str, Any]:
        """A put with a completion callback and an Event (not pyepics' polling put(wait=True))."""
        import epics

        pv = epics.PV(p["prefix"] + p["pv"], auto_monitor=p["monitor"])
        pv.wait_for_connection(timeout=10)
        if p["monitor"]:
            pv.add_callback(lambda **kw: None)
        event = threading.Event()

        def done(**kw: Any) -> None:
            event.set()

        def one(v: float) -> None:
            event.clear()
            pv.put(v, callback=done, use_complete=True)
            if not event.wait(10):
                raise TimeoutError("pyepics put did not complete")

        return _time_puts(one, p)


# ===================================================================================================
# shared timing loops
# ===================================================================================================
def _wait_until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.01)


def _time_reads(read: Callable[[], Any], p: dict[str, Any], check: Callable[[Any], bool]) -> dict[str, Any]:
    for _ in range(p["warmup"]):
        assert check(read())
    times = []
    for _ in range(p["n_reads"]):
        t0 = perf()
        read()
        times.append(perf() - t0)
    return {"times": times}


async def _time_reads_async(read: Callable[[], Any], p: dict[str, Any], check: Callable[[Any], bool]) -> dict:
    for _ in range(p["warmup"]):
        assert check(await read())
    times = []
    for _ in range(p["n_reads"]):
        t0 = perf()
        await read()
        times.append(perf() - t0)
    return {"times": times}


def _time_puts(one: Callable[[float], Any], p: dict[str, Any]) -> dict[str, Any]:
    values = put_values(p["warmup"] + p["n_puts"])
    for v in values[: p["warmup"]]:
        one(v)
    times = []
    for v in values[p["warmup"] :]:
        t0 = perf()
        one(v)
        times.append(perf() - t0)
    return {"times": times}


async def _time_puts_async(one: Callable[[float], Any], p: dict[str, Any]) -> dict[str, Any]:
    values = put_values(p["warmup"] + p["n_puts"])
    for v in values[: p["warmup"]]:
        await one(v)
    times = []
    for v in values[p["warmup"] :]:
        t0 = perf()
        await one(v)
        times.append(perf() - t0)
    return {"times": times}


def _probe_for(duration: float, period: float, probe_put: Callable[[float], Any], start_index: int) -> list:
    """Put-complete latency samples, one every ``period`` s for ``duration`` s."""
    times = []
    values = put_values(int(duration / period) + 2 + start_index)[start_index:]
    t_end = time.monotonic() + duration
    i = 0
    next_at = time.monotonic()
    while time.monotonic() < t_end:
        t0 = perf()
        probe_put(values[i % len(values)])
        times.append(perf() - t0)
        i += 1
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    return times


def _flood(
    p: dict[str, Any],
    *,
    set_rate: Callable[[float], Any],
    read_counter: Callable[[], int],
    probe_put: Callable[[float], Any],
    subscribe: Callable[[], None],
    stats: dict[str, Any],
    dropped: Callable[[], int] | None,
) -> dict[str, Any]:
    """Baseline put latency, then a flood with a slow subscriber while probing put latency and RSS."""
    period, duration = p["probe_period"], p["duration"]
    if p.get("switch_interval"):
        sys.setswitchinterval(p["switch_interval"])
    set_rate(0)
    probe_put(0.0)
    baseline = _probe_for(p["baseline"], period, probe_put, 0)
    subscribe()
    time.sleep(0.3)  # the initial update arrives
    c0 = read_counter()
    delivered0 = stats["delivered"]
    dropped0 = dropped() if dropped else 0
    rss = {"start": rss_kib()}
    set_rate(p["rate"])
    t_start = time.monotonic()
    during = _probe_for(duration / 2, period, probe_put, 3)
    rss["middle"] = rss_kib()
    during += _probe_for(duration - (time.monotonic() - t_start), period, probe_put, 5)
    rss["end"] = rss_kib()
    set_rate(0)
    flood_s = time.monotonic() - t_start
    c1 = read_counter()
    delivered_end = stats["delivered"] - delivered0
    dropped_end = (dropped() - dropped0) if dropped else None
    # Let a backlog drain (bounded): stop when nothing was delivered for 0.5 s.
    t_drain = time.monotonic()
    last_n, last_change = stats["delivered"], time.monotonic()
    while time.monotonic() - t_drain < p["drain_cap"]:
        time.sleep(0.05)
        if stats["delivered"] != last_n:
            last_n, last_change = stats["delivered"], time.monotonic()
        elif time.monotonic() - last_change > 0.5:
            break
    drain_s = last_change - t_drain
    rss["after_drain"] = rss_kib()
    return {
        "baseline": baseline,
        "during": during,
        "rss_kib": rss,
        "posted": c1 - c0,
        "flood_s": flood_s,
        "delivered_during": delivered_end,
        "delivered_total": stats["delivered"] - delivered0,
        "dropped": (dropped() - dropped0) if dropped else None,
        "dropped_during": dropped_end,
        "drain_s": drain_s,
        "drain_capped": time.monotonic() - t_drain >= p["drain_cap"],
        "last_value": stats["last"],
        "final_counter": c1,
    }


LIBS: dict[str, Callable[[], Any]] = {
    "sophyd-pyepics": lambda: Sophyd("pyepics"),
    "sophyd-caproto": lambda: Sophyd("caproto"),
    "ophyd": Ophyd,
    "ophyd-async": OphydAsync,
    "caproto-raw": CaprotoRaw,
    "pyepics-raw": PyepicsRaw,
}


def main() -> None:
    lib, workload, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    impl = LIBS[lib]()
    method = getattr(impl, workload, None)
    if method is None:
        result: dict[str, Any] = {"skipped": f"{lib} has no {workload} workload"}
    else:
        result = method(params)
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: client libraries' threads (and a flood backlog) must not delay the exit.
    os._exit(0)


if __name__ == "__main__":
    main()
