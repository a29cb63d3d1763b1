"""The control layer's test IOC: one PV of every kind sophyd's CA backends must handle.

PVs (after the prefix, default ``sophyd_test:``):

- ``ready`` (long, 1): answers once the server is up.
- ``dbl`` (double, 1.5 mm, precision 3): control limits [-100, 100], display [-120, 120], alarm [-90, 90],
  warning [-80, 80]; a put outside the control limits is refused (ECA_PUTFAIL).
- ``long`` (long, 7 counts): control limits [-1000, 1000].
- ``enum`` (enum Off/On/Fault, Off).
- ``str`` (DBR_STRING, ``hello``): at most 40 characters.
- ``path`` (CHAR waveform of 256, ``/tmp/sophyd/data``): a long string such as a file path.
- ``farray`` (1000 doubles, 0..999) and ``iarray`` (16 longs, 0..15).
- ``ro`` (double, 4.25): read-only over CA.
- ``sp`` / ``rbv`` (doubles): the put to ``sp`` completes at once; ``rbv`` follows ``RBV_DELAY`` s later.
- ``slow`` (double): a put completes ``SLOW_PUT_DELAY`` s after it arrives.
- ``reject`` (double): a putter refuses negative values (ECA_PUTFAIL, WRITE/MAJOR alarm).
- ``alarm`` (double): MINOR (HIGH/LOW) from |value| >= 5, MAJOR (HIHI/LOLO) from |value| >= 10.
- ``flood_rate`` (double, Hz, 0 = off) / ``flood`` (long, read-only): ``flood`` counts up ``flood_rate``
  times a second, for monitor-flood tests and benchmarks.
- ``bulk:0000`` .. ``bulk:0999`` (doubles, value = index): many channels for connection benchmarks;
  ``$SOPHYD_IOC_BULK_COUNT`` serves another number of them (up to 10000).
"""

from __future__ import annotations

from typing import Any

from caproto import ChannelDouble, ChannelType
from caproto.server import PVGroup, pvproperty

from sophyd_iocs._run import bulk_count, run_ioc

__all__ = ["BULK_COUNT", "DEFAULT_PREFIX", "RBV_DELAY", "READY_PV", "SLOW_PUT_DELAY", "TestIOC", "main"]

DEFAULT_PREFIX = "sophyd_test:"
READY_PV = "ready"

RBV_DELAY = 0.05
SLOW_PUT_DELAY = 0.5
BULK_COUNT = 1000
_FLOOD_TICK = 0.01


class TestIOC(PVGroup):
    """Every PV kind the control-layer tests read, write and monitor.

    caproto puts every pvproperty of a group in one shared alarm unless given an ``alarm_group``: a write to any
    PV would then clear another's alarm. The PVs whose alarm state tests look at have their own, as a record does.
    """

    __test__ = False  # not a pytest test class

    ready = pvproperty(value=1, dtype=int, read_only=True, doc="Server is up")
    dbl = pvproperty(
        value=1.5,
        dtype=float,
        units="mm",
        precision=3,
        lower_ctrl_limit=-100.0,
        upper_ctrl_limit=100.0,
        lower_disp_limit=-120.0,
        upper_disp_limit=120.0,
        lower_alarm_limit=-90.0,
        upper_alarm_limit=90.0,
        lower_warning_limit=-80.0,
        upper_warning_limit=80.0,
        alarm_group="dbl",
        doc="Double with limits",
    )
    long = pvproperty(
        value=7, dtype=int, units="counts", lower_ctrl_limit=-1000, upper_ctrl_limit=1000, doc="Long"
    )
    enum = pvproperty(value="Off", dtype=ChannelType.ENUM, enum_strings=("Off", "On", "Fault"), doc="Enum")
    string = pvproperty(name="str", value="hello", dtype=str, report_as_string=True, doc="DBR_STRING")
    path = pvproperty(value="/tmp/sophyd/data", dtype=str, max_length=256, doc="Char waveform")
    farray = pvproperty(value=[float(i) for i in range(1000)], dtype=float, max_length=1000, doc="Doubles")
    iarray = pvproperty(value=list(range(16)), dtype=int, max_length=16, doc="Longs")
    ro = pvproperty(value=4.25, dtype=float, read_only=True, doc="Read-only")
    sp = pvproperty(value=0.0, dtype=float, precision=3, doc="Setpoint")
    rbv = pvproperty(value=0.0, dtype=float, precision=3, read_only=True, doc="Readback, follows sp")
    slow = pvproperty(value=0.0, dtype=float, doc="Put completes after SLOW_PUT_DELAY")
    reject = pvproperty(value=0.0, dtype=float, alarm_group="reject", doc="Refuses negative values")
    alarm = pvproperty(
        value=0.0,
        dtype=float,
        lower_alarm_limit=-10.0,
        upper_alarm_limit=10.0,
        lower_warning_limit=-5.0,
        upper_warning_limit=5.0,
        alarm_group="alarm",
        doc="Alarm states from its value",
    )
    flood_rate = pvproperty(
        value=0.0, dtype=float, units="Hz", lower_ctrl_limit=0.0, upper_ctrl_limit=1e5, doc="flood rate"
    )
    flood = pvproperty(value=0, dtype=int, read_only=True, doc="Counts up flood_rate times a second")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(bulk_count(BULK_COUNT)):
            self.pvdb[f"{self.prefix}bulk:{i:04d}"] = ChannelDouble(value=float(i))
        self._async_lib: Any = None
        self._sp_changed: Any = None

    @rbv.startup  # type: ignore[no-redef]
    async def rbv(self, instance: Any, async_lib: Any) -> None:
        """Copy ``sp`` to ``rbv`` ``RBV_DELAY`` seconds after each put to ``sp``."""
        self._async_lib = async_lib
        self._sp_changed = async_lib.Event()
        while True:
            await self._sp_changed.wait()
            self._sp_changed.clear()
            await async_lib.sleep(RBV_DELAY)
            await instance.write(self.sp.value)

    @sp.putter  # type: ignore[no-redef]
    async def sp(self, instance: Any, value: float) -> float:
        """Accept at once and let the readback follow."""
        if self._sp_changed is not None:
            self._sp_changed.set()
        return value

    @slow.putter  # type: ignore[no-redef]
    async def slow(self, instance: Any, value: float) -> float:
        """Complete the put only after a delay, like a record that processes asynchronously."""
        await self._async_lib.sleep(SLOW_PUT_DELAY)
        return value

    @reject.putter  # type: ignore[no-redef]
    async def reject(self, instance: Any, value: float) -> float:
        """Refuse negative values; caproto answers ECA_PUTFAIL with this message."""
        if value < 0:
            raise ValueError(f"{instance.pvname} refuses negative value {value}")
        return value

    @flood.startup  # type: ignore[no-redef]
    async def flood(self, instance: Any, async_lib: Any) -> None:
        """Post ``flood_rate`` updates a second, in bursts every ``_FLOOD_TICK`` seconds.

        The server answers requests between any two updates of a burst, as a real IOC's CA server threads do
        while its scan thread posts: a burst never holds up a put for its whole length.
        """
        owed = 0.0
        while True:
            await async_lib.sleep(_FLOOD_TICK)
            owed += self.flood_rate.value * _FLOOD_TICK
            while owed >= 1.0:
                owed -= 1.0
                await instance.write(instance.value + 1, verify_value=False)
                await async_lib.sleep(0)
            if self.flood_rate.value <= 0:
                owed = 0.0


def main() -> None:
    """Serve the test IOC with caproto's standard command-line options."""
    run_ioc(TestIOC, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "testioc")


if __name__ == "__main__":
    main()
