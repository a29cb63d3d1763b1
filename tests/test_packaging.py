"""The built wheel carries the IOCs and the supervisor files: they run without the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sophyd.control.probe import missing_pvs
from sophyd.sim.launch import pick_loopback_address
from sophyd_iocs.registry import IOCS

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.system  # starts IOCs or other processes itself


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources: pip builds in the source tree, and a build/ folder left
    there by an earlier build (of other sources) would end up in the wheel."""
    source = tmp_path_factory.mktemp("source") / "sophyd"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*_cache"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = out.glob("sophyd-*.whl")
    return built


def test_wheel_contains_iocs_and_supervisor_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        *(f"sophyd_iocs/{info.name}.py" for info in IOCS),
        "sophyd_iocs/registry.py",
        "sophyd_iocs/supervisor/supervisord.conf",
        "sophyd_iocs/supervisor/start_supervisor.sh",
        "sophyd_iocs/supervisor/ca_env.sh",
        "sophyd/testing.py",
        "sophyd/sim/__main__.py",
        "sophyd/py.typed",
    ):
        assert required in names, f"{required} missing from {wheel.name}"
    # The IOC package installs under its own name only: a top-level "iocs" would collide with other projects.
    assert not any(n.startswith(("iocs/", "tests/", "examples/", "bench/")) for n in names)


def test_installed_ioc_runs_without_the_checkout(
    wheel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    address = pick_loopback_address()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONSAFEPATH": "1"}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sophyd_iocs; print(sophyd_iocs.__file__)\n"
            "from sophyd.sim.launch import ioc_package_dir; print(ioc_package_dir())",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    module_file, package_dir = where.stdout.split()
    assert module_file.startswith(str(target)), where.stdout
    assert package_dir == str((target / "sophyd_iocs").resolve()), where.stdout  # the launcher accepts it
    log = (tmp_path / "ioc.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sophyd_iocs.trigger_with_pc",
            "--prefix",
            "pkgtest:",
            "--interfaces",
            address,
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        monkeypatch.setenv("EPICS_CA_ADDR_LIST", address)
        monkeypatch.setenv("EPICS_CA_AUTO_ADDR_LIST", "NO")
        assert missing_pvs(["pkgtest:gain", "pkgtest:reading"], timeout=30.0) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
