"""The base of classic ophyd's areaDetector hierarchy: ADBase, ADComponent and the helpers cams and plugins use.

An areaDetector IOC serves thousands of PVs, of which a plan uses a few, so every ``ADComponent`` is lazy: its
signal is made, and connects, on first access. ADBase adds what all cameras and plugins share: the asyn port
graph (which plugin takes its frames from which port), checked at stage() so that a plugin fed by a port the
device does not know is reported instead of silently writing nothing.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np

from .._attribute_signal import ArrayAttributeSignal
from .._component import Component, DynamicDeviceComponent
from .._derived_signal import DerivedSignal
from .._epics_signal import EpicsSignal, EpicsSignalRO, EpicsSignalWithRBV
from .._signal import Signal
from ..device import Device

if TYPE_CHECKING:
    import networkx

__all__ = [
    "ADBase",
    "ADComponent",
    "DDC_EpicsSignal",
    "DDC_EpicsSignalRO",
    "DDC_SignalWithRBV",
    "EpicsSignalWithRBV",
    "NDDerivedSignal",
    "ad_group",
]


T = TypeVar("T")


class ADComponent(Component[T]):
    """A Component that is lazy unless told otherwise: made, and connected, on first access.

    Like Component it is generic: ``ADComponent[EpicsSignal](EpicsSignal, "Gain")`` works as in classic ophyd.
    """

    lazy_default: ClassVar[bool] = True

    if TYPE_CHECKING:
        # An ADComponent's child is typed Any, subscripted or not: the areaDetector classes remove an inherited
        # component with ``name = None``, which the child's precise type would refuse.
        def __init__(self: ADComponent[Any], cls: Any, suffix: str | None = None, **kwargs: Any) -> None: ...


def ad_group(cls: type, attr_suffix: Iterable[tuple[str, str]], **kwargs: Any) -> dict[str, Any]:
    """A DynamicDeviceComponent table of ``cls`` signals, one per ``(attr, suffix)``, lazy by default."""
    kwargs.setdefault("lazy", True)
    return {attr: (cls, suffix, kwargs) for attr, suffix in attr_suffix}


def _ddc_helper(
    signal_class: type, *items: tuple[str, str], kind: str = "config", doc: str | None = None, **kwargs: Any
) -> DynamicDeviceComponent:
    """A DynamicDeviceComponent whose signals are all of ``signal_class``, configuration by default."""
    return DynamicDeviceComponent(ad_group(signal_class, items, kind=kind, **kwargs), doc=doc)


#: A group of EpicsSignals: ``DDC_EpicsSignal(('attr', 'Suffix'), ...)``.
DDC_EpicsSignal = functools.partial(_ddc_helper, EpicsSignal)
#: A group of read-only EpicsSignals.
DDC_EpicsSignalRO = functools.partial(_ddc_helper, EpicsSignalRO)
#: A group of ``Suffix``/``Suffix_RBV`` pairs.
DDC_SignalWithRBV = functools.partial(_ddc_helper, EpicsSignalWithRBV)


class NDDerivedSignal(DerivedSignal):
    """A flat array PV (an NDStdArrays ``ArrayData``) shown in its frame's shape.

    ``shape`` holds ints or the signals (or sibling attribute names) that give each dimension; only the first
    ``num_dimensions`` of them are used (all, when not given), so a camera's ``ArraySizeZ`` of 0 for a mono
    image does not make an empty frame. Subscribers hear a new value when the array or its shape changes.
    """

    def __init__(
        self,
        derived_from: Signal | str,
        *,
        shape: Iterable[int | str | Signal],
        num_dimensions: int | str | Signal | None = None,
        parent: Any = None,
        **kwargs: Any,
    ) -> None:
        self._shape: tuple[Any, ...] = tuple(
            getattr(parent, dim) if isinstance(dim, str) else dim for dim in shape
        )
        ndims: Any = num_dimensions or len(self._shape)
        self._num_dimensions: int | Signal = getattr(parent, ndims) if isinstance(ndims, str) else ndims
        self._follows_shape = False
        super().__init__(derived_from, parent=parent, **kwargs)

    @property
    def derived_shape(self) -> tuple[int, ...]:
        """The shape the dimension signals give now."""
        return tuple(int(dim if isinstance(dim, (int, float)) else dim.get()) for dim in self._shape)

    @property
    def derived_ndims(self) -> int:
        """The number of dimensions used."""
        ndims = self._num_dimensions
        return int(ndims if isinstance(ndims, (int, float)) else ndims.get())

    def forward(self, value: Any) -> Any:
        """A shaped array, flattened for the PV."""
        return np.asarray(value).flatten()

    @property
    def frame_shape(self) -> tuple[int, ...]:
        """The shape inverse() gives the array: the first ``num_dimensions`` sizes of derived_shape."""
        return self.derived_shape[: self.derived_ndims]

    def inverse(self, value: Any) -> Any:
        """The PV's flat array in the frame's shape; RuntimeError naming the shape when it cannot be."""
        shape = self.frame_shape
        if not any(shape):
            raise RuntimeError(f"{self._describe_me()}: invalid array size {self.derived_shape}")
        length = int(np.prod(shape))
        if len(value) < length:
            raise RuntimeError(
                f"{self._describe_me()}: cannot reshape an array of {len(value)} elements into {shape}; "
                "check the IOC's array size PVs"
            )
        return np.asarray(value[:length]).reshape(shape)

    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        """Subscribe as any signal; value subscribers also hear when a dimension signal changes."""
        cid = super().subscribe(callback, event_type, run)
        if not self._follows_shape and (event_type is None or event_type == self.SUB_VALUE):
            self._follows_shape = True
            for dim in (*self._shape, self._num_dimensions):
                if isinstance(dim, Signal):
                    dim.subscribe(self._on_shape, event_type=dim.SUB_VALUE, run=False)
        return cid

    def _on_shape(self, **kwargs: Any) -> None:
        value = self.inverse(self.derived_from.get())
        self._readback = value
        self._run_subs(sub_type=self.SUB_VALUE, value=value, timestamp=self.timestamp)


class ADBase(Device):
    """The base of every areaDetector camera, detector and plugin.

    Nothing is read or configured by default (``read_attrs`` and ``configuration_attrs`` start empty): a
    subclass or the user names what goes into documents. stage() checks the asyn port graph and unstages
    again if a plugin takes frames from a port the device does not know.
    """

    _default_read_attrs: ClassVar[tuple[str, ...]] = ()
    _default_configuration_attrs: ClassVar[tuple[str, ...]] = ()

    configuration_names = Component(ArrayAttributeSignal, attr="_configuration_names", kind="config")

    @property
    def _configuration_names(self) -> list[str]:
        return [getattr(self, attr).name for attr in self.configuration_attrs]

    @property
    def ad_root(self) -> ADBase:
        """The outermost areaDetector device this one belongs to."""
        root = self
        while isinstance(root.parent, ADBase):
            root = root.parent
        return root

    def find_signal(
        self,
        text: str,
        use_re: bool = False,
        case_sensitive: bool = False,
        match_fcn: Callable[..., Any] | None = None,
        f: IO[str] = sys.stdout,
    ) -> None:
        """Report the signals whose attribute name, PV suffix or doc contain ``text`` (a regex with ``use_re``).

        Each match calls ``match_fcn(attr=, signal=, doc=)``; the default prints it to ``f``.
        """

        def print_match(attr: str, signal: Any, doc: str) -> None:
            print(f"Property: {attr}\n  Signal: {signal!r}\n     Doc: {doc}\n", file=f)

        report = print_match if match_fcn is None else match_fcn
        flags = 0 if case_sensitive else re.IGNORECASE
        pattern = re.compile(text if use_re else re.escape(text), flags | re.MULTILINE)
        for attr, cpt in self._sig_attrs.items():
            doc = "\n".join(part for part in (attr, cpt.suffix or "", cpt.doc or "") if part)
            if pattern.search(doc):
                report(attr=attr, signal=getattr(self, attr), doc=doc)

    # -- the asyn port graph ------------------------------------------------------------------------------
    def get_plugin_by_asyn_port(self, port_name: str) -> ADBase | None:
        """The device (this one or a sub-device) whose ``port_name`` is ``port_name``; None if none is."""
        if self._own_port() == port_name:
            return self
        for _attr, sub in self.walk_subdevices(include_lazy=True):
            if isinstance(sub, ADBase):
                found = sub.get_plugin_by_asyn_port(port_name)
                if found is not None:
                    return found
        return None

    def get_asyn_port_dictionary(self) -> dict[str, ADBase]:
        """``{port name: device}`` for this device and every areaDetector sub-device that has a port."""
        ports: dict[str, ADBase] = {}
        own = self._own_port()
        if own is not None:
            ports[own] = self
        for _attr, sub in self.walk_subdevices(include_lazy=True):
            if isinstance(sub, ADBase):
                ports.update(sub.get_asyn_port_dictionary())
        return ports

    def _own_port(self) -> str | None:
        return _port(self, "port_name")

    def _port_edges(self) -> tuple[dict[str, ADBase], list[tuple[str, str | None]]]:
        """The port map and, per port, the port it takes frames from (None for a source such as a camera)."""
        port_map = self.get_asyn_port_dictionary()
        edges: list[tuple[str, str | None]] = []
        for port, device in port_map.items():
            edges.append((port, _port(device, "nd_array_port")))
        return port_map, edges

    def get_asyn_digraph(self) -> tuple[networkx.DiGraph, dict[str, ADBase]]:
        """The port graph as a ``networkx.DiGraph`` (edges source -> plugin) and the port map.

        Needs networkx (``pip install networkx``); stage() checks the graph without it.
        """
        try:
            import networkx as nx
        except ImportError as exc:
            raise ImportError(f"{self._describe_me()}: get_asyn_digraph() needs networkx") from exc
        port_map, edges = self._port_edges()
        graph = nx.DiGraph()
        for port, source in edges:
            if source is None:
                graph.add_node(port)
            else:
                graph.add_edge(source, port)
        return graph, port_map

    def visualize_asyn_digraph(self, ax: Any = None, *args: Any, **kwargs: Any) -> None:
        """Draw the port graph with networkx and matplotlib (on ``ax``, or a new figure)."""
        import matplotlib.pyplot as plt
        import networkx as nx

        graph, _ports = self.get_asyn_digraph()
        if not ax:
            _fig, ax = plt.subplots()
            ax.set_title(f"AD port map for {self.name}")
            ax.tick_params(axis="both", which="both", bottom=False, top=False, left=False, right=False)
        nx.draw_networkx(graph, *args, ax=ax, **kwargs)

    def missing_plugins(self) -> list[str]:
        """The ports some plugin of this device takes frames from that no part of the device provides."""
        port_map, edges = self._port_edges()
        missing = [source for _port, source in edges if source is not None and source not in port_map]
        return list(dict.fromkeys(missing))

    def validate_asyn_ports(self) -> None:
        """Raise RuntimeError when the port graph falls apart: a plugin is fed by a port the device lacks."""
        port_map, edges = self._port_edges()
        if port_map and _components(edges) != 1:
            raise RuntimeError(
                f"{self._describe_me()}: the asyn ports {self.missing_plugins()!r} are used by plugins "
                "of this device but the plugin or camera that provides them is not part of it; add it as a "
                "component or point those plugins at another port"
            )

    def stage(self) -> list[Any]:
        """Stage as any device, then check the port graph; unstage again and raise if it is broken."""
        staged = super().stage()
        try:
            self.validate_asyn_ports()
        except RuntimeError:
            self.unstage()
            raise
        return staged


def _port(device: ADBase, attr: str) -> str | None:
    """The asyn port name the device's ``attr`` signal holds; None when the device has no such component."""
    return str(device._get_component(attr).get()) if attr in device._sig_attrs else None


def _components(edges: Iterable[tuple[str, str | None]]) -> int:
    """The number of connected parts of the undirected graph the (port, source) edges make."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for port, source in edges:
        root(port)
        if source is not None:
            parent[root(source)] = root(port)
    return len({root(node) for node in list(parent)})
