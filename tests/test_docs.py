"""The documentation site builds with warnings as errors, renders the executed notebooks, documents every public
name, and the Python blocks of its Markdown pages run."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PAGE_TIMEOUT = 240


def _public_names() -> list[tuple[str, str, object]]:
    """(module, name, object) for every name in ``__all__`` of sophyd and its public submodules."""
    sys.path.insert(0, str(DOCS))
    try:
        conf = importlib.import_module("conf")
    finally:
        sys.path.remove(str(DOCS))
    found = []
    for modname in conf._public_modules():
        module = importlib.import_module(modname)
        found.extend((modname, name, getattr(module, name)) for name in getattr(module, "__all__", ()))
    return found


def test_every_public_class_and_function_has_its_own_docstring() -> None:
    missing = [
        f"{modname}.{name}"
        for modname, name, obj in _public_names()
        if (inspect.isclass(obj) and not (vars(obj).get("__doc__") or "").strip())
        or (inspect.isfunction(obj) and not (obj.__doc__ or "").strip())
    ]
    assert not missing, f"public names without a docstring: {missing}"


@pytest.mark.timeout(600)  # the first user of the notebooks fixture runs every notebook (~90 s), then Sphinx
def test_site_builds_with_warnings_as_errors(notebooks, tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    executed = notebooks.all()
    source = tmp_path / "src"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "api", "notebooks"))
    env = dict(os.environ, SOPHYD_DOCS_NOTEBOOKS=str(executed))
    html = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(source), str(html)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    # The tutorials show the outputs of the executed run, e.g. the grid scan's table.
    using_devices = (html / "tutorials" / "notebooks" / "using_devices.html").read_text(encoding="utf-8")
    assert "pdet_channel1_value" in using_devices
    # Every public name has an entry in the reference.
    reference = "".join(p.read_text(encoding="utf-8") for p in (html / "api").glob("*.html"))
    names = _public_names()
    absent = [
        f"{modname}.{name}"
        for modname, name, obj in names
        if (inspect.isclass(obj) or inspect.isfunction(obj))
        and not any(f'id="{where}"' in reference for where in _paths_of(obj, names))
    ]
    assert not absent, f"public names missing from the API reference: {absent}"


def _paths_of(obj: object, names: list[tuple[str, str, object]]) -> list[str]:
    """Every public dotted path of ``obj`` (the reference documents it under one of them)."""
    return [f"{modname}.{name}" for modname, name, other in names if other is obj]


def _pages_with_code() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if PYTHON_BLOCK.search(p.read_text(encoding="utf-8")))


@pytest.mark.system  # some pages start IOCs
@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: str(p.relative_to(DOCS)))
def test_markdown_python_blocks_run(page: Path, tmp_path: Path) -> None:
    """The page's ```python blocks run in order as one script in a fresh interpreter (blocks showing an
    interactive ``>>>`` session are examples to type, not run)."""
    blocks = [
        b for b in PYTHON_BLOCK.findall(page.read_text(encoding="utf-8")) if not b.lstrip().startswith(">>>")
    ]
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPICS_")}
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=PAGE_TIMEOUT,
    )
    assert result.returncode == 0, f"{page.name}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
