"""sophyd objects against bluesky.protocols: run-time isinstance checks and a mypy-checked usage example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bluesky import protocols as bp

from sophyd import (
    AndStatus,
    Component,
    DerivedSignal,
    Device,
    DeviceStatus,
    MoveStatus,
    Signal,
    SignalRO,
    Status,
    SubscriptionStatus,
)

ROOT = Path(__file__).resolve().parent.parent


class Det(Device):
    reading = Component(Signal, value=0.0, kind="hinted")
    gain = Component(Signal, value=1.0, kind="config")


SIGNAL_PROTOCOLS = [
    bp.Readable,
    bp.Movable,
    bp.Triggerable,
    bp.Configurable,
    bp.Subscribable,
    bp.HasHints,
    bp.HasName,
    bp.HasParent,
    bp.Checkable,
]
DEVICE_PROTOCOLS = [
    bp.Readable,
    bp.Triggerable,
    bp.Stageable,
    bp.Pausable,
    bp.Stoppable,
    bp.Configurable,
    bp.Subscribable,
    bp.HasHints,
    bp.HasName,
    bp.HasParent,
]


@pytest.mark.parametrize("protocol", SIGNAL_PROTOCOLS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("make", [Signal, SignalRO], ids=["Signal", "SignalRO"])
def test_signal_protocols(make: Any, protocol: type) -> None:
    assert isinstance(make(name="s", value=1.0), protocol)


@pytest.mark.parametrize("protocol", SIGNAL_PROTOCOLS, ids=lambda p: p.__name__)
def test_derived_signal_protocols(protocol: type) -> None:
    assert isinstance(DerivedSignal(Signal(name="raw"), name="d"), protocol)


@pytest.mark.parametrize("protocol", DEVICE_PROTOCOLS, ids=lambda p: p.__name__)
def test_device_protocols(protocol: type) -> None:
    assert isinstance(Det(name="det"), protocol)


def test_device_is_not_movable_and_signal_is_not_stageable() -> None:
    assert not isinstance(Det(name="det"), bp.Movable)
    assert not isinstance(Signal(name="s"), bp.Stageable)


def _statuses() -> list[Any]:
    sig = Signal(name="s", value=0.0)
    return [
        Status(),
        DeviceStatus(sig),
        MoveStatus(sig, 1.0),
        SubscriptionStatus(sig, lambda value, **kw: False, run=False),
        AndStatus(Status(), Status()),
        Status() & Status(),
        sig.set(1.0),
        Det(name="det").trigger(),
    ]


@pytest.mark.parametrize("index", range(8))
def test_statuses_are_bluesky_statuses(index: int) -> None:
    status = _statuses()[index]
    assert isinstance(status, bp.Status)
    assert not isinstance(status, bp.Readable)


def test_hints_and_readings_have_bluesky_shapes() -> None:
    det = Det(name="det")
    assert det.hints == {"fields": ["det_reading"]}
    for reading in [*det.read().values(), *det.read_configuration().values()]:
        assert set(reading) == {"value", "timestamp"}
    for key in [*det.describe().values(), *det.describe_configuration().values()]:
        assert {"source", "dtype", "shape"} <= set(key)


# Checks this file's use of sophyd against bluesky's protocols, and nothing else (``mypy sophyd`` checks the
# library): errors in imported modules are not reported, and big third-party packages that play no part in
# the protocols are skipped, so that a cold run takes seconds. It has its own cache, next to mypy's default one.
MYPY_CONFIG = """
[mypy]
python_version = 3.10
ignore_missing_imports = True
follow_imports = silent
[mypy-numpy.*,caproto.*,epics.*,h5py.*,jsonschema.*,bluesky.*,event_model.*]
follow_imports = skip
[mypy-bluesky.protocols,event_model.documents.*]
follow_imports = silent
"""


def _mypy(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "mypy.ini"
    config.write_text(MYPY_CONFIG)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "typing_example"),
            "--no-error-summary",
            str(path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_typing_example_passes_mypy(tmp_path: Path) -> None:
    proc = _mypy(ROOT / "tests" / "typing_example.py", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_catches_a_protocol_mismatch(tmp_path: Path) -> None:
    """The check above can fail: a Signal is not Stageable, and mypy says so."""
    bad = tmp_path / "bad_typing_example.py"
    bad.write_text(
        "from bluesky.protocols import Stageable\nfrom sophyd import Signal\n\nx: Stageable = Signal()\n"
    )
    proc = _mypy(bad, tmp_path)
    assert proc.returncode != 0
    assert "Stageable" in proc.stdout


def test_mypy_sees_the_class_of_a_component(tmp_path: Path) -> None:
    """Component access is typed: on an instance it is the component's class, on the class the Component."""
    example = tmp_path / "component_types.py"
    example.write_text(
        "from sophyd import Component, Cpt, Device, EpicsSignal, Signal\n"
        "from sophyd.areadetector import ADComponent\n"
        "class D(Device):\n"
        "    gain = Cpt(Signal, value=1.0)\n"
        "    subscripted = Component[Signal](Signal, value=1.0)\n"
        "    ad = ADComponent[Signal](Signal, value=1.0)\n"
        "    ad_plain = ADComponent(Signal, value=1.0)\n"
        "wrong: EpicsSignal = D(name='d').gain\n"
        "reveal_type(D.gain)\n"
        "reveal_type(D(name='d').subscripted)\n"
        "reveal_type(D(name='d').ad)\n"
        "reveal_type(D(name='d').ad_plain)\n"
    )
    proc = _mypy(example, tmp_path)
    assert 'expression has type "Signal", variable has type "EpicsSignal"' in proc.stdout, proc.stdout
    revealed = re.findall(r'Revealed type is "([^"]+)"', proc.stdout)
    # an ADComponent's child is Any (subscripted or not): areaDetector subclasses remove components with ``= None``
    assert revealed == [
        "sophyd._component.Component[sophyd._signal.Signal]",
        "sophyd._signal.Signal",
        "Any",
        "Any",
    ], proc.stdout


def test_the_package_ships_py_typed() -> None:
    """Without the marker a user's type checker would treat sophyd as untyped."""
    import importlib.resources

    assert importlib.resources.files("sophyd").joinpath("py.typed").is_file()
