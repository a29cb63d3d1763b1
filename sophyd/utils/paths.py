"""Classic ophyd's ``ophyd.utils.paths``: make directories with given permissions, and a year's date tree.

Used to prepare the directories an IOC writes files into, where the permissions must let the IOC's user write.
"""

from __future__ import annotations

import calendar
import os

__all__ = ["make_dir_tree", "makedirs"]


def makedirs(path: str, *, mode: int = 0o777, mode_base: str | None = None) -> list[str]:
    """Make ``path`` and its missing parents; return the directories made, top first.

    Each new directory gets ``mode`` exactly (``os.makedirs`` applies the umask, so it is set again with
    chmod); with ``mode_base``, only ``mode_base`` and directories inside it get it, compared by whole path
    components. An existing ``path`` makes nothing and returns ``[]``.
    """
    if not path or os.path.exists(path):
        return []
    head, _ = os.path.split(path)
    made = makedirs(head, mode=mode, mode_base=mode_base)
    os.makedirs(path, mode=mode, exist_ok=True)
    if not mode_base or _inside(path, mode_base):
        os.chmod(path, mode)
    made.append(path)
    return made


def _inside(path: str, base: str) -> bool:
    """Whether ``path`` is ``base`` or below it, by path components (``/data/ab`` is not inside ``/data/a``)."""
    path, base = os.path.abspath(path), os.path.abspath(base)
    return os.path.commonpath((path, base)) == base


def make_dir_tree(year: int, *, base_path: str | None = None, mode: int = 0o777) -> list[str]:
    """Make ``<base_path>/<year>/<MM>/<DD>`` for every day of ``year``; return all those day directories.

    ``base_path`` defaults to the current directory; the directories made below it get ``mode``.
    """
    if base_path is None:
        base_path = os.getcwd()
    year_dir = os.path.join(base_path, str(year))
    paths = [
        os.path.join(year_dir, f"{month:02d}", f"{day:02d}")
        for month in range(1, 13)
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
    ]
    for path in paths:
        makedirs(path, mode=mode, mode_base=base_path)
    return paths
