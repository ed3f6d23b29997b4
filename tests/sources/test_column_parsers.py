"""The column-wise parsers of issue 18 agree with the per-value Python they replace.

``sbs._time_of_day`` against ``int(h) * 3600 + int(m) * 60 + float(s)`` (the line path),
``columns.hex_ints`` against ``int(text, 16)``, ``hexio.labels`` against a list lookup, the
Parquet output's row groups: batches gathered to ``ROW_GROUP_ROWS``, read back unchanged,
``columns.mapped``'s memo, the column-wise hex paths against ``textio.hex_frames``, and the
read size of text files (``source.line_block_bytes``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode.hexio import labels, string_array
from skywitness.output import ROW_GROUP_ROWS, open_writer
from skywitness.sources.columns import (
    MEMO_VALUES,
    hex_ints,
    hex_packed,
    hex_spans,
    mapped,
    spans,
    timed_hex_spans,
)
from skywitness.sources.sbs import _time_of_day
from skywitness.sources.source import FILE_CHUNK_BYTES, MAX_LINE_BLOCK_BYTES, line_block_bytes
from skywitness.sources.textio import hex_frames

_TIMES = st.tuples(
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 60),
    st.text("0123456789", min_size=0, max_size=9),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TIMES, min_size=1, max_size=40))
def test_time_of_day_is_the_line_paths_arithmetic(parts: list[tuple[int, int, int, str]]) -> None:
    texts = [f"{h:02d}:{m:02d}:{s:02d}" + (f".{frac}" if frac else "") for h, m, s, frac in parts]
    got = _time_of_day(pa.chunked_array([pa.array(texts)]))
    assert got is not None
    want = [int(t[:2]) * 3600 + int(t[3:5]) * 60 + float(t[6:]) for t in texts]
    assert got.tolist() == want  # bit for bit: one exact division, as float() rounds


def test_time_of_day_refuses_other_shapes() -> None:
    for bad in ("12:00:00.", "1a:00:00", "12-00-00", "12:00", "12:00:00.1234567890", " 12:00:00"):
        assert _time_of_day(pa.chunked_array([pa.array(["01:02:03", bad])])) is None, bad


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 15).flatmap(lambda d: st.tuples(st.just(d), st.lists(
    st.integers(0, 16**d - 1), min_size=1, max_size=30))))  # fmt: skip
def test_hex_ints_is_int_base_16(case: tuple[int, list[int]]) -> None:
    digits, values = case
    text = "".join(f"{v:0{digits}x}" if i % 2 else f"{v:0{digits}X}" for i, v in enumerate(values))
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    got, ok = hex_ints(data, np.arange(len(values), dtype=np.int64) * digits, digits)
    assert ok.all()
    assert got.tolist() == [
        int(text[i * digits : (i + 1) * digits], 16) for i in range(len(values))
    ]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([2, 6, 12]), st.lists(st.integers(0, 2**48 - 1), min_size=1, max_size=20))
def test_hex_ints_of_lines_after_a_head(digits: int, values: list[int]) -> None:
    """AVR's ``@`` + 12 digits: each number one character into its line (odd offsets), read
    by whole hex pairs, is ``int(text, 16)``."""
    lines = [f"@{v % 16**digits:0{digits}X};\n" for v in values]
    data = np.frombuffer("".join(lines).encode(), dtype=np.uint8)
    start = np.arange(len(values), dtype=np.int64) * (digits + 3) + 1
    got, ok = hex_ints(data, start, digits)
    assert ok.all()
    assert got.tolist() == [v % 16**digits for v in values]


def test_hex_ints_flags_non_hex() -> None:
    data = np.frombuffer(b"12g4ff", dtype=np.uint8)
    got, ok = hex_ints(data, np.array([0, 2, 4], dtype=np.int64), 2)
    assert ok.tolist() == [True, False, True]
    assert got[[0, 2]].tolist() == [0x12, 0xFF]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(max_size=12), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.booleans()), max_size=60),
)
def test_labels_is_a_lookup(names: list[str], rows: list[tuple[int, bool]]) -> None:
    codes = np.array([c % len(names) for c, _ in rows], dtype=np.int64)
    null = np.array([n for _, n in rows], dtype=np.bool_)
    got = labels(string_array(names), codes, null)
    assert got.to_pylist() == [None if n else names[c] for c, n in zip(codes, null, strict=True)]


def test_parquet_output_in_row_groups(tmp_path: Path) -> None:
    n = 50_000
    schema = pa.schema([("t", pa.int64()), ("x", pa.float64()), ("s", pa.string())])
    parts = [
        pa.table(
            [
                pa.array(np.arange(i * n, (i + 1) * n, dtype=np.int64)),
                pa.array(np.where(np.arange(n) % 3, np.arange(n) * 0.5, np.nan), from_pandas=True),
                pa.array([f"v{j % 7}" for j in range(n)]),
            ],
            schema=schema,
        )
        for i in range(6)
    ]
    out = tmp_path / "x.parquet"
    writer = open_writer(str(out), schema)
    for part in parts:
        writer.write(part)
    writer.write(parts[0].slice(0, 0))  # an empty batch writes nothing
    writer.close()
    meta = pq.ParquetFile(out).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [150_000, 150_000]  # 3 batches reach ROW_GROUP_ROWS, twice
    assert ROW_GROUP_ROWS == 131_072
    assert pq.read_table(out).equals(pa.concat_tables(parts))


def test_mapped_memo_calls_once_per_value_and_stays_bounded() -> None:
    calls: list[str] = []

    def fn(text: str) -> int:
        calls.append(text)
        return len(text)

    memo: dict[object, object] = {}
    first = pa.array(["ab", "c", None, "ab"])
    second = pa.array(["c", "dddd", "ab"]).dictionary_encode()  # as read_strings' dicts give
    assert mapped(first, fn, np.int64, memo).tolist() == [2, 1, 0, 2]
    assert mapped(second, fn, np.int64, memo).tolist() == [1, 4, 2]
    assert sorted(calls) == ["", "ab", "c", "dddd"]  # "" stands for null; each value once
    assert mapped(second, fn, np.int64).tolist() == [1, 4, 2]  # no memo: the same values
    big = pa.array([str(i) for i in range(MEMO_VALUES + 2)])
    mapped(big, fn, np.int64, memo)
    mapped(first, fn, np.int64, memo)
    assert len(memo) == 3  # over its bound it started again: "ab", "c" and ""


_HEX_TEXT = st.one_of(
    st.sampled_from([4, 14, 28]).flatmap(
        lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n)
    ),
    st.text("0123456789abcdefABCDEFgx; *", min_size=0, max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_HEX_TEXT, min_size=1, max_size=30))
def test_column_hex_paths_are_hex_frames(texts: list[str]) -> None:
    """``hex_spans`` (any spans) and ``hex_packed`` (back-to-back values) through the two-digit
    table give ``textio.hex_frames``' rows, lengths and ok for the same strings."""
    items = [t.encode() for t in texts]
    want = hex_frames(items)
    sp = spans(pa.array(texts))
    assert sp is not None
    data, start, size = sp
    got = hex_spans(data, start, size)
    for w, g in zip(want, got, strict=True):
        assert np.array_equal(w, g)
    packed = hex_packed(data, start, size)
    if packed is not None:  # all frames (back to back: a column's own buffer)
        assert want[2].all()
        assert np.array_equal(packed[0], want[0]) and np.array_equal(packed[1], want[1])
        assert packed[0].flags.writeable  # (the batch's own rows, as ``hex_frames`` gives)
    elif want[2].all():
        raise AssertionError("valid frames refused")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([4, 14, 28]), st.lists(st.binary(min_size=14, max_size=14), min_size=1))
