"""Classic ophyd's ``ophyd.units``: a DerivedSignal that shows another signal's value in other units.

Conversions use pint, which is optional: install it with ``pip install sophyd[units]``. Importing this module
without pint raises an ImportError that says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from numbers import Real
from typing import TYPE_CHECKING, Any

try:
    import pint
except ImportError as exc:  # pint is an optional dependency (the 'units' extra)
    raise ImportError(
        "sophyd.units converts units with pint, which is not installed: install it with "
        "`pip install 'sophyd[units]'` (or `pip install pint`)"
    ) from exc

from ._derived_signal import DerivedSignal
from ._signal import Signal

if TYPE_CHECKING:
    from event_model.documents.event_descriptor import DataKey

__all__ = ["UnitConversionDerivedSignal", "convert_unit"]

_registry: pint.UnitRegistry | None = None
_registry_lock = threading.Lock()


def _unit_registry() -> pint.UnitRegistry:
    """The one pint registry of this process, made on first use (making one takes about a tenth of a second)."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = pint.UnitRegistry()
        return _registry


def convert_unit(value: Any, from_units: str, to_units: str) -> Any:
    """``value`` (a number or an array) in ``from_units``, converted to ``to_units``, as a bare magnitude.

    Units are pint expressions ('mm', 'keV', 'deg/s', '1e-3*m'); temperatures with an offset ('degC', 'K')
    convert as temperatures. Incompatible units raise pint's DimensionalityError and unknown ones its
    UndefinedUnitError.
    """
    registry = _unit_registry()
    expr = registry.parse_expression(from_units)
    if isinstance(expr, registry.Quantity) and expr.magnitude == 1:
        # A plain unit: as a Quantity, offset units (degC, degF) convert too; value * 1 degC would raise.
        return registry.Quantity(value, expr.units).to(to_units).magnitude
    return (value * expr).to(to_units).magnitude  # a scaled expression such as '1e-3*m', or a bare number


