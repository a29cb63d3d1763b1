"""An imitation of the synApps mca record and the records of the mca module's ``mca.db``, as a caproto PVGroup.

``McaRecord(prefix="sim:mca1")`` serves the record's fields as ``sim:mca1.<FIELD>`` and the ``mca.db`` records
as ``sim:mca1<NAME>``:

- data: ``VAL`` (the spectrum, DBR_LONG array of ``NUSE`` elements, at most ``NMAX``), ``BG`` (the flat
  background part of it), ``NUSE`` (channels in use, 1..NMAX), ``NMAX`` (2048); read-only except ``NUSE``;
- presets: ``PRTM``/``PLTM`` (real/live time, s; 0 is no preset), ``PCT`` (counts between channels ``PCTL`` and
  ``PCTH``; 0 is no preset), ``PSWP`` (sweeps, stored only), ``MODE`` (PHA/MCS/List, stored only);
- status, read-only: ``ACQG`` (Done/Acquiring), ``ERTM``/``ELTM`` (elapsed real/live time), ``ACT`` (counts
  between ``PCTL`` and ``PCTH``), ``DTIM``/``IDTIM`` (average/instantaneous dead time, %), ``STIM`` (start time);
- calibration, stored only: ``CALO``, ``CALS``, ``CALQ`` (energy = CALO + CALS*ch + CALQ*ch**2), ``EGU`` (keV);
- commands: ``ERST`` (erase and start), ``STRT`` (start), ``STOP``, ``ERAS`` (erase), ``READ``, ``PROC``;
- 32 regions of interest ``R0`` .. ``R31``: ``RnLO``/``RnHI`` (channel range; -1 is unused), ``RnBG`` (background
  channels at each end; < 1 is none), ``RnNM`` (label), ``RnIP``/``RnP`` (whether the net count is a preset,
  and its value), and read-only ``Rn`` (the sum of the spectrum from RnLO to RnHI) and ``RnN`` (Rn less the
  background: the mean of the RnBG channels at each end, times the width);
- ``mca.db``: ``EraseStart``, ``Start``, ``Stop``, ``Erase`` (closed-loop bo records: a put of 1 does what
  ERST/STRT/STOP/ERAS do, and they read 1 from then on), ``Read``, ``Status``, ``CheckACQG`` (1 while
  acquiring, else 2), ``WhenAcqStops`` (follows ACQG), ``Why1``..``Why4`` (Why4 is 1 when the last acquisition
  ended without reaching a preset), ``EnableWait``, ``SetClientWait``, ``ClientWait``.

Behaviour:

- An acquisition (ERST, STRT, EraseStart, Start) runs until a preset is reached (real time, live time, counts,
  or an ROI's net count with RnIP Yes) or STOP; with no preset it runs until STOP. The put that started it,
  and any start put while it runs (which joins it; ERST also erases), completes when it ends, with the final
  spectrum, ROIs and times posted and ACQG back to Done. A STOP put aborts it and completes once it has ended.
- The spectrum is deterministic: channel ``i`` holds ``floor(rate[i] * ELTM)``, ``rate`` being a flat
  background plus Gaussian peaks at the Fe and Cu K lines for the default calibration (0.01 keV/channel). The
  dead time is fixed at ``DEAD_TIME_PERCENT``, so ELTM = ERTM * (1 - DTIM/100). Elapsed times accumulate over
  Starts until an erase; ERTM stops at PRTM exactly. During an acquisition the data are posted every 0.05 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from caproto import ChannelType, SkipWrite
from caproto.server import PVGroup, SubGroup, pvproperty
from caproto.server.server import PVGroupMeta

from sophyd_iocs._acquisition import Acquisition, wait_stop
from sophyd_iocs._pv import menu, string

__all__ = ["DEAD_TIME_PERCENT", "NMAX", "NUM_ROIS", "McaRecord", "McaRoi", "count_rates"]

#: Channels of the record (its NMAX).
NMAX = 2048
#: Regions of interest of the record, R0 .. R31.
NUM_ROIS = 32
#: The simulated detector's dead time, in percent of the real time.
DEAD_TIME_PERCENT = 2.0
#: Counts per second in every channel, besides the peaks.
BACKGROUND_RATE = 2.0
#: The peaks: (centre channel, width sigma in channels, counts per second at the centre). With the default
#: calibration (0.01 keV per channel) they sit at Fe K-alpha, Fe K-beta, Cu K-alpha and Cu K-beta.
PEAKS = ((640.0, 8.0, 200.0), (706.0, 8.0, 30.0), (805.0, 9.0, 150.0), (890.0, 9.0, 20.0))
_TICK = 0.05  # seconds between data postings during an acquisition
_EPS = 1e-9


def count_rates(channels: int = NMAX) -> np.ndarray:
    """Counts per second of each of the first ``channels`` channels: the background plus the peaks."""
    x = np.arange(channels, dtype=float)
    rate = np.full(channels, BACKGROUND_RATE)
    for centre, sigma, height in PEAKS:
        rate += height * np.exp(-0.5 * ((x - centre) / sigma) ** 2)
    return rate


def _long(name: str, doc: str, *, value: int = 0, read_only: bool = False, **kwargs: Any) -> pvproperty:
    return pvproperty(name=name, value=value, dtype=ChannelType.LONG, read_only=read_only, doc=doc, **kwargs)


def _double(
    name: str, doc: str, *, value: float = 0.0, read_only: bool = False, units: str = ""
) -> pvproperty:
    return pvproperty(
        name=name,
        value=value,
        dtype=ChannelType.DOUBLE,
        precision=3,
        units=units,
        read_only=read_only,
        doc=doc,
    )


def _closed_loop_bo(name: str, on: str, doc: str) -> pvproperty:
    """A bo record with OMSL closed_loop and DOL 1, as mca.db's command records: it reads 1 once processed."""
    return menu(name, ("Done", on), "Done", doc)


