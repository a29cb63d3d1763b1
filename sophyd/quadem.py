"""Classic ophyd's quadEM electrometers (``ophyd.quadem``): QuadEM and the models NSLS_EM, TetrAMM and APS_EM.

A quadEM IOC (the synApps ``quadEM`` module) reads four currents; its driver serves the settings at
``<prefix>`` (``IntegrationTime``, ``AveragingTime``, ``AcquireMode``, ``Range``, ...) and hands each
averaged block of readings to areaDetector statistics plugins, one per quantity: ``Current1:`` ..
``Current4:`` and ``SumAll:`` (their ``MeanValue_RBV`` is the average current), and to ``image1:`` (all of
it as one array). As in classic ophyd::

    from sophyd import QuadEM
    em = QuadEM("XF:1{EM}", name="em")
    RE(count([em], 5))   # each event: em_current1_mean_value .. em_current4_mean_value

stage() stops any acquisition and selects Single mode (``stage_sigs``: ``acquire`` 0, ``acquire_mode`` 2),
and enables each plugin with blocking callbacks; trigger() puts 1 to ``Acquire`` and is done when it returns
to 0, once the driver has averaged one block of readings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ._component import Component as Cpt
from ._component import DynamicDeviceComponent as DDCpt
from ._component import kind_context
from ._device_hooks import do_not_wait_for_lazy_connection
from ._epics_signal import EpicsSignal, EpicsSignalRO, EpicsSignalWithRBV
from ._signal import Signal
from .areadetector.base import ADBase
from .areadetector.detectors import DetectorBase
from .areadetector.plugins import ImagePlugin, StatsPlugin
from .areadetector.trigger_mixins import SingleTrigger
from .kind import Kind
from .status import DeviceStatus

__all__ = ["APS_EM", "NSLS_EM", "QuadEM", "QuadEMPort", "TetrAMM"]


def _current_fields(
    attr_base: str, field_base: str, channels: Iterable[int], **kwargs: Any
) -> dict[str, tuple[type, str, dict[str, Any]]]:
    """A DynamicDeviceComponent table of one EpicsSignal per channel: ``ch1`` -> ``<field_base>1``, ..."""
    return {f"{attr_base}{i}": (EpicsSignal, f"{field_base}{i}", kwargs) for i in channels}


class QuadEMPort(ADBase):
    """The asyn port of a quadEM driver, a node of the areaDetector port graph.

    The driver serves no ``PortName_RBV``, yet its plugins take their arrays from its port (their
    ``NDArrayPort``); this device holds the port's name in a soft signal so that stage() finds the source
    of every plugin of the electrometer.
    """

    port_name = Cpt(Signal, value="")

    def __init__(self, port_name: str, *args: Any, **kwargs: Any) -> None:
        if not isinstance(port_name, str):
            raise TypeError(
                f"QuadEMPort {kwargs.get('name', '')!r}: port_name must be the asyn port's name, a str, "
                f"not {port_name!r}"
            )
        super().__init__(*args, **kwargs)
        self.port_name.put(port_name)


class QuadEM(SingleTrigger, DetectorBase):
    """A quadEM electrometer: the driver's settings, four current channels and their statistics plugins.

    Reads ``current1.mean_value`` .. ``current4.mean_value`` (hinted); ``integration_time`` and
    ``averaging_time`` are its configuration. ``conf.port_name`` is the driver's asyn port (``NSLS_EM``
    here; the TetrAMM and APS_EM classes name theirs), which the plugins' ``NDArrayPort`` must name.
    """

    # What goes into documents follows the components' kinds, not DetectorBase's lists.
    _default_read_attrs: ClassVar[Any] = None
    _default_configuration_attrs: ClassVar[Any] = None

    # trigger() makes a plain DeviceStatus: a quadEM has no camera for ADTriggerStatus to follow
    _status_type: type[DeviceStatus] = DeviceStatus

    integration_time = Cpt(EpicsSignalWithRBV, "IntegrationTime", kind="config")
    averaging_time = Cpt(EpicsSignalWithRBV, "AveragingTime", kind="config")
    with kind_context("omitted") as OCpt:
        # a plain Cpt, as classic's: the port device keeps kind normal here (TetrAMM and APS_EM omit it)
        conf = Cpt(QuadEMPort, port_name="NSLS_EM")
        model = OCpt(EpicsSignalRO, "Model")
        firmware = OCpt(EpicsSignalRO, "Firmware")

        acquire_mode = OCpt(EpicsSignalWithRBV, "AcquireMode")
        acquire = OCpt(EpicsSignal, "Acquire")

        read_format = OCpt(EpicsSignalWithRBV, "ReadFormat")
        em_range = OCpt(EpicsSignalWithRBV, "Range")
        ping_pong = OCpt(EpicsSignalWithRBV, "PingPong")

        num_channels = OCpt(EpicsSignalWithRBV, "NumChannels")
        geometry = OCpt(EpicsSignalWithRBV, "Geometry")
        resolution = OCpt(EpicsSignalWithRBV, "Resolution")

        bias_state = OCpt(EpicsSignalWithRBV, "BiasState")
        bias_interlock = OCpt(EpicsSignalWithRBV, "BiasInterlock")
        bias_voltage = OCpt(EpicsSignalWithRBV, "BiasVoltage")
        hvs_readback = OCpt(EpicsSignalRO, "HVSReadback")
        hvv_readback = OCpt(EpicsSignalRO, "HVVReadback")
        hvi_readback = OCpt(EpicsSignalRO, "HVIReadback")

        values_per_read = OCpt(EpicsSignalWithRBV, "ValuesPerRead")
        sample_time = OCpt(EpicsSignalRO, "SampleTime_RBV")
        num_average = OCpt(EpicsSignalRO, "NumAverage_RBV")
        num_averaged = OCpt(EpicsSignalRO, "NumAveraged_RBV")
        num_acquire = OCpt(EpicsSignalWithRBV, "NumAcquire")
        num_acquired = OCpt(EpicsSignalRO, "NumAcquired")
        read_data = OCpt(EpicsSignalRO, "ReadData")
        ring_overflows = OCpt(EpicsSignalRO, "RingOverflows")
        trigger_mode = OCpt(EpicsSignal, "TriggerMode")
        reset = OCpt(EpicsSignal, "Reset")

    current_names = DDCpt(_current_fields("ch", "CurrentName", range(1, 5), string=True))
    current_offsets = DDCpt(_current_fields("ch", "CurrentOffset", range(1, 5)))
    current_offset_calcs = DDCpt(_current_fields("ch", "ComputeCurrentOffset", range(1, 5)))
    current_scales = DDCpt(_current_fields("ch", "CurrentScale", range(1, 5)))

    position_offset_x = Cpt(EpicsSignal, "PositionOffsetX")
    position_offset_y = Cpt(EpicsSignal, "PositionOffsetY")

    position_offset_calc_x = Cpt(EpicsSignal, "ComputePosOffsetX")
    position_offset_calc_y = Cpt(EpicsSignal, "ComputePosOffsetY")

    position_scale_x = Cpt(EpicsSignal, "PositionScaleX")
    position_scale_Y = Cpt(EpicsSignal, "PositionScaleY")  # classic's name, capital Y

    image = Cpt(ImagePlugin, "image1:")
    current1 = Cpt(StatsPlugin, "Current1:")
    current2 = Cpt(StatsPlugin, "Current2:")
    current3 = Cpt(StatsPlugin, "Current3:")
    current4 = Cpt(StatsPlugin, "Current4:")

    sum_all = Cpt(StatsPlugin, "SumAll:")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_sigs.update([("acquire", 0), ("acquire_mode", 2)])  # stop if acquiring; Single mode
        self._acquisition_signal = self.acquire
        for i in range(1, 5):
            current = getattr(self, f"current{i}")
            # made now, connecting in the background: construction does not wait for the network
            with do_not_wait_for_lazy_connection(current):
                current.mean_value.kind = Kind.hinted


class NSLS_EM(QuadEM):
    """The NSLS electrometer: a QuadEM whose driver's asyn port is ``NSLS_EM`` (QuadEM's default)."""


class TetrAMM(QuadEM):
    """The CAEN ELS TetrAMM picoammeter: a QuadEM whose driver's asyn port is ``TetrAMM``."""

    conf = Cpt(QuadEMPort, port_name="TetrAMM", kind="omitted")


class APS_EM(QuadEM):
    """The APS electrometer: a QuadEM whose driver's asyn port is ``APS_EM``."""

    conf = Cpt(QuadEMPort, port_name="APS_EM", kind="omitted")
