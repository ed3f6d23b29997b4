"""Duplicate merging against a plain-Python reference, on the jet1090 capture with repeats."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.model import FrameBatch
from skywitness.sources import Deduplicator, open_source
from skywitness.stats import IngestStats


def _reference(frames: list[str], times: list[float], window: float) -> list[int]:
    """Kept row indices: a frame is merged when its first kept copy is within the window."""
    order = sorted(range(len(frames)), key=lambda i: (frames[i], times[i]))
    kept: list[int] = []
    start: dict[str, float] = {}
    for i in order:
        f = frames[i]
        if len(f) == 4 or f not in start or times[i] - start[f] > window:
            start[f] = times[i]
            kept.append(i)
    return sorted(kept)


@pytest.fixture(scope="module")
def tutorial(shared_data: Path) -> FrameBatch:
    src = open_source(str(shared_data / "traffic-raw-frames/tutorial.jsonl.gz"))
    return FrameBatch.concat(list(src))  # type: ignore[arg-type]


def test_tutorial_duplicates(tutorial: FrameBatch) -> None:
    stats = IngestStats()
    d = Deduplicator(window_s=0.01, stats=stats)
    out = FrameBatch.concat([d.filter(tutorial.take(np.arange(i, min(i + 20000, len(tutorial)))))
                             for i in range(0, len(tutorial), 20000)])  # fmt: skip
    hexes = [tutorial.hex(i) for i in range(len(tutorial))]
    ref = _reference(hexes, tutorial.timestamp.tolist(), 0.01)
    assert len(out) == len(ref)
    assert [out.hex(i) for i in range(len(out))] == [hexes[i] for i in ref]
    merged = len(tutorial) - len(out)
    assert stats.rejected["duplicate"] == merged
    assert merged == len(tutorial) - len(ref) and 7000 < merged < 8000


def test_copies_counted() -> None:
    f1, f2 = "8d4840d6202cc371c32ce0576098", "5d4840d6f87407"
    b = FrameBatch.from_hex(
        [f1, f1, f2, f1, "02e1", "02e1", f1], [0.0, 0.001, 0.0, 0.002, 0, 0, 0.5]
    )
    stats = IngestStats(strict=True)  # merged copies are a tally, never a strict-mode error
    d = Deduplicator(window_s=0.1, stats=stats)
    out = d.filter(b)
    assert stats.rejected == {"duplicate": 2}
    assert [out.hex(i) for i in range(len(out))] == [f1, f2, "02e1", "02e1", f1]
    assert d.last_copies.tolist() == [3, 1, 1, 1, 1]
    # a copy in the next batch, still within the window of the first copy, is merged
    again = d.filter(FrameBatch.from_hex([f1, f2], [0.55, 0.2]))
    assert [again.hex(i) for i in range(len(again))] == [f2]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["8d4840d6202cc371c32ce0576098", "5d4840d6f87407", "02e1"]),
            st.integers(0, 400),
        ),
        max_size=60,
    ),
    st.integers(1, 5),
)
def test_matches_reference(rows: list[tuple[str, int]], nbatches: int) -> None:
    frames = [r[0] for r in rows]
    times = sorted(r[1] / 1000 for r in rows)  # batches arrive in time order
    d = Deduplicator(window_s=0.05)
    kept: list[int] = []
    edges = np.linspace(0, len(rows), nbatches + 1).astype(int)
    for a, b in itertools.pairwise(edges):
        batch = FrameBatch.from_hex(frames[a:b], times[a:b])
        batch.ticks[:] = np.arange(a, b, dtype=np.uint64)  # row ids ride along
        kept += d.filter(batch).ticks.tolist()
    assert sorted(kept) == _reference(frames, times, 0.05)


def test_receivers_that_heard_a_merged_frame_are_kept() -> None:
    from skywitness.model import FrameBatch
    from skywitness.sources.dedup import Deduplicator

    hexes = ["8f393322384a02aea63afc43dcba", "8f393322384a02aea63afc43dcba", "5f4001594b0fbb"]
    batch = FrameBatch.from_hex(hexes, [100.0, 100.001, 100.002], source="net")
    batch.receiver[:] = [7, 9, 7]
    dd = Deduplicator()
    out = dd.filter(batch)
    assert len(out) == 2
    assert dd.last_copies.tolist() == [2, 1]
    assert dd.last_receivers == {0: (7, 9)}
