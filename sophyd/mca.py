"""Multichannel analysers: the EPICS mca record and the XIA DXP digital pulse processors, as classic ophyd has them.

``EpicsMCA`` is an mca record (``prefix`` is the record name, e.g. ``'xmap:mca1'``) with the extra records of
the mca module's ``mca.db`` (``<record>EraseStart``, ``<record>Stop``, ...). Its spectrum is the record's
``.VAL`` array; its 32 regions of interest are the ``rois.roiN`` sub-devices (``.RnLO``/``.RnHI`` their
channel range, ``.Rn`` the counts between them). ``trigger()`` erases and starts an acquisition and is done
when the acquisition has ended (the put-completion of ``EraseStart``); ``stage()`` puts the record in PHA mode.
The ``EpicsDXP*`` classes hold the PVs of the dxp module's detector channels and systems.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ._component import Component as Cpt
from ._component import DynamicDeviceComponent as DDC
from ._epics_signal import EpicsSignal, EpicsSignalRO, EpicsSignalWithRBV
from ._signal import Signal
from .device import Device
from .kind import Kind

#: Classic ophyd's name, in this module, for the setpoint-with-``_RBV`` signal.
SignalWithRBV = EpicsSignalWithRBV

__all__ = [
    "ROI",
    "EpicsDXP",
    "EpicsDXPBaseSystem",
    "EpicsDXPLowLevel",
    "EpicsDXPLowLevelParameter",
    "EpicsDXPMapping",
    "EpicsDXPMultiElementSystem",
    "EpicsMCA",
    "EpicsMCACallback",
    "EpicsMCAReadNotify",
    "EpicsMCARecord",
    "Mercury1",
    "MercuryDXP",
    "Saturn",
    "SaturnDXP",
    "SaturnMCA",
    "SoftDXPTrigger",
    "add_rois",
]

#: The mca record has this many regions of interest, ``.R0`` to ``.R31``.
NUM_ROIS = 32


class ROI(Device):
    """One region of interest of an mca record (``prefix`` is ``'<record>.Rn'``): its channel range and counts.

    ``count`` is the sum of the spectrum from ``lo_chan`` to ``hi_chan``; ``net_count`` the same less the
    background estimated from ``bkgnd_chans`` channels at each end. Every component connects on first use.
    """

    # 'name' is not an allowed attribute, hence 'label'
    label = Cpt(EpicsSignal, "NM", lazy=True)
    count = Cpt(EpicsSignalRO, "", lazy=True)
    net_count = Cpt(EpicsSignalRO, "N", lazy=True)
    preset_count = Cpt(EpicsSignal, "P", lazy=True)
    is_preset = Cpt(EpicsSignal, "IP", lazy=True)
    bkgnd_chans = Cpt(EpicsSignal, "BG", lazy=True)
    hi_chan = Cpt(EpicsSignal, "HI", lazy=True)
    lo_chan = Cpt(EpicsSignal, "LO", lazy=True)


def add_rois(range_: Any, **kwargs: Any) -> OrderedDict[str, tuple[type, str, dict[str, Any]]]:
    """The ``DynamicDeviceComponent`` table of ROI sub-devices ``roiN`` (suffix ``.RN``) for each N in ``range_``.

    Use it to declare fewer ROIs than ``EpicsMCARecord``'s 32, e.g.
    ``rois = DDC(add_rois(range(4), kind="normal"), kind="normal")``. ``kwargs`` go to every ``ROI``.
    N outside [0, 31] raises ValueError.
    """
    defn: OrderedDict[str, tuple[type, str, dict[str, Any]]] = OrderedDict()
    for roi in range_:
        if not (0 <= roi < NUM_ROIS):
            raise ValueError(f"roi must be in the set [0,{NUM_ROIS - 1}], not {roi!r}")
        defn[f"roi{roi}"] = (ROI, f".R{roi}", kwargs)
    return defn


class EpicsMCARecord(Device):
    """The synApps mca record (``prefix`` is the record name): presets, elapsed times, spectrum and 32 ROIs.

    Reads the spectrum (``.VAL``) and the preset and elapsed real times; the preset is configuration too.
    ``stage()`` sets ``mode`` to PHA (pulse-height analysis) and restores it on ``unstage()``.
    """

    stop_signal = Cpt(EpicsSignal, ".STOP", kind="omitted")
    preset_real_time = Cpt(EpicsSignal, ".PRTM", kind=Kind.config | Kind.normal)
    preset_live_time = Cpt(EpicsSignal, ".PLTM", kind="omitted")
    elapsed_real_time = Cpt(EpicsSignalRO, ".ERTM")
    elapsed_live_time = Cpt(EpicsSignalRO, ".ELTM", kind="omitted")

    spectrum = Cpt(EpicsSignalRO, ".VAL")
    background = Cpt(EpicsSignalRO, ".BG", kind="omitted")
    mode = Cpt(EpicsSignal, ".MODE", string=True, kind="omitted")

    rois = DDC(add_rois(range(0, NUM_ROIS), kind="omitted"), kind="omitted")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_sigs["mode"] = "PHA"

    def stop(self, *, success: bool = False) -> None:
        """Stop the acquisition (put 1 to the stop signal)."""
        self.stop_signal.put(1)


class _McaDbRecords(EpicsMCARecord):
    """The records that the mca module's ``mca.db`` and ``mcaReadNotify.db`` both add to an mca record."""

    start = Cpt(EpicsSignal, "Start", kind="omitted")
    stop_signal = Cpt(EpicsSignal, "Stop", kind="omitted")
    erase = Cpt(EpicsSignal, "Erase", kind="omitted")
    erase_start = Cpt(EpicsSignal, "EraseStart", trigger_value=1, kind="omitted")

    check_acquiring = Cpt(EpicsSignal, "CheckACQG", kind="omitted")
    client_wait = Cpt(EpicsSignal, "ClientWait", kind="omitted")
    enable_wait = Cpt(EpicsSignal, "EnableWait", kind="omitted")
    force_read = Cpt(EpicsSignal, "Read", kind="omitted")
    set_client_wait = Cpt(EpicsSignal, "SetClientWait", kind="omitted")
    status = Cpt(EpicsSignal, "Status", kind="omitted")


