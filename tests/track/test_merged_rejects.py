"""A merged frame step (``serve``'s tracker thread: ``runtime/gather.py``) counts the tracker's
own rejects under each row's source, not the step's first source (``track/row_sources.py``).

The frames are real: an ADS-B velocity message (``sample_data_adsb.csv``) and a Comm-B reply
(``sample_data_commb_df20.csv``) of an aircraft never heard in DF11/17/18, from pyModeS's test
data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from skywitness.errors import InputError
from skywitness.model import FrameBatch, RejectReason
from skywitness.stats import IngestStats
from skywitness.track import Tracker
from skywitness.track.ingest_step import IngestStep
from skywitness.track.row_sources import RowSources

T0 = 1457996400.0


def _first_frame(path: Path) -> str:
    """The hex frame of the file's first line (its last field of hex digits)."""
    line = path.read_text(encoding="utf-8-sig").splitlines()[0]
    return next(f.strip('"') for f in line.split(",") if len(f.strip('"')) == 28)


class Recording(IngestStats):
    """``IngestStats`` that also keeps the source each reject is counted under."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.named: list[tuple[str, str, int]] = []

    def reject(self, reason: RejectReason, source: str, *, count: int = 1, **kw: Any) -> None:
        if count > 0:
            self.named.append((reason.label, source, count))
        super().reject(reason, source, count=count, **kw)


def _merged(shared_data: Path, times_rx2: list[float]) -> tuple[FrameBatch, RowSources]:
    """rx1: two ADS-B frames; rx2: the Comm-B reply at each of ``times_rx2``."""
    adsb = _first_frame(shared_data / "pymodes-tests/sample_data_adsb.csv")
    commb = _first_frame(shared_data / "pymodes-tests/sample_data_commb_df20.csv")
    rx1 = FrameBatch.from_hex([adsb, adsb], [T0, T0 + 1.0], source="rx1")
    rx2 = FrameBatch.from_hex([commb] * len(times_rx2), times_rx2, source="rx2")
    frames = FrameBatch.concat([rx1, rx2])
    code = np.r_[np.zeros(len(rx1)), np.ones(len(rx2))].astype(np.int64)
    return frames, RowSources(("rx1", "rx2"), code, (IngestStats(), IngestStats()))


def test_unknown_addresses_are_counted_under_their_own_source(shared_data: Path) -> None:
    frames, rs = _merged(shared_data, [T0 + 0.5, T0 + 2.5])
    stats = Recording()
    IngestStep(Tracker(stats=stats), stats).step(frames, row_sources=rs)
    assert stats.named == [("unknown_address", "rx2", 2)]


def test_an_untimed_frame_is_named_after_its_own_source_in_strict_mode(
    shared_data: Path,
) -> None:
    frames, rs = _merged(shared_data, [np.nan])
    stats = IngestStats(strict=True)
    with pytest.raises(InputError) as err:
        IngestStep(Tracker(stats=stats), stats).step(frames, row_sources=rs)
    assert err.value.source == "rx2" and err.value.reason == "bad_timestamp"
