"""Where the command line prints: rich on a terminal; plain, unwrapped text when the output goes
to a pipe, a file or a log (rich would wrap at 80 columns and cut timestamps in half), with
tables as tab-separated values there."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from rich.console import Console, ConsoleDimensions
from rich.table import Table
from rich.text import Text

from .tsv import rows_tsv

#: Width given to rich when not on a terminal: wide enough that nothing wraps, chars.
UNWRAPPED = 10_000


class PlainOffTerminal(Console):
    """A Console that, whenever its stream is not a terminal (decided at each print: a test or
    a caller may swap ``sys.stdout``), is as wide as ``UNWRAPPED`` and does not wrap."""

    @property
    def size(self) -> ConsoleDimensions:
        if self.is_terminal:
            return super().size
        return ConsoleDimensions(UNWRAPPED, super().size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    def print(self, *objects: Any, **kw: Any) -> None:
        if not self.is_terminal:
            kw.setdefault("soft_wrap", True)
        super().print(*objects, **kw)


def console(*, stderr: bool = False, file: TextIO | None = None, **kw: Any) -> Console:
    """A Console for stdout (or stderr, or ``file``): rich formatting on a terminal, plain
    unwrapped text elsewhere."""
    if not (file or (sys.stderr if stderr else sys.stdout)).isatty():
        kw.setdefault("highlight", False)
    return PlainOffTerminal(stderr=stderr, file=file, **kw)


def _plain(cell: Any) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def table_tsv(table: Table) -> str:
    """A rich table as TSV: a header line, then one line per row."""
    columns = table.columns
    rows = zip(*(list(c.cells) for c in columns), strict=True) if columns else iter(())
    return rows_tsv(
        [_plain(c.header) for c in columns], ([_plain(cell) for cell in row] for row in rows)
    )


def print_table(table: Table, *, file: TextIO | None = None) -> None:
    """``table`` as a rich table on a terminal, else as TSV (for ``cut``, ``sort``, a log)."""
    stream = file or sys.stdout
    if stream.isatty():
        Console(file=stream).print(table)
    else:
        stream.write(table_tsv(table))
