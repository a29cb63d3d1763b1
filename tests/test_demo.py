"""The packaged demo, ``python -m sophyd.sim``, run as a user would: its own IOC, a guided tour, a clean exit."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import h5py
import numpy as np
import pytest
from helpers import listening_addresses

from sophyd.catalog import CatalogServer

pytestmark = pytest.mark.system  # starts IOCs or other processes itself

DEMO_TIMEOUT = 180.0


def pattern_iocs_with(token: str, module: str = "sophyd_iocs.pattern") -> set[int]:
    """PIDs of running ``python -m <module>`` processes whose environment holds ``token`` (from /proc).

    The demo's IOC and catalog server inherit the demo's environment, so the token marks them and no other
    process on the host.
    """
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if module.encode() in argv and token.encode() in (entry / "environ").read_bytes():
                pids.add(int(entry.name))
        except OSError:
            continue  # gone, or not ours to read

    return pids


def demo_env(data_dir: Path) -> tuple[dict[str, str], str]:
    """A user's environment without a display, the demo's data under ``data_dir``, and a token marking it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EPICS_", "SOPHYD_", "MPL"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    token = f"sophyd-demo-test-{uuid.uuid4()}"
    env["SOPHYD_TEST_DEMO_TOKEN"] = token
    env["SOPHYD_DATA_DIR"] = str(data_dir)
    env["PYTHONFAULTHANDLER"] = "1"  # a crash prints every thread's stack to stderr, which the failures show
    return env, token


