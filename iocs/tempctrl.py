"""A temperature controller: the temperature ramps at a set rate toward its setpoint and reports when it is there.

It is the device a PVPositioner drives: a setpoint, a readback and a done flag, plus a stop command and a "go"
button for controllers that move only when told to.

PVs (after the prefix, default ``tempctrl:``):

- ``T`` (ai, read-only, degC): the temperature; it moves toward the target by ``RATE`` degC/s, every 20 ms.
- ``SP`` (ao, degC, -200..1000): the setpoint. With ``AUTO`` on (the default) a put starts the ramp at once;
  with ``AUTO`` off the ramp waits for ``GO``. Its put completes at once.
- ``SPW`` (ao, degC): the same setpoint, but its put completes when the ramp has ended (put-completion).
- ``GO`` (bo, 0/1): a put of 1 starts the ramp toward ``SP``; its put completes when the ramp has ended.
- ``AUTO`` (bo, off/on, default on): whether a put to ``SP`` starts the ramp by itself.
- ``DONE`` (bi, read-only, 0/1): 1 when ``T`` is within ``TOL`` of the target and no ramp waits for ``GO``.
  Every put to ``SP``/``SPW`` lowers it first (so each move has a rising edge), even to the current value.
- ``RATE`` (ao, degC/s, > 0, default 10) and ``TOL`` (ao, degC, >= 0, default 0.1).
- ``STOP`` (bo): a put of 1 halts the ramp where it is: the target and ``SP`` become ``T``, ``DONE`` goes to 1,
  and pending puts of ``SPW``/``GO`` complete.
"""

from __future__ import annotations

import asyncio
from typing import Any

from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, pvproperty

from sophyd_iocs._run import run_ioc

__all__ = ["DEFAULT_PREFIX", "READY_PV", "TemperatureController", "main"]

DEFAULT_PREFIX = "tempctrl:"
READY_PV = "T"

_TICK = 0.02
_LOW, _HIGH = -200.0, 1000.0


def _temperature(name: str, doc: str, **kwargs: Any) -> pvproperty:
    return pvproperty(
        name=name,
        value=25.0,
        dtype=float,
        units="degC",
        precision=3,
        lower_ctrl_limit=_LOW,
        upper_ctrl_limit=_HIGH,
        doc=doc,
        **kwargs,
    )


class TemperatureController(PVGroup):
    """A setpoint, a ramping readback, a done flag, a stop command and an optional go button."""

    t = _temperature("T", "Temperature", read_only=True, record="ai")
    sp = _temperature("SP", "Setpoint", record="ao")
    spw = _temperature("SPW", "Setpoint, put completes at the target", record="ao")
    go = pvproperty(name="GO", value=0, dtype=ChannelType.INT, doc="Start the ramp (completes at the end)")
    auto = pvproperty(
        name="AUTO", value="on", dtype=ChannelType.ENUM, enum_strings=("off", "on"), doc="SP starts the ramp"
    )
    done = pvproperty(name="DONE", value=1, dtype=ChannelType.INT, read_only=True, doc="At the target")
    rate = pvproperty(name="RATE", value=10.0, dtype=float, units="degC/s", precision=3, doc="Ramp rate")
    tol = pvproperty(name="TOL", value=0.1, dtype=float, units="degC", precision=3, doc="Done tolerance")
    stop = pvproperty(name="STOP", value=0, dtype=ChannelType.INT, doc="Halt the ramp")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._target = 25.0
        self._armed = False  # a new setpoint waits for GO
        self._ended: asyncio.Event | None = None  # set when the current ramp ends
        self._mirroring = False  # writing SP/SPW from here: their putters only store the value

    @t.startup  # type: ignore[no-redef]
    async def t(self, instance: Any, async_lib: Any) -> None:
        """Run the ramp loop."""
        self._ended = asyncio.Event()
        self._ended.set()
        while True:
            await asyncio.sleep(_TICK)
            await self._step()

    async def _step(self) -> None:
        current = self.t.value
        if not self._armed and current != self._target:
            step = self.rate.value * _TICK
            gap = self._target - current
            new = self._target if abs(gap) <= step else current + (step if gap > 0 else -step)
            await self.t.write(new)
            current = new
        at_target = not self._armed and abs(current - self._target) <= self.tol.value
        if at_target and self.done.value != 1:
            await self.done.write(1)
        if not self._armed and current == self._target and self._ended is not None:
            self._ended.set()

    async def _new_setpoint(self, value: float) -> None:
        """Take a new setpoint: lower DONE, then ramp (or wait for GO when AUTO is off)."""
        await self.done.write(0)
        if self.auto.value == "on":
            self._target, self._armed = value, False
        else:
            self._armed = True
        self._ended = asyncio.Event()

    async def _wait_ended(self) -> None:
        ended = self._ended
        if ended is not None:
            await ended.wait()

    @rate.putter  # type: ignore[no-redef]
    async def rate(self, instance: Any, value: float) -> float:
        if not value > 0:
            raise ValueError(f"{self.prefix}RATE must be > 0, not {value}")
        return value

    @tol.putter  # type: ignore[no-redef]
    async def tol(self, instance: Any, value: float) -> float:
        if not value >= 0:
            raise ValueError(f"{self.prefix}TOL must be >= 0, not {value}")
        return value

    async def _mirror(self, value: float, *pvs: Any) -> None:
        """Write ``value`` to setpoint PVs without their putters starting a ramp (putters run on own writes)."""
        self._mirroring = True
        try:
            for pv in pvs:
                await pv.write(value, verify_value=False)
        finally:
            self._mirroring = False

    @sp.putter  # type: ignore[no-redef]
    async def sp(self, instance: Any, value: float) -> float:
        if not self._mirroring:
            await self._new_setpoint(value)
            await self._mirror(value, self.spw)
        return value

    @spw.putter  # type: ignore[no-redef]
    async def spw(self, instance: Any, value: float) -> float:
        if self._mirroring:
            return value
        await self._new_setpoint(value)
        await self._mirror(value, self.sp, self.spw)
        await self._wait_ended()
        raise SkipWrite()  # already written

    @go.putter  # type: ignore[no-redef]
    async def go(self, instance: Any, value: int) -> int:
        if value == 1:
            if self._armed:
                self._target, self._armed = self.sp.value, False
            await self._wait_ended()
        return 0

    @stop.putter  # type: ignore[no-redef]
    async def stop(self, instance: Any, value: int) -> int:
        if value == 1:
            here = self.t.value
            self._target, self._armed = here, False
            await self._mirror(here, self.sp, self.spw)
            await self.done.write(1)
            if self._ended is not None:
                self._ended.set()
        return 0


def main() -> None:
    """Serve the temperature controller IOC with caproto's standard command-line options."""
    run_ioc(TemperatureController, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "tempctrl")


if __name__ == "__main__":
    main()
