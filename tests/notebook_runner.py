"""Runs the example notebooks top to bottom in a fresh kernel of this environment, once per test session.

Each notebook starts its IOCs with ``launch_iocs`` (printing "(pid N)" for each) and stops them in its last
cell; a run fails on any cell error, on anything written to stderr, or on an IOC left running. The kernel talks
to Jupyter over IPC sockets in a temporary directory, so no TCP port is opened for it. The executed copies are
kept for the session: tests/test_notebooks.py checks their outputs and tests/test_docs.py renders them.
Importing this module skips the importing test module when nbclient, nbformat or ipykernel is not installed.
"""

from __future__ import annotations

import contextlib
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

from sophyd.sim.launch import PARENT_PID_VAR

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from jupyter_client.manager import KernelManager  # noqa: E402 - jupyter_client comes with nbclient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CELL_TIMEOUT = 120
PID = re.compile(r"\(pid (\d+)\)")


def _ioc_running(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) IOC process that ``launch_iocs`` started (it marks their
    environment with ``PARENT_PID_VAR``), whether a shipped IOC or a user's own."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z" and f"{PARENT_PID_VAR}=".encode() in environ


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


@contextlib.contextmanager
def kernel_environment() -> Iterator[str]:
    """The kernels' environment (they inherit ours) and a short directory for their IPC sockets."""
    with pytest.MonkeyPatch.context() as mp:
        # This environment's kernelspecs first, so that "python3" is the kernel of the Python running the tests.
        mp.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
        # No display: plots go to the Agg backend and the BestEffortCallback draws into it.
        mp.delenv("DISPLAY", raising=False)
        mp.delenv("WAYLAND_DISPLAY", raising=False)
        mp.setenv("MPLBACKEND", "Agg")
        sockets = tempfile.mkdtemp(prefix="sophyd-nb-")  # short: unix socket paths are limited to ~100 bytes
        try:
            yield sockets
        finally:
            shutil.rmtree(sockets, ignore_errors=True)


def run_notebook(name: str, sockets: str) -> tuple[Executed, Any]:
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
        pids = [int(p) for cell in executed.cells for p in PID.findall(_text(cell))]
        leftovers = [pid for pid in pids if _ioc_running(pid)]
        for pid in leftovers:  # only after a failure: the kernel is gone, its IOCs must not outlive the test
            os.kill(pid, signal.SIGTERM)
    assert not km.is_alive(), "the kernel did not shut down"
    errors = [
        f"cell {index}: {output.text.strip()}"
        for index, cell in enumerate(executed.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "stream" and output.name == "stderr"
    ]
    assert not errors, "the notebook wrote to stderr (warnings, library noise):\n" + "\n".join(errors)
    assert pids, 'the notebook should print "(pid N)" for each IOC it starts'
    deadline = time.monotonic() + 5
    while leftovers and time.monotonic() < deadline:
        leftovers = [pid for pid in leftovers if _ioc_running(pid)]
        time.sleep(0.05)
    assert not leftovers, f"IOC processes {leftovers} were still running after the notebook"
    return executed, nb


class NotebookRuns:
    """Executes each notebook at most once and keeps the executed copy in ``directory``.

    A notebook that failed fails every test that asks for it, with the same error.
    """

    def __init__(self, sockets: str, directory: Path) -> None:
        self.sockets = sockets
        self.directory = directory
        self._done: dict[str, Executed | BaseException] = {}

    def __call__(self, name: str) -> Executed:
        if name not in self._done:
            try:
                executed, nb = run_notebook(name, self.sockets)
                nbformat.write(nb, self.directory / name)
                self._done[name] = executed
            except BaseException as exc:  # remembered so that later tests report it instead of rerunning
                self._done[name] = exc
        result = self._done[name]
        if isinstance(result, BaseException):
            raise result
        return result

    def all(self) -> Path:
        """Execute every notebook of examples/ and return the directory of the executed copies."""
        for notebook in sorted(EXAMPLES.glob("*.ipynb")):
            self(notebook.name)
        return self.directory
