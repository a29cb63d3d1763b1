"""Every example notebook runs top to bottom and shows what its text says it shows (tests/notebook_runner.py)."""

from __future__ import annotations

import re

import pytest
from notebook_runner import NotebookRuns, _text


def test_staging_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("staging.ipynb")
    assert "prefix = 'trigger_with_pc'" in nb.output("launch_iocs(")
    assert "TriggeredDetector(prefix='trigger_with_pc'" in nb.output("set_and_wait(self.enabled, 1)")
    assert nb.output("# Staging should set it to 1").strip() == "1"
    assert "triggered_detector_reading" in nb.output("# Wait until it is done prior to reading")
    assert nb.output("went back to its previous state").strip() == "0"
    refused = nb.output("except RedundantStaging")
    assert "second stage() refused" in refused and "already staged" in refused
    assert nb.output("triggered_detector.unstage()\ntriggered_detector.unstage()").strip() == "0"
    table = nb.output("bp.count(")
    assert "triggered_detector_reading" in table
    assert len(re.findall(r"^\|\s+\d+ \|", table, re.MULTILINE)) == 3
    assert "after the plan: enabled = 0" in table
    assert "pid is now None" in nb.last
    assert not any("CA Repeater" in _text(cell) for cell in nb.cells)  # launch_iocs runs a repeater


def test_using_devices_notebook(notebooks: NotebookRuns) -> None:
    pytest.importorskip("matplotlib", reason="BestEffortCallback needs matplotlib")
    nb = notebooks("using_devices.ipynb")
    assert nb.output("stage.x.name").strip() == "'stage_x'"
    assert "'stage_x'" in nb.output("stage.x.read()")
    assert "exit_status='success'" in nb.output("RE(bps.mv(stage.x, 1.5))")
    rd = [cell for cell in nb.cells if cell.source.strip() == "RE(bps.rd(stage.x))"]
    assert [("plan_result=0.0" in _text(c), "plan_result=1.5" in _text(c)) for c in rd] == [
        (True, False),
        (False, True),
    ]
    table = nb.output("RE(bp.grid_scan([pdet]")
    assert "pdet_channel1_value" in table and "pdet_channel3_value" in table
    assert len(re.findall(r"^\|\s+\d+ \|", table, re.MULTILINE)) == 9
    files = nb.output("h5py.File(")
    assert "9 frames of (240, 320) uint8" in files
    assert "bdet_sum: /entry/sum" in files
    assert "runs go to the tiled catalog at http://127.0.0.1:" in nb.output("start_catalog(")
    kept = nb.output("runs = list(catalog.values())")
    assert "the catalog holds 2 runs: ['grid_scan', 'grid_scan']" in kept
    assert "bdet frames: (9, 240, 320)" in kept
    assert "pid is now None" in nb.last and "data directory removed: True" in nb.last


def test_single_pvs_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("single_pvs.ipynb")
    assert "'value': 1.0" in nb.output("gain.read()")
    assert "'precision': 3" in nb.output('desc = gain.describe()["gain"]')
    assert nb.output("status = gain.set(2.5)").strip() == "True True 2.5"
    timed_out = nb.output("except WaitTimeoutError:")
    assert "still acquiring: True" in timed_out and "acquired: True" in timed_out
    assert "refused:" in nb.output("except ReadOnlyError")
    assert "4 values seen" in nb.output("cid = reading.subscribe(on_reading)")
    recorded = re.search(r"recorded (\d+) values", nb.output("monitor_during_wrapper"))
    assert recorded is not None and int(recorded.group(1)) >= 3
    assert "pid is now None" in nb.last


def test_devices_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("devices.ipynb")
    assert nb.output("class TriggeredDetector(Device):").startswith("det_gain -> ")
    assert nb.output("det.trigger().wait(5)").strip() == "['det_reading']"
    assert nb.output("list(det.read_configuration())").strip() == "['det_gain', 'det_exposure_time']"
    assert nb.output("det.hints").strip() == "{'fields': ['det_reading']}"
    assert "*det_reading" in nb.output("det.summary()")
    kinds = nb.output('det.gain.kind = "normal"').splitlines()
    assert kinds[0] == "['det_gain', 'det_reading']"
    assert kinds[1] == "['reading'] ['gain', 'exposure_time']"
    stage = nb.output("class TwoAxisStage(Device):").splitlines()
    assert stage[0].endswith("mtr1.VAL")
    assert "'stage_x'" in stage[1] and "'stage_y'" in stage[1]
    assert abs(float(stage[2]) - 0.2) < 1e-3
    assert "pid is now None" in nb.last


