"""The PVs of the dxp module's detector channel and system records, as caproto PVGroups that store values.

``DxpChannel`` (prefix e.g. ``dxp1:``) serves the high-level parameters of one channel and its low-level
parameters ``LL0`` .. ``LL3``; ``DxpSystem`` (the IOC prefix) the system records every DXP system has, and
``DxpMultiElement`` (the same prefix) those a multi-element system (a Mercury, an xMAP) adds. A setting ``X``
with a readback is served as ``X`` and a read-only ``X_RBV``: a put to ``X`` is stored and posted to ``X_RBV``.

Only ``DxpMultiElement``'s acquisition records act: it drives the mca record of its parent group (``mca1``).
``EraseStart``/``StartAll`` copy the preset of ``PresetMode`` to the record (Real time: ``PresetReal`` to
``.PRTM``; Live time: ``PresetLive`` to ``.PLTM``; any other mode: no preset), start an acquisition and
complete when it ends; ``StopAll`` = 1 ends it, ``EraseAll`` = 1 erases. ``Acquiring`` is 1 meanwhile;
``ElapsedReal``, ``ElapsedLive``, ``DeadTime`` and ``IDeadTime`` are copied from the record when it ends.
Everything else holds what was written: the count-rate diagnostics and the channel's elapsed times are fixed.
"""

from __future__ import annotations

from typing import Any

from caproto import ChannelType
from caproto.server import PVGroup, pvproperty
from caproto.server.server import PVGroupMeta

from sophyd_iocs._pv import menu, string

__all__ = ["NUM_LOW_LEVEL", "DxpChannel", "DxpMultiElement", "DxpSystem"]

#: Low-level parameters served per channel, ``LL0`` .. ``LL3`` (a real DXP has up to 230).
NUM_LOW_LEVEL = 4
_ARRAY = 256  # elements of the trace and baseline arrays

_PRESET_MODES = ("No preset", "Real time", "Live time", "Events", "Triggers")


def _number(name: str, value: float | int, *, read_only: bool = False) -> pvproperty:
    dtype = ChannelType.LONG if isinstance(value, int) else ChannelType.DOUBLE
    return pvproperty(name=name, value=value, dtype=dtype, read_only=read_only, doc=name)


def _array(name: str, dtype: ChannelType) -> pvproperty:
    return pvproperty(name=name, value=[0] * _ARRAY, dtype=dtype, max_length=_ARRAY, read_only=True, doc=name)


def _with_rbv(attr: str, name: str, value: Any) -> dict[str, pvproperty]:
    """A setting ``name`` (a number, or a menu when ``value`` is a tuple of states) and its ``name_RBV``."""

    def make(pv: str, read_only: bool) -> pvproperty:
        if isinstance(value, tuple):
            return menu(pv, value, value[0], pv, read_only=read_only)
        return _number(pv, value, read_only=read_only)

    setting = make(name, False)
    readback = make(f"{name}_RBV", True)

    @setting.putter  # type: ignore[no-redef]
    async def setting(group: PVGroup, instance: Any, new: Any) -> Any:
        await getattr(group, f"{attr}_rbv").write(new)
        return new

    return {attr: setting, f"{attr}_rbv": readback}


def _group(name: str, doc: str, namespace: dict[str, Any], base: type[PVGroup] = PVGroup) -> type[PVGroup]:
    """A PVGroup class made from a table of pvproperties (PVGroupMeta collects them from the namespace)."""
    result: type[PVGroup] = PVGroupMeta(
        name, (base,), {"__module__": __name__, "__qualname__": name, "__doc__": doc, **namespace}
    )
    return result


