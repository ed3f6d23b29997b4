"""The compaction of the incremental ``FlightBuilder``'s kept rows (``incremental``): a table per
past update (a chunk), its rows dropped as they age out or are cut, and now and then chunks
rewritten without their dropped rows.

A chunk is rewritten alone (its live rows copied) once at least half its rows are dropped (none
left: let go, nothing copied); where there are more than ``max_chunks`` the younger half is
merged into one. So a compaction costs the chunks it rewrites, not every row held: merging every
chunk into one each time (as before) copied all the rows held at once, ~20 million at 20,000
state vectors a second: a step's CPU several times over, and the child's RSS doubled for that
step. Each row is copied about once by the first rule (a chunk's live rows halve between two
copies) and once per ``max_chunks / 2`` steps by the second. Rows keep their order (the flat
order, chunk by chunk).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]


def compacted(
    chunks: list[pa.Table], alive: B1, max_chunks: int, *, force: bool = False
) -> tuple[list[pa.Table], I8] | None:
    """The chunks rewritten (see the module) and the flat row indices (of ``chunks``) of
    their rows, in order; None where none is rewritten. ``alive``: per row of the chunks
    (flat); ``force``: every chunk without its dropped rows."""
    if len(chunks) <= max_chunks and bool(alive.all()):
        return None
    sizes = np.array([c.num_rows for c in chunks], dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    cum = np.r_[0, np.cumsum(alive, dtype=np.int64)]
    live = cum[offsets[1:]] - cum[offsets[:-1]]
    sparse = (2 * live < sizes) | (force & (live < sizes))
    kept = np.flatnonzero(live > 0)
    young = kept.shape[0] // 2 if kept.shape[0] > max_chunks else 0
    if not sparse.any() and not young:
        return None
    out: list[pa.Table] = []
    rows: list[I8] = []
    for c in kept.tolist():
        lo, hi = int(offsets[c]), int(offsets[c + 1])
        if sparse[c]:
            idx = np.flatnonzero(alive[lo:hi])
            out.append(chunks[c].take(pa.array(idx)))
            rows.append(idx + lo)
        else:
            out.append(chunks[c])
            rows.append(np.arange(lo, hi, dtype=np.int64))
    if young:
        # (a merged chunk keeps its dropped rows where it was not sparse: they go with it)
        out[len(out) - young :] = [pa.concat_tables(out[len(out) - young :]).combine_chunks()]
    return out, np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
