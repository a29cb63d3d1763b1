"""The layers of docs/architecture.md hold in the code: a module imports nothing from a layer above its own.

The import graph is read from the source (every ``import``, deferred ones included), so the test needs no IOC
and fails naming the module, the import and both layers. A new module goes into ``LAYERS`` here and into the
table in docs/architecture.md.
"""

from __future__ import annotations

import ast
import fnmatch
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: sophyd's layers, bottom to top, as in docs/architecture.md ("Layers"): each imports only its own and lower ones.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "base",
        [
            "sophyd.errors",
            "sophyd.kind",
            "sophyd.alarm",
            "sophyd.log",
            "sophyd._positions",
            "sophyd._checks",
            "sophyd._versions",
            "sophyd.ophydobj",
        ],
    ),
    ("status", ["sophyd.status", "sophyd._device_status", "sophyd._scheduler", "sophyd._dispatch"]),
    ("control layer", ["sophyd.control", "sophyd.control.*"]),
    (
        "signals",
        [
            "sophyd._signal",
            "sophyd._epics_signal",
            "sophyd._epics_signal_base",
            "sophyd._pv_metadata",
            "sophyd._attribute_signal",
            "sophyd._derived_signal",
            "sophyd.units",
            "sophyd._internal_signal",
            "sophyd.signal",
            "sophyd.mock",
            "sophyd.utils",
            "sophyd.utils.*",
            "sophyd._datakeys",
            "sophyd._readmany",
        ],
    ),
    (
        "device tree",
        [
            "sophyd._component",
            "sophyd.device",
            "sophyd._connect",
            "sophyd._bluesky_interface",
            "sophyd._device_attrs",
            "sophyd._device_factory",
            "sophyd._device_hooks",
            "sophyd._configure",
        ],
    ),
    (
        "devices",
        [
            "sophyd.positioner",
            "sophyd.epics_motor",
            "sophyd.pv_positioner",
            "sophyd.pseudopos",
            "sophyd.areadetector",
            "sophyd.areadetector.*",
            "sophyd._hdf5_assets",
            "sophyd.paths",
            "sophyd.flyers",
            "sophyd.mixins",
            "sophyd.scaler",
            "sophyd.mca",
            "sophyd.quadem",
        ],
    ),
    ("data at rest", ["sophyd.catalog", "sophyd.liveview"]),
    ("simulation", ["sophyd.sim", "sophyd.sim.*"]),
    ("test fixtures", ["sophyd.testing"]),
    ("public API", ["sophyd"]),
    ("applications", ["sophyd.sim.__main__", "sophyd.__main__"]),
]
#: What sophyd may use of the IOC package: the physics leaf and the registry (both free of caproto).
IOC_PACKAGE_FOR_SOPHYD = {"sophyd_iocs.physics", "sophyd_iocs.registry"}
#: caproto's client modules: only sophyd.control may import them (and pyepics, ``epics``).
CA_CLIENTS = ("epics", "caproto.threading", "caproto.sync", "caproto.asyncio.client")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] == "iocs":
        parts[0] = "sophyd_iocs"  # the folder installs under that name (setup.py)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, including imports inside functions."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add(str(node.module))
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            if node.module is None:  # from . import x: x may be a module or a name in the package
                found.update(".".join([*base, alias.name]) for alias in node.names)
            else:
                found.add(".".join([*base, node.module]))
    return found


SOURCES = {module_name(p): p for folder in ("sophyd", "iocs") for p in sorted((ROOT / folder).rglob("*.py"))}


def known_module(name: str) -> str | None:
    """The module of ours that ``name`` (a module, or ``module.attribute``) refers to, if any."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


def layer_of(module: str) -> int:
    exact = [i for i, (_, patterns) in enumerate(LAYERS) if module in patterns]
    if exact:
        return exact[-1]
    wild = [
        i for i, (_, patterns) in enumerate(LAYERS) if any(fnmatch.fnmatchcase(module, p) for p in patterns)
    ]
    if not wild:
        pytest.fail(
            f"{module} is in no layer: add it to LAYERS in tests/test_layers.py and to docs/architecture.md"
        )
    return wild[-1]


SOPHYD_MODULES = sorted(name for name in SOURCES if name.split(".")[0] == "sophyd")
IOC_MODULES = sorted(name for name in SOURCES if name.split(".")[0] == "sophyd_iocs")


@pytest.mark.parametrize("module", SOPHYD_MODULES)
def test_sophyd_module_imports_no_layer_above_its_own(module: str) -> None:
    own = layer_of(module)
    for imported in sorted(imports_of(SOURCES[module])):
        target = known_module(imported)
        if target is None:
            if imported.split(".")[0] in {"epics", "caproto"} and not module.startswith("sophyd.control"):
                pytest.fail(f"{module} imports {imported}: only sophyd.control may use a CA client library")
            continue
        if target.startswith("sophyd_iocs"):
            assert target in IOC_PACKAGE_FOR_SOPHYD, f"{module} imports {imported} (IOC code; caproto server)"
            continue
        above = layer_of(target)
        assert above <= own, (
            f"{module} (layer {LAYERS[own][0]!r}) imports {imported} from the layer above it, {LAYERS[above][0]!r}"
        )


@pytest.mark.parametrize("module", IOC_MODULES)
def test_ioc_module_imports_no_client(module: str) -> None:
    for imported in sorted(imports_of(SOURCES[module])):
        assert imported.split(".")[0] != "sophyd", (
            f"{module} imports {imported}: IOCs never import the client library"
        )
        assert not imported.startswith(CA_CLIENTS), f"{module} imports {imported}, a CA client"
        if module in IOC_PACKAGE_FOR_SOPHYD:
            assert not imported.startswith("sophyd_iocs"), (
                f"{module} must stay free of IOC code, imports {imported}"
            )


def test_layers_are_the_documented_ones() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [
        line.split("|")[1].strip()
        for line in section.splitlines()
        if line.startswith("| ") and "---" not in line
    ]
    documented = [row for row in rows if row not in {"layer", "physics", "IOC registry", "IOCs"}]
    assert documented == [name for name, _ in reversed(LAYERS)]


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    assert layer_of("sophyd.status") < layer_of("sophyd.device")
    assert known_module("sophyd.control.get_backend") == "sophyd.control"
    assert "sophyd.device" in imports_of(SOURCES["sophyd.epics_motor"])


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