def test_column_hex_paths_of_one_length(nchars: int, rows: list[bytes]) -> None:
    """Frames all of one length (the whole-block paths: one ``unhex`` of every row), with
    one odd character in the last row refused by ``hex_packed`` and only that row by
    ``hex_spans``."""
    texts = [r[: nchars // 2].hex() for r in rows]
    want = hex_frames([t.encode() for t in texts])
    sp = spans(pa.array(texts))
    assert sp is not None
    for got in (hex_spans(*sp), hex_packed(*sp)):
        assert got is not None
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    bad = [*texts[:-1], texts[-1][:-1] + "g"]
    sp = spans(pa.array(bad))
    assert sp is not None
    assert hex_packed(*sp) is None
    ok = hex_spans(*sp)[2]
    assert ok[:-1].all() and not ok[-1]


def test_text_files_are_read_in_blocks_of_about_a_batch() -> None:
    csv_like = b"x" * 29 + b"\n"  # 30-byte lines: 90 % of 65,536 of them
    assert line_block_bytes(csv_like * 200, 65_536) == int(30 * 65_536 * 0.9)
    sbs_like = b"x" * 85 + b"\n"  # 86-byte lines: 90 % of a batch would be 5 MB
    assert line_block_bytes(sbs_like * 200, 65_536) == MAX_LINE_BLOCK_BYTES == 2 << 20
    assert line_block_bytes(b"ab\n" * 200, 65_536) == FILE_CHUNK_BYTES  # never under 1 MB
    assert line_block_bytes(b"x" * 999 + b"\n" * 200, 65_536) == FILE_CHUNK_BYTES
    long_lines = (b"y" * 4095 + b"\n") * 20
    assert line_block_bytes(long_lines, 65_536) == MAX_LINE_BLOCK_BYTES  # at most 2 MB
    assert line_block_bytes(b"no line ends", 65_536) == FILE_CHUNK_BYTES


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, (1 << 48) - 1),
            st.sampled_from([4, 14, 28]),
            st.binary(min_size=14, max_size=14),
        ),
        min_size=1,
    ),
    st.booleans(),
)
def test_timed_hex_spans_are_hex_ints_and_hex_spans(
    rows: list[tuple[int, int, bytes]], upper: bool
) -> None:
    """AVR's ``@`` lines, the time's 12 digits and the frame's read in one run: the numbers
    ``hex_ints`` reads and the frames ``hex_spans`` reads; None with a digit that is not hex."""
    texts = [f"@{t:012x}{f[: n // 2].hex()};" for t, n, f in rows]
    texts = [x.upper() if upper else x for x in texts]
    data = np.frombuffer("".join(texts).encode(), dtype=np.uint8)
    size = np.array([len(x) - 2 for x in texts], dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(size + 2)[:-1])).astype(np.int64) + 1
    got = timed_hex_spans(data, start, size, 12)
    assert got is not None
    want_t, ok_t = hex_ints(data, start, 12)
    want = hex_spans(data, start + 12, size - 12)
    assert ok_t.all() and want[2].all()
    assert got[0].dtype == np.uint64 and got[0].tolist() == want_t.tolist()
    assert np.array_equal(got[1], want[0]) and np.array_equal(got[2], want[1])
    bad = data.copy()
    bad[int(start[-1]) + int(size[-1]) - 1] = ord("g")
    assert timed_hex_spans(bad, start, size, 12) is None
