"""An areaDetector circular-buffer plugin (``NDPluginCircularBuff``) as a caproto PVGroup: soft triggers.

PVs (after the plugin prefix, e.g. ``BDET:CB1:``), besides every plugin's (``sophyd_iocs._ndplugin``;
``PortName_RBV`` is ``CB1``, ``PluginType_RBV`` ``NDPluginCircularBuff``); settings have an ``_RBV`` readback:

- ``Capture`` (Done/Capture): 1 starts filling the buffer (``CurrentQty_RBV``, ``PostTriggerQty_RBV`` and
  ``ActualTriggerCount_RBV`` restart at 0), 0 stops it and ends a trigger in progress;
- ``PreCount``: frames kept from before a trigger (``CurrentQty_RBV`` counts them, up to PreCount);
- ``PostCount``: frames a trigger passes on after it; ``FlushOnSoftTrg`` (OnNewImage/Immediately);
- ``Trigger`` (0/1): while capturing, 1 triggers the buffer; ``PostTriggerQty_RBV`` counts the frames taken
  since, and after ``PostCount`` of them (at least one with ``FlushOnSoftTrg`` = OnNewImage; none with
  Immediately and a PostCount of 0) the trigger ends: ``Trigger`` and its readback return to 0 and
  ``ActualTriggerCount_RBV`` goes up by one. A trigger while not capturing ends at once.
- ``PresetTriggerCount``: capture stops after that many triggers (0: never); ``StatusMessage``.

The camera's frames reach the buffer before its acquisition goes on, so a trigger's end follows its frames.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from caproto import SkipWrite

from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv

__all__ = ["CircularBuffPlugin"]

_CAPTURE = ("Done", "Capture")
_FLUSH = ("OnNewImage", "Immediately")


class CircularBuffPlugin(NDPluginBase):
    """A circular buffer that passes frames on when triggered (see the module docstring)."""

    port_name, plugin_type = identity("CB1", "NDPluginCircularBuff")
    capture, capture_rbv = with_rbv(menu, "Capture", _CAPTURE, "Done", "Fill the buffer")
    pre_count, pre_count_rbv = with_rbv(number, "PreCount", 100, "Frames kept from before a trigger")
    post_count, post_count_rbv = with_rbv(number, "PostCount", 1, "Frames passed on after a trigger")
    preset_trigger_count, preset_trigger_count_rbv = with_rbv(
        number, "PresetTriggerCount", 1, "Triggers before capture stops (0: never)"
    )
    flush_on_soft_trigger, flush_on_soft_trigger_rbv = with_rbv(
        menu, "FlushOnSoftTrg", _FLUSH, "OnNewImage", "When a soft trigger flushes the buffer"
    )
    trigger_, trigger_rbv = with_rbv(number, "Trigger", 0, "Soft trigger")
    current_qty = number("CurrentQty_RBV", 0, "Frames held from before a trigger", read_only=True)
    post_trigger_qty = number("PostTriggerQty_RBV", 0, "Frames taken since the trigger", read_only=True)
    actual_trigger_count = number("ActualTriggerCount_RBV", 0, "Triggers since capture began", read_only=True)
    status_message = string("StatusMessage", "Idle", "Status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._triggered = False

    @capture.putter  # type: ignore[no-redef]
    async def capture(self, instance: Any, value: str) -> str:
        if value == "Capture":
            for counter in (self.current_qty, self.post_trigger_qty, self.actual_trigger_count):
                await counter.write(0)
            await self.status_message.write("Buffering")
        else:
            await self._end_trigger(count=False)
            await self.status_message.write("Idle")
        await self.mirror(instance, value)
        return value

    @trigger_.putter  # type: ignore[no-redef]
    async def trigger_(self, instance: Any, value: int) -> None:
        if not value:
            await self._end_trigger(count=False)
            raise SkipWrite()
        await self.store(instance, 1)
        if self.capture.value != "Capture":
            await self._end_trigger(count=False)
        else:
            self._triggered = True
            await self.post_trigger_qty.write(0)
            await self.status_message.write("Flushing")
            if self._frames_wanted() == 0:
                await self._end_trigger(count=True)
        raise SkipWrite()

    def _frames_wanted(self) -> int:
        at_least = 1 if self.flush_on_soft_trigger.value == "OnNewImage" else 0
        return max(int(self.post_count.value), at_least)

    async def _end_trigger(self, count: bool) -> None:
        """End a trigger: Trigger back to 0, counted as done when ``count``; capture stops at the preset."""
        self._triggered = False
        await self.store(self.trigger_, 0)
        if not count:
            return
        done = self.actual_trigger_count.value + 1
        await self.actual_trigger_count.write(done)
        preset = int(self.preset_trigger_count.value)
        if preset > 0 and done >= preset:
            await self.store(self.capture, "Done")
            await self.status_message.write("Idle")
        else:
            await self.status_message.write("Buffering")

    async def process(self, frame: np.ndarray) -> None:
        """Count ``frame`` as held before a trigger, or as passed on after one."""
        if self.capture.value != "Capture":
            return
        if not self._triggered:
            await self.current_qty.write(min(self.current_qty.value + 1, max(int(self.pre_count.value), 0)))
            return
        taken = self.post_trigger_qty.value + 1
        await self.post_trigger_qty.write(taken)
        if taken >= self._frames_wanted():
            await self._end_trigger(count=True)