def test_demo_runs_the_tour_and_leaves_no_ioc_behind(tmp_path: Path) -> None:
    env, token = demo_env(tmp_path / "data")
    stderr_path = tmp_path / "stderr.txt"
    stderr_file = stderr_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "sophyd.sim"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    lines: list[str] = []
    first_line = threading.Event()

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            first_line.set()
        first_line.set()

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    try:
        # The tour prints once the IOC answers and the devices are connected: its IOC runs now.
        assert first_line.wait(DEMO_TIMEOUT), "the demo printed nothing"
        running = pattern_iocs_with(token)
        catalogs = pattern_iocs_with(token, "sophyd.catalog")
        listening = {pid: listening_addresses(pid) for pid in catalogs}
        process.wait(DEMO_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        stderr_file.close()
    reader.join(10)
    stderr = stderr_path.read_text()
    output = "".join(lines)
    assert len(running) == 1, f"expected the demo's own pattern IOC while it ran, found {running}"
    assert process.returncode == 0, f"demo failed:\n{output}\n{stderr}"
    assert "CA Repeater" not in output + stderr  # launch_iocs runs a repeater; libca finds it
    assert "stage.x.name = 'stage_x'" in output
    assert "RE(bps.rd(stage.x)) -> 1.5" in output
    # The BestEffortCallback table of the point-detector grid scan: 9 rows with the 3 channels.
    header = re.search(r"\|\s*seq_num\s*\|\s*time\s*\|\s*stage_x\s*\|\s*stage_y\s*\|(.*)\|", output)
    assert header is not None, output
    assert [c.strip() for c in header.group(1).split("|")] == [f"pdet_channel{i}_value" for i in (1, 2, 3)]
    number = r" +([\d.]+) \|"
    row = r"^\| +(\d+) \| [\d:.]+ \|" + number * 5 + "$"  # seq_num, time, x, y and the 3 channels
    rows = re.findall(row, output, re.M)
    assert [int(r[0]) for r in rows] == list(range(1, 10))
    assert [(float(r[1]), float(r[2])) for r in rows] == [(x, y) for x in (1, 1.5, 2) for y in (2, 2.5, 3)]
    assert all(int(count) > 0 for r in rows for count in r[3:])
    written = re.search(r"bdet wrote (\S+\.h5): (\d+) frames of \(240, 320\), sums \[([\d, ]+)\]", output)
    assert written is not None, output
    assert written.group(2) == "9" and len(written.group(3).split(",")) == 9
    # The file's full path is printed and the file stays after the demo, in the data directory it names.
    h5 = Path(written.group(1))
    assert h5.is_absolute() and h5.is_file() and h5.is_relative_to(tmp_path / "data")
    assert f"the demo's files stay in {h5.parent}" in output
    # Without a display, the grid scan's plot is saved as a PNG whose path is printed.
    pngs = re.findall(r"plot of the pdet grid scan saved as (\S+\.png)", output)
    assert pngs and all(Path(png).read_bytes().startswith(b"\x89PNG") for png in pngs)
    survivors = pattern_iocs_with(token)
    assert not survivors, f"the demo left pattern IOC process(es) running: {sorted(survivors)}"
    # Its embedded catalog server listened on loopback only, and is gone
    assert len(listening) == 1 and all(a.startswith("127.0.0.1:") for a in next(iter(listening.values())))
    assert not pattern_iocs_with(token, "sophyd.catalog")
    # The live view of the bdet scan, saved as a PNG beside the file
    (live_png,) = re.findall(r"live view of bdet saved as (\S+\.png)", output)
    assert Path(live_png).parent == h5.parent and Path(live_png).read_bytes().startswith(b"\x89PNG")
    check_catalog_after_the_demo(output, h5, tmp_path / "data")


def check_catalog_after_the_demo(output: str, h5: Path, data: Path) -> None:
    """The command the demo printed serves its catalog again, with both runs, their metadata and the frames."""
    from tiled.queries import Key

    address = re.search(r"runs are saved to the tiled catalog at (http://127\.0\.0\.1:\d+) ", output)
    assert address is not None, output
    serve = re.search(r"serve it again after the demo with:\n  (.*)$", output, re.M)
    assert serve is not None, output
    command = shlex.split(serve.group(1))
    assert command[1:5] == ["-m", "sophyd.catalog", "serve", "--directory"]
    directory = Path(command[5])
    assert directory == data / "catalog" and command[6:] == ["--readable", str(data / "demo")]
    process = subprocess.Popen([*command, "--stop-on-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with CatalogServer(process, directory, (data / "demo",)) as server:
        catalog = server.client()
        runs = catalog.search(Key("start.purpose") == "sophyd demo")
        assert len(runs) == 2, list(runs)
        pdet_run, bdet_run = sorted(runs.values(), key=lambda run: run.metadata["start"]["time"])
        assert pdet_run.metadata["start"]["detectors"] == ["pdet"]
        assert len(pdet_run["primary"].read()["pdet_channel1_value"]) == 9
        assert bdet_run.metadata["stop"]["exit_status"] == "success"
        with h5py.File(h5, "r") as f:
            np.testing.assert_array_equal(bdet_run["primary"]["bdet"].read(), f["/entry/data/data"][()])
    assert process.poll() is not None


@pytest.mark.parametrize("shell", ["python", "ipython"])
def test_interactive_demo_gives_a_ready_prompt_with_fast_motors(shell: str, tmp_path: Path) -> None:
    """``python -i -m sophyd.sim`` and ``ipython -i -m sophyd.sim`` both skip the tour and leave the same
    ready devices, with the motors already fast."""
    if shell == "python":
        command = [sys.executable, "-i", "-m", "sophyd.sim"]
    else:
        pytest.importorskip("IPython")
        command = [
            sys.executable,
            "-m",
            "IPython",
            "--no-banner",
            "--colors=nocolor",
            "-i",
            "-m",
            "sophyd.sim",
        ]
    env, token = demo_env(tmp_path / "data")
    typed = "print('velocities', stage.x.velocity.get(), stage.y.velocity.get())\n"
    result = subprocess.run(
        command,
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=DEMO_TIMEOUT,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "stage, pdet, bdet and RE are ready" in result.stdout
    assert "stage.x.name" not in result.stdout, "the tour ran before the prompt"
    assert "velocities 1000.0 1000.0" in result.stdout
    assert re.search(r"runs are saved to the tiled catalog at http://127\.0\.0\.1:\d+ ", result.stdout)
    assert not pattern_iocs_with(token, "sophyd.catalog")
    assert not pattern_iocs_with(token)
