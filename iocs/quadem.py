"""A simulated quadEM electrometer (synApps ``quadEM`` driver, NSLS_EM model) with its areaDetector plugins.

It is the hardware of ``sophyd.quadem``: ``QuadEM(prefix)`` (or ``NSLS_EM(prefix)``) drives all of it. The
driver's asyn port is ``NSLS_EM``, the port QuadEM's ``conf.port_name`` names.

PVs (after the prefix, default ``quadem:``); a setting ``X`` has a read-only readback ``X_RBV``:

- ``Acquire`` (a busy record, Stop/Acquire): a put of Acquire starts an acquisition and its put-completion
  arrives when it ends, with ``Acquire`` back to Stop. ``AcquireMode`` (Continuous/Multiple/Single, default
  Continuous) says how many blocks it averages: one (Single), ``NumAcquire`` (Multiple) or blocks until a put
  of Stop (Continuous). A put of Stop ends a running acquisition (pending puts complete); a put of Acquire
  during one joins it. ``NumAcquired`` counts the blocks of the running acquisition.
- ``IntegrationTime`` (s, default 0.001), ``ValuesPerRead`` (default 1), ``AveragingTime`` (s, default
  0.1): one block is ``NumAverage_RBV = round(AveragingTime / SampleTime_RBV)`` readings (1 to
  ``MAX_AVERAGE``), ``SampleTime_RBV = IntegrationTime * ValuesPerRead`` apart; a block takes
  ``NumAverage_RBV * SampleTime_RBV`` s, and ``NumAveraged_RBV`` is the number of readings of the last one.
- ``Range`` (``RANGES``, default the first): the full scale of the inputs. Channel n (1..4) reads the
  constant raw current ``channel_current(n, range)`` = (0.1, 0.2, 0.3, 0.4)[n - 1] x the range's full scale
  (in nA), reported as ``raw * CurrentScale<n> - CurrentOffset<n>``; so every average is deterministic.
- ``CurrentName1``..``4`` ("1".."4"), ``CurrentOffset1``..``4`` (0), ``CurrentScale1``..``4`` (1);
  ``ComputeCurrentOffset<n>``: a put adds the last mean of ``Current<n>:`` to ``CurrentOffset<n>`` (the
  quadEM's calcout record), so the next averages of that channel are 0. ``PositionOffsetX``/``Y`` (0),
  ``PositionScaleX``/``Y`` (1e6), ``ComputePosOffsetX``/``Y`` likewise for the positions.
- Stored settings: ``ReadFormat`` (Binary/ASCII), ``PingPong`` (No/Yes), ``NumChannels`` (1/2/4),
  ``Geometry`` (Diamond/Square), ``Resolution`` (16/24 bits), ``BiasState``/``BiasInterlock`` (Off/On),
  ``BiasVoltage``, ``TriggerMode`` (Internal only), ``Reset``, ``ReadData`` (back to Done at once);
  read-only: ``Model`` (NSLS_EM), ``Firmware``, ``HVSReadback``/``HVVReadback`` (the bias state and
  voltage), ``HVIReadback`` (0), ``RingOverflows`` (0).
- The statistics plugins ``Current1:``..``Current4:`` and ``SumAll:`` (``sophyd_iocs._stats``; ports
  ``NSLS_EM_STATS1``..``4`` and ``NSLS_EM_STATS7``, ``NDArrayAddress`` 0..3 and 6, as the quadEM module's
  commonPlugins.cmd loads them) and the standard-arrays plugin ``image1:`` (``sophyd_iocs._stdarrays``, port
  ``NSLS_EM_Image1``, address 11). The statistics plugins start enabled, image1: disabled, all with
  ``BlockingCallbacks`` No (arrays are processed in order before the acquisition ends either way). At the
  end of each block the driver hands the plugins whose ``NDArrayPort`` is ``NSLS_EM`` the array of their
  address (before ``Acquire`` returns to Stop): address 0..10 holds the block's readings of Current1..4,
  SumX (1+2), SumY (3+4), SumAll, DiffX (2-1), DiffY (4-3), PosX and PosY (``PositionScale * Diff / Sum -
  PositionOffset``); address 11 all of them, one row of 11 per
reading. So ``Current<n>:MeanValue_RBV`` is channel n's average and ``SumAll:MeanValue_RBV`` their sum.

Simplified: a plugin's array is 2-D, one row of ``NumAverage`` readings (the driver's is 1-D); the SumX,
SumY, DiffX, DiffY, PosX and PosY plugins, the time-series and FFT plugins are not served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
from caproto import SkipWrite
from caproto.server import PVGroup, SubGroup, pvproperty

from sophyd_iocs._acquisition import Acquisition, wait_stop
from sophyd_iocs._adcam import RBVGroup
from sophyd_iocs._ndplugin import NDPluginBase, identity
from sophyd_iocs._pv import menu, number, string, with_rbv
from sophyd_iocs._run import run_ioc
from sophyd_iocs._stats import StatsPlugin
from sophyd_iocs._stdarrays import StdArraysPlugin

__all__ = [
    "CHANNEL_FRACTIONS",
    "DEFAULT_PREFIX",
    "MAX_AVERAGE",
    "PORT",
    "RANGES",
    "READY_PV",
    "QuadEMDriver",
    "QuadEMIOC",
    "channel_current",
    "main",
]

DEFAULT_PREFIX = "quadem:"
READY_PV = "SumAll:MeanValue_RBV"

#: The driver's asyn port, which the plugins' NDArrayPort names.
PORT = "NSLS_EM"
#: The ``Range`` choices and their full scales in nA.
RANGES = ("100 nA", "1 uA", "10 uA", "100 uA")
_FULL_SCALE = (100.0, 1000.0, 10000.0, 100000.0)
#: The raw current of channels 1..4 as a fraction of the range's full scale.
CHANNEL_FRACTIONS = (0.1, 0.2, 0.3, 0.4)
#: The most readings one block averages (the image1: waveform holds 11 per reading).
MAX_AVERAGE = 10000
#: The array address of the block's full table (one row of the 11 quantities per reading).
_ALL_ADDRESS = 11

_ACQUIRE = ("Stop", "Acquire")
_MODES = ("Continuous", "Multiple", "Single")
_OFF_ON = ("Off", "On")
_MODELS = (
    "Unknown",
    "APS_EM",
    "AH401B",
    "AH401D",
    "AH501",
    "AH501BE",
    "AH501C",
    "AH501D",
    "TetrAMM",
    "NSLS_EM",
    "NSLS2_EM",
)


def channel_current(channel: int, range_index: int) -> float:
    """The raw current (nA) of input ``channel`` (1..4) in the ``Range`` choice ``range_index``."""
    return CHANNEL_FRACTIONS[channel - 1] * _FULL_SCALE[range_index]


def _seconds(name: str, value: float, doc: str) -> tuple[pvproperty, pvproperty]:
    return with_rbv(
        number, name, value, doc, units="s", precision=4, lower_ctrl_limit=1e-6, upper_ctrl_limit=1e4
    )


def _offset_putter(channel: int) -> Callable[[Any, Any, float], Any]:
    async def put(group: Any, instance: Any, value: float) -> float:
        return float(await group._compute_offset(group._field("current_offset", channel), channel - 1))

    return put


def _channel_fields() -> dict[str, pvproperty]:
    """The per-channel records, as class attributes ``current_name1``, ``current_offset1``, ..."""
    fields: dict[str, pvproperty] = {}
    for n in range(1, 5):
        fields[f"current_name{n}"] = string(f"CurrentName{n}", str(n), f"Name of channel {n}")
        fields[f"current_offset{n}"] = number(f"CurrentOffset{n}", 0.0, f"Offset of channel {n}", precision=4)
        fields[f"current_scale{n}"] = number(f"CurrentScale{n}", 1.0, f"Scale of channel {n}", precision=3)
        fields[f"compute_current_offset{n}"] = number(
            f"ComputeCurrentOffset{n}",
            0.0,
            f"Add the mean of channel {n} to its offset",
            precision=4,
            put=_offset_putter(n),
        )
    return fields


class QuadEMDriver(RBVGroup):
    """The quadEM driver's records (see the module docstring); ``plugins`` get each block's arrays."""

    model = menu("Model", _MODELS, PORT, "Model", read_only=True)
    firmware = string("Firmware", "sophyd simulation 1.0", "Firmware", read_only=True)
    acquire = menu("Acquire", _ACQUIRE, _ACQUIRE[0], "Acquire (completes when the acquisition ends)")
    acquire_mode, acquire_mode_rbv = with_rbv(menu, "AcquireMode", _MODES, _MODES[0], "Acquire mode")
    em_range, em_range_rbv = with_rbv(menu, "Range", RANGES, RANGES[0], "Range")
    integration_time, integration_time_rbv = _seconds("IntegrationTime", 0.001, "Conversion time")
    averaging_time, averaging_time_rbv = _seconds("AveragingTime", 0.1, "Averaging time")
    values_per_read, values_per_read_rbv = with_rbv(
        number, "ValuesPerRead", 1, "Values per read", lower_ctrl_limit=1, upper_ctrl_limit=100000
    )
    sample_time = number("SampleTime_RBV", 0.001, "Sampling time", read_only=True, units="s", precision=4)
    num_average = number("NumAverage_RBV", 100, "Readings per block", read_only=True)
    num_averaged = number("NumAveraged_RBV", 0, "Readings in the last block", read_only=True)
    num_acquire, num_acquire_rbv = with_rbv(
        number, "NumAcquire", 1, "Blocks in Multiple mode", lower_ctrl_limit=1, upper_ctrl_limit=2**31 - 1
    )
    num_acquired = number("NumAcquired", 0, "Blocks of this acquisition", read_only=True)
    read_format, read_format_rbv = with_rbv(menu, "ReadFormat", ("Binary", "ASCII"), "Binary", "Read format")
    ping_pong, ping_pong_rbv = with_rbv(menu, "PingPong", ("No", "Yes"), "No", "Ping-pong")
    num_channels, num_channels_rbv = with_rbv(menu, "NumChannels", ("1", "2", "4"), "4", "Input channels")
    geometry, geometry_rbv = with_rbv(menu, "Geometry", ("Diamond", "Square"), "Square", "Position geometry")
    resolution, resolution_rbv = with_rbv(menu, "Resolution", ("16 bits", "24 bits"), "24 bits", "Resolution")
    bias_state, bias_state_rbv = with_rbv(menu, "BiasState", _OFF_ON, "Off", "Bias voltage state")
    bias_interlock, bias_interlock_rbv = with_rbv(menu, "BiasInterlock", _OFF_ON, "Off", "Bias interlock")
    bias_voltage, bias_voltage_rbv = with_rbv(number, "BiasVoltage", 0.0, "Bias voltage", precision=2)
    hvs_readback = menu("HVSReadback", _OFF_ON, "Off", "Bias state readback", read_only=True)
    hvv_readback = number("HVVReadback", 0.0, "Bias voltage readback", read_only=True, precision=2)
    hvi_readback = number("HVIReadback", 0.0, "Bias current readback", read_only=True, precision=2)
    trigger_mode, trigger_mode_rbv = with_rbv(menu, "TriggerMode", ("Internal",), "Internal", "Trigger mode")
    reset = number("Reset", 1, "Reset")
    read_data = menu("ReadData", ("Done", "Read"), "Done", "Read the ring buffer")
    ring_overflows = number("RingOverflows", 0, "Ring buffer overflows", read_only=True)
    position_offset_x = number("PositionOffsetX", 0.0, "Position offset X", precision=4)
    position_offset_y = number("PositionOffsetY", 0.0, "Position offset Y", precision=4)
    position_scale_x = number("PositionScaleX", 1e6, "Position scale X", precision=3)
    position_scale_y = number("PositionScaleY", 1e6, "Position scale Y", precision=3)
    compute_pos_offset_x = number("ComputePosOffsetX", 0.0, "Add the mean X position to its offset")
    compute_pos_offset_y = number("ComputePosOffsetY", 0.0, "Add the mean Y position to its offset")
    # The class body's namespace is the dict the group's metaclass reads: the channel records join it here.
    locals().update(_channel_fields())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The plugins fed by this driver's port; each takes the array of its NDArrayAddress.
        self.plugins: list[NDPluginBase] = []
        self._acquisition = Acquisition()
        #: The last block's mean of each address (0..10), for the Compute...Offset records.
        self._means = np.zeros(_ALL_ADDRESS)

    def _field(self, name: str, channel: int) -> Any:
        return getattr(self, f"{name}{channel}")

    # ----- timing ----------------------------------------------------------------------------------

    async def _update_timing(self) -> None:
        """Recompute ``SampleTime_RBV`` and ``NumAverage_RBV`` from the settings."""
        sample = float(self.integration_time.value) * int(self.values_per_read.value)
        await self.sample_time.write(sample)
        readings = round(float(self.averaging_time.value) / sample) if sample > 0 else 1
        await self.num_average.write(min(max(readings, 1), MAX_AVERAGE))

    async def _timing_setting(self, instance: Any, value: Any) -> Any:
        await instance.write(value, verify_value=False)
        await self.mirror(instance, value)
        await self._update_timing()
        raise SkipWrite()

    @integration_time.putter  # type: ignore[no-redef]
    async def integration_time(self, instance: Any, value: float) -> None:
        await self._timing_setting(instance, value)

    @averaging_time.putter  # type: ignore[no-redef]
    async def averaging_time(self, instance: Any, value: float) -> None:
        await self._timing_setting(instance, value)

    @values_per_read.putter  # type: ignore[no-redef]
    async def values_per_read(self, instance: Any, value: int) -> None:
        await self._timing_setting(instance, value)

    # ----- acquisition ---------------------------------------------------------------------------------

    @acquire.putter  # type: ignore[no-redef]
    async def acquire(self, instance: Any, value: str) -> None:
        await self._acquisition.put(
            value,
            _ACQUIRE,
            lambda stop: self._run(instance, stop),
            lambda: instance.write(_ACQUIRE[0], verify_value=False),
        )
        raise SkipWrite()

    async def _run(self, instance: Any, stop: asyncio.Event) -> None:
        """One acquisition: Acquire, the blocks the mode asks for, back to Stop (before any put completes)."""
        try:
            await instance.write(_ACQUIRE[1], verify_value=False)
            await self.num_acquired.write(0)
            mode = self.acquire_mode.value
            total = 1 if mode == "Single" else int(self.num_acquire.value) if mode == "Multiple" else None
            count = 0
            while total is None or count < total:
                readings = int(self.num_average.value)
                if await wait_stop(stop, readings * float(self.sample_time.value)):
                    return
                await self._publish(self._block(readings))
                count += 1
                await self.num_acquired.write(count)
        finally:
            await instance.write(_ACQUIRE[0], verify_value=False)

    def _block(self, readings: int) -> np.ndarray:
        """The block's table: one row per reading of the 11 quantities (addresses 0..10)."""
        range_index = RANGES.index(self.em_range.value)
        currents = [
            channel_current(n, range_index) * float(self._field("current_scale", n).value)
            - float(self._field("current_offset", n).value)
            for n in range(1, 5)
        ]
        c1, c2, c3, c4 = currents
        sum_x, sum_y = c1 + c2, c3 + c4
        diff_x, diff_y = c2 - c1, c4 - c3
        pos_x = self._position(diff_x, sum_x, self.position_scale_x.value, self.position_offset_x.value)
        pos_y = self._position(diff_y, sum_y, self.position_scale_y.value, self.position_offset_y.value)
        row = np.array([c1, c2, c3, c4, sum_x, sum_y, sum_x + sum_y, diff_x, diff_y, pos_x, pos_y])
        return np.tile(row, (readings, 1))

    @staticmethod
    def _position(diff: float, total: float, scale: float, offset: float) -> float:
        return (float(scale) * diff / total if total else 0.0) - float(offset)

    async def _publish(self, block: np.ndarray) -> None:
        """Hand each plugin its address's array, in order, and note the block's means."""
        self._means = block.mean(axis=0)
        await self.num_averaged.write(block.shape[0])
        for plugin in self.plugins:
            address = int(plugin.nd_array_address.value)
            if address == _ALL_ADDRESS:
                await plugin.on_frame(block, PORT)
            elif 0 <= address < _ALL_ADDRESS:
                await plugin.on_frame(block[:, address].reshape(1, -1), PORT)

    # ----- other records ---------------------------------------------------------------------------

    async def _compute_offset(self, offset: Any, address: int) -> float:
        """A Compute...Offset record: the offset becomes the last mean plus the offset."""
        value = float(self._means[address]) + float(offset.value)
        await offset.write(value)
        return value

    @compute_pos_offset_x.putter  # type: ignore[no-redef]
    async def compute_pos_offset_x(self, instance: Any, value: float) -> float:
        return await self._compute_offset(self.position_offset_x, 9)

    @compute_pos_offset_y.putter  # type: ignore[no-redef]
    async def compute_pos_offset_y(self, instance: Any, value: float) -> float:
        return await self._compute_offset(self.position_offset_y, 10)

    @bias_state.putter  # type: ignore[no-redef]
    async def bias_state(self, instance: Any, value: str) -> str:
        await self.mirror(instance, value)
        await self.hvs_readback.write(value)
        await self.hvv_readback.write(self.bias_voltage.value if value == "On" else 0.0)
        return value

    @bias_voltage.putter  # type: ignore[no-redef]
    async def bias_voltage(self, instance: Any, value: float) -> float:
        await self.mirror(instance, value)
        await self.hvv_readback.write(value if self.bias_state.value == "On" else 0.0)
        return value

    @read_data.putter  # type: ignore[no-redef]
    async def read_data(self, instance: Any, value: str) -> str:
        return "Done"  # the simulated ring buffer is always read