class UnitConversionDerivedSignal(DerivedSignal):
    """A DerivedSignal that converts the original signal's value from ``original_units`` to ``derived_units``.

    Use it to show (and set) a PV in the units users think in, e.g. an energy PV in eV as keV. Without
    ``original_units`` the original's own units are used (an EPICS signal's EGU, known once it has connected).
    ``user_offset``, in derived units, is added to every derived value and subtracted before writing.
    ``limits``, in derived units, override the original's converted limits without changing the original.
    describe(), ``metadata`` and meta subscriptions report ``derived_units`` as the units.
    """

    def __init__(
        self,
        derived_from: Signal | str,
        *,
        derived_units: str,
        original_units: str | None = None,
        user_offset: float | None = 0,
        limits: tuple[float, float] | None = None,
        **kwargs: Any,
    ) -> None:
        self.derived_units = derived_units
        self._original_units = original_units
        self._user_offset = user_offset
        self._custom_limits: tuple[float, float] | None = None
        super().__init__(derived_from, **kwargs)
        for units in (derived_units, original_units):
            if units is not None:
                self._check_units(units)
        if limits is not None:
            self.limits = limits
        self._metadata["units"] = derived_units

    @property
    def metadata_keys(self) -> tuple[str, ...]:
        """The original's metadata keys, with ``units`` (reported in ``derived_units``) even if it has none."""
        keys = super().metadata_keys
        return keys if "units" in keys else (*keys, "units")

    # -- conversion ---------------------------------------------------------------------------------------
    @property
    def original_units(self) -> str | None:
        """The original signal's units: as given, else the original's own once it has connected (None before).

        Settable, as classic's attribute is.
        """
        if self._original_units is None and self.derived_from.connected:
            self._original_units = self.derived_from.metadata.get("units") or None
        return self._original_units

    @original_units.setter
    def original_units(self, units: str | None) -> None:
        self._original_units = units

    def _check_units(self, units: str) -> None:
        """ValueError naming this signal when pint does not know ``units``."""
        try:
            _unit_registry().parse_expression(units)
        except Exception as exc:  # pint's parser raises several kinds, AssertionError among them
            raise ValueError(f"{self._describe_me()}: {units!r} are not units pint knows ({exc})") from exc

    def _units_of_original(self) -> str:
        """``original_units``; ValueError naming both signals when they are not known."""
        units = self.original_units
        if units is None:
            state = "reports no units" if self.derived_from.connected else "has not connected yet"
            raise ValueError(
                f"{self._describe_me()} does not know the units of {self.derived_from.name!r}, which {state}; "
                "pass original_units="
            )
        return units

    def _checked_offset(self) -> float:
        if self._user_offset is None:
            raise ValueError(f"{self._describe_me()}: user_offset must be set to a number, not None")
        return self._user_offset

    def forward(self, value: Any) -> Any:
        """Derived value -> original value: subtract ``user_offset``, convert to the original's units."""
        offset = self._checked_offset()
        return convert_unit(value - offset, self.derived_units, self._units_of_original())

    def inverse(self, value: Any) -> Any:
        """Original value -> derived value: convert to ``derived_units``, add ``user_offset``."""
        offset = self._checked_offset()
        return convert_unit(value, self._units_of_original(), self.derived_units) + offset

    # -- offset and limits --------------------------------------------------------------------------------
    @property
    def user_offset(self) -> float | None:
        """An offset in derived units, added to derived values and subtracted before writing.

        Changing it moves custom ``limits`` by the same amount and tells value subscribers the new value.
        """
        return self._user_offset

    @user_offset.setter
    def user_offset(self, offset: float) -> None:
        if not isinstance(offset, Real):
            raise ValueError(f"{self._describe_me()}: user_offset must be a number, not {offset!r}")
        old = self._checked_offset()
        self._user_offset = offset
        if self._custom_limits is not None:
            low, high = self._custom_limits
            self._custom_limits = (low + offset - old, high + offset - old)
        self._recalculate_value()

    def _recalculate_value(self) -> None:
        """Report the derived value anew to value subscribers (after the offset changed), if connected."""
        original = self.derived_from
        if not original.connected:
            return
        value = original.get()
        if value is None:
            return
        old, self._readback = self._readback, self.inverse(value)
        self._run_subs(
            old_value=old, value=self._readback, timestamp=original.timestamp, sub_type=self.SUB_VALUE
        )

    @property
    def limits(self) -> tuple[Any, Any]:
        """(low, high) in derived units: the custom limits if set, else the original's limits converted."""
        if self._custom_limits is not None:
            return self._custom_limits
        return super().limits

    @limits.setter
    def limits(self, value: tuple[float, float] | None) -> None:
        if value is None:
            self._custom_limits = None
            return
        if len(value) != 2 or value[0] >= value[1]:
            raise ValueError(
                f"{self._describe_me()}: custom limits must be a 2-tuple (low, high), not {value!r}"
            )
        self._custom_limits = (value[0], value[1])

    # -- units in the metadata ----------------------------------------------------------------------------
    @property
    def egu(self) -> str:
        """``derived_units``."""
        return self.derived_units

    @property
    def metadata(self) -> dict[str, Any]:
        """The original's metadata, with this signal's units and write access."""
        md = super().metadata
        md["units"] = self.derived_units
        return md

    def _on_original_meta(self, **kwargs: Any) -> None:
        if kwargs.get("connected") and kwargs.get("units") and self._original_units is None:
            self._original_units = kwargs["units"]
        kwargs["units"] = self.derived_units
        super()._on_original_meta(**kwargs)

    def describe(self) -> dict[str, DataKey]:
        """The DerivedSignal description with ``units`` set to ``derived_units`` and the original's control
        limits converted."""
        desc = super().describe()
        key: dict[str, Any] = desc[self.name]  # type: ignore[assignment]
        key["units"] = self.derived_units
        for field in ("lower_ctrl_limit", "upper_ctrl_limit"):
            if key.get(field) is not None:
                key[field] = self.inverse(key[field])
        return desc

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("derived_units", self.derived_units)
        yield ("original_units", self._original_units)
        if self._user_offset:
            yield ("user_offset", self._user_offset)
        if self._custom_limits is not None:
            yield ("limits", self._custom_limits)
