"""pytest fixtures that run the simulated IOCs; a pytest plugin registered by the ``pytest11`` entry point.

``sophyd_iocs`` starts every IOC shipped with sophyd (``sophyd_iocs.registry.IOCS``) and a project's own IOCs
once per session, each on its own loopback address with a unique prefix, and points this process's CA client
environment at them. A project adds its own IOC modules (importable module names, or paths to IOC scripts
relative to the pytest rootdir, following the conventions in ``sophyd_iocs/__init__.py``) with the ini option
``sophyd_iocs`` or the command-line option ``--sophyd-ioc``; ``sophyd_iocs.prefix("<as written>")`` is then
the prefix of each.

libca reads the CA environment once, when its context is made, so the IOC fixtures must be requested before
any test in the session creates a pyepics channel (e.g. request ``sophyd_iocs`` from an autouse session
fixture in conftest.py if some tests use CA without these fixtures). Importing this module starts nothing.
The fixtures import the launcher and the IOC package when they run: pytest loads this plugin in every project
where sophyd is installed, and a missing or shadowed ``sophyd_iocs`` must fail the tests that use the IOCs,
not the start of every pytest run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sophyd.sim.launch import IOCSet

__all__ = [
    "epics_testioc_prefix",
    "mca_prefix",
    "motors_prefix",
    "pattern_prefix",
    "quadem_prefix",
    "scaler_prefix",
    "sophyd_iocs",
    "tempctrl_prefix",
    "testioc_prefix",
    "trigger_with_pc_prefix",
    "user_iocs",
]

_INI = "sophyd_iocs"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ini option ``sophyd_iocs`` and the command-line option ``--sophyd-ioc``."""
    parser.addini(
        _INI,
        "a project's own IOCs (module names or .py paths relative to the rootdir) started by sophyd_iocs",
        type="linelist",
        default=[],
    )
    parser.addoption(
        "--sophyd-ioc",
        action="append",
        default=[],
        metavar="IOC",
        help="also start this IOC (module name or .py path) in the sophyd_iocs session fixture",
    )


def user_iocs(config: pytest.Config) -> tuple[str, ...]:
    """The project's own IOCs named by the ini option and ``--sophyd-ioc``, as written (paths made absolute
    against the rootdir only when launching)."""
    names = [*config.getini(_INI), *config.getoption("--sophyd-ioc")]
    return tuple(dict.fromkeys(names))


def _spec(config: pytest.Config, name: str) -> str:
    """A launchable spec for ``name``: a relative path is taken relative to the pytest rootdir."""
    from sophyd_iocs.registry import is_path

    if is_path(name) and not Path(name).is_absolute():
        return str(Path(config.rootpath) / name)
    return name


@pytest.fixture(scope="session")
def sophyd_iocs(request: pytest.FixtureRequest) -> Iterator[IOCSet]:
    """Every shipped simulated IOC and the project's own, started together for the session with unique
    prefixes. Fails (does not skip) when sophyd's IOC package is missing or shadowed."""
    from sophyd.sim.launch import launch_iocs, shipped_iocs

    extra = user_iocs(request.config)
    specs = {_spec(request.config, name): name for name in extra}
    with launch_iocs(*shipped_iocs(runnable=True), *specs, unique=True) as iocs:
        iocs._alias({written: spec for spec, written in specs.items()})
        yield iocs


def _prefix(request: pytest.FixtureRequest, name: str) -> str:
    from sophyd_iocs.registry import missing_requirement

    required = missing_requirement(name)
    if required is not None:
        pytest.skip(f"IOC {name} needs {required}, which is not installed")
    iocs: IOCSet = request.getfixturevalue("sophyd_iocs")
    return iocs.prefix(name)


@pytest.fixture(scope="session")
def trigger_with_pc_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's trigger_with_pc IOC, e.g. ``'sophyd1a2b3c4d:trigger_with_pc:'``."""
    return _prefix(request, "trigger_with_pc")


@pytest.fixture(scope="session")
def motors_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's motors IOC."""
    return _prefix(request, "motors")


@pytest.fixture(scope="session")
def pattern_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's pattern IOC."""
    return _prefix(request, "pattern")


@pytest.fixture(scope="session")
def testioc_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's testioc IOC."""
    return _prefix(request, "testioc")


@pytest.fixture(scope="session")
def tempctrl_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's tempctrl (temperature controller) IOC."""
    return _prefix(request, "tempctrl")


@pytest.fixture(scope="session")
def scaler_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's scaler IOC; its scaler record is ``f"{scaler_prefix}scaler1"``."""
    return _prefix(request, "scaler")


@pytest.fixture(scope="session")
def epics_testioc_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's real EPICS IOC (``sophyd_iocs.epics_testioc``; skipped without softioc)."""
    return _prefix(request, "epics_testioc")


@pytest.fixture(scope="session")
def mca_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's mca IOC (an mca record ``<prefix>mca1`` and a DXP channel ``<prefix>dxp1:``)."""
    return _prefix(request, "mca")


@pytest.fixture(scope="session")
def quadem_prefix(request: pytest.FixtureRequest) -> str:
    """The PV prefix of the session's quadEM IOC, the prefix of a ``QuadEM`` (its driver's port: NSLS_EM)."""
    return _prefix(request, "quadem")
