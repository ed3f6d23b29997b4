"""The ``timestamp,hex`` reader numbers its lines without counting them first: a block Arrow's
CSV reader reads whole says how many lines it held (its rows), and the splitter counts only
the others (``LineParser.counts_lines``). The line numbers of the rejects after such blocks
must be those of the line-by-line reader, whatever the blocks held: empty lines (Arrow's rows
would skip them), CRLF line ends, a lone CR (Arrow would end a line there: such a block goes
line by line), a header, a last line without its newline; fed whole and in pieces."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_columnar import _jsonl_as_hex_csv, _same

BAD = b"1717664319.1,8d3461ce399e40586b4ee49322zz\n"


def _lines(shared_data: Path, n: int) -> list[bytes]:
    return _jsonl_as_hex_csv(shared_data).splitlines(keepends=True)[:n]


@pytest.mark.parametrize(
    "case", ["plain", "empty_lines", "crlf", "lone_cr", "header", "no_last_newline"]
)
def test_reject_lines_numbered_as_line_by_line(shared_data: Path, case: str) -> None:
    lines = _lines(shared_data, 12000)
    if case == "empty_lines":
        lines[100] = b"\n"
        lines[7000] = b"\n"
    elif case == "crlf":
        lines = [ln[:-1] + b"\r\n" for ln in lines]
    elif case == "lone_cr":
        lines[3000] = lines[3000][:-1] + b"\r" + lines[3001]
    elif case == "header":
        lines.insert(0, b"timestamp,frame\n")
    lines[4000] = BAD
    lines[11000] = BAD
    data = b"".join(lines)
    if case == "no_last_newline":
        data = data + BAD[:-1]
    stats = _same("hex", data, pieces=(1 << 20, 100_000, 7919))
    expected = 3 if case == "no_last_newline" else 2
    assert stats.rejected.get("bad_line", 0) >= expected
    if case in ("plain", "crlf", "no_last_newline"):
        assert [w[0] for w in stats.where][:2] == [4001, 11001]


def test_lines_after_a_read_block_numbered_from_its_rows(shared_data: Path) -> None:
    """Whole blocks read column-wise (no line-by-line reading of them) and still the right
    number of the bad line that follows them."""
    lines = _lines(shared_data, 20000)
    lines[19000] = BAD
    stats = _same("hex", b"".join(lines), pieces=(200_000,))
    assert stats.where == [(19001, "bad_line")]
    assert stats.by_line <= 1 + 256
