"""The decoder's per-frame reject reasons, counted into the run's ``IngestStats``.

Shared by ``decode`` (``runtime.pipeline.decode_tables``) and the one ingest step
(``track.ingest_step``): here, beside the decoder, so ``decode`` counts them without loading
the tracker's modules (start-up, issue 18).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import FrameBatch, Messages, RejectReason
from ..stats import IngestStats


def count_decode_rejects(
    frames: FrameBatch,
    msgs: Messages,
    stats: IngestStats,
    rows: npt.NDArray[np.int64] | None = None,
) -> None:
    """Add the decoder's per-frame reject reasons to ``stats`` (strict: raise on the first);
    ``rows``: of these rows only (one source's, in a chunk of several)."""
    reject = msgs.reject if rows is None else msgs.reject[rows]
    bad = np.flatnonzero(reject)
    if bad.size == 0:
        return
    if stats.strict:
        i = int(bad[0]) if rows is None else int(rows[bad[0]])
        stats.reject(
            RejectReason(int(msgs.reject[i])),
            frames.source,
            detail=f"frame {frames.hex(i)} at t={frames.timestamp[i]:.6f}",
        )
    counts = np.bincount(reject[bad], minlength=len(RejectReason))
    for code in np.flatnonzero(counts):
        stats.reject(RejectReason(int(code)), frames.source, count=int(counts[code]))
