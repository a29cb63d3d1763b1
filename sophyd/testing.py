"""pytest fixtures that run the simulated IOCs; a pytest plugin registered by the ``pytest11`` entry point.

``sophyd_iocs`` starts every available IOC once per session, each on its own loopback address with a unique
prefix, and points this process's CA client environment at them. libca reads that environment once, when its
context is made, so the IOC fixtures must be requested before any test in the session creates a pyepics
channel (e.g. request ``sophyd_iocs`` from an autouse session fixture in conftest.py if some tests use CA
without these fixtures). Importing this module starts nothing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sophyd.sim.launch import IOCSet

__all__ = [
    "KNOWN_IOCS",
    "available_iocs",
    "motors_prefix",
    "pattern_prefix",
    "sophyd_iocs",
    "tempctrl_prefix",
    "testioc_prefix",
    "trigger_with_pc_prefix",
]

#: The IOCs ``sophyd_iocs`` starts when their module ``iocs.<name>`` exists.
KNOWN_IOCS = ("trigger_with_pc", "motors", "pattern", "testioc", "tempctrl")


def available_iocs() -> tuple[str, ...]:
    """The names in ``KNOWN_IOCS`` whose module ``iocs.<name>`` can be found (without importing it)."""
    found = []
    for name in KNOWN_IOCS:
        try:
            if importlib.util.find_spec(f"iocs.{name}") is not None:
                found.append(name)
        except ModuleNotFoundError:
            pass
    return tuple(found)


@pytest.fixture(scope="session")
def sophyd_iocs() -> Iterator[IOCSet]:
    """Every available simulated IOC, started together for the session with unique prefixes."""
    from sophyd.sim.launch import launch_iocs

    names = available_iocs()
    if not names:
        pytest.skip("no simulated IOC module (iocs.<name>) is importable")
    with launch_iocs(*names, unique=True) as iocs:
        yield iocs


def _prefix(request: pytest.FixtureRequest, name: str) -> str:
    if name not in available_iocs():
        pytest.skip(f"IOC module iocs.{name} is not available, so its IOC cannot be started")
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
