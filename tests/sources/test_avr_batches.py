"""AVR frames to batches (``AvrParser._batches``): keep-alives dropped uncounted, a flipped
timestamp rejected on its own line, untimed lines without a time, every other frame kept with
its own time. Blocks of timed lines only skip the copies of every row (issue 18); these cases
pin what both shapes of block give, with times worked out by hand from the 12 MHz counter."""

from __future__ import annotations

import math

import numpy as np

from skywitness.model import FrameBatch
from skywitness.sources.avr import AvrParser
from skywitness.sources.clock import TickClock
from skywitness.stats import IngestStats

BASE = 1_700_000_000.0
FRAME = b"8D4840D6202CC371C32CE0576098"
TICKS_PER_S = 12_000_000


def _timed(seconds: int) -> bytes:
    return b"@%012X%s;\n" % (seconds * TICKS_PER_S, FRAME)


#: A counter with one flipped high bit (2**40 ticks: ~25 h away from both neighbours).
FLIPPED = b"@%012X%s;\n" % ((1 << 40) + 2 * TICKS_PER_S, FRAME)


def _read(data: bytes) -> tuple[FrameBatch, IngestStats]:
    stats = IngestStats()
    parser = AvrParser(stats, "t", TickClock(BASE, mode="12mhz"))
    return FrameBatch.concat(parser.feed(data) + parser.finish()), stats


def _times(batch: FrameBatch) -> list[float | None]:
    return [None if math.isnan(t) else t - BASE for t in batch.timestamp.tolist()]


def test_timed_lines_only_with_a_flipped_counter() -> None:
    data = _timed(1) + _timed(2) + FLIPPED + _timed(3) + _timed(4)
    got, stats = _read(data)
    assert _times(got) == [0.0, 1.0, 2.0, 3.0]
    assert dict(stats.rejected) == {"bad_timestamp": 1}
    assert stats.frames == 5 and stats.sources["t"] == 4
    assert got.ticks.tolist() == [s * TICKS_PER_S for s in (1, 2, 3, 4)]
    assert np.array_equal(
        got.data[:, :14], np.tile(np.frombuffer(bytes.fromhex(FRAME.decode()), np.uint8), (4, 1))
    )
    assert got.length.tolist() == [14] * 4
    assert np.isnan(got.signal).all()


def test_keep_alives_and_untimed_lines_among_timed_ones() -> None:
    data = _timed(1) + b"*0000;\n" + _timed(2) + FLIPPED + b"*%s;\n" % FRAME + _timed(3)
    got, stats = _read(data)
    assert _times(got) == [0.0, 1.0, None, 2.0]  # an untimed line from a file: no time
    assert dict(stats.rejected) == {"bad_timestamp": 1}
    assert stats.frames == 5  # the keep-alive is not a frame
    assert got.ticks.tolist() == [TICKS_PER_S, 2 * TICKS_PER_S, 0, 3 * TICKS_PER_S]


def test_keep_alives_only() -> None:
    got, stats = _read(b"*0000;\n*0000;\n")
    assert len(got) == 0 and stats.frames == 0 and not stats.rejected