def _plugin_class(
    base: type[NDPluginBase], port: str, type_name: str, address: int, enabled: str = "Enable"
) -> type[NDPluginBase]:
    """``base`` (of plugin type ``type_name``) taking the driver's arrays of ``address``, with the port ``port``;
    callbacks ``enabled`` (Enable/Disable) and not blocking, as the quadEM module's IOCs start them."""

    class QuadEMPlugin(base):  # type: ignore[valid-type,misc]
        port_name, plugin_type = identity(port, type_name)
        nd_array_port, nd_array_port_rbv = with_rbv(string, "NDArrayPort", PORT, "Port arrays come from")
        nd_array_address, nd_array_address_rbv = with_rbv(number, "NDArrayAddress", address, "Array address")
        enable_callbacks, enable_callbacks_rbv = with_rbv(
            menu, "EnableCallbacks", ("Disable", "Enable"), enabled, "Process arrays"
        )
        blocking_callbacks, blocking_callbacks_rbv = with_rbv(
            menu, "BlockingCallbacks", ("No", "Yes"), "No", "Process arrays in the driver's thread"
        )
        data_type = string("DataType_RBV", "Float64", "Data type of the last array", read_only=True)

    return QuadEMPlugin


class QuadEMIOC(PVGroup):
    """The driver, its statistics plugins Current1..4 and SumAll, and image1 (see the module docstring)."""

    driver = SubGroup(QuadEMDriver, prefix="")
    image = SubGroup(
        _plugin_class(StdArraysPlugin, f"{PORT}_Image1", "NDPluginStdArrays", 11, "Disable"), prefix="image1:"
    )
    current1 = SubGroup(_plugin_class(StatsPlugin, f"{PORT}_STATS1", "NDPluginStats", 0), prefix="Current1:")
    current2 = SubGroup(_plugin_class(StatsPlugin, f"{PORT}_STATS2", "NDPluginStats", 1), prefix="Current2:")
    current3 = SubGroup(_plugin_class(StatsPlugin, f"{PORT}_STATS3", "NDPluginStats", 2), prefix="Current3:")
    current4 = SubGroup(_plugin_class(StatsPlugin, f"{PORT}_STATS4", "NDPluginStats", 3), prefix="Current4:")
    sum_all = SubGroup(_plugin_class(StatsPlugin, f"{PORT}_STATS7", "NDPluginStats", 6), prefix="SumAll:")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.driver.plugins.extend(
            [self.image, self.current1, self.current2, self.current3, self.current4, self.sum_all]
        )


def main() -> None:
    """Serve the quadEM IOC with caproto's standard command-line options."""
    run_ioc(QuadEMIOC, default_prefix=DEFAULT_PREFIX, desc=__doc__ or "quadem")


if __name__ == "__main__":
    main()
