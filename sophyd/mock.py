"""Mock mode helpers: play the IOC's part for devices made with ``init_devices(mock=True)``.

Each helper takes a mocked signal (or its PV name) and changes what the in-memory channel behind it does.
"""

from .control._mock import (
    mock_put_failure,
    set_mock_connected,
    set_mock_info,
    set_mock_put_proceeds,
    set_mock_value,
)

__all__ = [
    "mock_put_failure",
    "set_mock_connected",
    "set_mock_info",
    "set_mock_put_proceeds",
    "set_mock_value",
]
