"""Classic ophyd's ``setup_ophyd()``, kept so that old startup files run: sophyd needs no setup call."""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["setup"]


def setup(*args: Any, **kwargs: Any) -> None:
    """Do nothing but warn (DeprecationWarning): sophyd is ready once imported.

    Classic ophyd's startup files call ``setup_ophyd()``; with sophyd the call can simply be deleted.
    """
    warnings.warn(
        "setup_ophyd() is not needed with sophyd and does nothing; delete the call",
        DeprecationWarning,
        stacklevel=2,
    )