class EpicsMCA(_McaDbRecords):
    """An mca record with the extra records of the mca module's ``mca.db``: start, stop, erase and why it stopped.

    ``trigger()`` erases and starts an acquisition (``erase_start``) and is done when the acquisition has
    ended, after the preset real or live time; ``stop()`` ends it early.
    """

    when_acq_stops = Cpt(EpicsSignal, "WhenAcqStops", kind="omitted")
    why1 = Cpt(EpicsSignal, "Why1", kind="omitted")
    why2 = Cpt(EpicsSignal, "Why2", kind="omitted")
    why3 = Cpt(EpicsSignal, "Why3", kind="omitted")
    why4 = Cpt(EpicsSignal, "Why4", kind="omitted")


class EpicsMCAReadNotify(_McaDbRecords):
    """An mca record with the extra records of the mca module's ``mcaReadNotify.db``.

    ``trigger()`` erases and starts an acquisition (``erase_start``) and is done when it has ended.
    """


class EpicsMCACallback(Device):
    """The callback-related records of an MCA driven by the dxp module (a mixin for ``EpicsMCA``)."""

    read_callback = Cpt(EpicsSignal, "ReadCallback")
    read_data_once = Cpt(EpicsSignal, "ReadDataOnce")
    read_status_once = Cpt(EpicsSignal, "ReadStatusOnce")
    collect_data = Cpt(EpicsSignal, "CollectData")


