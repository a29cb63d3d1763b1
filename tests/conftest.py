"""Fixtures shared by the test modules; the IOC fixtures come from the sophyd.testing plugin."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from bluesky import RunEngine

import sophyd
import sophyd.testing
from sophyd import control
from sophyd.control import Backend, Channel
from sophyd.sim import IOCSet

RECONNECT_TIMEOUT = 30.0
#: The IOC fixtures of sophyd.testing: a test that requests one (directly or through another fixture) talks
#: Channel Access to a simulated IOC, so it is a system test.
IOC_FIXTURES = frozenset(
    name for name in sophyd.testing.__all__ if name == "sophyd_iocs" or name.endswith("_prefix")
) | {"notebooks"}  # the example notebooks start their own IOCs

#: The session's temporary directory, and the TMPDIR and tempfile.tempdir it replaced.
_TEMP_ROOT = pytest.StashKey[tuple[str, "str | None", "str | None"]]()
#: Whether the session failed (set when it finishes).
_FAILED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    """Give the session, and every process it starts, its own temporary directory, removed at the end: what
    the simulated devices write by default (``tempfile.mkdtemp``) goes there, not into the machine's /tmp."""
    root = tempfile.mkdtemp(prefix="sophyd-tests-")
    config.stash[_TEMP_ROOT] = (root, os.environ.get("TMPDIR"), tempfile.tempdir)
    os.environ["TMPDIR"] = tempfile.tempdir = root


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_FAILED] = exitstatus != 0


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put TMPDIR back; remove the session's temporary directory, unless a test failed (then its files, and
    the failed tests' ``tmp_path``, stay for a look, and the path is printed)."""
    root, env, default = config.stash[_TEMP_ROOT]
    if env is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = env
    tempfile.tempdir = default
    if config.stash.get(_FAILED, False):
        print(f"\nThe session failed: its temporary files are kept in {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses an IOC fixture ``system`` (``pytest -m "not system"`` runs the unit layer),
    and run the tests that stop and start the test IOC last, so no other test sees clients reconnecting."""
    for item in items:
        if IOC_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.system)
    restarting = [
        item
        for item in items
        if {"restartable_testioc", "restartable_ioc"} & set(getattr(item, "fixturenames", ()))
    ]
    items[:] = [item for item in items if item not in restarting] + restarting


@pytest.fixture(scope="session")
def notebooks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Runs an example notebook once per session (``notebooks("staging.ipynb")``) and keeps the executed copy."""
    from notebook_runner import NotebookRuns, kernel_environment

    with kernel_environment() as sockets:
        yield NotebookRuns(sockets, tmp_path_factory.mktemp("executed-notebooks"))


@pytest.fixture(params=["pyepics", "caproto"])
def cl(request: pytest.FixtureRequest, testioc_prefix: str) -> Iterator[str]:
    """Select the control layer for devices made in the test; the IOCs are up before any channel exists."""
    sophyd.set_cl(request.param)
    yield request.param
    sophyd.set_cl(None)


@pytest.fixture(params=["caproto-ioc", "epics-ioc"])
def ioc_kind(request: pytest.FixtureRequest) -> str:
    """Which test IOC a test talks to: the caproto test IOC or the real EPICS IOC (same PV suffixes).

    Tests marked ``caproto_ioc_only`` are skipped for the real IOC."""
    if request.param == "epics-ioc" and request.node.get_closest_marker("caproto_ioc_only"):
        pytest.skip("needs a PV or behaviour only the caproto test IOC has")
    return str(request.param)


@pytest.fixture
def ioc_pv(request: pytest.FixtureRequest, ioc_kind: str, cl: str) -> Callable[[str], str]:
    """``suffix -> PV name`` on the IOC ``ioc_kind`` names, with the control layer ``cl`` selected."""
    fixture = "testioc_prefix" if ioc_kind == "caproto-ioc" else "epics_testioc_prefix"
    prefix: str = request.getfixturevalue(fixture)
    return lambda suffix: prefix + suffix


@pytest.fixture(params=["pyepics", "caproto"])
def fresh_cl(request: pytest.FixtureRequest, testioc_prefix: str) -> Iterator[Backend]:
    """A new backend instance, selected for the test: its channels are new, so no earlier test has read their
    metadata. Yields the backend; it is closed (its channels destroyed) afterwards."""
    with control.new_backend(request.param) as backend:
        sophyd.set_cl(request.param)
        try:
            yield backend
        finally:
            sophyd.set_cl(None)


def _connected_channels(prefix: str) -> list[Channel]:
    """Every channel of an IOC that this process has connected, in every backend made so far."""
    return [
        channel
        for backend in control.backends()
        for channel in backend.channels()
        if channel.pvname.startswith(prefix) and channel.connected
    ]


def _restartable(iocs: IOCSet, name: str) -> Iterator[IOCSet]:
    """Yield ``iocs`` for a test that stops and starts IOC ``name``; afterwards it runs again and every
    channel earlier tests had connected to it has reconnected."""
    prefix = iocs.prefix(name)
    before = _connected_channels(prefix)
    yield iocs
    if iocs.pid(name) is None:
        iocs.start(name)
    deadline = time.monotonic() + RECONNECT_TIMEOUT
    missing = [
        ch.pvname for ch in before if not ch.wait_for_connection(max(0.0, deadline - time.monotonic()))
    ]
    assert not missing, f"channels did not reconnect after the restart: {missing}"


@pytest.fixture
def restartable_testioc(sophyd_iocs: IOCSet, testioc_prefix: str) -> Iterator[IOCSet]:
    """The session's IOCs, for a test that stops and starts the test IOC (see ``_restartable``)."""
    yield from _restartable(sophyd_iocs, "testioc")


@pytest.fixture
def restartable_ioc(request: pytest.FixtureRequest, sophyd_iocs: IOCSet) -> Iterator[tuple[IOCSet, str]]:
    """``(iocs, name)`` for a test that stops and starts IOC ``name`` (indirect parameter: the IOC name)."""
    name = request.param
    request.getfixturevalue(f"{name}_prefix")  # skips when that IOC cannot run here
    for iocs in _restartable(sophyd_iocs, name):
        yield iocs, name


@pytest.fixture
def RE() -> Iterator[RunEngine]:
    """A fresh RunEngine, halted afterwards if a test left it paused or running (test modules that need
    documents collected define their own)."""
    engine = RunEngine({})
    yield engine
    if engine.state != "idle":
        engine.halt()
