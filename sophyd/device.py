"""Device: a declarative tree of signals and sub-devices, with Kind-based reading and staging.

Components are declared as class attributes (:class:`Component`); read(), describe(), read_configuration(),
describe_configuration() and hints merge the children in component order according to their Kind.
Staging is a transaction: what stage() changed, unstage() restores in reverse order on every exit path.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ._bluesky_interface import (
    DEVICE_INSTANCE_ATTRS,
    DEVICE_RESERVED_ATTRS,
    BlueskyInterface,
    GenerateDatumInterface,
    Staged,
)
from ._component import (
    ALL_COMPONENTS,
    DDC,
    Component,
    Cpt,
    DynamicDeviceComponent,
    FCpt,
    FormattedComponent,
    kind_context,
)
from ._configure import apply_configuration
from ._device_attrs import AttrList, set_kinds_from_list, summary_text
from ._device_factory import create_device_from_components
from ._device_hooks import (
    do_not_wait_for_lazy_connection,
    required_for_connection,
    wait_for_device_connection,
    wait_for_lazy_connection,
)
from ._epics_signal_base import EpicsSignalBase
from ._readmany import prefetch
from ._signal import Signal
from .control import get_cl
from .errors import ExceptionBundle, RedundantStaging  # noqa: F401  (RedundantStaging: classic's name here)
from .kind import Kind
from .ophydobj import OphydObject
from .status import AndStatus, DeviceStatus, Status, StatusBase

if TYPE_CHECKING:
    from bluesky.protocols import Hints, Reading
    from event_model.documents.event_descriptor import DataKey

__all__ = [
    "ALL_COMPONENTS",
    "DDC",
    "BlueskyInterface",
    "Component",
    "ComponentWalk",
    "Cpt",
    "Device",
    "DynamicDeviceComponent",
    "FCpt",
    "FormattedComponent",
    "GenerateDatumInterface",
    "Staged",
    "create_device_from_components",
    "do_not_wait_for_lazy_connection",
    "kind_context",
    "required_for_connection",
    "wait_for_lazy_connection",
]

#: Classic ophyd's name for the mapping type ``read()`` and ``describe()`` return (in annotations).
OrderedDictType = dict

logger = logging.getLogger("sophyd.device")


_NORMAL, _CONFIG = int(Kind.normal), int(Kind.config)


class ComponentWalk(NamedTuple):
    """One step of walk_components()/walk_signals(): the chain of devices above, the dotted name, the item."""

    ancestors: tuple[Any, ...]
    dotted_name: str
    item: Any


class Device(BlueskyInterface, OphydObject):
    """A group of signals and sub-devices declared with Components, read and staged as one.

    ``prefix`` is put in front of every component suffix; children are named ``{name}{separator}{attr}``,
    through the whole tree. ``stage_sigs`` maps attribute (or dotted) names, or signals, to the values
    stage() sets, in order. A device of kind ``normal`` also counts as ``config``.
    """

    SUB_ACQ_DONE = "acq_done"
    _sig_attrs: ClassVar[OrderedDict[str, Component[Any]]] = OrderedDict()
    component_names: ClassVar[tuple[str, ...]] = ()
    _sub_devices: ClassVar[list[str]] = []
    _component_kinds: dict[str, Kind] = {}
    _required_for_connection: dict[Any, str] = {}
    _device_tuple: ClassVar[type[tuple[Any, ...]]]  # made by get_device_tuple() on first use
    #: Class defaults for the constructor's ``read_attrs``/``configuration_attrs`` (None: keep the kinds).
    _default_read_attrs: ClassVar[Sequence[str] | None] = None
    _default_configuration_attrs: ClassVar[Sequence[str] | None] = None
    #: Wait for a lazy component to connect when it is made on first access (see wait_for_lazy_connection).
    lazy_wait_for_connection: bool = True
    #: Default timeout (s) of wait_for_connection(); class-wide with Device.set_defaults().
    connection_timeout: float = 10.0
    _any_instantiated: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attr in sorted(DEVICE_INSTANCE_ATTRS & set(vars(cls))):
            raise TypeError(
                f"{cls.__name__}.{attr}: the attribute name {attr!r} is reserved for use by the Device class; "
                "choose a different name"
            )
        cls._initialize_device()

    @classmethod
    def _initialize_device(cls) -> None:
        """Collect the class's components (inherited first, in declaration order) and what derives from them."""
        components: OrderedDict[str, Component[Any]] = OrderedDict()
        for base in reversed(cls.__bases__):
            for attr, cpt in getattr(base, "_sig_attrs", {}).items():
                if getattr(cls, attr) is not None:  # a subclass drops a component by setting it to None
                    components[attr] = cpt
        components.update((attr, value) for attr, value in vars(cls).items() if isinstance(value, Component))
        bad = sorted(DEVICE_RESERVED_ATTRS & set(components))
        if bad:
            raise TypeError(
                f"{cls.__name__}: the component name(s) {', '.join(map(repr, bad))} are part of the bluesky "
                "interface and cannot be used as component names; choose a different name"
            )
        cls._sig_attrs = components
        cls._component_kinds = {attr: cpt.kind for attr, cpt in components.items()}
        cls.component_names = tuple(components)
        cls._sub_devices = [attr for attr, cpt in components.items() if cpt.is_device]
        cls._required_for_connection = dict(
            obj._required_for_connection
            for obj in vars(cls).values()
            if isinstance(getattr(obj, "_required_for_connection", None), tuple)
        )

    def __init__(
        self,
        prefix: str = "",
        *,
        name: str = "",
        kind: Kind | str | int | None = None,
        read_attrs: Iterable[str] | None = None,
        configuration_attrs: Iterable[str] | None = None,
        parent: Device | None = None,
        child_name_separator: str = "_",
        attr_name: str = "",
        labels: set[str] | None = None,
        connection_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        self._destroyed = False
        self._signals: dict[str, Any] = {}
        self._component_kinds = dict(type(self)._component_kinds)
        self._required_for_connection = dict(type(self)._required_for_connection)
        self._child_name_separator = child_name_separator
        if self.component_names and prefix is None:
            raise ValueError(
                f"{type(self).__name__} {name!r}: a device with components needs a prefix, not None"
            )
        self.prefix = prefix
        # Other keywords go on along the MRO, as in classic ophyd: a mixin after Device among the bases (an
        # areaDetector file-store mixin's write_path_template) takes its own; OphydObject refuses what is left.
        super().__init__(name=name, attr_name=attr_name, parent=parent, labels=labels, kind=kind, **kwargs)
        self.kind = self._kind  # a normal device is also config
        Device._any_instantiated = True
        if connection_timeout is not None:
            self.connection_timeout = connection_timeout
        self._children_lock = threading.RLock()
        self._cl = getattr(parent, "_cl", None) or get_cl()
        # The lists act on the declared kinds, before any child is made; read_attrs goes first, so that a
        # sub-device taken out of it can also be taken out of configuration_attrs.
        for view, given, default in (
            ("read_attrs", read_attrs, self._default_read_attrs),
            ("configuration_attrs", configuration_attrs, self._default_configuration_attrs),
        ):
            names = default if given is None else given
            if names is ALL_COMPONENTS:
                names = self.component_names
            if names is not None:
                set_kinds_from_list(self, names, view)
        with do_not_wait_for_lazy_connection(self):
            for attr, cpt in self._sig_attrs.items():
                if not cpt.lazy or cpt._subscriptions:
                    self._get_component(attr)

    @classmethod
    def set_defaults(cls, *, connection_timeout: float = 10.0) -> None:
        """Set the default ``connection_timeout`` of wait_for_connection() for this class and its subclasses.

        Allowed only before the first Device is made, so that every device of a session shares it.
        """
        if Device._any_instantiated:
            raise RuntimeError(
                "Device.set_defaults() must be called before any Device is made; call it at the top of the "
                "startup script, or pass connection_timeout= to each device"
            )
        cls.connection_timeout = connection_timeout

    @property
    def kind(self) -> Kind:
        """Where this device's data goes; a device of kind ``normal`` also counts as ``config``."""
        return self._kind

    @kind.setter
    def kind(self, value: Kind | str | int) -> None:
        kind = Kind.coerce(value)
        self._kind = kind | Kind.config if kind & Kind.normal else kind

    # -- children -----------------------------------------------------------------------------------------
    def _child_name(self, attr: str) -> str:
        return f"{self.name}{self._child_name_separator}{attr}" if self.name else attr

    def _get_component(self, attr: str) -> Any:
        child = self._signals.get(attr)
        if child is None:
            with self._children_lock:
                child = self._signals.get(attr)
                if child is None:
                    child = self._instantiate_component(attr)
        return child

    def _instantiate_component(self, attr: str) -> Any:
        """Make component ``attr`` and subscribe the methods its decorators name."""
        if self._destroyed:
            raise RuntimeError(f"{self._describe_me()} is destroyed; it makes no new signals")
        cpt = self._sig_attrs.get(attr)
        if cpt is None:
            raise RuntimeError(
                f"The component {attr!r} of {type(self).__name__} is not registered with the Device: was it "
                "declared on a mix-in class that does not inherit from Device?"
            )
        try:
            child = cpt.create_component(self)
            self._signals[attr] = child
            for event_type, functions in cpt._subscriptions.items():
                for func in functions:
                    child.subscribe(getattr(self, func.__name__), event_type=event_type, run=child.connected)
        except AttributeError as exc:  # raised out of a descriptor, it would read as "no such attribute"
            raise RuntimeError(
                f"AttributeError while making component {attr!r} of {self._describe_me()}"
            ) from exc
        return child

    if not TYPE_CHECKING:  # hidden from type checkers, which would otherwise accept any attribute name

        def __getattr__(self, name: str) -> Any:
            """``getattr(device, 'sub.signal')`` reaches into the tree."""
            if "." in name:
                return operator.attrgetter(name)(self)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        for attr, child in list(self._signals.items()):
            child.name = self._child_name(attr)

    def _get_kind(self, attr: str) -> Kind:
        """The kind of component ``attr``: the child's, or the declared one while a lazy child is not made."""
        child = self._signals.get(attr)
        return child.kind if child is not None else self._component_kinds[attr]

    def _set_kind(self, attr: str, kind: Kind) -> None:
        child = self._signals.get(attr)
        if child is not None:
            child.kind = kind
        else:
            self._component_kinds[attr] = kind

    def _effective_kind(self, attr: str) -> int:
        """The kind of component ``attr`` as an int; a sub-device not made yet counts as made.

        Plain ints, not Kind: IntFlag arithmetic costs microseconds a call, and read() asks this of every child.
        """
        child = self._signals.get(attr)
        if child is not None:
            return int(child.kind)
        kind = int(self._component_kinds[attr])
        if kind & _NORMAL and self._sig_attrs[attr].is_device:
            kind |= _CONFIG
        return kind

    def _instantiated_children(self, kind: Kind) -> Iterator[tuple[str, Any]]:
        """Children whose kind includes ``kind``, in component order; lazy components of other kinds stay unmade."""
        wanted = int(kind)
        for attr in self.component_names:
            if self._effective_kind(attr) & wanted:
                yield attr, self._get_component(attr)

    # -- walking ------------------------------------------------------------------------------------------
    @classmethod
    def walk_components(cls) -> Iterator[ComponentWalk]:
        """Every Component of the class tree, depth first: ancestors are classes, items are Components."""
        for attr, cpt in cls._sig_attrs.items():
            yield ComponentWalk((cls,), attr, cpt)
            if cpt.is_device:
                for sub in cpt.cls.walk_components():
                    yield ComponentWalk((cls, *sub.ancestors), f"{attr}.{sub.dotted_name}", sub.item)

    def walk_signals(self, *, include_lazy: bool = False) -> Iterator[ComponentWalk]:
        """Every signal of the tree: those made so far, plus the unmade lazy ones with ``include_lazy``
        (made here without waiting for their connections, which wait_for_connection() then waits for at once)."""
        for attr, cpt in self._sig_attrs.items():
            if cpt.lazy and not include_lazy and attr not in self._signals:
                continue
            with do_not_wait_for_lazy_connection(self):
                child = self._get_component(attr)
            if isinstance(child, Device):
                for sub in child.walk_signals(include_lazy=include_lazy):
                    yield ComponentWalk((self, *sub.ancestors), f"{attr}.{sub.dotted_name}", sub.item)
            else:
                yield ComponentWalk((self,), attr, child)

    @classmethod
    def walk_subdevice_classes(cls) -> Iterator[tuple[str, type[Device]]]:
        """``(dotted_name, class)`` of every sub-device of the class tree, depth first."""
        for attr in cls._sub_devices:
            sub_cls: type[Device] = cls._sig_attrs[attr].cls
            yield attr, sub_cls
            for sub_attr, sub_sub_cls in sub_cls.walk_subdevice_classes():
                yield f"{attr}.{sub_attr}", sub_sub_cls

    def walk_subdevices(self, *, include_lazy: bool = False) -> Iterator[tuple[str, Device]]:
        """``(dotted_name, device)`` of every sub-device made so far (unmade lazy ones too with ``include_lazy``)."""
        for attr in self._sub_devices:
            if self._sig_attrs[attr].lazy and not include_lazy and attr not in self._signals:
                continue
            dev = self._get_component(attr)
            yield attr, dev
            for sub_attr, sub_dev in dev.walk_subdevices(include_lazy=include_lazy):
                yield f"{attr}.{sub_attr}", sub_dev

    def get_instantiated_signals(self, *, attr_prefix: str | None = None) -> Iterator[tuple[str, Signal]]:
        """``(name, signal)`` of every signal made so far; names are ``{attr_prefix}.{dotted}`` (prefix: the
        device name)."""
        prefix = self.name if attr_prefix is None else attr_prefix
        for attr, child in list(self._signals.items()):
            full = f"{prefix}.{attr}"
            if isinstance(child, Device):
                yield from child.get_instantiated_signals(attr_prefix=full)
            else:
                yield full, child

    @property
    def signal_names(self) -> tuple[str, ...]:
        """Deprecated alias of ``component_names`` (the components may be devices too)."""
        warnings.warn(
            "'signal_names' has been renamed 'component_names': it may list devices as well as signals",
            UserWarning,
            stacklevel=2,
        )
        return self.component_names

    # -- kinds as attribute lists -------------------------------------------------------------------------
    #: The list type of ``read_attrs`` and ``configuration_attrs`` (classic ophyd's name for it).
    OphydAttrList = AttrList

    @property
    def read_attrs(self) -> AttrList:
        """Dotted names of the components read() reports (kind includes normal); assignable, appendable."""
        return AttrList(self, "read_attrs")

    @read_attrs.setter
    def read_attrs(self, names: Iterable[str]) -> None:
        set_kinds_from_list(self, names, "read_attrs")

    @property
    def configuration_attrs(self) -> AttrList:
        """Dotted names of the components read_configuration() reports (kind includes config); assignable."""
        return AttrList(self, "configuration_attrs")

    @configuration_attrs.setter
    def configuration_attrs(self, names: Iterable[str]) -> None:
        set_kinds_from_list(self, names, "configuration_attrs")

    # -- reading ------------------------------------------------------------------------------------------
    def read(self) -> OrderedDict[str, Reading[Any]]:
        """Readings of every component whose kind includes normal, in component order.

        Starts from ``super().read()``, as classic ophyd does, so a mixin listed after Device among a class's
        bases (an areaDetector file-store mixin) adds its own readings.
        """
        result: OrderedDict[str, Reading[Any]] = OrderedDict(super().read())
        with prefetch(self._leaves(Kind.normal, "read")):
            for _, child in self._instantiated_children(Kind.normal):
                result.update(child.read())
        return result

    def describe(self) -> OrderedDict[str, DataKey]:
        """Data keys matching read() (starting from ``super().describe()``, as read() does)."""
        result: OrderedDict[str, DataKey] = OrderedDict(super().describe())
        with prefetch(self._leaves(Kind.normal, "read"), metadata=True):
            for _, child in self._instantiated_children(Kind.normal):
                result.update(child.describe())
        return result

    def read_configuration(self) -> OrderedDict[str, Reading[Any]]:
        """Readings of every component whose kind includes config, from each one's read_configuration().

        Asking each component (not reading a signal directly) honours a component class that overrides it.
        """
        result: OrderedDict[str, Reading[Any]] = OrderedDict()
        with prefetch(self._leaves(Kind.config, "read_configuration")):
            for _, child in self._instantiated_children(Kind.config):
                result.update(child.read_configuration())
        return result

    def describe_configuration(self) -> OrderedDict[str, DataKey]:
        """Data keys matching read_configuration(), from each component's describe_configuration()."""
        result: OrderedDict[str, DataKey] = OrderedDict()
        with prefetch(self._leaves(Kind.config, "read_configuration"), metadata=True):
            for _, child in self._instantiated_children(Kind.config):
                result.update(child.describe_configuration())
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
        """A namedtuple of the values of every component not starting with ``_`` (sub-devices nest)."""
        device_tuple = self.get_device_tuple()
        return device_tuple(
            *(self._get_component(attr).get(**kwargs) for attr in device_tuple._fields)  # type: ignore[attr-defined]
        )

    def put(self, dev_t: Sequence[Any], **kwargs: Any) -> None:
        """Put each value of ``dev_t`` (a tuple in get()'s field order, or the device tuple) to its component."""
        device_tuple = self.get_device_tuple()
        fields: tuple[str, ...] = device_tuple._fields  # type: ignore[attr-defined]
        if not isinstance(dev_t, device_tuple):
            try:
                dev_t = device_tuple(*dev_t)
            except TypeError as exc:
                raise ValueError(
                    f"{self._describe_me()}: {exc}; the device tuple fields are {fields}"
                ) from None
        for attr in fields:
            self._get_component(attr).put(getattr(dev_t, attr), **kwargs)

    @classmethod
    def get_device_tuple(cls) -> type[tuple[Any, ...]]:
        """The namedtuple class that get() returns and put() accepts (made on first use: a class with hundreds
        of components, as areaDetector's, would otherwise pay for it at import)."""
        if "_device_tuple" not in cls.__dict__:
            # Hidden components (leading underscore) take no part in get()/put(); a namedtuple has at most 254
            # fields.
            fields = [n for n in cls.component_names[:254] if not n.startswith("_")]
            cls._device_tuple = namedtuple(f"{cls.__name__}Tuple", fields)  # type: ignore[misc]
        return cls._device_tuple

    def configure(self, d: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Set configuration signals (names from ``configuration_attrs``) and return (old, new)
        read_configuration(). Every key and value is checked before anything is set; if a write fails, the
        ones already written are set back (see ``sophyd._configure``)."""
        configurable = list(self.configuration_attrs)
        for key in d:
            if key not in configurable:
                if key.partition(".")[0] not in self.component_names:
                    raise ValueError(f"{self._describe_me()}: there is no signal named {key!r}")
                raise ValueError(
                    f"{self._describe_me()}: {key!r} is not one of the configuration_attrs, so it cannot be "
                    "changed with configure()"
                )
        old = self.read_configuration()
        apply_configuration(self, d, self.stage_timeout)
        return old, self.read_configuration()

    def summary(self) -> None:
        """Print the data keys (hinted ones starred), read attrs, config keys and unused attrs."""
        print(self._summary())

    def _summary(self) -> str:
        """The text summary() prints."""
        return summary_text(self)

    # -- actions ------------------------------------------------------------------------------------------
    @property
    def trigger_signals(self) -> list[Any]:
        """The components that have a ``trigger_value``, in component order."""
        return [
            self._get_component(attr)
            for attr, cpt in self._sig_attrs.items()
            if cpt.trigger_value is not None
        ]

    def trigger(self) -> DeviceStatus:
        """Write each component's ``trigger_value``; done when every write is done, then SUB_ACQ_DONE runs.

        As in classic ophyd, an EPICS signal is written with a completion callback, so the trigger ends when the
        IOC reports the put complete (the record finished processing: a scaler's count, an acquisition), with
        or without ``put_complete``. A soft signal is set(), done when it holds the value.
        """
        status = DeviceStatus(self)
        parts = [
            _write_trigger_value(self._get_component(attr), cpt.trigger_value)
            for attr, cpt in self._sig_attrs.items()
            if cpt.trigger_value is not None
        ]
        if not parts:
            status.set_finished()
            return status
        combined = parts[0]
        for part in parts[1:]:
            combined = AndStatus(combined, part)

        def acquired(done: StatusBase) -> None:
            if done.success:
                self._done_acquiring()
            status._mirror(done)

        combined.add_callback(acquired)
        return status

    def _done_acquiring(self, **kwargs: Any) -> None:
        """Tell SUB_ACQ_DONE subscribers the acquisition is over (once: the subscriptions are then dropped)."""
        self._run_subs(sub_type=self.SUB_ACQ_DONE, success=True, timestamp=time.time())
        self._reset_sub(self.SUB_ACQ_DONE)

    def _sub_device_instances(self) -> list[Device]:
        return [self._get_component(attr) for attr in self._sub_devices]

    def stop(self, *, success: bool = False) -> None:
        """Stop every sub-device; all are tried, and their failures are raised together."""
        errors: list[BaseException] = []
        for device in self._sub_device_instances():
            try:
                device.stop(success=success)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise ExceptionBundle(f"Stopping {self.name!r} failed for {len(errors)} sub-device(s)", errors)

    # -- connection ---------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True when every signal made so far is connected and every ``required_for_connection`` method ran."""
        if self._required_for_connection or any(
            dev._required_for_connection for _, dev in self.walk_subdevices()
        ):
            return False
        return all(walk.item.connected for walk in self.walk_signals(include_lazy=False))

    def wait_for_connection(self, all_signals: bool = False, timeout: float | Any | None = ...) -> None:
        """Connect every signal (lazy ones too with ``all_signals``) in parallel; one error lists every
        missing PV and every pending ``required_for_connection`` call. ``timeout=None`` waits forever; the
        default is ``connection_timeout``."""
        wait_for_device_connection(self, all_signals, self.connection_timeout if timeout is ... else timeout)

    def destroy(self) -> None:
        """Destroy every signal made so far; no new ones can be made afterwards."""
        self._destroyed = True
        for child in list(self._signals.values()):
            child.destroy()
        super().destroy()

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        """The ``(keyword, value)`` pairs of the repr, enough to rebuild the device."""
        yield "prefix", self.prefix
        yield "name", self.name
        if self._parent is not None:
            yield "parent", self._parent.name
        yield "read_attrs", list(self.read_attrs)
        yield "configuration_attrs", list(self.configuration_attrs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._repr_info())})"


Device._initialize_device()


def _write_trigger_value(signal: Any, value: Any) -> StatusBase:
    """The status of writing a trigger value: an EPICS put's completion, or a soft signal's set()."""
    if isinstance(signal, EpicsSignalBase):
        status = Status(signal)
        signal.put(value, callback=status._finished)
        return status
    return signal.set(value)
