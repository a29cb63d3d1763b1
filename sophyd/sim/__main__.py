"""The packaged demo: ``python -m sophyd.sim`` (a guided tour), or an interactive prompt with the devices ready
(``python -i -m sophyd.sim`` or ``ipython -i -m sophyd.sim``).

It starts the pattern IOC on loopback (unless ``SOPHYD_PATTERN_PREFIX`` names one already running, e.g.
under supervisor, with the client environment set), makes a RunEngine with a BestEffortCallback, and creates
``stage``, ``pdet`` and ``bdet`` in an ``init_devices()`` block that names and connects them in parallel.
Detector files and plots go to a new directory under ``SOPHYD_DATA_DIR`` (default
``$XDG_DATA_HOME/sophyd``, i.e. ``~/.local/share/sophyd``), which is kept when the demo exits.

Every run is saved to a tiled catalog: the server named by ``SOPHYD_TILED_URI`` (with ``TILED_API_KEY``) if
set, else an embedded one the demo starts on 127.0.0.1 and stops when it exits, its catalog kept in the
``catalog`` directory beside the files so that ``python -m sophyd.catalog serve`` can serve it again.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shlex
import sys
import time

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky import RunEngine
from bluesky.callbacks.best_effort import BestEffortCallback
from bluesky.run_engine import RunEngineResult

from sophyd import init_devices
from sophyd.catalog import (
    URI_ENV,
    connect_catalog,
    default_catalog_dir,
    serve_command,
    start_catalog,
    subscribe_catalog,
)
from sophyd.liveview import LiveFrames
from sophyd.paths import StaticPathProvider, UUIDFilenameProvider, user_data_dir
from sophyd.sim import launch_iocs
from sophyd.sim.devices import SimBlobDetector, SimPointDetector, SimStage

# The catalog and the IOCs: our own on loopback, stopped (by PID) when Python exits
_cleanup = contextlib.ExitStack()
atexit.register(_cleanup.close)
files_root = user_data_dir() / "demo"  # one directory per demo run below it, see data_dir
files_root.mkdir(parents=True, exist_ok=True)
catalog_server = None
if not os.environ.get(URI_ENV):
    # started first and waited for last: the server's start-up overlaps the IOC's and the connections
    catalog_server = start_catalog(default_catalog_dir(), [files_root], wait=False)
    _cleanup.callback(catalog_server.stop)
prefix = os.environ.get("SOPHYD_PATTERN_PREFIX", "")
if not prefix:
    iocs = _cleanup.enter_context(launch_iocs("pattern", unique=True))
    prefix = iocs.prefix("pattern")


def _interactive() -> bool:
    """Whether a prompt follows: ``python -i``, or IPython started with ``-i``."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return bool(sys.flags.interactive or getattr(getattr(shell, "parent", None), "interact", False))


def _headless() -> bool:
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


if _headless():
    import matplotlib

    matplotlib.use("Agg")  # plots are drawn off screen and saved as PNG files

# Create a run engine that returns plan results, and a callback that prints tables and plots
RE = RunEngine(call_returns_result=True)
bec = BestEffortCallback()
RE.subscribe(bec)

# Files go to a new directory of the user's data directory, one UUID-named file per run, kept after the demo
data_dir = files_root / time.strftime("%Y%m%d-%H%M%S")
data_dir.mkdir(parents=True, exist_ok=True)
path_provider = StaticPathProvider(UUIDFilenameProvider(), data_dir)

# All Devices created within this block are connected and named at the end of the with block
with init_devices():
    stage = SimStage(prefix)
    pdet = SimPointDetector(prefix + "PDET:")
    bdet = SimBlobDetector(prefix + "BDET:", path_provider=path_provider)

# Make the moves faster so that the grid scans take seconds, not minutes
RE(bps.mv(stage.x.velocity, 1000, stage.y.velocity, 1000))

# Every run is saved to the catalog, with this metadata in its start document
RE.md["purpose"] = "sophyd demo"
if catalog_server is not None:
    catalog = catalog_server.wait_ready().client()
    catalog_note = (
        f"runs are saved to the tiled catalog at {catalog_server.address} (API key {catalog_server.api_key}),"
        f" kept in {catalog_server.directory}; serve it again after the demo with:"
        f"\n  {shlex.join(serve_command(catalog_server.directory, catalog_server.readable))}"
    )
else:
    catalog = connect_catalog()
    catalog_note = f"runs are saved to the tiled catalog at {os.environ[URI_ENV]}"
subscribe_catalog(RE, catalog)


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
    RE(bps.mv(stage.x, 1.5))
    print("after RE(bps.mv(stage.x, 1.5)): RE(bps.rd(stage.x)) ->", rd(stage.x))
    RE(bp.grid_scan([pdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3))
    if _headless():
        import matplotlib.pyplot as plt

        for number in plt.get_fignums():
            png = data_dir / f"grid_scan_pdet_{number}.png"
            plt.figure(number).savefig(png)
            print(f"plot of the pdet grid scan saved as {png}")
    # The live view reads each frame from the file while the IOC writes it; headless, it saves a PNG
    RE(bp.grid_scan([bdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3), LiveFrames("bdet"))
    import h5py

    for path in sorted(data_dir.glob("*.h5")):
        with h5py.File(path, "r", swmr=True) as f:
            frames, sums = f["/entry/data/data"], f["/entry/sum"][()]
            print(
                f"bdet wrote {path}: {frames.shape[0]} frames of {frames.shape[1:]}, sums {[int(v) for v in sums]}"
            )
    print(f"the demo's files stay in {data_dir}")
    print(catalog_note)


if __name__ == "__main__":
    if _interactive():
        print(
            "sophyd demo: stage, pdet, bdet and RE are ready; try RE(bp.grid_scan([pdet], stage.x, 1, 2, 3, ...))"
            "\nwatch the frames while they are written: RE(bp.grid_scan([bdet], ...), LiveFrames('bdet'))"
            f"\nfiles go to {data_dir}\n{catalog_note}"
        )
    else:
        tour()
