"""A simulated EPICS scaler record (synApps ``std`` scaler, 32 channels), ``<prefix>scaler1`` (default ``sim:``).

The record serves the fields a scaler client uses as ``<prefix>scaler1.<FIELD>``; ``EpicsScaler`` and
``ScalerCH`` (``sophyd.scaler``) take ``<prefix>scaler1`` as their prefix.

Fields:

- ``CNT`` (enum Done/Count): a put of Count (1) starts a count, and its put-completion (``ca_put_callback``)
  arrives when the count has ended, with the final counts posted and ``CNT`` back to Done. A put of Count
  during a count joins it. A put of Done (0) during a count ends it early: the counts so far stay, and every
  pending put completes.
- ``CONT`` (enum OneShot/AutoCount): in AutoCount, whenever no count was asked for, the record counts for
  ``TP1`` s again and again (``DLY1`` s apart, display updates at ``RAT1`` Hz) with ``CNT`` staying Done; a put
  of Count interrupts it for a normal count, after which auto-counting resumes.
- ``TP`` (s, >= 0, default 1): the preset time; a put sets ``PR1 = round(TP * FREQ)`` and gate ``G1`` to Y
  (N when the preset is 0). ``TP1`` (s, > 0, default 1): the auto-count time.
- ``PR1`` .. ``PR32`` (counts, >= 0): the presets; a put sets gate ``Gn`` to Y when the preset is above 0, N
  otherwise, and a put to ``PR1`` sets ``TP = PR1 / FREQ``.
- ``G1`` .. ``G32`` (enum N/Y): a count ends when the first gated channel (``Gn`` Y, ``PRn`` > 0) reaches its
  preset; with no gated channel it runs until ``CNT`` is set to Done.
- ``S1`` .. ``S32`` (counts, read-only): ``S1`` is the clock, ``round(FREQ * elapsed)``; channel ``n`` >= 2
  counts a fixed simulated rate, ``round(channel_rate(n) * elapsed)`` (1000 counts/s times ``n - 1``), so
  every count is deterministic given its length. They update at ``RATE`` Hz (0: only at the end); the
  counts of the last count stay posted until the first update of the next.
- ``T`` (s, read-only): the elapsed counting time, ``S1 / FREQ``.
- ``NM1`` .. ``NM32`` (strings): the channel names; channels 1 to 4 start as ``clock``, ``I0``, ``I`` and
  ``diode``, the others empty.
- ``FREQ`` (Hz, > 0, default 1e7): the clock frequency; a put keeps ``TP`` and recomputes ``PR1``.
- ``DLY`` / ``DLY1`` (s, >= 0, default 0): the delay between a put of Count (an auto-count) and counting.
- ``RATE`` / ``RAT1`` (Hz, 0..60, default 10): the display update rates of a count and an auto-count.
- ``EGU`` (string, ``sec``), ``PREC`` (3), ``NCH`` (32, read-only).

Simplified: the count direction fields ``Dn``, the record's ``VAL`` and its hardware links are not served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, SubGroup, pvproperty

from sophyd_iocs._acquisition import Acquisition, wait_stop
from sophyd_iocs._pv import menu, string
from sophyd_iocs._run import run_ioc

__all__ = [
    "CHANNELS",
    "DEFAULT_NAMES",
    "DEFAULT_PREFIX",
    "READY_PV",
    "ScalerRecord",
    "Scalers",
    "channel_rate",
    "main",
]

DEFAULT_PREFIX = "sim:"
READY_PV = "scaler1.CNT"

#: The number of channels of the record (its NCH).
CHANNELS = 32
#: The initial names (``NM1``, ``NM2``, ...) of the first channels; the others start empty.
DEFAULT_NAMES = ("clock", "I0", "I", "diode")
_DEFAULT_TP = 1.0  # s
_DEFAULT_FREQ = 1e7  # Hz
_MAX_COUNTS = 4294967295.0  # the fields are unsigned 32-bit in the record
_RATE_STEP = 1000.0  # counts/s added per channel after the clock
_COUNT = ("Done", "Count")
_GATE = ("N", "Y")
_MODES = ("OneShot", "AutoCount")


def channel_rate(channel: int) -> float:
    """The simulated count rate (counts/s) of channel ``channel`` (2 .. 32; channel 1 counts ``FREQ``)."""
    return _RATE_STEP * (channel - 1)


def _double(name: str, value: float, doc: str, units: str = "", **kwargs: Any) -> pvproperty:
    return pvproperty(name=name, value=value, dtype=float, precision=3, units=units, doc=doc, **kwargs)


def _counts(name: str, doc: str, value: float = 0.0, **kwargs: Any) -> pvproperty:
    """A count or preset field: an unsigned 32-bit field of the record, which Channel Access serves as a double."""
    return pvproperty(name=name, value=value, dtype=float, precision=0, units="counts", doc=doc, **kwargs)


def _preset_putter(channel: int) -> Callable[[Any, Any, float], Any]:
    async def put(group: ScalerRecord, instance: Any, value: float) -> float:
        return await group._new_preset(channel, value)

    return put


def _channel_fields() -> dict[str, pvproperty]:
    """The ``S``, ``PR``, ``G`` and ``NM`` fields of every channel, as class attributes ``s1``, ``pr1``, ..."""
    fields: dict[str, pvproperty] = {}
    for n in range(1, CHANNELS + 1):
        fields[f"s{n}"] = _counts(f".S{n}", f"Counts of channel {n}", read_only=True)
        fields[f"pr{n}"] = _counts(
            f".PR{n}",
            f"Preset of channel {n}",
            value=_DEFAULT_TP * _DEFAULT_FREQ if n == 1 else 0.0,
            put=_preset_putter(n),
            lower_ctrl_limit=0.0,
            upper_ctrl_limit=_MAX_COUNTS,
        )
        fields[f"g{n}"] = menu(f".G{n}", _GATE, _GATE[n == 1], f"Gate (preset counts) of channel {n}")
        name = DEFAULT_NAMES[n - 1] if n <= len(DEFAULT_NAMES) else ""
        fields[f"nm{n}"] = string(f".NM{n}", name, f"Name of channel {n}")
    return fields


class ScalerRecord(PVGroup):
    """A simulated scaler record; its prefix is the record name (no trailing ':'). See the module docstring."""

    cnt = menu(".CNT", _COUNT, _COUNT[0], "Count (completes when the count ends)")
    cont = menu(".CONT", _MODES, _MODES[0], "OneShot/AutoCount")
    tp = _double(".TP", _DEFAULT_TP, "Preset time", "s", lower_ctrl_limit=0.0, upper_ctrl_limit=1e6)
    tp1 = _double(".TP1", 1.0, "Auto-count time", "s", lower_ctrl_limit=0.001, upper_ctrl_limit=1e6)
    t = _double(".T", 0.0, "Elapsed time", "s", read_only=True)
    freq = _double(
        ".FREQ", _DEFAULT_FREQ, "Clock frequency", "Hz", lower_ctrl_limit=1.0, upper_ctrl_limit=1e9
    )
    dly = _double(".DLY", 0.0, "Delay before counting", "s", lower_ctrl_limit=0.0, upper_ctrl_limit=1e6)
    dly1 = _double(
        ".DLY1", 0.0, "Delay before auto-counting", "s", lower_ctrl_limit=0.0, upper_ctrl_limit=1e6
    )
    rate = _double(".RATE", 10.0, "Display update rate", "Hz", lower_ctrl_limit=0.0, upper_ctrl_limit=60.0)
    rat1 = _double(".RAT1", 10.0, "Auto-count update rate", "Hz", lower_ctrl_limit=0.0, upper_ctrl_limit=60.0)
    egu = string(".EGU", "sec", "Engineering units")
    prec = pvproperty(name=".PREC", value=3, dtype=ChannelType.INT, doc="Display precision")
    nch = pvproperty(name=".NCH", value=CHANNELS, dtype=ChannelType.INT, read_only=True, doc="Channels")
    # The class body's namespace is the dict the group's metaclass reads: the channel fields join it here.
    locals().update(_channel_fields())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._count = Acquisition()
        self._counting = False  # a count asked for with CNT is under way (auto-counting waits)
        self._auto_allowed = asyncio.Event()  # set while auto-counting may run
        self._auto_stop: asyncio.Event | None = None  # set to end the running auto-count
        self._auto_idle = asyncio.Event()  # set when no auto-count is under way
        self._auto_idle.set()

    def _field(self, name: str, channel: int) -> Any:
        return getattr(self, f"{name}{channel}")

    # ----- counting --------------------------------------------------------------------------------

    def _preset_end(self) -> float | None:
        """How long a count lasts: until the first gated channel reaches its preset (None: until stopped)."""
        ends = []
        for n in range(1, CHANNELS + 1):
            preset = self._field("pr", n).value
            if self._field("g", n).value == _GATE[1] and preset > 0:
                rate = self.freq.value if n == 1 else channel_rate(n)
                ends.append(preset / rate)
        return min(ends) if ends else None

    async def _post_counts(self, elapsed: float) -> None:
        """Post ``T`` and every ``Sn`` for ``elapsed`` seconds of counting."""
        clock = round(self.freq.value * elapsed)
        for n in range(1, CHANNELS + 1):
            value = clock if n == 1 else round(channel_rate(n) * elapsed)
            pv = self._field("s", n)
            if pv.value != value:
                await pv.write(float(value))
        await self.t.write(clock / self.freq.value)

    async def _run_count(self, stop: asyncio.Event, end: float | None, rate: float) -> None:
        """Count from zero until ``end`` s have passed (None: forever) or ``stop`` is set, posting the counts at
        ``rate`` Hz (0: only at the end); the last counts stay posted until the first update."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        period = 1.0 / rate if rate > 0 else None
        while True:
            elapsed = loop.time() - start
            waits = [w for w in (period, None if end is None else end - elapsed) if w is not None]
            if waits:
                stopped = await wait_stop(stop, min(waits))
            else:
                await stop.wait()
                stopped = True
            elapsed = loop.time() - start
            finished = end is not None and elapsed >= end
            await self._post_counts(min(elapsed, end) if end is not None else elapsed)
            if stopped or finished:
                return

    async def _user_count(self, instance: Any, stop: asyncio.Event) -> None:
        """A count asked for with CNT: auto-counting pauses, ``DLY`` s pass, the count runs to its preset."""
        self._counting = True
        self._auto_allowed.clear()
        if self._auto_stop is not None:
            self._auto_stop.set()
        try:
            await self._auto_idle.wait()
            await instance.write(_COUNT[1], verify_value=False)
            if not await wait_stop(stop, self.dly.value):
                await self._run_count(stop, self._preset_end(), self.rate.value)
        finally:
            # CNT goes back to Done before any pending put completes, so a client reading after it sees Done.
            await instance.write(_COUNT[0], verify_value=False)
            self._counting = False
            self._allow_auto_count()

    def _allow_auto_count(self) -> None:
        if self.cont.value == _MODES[1] and not self._counting:
            self._auto_allowed.set()

    @cnt.startup  # type: ignore[no-redef]
    async def cnt(self, instance: Any, async_lib: Any) -> None:
        """Run the auto-count loop: while allowed, wait ``DLY1`` s, then count ``TP1`` s, again and again."""
        while True:
            await self._auto_allowed.wait()
            if not self._auto_allowed.is_set():
                continue  # a count asked for with CNT took over between the wake-up and now
            stop = self._auto_stop = asyncio.Event()
            self._auto_idle.clear()
            try:
                if not await wait_stop(stop, self.dly1.value):
                    await self._run_count(stop, self.tp1.value, self.rat1.value)
            finally:
                self._auto_stop = None
                self._auto_idle.set()

    @cnt.putter  # type: ignore[no-redef]
    async def cnt(self, instance: Any, value: Any) -> str:
        """Start or join a count (completes when it ends), or end the running one."""
        if value in (1, _COUNT[1]):
            await self._count.run(lambda stop: self._user_count(instance, stop))
            raise SkipWrite()  # CNT is already back to Done; the put completes now
        if await self._count.abort():
            raise SkipWrite()  # the ended count has put CNT back to Done
        return _COUNT[0]

    @cont.putter  # type: ignore[no-redef]
    async def cont(self, instance: Any, value: Any) -> Any:
        auto = value in (1, _MODES[1])
        if auto and not self._counting:
            self._auto_allowed.set()
        elif not auto:
            self._auto_allowed.clear()
            if self._auto_stop is not None:
                self._auto_stop.set()
        return _MODES[1] if auto else _MODES[0]

    # ----- presets ---------------------------------------------------------------------------------

    async def _new_preset(self, channel: int, value: float) -> float:
        """A put to ``PRn``: gate the channel when the preset is above 0; PR1 also sets TP."""
        value = float(round(value))
        await self._field("g", channel).write(_GATE[1] if value > 0 else _GATE[0])
        if channel == 1:
            await self.tp.write(value / self.freq.value, verify_value=False)
        return value

    @tp.putter  # type: ignore[no-redef]
    async def tp(self, instance: Any, value: float) -> float:
        preset = float(round(value * self.freq.value))
        await self.pr1.write(preset, verify_value=False)
        await self.g1.write(_GATE[1] if preset > 0 else _GATE[0])
        return value

    @freq.putter  # type: ignore[no-redef]
    async def freq(self, instance: Any, value: float) -> float:
        await self.pr1.write(float(round(self.tp.value * value)), verify_value=False)
        return value


class Scalers(PVGroup):
    """One scaler record, ``scaler1``."""

    scaler1 = SubGroup(ScalerRecord, prefix="scaler1", doc="Simulated scaler 1")


def main() -> None:
    """Serve the scaler IOC with caproto's standard command-line options."""
    run_ioc(Scalers, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "scaler")


if __name__ == "__main__":
    main()
