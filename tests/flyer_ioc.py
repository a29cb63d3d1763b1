"""A test IOC with the PVs of classic ophyd's two EPICS flyers, outside sophyd's IOC package. Started with the
session's IOCs through the ini option ``sophyd_iocs`` in pyproject.toml; tests/test_flyers_classic.py uses it.

PVs (after the prefix, default ``flyer_ioc:``):

- The time series of an areaDetector NDStats plugin, under ``TS:`` (what AreaDetectorTimeseriesCollector
  reads): ``TSControl`` (enum ``Erase/Start``, ``Start``, ``Stop``, ``Read``), ``TSNumPoints`` (buffer length),
  ``TSCurrentPoint`` (points so far), ``TSTotal`` and ``TSTimestamp`` (waveforms of the points' values and
  times). While acquiring (after ``Erase/Start``, which clears the buffer, or ``Start``, which keeps it) one
  point arrives every ``POINT_PERIOD`` seconds until the buffer is full; point ``n`` has the value ``100 + n``.
- The NSLS-II timestamp buffer records, under ``WFC:`` (what WaveformCollector reads): ``Sw-Sel`` (0 stop,
  1 buffer, 2 reset mode), ``Rst-Sel`` (a put of 1 in reset mode clears the buffer), ``Val:TimeN-I`` (stamps
  so far) and ``Val:Time-Wfrm`` (a waveform record of the stamps; its ``NORD`` field is their number). While
  buffering, one stamp (the IOC's time) arrives every ``POINT_PERIOD`` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from caproto import ChannelType
from caproto.server import PVGroup, SubGroup, pvproperty

from sophyd_iocs import run_ioc

DEFAULT_PREFIX = "flyer_ioc:"
READY_PV = "TS:TSNumPoints"

POINT_PERIOD = 0.02
MAX_POINTS = 2048


class TimeSeries(PVGroup):
    """An NDStats plugin's time series of the total counts of each frame."""

    control = pvproperty(
        name="TSControl",
        value="Stop",
        dtype=ChannelType.ENUM,
        enum_strings=("Erase/Start", "Start", "Stop", "Read"),
        doc="Erase/Start, Start, Stop, Read",
    )
    num_points = pvproperty(
        name="TSNumPoints", value=MAX_POINTS, dtype=int, lower_ctrl_limit=1, upper_ctrl_limit=MAX_POINTS
    )
    cur_point = pvproperty(name="TSCurrentPoint", value=0, dtype=int, read_only=True)
    total = pvproperty(name="TSTotal", value=[0.0], dtype=float, max_length=MAX_POINTS, read_only=True)
    timestamp = pvproperty(
        name="TSTimestamp", value=[0.0], dtype=float, max_length=MAX_POINTS, read_only=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.values: list[float] = []
        self.times: list[float] = []

    @control.putter  # type: ignore[untyped-decorator]
    async def control(self, instance: Any, value: str) -> str:
        if value == "Erase/Start":
            self.values, self.times = [], []
            await self._publish()
        return value

    async def _publish(self) -> None:
        await self.total.write(self.values or [0.0])
        await self.timestamp.write(self.times or [0.0])
        await self.cur_point.write(len(self.values))

    async def step(self) -> None:
        """One period: a new point if acquiring and the buffer has room."""
        acquiring = self.control.value in ("Erase/Start", "Start")
        if acquiring and len(self.values) < min(self.num_points.value, MAX_POINTS):
            self.values.append(100.0 + len(self.values))
            self.times.append(time.time())
            await self._publish()


class TimestampBuffer(PVGroup):
    """The NSLS-II timestamp records: a buffer of the times of trigger pulses."""

    select = pvproperty(name="Sw-Sel", value=0, dtype=int, lower_ctrl_limit=0, upper_ctrl_limit=2)
    reset = pvproperty(name="Rst-Sel", value=0, dtype=int)
    count = pvproperty(name="Val:TimeN-I", value=0, dtype=int, read_only=True)
    stamps = pvproperty(
        name="Val:Time-Wfrm",
        value=[0.0],
        dtype=float,
        max_length=MAX_POINTS,
        record="waveform",
        read_only=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.times: list[float] = []

    @reset.putter  # type: ignore[untyped-decorator]
    async def reset(self, instance: Any, value: int) -> int:
        if value == 1 and self.select.value == 2:
            self.times = []
            await self._publish()
        return value

    async def _publish(self) -> None:
        await self.stamps.write(self.times or [0.0])
        await self.stamps.fields["NORD"].write(len(self.times))
        await self.count.write(len(self.times))

    async def step(self) -> None:
        """One period: a new stamp if buffering."""
        if self.select.value == 1 and len(self.times) < MAX_POINTS:
            self.times.append(time.time())
            await self._publish()


class FlyerIOC(PVGroup):
    """Both PV sets, stepped together by one scan."""

    ts = SubGroup(TimeSeries, prefix="TS:")
    wfc = SubGroup(TimestampBuffer, prefix="WFC:")
    tick = pvproperty(value=0, dtype=int, read_only=True, doc="Counts the periods")

    @tick.scan(period=POINT_PERIOD)  # type: ignore[untyped-decorator]
    async def tick(self, instance: Any, async_lib: Any) -> None:
        await self.ts.step()
        await self.wfc.step()


def main() -> None:
    run_ioc(
        FlyerIOC, default_prefix=DEFAULT_PREFIX, desc="The PVs of classic ophyd's EPICS flyers, for tests"
    )


if __name__ == "__main__":
    main()
