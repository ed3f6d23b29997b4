"""A hex-lines block's own frame text (``FrameBatch.text``, issue 18) is exactly what
``decode`` would write from the bytes: kept only when every frame is lowercase, sliced with
the rows, dropped by ``take``; and a real CSV file decodes to the same frame column with or
without it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.decode.hexio import hex_column
from skywitness.model import FrameBatch
from skywitness.runtime.pipeline import RunOptions, iter_chunks
from skywitness.runtime.records import frame_hex
from skywitness.sources.columns import lower_text
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FRAMES = ["8d4ca2d158c901a0c0f6d3d8e8c6", "5d4ca2d1b3ad7e", "20001838ca3804", "0a21"]


def test_lower_text_keeps_lowercase_only() -> None:
    col = pa.array(FRAMES, pa.string())
    assert lower_text(col) is col
    assert lower_text(pa.chunked_array([col])) is not None
    assert lower_text(pa.array([FRAMES[0], FRAMES[1].upper()], pa.string())) is None
    assert lower_text(pa.array([], pa.string())) is None
    assert lower_text(pa.array([FRAMES[0], None], pa.string())) is None


def test_rows_slice_text_and_take_drops_it() -> None:
    b = FrameBatch.from_hex(FRAMES)
    b.text = pa.array(FRAMES, pa.string())
    part = b.rows(slice(1, 3))
    assert part.text is not None and part.text.to_pylist() == FRAMES[1:3]
    assert frame_hex(part).to_pylist() == hex_column(part.data, part.length).to_pylist()
    assert b.take(np.array([0, 1])).text is None
    assert FrameBatch.concat([b, b]).text is None


def test_csv_chunks_carry_the_text_decode_would_write(tmp_path: Path) -> None:
    """The pyModeS sample (uppercase, quoted frames): none kept; lowercased: kept."""
    path = DATA / "pymodes-tests" / "sample_data_adsb.csv"
    lower = tmp_path / "lower.csv"
    lower.write_text(path.read_text().lower())
    opts = RunOptions()
    opts.fmt = "hex"
    opts.batch_size = 700
    for src, keeps in ((path, False), (lower, True)):
        chunks = list(iter_chunks([str(src)], opts, IngestStats()))
        kept = [c for c in chunks if isinstance(c, FrameBatch) and c.text is not None]
        assert sum(map(len, chunks)) == 2000
        assert sum(map(len, kept)) == (1999 if keeps else 0)  # (line 1 is read alone)
        for c in kept:
            assert frame_hex(c).equals(hex_column(c.data, c.length))
