"""The tracker's own rejects counted under each row's source: a merged step (``serve``'s
tracker thread, ``track/row_sources.py``) holds rows of many sources, and strict mode names the
source of the first bad row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import Observations, RejectReason
from ..stats import IngestStats
from .row_sources import RowSources

Arr = npt.NDArray[Any]


def count_by_source(
    stats: IngestStats, reason: RejectReason, codes: Arr, names: Sequence[str]
) -> None:
    """Rows rejected for ``reason``, given as each one's source (an index of ``names``)."""
    counts = np.bincount(codes, minlength=len(names))
    for j in np.flatnonzero(counts).tolist():
        stats.reject(reason, names[j], count=int(counts[j]))


def count_unusable(
    stats: IngestStats, obs: Observations, keep: Arr, untimed: Arr, rs: RowSources | None
) -> None:
    """Reports with no time, or no address, counted (strict: raised) under their source."""
    parts = [(obs.source, np.arange(len(obs)))] if rs is None else [
        (rs.names[j], rows) for j, rows in rs.rows_of()
    ]  # fmt: skip
    kept = np.zeros(len(obs), dtype=np.bool_)
    kept[keep] = True
    for name, rows in parts:
        n_untimed = int(np.count_nonzero(untimed[rows]))
        stats.reject(RejectReason.BAD_TIMESTAMP, name, count=n_untimed)
        n_bad = rows.shape[0] - int(np.count_nonzero(kept[rows])) - n_untimed
        stats.reject(RejectReason.BAD_RECORD, name, count=n_bad)