class EpicsDXP(Device):
    """The high-level parameters of one DXP detector channel (``prefix`` e.g. ``'xmap:dxp1:'``).

    Filter, baseline, preset and trace settings (most as a setpoint with its ``_RBV`` readback) and the
    channel's elapsed times; the count-rate diagnostics connect on first use.
    """

    preset_mode = Cpt(EpicsSignalWithRBV, "PresetMode", string=True)

    live_time_output = Cpt(EpicsSignalWithRBV, "LiveTimeOutput", string=True)
    elapsed_live_time = Cpt(EpicsSignal, "ElapsedLiveTime")
    elapsed_real_time = Cpt(EpicsSignal, "ElapsedRealTime")
    elapsed_trigger_live_time = Cpt(EpicsSignal, "ElapsedTriggerLiveTime")

    # Trigger filter
    trigger_peaking_time = Cpt(EpicsSignalWithRBV, "TriggerPeakingTime")
    trigger_threshold = Cpt(EpicsSignalWithRBV, "TriggerThreshold")
    trigger_gap_time = Cpt(EpicsSignalWithRBV, "TriggerGapTime")
    trigger_output = Cpt(EpicsSignalWithRBV, "TriggerOutput", string=True)
    max_width = Cpt(EpicsSignalWithRBV, "MaxWidth")

    # Energy filter
    peaking_time = Cpt(EpicsSignalWithRBV, "PeakingTime")
    energy_threshold = Cpt(EpicsSignalWithRBV, "EnergyThreshold")
    gap_time = Cpt(EpicsSignalWithRBV, "GapTime")

    # Baseline
    baseline_cut_percent = Cpt(EpicsSignalWithRBV, "BaselineCutPercent")
    baseline_cut_enable = Cpt(EpicsSignalWithRBV, "BaselineCutEnable")
    baseline_filter_length = Cpt(EpicsSignalWithRBV, "BaselineFilterLength")
    baseline_threshold = Cpt(EpicsSignalWithRBV, "BaselineThreshold")
    baseline_energy_array = Cpt(EpicsSignal, "BaselineEnergyArray")
    baseline_histogram = Cpt(EpicsSignal, "BaselineHistogram")

    # Misc
    preamp_gain = Cpt(EpicsSignalWithRBV, "PreampGain")
    detector_polarity = Cpt(EpicsSignalWithRBV, "DetectorPolarity")
    reset_delay = Cpt(EpicsSignalWithRBV, "ResetDelay")
    decay_time = Cpt(EpicsSignalWithRBV, "DecayTime")
    max_energy = Cpt(EpicsSignalWithRBV, "MaxEnergy")
    adc_percent_rule = Cpt(EpicsSignalWithRBV, "ADCPercentRule")

    # Read-only diagnostics
    triggers = Cpt(EpicsSignalRO, "Triggers", lazy=True)
    events = Cpt(EpicsSignalRO, "Events", lazy=True)
    overflows = Cpt(EpicsSignalRO, "Overflows", lazy=True)
    underflows = Cpt(EpicsSignalRO, "Underflows", lazy=True)
    input_count_rate = Cpt(EpicsSignalRO, "InputCountRate", lazy=True)
    output_count_rate = Cpt(EpicsSignalRO, "OutputCountRate", lazy=True)

    mca_bin_width = Cpt(EpicsSignalRO, "MCABinWidth_RBV")
    calibration_energy = Cpt(EpicsSignalRO, "CalibrationEnergy_RBV")
    current_pixel = Cpt(EpicsSignal, "CurrentPixel")
    dynamic_range = Cpt(EpicsSignalRO, "DynamicRange_RBV")

    # Presets
    preset_events = Cpt(EpicsSignalWithRBV, "PresetEvents")
    preset_triggers = Cpt(EpicsSignalWithRBV, "PresetTriggers")

    # Traces
    trace_data = Cpt(EpicsSignal, "TraceData")
    trace_mode = Cpt(EpicsSignalWithRBV, "TraceMode", string=True)
    trace_time_array = Cpt(EpicsSignal, "TraceTimeArray")
    trace_time = Cpt(EpicsSignalWithRBV, "TraceTime")


class EpicsDXPLowLevelParameter(Device):
    """One low-level DXP parameter: its name and its value (setpoint and ``_RBV`` readback)."""

    param_name = Cpt(EpicsSignal, "Name")
    value = Cpt(EpicsSignalWithRBV, "Val")


class EpicsDXPLowLevel(Device):
    """The low-level parameters of a DXP channel, each made on request by ``get_low_level_parameter(index)``."""

    num_low_level_params = Cpt(EpicsSignal, "NumLLParams")
    read_low_level_params = Cpt(EpicsSignal, "ReadLLParams")

    #: The PV prefix of parameter ``index``, after the device prefix: ``parameter_prefix.format(index)``.
    parameter_prefix = "LL{}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parameter_cache: dict[int, EpicsDXPLowLevelParameter] = {}

    def get_low_level_parameter(self, index: int) -> EpicsDXPLowLevelParameter:
        """The low-level parameter ``index`` (0 to 229) as a device, made once and then cached.

        Its PVs are ``<prefix>LL<index>Name`` and ``<prefix>LL<index>Val`` (classic ophyd left the ``{}`` of
        ``parameter_prefix`` unfilled, so every index got the same PVs ``<prefix>LL{}Name``).
        """
        try:
            return self._parameter_cache[index]
        except KeyError:
            pass
        prefix = f"{self.prefix}{self.parameter_prefix.format(index)}"
        param = EpicsDXPLowLevelParameter(prefix, name=f"{self.name}_param{index}")
        self._parameter_cache[index] = param
        return param


