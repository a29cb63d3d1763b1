"""Device.read() on a stock caproto server: concurrent or one PV after another, the same readings.

caproto's server as shipped stalls ~40 ms on a burst of reads (sophyd/control/_stall.py); get_many then reads
that server's PVs in turn. Whichever way the reads go, a device's read() must give what reading each signal on
its own gives. The speed of either path is the benchmark's business (bench/bench_re.py --stock-ioc), not this.
"""

from __future__ import annotations

import pytest
from example_ioc import example_ioc
from helpers import run_json_script

pytestmark = pytest.mark.system  # starts caproto's example IOC and a fresh interpreter

SCRIPT = """
import json, sys
import numpy as np
import sophyd
from sophyd import Component as Cpt, Device, EpicsSignalRO

sophyd.set_cl(sys.argv[1])
prefix = sys.argv[2]


class Det(Device):
    a = Cpt(EpicsSignalRO, "A", kind="hinted")
    b = Cpt(EpicsSignalRO, "B")
    c = Cpt(EpicsSignalRO, "C")


det = Det(prefix, name="det")
det.wait_for_connection(timeout=20)
backend = det.a._backend
server = det.a._read_channel._server()
out = {"server_known": server is not None, "paths": {}}
decisions = []
decide = backend._stalls.read_in_turn


def recording_decide(server_, count):
    in_turn = decide(server_, count)
    decisions.append(in_turn)
    return in_turn


backend._stalls.read_in_turn = recording_decide


def read_by(path):
    if path != "watched":  # 'watched': whichever way the StallWatch decided from the reads before
        backend._stalls.mark(server, in_turn=path == "in_turn")
    return det.read()


for path in ("concurrent", "in_turn", "watched"):
    decisions.clear()
    together = [read_by(path) for _ in range(5)]
    taken = sorted(set(decisions))
    alone = {sig.name: sig.read()[sig.name] for sig in (det.a, det.b, det.c)}
    out["paths"][path] = {
        "in_turn": taken,
        "same": all(
            {k: (np.asarray(v["value"]).tolist(), v["timestamp"]) for k, v in r.items()}
            == {k: (np.asarray(v["value"]).tolist(), v["timestamp"]) for k, v in alone.items()}
            for r in together
        ),
        "keys": sorted(together[-1]),
    }
print(json.dumps(out))
"""


@pytest.mark.parametrize("cl", ["pyepics", "caproto"])
def test_device_read_on_a_stock_caproto_server_matches_reading_each_signal(cl: str) -> None:
    with example_ioc("caproto.ioc_examples.simple", "A") as prefix:
        report = run_json_script(SCRIPT, cl, prefix)
    assert report["server_known"]
    paths = report["paths"]
    assert paths["concurrent"]["in_turn"] == [False]
    assert paths["in_turn"]["in_turn"] == [True]
    for path in ("concurrent", "in_turn", "watched"):
        assert paths[path]["keys"] == ["det_a", "det_b", "det_c"], path
        assert paths[path]["same"], path
