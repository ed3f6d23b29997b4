"""Issue 11 acceptance: on every shared real trajectory, the flight ends whose airport is clear
from the data itself (``truth.clear_truth``: within 3 km of one airport, under 1,000 ft above
it, moving the right way) are given that airport — at least 99.5 % of them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from .truth import Geometry, clear_ends, trajectory_files

MIN_SHARE = 0.995


def test_clear_ends_get_their_airport(trajectories: Path, runways: pa.Table) -> None:
    geo = Geometry.of(runways)
    files = trajectory_files(trajectories)
    ends = [e for f in files for e in clear_ends(f, trajectories, runways, geo)]
    wrong = [e for e in ends if e.got != e.truth]
    share = 1.0 - len(wrong) / len(ends)
    print(
        f"\nclear flight ends over {len(files)} real trajectory files: {len(ends)}, "
        f"right airport {len(ends) - len(wrong)} ({share:.2%})"
    )
    for e in wrong:
        print(f"  wrong: {e}")
    assert len(files) == 56
    assert len(ends) >= 300  # the check covers real ground: hundreds of ends, not a handful
    assert share >= MIN_SHARE
