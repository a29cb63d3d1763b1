"""Run a grid scan with soft (in-memory) devices and print the table: sophyd without any IOC.

A soft stage of two motors drives a point detector whose three channels follow the same pattern the
simulated IOCs serve (``sophyd.sim.pattern``), so the numbers match the EPICS demo.
"""

from __future__ import annotations

import bluesky.plan_stubs as bps
import bluesky.plans as bp
from bluesky import RunEngine
from bluesky.callbacks.core import LiveTable

from sophyd import Component, Device, Signal, SignalRO
from sophyd.sim.pattern import point_value
from sophyd.status import DeviceStatus


class SoftStage(Device):
    """Two soft motors."""

    x = Component(Signal, value=0.0, kind="hinted")
    y = Component(Signal, value=0.0, kind="hinted")


class SoftPointDetector(Device):
    """Three channels computed from the stage position at every trigger."""

    acquire_time = Component(Signal, value=0.1, kind="config")
    channel1 = Component(SignalRO, value=0, kind="hinted")
    channel2 = Component(SignalRO, value=0, kind="hinted")
    channel3 = Component(SignalRO, value=0, kind="hinted")

    def __init__(self, stage: SoftStage, **kwargs):
        super().__init__(**kwargs)
        self._stage = stage

    def trigger(self) -> DeviceStatus:
        x, y, t = self._stage.x.get(), self._stage.y.get(), self.acquire_time.get()
        for i, channel in enumerate((self.channel1, self.channel2, self.channel3), start=1):
            channel._update(point_value(x, y, t, i))
        return DeviceStatus(self, done=True, success=True)


def main() -> None:
    RE = RunEngine({}, call_returns_result=True)
    stage = SoftStage(name="stage")
    pdet = SoftPointDetector(stage, name="pdet")
    RE(bps.mv(stage.x, 1.5))
    print("stage.x is now", RE(bps.rd(stage.x)).plan_result)
    table = LiveTable([stage.x, stage.y, pdet.channel1, pdet.channel2, pdet.channel3])
    RE(bp.grid_scan([pdet], stage.x, 1, 2, 3, stage.y, 2, 3, 3), table)


if __name__ == "__main__":
    main()
