"""sophyd.sim.SynSignalWithRegistry, classic ``ophyd.sim``'s signal that saves its values to ``.npy`` files and
announces them with resource/datum documents, and NumpySeqHandler, which reads them back. No IOC is needed.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bluesky import RunEngine
from bluesky.plans import count
from event_model import DocumentNames, schema_validators

from sophyd.errors import OpException
from sophyd.sim import NumpySeqHandler, SynSignalWithRegistry

TIMEOUT = 5.0


def frames() -> Any:
    """A function giving 3x4 frames filled with 0, 1, 2, ... (so each saved file tells which trigger it is)."""
    counter = itertools.count()
    return lambda: np.full((3, 4), next(counter), dtype=np.int64)


def test_a_count_saves_each_value_and_events_point_at_the_files(RE: RunEngine, tmp_path: Path) -> None:
    img = SynSignalWithRegistry(frames(), name="img", save_path=str(tmp_path))
    docs: list[tuple[str, dict[str, Any]]] = []
    RE(count([img], num=3), lambda name, doc: docs.append((name, doc)))

    names = [name for name, _ in docs]
    assert names.count("resource") == 1 and names.count("datum") == 3 and names.count("event") == 3
    for name, doc in docs:  # every document is valid by event-model's schemas
        schema_validators[DocumentNames(name)].validate(doc)
    position = {doc.get("datum_id") or doc["uid"]: i for i, (_, doc) in enumerate(docs)}
    for i, (name, doc) in enumerate(docs):
        if name == "event":  # the resource and the datum come before the event that uses them
            assert names.index("resource") < position[doc["data"]["img"]] < i
    start = next(doc for name, doc in docs if name == "start")
    resource = next(doc for name, doc in docs if name == "resource")
    assert resource["spec"] == "NPY_SEQ" and resource["root"] == str(tmp_path)
    assert resource["run_start"] == start["uid"] and resource["path_semantics"] == "posix"
    descriptor = next(doc for name, doc in docs if name == "descriptor")
    assert descriptor["data_keys"]["img"]["external"] == "FILESTORE"
    assert descriptor["data_keys"]["img"]["shape"] == [3, 4]

    datums = {doc["datum_id"]: doc for name, doc in docs if name == "datum"}
    handler = NumpySeqHandler(resource["resource_path"], root=resource["root"])
    events = [doc for name, doc in docs if name == "event"]
    for expected, event in enumerate(events):
        datum = datums[event["data"]["img"]]
        assert datum["resource"] == resource["uid"]
        assert datum["datum_id"] == f"{resource['uid']}/{expected}"
        # frames() gave frame 0 when the signal was made: trigger n saves frame n + 1
        np.testing.assert_array_equal(handler(**datum["datum_kwargs"]), np.full((3, 4), expected + 1))
    files = handler.get_file_list(datum["datum_kwargs"] for datum in datums.values())
    assert sorted(Path(f) for f in files) == sorted(
        tmp_path.iterdir()
    )  # three files, all in the given directory
    assert len(files) == 3


def test_each_stage_starts_a_new_resource_and_unstage_drops_what_was_not_collected(tmp_path: Path) -> None:
    img = SynSignalWithRegistry(frames(), name="img", save_path=str(tmp_path))
    img.stage()
    img.trigger().wait(TIMEOUT)
    first = list(img.collect_asset_docs())
    assert [name for name, _ in first] == ["resource", "datum"]
    assert list(img.collect_asset_docs()) == []  # collected once
    img.trigger().wait(TIMEOUT)
    img.unstage()
    assert list(img.collect_asset_docs()) == [] and img.read() == {}
    img.stage()
    img.trigger().wait(TIMEOUT)
    second = list(img.collect_asset_docs())
    assert second[0][1]["uid"] != first[0][1]["uid"]
    assert second[1][1]["datum_kwargs"] == {"index": 0}  # datum numbers restart with each resource
    img.unstage()


def test_trigger_needs_a_stage_and_saves_the_value_after_the_exposure(tmp_path: Path) -> None:
    img = SynSignalWithRegistry(frames(), name="img", save_path=str(tmp_path), exposure_time=0.05)
    with pytest.raises(OpException, match=r"img.*staged"):
        img.trigger()
    img.stage()
    try:
        img.trigger().wait(TIMEOUT)
        _, datum = list(img.collect_asset_docs())[-1]
        assert img.read()["img"]["value"] == datum["datum_id"]
        # the value of this trigger (frame 1: frames() gave 0 at construction), not the one before the exposure
        saved = next(tmp_path.iterdir())
        np.testing.assert_array_equal(np.load(saved), np.full((3, 4), 1))
    finally:
        img.unstage()


def test_save_path_defaults_to_a_temporary_directory_made_when_needed() -> None:
    img = SynSignalWithRegistry(lambda: 7.5, name="scalar")
    assert img._save_path is None  # nothing is made on disk by constructing it
    path = Path(img.save_path)
    assert path.is_dir() and list(path.iterdir()) == []
    img.stage()
    img.trigger().wait(TIMEOUT)
    img.unstage()
    (saved,) = path.iterdir()
    assert saved.suffix == ".npy" and float(np.load(saved)) == 7.5
