"""The classic "Staging" tutorial, run against a SOFT stand-in of the ``trigger_with_pc`` IOC.

The tutorial's cells (``staging_tutorial``, shared with the EPICS version) are exec'd in one shared namespace
the way a notebook would (a trailing expression is the cell's output). The only change to the code is its
import line: ``from ophyd import ...`` is swapped for an import from a stand-in module that provides sophyd's
``Device``, ``Component``, ``set_and_wait`` and ``DeviceStatus`` plus soft ``EpicsSignal``/``EpicsSignalRO``
classes backed by an in-memory imitation of the IOC.

The EPICS version (import line ``from sophyd import Device, Component, EpicsSignal, EpicsSignalRO,
set_and_wait, DeviceStatus``, against the real caproto IOC) is ``test_tutorial_staging_epics``.
"""

from __future__ import annotations

import random
import sys
import threading
import types
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

import bluesky.plans as bp
import pytest
from bluesky import RunEngine
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

import sophyd
from sophyd import PutFailedError, RedundantStaging, Signal
from sophyd._scheduler import call_later

STANDIN = "_sophyd_tutorial_soft"

EXPECTED_REPR = (
    "TriggeredDetector(prefix='trigger_with_pc', name='triggered_detector', read_attrs=['reading'], "
    "configuration_attrs=['gain', 'exposure_time'])"
)


# -- the soft stand-in of the trigger_with_pc IOC ------------------------------------------------------------
class SoftTriggerWithPC:
    """In-memory imitation of ``iocs/trigger_with_pc.py``: PV values by name and the ``acquire`` putter.

    A put of 1 to ``acquire`` is refused while ``enabled`` is 0; otherwise it "exposes" for ``exposure_time``
    seconds (on sophyd's shared timer thread), then writes ``reading = gain * U(0.9, 1.1)``, puts ``acquire``
    back to 0 and only then calls the put callbacks, like put-completion over Channel Access.
    """

    def __init__(self, prefix: str = "trigger_with_pc:", exposure_time: float = 0.05) -> None:
        self.prefix = prefix
        self.values: dict[str, Any] = {
            f"{prefix}gain": 1.0,
            f"{prefix}exposure_time": exposure_time,
            f"{prefix}reading": 0.0,
            f"{prefix}acquire": 0,
            f"{prefix}enabled": 1,
        }
        self.views: defaultdict[str, list[Signal]] = defaultdict(list)
        self.acquisitions = 0
        self._pending: list[Callable[[], Any] | None] = []
        self._lock = threading.Lock()

    def write(self, pv: str, value: Any, callback: Callable[[], Any] | None) -> None:
        if pv == f"{self.prefix}acquire" and value == 1:
            if self.values[f"{self.prefix}enabled"] != 1:
                raise PutFailedError(f"{pv} refused: {self.prefix}enabled is off")
            with self._lock:
                self._pending.append(callback)
                if len(self._pending) > 1:
                    return  # joins the running acquisition
            self._post(pv, 1)
            call_later(float(self.values[f"{self.prefix}exposure_time"]), self._end_acquisition)
            return
        self._post(pv, value)
        if callback is not None:
            callback()

    def _end_acquisition(self) -> None:
        self.acquisitions += 1
        gain = float(self.values[f"{self.prefix}gain"])
        self._post(f"{self.prefix}reading", gain * random.uniform(0.9, 1.1))
        self._post(f"{self.prefix}acquire", 0)
        with self._lock:
            callbacks, self._pending = self._pending, []
        for callback in callbacks:
            if callback is not None:
                callback()

    def _post(self, pv: str, value: Any) -> None:
        self.values[pv] = value
        for view in list(self.views[pv]):
            view._update(value)


