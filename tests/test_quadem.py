"""sophyd.quadem (classic ophyd's ophyd.quadem) over real Channel Access against the session's quadEM IOC.

The IOC (``sophyd_iocs.quadem``) is an NSLS_EM whose four channels read constant currents
(``channel_current(n, range)``), so each averaged reading is known in advance.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bluesky import RunEngine
from bluesky.plans import count
from helpers import assert_read_only, wait_for

import sophyd
from sophyd import Kind, Staged
from sophyd.areadetector import DetectorBase, ImagePlugin, SingleTrigger, StatsPlugin
from sophyd.quadem import APS_EM, NSLS_EM, QuadEM, QuadEMPort, TetrAMM
from sophyd.status import DeviceStatus
from sophyd_iocs.quadem import RANGES, channel_current

TIMEOUT = 10.0
CURRENT_KEYS = [f"em_current{n}_mean_value" for n in range(1, 5)]


def _connected(cls: type[QuadEM], prefix: str, name: str = "em") -> QuadEM:
    device = cls(prefix, name=name)
    device.wait_for_connection(timeout=TIMEOUT)
    return device


@pytest.fixture
def em(quadem_prefix: str, cl: str) -> Iterator[QuadEM]:
    """A connected QuadEM on the IOC, on each control layer; unstaged and put back to range 0 afterwards."""
    device = _connected(QuadEM, quadem_prefix)
    yield device
    device.unstage()
    device.em_range.set(RANGES[0]).wait(TIMEOUT)
    device.destroy()


def test_components_pv_names_and_kinds_are_classics(quadem_prefix: str) -> None:
    em = QuadEM(quadem_prefix, name="em")
    assert sophyd.QuadEM is QuadEM and sophyd.TetrAMM is TetrAMM
    assert sophyd.NSLS_EM is NSLS_EM and sophyd.APS_EM is APS_EM
    assert issubclass(QuadEM, SingleTrigger) and issubclass(QuadEM, DetectorBase)
    assert QuadEM._status_type is DeviceStatus
    assert em.acquire.pvname == quadem_prefix + "Acquire"
    assert (em.acquire_mode.setpoint_pvname, em.acquire_mode.pvname) == (
        quadem_prefix + "AcquireMode",
        quadem_prefix + "AcquireMode_RBV",
    )
    assert em.em_range.setpoint_pvname == quadem_prefix + "Range"
    assert em.sample_time.pvname == quadem_prefix + "SampleTime_RBV"
    assert em.current_names.ch3.pvname == quadem_prefix + "CurrentName3"
    assert em.current_offset_calcs.ch1.pvname == quadem_prefix + "ComputeCurrentOffset1"
    assert em.position_scale_Y.pvname == quadem_prefix + "PositionScaleY"
    assert isinstance(em.image, ImagePlugin) and em.image.prefix == quadem_prefix + "image1:"
    for attr, suffix in [(f"current{n}", f"Current{n}:") for n in range(1, 5)] + [("sum_all", "SumAll:")]:
        plugin = getattr(em, attr)
        assert isinstance(plugin, StatsPlugin) and plugin.prefix == quadem_prefix + suffix
    assert em.current1.mean_value.pvname == quadem_prefix + "Current1:MeanValue_RBV"
    assert em.integration_time.kind == Kind.config and em.averaging_time.kind == Kind.config
    assert em.acquire.kind == Kind.omitted and em.model.kind == Kind.omitted
    assert em.current1.mean_value.kind == Kind.hinted
    assert dict(em.stage_sigs) == {"acquire": 0, "acquire_mode": 2}
    assert "current1.mean_value" in em.read_attrs
    # the driver's port: kind normal in QuadEM, omitted in TetrAMM and APS_EM, as classic's
    assert isinstance(em.conf, QuadEMPort) and em.conf.kind & Kind.normal
    for cls, port in ((QuadEM, "NSLS_EM"), (NSLS_EM, "NSLS_EM"), (TetrAMM, "TetrAMM"), (APS_EM, "APS_EM")):
        device = em if cls is QuadEM else cls(quadem_prefix, name=cls.__name__)
        assert device.conf.port_name.get() == port
        assert (device.conf.kind == Kind.omitted) is (cls in (TetrAMM, APS_EM))


def test_stage_applies_the_stage_sigs_and_unstage_restores_them(em: QuadEM) -> None:
    assert em.acquire_mode.get(as_string=True) == "Continuous"
    assert (em.current1.blocking_callbacks.get(), em.image.enable.get()) == ("No", "Disable")
    assert em._staged == Staged.no
    em.stage()
    assert em._staged == Staged.yes
    assert em.acquire_mode.get(use_monitor=False, as_string=True) == "Single"
    assert em.acquire.get(use_monitor=False) == 0
    for plugin in (em.image, em.current1, em.current4, em.sum_all):
        assert plugin.enable.get(use_monitor=False) == "Enable"
        assert plugin.blocking_callbacks.get(use_monitor=False) == "Yes"
    em.unstage()
    assert em._staged == Staged.no
    assert em.acquire_mode.get(use_monitor=False, as_string=True) == "Continuous"
    assert em.image.enable.get(use_monitor=False) == "Disable"
    assert em.current1.blocking_callbacks.get(use_monitor=False) == "No"


def test_trigger_averages_one_block_and_read_gives_the_four_currents(em: QuadEM) -> None:
    em.em_range.set(RANGES[1]).wait(TIMEOUT)
    em.stage()
    status = em.trigger()
    status.wait(TIMEOUT)
    assert status.success
    assert em.acquire.get(use_monitor=False) == 0  # the driver put Acquire back when the block was done
    reading = em.read()
    for n, key in enumerate(CURRENT_KEYS, start=1):
        assert {"value", "timestamp"} <= set(reading[key])
        assert reading[key]["value"] == pytest.approx(channel_current(n, 1))
    assert em.sum_all.mean_value.get(use_monitor=False) == pytest.approx(
        sum(channel_current(n, 1) for n in range(1, 5))
    )
    readings = em.num_averaged.get(use_monitor=False)
    assert readings == em.num_average.get(use_monitor=False) > 0
    # image1 (enabled by stage) holds the block: one row of the 11 quantities per reading
    block = np.asarray(em.image.array_data.get(use_monitor=False))
    assert block.size == 11 * readings
    c1, c2, c3, c4 = (channel_current(n, 1) for n in range(1, 5))
    assert block[:7] == pytest.approx([c1, c2, c3, c4, c1 + c2, c3 + c4, c1 + c2 + c3 + c4])
    assert set(em.describe()) == set(reading)
    config = em.read_configuration()
    assert {em.averaging_time.name, em.integration_time.name} <= set(config)
    assert config.keys() == em.describe_configuration().keys()


def test_trigger_needs_stage(em: QuadEM) -> None:
    with pytest.raises(RuntimeError, match="stage"):
        em.trigger()


def test_count_gives_one_event_per_reading(em: QuadEM) -> None:
    RE = RunEngine({}, call_returns_result=False)
    docs: list[tuple[str, dict[str, Any]]] = []
    RE(count([em], 2), lambda name, doc: docs.append((name, doc)))
    events = [doc for name, doc in docs if name == "event"]
    assert len(events) == 2
    for event in events:
        for n, key in enumerate(CURRENT_KEYS, start=1):
            assert event["data"][key] == pytest.approx(channel_current(n, 0))
    (descriptor,) = (doc for name, doc in docs if name == "descriptor")
    assert descriptor["hints"]["em"] == {"fields": CURRENT_KEYS}
    assert em._staged == Staged.no
    assert em.acquire_mode.get(use_monitor=False, as_string=True) == "Continuous"


def test_hints_are_classics(quadem_prefix: str) -> None:
    em = QuadEM(quadem_prefix, name="em")
    assert em.hints == {"fields": CURRENT_KEYS}
    description = em.describe()
    assert all(key in description for key in em.hints["fields"])

    for n in range(1, 5):  # the hinted signals: take hinted off, keep normal (classic's test clears them so)
        mean_value = getattr(em, f"current{n}").mean_value
        mean_value.kind &= ~(Kind.hinted & ~Kind.normal)
        assert mean_value.kind == Kind.normal
    assert em.hints == {"fields": []}
    assert "em_current2_mean_value" in em.describe()
    em.current1.mean_value.kind = Kind.hinted
    assert em.hints == {"fields": ["em_current1_mean_value"]}


def test_a_model_whose_port_the_ioc_lacks_refuses_to_stage(quadem_prefix: str) -> None:
    tetramm = _connected(TetrAMM, quadem_prefix, "tetramm")
    with pytest.raises(RuntimeError, match="NSLS_EM"):
        tetramm.stage()
    assert tetramm._staged == Staged.no
    assert tetramm.acquire_mode.get(use_monitor=False, as_string=True) == "Continuous"


def test_compute_current_offset_zeroes_the_channel(em: QuadEM) -> None:
    em.stage()
    em.trigger().wait(TIMEOUT)
    em.current_offset_calcs.ch2.put(1, wait=True)
    try:
        assert em.current_offsets.ch2.get(use_monitor=False) == pytest.approx(channel_current(2, 0))
        em.trigger().wait(TIMEOUT)
        assert em.current2.mean_value.get(use_monitor=False) == pytest.approx(0.0)
        assert em.current1.mean_value.get(use_monitor=False) == pytest.approx(channel_current(1, 0))
    finally:
        em.current_offsets.ch2.put(0.0, wait=True)


def test_multiple_mode_acquires_num_acquire_blocks(em: QuadEM) -> None:
    em.averaging_time.set(0.02).wait(TIMEOUT)
    em.num_acquire.set(3).wait(TIMEOUT)
    em.acquire_mode.set(1).wait(TIMEOUT)
    try:
        em.acquire.put(1, wait=True, timeout=TIMEOUT)
        assert em.num_acquired.get(use_monitor=False) == 3
        assert em.acquire.get(use_monitor=False) == 0
        assert em.num_average.get(use_monitor=False) == 20  # 0.02 s of 1 ms readings
    finally:
        em.acquire_mode.set(0).wait(TIMEOUT)
        em.num_acquire.set(1).wait(TIMEOUT)
        em.averaging_time.set(0.1).wait(TIMEOUT)


def test_continuous_mode_runs_until_stopped(em: QuadEM) -> None:
    em.averaging_time.set(0.02).wait(TIMEOUT)
    try:
        assert em.acquire_mode.get(use_monitor=False, as_string=True) == "Continuous"
        em.acquire.put(1)
        wait_for(lambda: em.num_acquired.get(use_monitor=False) >= 3, TIMEOUT, "three blocks")
        assert em.acquire.get(use_monitor=False) == 1
        em.acquire.put(0, wait=True, timeout=TIMEOUT)
        assert em.acquire.get(use_monitor=False) == 0
        assert em.current3.mean_value.get(use_monitor=False) == pytest.approx(channel_current(3, 0))
    finally:
        em.acquire.put(0, wait=True, timeout=TIMEOUT)
        em.averaging_time.set(0.1).wait(TIMEOUT)


def test_read_only_fields_refuse_writes(quadem_prefix: str) -> None:
    assert_read_only(
        quadem_prefix,
        ("Model", "SampleTime_RBV", "NumAcquired", "Current1:MeanValue_RBV", "image1:ArrayData"),
    )


def test_making_a_quadem_does_not_wait_for_the_network(quadem_prefix: str) -> None:
    # quadem_prefix: the IOCs, and the CA environment libca reads once, are up before this first channel
    started = time.monotonic()
    em = QuadEM("sophyd-no-such-ioc:", name="em")
    # classic waited for each hinted mean_value to connect (and, with no IOC, raised after 2 s)
    assert time.monotonic() - started < 5.0
    assert em.current1.mean_value.kind == Kind.hinted
    assert not em.connected
    em.destroy()


def test_a_port_name_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match=r"QuadEMPort 'port'.*str.*42"):
        QuadEMPort(42, name="port")  # type: ignore[arg-type]
    assert QuadEMPort("TetrAMM", name="port").port_name.get() == "TetrAMM"
