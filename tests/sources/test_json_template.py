"""JSON lines of the two-key shape (``{"timestamp": T, "frame": "HEX"}``) are read without a
JSON parser (``sources.jsontemplate``): what comes out must be exactly what the line-by-line
path (``json.loads`` of each line) gives, for the real frames in every spelling of the shape,
and for every line that is not quite a JSON number or a hex frame (those blocks go on to
Arrow's JSON reader and then line by line, which counts each bad line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.sources import jsonframes
from skywitness.sources.jsonframes import FRAME_KEYS, TIME_KEYS
from skywitness.sources.jsontemplate import template_jsonl

from .test_columnar import _read, _same


def _frames(shared_data: Path, n: int = 8000) -> list[tuple[float, str]]:
    text = _read(shared_data / "traffic-raw-frames/tutorial.jsonl.gz")
    rows = [json.loads(x) for x in text.splitlines()[:n]]
    return [(r["timestamp"], r["frame"]) for r in rows]


@pytest.fixture
def arrow_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many blocks went to Arrow's JSON reader (the template path refused them)."""
    calls: list[int] = []
    real = jsonframes._read_jsonl

    def counted(block: bytes, *a: Any, **kw: Any) -> Any:
        calls.append(len(block))
        return real(block, *a, **kw)

    monkeypatch.setattr(jsonframes, "_read_jsonl", counted)
    return calls


SPELLINGS = [
    lambda t, f: json.dumps({"timestamp": t, "frame": f}),  # the bench's and rs1090's
    lambda t, f: json.dumps({"timestamp": t, "frame": f}, separators=(",", ":")),
    lambda t, f: json.dumps({"frame": f, "timestamp": t}),  # frame first
    lambda t, f: json.dumps({"ts": round(t * 1000), "rawmsg": f.upper()}),  # ms, integers
    lambda t, f: json.dumps({"t": -t, "hex": f}),  # negative times
    lambda t, f: json.dumps({"mintime": t, "message": f}) + "\r",  # CRLF lines
]


@pytest.mark.parametrize("spell", range(len(SPELLINGS)))
def test_the_shape_is_read_without_a_json_parser(
    shared_data: Path, arrow_calls: list[int], spell: int
) -> None:
    frames = _frames(shared_data)
    data = "".join(SPELLINGS[spell](t, f) + "\n" for t, f in frames).encode()
    stats = _same("jsonl", data, pieces=(1 << 20, 7919))
    assert stats.frames == len(frames) and not stats.rejected and stats.by_line == 0
    assert arrow_calls == []  # every block was read by the template path


def test_the_shape_gives_the_frames_and_times_json_gives(shared_data: Path) -> None:
    frames = _frames(shared_data, 3000)
    data = "".join(json.dumps({"timestamp": t, "frame": f}) + "\n" for t, f in frames)
    got = template_jsonl(data.encode(), FRAME_KEYS, TIME_KEYS)
    assert got is not None
    times, rows, length = got
    assert times.tolist() == [t for t, _ in frames]  # the same floats, bit for bit
    assert [bytes(r[:n]).hex() for r, n in zip(rows, length, strict=True)] == [
        f.lower() for _, f in frames
    ]


#: Lines the template must refuse (each is read by ``json.loads`` differently from a plain
#: decimal time and a hex frame, or is not JSON at all).
ODD_LINES = [
    '{"timestamp": -0, "frame": "8d4840d6202cc371c32ce0576098"}',  # int 0, not -0.0
    '{"timestamp": 01, "frame": "8d4840d6202cc371c32ce0576098"}',  # not JSON
    '{"timestamp": 1., "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": .5, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": +1, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1.e5, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1e5, "frame": "8d4840d6202cc371c32ce0576098"}',  # JSON, left to Arrow
    '{"timestamp": NaN, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": Infinity, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1e999, "frame": "8d4840d6202cc371c32ce0576098"}',
    # an exponent inside a first 8 characters that every time of the block fills
    '{"timestamp": 1.7e+000000000009, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1-2, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 12345678901234567890123456, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1.5, "frame": "\\u0038d4840d6202cc371c32ce0576098"}',  # an escape
    '{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce057609"}',  # 27 digits
    '{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce05760zz"}',
    '{"timestamp": 1.5, "frame": "*8d4840d6202cc371c32ce0576098;"}',
    '{"timestamp": 1.5,  "frame": "8d4840d6202cc371c32ce0576098"}',  # other spacing
    '{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098"} ',
    ' {"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098", "df": 17}',
    '{"timestamp": "1.5", "frame": "8d4840d6202cc371c32ce0576098"}',
    '{"timestamp": 1.5, "frame": 17}',
    '{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098"',
    "[1.5, 8]",
    "null",
    "",
    "   ",
]


@pytest.mark.parametrize("odd", ODD_LINES)
def test_odd_lines_come_out_as_json_loads_reads_them(shared_data: Path, odd: str) -> None:
    frames = _frames(shared_data, 600)
    lines = [json.dumps({"timestamp": t, "frame": f}) for t, f in frames]
    lines[300] = odd
    data = ("\n".join(lines) + "\n").encode()
    _same("jsonl", data, pieces=(1 << 20, 997))


_NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.from_regex(r"\A[-+.0-9eE]{1,12}\Z"),  # mostly not JSON numbers
)
_FRAME_TEXT = st.one_of(
    st.sampled_from(["8d4840d6202cc371c32ce0576098", "5d4840d6f87407", "2a00", "8D4840D6"]),
    st.from_regex(r"\A[0-9a-fA-Fxg]{0,30}\Z"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_NUMBER_TEXT, _FRAME_TEXT, st.booleans()), min_size=1, max_size=40))
def test_any_numbers_and_frames_as_json_loads_reads_them(
    rows: list[tuple[str, str, bool]],
) -> None:
    lines = [
        f'{{"timestamp": {t}, "frame": "{f}"}}' if first else f'{{"frame": "{f}", "ts": {t}}}'
        for t, f, first in rows
    ]
    data = ("\n".join(lines) + "\n").encode()
    _same("jsonl", data, pieces=(1 << 20, 61))


def test_a_refused_block_costs_no_copy_of_its_lines() -> None:
    """The shape is learnt from the first line only: a first line of another shape refuses
    the block at once (Arrow's reader then reads it)."""
    line = b'{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098", "df": 17}\n'
    assert template_jsonl(line * 10, FRAME_KEYS, TIME_KEYS) is None
    good = b'{"timestamp": 1.5, "frame": "8d4840d6202cc371c32ce0576098"}\n'
    got = template_jsonl(good * 3, FRAME_KEYS, TIME_KEYS)
    assert got is not None
    np.testing.assert_array_equal(got[0], [1.5, 1.5, 1.5])
