"""What ``skywitness ingest`` says on stderr: plain, unwrapped lines when stderr is not a
terminal (a pipe, a log, a bench: rich, ~0.025 s of start-up with its tables, is not loaded,
and a path is printed as it is, never read as markup); rich, styled, on a terminal."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def on_terminal() -> bool:
    """Whether stderr is a terminal (a progress bar and styles are drawn there only)."""
    return sys.stderr.isatty()


@cache
def _console() -> Console:
    from rich.console import Console

    # ``emoji=False``: a path with ``:name:`` in it is printed as it is
    return Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def say(text: str, style: str | None = None) -> None:
    """``text`` as one line on stderr (``style``, a rich style, on a terminal only)."""
    if not on_terminal():
        print(text, file=sys.stderr, flush=True)
        return
    from rich.text import Text

    _console().print(Text(text, style=style or ""))
