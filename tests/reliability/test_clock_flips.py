"""Beast 12 MHz timestamps with flipped bits (issue #17 defect 3) and live anchoring on the
system clock. The capture is the real Beast log in ../shared/data (13,954 frames)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skywitness.model import FrameBatch
from skywitness.sources.beast import BeastParser, frame_beast
from skywitness.sources.clock import TickClock, isolated_jumps
from skywitness.stats import IngestStats

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
BASE = 1522782148.136310917
#: Frames whose timestamp gets one flipped bit (high bits: 203 days, 3 days, 89 s).
FLIPS = ((1000, 47), (5000, 38), (9000, 30))


@pytest.fixture(scope="module")
def capture(shared_data: Path) -> bytes:
    return (shared_data / CAPTURE).read_bytes()


def _flip(raw: bytes, flips: tuple[tuple[int, int], ...]) -> tuple[bytes, list[int]]:
    """``raw`` with bit ``b`` of frame ``i``'s 48-bit timestamp flipped (frames chosen so the
    six timestamp bytes hold no 0x1a before or after). Returns (bytes, flipped frame indexes)."""
    fr = frame_beast(raw, final=True)
    buf = bytearray(raw)
    done = []
    for i, bit in flips:
        while True:
            off = int(fr.offset[i])
            ts = raw[off + 2 : off + 8]
            flipped = (int.from_bytes(ts, "big") ^ (1 << bit)).to_bytes(6, "big")
            if 0x1A not in ts and 0x1A not in flipped:
                break
            i += 1
        buf[off + 2 : off + 8] = flipped
        done.append(i)
    return bytes(buf), done


def _parse(raw: bytes, chunk: int) -> tuple[FrameBatch, IngestStats]:
    stats = IngestStats()
    p = BeastParser(stats, "t", TickClock(BASE, mode="12mhz"))
    out = []
    for k in range(0, len(raw), chunk):
        out += p.feed(raw[k : k + chunk])
    out += p.finish()
    return FrameBatch.concat(out), stats


@pytest.mark.parametrize("chunk", [1 << 20, 4096])
def test_three_flipped_timestamps_are_rejected_not_the_new_clock(
    capture: bytes, chunk: int
) -> None:
    """Old code: every frame after a flipped high bit moved ~204 days (the flip became the
    anchor). Now the three frames are rejected and every other time is unchanged."""
    clean, _ = _parse(capture, chunk)
    bad_raw, idx = _flip(capture, FLIPS)
    got, stats = _parse(bad_raw, chunk)
    assert dict(stats.rejected) == {"bad_timestamp": 3}
    keep = np.ones(len(clean), dtype=np.bool_)
    keep[idx] = False
    assert len(got) == len(clean) - 3 == 13951
    assert np.array_equal(got.timestamp, clean.timestamp[keep])


def test_a_spike_ending_a_chunk_does_not_move_the_clock(capture: bytes) -> None:
    """A flipped frame that is the last of a chunk cannot be judged yet (its time is given);
    the next frame, back in line with the one before it, keeps the anchor."""
    bad_raw, (i,) = _flip(capture, ((3000, 45),))
    fr = frame_beast(bad_raw, final=True)
    cut = int(fr.offset[i + 1])  # the chunk ends right after the flipped frame
    clean, _ = _parse(capture, 1 << 20)
    stats = IngestStats()
    p = BeastParser(stats, "t", TickClock(BASE, mode="12mhz"))
    got = FrameBatch.concat(p.feed(bad_raw[:cut]) + p.feed(bad_raw[cut:]) + p.finish())
    assert len(got) == len(clean) and not stats.rejected
    diff = np.flatnonzero(got.timestamp != clean.timestamp)
    assert diff.tolist() == [i]  # only the flipped frame itself is misplaced


def test_isolated_jumps_is_pure_and_exact() -> None:
    s = 12_000_000
    t = np.array([0, s // 10, 2**40, s // 5, s // 4, 5 * s, 6 * s], dtype=np.int64)
    # index 2: a spike; index 5: a real 4.75 s gap (its neighbours disagree), not a spike
    assert isolated_jumps(t, None).tolist() == [False, False, True, False, False, False, False]
    assert isolated_jumps(t[2:], s // 10).tolist() == [True, False, False, False, False]


def test_live_feed_is_anchored_on_arrival_and_reports_drift() -> None:
    """A counter that runs 2x fast (or jumps) no longer puts frames into the future: each
    chunk's newest frame is placed at its arrival, and the drift is reported."""
    clk = TickClock(mode="12mhz", live=True)
    s = 12_000_000
    a = clk.convert(np.array([s, s + s // 2], dtype=np.uint64), arrival=1000.0)
    assert a.tolist() == [999.5, 1000.0] and clk.drift_s == 0.0
    b = clk.convert(np.array([s + 2 * s + s // 2], dtype=np.uint64), arrival=1001.0)  # 2 s in 1
    assert b.tolist() == [1001.0] and clk.drift_s == 1.0
    c = clk.convert(np.array([s * 4000, s * 4000 + s], dtype=np.uint64), arrival=1002.0)
    assert c.tolist() == [1001.0, 1002.0]  # a jump of ~66 min: still at arrival time
    far = clk.convert(np.array([s * 4001, s * 4001, 2**47], dtype=np.uint64), arrival=1003.0)
    assert clk.implausible.tolist() == [False, False, True]
    assert far[:2].tolist() == [1003.0, 1003.0]
