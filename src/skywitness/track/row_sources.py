"""Rows of several sources in one chunk: each row's source, for one ingest step over all.

``serve`` reads many receivers at once; tracking each receiver's small batches alone paid the
fixed cost of a tracker step (some 2 ms of array calls) hundreds of times a second. The live
tracker thread merges what its queue holds (frames, or ``Observations``) into one chunk and
says here which source each row came from, so that every state vector still names its own
source and each source's rejects are still counted under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..runs import run_starts, run_stops
from ..stats import IngestStats

I8 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class RowSources:
    """``code``: each row's source as an index into ``names``; ``rejects``: each name's
    ``IngestStats`` for the decoder's rejects (aligned with ``names``)."""

    names: tuple[str, ...]
    code: I8
    rejects: tuple[IngestStats, ...]

    def take(self, rows: npt.NDArray[Any]) -> RowSources:
        return RowSources(self.names, self.code[rows], self.rejects)

    def rows_of(self) -> list[tuple[int, I8]]:
        """(name index, its rows) for each name with rows, in name order."""
        order = np.argsort(self.code, kind="stable")
        codes = self.code[order]
        starts = run_starts(codes)
        ends = run_stops(starts, codes.size)
        return [
            (int(codes[a]), order[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
