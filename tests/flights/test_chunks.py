"""The compaction of the incremental builder's kept rows (``flights.chunks.compacted``): a chunk
at least half dropped is rewritten alone (its live rows, in order), one with no live row let go,
the others kept as they are (the same tables, nothing copied), the younger half merged into one
beyond ``max_chunks``; the row indices returned follow the rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from skywitness.flights.chunks import compacted


def _chunks(*sizes: int) -> list[pa.Table]:
    start = np.cumsum([0, *sizes])[:-1]
    return [
        pa.table({"row": pa.array(np.arange(a, a + n))}) for a, n in zip(start, sizes, strict=True)
    ]


def _rows(chunks: list[pa.Table]) -> list[list[int]]:
    return [c["row"].to_pylist() for c in chunks]


def test_nothing_to_rewrite() -> None:
    chunks = _chunks(3, 2)
    assert compacted(chunks, np.ones(5, bool), 4) is None
    # one dropped row of three: not half
    assert compacted(chunks, np.array([1, 0, 1, 1, 1], bool), 4) is None


def test_sparse_chunks_rewritten_alone() -> None:
    chunks = _chunks(4, 3, 2)
    alive = np.array([1, 0, 0, 0, 1, 1, 0, 0, 0], bool)
    got = compacted(chunks, alive, 4)
    assert got is not None
    out, keep = got
    # the first (1 of 4 live) copied, the second (2 of 3) kept as it is, the third let go
    assert _rows(out) == [[0], [4, 5, 6]]
    assert out[1] is chunks[1]
    assert keep.tolist() == [0, 4, 5, 6]
    assert alive[keep].tolist() == [True, True, True, False]


def test_forced_every_dropped_row_goes() -> None:
    chunks = _chunks(4, 3)
    got = compacted(chunks, np.array([1, 1, 1, 0, 1, 0, 1], bool), 4, force=True)
    assert got is not None
    assert _rows(got[0]) == [[0, 1, 2], [4, 6]]
    assert got[1].tolist() == [0, 1, 2, 4, 6]


def test_younger_half_merged_beyond_max_chunks() -> None:
    chunks = _chunks(1, 1, 1, 1, 1)
    alive = np.ones(5, bool)
    got = compacted(chunks, alive, 4)
    assert got is not None
    out, keep = got
    assert _rows(out) == [[0], [1], [2], [3, 4]]
    assert [c is o for c, o in zip(chunks[:3], out[:3], strict=True)] == [True, True, True]
    assert out[3]["row"].num_chunks == 1
    assert keep.tolist() == [0, 1, 2, 3, 4]