def test_file_writing_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("file_writing.ipynb")
    described = nb.output("class BlobDetector(HDF5Detector):")
    assert "'bdet_sum'" in described and "'external': 'STREAM:'" in described
    by_hand = nb.output("bdet.stage()")
    assert by_hand.count("stream_resource") == 2 and by_hand.count("stream_datum") == 2
    assert "'indices': {'start': 0, 'stop': 2}" in by_hand
    scanned = nb.output("RE(bp.scan([bdet]")
    assert scanned.count("'event'") == 5 and "'stream_datum'" in scanned
    back = nb.output("h5py.File(path")
    assert "5 frames of (240, 320)" in back and "one per event (5)" in back
    sums = [int(s) for s in re.findall(r"sum (\d+),", back)]
    assert len(sums) == 5 and len(set(sums)) == 5  # the brightness changes with the stage position
    assert "pid is now None" in nb.last


def test_your_data_notebook(notebooks: NotebookRuns) -> None:
    pytest.importorskip("tiled.server", reason="the tiled extra is not installed")
    nb = notebooks("your_data.ipynb")
    assert re.search(
        r"tiled server http://127\.0\.0\.1:\d+ \(its own process, pid \d+\)", nb.output("start_catalog(")
    )
    assert "the catalog holds 2 runs" in nb.output("subscribe_catalog(RE, catalog)")
    found = nb.output("catalog.search(").splitlines()
    assert len(found) == 2
    assert "grid_scan ['pdet'] -> success" in found[0] and "grid_scan ['bdet'] -> success" in found[1]
    table = nb.output("to_dataframe()")
    rows = re.findall(r"^(\d) +([\d.]+) +([\d.]+)( +\d+){3}$", table, re.M)
    assert [(float(x), float(y)) for _, x, y, _ in rows] == [(x, y) for x in (1, 1.5, 2) for y in (2, 2.5, 3)]
    frames = nb.output("blob_frame(")
    assert "frames: (9, 240, 320) uint8, from external storage" in frames
    assert "equals the pattern formula: True" in frames
    (plot,) = [cell for cell in nb.cells if "plt.show()" in cell.source]
    assert any("image/png" in output.get("data", {}) for output in plot.outputs), "the plot was not shown"
    assert "tiled server running: False" in nb.last and "pid is now None" in nb.last


def test_motors_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("motors.ipynb")
    moved = nb.output('m1 = EpicsMotor(prefix + "mtr1", name="m1")')
    assert "limits (-100.0, 100.0) units mm" in moved
    assert "moving: True" in moved and "position 2.0 done True success True" in moved
    refused = nb.output("except LimitError")
    assert "refused:" in refused and "500" in refused and "position 2.0" in refused
    assert "stopped between 3 and 50: True success: False" in nb.output("m1.stop()")
    progress = re.search(
        r"(\d+) updates, the first \(([-\d.]+), ([\d.]+)\), the last \(([-\d.]+), ([\d.]+)\)",
        nb.output("status.watch("),
    )
    assert progress is not None and int(progress.group(1)) >= 2
    assert float(progress.group(5)) == 0.0 and float(progress.group(4)) == 3.0
    assert "axis at 1.5" in nb.output("class RecordAxis(PVPositioner):")
    slit = nb.output("class Slit(PseudoPositioner):")
    assert "gap 4.0 center 0.0" in slit and "blades -2.0 2.0" in slit
    assert "gaps scanned: [2.0, 4.0, 6.0] center 1.0" in nb.output("RE(bp.scan([], slit.gap")
    assert "pid is now None" in nb.last


def test_own_ioc_notebook(notebooks: NotebookRuns) -> None:
    nb = notebooks("own_ioc.ipynb")
    assert "heater IOC running" in nb.output("launch_iocs(ioc_file)")
    assert "temperature 25.0 done True" in nb.output("heater.set(25.0")
    assert "1 passed" in nb.output('[sys.executable, "-m", "pytest"')
    assert "pid is now None" in nb.last
