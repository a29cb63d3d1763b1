"""The layers of docs/architecture.md hold in the code: a module imports nothing from a layer above its own."""

from __future__ import annotations

import subprocess
import sys


def imported_modules(statement: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``statement``."""
    out = subprocess.run(
        [sys.executable, "-c", f"{statement}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return set(out.split())


def test_physics_is_a_leaf() -> None:
    # IOC processes import the physics; it must not pull in the client library (sophyd/__init__ imports
    # event_model, jsonschema, bluesky, ... and takes several times numpy's import time).
    modules = imported_modules("import sophyd_iocs.physics")
    assert "numpy" in modules
    unexpected = sorted(
        name
        for name in modules
        if name.partition(".")[0] in {"sophyd", "event_model", "jsonschema", "bluesky", "caproto", "epics"}
    )
    assert unexpected == [], f"importing sophyd_iocs.physics imports {unexpected}"