class McaRoi(PVGroup):
    """One region of interest of the record (prefix ``.Rn``): its range, label, preset and counts."""

    count = _double("", "Counts from LO to HI", read_only=True)
    net_count = _double("N", "Counts less the background", read_only=True)
    label = string("NM", "", "ROI label")
    preset_count = _double("P", "Preset net counts")
    is_preset = menu("IP", ("No", "Yes"), "No", "Net counts are a preset")
    bkgnd_chans = _long("BG", "Background channels at each end", value=1)
    hi_chan = _long("HI", "Last channel (-1: unused)", value=-1)
    lo_chan = _long("LO", "First channel (-1: unused)", value=-1)

    @hi_chan.putter  # type: ignore[no-redef]
    async def hi_chan(self, instance: Any, value: int) -> int:
        await self._changed(hi=value)
        return value

    @lo_chan.putter  # type: ignore[no-redef]
    async def lo_chan(self, instance: Any, value: int) -> int:
        await self._changed(lo=value)
        return value

    @bkgnd_chans.putter  # type: ignore[no-redef]
    async def bkgnd_chans(self, instance: Any, value: int) -> int:
        await self._changed(bg=value)
        return value

    async def _changed(self, **new: int) -> None:
        """Recount with a new range or background width (the putter's value is not stored yet)."""
        await self.post(self.parent.spectrum.value, **new)

    def counts(self, spectrum: Any, *, lo: int, hi: int, bg: int) -> tuple[float, float]:
        """(total, net) counts of ``spectrum`` in this ROI with the given range and background width."""
        data = np.asarray(spectrum, dtype=float)
        if lo < 0 or hi < lo or lo >= len(data):
            return 0.0, 0.0
        part = data[lo : hi + 1]
        total = float(part.sum())
        if bg < 1:
            return total, total
        n = min(bg, len(part))
        background = (part[:n].mean() + part[-n:].mean()) / 2.0 * len(part)
        return total, total - float(background)

    async def post(self, spectrum: Any, **limits: int) -> None:
        """Post the counts of ``spectrum`` in this ROI (with the stored range unless ``limits`` overrides it)."""
        given = {"lo": self.lo_chan.value, "hi": self.hi_chan.value, "bg": self.bkgnd_chans.value, **limits}
        total, net = self.counts(spectrum, **given)
        await self.count.write(total)
        await self.net_count.write(net)

    def preset_reached(self) -> bool:
        """Whether this ROI's net count is a preset that has been reached."""
        preset = self.preset_count.value
        return self.is_preset.value == "Yes" and preset > 0 and self.net_count.value >= preset


