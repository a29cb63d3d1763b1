"""The classic-ophyd "Staging" tutorial: its code cells, and a notebook-like way to run them.

The cells are the tutorial's code as written; the seed document lost the notebook's indentation, which is
restored here, nothing else. The three versions of ``TriggeredDetector`` repeat each other because the
tutorial does. The tests change only the first cell's ``from ophyd import ...`` line (``swap_import``) and run
each cell like a notebook (``run_cell``): in one shared namespace, the value of a final bare expression being
the cell's output.

Used by ``test_tutorial_staging`` (soft stand-ins) and ``test_tutorial_staging_epics`` (the real IOC).
"""

from __future__ import annotations

import ast
import threading
from typing import Any

#: The tutorial's import line, in its first cell.
TUTORIAL_IMPORT = (
    "from ophyd import Device, Component, EpicsSignal, EpicsSignalRO, set_and_wait, DeviceStatus"
)

CELL_TIMEOUT = 10.0

# -- version 1: stage and unstage written by hand ------------------------------------------------------------
CLASS_V1 = '''\
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

# -- driving it by hand ----------------------------------------------------------------------------------------
PRE_STAGE = """\
# Set up our "pre-stage" state to have the `enabled` signal at 0
triggered_detector.enabled.put(0)
triggered_detector.enabled.get()
"""

STAGE = """\
# Staging should set it to 1, and ensure it is fully set prior to returning
triggered_detector.stage()
triggered_detector.enabled.get()
"""

TRIGGER = """\
# Trigger the detector and obtain status object to monitor
status = triggered_detector.trigger()
"""

WAIT_READ = """\
# Wait until it is done prior to reading
while not status.done:
    time.sleep(0.01)

triggered_detector.read()
"""

TRIGGER_AGAIN = """\
# We can trigger and read again; RE would typically do this in a loop internally
status = triggered_detector.trigger()

while not status.done:
    time.sleep(0.01)

triggered_detector.read()
"""

UNSTAGE = """\
# Unstage when we are done
triggered_detector.unstage()
"""

CHECK = """\
# Let's check that `enabled` really went back to its previous state:
triggered_detector.enabled.get()
"""

# -- version 2: stage_sigs -----------------------------------------------------------------------------------
CLASS_V2 = '''\
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

# -- version 3: stop / pause / resume hooks (the tutorial makes no instance of it) ---------------------------
CLASS_V3 = '''\
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


def swap_import(cell: str, module: str) -> str:
    """``cell`` with the tutorial's ``from ophyd import ...`` importing the same names from ``module``."""
    if TUTORIAL_IMPORT in cell:
        assert cell.count(TUTORIAL_IMPORT) == 1
        cell = cell.replace(TUTORIAL_IMPORT, TUTORIAL_IMPORT.replace("from ophyd ", f"from {module} "))
    assert "ophyd import" not in cell.replace(f"from {module} import", ""), (
        f"an ophyd import is left:\n{cell}"
    )
    return cell


def run_cell(source: str, namespace: dict[str, Any], timeout: float = CELL_TIMEOUT) -> Any:
    """Run a cell like a notebook (the value of a final expression is returned), in a thread with a timeout."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                outcome["value"] = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"cell did not finish within {timeout} s:\n{source}"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
