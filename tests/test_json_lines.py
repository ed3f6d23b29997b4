"""JSON lines output written column-wise (``skywitness.jsoncolumns``) is the per-row path's text,
byte for byte: on the real decode outputs (frames and already-decoded SBS reports), on edge
values, and on random tables (hypothesis). The per-row path (``json.dumps`` of each row's
``jsonable`` values) is the oracle."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.jsoncolumns import json_lines
from skywitness.output import JSON_ROWS, JsonLinesWriter
from skywitness.runtime.pipeline import RunOptions, decode_tables
from skywitness.stats import IngestStats


def _row_text(table: pa.Table) -> str:
    out = io.StringIO()
    JsonLinesWriter(out, close_stream=False).write_rows(table)
    return out.getvalue()


def _writer_text(table: pa.Table) -> str:
    out = io.StringIO()
    JsonLinesWriter(out, close_stream=False).write(table)
    return out.getvalue()


def _same(table: pa.Table) -> None:
    fast = json_lines(table)
    assert fast is not None
    assert fast.decode("ascii") == _row_text(table)


def test_decode_outputs_are_the_row_text(shared_data: Path) -> None:
    inputs = [
        ("auto", shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"),
        ("sbs", shared_data / "beastblackbox-example" / "beast_decoded_sbs.txt.gz"),
        (
            "beast",
            shared_data
            / "beastblackbox-example"
            / "ulss7-beast-bin-utc--1522782148.136310917--.log",
        ),
    ]
    rows = 0
    for fmt, path in inputs:
        opts = RunOptions(fmt=fmt, start_time=1_700_000_000.0)
        for table in decode_tables([str(path)], opts, IngestStats()):
            _same(table)
            rows += table.num_rows
    assert rows > 80_000


def test_edge_values_exactly() -> None:
    table = pa.table(
        {
            "f": pa.array([-0.0, math.nan, 1e16, None]),
            "s": pa.array(['a"b', "é\n", None, "plain"]),
            "i": pa.array([2**63 - 1, None, -5, 0]),
            "u": pa.array([2**64 - 1, 1, None, 0], pa.uint64()),
            "b": pa.array([True, False, None, None]),
            "t": pa.array([1_500_000, 1_000, None, -1], pa.timestamp("us", tz="UTC")),
            "n": pa.nulls(4),
        }
    )
    want = (
        '{"f":-0.0,"s":"a\\"b","i":9223372036854775807,"u":18446744073709551615,"b":true,'
        '"t":"1970-01-01T00:00:01.500Z"}\n'
        '{"f":null,"s":"\\u00e9\\n","u":1,"b":false,"t":"1970-01-01T00:00:00.001Z"}\n'
        '{"f":1e+16,"i":-5}\n'
        '{"s":"plain","i":0,"u":0,"t":"1969-12-31T23:59:59.999999Z"}\n'
    )
    assert _row_text(table) == want
    assert json_lines(table) == want.encode()
    _same(table.slice(1, 2))


def test_a_row_of_nulls_is_an_empty_object() -> None:
    table = pa.table({"a": pa.array([1, None]), "b": pa.array([None, None], pa.string())})
    assert json_lines(table) == b'{"a":1}\n{}\n'
    assert json_lines(pa.table({"a": pa.nulls(2)})) == b"{}\n{}\n"


def test_other_types_go_row_by_row() -> None:
    table = pa.table({"a": pa.array([[1, 2], None]), "b": pa.array([1.5, 2.0])})
    assert json_lines(table) is None
    assert _writer_text(table) == '{"a":[1,2],"b":1.5}\n{"b":2.0}\n'


def test_long_tables_in_pieces() -> None:
    n = JSON_ROWS + 5
    table = pa.table({"i": pa.array(range(n)), "s": pa.array(["x"] * n)})
    text = _writer_text(table)
    assert text.count("\n") == n
    assert text.endswith(f'{{"i":{n - 1},"s":"x"}}\n')


_TIMES = st.integers(-30_610_224_000_000_000, 253_402_300_799_999_999)


def _column(data: st.DataObject, n: int, values: st.SearchStrategy[object]) -> list[object]:
    return data.draw(st.lists(st.one_of(st.none(), values), min_size=n, max_size=n))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), data=st.data())
def test_random_tables_are_the_row_text(n: int, data: st.DataObject) -> None:
    table = pa.table(
        {
            "f": pa.array(_column(data, n, st.floats(width=64)), pa.float64()),
            "g": pa.array(_column(data, n, st.floats(width=32)), pa.float32()),
            "s": pa.array(_column(data, n, st.text()), pa.string()),
            "i": pa.array(_column(data, n, st.integers(-(2**63), 2**63 - 1)), pa.int64()),
            "t": pa.array(_column(data, n, _TIMES), pa.timestamp("us", tz="UTC")),
            "ns": pa.array(_column(data, n, st.integers(-(2**62), 2**62)), pa.timestamp("ns")),
            "b": pa.array(_column(data, n, st.booleans()), pa.bool_()),
        }
    )
    _same(table)
