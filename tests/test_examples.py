"""examples/soft_scan.py runs as a script and prints the grid scan of the pattern physics (no IOC needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sophyd.sim.pattern import point_value

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "soft_scan.py"


def test_soft_scan_example_prints_the_pattern() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "stage.x is now 1.5" in out
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in out.splitlines()
        if line.startswith("|")
    ]
    header, data = rows[0], rows[1:]
    assert header[2:] == ["stage_x", "stage_y", "pdet_channel1", "pdet_channel2", "pdet_channel3"]
    assert len(data) == 9  # the 3 x 3 grid
    for row in data:
        x, y = float(row[2]), float(row[3])
        assert [int(v) for v in row[4:]] == [round(point_value(x, y, 0.1, i)) for i in (1, 2, 3)], row
