"""Mock mode helpers: play the IOC's part for devices made with ``init_devices(mock=True)``.

Each helper takes a mocked signal (or its PV name) and changes what the in-memory channel behind it does; a
signal that is not in mock mode raises TypeError. A mocked PV's state lasts while a signal uses it: after the
last such signal is destroyed, a new signal on that PV name starts afresh. ``reset_mocks()`` drops every mocked
PV at once (e.g. between tests).
"""

from .control import get_backend
from .control._mock import (
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)

__all__ = [
    "mock_put_failure",
    "reset_mocks",
    "set_mock_connected",
    "set_mock_info",
    "set_mock_put_proceeds",
    "set_mock_value",
]


def reset_mocks() -> None:
    """Forget every mocked PV: each signal in mock mode is left disconnected, and new ones start afresh."""
    get_backend("mock").close()
