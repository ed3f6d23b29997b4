"""Tables as tab-separated values: a header line, then one line per row, tabs and line breaks
in a cell made spaces. What a table is when the output is a pipe, a file or a log; kept apart
from ``console`` so a command printing to a pipe need not load rich (start-up, issue 18)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def cell_text(text: str) -> str:
    """``text`` fit for one TSV cell."""
    return text.replace("\t", " ").replace("\n", " ")


def rows_tsv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The TSV text of a header and rows of cell texts."""
    lines = ["\t".join(cell_text(h) for h in headers)]
    lines += ["\t".join(cell_text(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"