def make_standin(ioc: SoftTriggerWithPC) -> types.ModuleType:
    """A module exporting the names the tutorial imports, with soft EPICS signals bound to ``ioc``."""

    class EpicsSignal(Signal):
        """Soft stand-in of EpicsSignal: ``(read_pv, put_complete=..., **kw)``; ``put(value, callback=)``."""

        _ioc: ClassVar[SoftTriggerWithPC] = ioc

        def __init__(
            self, read_pv: str, *, write_pv: str | None = None, put_complete: bool = False, **kwargs: Any
        ) -> None:
            super().__init__(value=self._ioc.values[read_pv], **kwargs)
            self.pvname = read_pv
            self.put_complete = put_complete
            self._ioc.views[read_pv].append(self)

        def put(
            self,
            value: Any,
            *,
            callback: Callable[..., Any] | None = None,
            force: bool = False,
            **kwargs: Any,
        ) -> None:
            if not force:
                self.check_value(value)
            self._ioc.write(self.pvname, value, callback)

        @property
        def source(self) -> str:
            return f"SOFT-PV:{self.pvname}"

    class EpicsSignalRO(EpicsSignal):
        """Soft stand-in of EpicsSignalRO."""

        def __init__(self, read_pv: str, **kwargs: Any) -> None:
            super().__init__(read_pv, **kwargs)
            self._metadata["write_access"] = False

    module = types.ModuleType(STANDIN, "Soft stand-ins for the Staging tutorial's imports.")
    module.__dict__.update(
        Device=sophyd.Device,
        Component=sophyd.Component,
        EpicsSignal=EpicsSignal,
        EpicsSignalRO=EpicsSignalRO,
        set_and_wait=sophyd.set_and_wait,
        DeviceStatus=sophyd.DeviceStatus,
    )
    return module