class EpicsDXPMapping(Device):
    """The mapping-mode settings of a DXP system (pixels per buffer and run, pixel advance, list mode)."""

    apply = Cpt(EpicsSignal, "Apply")
    auto_apply = Cpt(EpicsSignalWithRBV, "AutoApply")
    auto_pixels_per_buffer = Cpt(EpicsSignalWithRBV, "AutoPixelsPerBuffer")
    buffer_size = Cpt(EpicsSignalRO, "BufferSize_RBV")
    collect_mode = Cpt(EpicsSignalWithRBV, "CollectMode")
    ignore_gate = Cpt(EpicsSignalWithRBV, "IgnoreGate")
    input_logic_polarity = Cpt(EpicsSignalWithRBV, "InputLogicPolarity")
    list_mode = Cpt(EpicsSignalWithRBV, "ListMode")
    mbytes_read = Cpt(EpicsSignalRO, "MBytesRead_RBV")
    next_pixel = Cpt(EpicsSignal, "NextPixel")
    pixel_advance_mode = Cpt(EpicsSignalWithRBV, "PixelAdvanceMode")
    pixels_per_buffer = Cpt(EpicsSignalWithRBV, "PixelsPerBuffer")
    pixels_per_run = Cpt(EpicsSignalWithRBV, "PixelsPerRun")
    read_rate = Cpt(EpicsSignalRO, "ReadRate_RBV")
    sync_count = Cpt(EpicsSignalWithRBV, "SyncCount")


class EpicsDXPBaseSystem(Device):
    """The system-wide records of a DXP IOC (``prefix`` e.g. ``'xmap:'``): dwell, SCAs, polling, save file."""

    channel_advance = Cpt(EpicsSignal, "ChannelAdvance")
    client_wait = Cpt(EpicsSignal, "ClientWait")
    dwell = Cpt(EpicsSignal, "Dwell")
    max_scas = Cpt(EpicsSignal, "MaxSCAs")
    num_scas = Cpt(EpicsSignalWithRBV, "NumSCAs")
    poll_time = Cpt(EpicsSignalWithRBV, "PollTime")
    prescale = Cpt(EpicsSignal, "Prescale")
    save_system = Cpt(EpicsSignalWithRBV, "SaveSystem")
    save_system_file = Cpt(EpicsSignal, "SaveSystemFile")
    set_client_wait = Cpt(EpicsSignal, "SetClientWait")


class EpicsDXPMultiElementSystem(EpicsDXPBaseSystem):
    """The records of a multi-element DXP system: presets, start/stop/erase of all elements, status, copies.

    ``trigger()`` puts 1 to ``erase_start`` and is done when the acquisition has ended.
    """

    # Presets
    preset_events = Cpt(EpicsSignal, "PresetEvents")
    preset_live_time = Cpt(EpicsSignal, "PresetLive")
    preset_real_time = Cpt(EpicsSignal, "PresetReal")
    preset_mode = Cpt(EpicsSignal, "PresetMode", string=True)
    preset_triggers = Cpt(EpicsSignal, "PresetTriggers")

    # Acquisition
    erase_all = Cpt(EpicsSignal, "EraseAll")
    erase_start = Cpt(EpicsSignal, "EraseStart", trigger_value=1)
    start_all = Cpt(EpicsSignal, "StartAll")
    stop_all = Cpt(EpicsSignal, "StopAll")

    # Status
    set_acquire_busy = Cpt(EpicsSignal, "SetAcquireBusy")
    acquire_busy = Cpt(EpicsSignal, "AcquireBusy")
    status_all = Cpt(EpicsSignal, "StatusAll")
    status_all_once = Cpt(EpicsSignal, "StatusAllOnce")
    acquiring = Cpt(EpicsSignal, "Acquiring")

    # Reading
    read_baseline_histograms = Cpt(EpicsSignal, "ReadBaselineHistograms")
    read_all = Cpt(EpicsSignal, "ReadAll")
    read_all_once = Cpt(EpicsSignal, "ReadAllOnce")

    # 1 when the IOC's state-notation program runs; anything else means the IOC is misconfigured
    snl_connected = Cpt(EpicsSignal, "SNL_Connected")

    # Copying a setting to every element (the attribute names are classic's, typos included)
    copy_adcp_ercent_rule = Cpt(EpicsSignal, "CopyADCPercentRule")
    copy_baseline_cut_enable = Cpt(EpicsSignal, "CopyBaselineCutEnable")
    copy_baseline_cut_percent = Cpt(EpicsSignal, "CopyBaselineCutPercent")
    copy_baseline_filter_length = Cpt(EpicsSignal, "CopyBaselineFilterLength")
    copy_baseline_threshold = Cpt(EpicsSignal, "CopyBaselineThreshold")
    copy_decay_time = Cpt(EpicsSignal, "CopyDecayTime")
    copy_detector_polarity = Cpt(EpicsSignal, "CopyDetectorPolarity")
    copy_energy_threshold = Cpt(EpicsSignal, "CopyEnergyThreshold")
    copy_gap_time = Cpt(EpicsSignal, "CopyGapTime")
    copy_max_energy = Cpt(EpicsSignal, "CopyMaxEnergy")
    copy_max_width = Cpt(EpicsSignal, "CopyMaxWidth")
    copy_peaking_time = Cpt(EpicsSignal, "CopyPeakingTime")
    copy_preamp_gain = Cpt(EpicsSignal, "CopyPreampGain")
    copy_roic_hannel = Cpt(EpicsSignal, "CopyROIChannel")
    copy_roie_nergy = Cpt(EpicsSignal, "CopyROIEnergy")
    copy_roi_sca = Cpt(EpicsSignal, "CopyROI_SCA")
    copy_reset_delay = Cpt(EpicsSignal, "CopyResetDelay")
    copy_trigger_gap_time = Cpt(EpicsSignal, "CopyTriggerGapTime")
    copy_trigger_peaking_time = Cpt(EpicsSignal, "CopyTriggerPeakingTime")
    copy_trigger_threshold = Cpt(EpicsSignal, "CopyTriggerThreshold")

    # do_* process the record at once
    do_read_all = Cpt(EpicsSignal, "DoReadAll")
    do_read_baseline_histograms = Cpt(EpicsSignal, "DoReadBaselineHistograms")
    do_read_traces = Cpt(EpicsSignal, "DoReadTraces")
    do_status_all = Cpt(EpicsSignal, "DoStatusAll")

    # Times
    dead_time = Cpt(EpicsSignal, "DeadTime")
    elapsed_live = Cpt(EpicsSignal, "ElapsedLive")
    elapsed_real = Cpt(EpicsSignal, "ElapsedReal")
    idead_time = Cpt(EpicsSignal, "IDeadTime")

    # Low-level parameters
    read_low_level_params = Cpt(EpicsSignal, "ReadLLParams")

    # Traces
    read_traces = Cpt(EpicsSignal, "ReadTraces")
    trace_modes = Cpt(EpicsSignal, "TraceModes", string=True)
    trace_times = Cpt(EpicsSignal, "TraceTimes")


