"""Device: a declarative tree of signals and sub-devices, with Kind-based reading and staging.

Components are declared as class attributes (:class:`Component`); read(), describe(), read_configuration(),
describe_configuration() and hints merge the children in component order according to their Kind.
Staging is a transaction: what stage() changed, unstage() restores in reverse order on every exit path.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ._component import DDC, Component, Cpt, DynamicDeviceComponent, FCpt, FormattedComponent
from ._configure import apply_configuration
from ._connect import wait_for_connection
from ._signal import Signal
from .errors import ExceptionBundle, RedundantStaging
from .kind import Kind
from .ophydobj import OphydObject
from .status import AndStatus, DeviceStatus, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "DDC",
    "Component",
    "ComponentWalk",
    "Cpt",
    "Device",
    "DynamicDeviceComponent",
    "FCpt",
    "FormattedComponent",
    "Staged",
]

logger = logging.getLogger("sophyd.device")


_NORMAL, _CONFIG = int(Kind.normal), int(Kind.config)


class Staged(enum.Enum):
    """Whether a device is staged."""

    no = "no"
    yes = "yes"
    partially = "partially"


class ComponentWalk(NamedTuple):
    """One step of walk_components()/walk_signals(): the chain of devices above, the dotted name, the item."""

    ancestors: tuple[Any, ...]
    dotted_name: str
    item: Any


class Device(OphydObject):
    """A group of signals and sub-devices declared with Components, read and staged as one.

    ``prefix`` is put in front of every component suffix; children are named ``{name}{separator}{attr}``.
    ``stage_sigs`` maps attribute (or dotted) names, or signals, to the values stage() sets, in order.
    """

    _sophyd_components: ClassVar[dict[str, Component[Any]]] = {}
    component_names: ClassVar[tuple[str, ...]] = ()
    #: Timeout (s) for each stage_sigs write and its restore; override per class or instance.
    stage_timeout: float = 10.0
    #: Default timeout (s) of wait_for_connection().
    connection_timeout: float = 10.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        components: dict[str, Component[Any]] = {}
        for base in reversed(cls.__mro__):
            for attr, value in vars(base).items():
                if isinstance(value, Component):
                    components[attr] = value
        reserved = _reserved_names()
        for attr in components:
            if attr in reserved:
                raise TypeError(
                    f"{cls.__name__}.{attr}: the component name {attr!r} is reserved "
                    f"(it would hide Device.{attr}); choose another name"
                )
        cls._sophyd_components = components
        cls.component_names = tuple(components)

    def __init__(
        self,
        prefix: str = "",
        *,
        name: str = "",
        kind: Kind | str | int | None = None,
        read_attrs: list[str] | None = None,
        configuration_attrs: list[str] | None = None,
        parent: Device | None = None,
        child_name_separator: str = "_",
        attr_name: str = "",
        labels: set[str] | None = None,
        connection_timeout: float | None = None,
    ) -> None:
        self.prefix = prefix
        self._child_name_separator = child_name_separator
        super().__init__(name=name, attr_name=attr_name, parent=parent, labels=labels, kind=kind)
        if connection_timeout is not None:
            self.connection_timeout = connection_timeout
        self._children: dict[str, Any] = {}
        self._children_lock = threading.RLock()
        self.stage_sigs: OrderedDict[Any, Any] = OrderedDict()
        self._staged = Staged.no
        self._original_vals: OrderedDict[Signal, Any] = OrderedDict()
        self._staged_children: list[Device] = []
        from .control import get_cl

        self._cl = getattr(parent, "_cl", None) or get_cl()
        for attr, cpt in self._sophyd_components.items():
            if not cpt.lazy:
                self._get_component(attr)
        if read_attrs is not None:
            self.read_attrs = read_attrs
        if configuration_attrs is not None:
            self.configuration_attrs = configuration_attrs

    # -- children -----------------------------------------------------------------------------------------
    def _child_name(self, attr: str) -> str:
        return f"{self.name}{self._child_name_separator}{attr}" if self.name else attr

    def _get_component(self, attr: str) -> Any:
        child = self._children.get(attr)
        if child is None:
            with self._children_lock:
                child = self._children.get(attr)
                if child is None:
                    child = self._sophyd_components[attr].create_component(self)
                    self._children[attr] = child
        return child

    def _get_dotted(self, dotted: str) -> Any:
        obj: Any = self
        for part in dotted.split("."):
            if not isinstance(obj, Device) or part not in obj.component_names:
                raise AttributeError(f"{self._describe_me()} has no component {dotted!r}")
            obj = getattr(obj, part)
        return obj

    def _set_name(self, value: str) -> None:
        """Renaming a device renames the children made so far."""
        self._name = value
        for attr, child in list(self._children.items()):
            child.name = self._child_name(attr)

    def _effective_kind(self, attr: str) -> int:
        """The kind of component ``attr`` as an int (the declared one while a lazy component is not made yet);
        sub-devices of kind normal count as config too, so that their configuration is reported.

        Plain ints, not Kind: IntFlag arithmetic costs microseconds a call, and read() asks this of every child.
        """
        child = self._children.get(attr)
        if child is not None:
            kind, is_device = int(child.kind), isinstance(child, Device)
        else:
            cpt = self._sophyd_components[attr]
            kind, is_device = int(cpt.kind), cpt.is_device
        if kind & _NORMAL and is_device:
            kind |= _CONFIG
        return kind

    def _instantiated_children(self, kind: Kind) -> Iterator[tuple[str, Any]]:
        """Children whose kind includes ``kind``, in component order; lazy components of other kinds stay unmade."""
        wanted = int(kind)
        for attr in self.component_names:
            if self._effective_kind(attr) & wanted:
                yield attr, self._get_component(attr)

    def walk_components(self) -> Iterator[ComponentWalk]:
        """Every Component of the tree, depth first in component order."""
        for attr, cpt in self._sophyd_components.items():
            yield ComponentWalk((self,), attr, cpt)
            if cpt.is_device:
                for sub in self._get_component(attr).walk_components():
                    yield ComponentWalk((self, *sub.ancestors), f"{attr}.{sub.dotted_name}", sub.item)

    def walk_signals(self, *, include_lazy: bool = True) -> Iterator[ComponentWalk]:
        """Every signal of the tree (lazy ones are made unless ``include_lazy=False``)."""
        for attr, cpt in self._sophyd_components.items():
            if cpt.lazy and not include_lazy and attr not in self._children:
                continue
            child = self._get_component(attr)
            if isinstance(child, Device):
                for sub in child.walk_signals(include_lazy=include_lazy):
                    yield ComponentWalk((self, *sub.ancestors), f"{attr}.{sub.dotted_name}", sub.item)
            else:
                yield ComponentWalk((self,), attr, child)

    # -- kinds as attribute lists -------------------------------------------------------------------------
    def _attrs_of_kind(self, kind: Kind) -> list[str]:
        names: list[str] = []
        for attr, child in self._instantiated_children(kind):
            names.append(attr)
            if isinstance(child, Device):
                names.extend(f"{attr}.{n}" for n in child._attrs_of_kind(kind))
        return names

    def _set_attrs_of_kind(self, kind: Kind, names: list[str]) -> None:
        wanted = list(names)
        for name in wanted:
            head = name.split(".")[0]
            if head not in self.component_names:
                raise ValueError(f"{self._describe_me()} has no component {name!r}")
        # Taking ``normal`` away takes ``hinted`` too: a hinted component is always read.
        removed = kind | Kind.hinted if kind & Kind.normal else kind
        for attr, cpt in self._sophyd_components.items():
            nested = [n[len(attr) + 1 :] for n in wanted if n.startswith(attr + ".")]
            existing = self._children.get(attr)
            current = existing.kind if existing is not None else cpt.kind
            new = current | kind if (attr in wanted or nested) else current & ~removed
            if existing is None and new == current and not nested:
                continue  # leave a lazy component unmade
            child = self._get_component(attr)
            child.kind = new
            if isinstance(child, Device) and nested:
                child._set_attrs_of_kind(kind, nested)

    @property
    def read_attrs(self) -> list[str]:
        """Dotted names of the components read() reports (kind includes normal); assignable."""
        return self._attrs_of_kind(Kind.normal)

    @read_attrs.setter
    def read_attrs(self, names: list[str]) -> None:
        self._set_attrs_of_kind(Kind.normal, names)

    @property
    def configuration_attrs(self) -> list[str]:
        """Dotted names of the components read_configuration() reports (kind includes config); assignable."""
        return self._attrs_of_kind(Kind.config)

    @configuration_attrs.setter
    def configuration_attrs(self, names: list[str]) -> None:
        self._set_attrs_of_kind(Kind.config, names)

    # -- reading ------------------------------------------------------------------------------------------
    def read(self) -> OrderedDict[str, Reading[Any]]:
        """Readings of every component whose kind includes normal, in component order."""
        from ._readmany import prefetch

        result: OrderedDict[str, Reading[Any]] = OrderedDict()
        with prefetch(self._leaves(Kind.normal, "read")):
            for _, child in self._instantiated_children(Kind.normal):
                result.update(child.read())
        return result

    def describe(self) -> OrderedDict[str, DataKey]:
        """Data keys matching read()."""
        from ._readmany import prefetch

        result: OrderedDict[str, DataKey] = OrderedDict()
        with prefetch(self._leaves(Kind.normal, "read"), metadata=True):
            for _, child in self._instantiated_children(Kind.normal):
                result.update(child.describe())
        return result

    def read_configuration(self) -> OrderedDict[str, Reading[Any]]:
        """Readings of every component whose kind includes config."""
        from ._readmany import prefetch

        result: OrderedDict[str, Reading[Any]] = OrderedDict()
        with prefetch(self._leaves(Kind.config, "read_configuration")):
            for _, child in self._instantiated_children(Kind.config):
                result.update(child.read_configuration() if isinstance(child, Device) else child.read())
        return result

    def describe_configuration(self) -> OrderedDict[str, DataKey]:
        """Data keys matching read_configuration()."""
        from ._readmany import prefetch

        result: OrderedDict[str, DataKey] = OrderedDict()
        with prefetch(self._leaves(Kind.config, "read_configuration"), metadata=True):
            for _, child in self._instantiated_children(Kind.config):
                result.update(
                    child.describe_configuration() if isinstance(child, Device) else child.describe()
                )
        return result

    def _leaves(self, kind: Kind, method: str) -> list[Signal]:
        """The signals that read() (or read_configuration()) will read, for fetching them together."""
        leaves: list[Signal] = []
        for _, child in self._instantiated_children(kind):
            if isinstance(child, Device):
                leaves.extend(child._leaves(Kind.normal if method == "read" else Kind.config, method))
            else:
                leaves.append(child)
        return leaves

    @property
    def hints(self) -> Hints:
        """``{'fields': [...]}``: the data keys of hinted components, for plotting."""
        fields: list[str] = []
        for _, child in self._instantiated_children(Kind.normal):
            fields.extend(child.hints.get("fields", []))
        return {"fields": fields}

    def get(self, **kwargs: Any) -> Any:
        """A namedtuple of every component's value (sub-devices give nested namedtuples)."""
        cls = _value_tuple(type(self))
        return cls(*(self._get_component(attr).get(**kwargs) for attr in self.component_names))

    def configure(self, d: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Set several components (by attribute or dotted name) and return (old, new) read_configuration().

        Every value is checked before anything is written; if a write fails, the earlier ones are undone."""
        old = self.read_configuration()
        apply_configuration(self, d, self.stage_timeout)  # all or nothing: see sophyd._configure
        return old, self.read_configuration()

    def summary(self) -> str:
        """Readable text: data keys (hinted ones starred), read attrs, config keys."""
        hinted = set(self.hints["fields"])
        lines = ["data keys (* hints)", "-------------------"]
        lines += [("*" if key in hinted else " ") + key for key in sorted(self.describe())]
        lines += ["", "read attrs", "----------"]
        for dotted in self.read_attrs:
            child = self._get_dotted(dotted)
            lines.append(f"{dotted:<25s}{type(child).__name__:<22s}({child.name!r})")
        lines += ["", "config keys", "-----------"]
        lines += list(sorted(self.describe_configuration()))
        lines += ["", "configuration attrs", "-------------------"]
        for dotted in self.configuration_attrs:
            child = self._get_dotted(dotted)
            lines.append(f"{dotted:<25s}{type(child).__name__:<22s}({child.name!r})")
        lines += ["", "unused attrs", "------------"]
        used = set(self.read_attrs) | set(self.configuration_attrs)
        for attr in self.component_names:
            if attr not in used:
                child = self._get_component(attr)
                lines.append(f"{attr:<25s}{type(child).__name__:<22s}({child.name!r})")
        return "\n".join(lines)

    # -- actions ------------------------------------------------------------------------------------------
    def trigger(self) -> DeviceStatus:
        """Set every component that has a ``trigger_value``; done when all of those sets are done."""
        status = DeviceStatus(self)
        parts: list[StatusBase] = [
            self._get_component(attr).set(cpt.trigger_value)
            for attr, cpt in self._sophyd_components.items()
            if cpt.trigger_value is not None
        ]
        if not parts:
            status.set_finished()
            return status
        combined = parts[0]
        for part in parts[1:]:
            combined = AndStatus(combined, part)
        combined.add_callback(status._mirror)
        return status

    def _sub_devices(self) -> list[Device]:
        return [self._get_component(attr) for attr, cpt in self._sophyd_components.items() if cpt.is_device]

    def stage(self) -> list[Any]:
        """Set every ``stage_sigs`` entry in order (saving the old values), then stage the sub-devices.

        Returns the staged devices. If any step fails, whatever was done is undone and the error re-raised.
        """
        if self._staged == Staged.yes:
            raise RedundantStaging(f"Device {self.name!r} is already staged. Unstage it first.")
        self._staged = Staged.partially
        staged: list[Any] = [self]
        try:
            for key, value in list(self.stage_sigs.items()):
                signal = self._stage_signal(key)
                if signal not in self._original_vals:  # a signal listed twice keeps its true original
                    self._original_vals[signal] = signal.get()
                signal.set(value).wait(self.stage_timeout)
            for device in self._sub_devices():
                staged.extend(device.stage())
                self._staged_children.append(device)
        except BaseException:
            logger.warning("Staging %s failed; undoing what was staged", self.name, exc_info=True)
            try:
                self.unstage()
            except Exception:
                logger.exception("Undoing the failed stage of %s also failed", self.name)
            raise
        self._staged = Staged.yes
        return staged

    def _stage_signal(self, key: Any) -> Signal:
        signal = self._get_dotted(key) if isinstance(key, str) else key
        if not isinstance(signal, Signal):
            raise ValueError(f"stage_sigs key {key!r} of {self._describe_me()} is not a signal")
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
        for device in self._sub_devices():
            device.pause()

    def resume(self) -> None:
        """Called when the RunEngine resumes; passes the call on to sub-devices."""
        for device in self._sub_devices():
            device.resume()

    def stop(self, *, success: bool = False) -> None:
        """Stop every sub-device; all are tried, and their failures are raised together."""
        errors: list[BaseException] = []
        for device in self._sub_devices():
            try:
                device.stop(success=success)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise ExceptionBundle(f"Stopping {self.name!r} failed for {len(errors)} sub-device(s)", errors)

    # -- connection ---------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True when every signal made so far is connected."""
        return all(walk.item.connected for walk in self.walk_signals(include_lazy=False))

    def wait_for_connection(self, all_signals: bool = False, timeout: float | Any | None = ...) -> None:
        """Connect every signal (lazy ones too with ``all_signals``) in parallel; one error lists every
        missing PV. ``timeout=None`` waits forever; the default is ``connection_timeout``."""
        if timeout is ...:
            timeout = self.connection_timeout
        signals = [walk.item for walk in self.walk_signals(include_lazy=all_signals)]
        wait_for_connection(*signals, timeout=timeout)

    def destroy(self) -> None:
        for child in self._children.values():
            child.destroy()
        super().destroy()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(prefix={self.prefix!r}, name={self.name!r}, "
            f"read_attrs={self.read_attrs!r}, configuration_attrs={self.configuration_attrs!r})"
        )


_value_tuples: dict[type, type] = {}


def _value_tuple(cls: type[Device]) -> type:
    if cls not in _value_tuples:
        _value_tuples[cls] = namedtuple(f"{cls.__name__}Tuple", cls.component_names)
    return _value_tuples[cls]


_RESERVED: set[str] = set()


def _reserved_names() -> set[str]:
    """Public names of Device that a component would hide, plus instance attributes."""
    if not _RESERVED:
        _RESERVED.update(n for n in dir(Device) if not n.startswith("_"))
        _RESERVED.update({"prefix", "stage_sigs"})
    return _RESERVED
