"""BlueskyInterface: the staging verbs of every device, as a base a class can customise without breaking the MRO.

stage() sets each ``stage_sigs`` entry in order (saving the old values) and then stages the sub-devices;
unstage() undoes it all in reverse order, on every exit path. read() and describe() start the chain that
Device and mixins such as the areaDetector file-store ones extend with ``super()``. Also here:
GenerateDatumInterface, and the names of the bluesky interface that a component may not take.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import operator
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._device_status import DeviceStatus
from ._signal import Signal
from .errors import ExceptionBundle, RedundantStaging

if TYPE_CHECKING:
    from bluesky.protocols import Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "DEVICE_INSTANCE_ATTRS",
    "DEVICE_RESERVED_ATTRS",
    "BlueskyInterface",
    "GenerateDatumInterface",
    "Staged",
    "unstage_on_failure",
]

logger = logging.getLogger("sophyd.device")


@contextlib.contextmanager
def unstage_on_failure(device: Any) -> Iterator[None]:
    """Undo a stage that fails inside the block: unstage ``device`` (logging, not raising, if that fails too)
    and let the original error propagate. For stage() and for a subclass's work after ``super().stage()``."""
    try:
        yield
    except BaseException:
        logger.warning("Staging %s failed; undoing what was staged", device.name, exc_info=True)
        try:
            device.unstage()
        except Exception:
            logger.exception("Undoing the failed stage of %s also failed", device.name)
        raise


#: Set on each instance by Device.__init__: a class attribute of these names would be shadowed.
DEVICE_INSTANCE_ATTRS = frozenset(
    {"name", "parent", "component_names", "_signals", "_sig_attrs", "_sub_devices"}
)
#: Methods and properties of the bluesky interface and of OphydObject that a component must not hide.
DEVICE_RESERVED_ATTRS = frozenset(
    {
        "read",
        "describe",
        "trigger",
        "configure",
        "read_configuration",
        "describe_configuration",
        "describe_collect",
        "set",
        "stage",
        "unstage",
        "pause",
        "resume",
        "kickoff",
        "complete",
        "collect",
        "position",
        "stop",
        "subscribe",
        "clear_sub",
        "event_types",
        "root",
        "signal_names",
    }
)


class Staged(enum.Enum):
    """Whether a device is staged."""

    no = "no"
    yes = "yes"
    partially = "partially"


class BlueskyInterface:
    """stage(), unstage(), pause() and resume() driven by ``stage_sigs``; Device builds on it.

    ``stage_sigs`` maps signals, or attribute (and dotted) names, to the values stage() sets, in order.
    """

    name: str
    #: Timeout (s) for each stage_sigs write and its restore; override per class or instance.
    stage_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.stage_sigs: OrderedDict[Any, Any] = OrderedDict()
        self._staged = Staged.no
        self._original_vals: OrderedDict[Signal, Any] = OrderedDict()
        self._staged_children: list[Any] = []
        super().__init__(*args, **kwargs)

    def _sub_device_instances(self) -> list[Any]:
        """The sub-devices that stage(), unstage(), pause() and resume() reach (none here)."""
        return []

    def read(self) -> OrderedDict[str, Reading[Any]]:
        """No readings: the end of the read() chain, which Device and mixins extend with ``super().read()``."""
        return OrderedDict()

    def describe(self) -> OrderedDict[str, DataKey]:
        """No data keys: the end of the describe() chain, matching read()."""
        return OrderedDict()

    def trigger(self) -> DeviceStatus:
        """Nothing to acquire at this end of the chain: a finished status (classic's returned None, which
        bluesky cannot wait on). Devices and the trigger mixins override it."""
        status = DeviceStatus(self)
        status.set_finished()
        return status

    def stage(self) -> list[Any]:
        """Set every ``stage_sigs`` entry in order (saving the old values), then stage the sub-devices.

        Returns the staged devices. If any step fails, whatever was done is undone and the error re-raised.
        """
        if self._staged == Staged.yes:
            raise RedundantStaging(f"Device {self.name!r} is already staged. Unstage it first.")
        self._staged = Staged.partially
        staged: list[Any] = [self]
        with unstage_on_failure(self):
            for key, value in list(self.stage_sigs.items()):
                signal = self._stage_signal(key)
                if signal not in self._original_vals:  # a signal listed twice keeps its true original
                    self._original_vals[signal] = signal.get()
                signal.set(value).wait(self.stage_timeout)
            for device in self._sub_device_instances():
                # a subclass's stage() written for classic ophyd may return None; the device is staged all the same
                staged.extend(device.stage() or [device])
                self._staged_children.append(device)
        self._staged = Staged.yes
        return staged

    def _stage_signal(self, key: Any) -> Signal:
        try:
            signal = operator.attrgetter(key)(self) if isinstance(key, str) else key
        except AttributeError:
            raise AttributeError(f"stage_sigs key {key!r} of {self.name!r} names no attribute") from None
        if not isinstance(signal, Signal):
            raise ValueError(f"stage_sigs key {key!r} of {self.name!r} is not a signal")
        return signal

    def unstage(self) -> list[Any]:
        """Unstage the sub-devices in reverse order, then restore the saved values in reverse order.

        Harmless when not staged. Every restore is attempted even if one fails; failures are raised together.
        """
        errors: list[BaseException] = []
        unstaged: list[Any] = []
        for device in reversed(self._staged_children):
            try:
                unstaged.extend(device.unstage())
            except Exception as exc:
                errors.append(exc)
        self._staged_children.clear()
        for signal, value in reversed(list(self._original_vals.items())):
            try:
                signal.set(value).wait(self.stage_timeout)
            except Exception as exc:
                errors.append(exc)
        self._original_vals.clear()
        self._staged = Staged.no
        unstaged.append(self)
        if errors:
            raise ExceptionBundle(f"Unstaging {self.name!r} did not restore everything", errors)
        return unstaged

    def pause(self) -> None:
        """Called when the RunEngine pauses; passes the call on to sub-devices."""
        for device in self._sub_device_instances():
            device.pause()

    def resume(self) -> None:
        """Called when the RunEngine resumes; passes the call on to sub-devices."""
        for device in self._sub_device_instances():
            device.resume()


class GenerateDatumInterface:
    """A base whose ``generate_datum`` does nothing, so that mixins can extend it with ``super()``.

    areaDetector file plugins (and their file-store mixins) inherit it: a detector's ``generate_datum`` calls
    it on every plugin that has it when a frame is taken. List it after BlueskyInterface among the bases.
    """

    def generate_datum(self, key: str, timestamp: float, datum_kwargs: dict[str, Any] | None) -> Any:
        """Record that a frame labelled ``key`` was taken at ``timestamp``; nothing to record here."""
        return None
