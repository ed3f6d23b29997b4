"""The kept rows of the incremental ``FlightBuilder`` (``incremental``): a table per past update
(a chunk, ``hold``), its rows dropped as they age out or are cut (``release``), and now and then
chunks rewritten without their dropped rows (``compacted``). Per aircraft code the builder counts
the rows it holds and the time of the oldest, kept up to date as rows come and go (O(new rows) a
step, and O(rows held) only where rows are dropped): a step's cut and retention read them instead
of counting every row held (a bincount and a ``np.minimum.at`` over ~20 million rows a step at
100,000 frames/s), and a step that drops nothing looks at no row held.

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

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .rowarrays import ALWAYS
from .rowarrays import holds_own_buffers as _own

if TYPE_CHECKING:
    from .incremental import FlightBuilder

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]


def hold(b: FlightBuilder, rows: pa.Table, code: I8, ms: I8) -> None:
    """Keep ``rows`` (aircraft ``code``, times ``ms`` per row) as a chunk of ``b``'s rows: a
    copy, unless they hold their own buffers (a data-time window's, taken alone): a slice of
    the caller's table would keep all of it alive while a row is held."""
    b._chunks.append(rows if _own(rows) else rows.take(pa.array(np.arange(rows.num_rows))))
    b._k_code = np.concatenate((b._k_code, code))
    b._k_ms = np.concatenate((b._k_ms, ms))
    b._k_alive = np.concatenate((b._k_alive, np.ones(ms.shape[0], dtype=bool)))
    b._held += np.bincount(code, minlength=b._held.shape[0])
    np.minimum.at(b._oldest, code, ms)


def release(b: FlightBuilder, rows: B1, oldest: I8 | None = None) -> None:
    """Drop ``b``'s held rows where ``rows`` (flat, as ``b._k_alive``; dropped ones again:
    nothing); ``oldest``: per code, the time of the oldest row left of each aircraft that
    loses rows, where the caller knows it (else found among that aircraft's rows)."""
    gone = rows & b._k_alive
    lost = np.bincount(b._k_code[gone], minlength=b._held.shape[0])
    b._k_alive &= ~gone
    b._held -= lost
    hit = lost > 0
    if oldest is not None:
        b._oldest[hit] = oldest[hit]
        return
    if hit.any():
        b._oldest[hit] = ALWAYS
        sel = np.flatnonzero(b._k_alive & hit[b._k_code])
        np.minimum.at(b._oldest, b._k_code[sel], b._k_ms[sel])


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
