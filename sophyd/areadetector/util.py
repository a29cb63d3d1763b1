"""Classic ophyd's ``areadetector.util``: Python stubs of a camera class written from its EPICS database files.

A developer tool for a driver sophyd has no class for: ``stub_templates('/path/to/ADDriver/Db')`` yields the
lines of one class per ``.db``/``.template`` file, a component per record, named from the PV in snake case
(``get_prop_name``); a record with an ``_RBV`` twin becomes one ``SignalWithRBV`` component, a lone ``_RBV``
a read-only one. Records the base class already has are left out.
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from ..utils.epics_pvs import records_from_db
from .base import EpicsSignalWithRBV
from .detectors import AreaDetector

__all__ = ["StubInfo", "create_detector_stub", "get_prop_name", "get_stub_info", "stub_templates"]


class StubInfo(NamedTuple):
    """One component of a stub: ``signal_type`` is 'ro', 'rw' or 'with_rbv'; ``record`` the PV suffix."""

    signal_type: str
    record: str


def get_prop_name(pv: str) -> str:
    """The attribute name for a camel-case areaDetector PV suffix: ``AcquireTime`` -> ``acquire_time``.

    All capitals stay one word (``GAIN_X`` -> ``gain_x``); leading capitals are a word but for the last,
    which starts the next (``TESTOne`` -> ``test_one``); one-letter pieces join their neighbour.
    """
    if re.fullmatch("[A-Z0-9_]+", pv):
        return pv.lower()
    leading = re.match("[A-Z0-9]+", pv)
    if leading:
        caps = leading.group()
        pv = f"{caps[:-1].lower()}_{caps[-1].lower()}{pv[len(caps) :]}"
    words: list[str] = []
    for piece in re.findall("[a-z0-9:]+|[:A-Z0-9]+", pv):
        if words and len(words[-1]) == 1:
            words[-1] += piece
        else:
            words.append(piece)
    return "_".join(words).lower()


def _suffixes_from_device(devcls: type) -> Iterator[str]:
    """The PV suffixes of ``devcls``'s own components (with ``_RBV`` for a SignalWithRBV)."""
    for cpt in getattr(devcls, "_sig_attrs", {}).values():
        defn = getattr(cpt, "defn", None)
        if defn is not None:
            items = [(cls, suffix) for cls, suffix, _ in defn.values()]
        elif getattr(cpt, "suffix", None) is not None:
            items = [(cpt.cls, cpt.suffix)]
        else:
            items = []
        for cls, suffix in items:
            yield suffix
            if isinstance(cls, type) and issubclass(cls, EpicsSignalWithRBV):
                yield f"{suffix}_RBV"


def get_stub_info(
    db_file: str | os.PathLike[str], macros: Sequence[str] | None = None, base_class: type = AreaDetector
) -> Iterator[StubInfo]:
    """The components of a stub for ``db_file``, sorted by record, leaving out ``base_class``'s.

    ``macros`` are removed from the record names (default ``('$(P)$(R)',)``). ValueError if ``base_class`` is
    not a class.
    """
    if not inspect.isclass(base_class):
        raise ValueError(f"base_class should be a class, got {base_class!r} instead")
    if macros is None:
        macros = ("$(P)$(R)",)

    def without_macros(record: str) -> str:
        for macro in macros:
            record = record.replace(macro, "")
        return record

    records = {without_macros(record) for _, record in records_from_db(db_file)}
    records -= set(_suffixes_from_device(base_class))
    readbacks = {record for record in records if record.endswith("_RBV")}
    settings = records - readbacks
    lone_readbacks = {record for record in readbacks if record[: -len("_RBV")] not in settings}
    for record in sorted(settings | lone_readbacks):
        if record in lone_readbacks:
            yield StubInfo(signal_type="ro", record=record)
        else:
            yield StubInfo(signal_type="with_rbv" if f"{record}_RBV" in readbacks else "rw", record=record)


def create_detector_stub(
    db_file: str | os.PathLike[str],
    macros: Sequence[str] | None = None,
    base_class: type = AreaDetector,
    property_name_fcn: Callable[[str], str] | None = None,
    det_name: str | None = None,
    cpt_class: str = "C",
    signal_rbv_class: str = "SignalWithRBV",
    signal_rw_class: str = "EpicsSignal",
    signal_ro_class: str = "EpicsSignalRO",
) -> Iterator[str]:
    """The lines of a class stub for ``db_file``: ``class <det_name>(<base_class>):`` then one component each,
    grouped by kind ('ro', 'rw', 'with_rbv') and sorted by record within each, as classic orders them.

    ``det_name`` defaults to ``<file name without extension>DetectorCam``; ``property_name_fcn`` (default
    ``get_prop_name``) names the attributes; the ``*_class`` strings are written as the component and signal
    classes.
    """
    if det_name is None:
        det_name = os.path.splitext(os.path.basename(db_file))[0] + "DetectorCam"
    name_of = property_name_fcn or get_prop_name
    classes = {"ro": signal_ro_class, "rw": signal_rw_class, "with_rbv": signal_rbv_class}
    yield f"class {det_name}({base_class.__name__}):"
    yield "    _html_docs = ['']"
    for info in sorted(get_stub_info(db_file, macros=macros, base_class=base_class)):  # read-only ones first
        yield f"    {name_of(info.record)} = {cpt_class}({classes[info.signal_type]}, {info.record!r})"


def stub_templates(path: str | os.PathLike[str], **kwargs: Any) -> Iterator[str]:
    """The stub lines of every ``.db`` and ``.template`` file in the directory ``path`` (keywords as for
    ``create_detector_stub``)."""
    for name in sorted(os.listdir(path)):
        if name.endswith((".db", ".template")):
            yield from create_detector_stub(os.path.join(path, name), **kwargs)
