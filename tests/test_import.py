"""Importing sophyd: clean of deprecation warnings, no thread, no socket; the public names are all there."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import sophyd

PROBE = textwrap.dedent(
    """
    import json, socket, sys, threading

    sockets = []
    _init = socket.socket.__init__

    def recording_init(self, *args, **kwargs):
        sockets.append(repr(args))
        _init(self, *args, **kwargs)

    socket.socket.__init__ = recording_init
    threads_before = threading.active_count()

    import sophyd
    import sophyd.device, sophyd.signal, sophyd.status

    after_import = threading.active_count()

    class Dev(sophyd.Device):
        a = sophyd.Component(sophyd.Signal, value=1)
        b = sophyd.Component(sophyd.Signal, value=2, kind="config")

    dev = Dev(name="dev")
    dev.read(); dev.describe(); dev.read_configuration()
    dev.a.set(5).wait(1)
    dev.stage(); dev.unstage()
    after_use = threading.active_count()

    print(json.dumps(dict(
        threads_before=threads_before,
        after_import=after_import,
        after_use=after_use,
        sockets=sockets,
        backends=sorted(m for m in ("epics", "caproto") if m in sys.modules),
    )))
    """
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60)


def test_import_is_clean_of_deprecation_warnings() -> None:
    proc = _run("-W", "error::DeprecationWarning", "-c", "import sophyd, sophyd.signal, sophyd.device")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_import_starts_no_thread_and_opens_no_socket() -> None:
    proc = _run("-c", PROBE)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["after_import"] == report["threads_before"]
    assert report["sockets"] == []
    assert report["backends"] == []  # control-layer libraries are imported on first use only
    # soft devices without timeouts need no thread either
    assert report["after_use"] == report["threads_before"]


REQUIRED = [
    "Status",
    "StatusBase",
    "DeviceStatus",
    "MoveStatus",
    "SubscriptionStatus",
    "AndStatus",
    "wait",
    "set_and_wait",
    "Kind",
    "Component",
    "Cpt",
    "FormattedComponent",
    "FCpt",
    "DynamicDeviceComponent",
    "DDC",
    "Device",
    "Signal",
    "SignalRO",
    "DerivedSignal",
    "OphydObject",
    "RedundantStaging",
    "ReadOnlyError",
    "LimitError",
    "StatusTimeoutError",
    "WaitTimeoutError",
    "InvalidState",
    "ExceptionBundle",
    "SetSupersededError",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_public_names_in_all(name: str) -> None:
    assert name in sophyd.__all__


def test_every_name_in_all_is_importable() -> None:
    assert len(set(sophyd.__all__)) == len(sophyd.__all__)
    for name in sophyd.__all__:
        assert getattr(sophyd, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from sophyd import *", namespace)
    assert set(sophyd.__all__) <= set(namespace)


def test_classic_module_layout() -> None:
    from sophyd.device import Component, Device
    from sophyd.signal import Signal
    from sophyd.status import DeviceStatus

    assert Signal is sophyd.Signal
    assert Device is sophyd.Device
    assert Component is sophyd.Component
    assert DeviceStatus is sophyd.DeviceStatus


def test_version() -> None:
    assert isinstance(sophyd.__version__, str) and sophyd.__version__


def test_python_m_sophyd_prints_the_version() -> None:
    """``python -m sophyd --version``, as ``python -m ophyd --version`` in classic ophyd."""
    result = subprocess.run(
        [sys.executable, "-m", "sophyd", "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == sophyd.__version__
    usage = subprocess.run(
        [sys.executable, "-m", "sophyd", "--bogus"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 2 and "--bogus" in usage.stderr


DOCUMENT_LIBRARIES = ("event_model", "jsonschema", "bluesky")


@pytest.mark.parametrize(
    "code",
    [
        "import sophyd",
        "import sophyd.sim",
        "from sophyd.sim import SynGauss, motor, det; det.trigger(); det.read(); det.describe()",
    ],
)
def test_import_loads_no_document_library(code: str) -> None:
    """event_model, jsonschema and bluesky are loaded when a document is made, not by importing sophyd."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {DOCUMENT_LIBRARIES!r} if m in sys.modules))"
    proc = _run("-c", probe)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_import_loads_no_tiled_and_no_plotting() -> None:
    """The catalog and the live view are optional: importing sophyd, or their modules, loads neither tiled nor
    matplotlib nor h5py until they are used."""
    script = (
        "import sys, sophyd, sophyd.catalog, sophyd.liveview; "
        "print(sorted(m for m in ('tiled', 'bluesky_tiled_plugins', 'matplotlib', 'h5py') if m in sys.modules))"
    )
    proc = _run("-c", script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
