"""The classic "Staging" tutorial (seed 002), run against a SOFT stand-in of the ``trigger_with_pc`` IOC.

The tutorial's cells are kept as text, verbatim except that the seed's flattened indentation is restored;
each cell is exec'd in one shared namespace the way a notebook would (a trailing expression is the cell's
output). The only change to the code is its import line: ``from ophyd import ...`` is swapped for an import
from a stand-in module that provides sophyd's ``Device``, ``Component``, ``set_and_wait`` and ``DeviceStatus``
plus soft ``EpicsSignal``/``EpicsSignalRO`` classes backed by an in-memory imitation of the IOC.

The EPICS version (import line ``from sophyd import Device, Component, EpicsSignal, EpicsSignalRO,
set_and_wait, DeviceStatus``, against the real caproto IOC) follows in the EPICS test suite.
"""

from __future__ import annotations

import ast
import random
import sys
import threading
import time
import types
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

import bluesky.plans as bp
import pytest
from bluesky import RunEngine

import sophyd
from sophyd import PutFailedError, RedundantStaging, Signal
from sophyd._scheduler import call_later

STANDIN = "_sophyd_tutorial_soft"
TUTORIAL_IMPORT = (
    "from ophyd import Device, Component, EpicsSignal, EpicsSignalRO, set_and_wait, DeviceStatus"
)

# -- the tutorial's cells ------------------------------------------------------------------------------------
CELL_V1 = '''
from ophyd import Device, Component, EpicsSignal, EpicsSignalRO, set_and_wait, DeviceStatus
import time

class TriggeredDetector(Device):
    """
    A detector that requires triggering
    """
    gain = Component(EpicsSignal, ':gain', kind='config')
    exposure_time = Component(EpicsSignal, ':exposure_time', kind='config')
    reading = Component(EpicsSignalRO, ':reading', kind='normal')
    acquire = Component(EpicsSignal, ':acquire', kind='omitted', put_complete=True)
    enabled = Component(EpicsSignal, ':enabled', kind='omitted')

    def trigger(self):
        """
        Trigger the detector and return a Status object.
        """
        status = DeviceStatus(self)
        self.acquire.put(1, callback=status._finished)
        return status

    def stage(self):
        """
        Set the stage, storing previous value for later.
        """
        self.initial_enabled_state = self.enabled.get()
        set_and_wait(self.enabled, 1)
        return super().stage()

    def unstage(self):
        """
        Restore previously saved state.
        """
        ret = super().unstage()
        set_and_wait(self.enabled, self.initial_enabled_state)
        return ret

triggered_detector = TriggeredDetector('trigger_with_pc', name='triggered_detector')
triggered_detector
'''

CELL_PRE_STAGE = """
# Set up our "pre-stage" state to have the `enabled` signal at 0
triggered_detector.enabled.put(0)
triggered_detector.enabled.get()
"""

CELL_STAGE = """
# Staging should set it to 1, and ensure it is fully set prior to returning
triggered_detector.stage()
triggered_detector.enabled.get()
"""

CELL_TRIGGER = """
# Trigger the detector and obtain status object to monitor
status = triggered_detector.trigger()
"""

CELL_WAIT_READ = """
# Wait until it is done prior to reading
while not status.done:
    time.sleep(0.01)

triggered_detector.read()
"""

CELL_TRIGGER_AGAIN = """
# We can trigger and read again; RE would typically do this in a loop internally
status = triggered_detector.trigger()

while not status.done:
    time.sleep(0.01)

triggered_detector.read()
"""

CELL_UNSTAGE = """
# Unstage when we are done
triggered_detector.unstage()
"""

CELL_CHECK = """
# Let's check that `enabled` really went back to its previous state:
triggered_detector.enabled.get()
"""

CELL_V2 = '''
class TriggeredDetector(Device):
    """
    A detector that requires triggering
    """
    gain = Component(EpicsSignal, ':gain', kind='config')
    exposure_time = Component(EpicsSignal, ':exposure_time', kind='config')
    reading = Component(EpicsSignalRO, ':reading', kind='hinted')
    acquire = Component(EpicsSignal, ':acquire', kind='omitted', put_complete=True)
    enabled = Component(EpicsSignal, ':enabled', kind='omitted')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_sigs['enabled'] = 1 # OrderedDict mapping component name to desired state

    def trigger(self):
        """
        Trigger the detector and return a Status object.
        """
        status = DeviceStatus(self)
        self.acquire.put(1, callback=status._finished)
        return status

triggered_detector = TriggeredDetector('trigger_with_pc', name='triggered_detector')
'''

CELL_V3 = '''
class TriggeredDetector(Device):
    """
    A detector that requires triggering
    """
    gain = Component(EpicsSignal, ':gain', kind='config')
    exposure_time = Component(EpicsSignal, ':exposure_time', kind='config')
    reading = Component(EpicsSignalRO, ':reading', kind='hinted')
    acquire = Component(EpicsSignal, ':acquire', kind='omitted', put_complete=True)
    enabled = Component(EpicsSignal, ':enabled', kind='omitted')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage_sigs['enabled'] = 1 # OrderedDict mapping component name to desired state

    def trigger(self):
        """
        Trigger the detector and return a Status object.
        """
        status = DeviceStatus(self)
        self.acquire.put(1, callback=status._finished)
        return status

    def resume(self):
        ...

    def pause(self):
        ...

    def stop(self, success=False):
        ...
'''

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


