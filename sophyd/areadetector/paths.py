"""EpicsPathSignal (and classic's set_and_wait_path): an areaDetector file-path PV pair whose set() compares paths.

A file plugin's ``FilePath`` PV is written as the plan gives it and read back as the IOC normalised it (a
trailing separator added, Windows separators on a Windows IOC), so a string comparison of setpoint and
readback would never settle. The path semantics of the IOC's operating system decide equality instead.
"""

from __future__ import annotations

import ntpath
import posixpath
from collections.abc import Iterator
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from .._epics_signal import EpicsSignal
from .._signal import put_and_wait

__all__ = ["OS_NAME_TO_PATH_CLASS", "OS_SEPARATORS", "EpicsPathSignal", "path_compare", "set_and_wait_path"]

#: The path classes of the operating systems an areaDetector IOC runs on, by ``os.name``.
OS_NAME_TO_PATH_CLASS: dict[str, type[PurePath]] = {"nt": PureWindowsPath, "posix": PurePosixPath}
#: The path separator of each of those operating systems.
OS_SEPARATORS: dict[str, str] = {"nt": ntpath.sep, "posix": posixpath.sep}


def path_compare(path_a: Any, path_b: Any, semantics: str) -> bool:
    """True when the two paths name the same place under ``semantics`` ('nt' or 'posix')."""
    try:
        path_class = OS_NAME_TO_PATH_CLASS[semantics]
    except KeyError:
        raise ValueError(f"Unknown path semantics: {semantics!r} (known: 'nt', 'posix')") from None
    return bool(path_class(str(path_a)) == path_class(str(path_b)))


def set_and_wait_path(
    signal: Any, val: Any, *, path_semantics: str, poll_time: float = 0.01, timeout: float | None = 10
) -> None:
    """Put the path ``val`` to ``signal`` and wait until the signal reads back the same path.

    Classic ophyd's helper, for code that calls it; ``EpicsPathSignal.set()`` does the same and returns a
    status. ``val`` gets a trailing separator of ``path_semantics`` ('posix' or 'nt') when it has none, as the
    IOC adds one; ``signal`` is anything with get() and put(). Waits as ``set_and_wait`` does: woken by the
    signal's updates, re-reading at least every ``10 * poll_time`` s. TimeoutError after ``timeout`` seconds
    (None: no limit); ValueError for unknown path semantics, before anything is put.
    """
    if path_semantics not in OS_SEPARATORS:
        raise ValueError(
            f"set_and_wait_path({getattr(signal, 'name', signal)!r}, {val!r}): unknown path semantics "
            f"{path_semantics!r} (known: 'nt', 'posix')"
        )
    val = str(val)
    if not val.endswith(tuple(OS_SEPARATORS.values())):
        val += OS_SEPARATORS[path_semantics]
    name = getattr(signal, "name", signal)

    def timed_out(current: Any) -> BaseException:
        return TimeoutError(
            f"Attempted to set {name!r} to {val!r} and timed out after {timeout!r} seconds. "
            f"Current value is {current!r}."
        )

    put_and_wait(
        signal, val, lambda current: path_compare(current, val, path_semantics), poll_time, timeout, timed_out
    )


def _check_semantics(semantics: str, who: str) -> None:
    """Refuse path semantics other than 'nt' and 'posix', naming the signal."""
    if semantics not in OS_NAME_TO_PATH_CLASS:
        raise ValueError(f"{who}: unknown path semantics {semantics!r} (known: 'nt', 'posix')")


class EpicsPathSignal(EpicsSignal):
    """A path PV pair in the areaDetector convention: writes ``write_pv``, reads ``write_pv + '_RBV'``.

    ``path_semantics`` ('posix' or 'nt') is the IOC's operating system: set() is done when the readback is
    the same path as the value, so ``/data/x/`` and ``/data/x`` match. A ``write_pv`` given with its ``_RBV``
    is taken without it, as classic ophyd does.
    """

    def __init__(self, write_pv: str, *, path_semantics: str, string: bool = True, **kwargs: Any) -> None:
        _check_semantics(path_semantics, f"EpicsPathSignal {kwargs.get('name', write_pv)!r} ({write_pv})")
        if string is not True:
            raise ValueError(
                f"EpicsPathSignal {kwargs.get('name', write_pv)!r} ({write_pv}): a path PV is a string; "
                f"string={string!r} is refused"
            )
        write_pv = write_pv.removesuffix("_RBV")
        self._path_semantics = path_semantics
        super().__init__(f"{write_pv}_RBV", write_pv=write_pv, string=True, **kwargs)

    @property
    def path_semantics(self) -> str:
        """The IOC's operating system, 'posix' or 'nt': how paths compare and which separator they use."""
        return self._path_semantics

    @path_semantics.setter
    def path_semantics(self, value: str) -> None:
        _check_semantics(value, self._describe_me())
        self._path_semantics = value

    def _matches(
        self, current: Any, target: Any, atol: float | None = None, rtol: float | None = None
    ) -> bool:
        """The readback names the same path as the setpoint (trailing separators aside)."""
        if current is None or target is None:
            return False
        return path_compare(current, target, self.path_semantics)

    @property
    def separator(self) -> str:
        """The IOC's path separator ('/' or '\\\\')."""
        return OS_SEPARATORS[self.path_semantics]

    def _repr_info(self) -> Iterator[tuple[str, Any]]:
        yield from super()._repr_info()
        yield ("path_semantics", self.path_semantics)