class _McaRecordFields(PVGroup):
    """The mca record's fields and the mca.db records, without the ROIs (``McaRecord`` adds them)."""

    spectrum = pvproperty(
        name=".VAL", value=[0] * NMAX, dtype=ChannelType.LONG, max_length=NMAX, read_only=True, doc="Spectrum"
    )
    background = pvproperty(
        name=".BG",
        value=[0] * NMAX,
        dtype=ChannelType.LONG,
        max_length=NMAX,
        read_only=True,
        doc="Background",
    )
    nuse = _long(".NUSE", "Channels in use", value=NMAX, lower_ctrl_limit=1, upper_ctrl_limit=NMAX)
    nmax = _long(".NMAX", "Maximum channels", value=NMAX, read_only=True)
    mode = menu(".MODE", ("PHA", "MCS", "List"), "PHA", "Acquisition mode")
    preset_real = _double(".PRTM", "Preset real time", value=1.0, units="s")
    preset_live = _double(".PLTM", "Preset live time", units="s")
    preset_counts = _double(".PCT", "Preset counts")
    preset_low = _long(".PCTL", "Preset counts low channel")
    preset_high = _long(".PCTH", "Preset counts high channel", value=NMAX - 1)
    preset_sweeps = _long(".PSWP", "Preset sweeps (MCS)")
    acquiring = menu(".ACQG", ("Done", "Acquiring"), "Done", "Acquiring", read_only=True)
    elapsed_real = _double(".ERTM", "Elapsed real time", read_only=True, units="s")
    elapsed_live = _double(".ELTM", "Elapsed live time", read_only=True, units="s")
    actual_counts = _double(".ACT", "Counts from PCTL to PCTH", read_only=True)
    dead_time = _double(".DTIM", "Average dead time", read_only=True, units="%")
    idead_time = _double(".IDTIM", "Instantaneous dead time", read_only=True, units="%")
    start_time = string(".STIM", "", "Acquisition start time", read_only=True)
    cal_offset = _double(".CALO", "Calibration offset", units="keV")
    cal_slope = _double(".CALS", "Calibration slope", value=0.01, units="keV")
    cal_quad = _double(".CALQ", "Calibration quadratic", units="keV")
    egu = string(".EGU", "keV", "Calibration units")
    rtyp = string(".RTYP", "mca", "Record type", read_only=True)
    erase_start_field = _long(".ERST", "Erase and start")
    start_field = _long(".STRT", "Start")
    stop_field = _long(".STOP", "Stop")
    erase_field = _long(".ERAS", "Erase")
    read_field = _long(".READ", "Read the data")
    proc = _long(".PROC", "Process (read the status)")
    # the records of mca.db
    erase_start = _closed_loop_bo("EraseStart", "EraseStart", "Erase and start")
    start = _closed_loop_bo("Start", "Start", "Start")
    stop = _closed_loop_bo("Stop", "Stop", "Stop")
    erase = _closed_loop_bo("Erase", "Erase", "Erase")
    read = _closed_loop_bo("Read", "Read", "Read the data")
    status = _closed_loop_bo("Status", "Status", "Read the status")
    check_acquiring = _double("CheckACQG", "1 while acquiring, else 2", value=2.0, read_only=True)
    when_acq_stops = _double("WhenAcqStops", "Follows ACQG", read_only=True)
    why1 = _double("Why1", "Why did the MCA stop? (ROIs 0-3)", read_only=True)
    why2 = _double("Why2", "Why did the MCA stop? (ROIs 4-7)", read_only=True)
    why3 = _double("Why3", "Why did the MCA stop? (ROIs 8-9, times)", read_only=True)
    why4 = _double("Why4", "1 when no preset stopped the MCA", read_only=True)
    enable_wait = menu("EnableWait", ("Disable", "Enable"), "Disable", "Enable the client wait")
    set_client_wait = _long("SetClientWait", "Set ClientWait when EnableWait is on")
    client_wait = menu("ClientWait", ("Done", "Busy"), "Done", "A client is reading")

    def __init__(self, *args: Any, rois: tuple[tuple[int, int, int, str], ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initial_rois = rois  # (ROI number, low channel, high channel, label), set at startup
        self._acquisition = Acquisition()
        self._rates = count_rates()
        self._real = 0.0  # elapsed real time since the last erase (s)
        self._live = 0.0

    @property
    def rois(self) -> list[McaRoi]:
        """The 32 ROI groups, R0 first."""
        return [getattr(self, f"roi{n}") for n in range(NUM_ROIS)]

    @acquiring.startup  # type: ignore[no-redef]
    async def acquiring(self, instance: Any, async_lib: Any) -> None:
        """Set the ROIs given to the constructor."""
        for number, low, high, label in self._initial_rois:
            roi = self.rois[number]
            await roi.label.write(label)
            await roi.lo_chan.write(low)
            await roi.hi_chan.write(high)

    # ----- data ----------------------------------------------------------------------------------------
    async def _post_data(self) -> None:
        """Post the spectrum, background, ROI counts, elapsed times and ACT for the elapsed live time."""
        channels = self.nuse.value
        spectrum = np.floor(self._rates[:channels] * self._live).astype(np.int64)
        background = np.full(channels, int(BACKGROUND_RATE * self._live), dtype=np.int64)
        await self.spectrum.write(spectrum.tolist())
        await self.background.write(background.tolist())
        for roi in self.rois:
            await roi.post(spectrum)
        low, high = max(self.preset_low.value, 0), self.preset_high.value
        await self.actual_counts.write(float(spectrum[low : high + 1].sum()) if high >= low else 0.0)
        await self.elapsed_real.write(self._real)
        await self.elapsed_live.write(self._live)

    async def erase_data(self) -> None:
        """Zero the spectrum, the ROIs and the elapsed times (an acquisition that runs goes on)."""
        self._real = self._live = 0.0
        await self._post_data()

    def _time_left(self) -> float | None:
        """Real seconds until the first time preset is reached; None without a time preset."""
        left = []
        if self.preset_real.value > 0:
            left.append(self.preset_real.value - self._real)
        if self.preset_live.value > 0:
            left.append((self.preset_live.value - self._live) / (1.0 - DEAD_TIME_PERCENT / 100.0))
        return max(min(left), 0.0) if left else None

    def _advance(self, seconds: float) -> None:
        """Count for ``seconds`` of real time, stopping exactly at a time preset."""
        left = self._time_left()
        if left is not None:
            seconds = min(seconds, left)
        self._real += seconds
        self._live += seconds * (1.0 - DEAD_TIME_PERCENT / 100.0)
        if self.preset_real.value > 0 and abs(self._real - self.preset_real.value) < _EPS:
            self._real = self.preset_real.value
        if self.preset_live.value > 0 and abs(self._live - self.preset_live.value) < _EPS:
            self._live = self.preset_live.value

    def _preset_reached(self) -> bool:
        left = self._time_left()
        counts = self.preset_counts.value
        return (
            (left is not None and left <= _EPS)
            or (counts > 0 and self.actual_counts.value >= counts)
            or any(roi.preset_reached() for roi in self.rois)
        )

    # ----- acquisition ---------------------------------------------------------------------------------
    async def _acquire(self, stop: asyncio.Event) -> None:
        """One acquisition: count until a preset is reached or ``stop`` is set, posting the data as it goes."""
        loop = asyncio.get_running_loop()
        await self._set_acquiring(True)
        reached = False
        try:
            last = loop.time()
            while not reached:
                left = self._time_left()
                stopped = await wait_stop(stop, _TICK if left is None else min(_TICK, left))
                now = loop.time()
                self._advance(now - last)
                last = now
                await self._post_data()
                reached = self._preset_reached()
                if stopped:
                    break
        finally:
            await self.why4.write(0.0 if reached else 1.0)
            await self._set_acquiring(False)

    async def _set_acquiring(self, acquiring: bool) -> None:
        if acquiring:
            await self.start_time.write(time.strftime("%Y-%m-%d %H:%M:%S"))
            if self.enable_wait.value == "Enable":
                await self.client_wait.write("Busy")
        await self.dead_time.write(DEAD_TIME_PERCENT if acquiring or self._real > 0 else 0.0)
        await self.idead_time.write(DEAD_TIME_PERCENT if acquiring else 0.0)
        await self.acquiring.write("Acquiring" if acquiring else "Done")
        await self.check_acquiring.write(1.0 if acquiring else 2.0)
        await self.when_acq_stops.write(1.0 if acquiring else 0.0)

    async def run_acquisition(self, *, erase: bool) -> None:
        """Start an acquisition (erasing first if asked), or join the running one; return when it has ended."""
        if erase:
            await self.erase_data()
        await self._acquisition.run(self._acquire)

    async def stop_acquisition(self) -> None:
        """End the running acquisition, if any, and return once it has ended."""
        await self._acquisition.abort()

    # ----- command putters -----------------------------------------------------------------------------
    async def _command(
        self, instance: Any, value: Any, action: Callable[[], Awaitable[Any]], *, closed_loop: bool
    ) -> Any:
        """Run ``action()`` for a put of 1 (0 does nothing); a closed-loop bo reads 1 from then on, a record
        field goes back to 0 once the command is done."""
        if value in (0, "Done"):
            return value
        if closed_loop:
            await instance.write(instance.enum_strings[1], verify_value=False)
        await action()
        if closed_loop:
            raise SkipWrite()  # already 1
        return 0

    @erase_start_field.putter  # type: ignore[no-redef]
    async def erase_start_field(self, instance: Any, value: int) -> int:
        return await self._command(
            instance, value, lambda: self.run_acquisition(erase=True), closed_loop=False
        )

    @erase_start.putter  # type: ignore[no-redef]
    async def erase_start(self, instance: Any, value: Any) -> Any:
        return await self._command(
            instance, value, lambda: self.run_acquisition(erase=True), closed_loop=True
        )

    @start_field.putter  # type: ignore[no-redef]
    async def start_field(self, instance: Any, value: int) -> int:
        return await self._command(
            instance, value, lambda: self.run_acquisition(erase=False), closed_loop=False
        )

    @start.putter  # type: ignore[no-redef]
    async def start(self, instance: Any, value: Any) -> Any:
        return await self._command(
            instance, value, lambda: self.run_acquisition(erase=False), closed_loop=True
        )

    @stop_field.putter  # type: ignore[no-redef]
    async def stop_field(self, instance: Any, value: int) -> int:
        return await self._command(instance, value, self.stop_acquisition, closed_loop=False)

    @stop.putter  # type: ignore[no-redef]
    async def stop(self, instance: Any, value: Any) -> Any:
        return await self._command(instance, value, self.stop_acquisition, closed_loop=True)

    @erase_field.putter  # type: ignore[no-redef]
    async def erase_field(self, instance: Any, value: int) -> int:
        return await self._command(instance, value, self.erase_data, closed_loop=False)

    @erase.putter  # type: ignore[no-redef]
    async def erase(self, instance: Any, value: Any) -> Any:
        return await self._command(instance, value, self.erase_data, closed_loop=True)

    @read_field.putter  # type: ignore[no-redef]
    async def read_field(self, instance: Any, value: int) -> int:
        return await self._command(instance, value, self._post_data, closed_loop=False)

    @read.putter  # type: ignore[no-redef]
    async def read(self, instance: Any, value: Any) -> Any:
        return await self._command(instance, value, self._post_data, closed_loop=True)

    @proc.putter  # type: ignore[no-redef]
    async def proc(self, instance: Any, value: int) -> int:
        return await self._command(instance, value, self._post_data, closed_loop=False)

    @status.putter  # type: ignore[no-redef]
    async def status(self, instance: Any, value: Any) -> Any:
        return await self._command(instance, value, self._post_data, closed_loop=True)

    @set_client_wait.putter  # type: ignore[no-redef]
    async def set_client_wait(self, instance: Any, value: int) -> int:
        if self.enable_wait.value == "Enable":
            await self.client_wait.write("Busy")
        return value

    @nuse.putter  # type: ignore[no-redef]
    async def nuse(self, instance: Any, value: int) -> int:
        await instance.write(value, verify_value=False)
        await self._post_data()  # the spectrum's length follows NUSE
        raise SkipWrite()


McaRecord: type[_McaRecordFields] = PVGroupMeta(
    "McaRecord",
    (_McaRecordFields,),
    {
        "__module__": __name__,
        "__qualname__": "McaRecord",
        "__doc__": "A simulated mca record (its prefix is the record name) with the mca.db records and 32 ROIs.",
        **{
            f"roi{n}": SubGroup(McaRoi, prefix=f".R{n}", doc=f"Region of interest {n}")
            for n in range(NUM_ROIS)
        },
    },
)