class BoundedTime:
    """The ``time`` module for the tutorial's polling loop, except that ``sleep`` fails after a deadline."""

    def __init__(self, limit: float) -> None:
        self._limit = limit
        self._deadline = time.monotonic() + limit

    def sleep(self, seconds: float) -> None:
        if time.monotonic() > self._deadline:
            raise TimeoutError(f"the tutorial's polling loop ran for more than {self._limit} s")
        time.sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class Notebook:
    """Runs cells in one namespace; a cell's trailing expression is returned, as a notebook would display it."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"__name__": "__tutorial__"}

    def run(self, cell: str) -> Any:
        if TUTORIAL_IMPORT in cell:
            assert cell.count(TUTORIAL_IMPORT) == 1
            cell = cell.replace(TUTORIAL_IMPORT, TUTORIAL_IMPORT.replace("from ophyd", f"from {STANDIN}"))
        assert "ophyd import" not in cell.replace(STANDIN, "")
        tree = ast.parse(cell)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body.pop()
        exec(compile(tree, "<tutorial cell>", "exec"), self.ns)
        if "time" in self.ns and not isinstance(self.ns["time"], BoundedTime):
            self.ns["time"] = BoundedTime(10.0)  # bounds `while not status.done: time.sleep(0.01)`
        if last is None:
            return None
        return eval(compile(ast.Expression(last.value), "<tutorial cell>", "eval"), self.ns)


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
    shown = nb.run(CELL_V1)
    assert repr(shown) == EXPECTED_REPR
    det = nb.ns["triggered_detector"]
    assert det.gain.pvname == "trigger_with_pc:gain"
    assert det.acquire.put_complete is True
    assert det.acquire.name == "triggered_detector_acquire"


def test_v1_manual_stage_trigger_read_unstage(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CELL_V1)
    assert nb.run(CELL_PRE_STAGE) == 0
    assert nb.run(CELL_STAGE) == 1
    assert ioc.values["trigger_with_pc:enabled"] == 1

    nb.run(CELL_TRIGGER)
    status = nb.ns["status"]
    assert isinstance(status, sophyd.DeviceStatus)
    first = nb.run(CELL_WAIT_READ)
    assert status.success
    # status._finished was the put callback: it ran only when the exposure was over
    assert status.finish_ts is not None
    assert status.finish_ts - status.start_ts >= 0.9 * ioc.values["trigger_with_pc:exposure_time"]
    _check_reading(first, ioc)
    assert ioc.acquisitions == 1
    assert ioc.values["trigger_with_pc:acquire"] == 0

    ioc.values["trigger_with_pc:gain"] = 100.0  # the reading follows the gain
    second = nb.run(CELL_TRIGGER_AGAIN)
    _check_reading(second, ioc)
    assert ioc.acquisitions == 2
    assert (
        second["triggered_detector_reading"]["timestamp"] > first["triggered_detector_reading"]["timestamp"]
    )

    assert nb.run(CELL_UNSTAGE) == [nb.ns["triggered_detector"]]
    assert nb.run(CELL_CHECK) == 0


def test_v1_stage_twice_unstage_twice(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    """The exercise: the hand-written stage() saves ``enabled`` before super().stage() refuses, so the second
    stage overwrites the saved state with 1, and unstaging no longer restores 0 (stage_sigs avoids this)."""
    nb.run(CELL_V1)
    nb.run(CELL_PRE_STAGE)
    nb.run("triggered_detector.stage()")
    with pytest.raises(RedundantStaging, match=r"already staged\. Unstage it first\."):
        nb.run("triggered_detector.stage()")
    nb.run("triggered_detector.unstage()")
    nb.run("triggered_detector.unstage()")
    assert nb.run(CELL_CHECK) == 1


# -- version 2: stage_sigs --------------------------------------------------------------------------------
def test_v2_stage_sigs(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CELL_V1)
    assert nb.run(CELL_V2) is None
    det = nb.ns["triggered_detector"]
    assert list(det.stage_sigs.items()) == [("enabled", 1)]
    assert det.hints == {"fields": ["triggered_detector_reading"]}
    assert nb.run(CELL_PRE_STAGE) == 0
    assert nb.run(CELL_STAGE) == 1
    nb.run(CELL_TRIGGER)
    _check_reading(nb.run(CELL_WAIT_READ), ioc)
    nb.run(CELL_UNSTAGE)
    assert nb.run(CELL_CHECK) == 0


def test_v2_stage_twice_unstage_twice(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CELL_V1)
    nb.run(CELL_V2)
    nb.run(CELL_PRE_STAGE)
    nb.run("triggered_detector.stage()")
    with pytest.raises(RedundantStaging, match=r"triggered_detector.*is already staged\. Unstage it first\."):
        nb.run("triggered_detector.stage()")
    assert nb.run("triggered_detector.enabled.get()") == 1
    nb.run("triggered_detector.unstage()")
    nb.run("triggered_detector.unstage()")
    assert nb.run(CELL_CHECK) == 0


def test_v2_trigger_while_disabled_is_refused(nb: Notebook) -> None:
    nb.run(CELL_V1)
    nb.run(CELL_V2)
    nb.run(CELL_PRE_STAGE)
    with pytest.raises(PutFailedError, match="enabled is off"):
        nb.run(CELL_TRIGGER)


def test_v2_under_the_run_engine(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CELL_V1)
    nb.run(CELL_V2)
    nb.run(CELL_PRE_STAGE)
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
    assert nb.run(CELL_CHECK) == 0


# -- version 3: stop / pause / resume hooks ---------------------------------------------------------------
def test_v3_hooks(nb: Notebook, ioc: SoftTriggerWithPC) -> None:
    nb.run(CELL_V1)
    nb.run(CELL_V3)
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
