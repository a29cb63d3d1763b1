"""A user's own IOC, outside sophyd's IOC package: one counter PV. Started by path through ``launch_iocs`` and
through the ``sophyd_iocs`` fixture (the ini option ``sophyd_iocs`` in pyproject.toml), in tests/test_launch.py.
"""

from __future__ import annotations

from caproto.server import PVGroup, pvproperty

from sophyd_iocs import run_ioc

DEFAULT_PREFIX = "user_ioc:"
READY_PV = "answer"


class UserIOC(PVGroup):
    """One read-only PV whose value a test can recognise."""

    answer = pvproperty(value=42, read_only=True, doc="always 42")


def main() -> None:
    run_ioc(UserIOC, default_prefix=DEFAULT_PREFIX, desc="A user's own IOC for sophyd's launcher tests")


if __name__ == "__main__":
    main()