_CHANNEL_SETTINGS: dict[str, tuple[str, Any]] = {
    "preset_mode": ("PresetMode", _PRESET_MODES),
    "live_time_output": ("LiveTimeOutput", ("outputCounts", "inputCounts")),
    "trigger_peaking_time": ("TriggerPeakingTime", 0.1),
    "trigger_threshold": ("TriggerThreshold", 1.0),
    "trigger_gap_time": ("TriggerGapTime", 0.0),
    "trigger_output": ("TriggerOutput", ("Disabled", "Enabled")),
    "max_width": ("MaxWidth", 1.0),
    "peaking_time": ("PeakingTime", 2.0),
    "energy_threshold": ("EnergyThreshold", 0.5),
    "gap_time": ("GapTime", 0.15),
    "baseline_cut_percent": ("BaselineCutPercent", 5.0),
    "baseline_cut_enable": ("BaselineCutEnable", ("Disable", "Enable")),
    "baseline_filter_length": ("BaselineFilterLength", 128),
    "baseline_threshold": ("BaselineThreshold", 1.0),
    "preamp_gain": ("PreampGain", 5.0),
    "detector_polarity": ("DetectorPolarity", ("Neg", "Pos")),
    "reset_delay": ("ResetDelay", 10.0),
    "decay_time": ("DecayTime", 50.0),
    "max_energy": ("MaxEnergy", 20.48),
    "adc_percent_rule": ("ADCPercentRule", 5.0),
    "preset_events": ("PresetEvents", 0),
    "preset_triggers": ("PresetTriggers", 0),
    "trace_mode": ("TraceMode", ("ADC", "ADC average", "Fast filter", "Slow filter")),
    "trace_time": ("TraceTime", 0.1),
}
_CHANNEL_VALUES: dict[str, tuple[str, Any, bool]] = {  # attr: (suffix, value, read-only)
    "elapsed_live_time": ("ElapsedLiveTime", 0.0, False),
    "elapsed_real_time": ("ElapsedRealTime", 0.0, False),
    "elapsed_trigger_live_time": ("ElapsedTriggerLiveTime", 0.0, False),
    "triggers": ("Triggers", 0, True),
    "events": ("Events", 0, True),
    "overflows": ("Overflows", 0, True),
    "underflows": ("Underflows", 0, True),
    "input_count_rate": ("InputCountRate", 0.0, True),
    "output_count_rate": ("OutputCountRate", 0.0, True),
    "mca_bin_width": ("MCABinWidth_RBV", 0.01, True),
    "calibration_energy": ("CalibrationEnergy_RBV", 20.48, True),
    "dynamic_range": ("DynamicRange_RBV", 47.0, True),
    "current_pixel": ("CurrentPixel", 0, False),
    "num_low_level_params": ("NumLLParams", NUM_LOW_LEVEL, False),
    "read_low_level_params": ("ReadLLParams", 0, False),
}


def _channel_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    for attr, (suffix, value) in _CHANNEL_SETTINGS.items():
        namespace.update(_with_rbv(attr, suffix, value))
    for attr, (suffix, value, read_only) in _CHANNEL_VALUES.items():
        namespace[attr] = _number(suffix, value, read_only=read_only)
    namespace["baseline_energy_array"] = _array("BaselineEnergyArray", ChannelType.DOUBLE)
    namespace["baseline_histogram"] = _array("BaselineHistogram", ChannelType.LONG)
    namespace["trace_data"] = _array("TraceData", ChannelType.LONG)
    namespace["trace_time_array"] = _array("TraceTimeArray", ChannelType.DOUBLE)
    for n in range(NUM_LOW_LEVEL):
        namespace[f"ll{n}_name"] = string(f"LL{n}Name", f"PARAM{n}", f"Low-level parameter {n} name")
        namespace.update(_with_rbv(f"ll{n}_val", f"LL{n}Val", 0))
    return namespace


DxpChannel = _group(
    "DxpChannel", "The high-level and low-level parameters of one DXP channel.", _channel_namespace()
)


def _system_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {
        "channel_advance": menu("ChannelAdvance", ("Internal", "External"), "Internal", "Channel advance"),
        "client_wait": _number("ClientWait", 0),
        "dwell": _number("Dwell", 0.1),
        "max_scas": _number("MaxSCAs", 16),
        "prescale": _number("Prescale", 1),
        "save_system_file": string("SaveSystemFile", "", "System file to save"),
        "set_client_wait": _number("SetClientWait", 0),
    }
    for attr, suffix, value in (
        ("num_scas", "NumSCAs", 0),
        ("poll_time", "PollTime", 0.01),
        ("save_system", "SaveSystem", 0),
    ):
        namespace.update(_with_rbv(attr, suffix, value))
    return namespace


DxpSystem = _group(
    "DxpSystem", "The system records of a one-channel DXP system (a Saturn).", _system_namespace()
)


