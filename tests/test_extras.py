"""The extras install what the README's commands and the notebooks' own instructions need."""

from __future__ import annotations

import re
from importlib.metadata import requires


def extra(name: str) -> set[str]:
    """The distribution names the extra ``name`` of the installed sophyd requires."""
    found = set()
    for requirement in requires("sophyd") or []:
        if f'extra == "{name}"' in requirement:
            found.add(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower())
    return found


def test_the_demo_extra_runs_the_demo_and_opens_the_notebooks() -> None:
    # The notebooks say: open them with `.venv/bin/jupyter lab examples/`; nbconvert runs them headless;
    # the demo prefers IPython, plots with matplotlib and keeps its runs in a tiled catalog.
    assert {"jupyterlab", "nbconvert", "ipython", "matplotlib", "tiled", "bluesky-tiled-plugins"} <= extra(
        "demo"
    )


def test_the_dev_extra_runs_every_test() -> None:
    # Notebooks, the docs site, the real EPICS IOC and the catalog are all tested by the suite.
    assert {"nbclient", "ipykernel", "sphinx", "myst-nb", "furo", "softioc", "tiled", "pytest"} <= extra(
        "dev"
    )


def test_the_units_extra_brings_pint_which_dev_has_too() -> None:
    # sophyd.units (classic's UnitConversionDerivedSignal) needs pint; the test suite imports it.
    assert "pint" in extra("units") and "pint" in extra("dev")