class Notebook:
    """The tutorial's cells run in one namespace, their import swapped for the stand-in module."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"__name__": "__tutorial__"}

    def run(self, cell: str) -> Any:
        """Run ``cell``; its trailing expression is returned, as a notebook would display it."""
        return run_cell(swap_import(cell, STANDIN), self.ns)


@pytest.fixture
def ioc(monkeypatch: pytest.MonkeyPatch) -> SoftTriggerWithPC:
    soft_ioc = SoftTriggerWithPC()
    monkeypatch.setitem(sys.modules, STANDIN, make_standin(soft_ioc))
    return soft_ioc


@pytest.fixture
def nb(ioc: SoftTriggerWithPC) -> Notebook:
    return Notebook()


def _check_reading(reading: Any, ioc: SoftTriggerWithPC) -> None:
    assert list(reading) == ["triggered_detector_reading"]
    value = reading["triggered_detector_reading"]["value"]
    gain = ioc.values["trigger_with_pc:gain"]
    assert 0.9 * gain <= value <= 1.1 * gain


# -- version 1: stage/unstage written by hand --------------------------------------------------------------
def test_v1_definition_and_repr(nb: Notebook) -> None:
    shown = nb.run(CLASS_V1)
    assert repr(shown) == EXPECTED_REPR
    det = nb.ns["triggered_detector"]
    assert det.gain.pvname == "trigger_with_pc:gain"
    assert det.acquire.put_complete is True
    assert det.acquire.name == "triggered_detector_acquire"


def test_v1_manual_stage_trigger_read_unstage(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CLASS_V1)
    assert nb.run(PRE_STAGE) == 0
    assert nb.run(STAGE) == 1
    assert ioc.values["trigger_with_pc:enabled"] == 1

    nb.run(TRIGGER)
    status = nb.ns["status"]
    assert isinstance(status, sophyd.DeviceStatus)
    first = nb.run(WAIT_READ)
    assert status.success
    # status._finished was the put callback: it ran only when the exposure was over
    assert status.finish_ts is not None
    assert status.finish_ts - status.start_ts >= 0.9 * ioc.values["trigger_with_pc:exposure_time"]
    _check_reading(first, ioc)
    assert ioc.acquisitions == 1
    assert ioc.values["trigger_with_pc:acquire"] == 0

    ioc.values["trigger_with_pc:gain"] = 100.0  # the reading follows the gain
    second = nb.run(TRIGGER_AGAIN)
    _check_reading(second, ioc)
    assert ioc.acquisitions == 2
    assert (
        second["triggered_detector_reading"]["timestamp"] > first["triggered_detector_reading"]["timestamp"]
    )

    assert nb.run(UNSTAGE) == [nb.ns["triggered_detector"]]
    assert nb.run(CHECK) == 0


def test_v1_stage_twice_unstage_twice(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    """The exercise: the hand-written stage() saves ``enabled`` before super().stage() refuses, so the second
    stage overwrites the saved state with 1, and unstaging no longer restores 0 (stage_sigs avoids this)."""
    nb.run(CLASS_V1)
    nb.run(PRE_STAGE)
    nb.run("triggered_detector.stage()")
    with pytest.raises(RedundantStaging, match=r"already staged\. Unstage it first\."):
        nb.run("triggered_detector.stage()")
    nb.run("triggered_detector.unstage()")
    nb.run("triggered_detector.unstage()")
    assert nb.run(CHECK) == 1


# -- version 2: stage_sigs --------------------------------------------------------------------------------
def test_v2_stage_sigs(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CLASS_V1)
    assert nb.run(CLASS_V2) is None
    det = nb.ns["triggered_detector"]
    assert list(det.stage_sigs.items()) == [("enabled", 1)]
    assert det.hints == {"fields": ["triggered_detector_reading"]}
    assert nb.run(PRE_STAGE) == 0
    assert nb.run(STAGE) == 1
    nb.run(TRIGGER)
    _check_reading(nb.run(WAIT_READ), ioc)
    nb.run(UNSTAGE)
    assert nb.run(CHECK) == 0


def test_v2_stage_twice_unstage_twice(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CLASS_V1)
    nb.run(CLASS_V2)
    nb.run(PRE_STAGE)
    nb.run("triggered_detector.stage()")
    with pytest.raises(RedundantStaging, match=r"triggered_detector.*is already staged\. Unstage it first\."):
        nb.run("triggered_detector.stage()")
    assert nb.run("triggered_detector.enabled.get()") == 1
    nb.run("triggered_detector.unstage()")
    nb.run("triggered_detector.unstage()")
    assert nb.run(CHECK) == 0


def test_v2_trigger_while_disabled_is_refused(nb: Notebook) -> None:
    nb.run(CLASS_V1)
    nb.run(CLASS_V2)
    nb.run(PRE_STAGE)
    with pytest.raises(PutFailedError, match="enabled is off"):
        nb.run(TRIGGER)


def test_v2_under_the_run_engine(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CLASS_V1)
    nb.run(CLASS_V2)
    nb.run(PRE_STAGE)
    det = nb.ns["triggered_detector"]
    docs: list[tuple[str, dict[str, Any]]] = []
    RE = RunEngine({})
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    RE(bp.count([det], num=2))
    events = [doc for name, doc in docs if name == "event"]
    assert len(events) == 2
    for event in events:
        assert 0.9 <= event["data"]["triggered_detector_reading"] <= 1.1
    (descriptor,) = [doc for name, doc in docs if name == "descriptor"]
    assert (
        descriptor["data_keys"]["triggered_detector_reading"]["source"] == "SOFT-PV:trigger_with_pc:reading"
    )
    assert set(descriptor["configuration"]["triggered_detector"]["data"]) == {
        "triggered_detector_gain",
        "triggered_detector_exposure_time",
    }
    assert ioc.acquisitions == 2
    assert nb.run(CHECK) == 0


# -- version 3: stop / pause / resume hooks ---------------------------------------------------------------
def test_v3_hooks(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CLASS_V1)
    nb.run(CLASS_V3)
    nb.run("triggered_detector = TriggeredDetector('trigger_with_pc', name='triggered_detector')")
    det = nb.ns["triggered_detector"]
    assert det.pause() is None
    assert det.resume() is None
    assert det.stop() is None
    assert det.stop(success=True) is None
    RE = RunEngine({})
    RE(bp.count([det], num=1))
    assert ioc.acquisitions == 1
    assert ioc.values["trigger_with_pc:enabled"] == 1  # restored to what it was before staging
