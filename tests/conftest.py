"""Fixtures shared by the test modules; the IOC fixtures come from the sophyd.testing plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import sophyd


@pytest.fixture(params=["pyepics", "caproto"])
def cl(request: pytest.FixtureRequest, testioc_prefix: str) -> Iterator[str]:
    """Select the control layer for devices made in the test; the IOCs are up before any channel exists."""
    sophyd.set_cl(request.param)
    yield request.param
    sophyd.set_cl(None)
