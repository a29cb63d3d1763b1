"""The packaged demo: ``python -m sophyd.sim`` (a guided tour) or ``python -i -m sophyd.sim`` (interactive).

It starts the pattern IOC on loopback (unless ``SOPHYD_PATTERN_PREFIX`` names one already running, e.g.
under supervisor, with the client environment set), makes a RunEngine with a BestEffortCallback, and creates
``stage``, ``pdet`` and ``bdet`` in an ``init_devices()`` block that names and connects them in parallel.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky import RunEngine
from bluesky.callbacks.best_effort import BestEffortCallback
from bluesky.run_engine import RunEngineResult

from sophyd import init_devices
from sophyd.paths import StaticPathProvider, UUIDFilenameProvider
from sophyd.sim import launch_iocs
from sophyd.sim.devices import SimBlobDetector, SimPointDetector, SimStage

# IOCs: our own on loopback, stopped (by PID) when Python exits
_cleanup = contextlib.ExitStack()
atexit.register(_cleanup.close)
prefix = os.environ.get("SOPHYD_PATTERN_PREFIX", "")
if not prefix:
    iocs = _cleanup.enter_context(launch_iocs("pattern", unique=True))
    prefix = iocs.prefix("pattern")

# Create a run engine that returns plan results, and a callback that prints tables (and plots with a display)
RE = RunEngine(call_returns_result=True)
bec = BestEffortCallback()
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    bec.disable_plots()
RE.subscribe(bec)

# Files go to a temporary directory, one UUID-named file per run (removed when Python exits)
data_dir = Path(tempfile.mkdtemp(prefix="sophyd-demo-"))
_cleanup.callback(shutil.rmtree, data_dir, ignore_errors=True)
path_provider = StaticPathProvider(UUIDFilenameProvider(), data_dir)

# All Devices created within this block are connected and named at the end of the with block
with init_devices():
    stage = SimStage(prefix)
    pdet = SimPointDetector(prefix + "PDET:")
    bdet = SimBlobDetector(prefix + "BDET:", path_provider=path_provider)


def rd(obj: object) -> object:
    """The value ``RE(bps.rd(obj))`` returns."""
    result = RE(bps.rd(obj))
    assert isinstance(result, RunEngineResult)
    return result.plan_result


def tour() -> None:
    """What the Using Devices tutorial does, synchronously, over real Channel Access."""
    print(f"stage.x.name = {stage.x.name!r}")
    print(f"stage.x.read() = {dict(stage.x.read())}")
    print("RE(bps.rd(stage.x)) ->", rd(stage.x))
    RE(bps.mv(stage.x.velocity, 1000, stage.y.velocity, 1000))
    RE(bps.mv(stage.x, 1.5))
    print("after RE(bps.mv(stage.x, 1.5)): RE(bps.rd(stage.x)) ->", rd(stage.x))
    RE(bp.grid_scan([pdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    RE(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    import h5py

    for path in sorted(data_dir.glob("*.h5")):
        with h5py.File(path, "r", swmr=True) as f:
            frames, sums = f["/entry/data/data"], f["/entry/sum"][()]
            print(
                f"bdet wrote {path.name}: {frames.shape[0]} frames of {frames.shape[1:]}, sums {[int(v) for v in sums]}"
            )


if __name__ == "__main__":
    if sys.flags.interactive:
        print(
            "sophyd demo: stage, pdet, bdet and RE are ready; try RE(bp.grid_scan([pdet], stage.x, 1, 2, 3, ...))"
        )
    else:
        tour()
