"""Version families of classes: ``class X(Base, version=..., version_of=Base)`` and select_version().

Classic ophyd lets a class declare which version of a device it describes (areaDetector plugins, say, whose PVs
changed between releases), and code pick the newest class that a given IOC version supports.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["register_version", "select_version"]

logger = logging.getLogger("sophyd.objects")


def select_version(cls: type, version: Any) -> type:
    """The class of ``cls``'s version family with the highest version that is not above ``version``.

    Versions compare as the values they were declared with (tuples, say). Raises ValueError when ``cls`` has no
    version family or none of its versions qualifies.
    """
    info = getattr(cls, "_class_info_", None)
    if info is None:
        raise ValueError(
            f"{cls.__name__} has no versions: declare them with class X({cls.__name__}, version=...)"
        )
    candidates = [known for known in info["versions"] if known <= version]
    if not candidates:
        raise ValueError(
            f"{cls.__name__} has no version at or below {version!r}; known: {sorted(info['versions'])!r}"
        )
    result: type = info["versions"][max(candidates)]
    return result


def register_version(cls: type, version: Any, version_of: type | None, version_type: Any) -> None:
    """Record ``cls`` in its version family (see the module docstring); called when a subclass is made.

    ``version_type`` alone starts a family in a base class without a version of its own. Raises RuntimeError
    for ``version_of`` without ``version``, for a ``version_type`` other than the family's, and for a
    ``version_of`` that is not a base of ``cls``.
    """
    if version is None:
        if version_of is not None:
            raise RuntimeError(f"{cls.__name__}: version_of={version_of.__name__} needs a version as well")
        if version_type is not None:
            cls._class_info_ = {  # type: ignore[attr-defined]
                "versions": {},
                "version": None,
                "version_type": version_type,
                "version_of": None,
            }
        return
    if version_of is None:
        versions: dict[Any, type] = {}
        version_of = cls
    else:
        family = version_of._class_info_  # type: ignore[attr-defined]
        versions = family["versions"]
        if version_type is None:
            version_type = family["version_type"]
        elif version_type != family["version_type"]:
            raise RuntimeError(
                f"{cls.__name__}: version_type {version_type!r} differs from {family['version_type']!r}, the "
                f"version_type of {version_of.__name__}'s family"
            )
        if not issubclass(cls, version_of):
            raise RuntimeError(
                f"{cls.__name__} is not a subclass of {version_of.__name__}, so it cannot be one of its versions"
            )
    if version in versions:
        logger.warning("Redefining %r version %s: old=%r new=%r", version_of, version, versions[version], cls)
    versions[version] = cls
    cls._class_info_ = {  # type: ignore[attr-defined]
        "versions": versions,
        "version": version,
        "version_type": version_type,
        "version_of": version_of,
    }