class _MultiElementAcquisition(PVGroup):
    """The acquisition records of a multi-element system, acting on the parent group's mca record ``mca1``."""

    preset_mode = menu("PresetMode", _PRESET_MODES, "No preset", "Preset mode")
    preset_real = _number("PresetReal", 0.0)
    preset_live = _number("PresetLive", 0.0)
    erase_start = _number("EraseStart", 0)
    start_all = _number("StartAll", 0)
    stop_all = _number("StopAll", 0)
    erase_all = _number("EraseAll", 0)
    acquiring = _number("Acquiring", 0, read_only=True)
    elapsed_real = _number("ElapsedReal", 0.0, read_only=True)
    elapsed_live = _number("ElapsedLive", 0.0, read_only=True)
    dead_time = _number("DeadTime", 0.0, read_only=True)
    idead_time = _number("IDeadTime", 0.0, read_only=True)
    snl_connected = _number("SNL_Connected", 1, read_only=True)

    @property
    def _mca(self) -> Any:
        return self.parent.mca1

    async def _acquire(self, *, erase: bool) -> None:
        """Apply the preset to the mca record, acquire until it ends, and copy its times back."""
        mca = self._mca
        mode = self.preset_mode.value
        await mca.preset_real.write(self.preset_real.value if mode == "Real time" else 0.0)
        await mca.preset_live.write(self.preset_live.value if mode == "Live time" else 0.0)
        await self.acquiring.write(1)
        try:
            await mca.run_acquisition(erase=erase)
        finally:
            for mine, theirs in (
                (self.elapsed_real, mca.elapsed_real),
                (self.elapsed_live, mca.elapsed_live),
                (self.dead_time, mca.dead_time),
                (self.idead_time, mca.idead_time),
            ):
                await mine.write(theirs.value)
            await self.acquiring.write(0)

    @erase_start.putter  # type: ignore[no-redef]
    async def erase_start(self, instance: Any, value: int) -> int:
        if value:
            await self._acquire(erase=True)
        return 0

    @start_all.putter  # type: ignore[no-redef]
    async def start_all(self, instance: Any, value: int) -> int:
        if value:
            await self._acquire(erase=False)
        return 0

    @stop_all.putter  # type: ignore[no-redef]
    async def stop_all(self, instance: Any, value: int) -> int:
        if value:
            await self._mca.stop_acquisition()
        return value  # keeps what was written, so staging StopAll = 1 reads back 1

    @erase_all.putter  # type: ignore[no-redef]
    async def erase_all(self, instance: Any, value: int) -> int:
        if value:
            await self._mca.erase_data()
        return 0


_MULTI_ELEMENT_STORED = (
    *("PresetEvents", "PresetTriggers", "SetAcquireBusy", "AcquireBusy", "StatusAll", "StatusAllOnce"),
    *("ReadBaselineHistograms", "ReadAll", "ReadAllOnce", "ReadLLParams", "ReadTraces"),
    *("DoReadAll", "DoReadBaselineHistograms", "DoReadTraces", "DoStatusAll"),
    *(
        f"Copy{name}"
        for name in (
            "ADCPercentRule",
            "BaselineCutEnable",
            "BaselineCutPercent",
            "BaselineFilterLength",
            "BaselineThreshold",
            "DecayTime",
            "DetectorPolarity",
            "EnergyThreshold",
            "GapTime",
            "MaxEnergy",
            "MaxWidth",
            "PeakingTime",
            "PreampGain",
            "ROIChannel",
            "ROIEnergy",
            "ROI_SCA",
            "ResetDelay",
            "TriggerGapTime",
            "TriggerPeakingTime",
            "TriggerThreshold",
        )
    ),
)


def _multi_element_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {name.lower(): _number(name, 0) for name in _MULTI_ELEMENT_STORED}
    namespace["trace_modes"] = menu(
        "TraceModes", ("ADC", "ADC average", "Fast filter", "Slow filter"), "ADC", ""
    )
    namespace["trace_times"] = _number("TraceTimes", 0.1)
    return namespace


DxpMultiElement = _group(
    "DxpMultiElement",
    "The records a multi-element DXP system (a Mercury) adds to the system records.",
    _multi_element_namespace(),
    base=_MultiElementAcquisition,
)