class SaturnMCA(EpicsMCA, EpicsMCACallback):
    """The mca record of an XIA Saturn, with the dxp module's callback records."""


class SaturnDXP(EpicsDXP, EpicsDXPLowLevel):
    """The detector channel of an XIA Saturn, with its low-level parameters."""


class Saturn(EpicsDXPBaseSystem):
    """An XIA Saturn (one channel): the system records, ``dxp`` (``dxp1:``) and ``mca`` (``mca1``)."""

    dxp = Cpt(SaturnDXP, "dxp1:")
    mca = Cpt(SaturnMCA, "mca1")


class MercuryDXP(EpicsDXP, EpicsDXPLowLevel):
    """The detector channel of an XIA Mercury, with its low-level parameters."""


class Mercury1(EpicsDXPMultiElementSystem):
    """An XIA Mercury with one channel: the system records, ``dxp`` (``dxp1:``) and ``mca`` (``mca1``)."""

    dxp = Cpt(MercuryDXP, "dxp1:")
    mca = Cpt(EpicsMCARecord, "mca1")


class SoftDXPTrigger(Device):
    """A mixin that sets a DXP system's count time and preset mode at stage, for ``count_time`` from bluesky.

    Staging stops any acquisition (``stop_signal`` = 1), sets ``mode_signal`` to ``preset_mode`` and, when
    ``count_time`` is not None, ``count_signal`` to it; unstaging restores them. The arguments name
    attributes of the device: ``count_signal`` (default ``'preset_real_time'``), ``stop_signal``
    (``'stop_all'``) and ``mode_signal`` (``'preset_mode'``); ``preset_mode`` defaults to ``'Real time'``.
    """

    count_time = Cpt(Signal, value=None, doc="bluesky count time")

    def __init__(
        self,
        *args: Any,
        count_signal: str = "preset_real_time",
        stop_signal: str = "stop_all",
        mode_signal: str = "preset_mode",
        preset_mode: str = "Real time",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._count_signal = getattr(self, count_signal)
        self.stage_sigs[getattr(self, stop_signal)] = 1
        self.stage_sigs[getattr(self, mode_signal)] = preset_mode

    def stage(self) -> list[Any]:
        """Stage with the count signal set to ``count_time`` (left alone when ``count_time`` is None)."""
        count_time = self.count_time.get()
        if count_time is None:
            self.stage_sigs.pop(self._count_signal, None)
        else:
            self.stage_sigs[self._count_signal] = count_time
        return super().stage()
