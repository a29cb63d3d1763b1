"""DerivedSignal: a signal whose value is computed from another signal's, and written back through it.

The classic extension point is a subclass that overrides ``forward`` (derived value -> original value) and
``inverse`` (original value -> derived value). For one-off conversions the two can also be given as callables.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._datakeys import data_key
from ._signal import Signal
from .status import Status

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey

__all__ = ["DerivedSignal"]


class DerivedSignal(Signal):
    """A signal computed from another: ``inverse`` maps the original's value to ours, ``forward`` back.

    ``derived_from`` is a Signal or the attribute name of a sibling component. Connection, access rights and
    metadata mirror the original's; ``write_access=False`` makes the derived signal read-only on its own.
    """

    def __init__(
        self,
        derived_from: Signal | str,
        *,
        forward: Callable[[Any], Any] | None = None,
        inverse: Callable[[Any], Any] | None = None,
        write_access: bool | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("value", None)
        super().__init__(**kwargs)
        self._derived_from = derived_from
        self._forward_fn = forward
        self._inverse_fn = inverse
        self._allow_writes = write_access is not False
        self._orig_cids: dict[str, int] = {}
        # Guards _orig_cids; not the subscription lock, which the relays take when the original's subscribe()
        # delivers its latest event on a dispatcher thread (a fake EPICS signal waits for that delivery).
        self._follow_lock = threading.Lock()

    def forward(self, value: Any) -> Any:
        """Derived value -> original value (what put() and set() write to the original).

        Override in a subclass; the default applies the ``forward=`` callable, or passes the value through.
        """
        return value if self._forward_fn is None else self._forward_fn(value)

    def inverse(self, value: Any) -> Any:
        """Original value -> derived value (what get() and subscribers see).

        Override in a subclass; the default applies the ``inverse=`` callable, or passes the value through.
        """
        return value if self._inverse_fn is None else self._inverse_fn(value)

    @property
    def derived_from(self) -> Signal:
        """The original signal (resolved from the parent on first use when given by name)."""
        if isinstance(self._derived_from, str):
            if self.parent is None:
                raise ValueError(f"{self._describe_me()} names {self._derived_from!r} but has no parent")
            self._derived_from = getattr(self.parent, self._derived_from)
        assert isinstance(self._derived_from, Signal)
        return self._derived_from

    def get(self, **kwargs: Any) -> Any:
        """The original's value with ``inverse`` applied."""
        self._readback = self.inverse(self.derived_from.get(**kwargs))
        return self._readback

    @property
    def timestamp(self) -> float:
        return self.derived_from.timestamp

    def put(self, value: Any, *, force: bool = False, **kwargs: Any) -> None:
        """Write ``forward(value)`` to the original."""
        if not force:
            self.check_value(value)
        self.derived_from.put(self.forward(value), force=force, **kwargs)

    def _start_set(self, value: Any, status: Status) -> None:
        inner = self.derived_from.set(self.forward(value))
        inner.add_callback(status._mirror)

    @property
    def write_access(self) -> bool:
        return self._allow_writes and self.derived_from.write_access

    @property
    def read_access(self) -> bool:
        return self.derived_from.read_access

    @property
    def connected(self) -> bool:
        return self.derived_from.connected

    @property
    def metadata(self) -> dict[str, Any]:
        """The original's metadata, with this signal's write access."""
        md = self.derived_from.metadata
        md["write_access"] = self.write_access
        return md

    @property
    def limits(self) -> tuple[Any, Any]:
        """The original's limits through ``inverse``, low first."""
        low, high = self.derived_from.limits
        if low is None or high is None:
            return (None if low is None else self.inverse(low), None if high is None else self.inverse(high))
        low, high = self.inverse(low), self.inverse(high)
        return (low, high) if low <= high else (high, low)

    @property
    def metadata_keys(self) -> tuple[str, ...]:
        """The original's metadata keys."""
        return self.derived_from.metadata_keys

    @property
    def precision(self) -> int | None:
        return self.derived_from.precision

    @property
    def egu(self) -> str:
        return self.derived_from.egu

    @property
    def enum_strs(self) -> tuple[str, ...] | None:
        return self.derived_from.enum_strs

    def wait_for_connection(self, timeout: float | None = None) -> None:
        self.derived_from.wait_for_connection(timeout)

    def _missing_channels(self) -> list[str]:
        return self.derived_from._missing_channels()

    @property
    def source(self) -> str:
        return f"DERIVED:{self.derived_from.source}"

    def describe(self) -> dict[str, DataKey]:
        """The original's description, updated with this signal's value type, source and limits, and
        ``derived_from`` (the original's name)."""
        original = self.derived_from
        merged: dict[str, Any] = dict(original.describe()[original.name])
        for key in ("dtype_numpy", "limits"):  # in the original's type and units, not ours
            merged.pop(key, None)
        low, high = self.limits
        own = data_key(
            self.get(),
            source=self.source,
            name=self.name,
            dtype=self._dtype,
            shape=self._shape,
            metadata={"lower_ctrl_limit": low, "upper_ctrl_limit": high},
        )
        merged.update(own)
        merged["derived_from"] = original.name
        return {self.name: merged}  # type: ignore[dict-item]

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        original = self._derived_from
        if isinstance(original, Signal) and self.parent is not None:
            yield ("derived_from", original.dotted_name)
        else:
            yield ("derived_from", original)

    # -- following the original -----------------------------------------------------------------------------
    def subscribe(self, callback: Callable[..., Any], event_type: str | None = None, run: bool = True) -> Any:
        """Subscribe as any signal does; the first value (or meta) subscription starts following the
        original, so that ``run=True`` reports the current derived value and ``run=False`` only later ones."""
        etype = self._default_sub if event_type is None else event_type
        relay = {self.SUB_VALUE: self._on_original, self.SUB_META: self._on_original_meta}.get(etype or "")
        if relay is not None:
            with self._follow_lock:
                if etype not in self._orig_cids:
                    # No callback of this type exists yet: replaying the original's latest event fills our cache.
                    self._orig_cids[etype] = self.derived_from.subscribe(relay, event_type=etype, run=True)
        return super().subscribe(callback, event_type, run)

    def destroy(self) -> None:
        """Stop following the original, then drop every subscription."""
        with self._follow_lock:
            cids, self._orig_cids = self._orig_cids, {}
        for cid in cids.values():
            self.derived_from.unsubscribe(cid)
        super().destroy()

    def _on_original(
        self, value: Any = None, old_value: Any = None, timestamp: Any = None, **kwargs: Any
    ) -> None:
        old = None if old_value is None else self.inverse(old_value)
        self._readback = self.inverse(value)
        self._run_subs(old_value=old, value=self._readback, timestamp=timestamp, sub_type=self.SUB_VALUE)

    def _on_original_meta(self, **kwargs: Any) -> None:
        kwargs.pop("sub_type", None)
        kwargs.pop("obj", None)
        if "write_access" in kwargs:
            kwargs["write_access"] = bool(kwargs["write_access"]) and self._allow_writes
        self._run_subs(sub_type=self.SUB_META, **kwargs)
