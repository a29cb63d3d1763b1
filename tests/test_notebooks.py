"""The example notebooks run top to bottom in a fresh kernel of this environment and leave no IOC behind.

Each notebook starts its own simulated IOC with ``launch_iocs`` in its first code cell (printing the IOC's PID)
and stops it in its last one. The kernel talks to Jupyter over IPC sockets in a temporary directory, so no TCP
port is opened for it. Skipped when nbclient, nbformat or ipykernel is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from jupyter_client.manager import KernelManager  # noqa: E402 - jupyter_client comes with nbclient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CELL_TIMEOUT = 120
PID = re.compile(r"\(pid (\d+)\)")

pytestmark = pytest.mark.system  # starts IOCs or other processes itself


def _ioc_running(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process running one of our IOC modules."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z" and b"-m sophyd_iocs." in cmdline


def _text(cell: Any) -> str:
    """Everything a code cell showed: streams, results and error names."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


class Executed:
    """A notebook after execution: the output text of the code cell whose source contains a marker."""

    def __init__(self, nb: Any) -> None:
        self.cells = [cell for cell in nb.cells if cell.cell_type == "code"]

    def output(self, marker: str) -> str:
        found = [cell for cell in self.cells if marker in cell.source]
        assert len(found) == 1, f"{len(found)} code cells contain {marker!r}"
        return _text(found[0])

    @property
    def last(self) -> str:
        return _text(self.cells[-1])


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The kernel's environment (it inherits ours) and a short directory for its IPC sockets."""
    # This environment's kernelspecs first, so that "python3" is the kernel of the Python running the tests.
    monkeypatch.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
    # No display: the BestEffortCallback prints tables and makes no plots.
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    sockets = tempfile.mkdtemp(prefix="sophyd-nb-")  # short: unix socket paths are limited to ~100 bytes
    try:
        yield sockets
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def run_notebook(name: str, sockets: str) -> Executed:
    """Execute ``examples/<name>`` in a fresh python3 kernel; fail on any cell error or a leftover IOC."""
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), "saved with outputs"
    km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))
    assert Path(km.kernel_spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve())
    client = nbclient.NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    try:
        client.execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=False)  # a graceful shutdown runs the notebook's atexit handlers
        executed = Executed(nb)
        pids = [int(p) for cell in executed.cells[:1] for p in PID.findall(_text(cell))]
        leftovers = [pid for pid in pids if _ioc_running(pid)]
        for pid in leftovers:  # only after a failure: the kernel is gone, its IOCs must not outlive the test
            os.kill(pid, signal.SIGTERM)
    assert not km.is_alive(), "the kernel did not shut down"
    assert pids, "the first code cell should print the PID of the IOC it started"
    deadline = time.monotonic() + 5
    while leftovers and time.monotonic() < deadline:
        leftovers = [pid for pid in leftovers if _ioc_running(pid)]
        time.sleep(0.05)
    assert not leftovers, f"IOC processes {leftovers} were still running after the notebook"
    return executed


def test_staging_notebook(kernel_env: str) -> None:
    nb = run_notebook("staging.ipynb", kernel_env)
    assert "prefix = 'trigger_with_pc'" in nb.output("launch_iocs(")
    assert "TriggeredDetector(prefix='trigger_with_pc'" in nb.output("set_and_wait(self.enabled, 1)")
    assert nb.output("# Staging should set it to 1").strip() == "1"
    assert "triggered_detector_reading" in nb.output("# Wait until it is done prior to reading")
    assert nb.output("went back to its previous state").strip() == "0"
    refused = nb.output("except RedundantStaging")
    assert "second stage() refused" in refused and "already staged" in refused
    assert nb.output("triggered_detector.unstage()\ntriggered_detector.unstage()").strip() == "0"
    table = nb.output("bp.count(")
    assert "triggered_detector_reading" in table
    assert len(re.findall(r"^\|\s+\d+ \|", table, re.MULTILINE)) == 3
    assert "after the plan: enabled = 0" in table
    assert "pid is now None" in nb.last


def test_using_devices_notebook(kernel_env: str) -> None:
    pytest.importorskip("matplotlib", reason="BestEffortCallback needs matplotlib")
    nb = run_notebook("using_devices.ipynb", kernel_env)
    assert nb.output("stage.x.name").strip() == "'stage_x'"
    assert "'stage_x'" in nb.output("stage.x.read()")
    assert "exit_status='success'" in nb.output("RE(bps.mv(stage.x, 1.5))")
    rd = [cell for cell in nb.cells if cell.source.strip() == "RE(bps.rd(stage.x))"]
    assert [("plan_result=0.0" in _text(c), "plan_result=1.5" in _text(c)) for c in rd] == [
        (True, False),
        (False, True),
    ]
    table = nb.output("RE(bp.grid_scan([pdet]")
    assert "pdet_channel1_value" in table and "pdet_channel3_value" in table
    assert len(re.findall(r"^\|\s+\d+ \|", table, re.MULTILINE)) == 9
    files = nb.output("h5py.File(")
    assert "9 frames of (240, 320) uint8" in files
    assert "bdet_sum: /entry/sum" in files
    assert "pid is now None" in nb.last and "data directory removed: True" in nb.last
