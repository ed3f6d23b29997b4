"""The command line's argparse parser class: help wrapped to the terminal's width without
``shutil``.

Apart from ``cli.main`` so that ``skywitness --version`` answers without loading argparse.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def terminal_columns() -> int:
    """The terminal's width, as ``shutil.get_terminal_size`` finds it ($COLUMNS, else the
    width of stdout's terminal, else 80)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class Parser(argparse.ArgumentParser):
    """argparse's parser (its sub-commands' too), help wrapped to ``terminal_columns`` as
    argparse would: argparse's own formatter imports ``shutil`` for it (and ``shutil`` bz2 and
    lzma) on the first ``add_argument``, ~2.5 ms of every command's start-up."""

    def _get_formatter(self) -> argparse.HelpFormatter:
        make: Any = self.formatter_class  # (typeshed's protocol names ``prog`` alone)
        formatter: argparse.HelpFormatter = make(prog=self.prog, width=terminal_columns() - 2)
        return formatter
