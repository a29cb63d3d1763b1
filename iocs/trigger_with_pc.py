"""A triggered point detector: a put to ``acquire`` completes when the exposure is over.

It is the detector of the Staging tutorial: ``enabled`` must be on for ``acquire`` to run, so ``stage_sigs``
has something to do, and ``reading`` is ``gain`` times a random draw in [0.9, 1.1], so ``gain`` matters.

PVs (after the prefix, default ``trigger_with_pc:``):

- ``gain`` (ao): multiplies the reading.
- ``exposure_time`` (ao, s, > 0): how long an acquisition lasts.
- ``reading`` (ai, read-only over CA): the last acquired value.
- ``acquire`` (bo, idle/acquiring): put ``acquiring`` (1) to acquire; with put-completion
  (``ca_put_callback``) the completion arrives when the exposure is over, ``reading`` holds the new value and
  ``acquire`` is back to idle. A put of ``acquiring`` while ``enabled`` is off fails (ECA_PUTFAIL). A put of
  ``acquiring`` during an acquisition joins it: no second acquisition starts and the put completes with the
  running one. A put of ``idle`` during an acquisition aborts it: ``reading`` keeps its old value and every
  pending put completes.
- ``enabled`` (bo, off/on, default on): whether ``acquire`` may start.
"""

from __future__ import annotations

import random
from typing import Any

from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, pvproperty

from sophyd_iocs._acquisition import Acquisition
from sophyd_iocs._run import run_ioc

__all__ = ["DEFAULT_PREFIX", "READY_PV", "AcquireRefused", "TriggerWithPC", "main"]

DEFAULT_PREFIX = "trigger_with_pc:"
READY_PV = "gain"

_ACQUIRE_STATES = ("idle", "acquiring")
_ENABLED_STATES = ("off", "on")


class AcquireRefused(RuntimeError):
    """Raised in the ``acquire`` putter when acquisition is not allowed; clients see ECA_PUTFAIL."""


class TriggerWithPC(PVGroup):
    """A point detector triggered with put-completion, gated by an ``enabled`` switch."""

    gain = pvproperty(
        value=1.0,
        dtype=float,
        record="ao",
        units="",
        precision=3,
        lower_ctrl_limit=0.0,
        upper_ctrl_limit=1.0e6,
        doc="Detector gain",
    )
    exposure_time = pvproperty(
        value=0.1,
        dtype=float,
        record="ao",
        units="s",
        precision=3,
        lower_ctrl_limit=0.001,
        upper_ctrl_limit=3600.0,
        doc="Exposure time",
    )
    reading = pvproperty(
        value=0.0,
        dtype=float,
        record="ai",
        read_only=True,
        units="counts",
        precision=4,
        doc="Last acquired value",
    )
    acquire = pvproperty(
        value="idle",
        dtype=ChannelType.ENUM,
        enum_strings=_ACQUIRE_STATES,
        record="bo",
        doc="Acquire (completes when done)",
    )
    enabled = pvproperty(
        value="on",
        dtype=ChannelType.ENUM,
        enum_strings=_ENABLED_STATES,
        record="bo",
        doc="Acquisition enabled",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._async_lib: Any = None
        self._acquisition = Acquisition(event=lambda: self._async_lib.Event())

    @acquire.startup  # type: ignore[no-redef]
    async def acquire(self, instance: Any, async_lib: Any) -> None:
        """Keep the server's async library (the putter then works under any of them) and fill the EGU fields."""
        self._async_lib = async_lib
        for prop in (self.gain, self.exposure_time, self.reading):
            await prop.fields["EGU"].write(prop.units)

    @acquire.putter  # type: ignore[no-redef]
    async def acquire(self, instance: Any, value: Any) -> str:
        """Start, join or abort an acquisition; return only when the exposure is over."""
        start = value in (1, _ACQUIRE_STATES[1])
        if not start:
            if await self._acquisition.abort():
                raise SkipWrite()  # the running acquisition has already gone back to idle
            return _ACQUIRE_STATES[0]
        if self.enabled.value != _ENABLED_STATES[1]:
            raise AcquireRefused(f"{self.prefix}acquire refused: {self.prefix}enabled is off")
        await self._acquisition.run(lambda stop: self._expose(instance, stop))
        raise SkipWrite()  # the value is already idle; the put completes now

    async def _expose(self, instance: Any, stop: Any) -> None:
        """One acquisition: ``acquiring``, the exposure, a new ``reading`` (unless aborted), back to idle."""
        try:
            await instance.write(_ACQUIRE_STATES[1], verify_value=False)
            aborted = await stop.wait(timeout=self.exposure_time.value)
            if not aborted:
                await self.reading.write(self.gain.value * random.uniform(0.9, 1.1))
        finally:
            # Back to idle before any pending put completes, so a client reading after completion sees idle.
            await instance.write(_ACQUIRE_STATES[0], verify_value=False)


def main() -> None:
    """Serve the trigger_with_pc IOC with caproto's standard command-line options."""
    run_ioc(TriggerWithPC, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "trigger_with_pc")


if __name__ == "__main__":
    main()
