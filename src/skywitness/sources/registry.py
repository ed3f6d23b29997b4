"""A parser for one input format: ``make_parser(fmt, ...)`` looks its factory up in the format
registry (``sources/formats.py: REGISTRY``, where each factory imports its parser on use) and
gives the sans-IO parser.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import FormatError
from ..model import FrameBatch, Observations, StateRows
from ..stats import IngestStats
from .clock import TickClock
from .formats import FORMATS as FORMATS
from .formats import PARSERS as PARSERS
from .formats import ParserArgs

Batch = FrameBatch | Observations | StateRows


class Parser(Protocol):
    def feed(self, data: bytes, arrival: float | None = None) -> list[Batch]: ...

    def finish(self) -> list[Batch]: ...

    def cut(self) -> list[Batch]: ...


def make_parser(
    fmt: str,
    stats: IngestStats,
    name: str,
    *,
    clock: TickClock | None = None,
    live: bool = False,
    tz: str | None = None,
    document: bool = False,
) -> Parser:
    """The sans-IO parser for ``fmt``; ``document`` picks OpenSky's REST JSON over its CSV."""
    factory = PARSERS.get(fmt)
    if factory is None:
        raise FormatError(name, f"unknown format {fmt!r}", detail=f"one of {', '.join(FORMATS)}")
    parser: Parser = factory(
        ParserArgs(stats, name, clock or TickClock(live=live), live, tz, document)
    )
    return parser
