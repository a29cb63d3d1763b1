"""areaDetector devices: classic ophyd's hierarchy (cameras, plugins, detectors) and sophyd's HDF5Detector.

As in classic ophyd, ``sophyd.areadetector`` exports the base classes, cameras, detectors, the common plugins
and the trigger mixins; ``sophyd.areadetector.plugins``, ``.cam``, ``.filestore_mixins``, ... hold the rest.
A submodule is imported on first use of one of its names, so that ``import sophyd`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._exports import EXPORTS, module_of

if TYPE_CHECKING:  # type checkers see every name; at run time __getattr__ imports them on first use
    from ._hdf5_detector import *  # noqa: F403
    from .base import *  # noqa: F403
    from .cam import *  # noqa: F403
    from .common_plugins import *  # noqa: F403
    from .detectors import *  # noqa: F403
    from .filestore_mixins import *  # noqa: F403
    from .paths import *  # noqa: F403
    from .plugins import *  # noqa: F403
    from .trigger_mixins import *  # noqa: F403

__all__ = [name for names in EXPORTS.values() for name in names]


def __getattr__(name: str) -> Any:
    """Import the submodule that exports ``name`` (or is named ``name``) and return the name's value (PEP 562);
    later lookups find it directly."""
    if (
        name in EXPORTS
    ):  # a submodule, as ``ophyd.areadetector.plugins`` is after ``import ophyd.areadetector``
        value = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = value
        return value
    module = module_of(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
