"""``textio.LineSplitter``: blocks of whole lines from a stream cut anywhere, each byte copied
once, and (with ``positions``) where each block's line ends lie, found in the same scan."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from skywitness.sources.avr import AvrParser, frame_avr_block
from skywitness.sources.clock import TickClock
from skywitness.sources.textio import MAX_LINE_BYTES, LineSplitter, line_spans, split_lines
from skywitness.stats import IngestStats

_TEXT = st.lists(st.sampled_from([b"a", b"bc", b"\n", b"\r\n", b"xyz\n", b""]), max_size=60)


def _cuts(data: bytes, points: list[int]) -> list[bytes]:
    at = sorted({min(p, len(data)) for p in points})
    edges = [0, *at, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@given(parts=_TEXT, points=st.lists(st.integers(0, 200), max_size=8))
def test_blocks_are_the_stream_in_whole_lines(parts: list[bytes], points: list[int]) -> None:
    data = b"".join(parts)
    plain, found = LineSplitter(), LineSplitter(positions=True)
    blocks = []
    chunks = _cuts(data, points)
    for k, chunk in enumerate([*chunks, b""]):
        final = k == len(chunks)
        block, first, count = plain.feed_block(chunk, final)
        same = found.feed_block(chunk, final)
        assert same == (block, first, count)
        assert found.block is same[0]
        expect = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
        assert np.array_equal(found.newlines, expect)
        assert count == expect.size + (1 if block and not block.endswith(b"\n") else 0)
        assert final or block.endswith(b"\n") or not block
        blocks.append(block)
    assert b"".join(blocks) == data
    assert plain.line_no == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    assert plain.offset == len(data)


def test_whole_lines_are_not_copied() -> None:
    """A chunk of whole lines with nothing held back is the block itself; a held-back tail is
    joined to the next chunk's whole lines once."""
    s = LineSplitter()
    chunk = b"one\ntwo\n"
    assert s.feed_block(chunk)[0] is chunk
    assert s.feed_block(b"thr") == (b"", 3, 0)
    assert s.feed_block(b"ee\nfo") == (b"three\n", 3, 1)
    assert s.feed_block(b"ur\n") == (b"four\n", 4, 1)
    assert s.feed_block(b"", final=True) == (b"", 5, 0)


def test_an_endless_line_is_cut() -> None:
    s = LineSplitter(positions=True)
    block, first, count = s.feed_block(b"x" * (MAX_LINE_BYTES + 1))
    assert (first, count) == (1, 1)
    assert block.endswith(b"\n")
    assert s.newlines.tolist() == [MAX_LINE_BYTES + 1]


def test_avr_reader_reuses_the_splitters_scan(shared_data: Path) -> None:
    """The AVR reader takes the line ends of a whole block from the splitter, and scans a
    piece of it itself: the frames are those of the block read on its own (real frames of
    the tutorial capture written as ``@TICKS HEX;`` lines)."""
    with gzip.open(shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz") as fh:
        frames = [json.loads(line)["frame"] for line in fh][:5_000]
    raw = b"".join(b"@%012X%s;\n" % (12 * k, f.encode()) for k, f in enumerate(frames))
    parser = AvrParser(IngestStats(), "avr", TickClock(0.0, mode="12mhz", live=False))
    block, _, _ = parser._lines.feed_block(raw)
    ends = parser.newlines(block)
    assert ends is parser._lines.newlines
    piece = block[: block.find(b"\n") + 1]
    assert parser.newlines(piece).tolist() == [len(piece) - 1]
    assert ends.size == block.count(b"\n") == 5_000
    alone = frame_avr_block(block)
    shared = frame_avr_block(block, 1, ends)
    assert alone is not None and shared is not None
    assert np.array_equal(alone.data, shared.data)
    assert alone.ticks.tolist() == shared.ticks.tolist() == [12 * k for k in range(5_000)]
    assert alone.line.tolist() == shared.line.tolist() == list(range(1, 5_001))
    assert [bytes(r[:n]).hex() for r, n in zip(shared.data, shared.length, strict=True)] == [
        f.lower() for f in frames
    ]


@given(st.lists(st.sampled_from([b"ab", b"\n", b"\r", b"\r\n", b";", b"\n\n"]), min_size=1))
def test_line_spans_are_the_non_empty_lines(parts: list[bytes]) -> None:
    """Each non-empty line's (start, end) without its CR LF, and its index among all lines:
    with or without the newline positions given, whole lines or not, CR and empty lines or
    not (the whole-line path without CR or empty lines returns early)."""
    block = b"".join(parts)
    lines = split_lines(block)
    want = [(i, line) for i, line in enumerate(lines) if line]
    nl = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    for given_nl in (None, nl):
        b, start, end, index = line_spans(block, given_nl)
        got = [(int(i), bytes(b[s:e])) for i, s, e in zip(index, start, end, strict=True)]
        assert got == want
