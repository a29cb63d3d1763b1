"""Three simulated motor records, ``<prefix>mtr1``, ``<prefix>mtr2`` and ``<prefix>mtr3`` (default ``sim:``).

Each is an ``sophyd_iocs._motor.MotorRecord``: the bare record name is the user setpoint (alias of ``.VAL``) and the
fields an EpicsMotor uses are served as ``<prefix>mtrN.<FIELD>`` (see ``sophyd_iocs._motor`` for the behaviour).
Defaults: VELO 1 mm/s, ACCL 0.5 s, soft limits +-100 mm, hard limit switches at +-110 mm, home at 0.
"""

from __future__ import annotations

from caproto.server import PVGroup, SubGroup

from sophyd_iocs._motor import MotorRecord
from sophyd_iocs._run import run_ioc

__all__ = ["DEFAULT_PREFIX", "READY_PV", "Motors", "main"]

DEFAULT_PREFIX = "sim:"
READY_PV = "mtr1.DMOV"


class Motors(PVGroup):
    """Three independent motor records."""

    mtr1 = SubGroup(MotorRecord, prefix="mtr1", description="Simulated motor 1")
    mtr2 = SubGroup(MotorRecord, prefix="mtr2", description="Simulated motor 2")
    mtr3 = SubGroup(MotorRecord, prefix="mtr3", description="Simulated motor 3")


def main() -> None:
    """Serve the motors IOC with caproto's standard command-line options."""
    run_ioc(Motors, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "motors")


if __name__ == "__main__":
    main()
