"""The classic-ophyd "Staging" tutorial, run unchanged but for its import line, over real CA.

The cells are the tutorial's code as written, shared with the soft version (``staging_tutorial``). Each cell
runs like a notebook cell: the value of a final bare expression is its output, which the tests check. The
import line becomes ``from sophyd import Device, Component, EpicsSignal, EpicsSignalRO, set_and_wait,
DeviceStatus``. The detector is the session's trigger_with_pc IOC: ``'trigger_with_pc'`` in the
tutorial becomes the fixture's prefix without its trailing ':'.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import bluesky.plans as bp
import pytest
from bluesky import RunEngine
from caproto import ChannelType
from helpers import ca_read, ca_write
from staging_tutorial import (
    CHECK,
    CLASS_V1,
    CLASS_V2,
    CLASS_V3,
    PRE_STAGE,
    STAGE,
    TRIGGER,
    TRIGGER_AGAIN,
    UNSTAGE,
    WAIT_READ,
    run_cell,
    swap_import,
)

from sophyd import DeviceStatus, PutFailedError, RedundantStaging, Staged

TIMEOUT = 10.0


def adapt(cell: str, device_prefix: str) -> str:
    """The only changes: the import line, and the IOC's prefix in place of the tutorial's."""
    return swap_import(cell, "sophyd").replace("'trigger_with_pc'", repr(device_prefix))


@pytest.fixture
def device_prefix(trigger_with_pc_prefix: str) -> Iterator[str]:
    """The tutorial's device prefix (no trailing ':'); restores the IOC's state after each test."""
    assert trigger_with_pc_prefix.endswith(":")
    yield trigger_with_pc_prefix[:-1]
    ca_write(trigger_with_pc_prefix + "enabled", 1, notify=True, timeout=TIMEOUT)


@pytest.fixture
def namespace() -> dict[str, Any]:
    return {"__name__": "tutorial"}


def _enabled_on_ioc(device_prefix: str) -> int:
    """``enabled`` as the IOC has it, read with another client (0 off, 1 on)."""
    return int(ca_read(device_prefix + ":enabled", data_type=ChannelType.LONG, timeout=TIMEOUT).data[0])


def run_manual_cells(ns: dict[str, Any], device_prefix: str) -> None:
    """The tutorial's hand-driven stage / trigger / read / unstage cells, with their outputs checked."""
    det = ns["triggered_detector"]
    assert run_cell(PRE_STAGE, ns) == 0
    assert _enabled_on_ioc(device_prefix) == 0
    assert run_cell(STAGE, ns) == 1
    assert _enabled_on_ioc(device_prefix) == 1
    assert det._staged == Staged.yes

    run_cell(TRIGGER, ns)
    assert isinstance(ns["status"], DeviceStatus)
    first = run_cell(WAIT_READ, ns)
    assert ns["status"].success
    gain = det.gain.get()
    assert list(first) == ["triggered_detector_reading"]
    assert 0.9 * gain <= first["triggered_detector_reading"]["value"] <= 1.1 * gain

    second = run_cell(TRIGGER_AGAIN, ns)
    assert ns["status"].success
    assert (
        second["triggered_detector_reading"]["timestamp"] > first["triggered_detector_reading"]["timestamp"]
    )
    assert second["triggered_detector_reading"]["value"] != first["triggered_detector_reading"]["value"]

    run_cell(UNSTAGE, ns)
    assert det._staged == Staged.no
    assert run_cell(CHECK, ns) == 0
    assert _enabled_on_ioc(device_prefix) == 0


@pytest.mark.parametrize("version", [1, 2, 3])
def test_tutorial_cells(device_prefix: str, namespace: dict[str, Any], version: int) -> None:
    run_cell(adapt(CLASS_V1, device_prefix), namespace)  # the first cell holds the imports
    if version > 1:
        run_cell(adapt((CLASS_V1, CLASS_V2, CLASS_V3)[version - 1], device_prefix), namespace)
    if version == 3:
        namespace["triggered_detector"] = run_cell(
            adapt("TriggeredDetector('trigger_with_pc', name='triggered_detector')", device_prefix),
            namespace,
        )
    det = namespace["triggered_detector"]
    assert type(det) is namespace["TriggeredDetector"]
    assert det.reading.pvname == device_prefix + ":reading"
    assert det.name == "triggered_detector"
    assert list(det.read_configuration()) == ["triggered_detector_gain", "triggered_detector_exposure_time"]
    if version > 1:
        assert det.hints == {"fields": ["triggered_detector_reading"]}
    run_manual_cells(namespace, device_prefix)


def test_exercise_stage_twice_and_unstage_twice(device_prefix: str, namespace: dict[str, Any]) -> None:
    """The exercise (after the stage_sigs version): staging twice in a row is refused and changes nothing;
    unstaging twice in a row is harmless."""
    run_cell(adapt(CLASS_V1, device_prefix), namespace)
    run_cell(adapt(CLASS_V2, device_prefix), namespace)
    det = namespace["triggered_detector"]
    run_cell(PRE_STAGE, namespace)
    assert run_cell(STAGE, namespace) == 1
    with pytest.raises(RedundantStaging, match="triggered_detector"):
        run_cell("triggered_detector.stage()", namespace)
    assert det._staged == Staged.yes and det.enabled.get() == 1  # the refused stage changed nothing
    run_cell(UNSTAGE, namespace)
    assert run_cell(CHECK, namespace) == 0
    run_cell(UNSTAGE, namespace)  # again: nothing to restore, no error
    assert run_cell(CHECK, namespace) == 0
    assert _enabled_on_ioc(device_prefix) == 0


def test_trigger_fails_when_not_enabled_and_not_staged(device_prefix: str, namespace: dict[str, Any]) -> None:
    run_cell(adapt(CLASS_V1, device_prefix), namespace)
    run_cell(adapt(CLASS_V2, device_prefix), namespace)
    det = namespace["triggered_detector"]
    det.enabled.put(0, wait=True)
    before = det.reading.get(use_monitor=False)
    status = det.trigger()
    exc = status.exception(TIMEOUT)
    assert isinstance(exc, PutFailedError), f"trigger of a disabled detector gave {exc!r}"
    assert device_prefix + ":acquire" in str(exc) and "triggered_detector.acquire" in str(exc)
    assert status.done and not status.success
    with pytest.raises(PutFailedError):
        status.wait(TIMEOUT)
    assert det.reading.get(use_monitor=False) == before


def test_stage_sigs_version_under_the_run_engine(device_prefix: str, namespace: dict[str, Any]) -> None:
    """bluesky stages the detector for the run and unstages it after, restoring ``enabled``."""
    run_cell(adapt(CLASS_V1, device_prefix), namespace)
    run_cell(adapt(CLASS_V2, device_prefix), namespace)
    det = namespace["triggered_detector"]
    run_cell(PRE_STAGE, namespace)
    docs: list[tuple[str, dict[str, Any]]] = []
    RE = RunEngine({})
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    RE(bp.count([det], num=3))
    events = [doc for name, doc in docs if name == "event"]
    assert len(events) == 3
    assert all("triggered_detector_reading" in e["data"] for e in events)
    assert [name for name, _ in docs][-1] == "stop" and docs[-1][1]["exit_status"] == "success"
    assert det.enabled.get() == 0 and _enabled_on_ioc(device_prefix) == 0
