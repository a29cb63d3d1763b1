"""Kind: which of read(), read_configuration() and hints a signal or device takes part in."""

from __future__ import annotations

import enum

__all__ = ["Kind"]


class Kind(enum.IntFlag):
    """Role of a component in a device's readings; ``hinted`` includes ``normal``."""

    omitted = 0b000
    normal = 0b001
    config = 0b010
    hinted = 0b101

    @classmethod
    def coerce(cls, value: Kind | str | int) -> Kind:
        """Accept a Kind, its name (``'config'``, ``'hinted|config'``) or an int, so users may write strings."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            kind = cls.omitted
            for part in value.split("|"):
                try:
                    kind |= cls[part.strip()]
                except KeyError:
                    raise ValueError(
                        f"Unknown kind {part.strip()!r}; expected one of {[k.name for k in cls]}"
                    ) from None
            return kind
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        raise TypeError(f"Kind must be a Kind, a string or an int, not {value!r}")
