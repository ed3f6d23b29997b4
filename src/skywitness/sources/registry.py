"""The input format registry: each format's sans-IO parser factory, by name.

``make_parser(fmt, ...)`` gives the parser for one format. Each factory imports its parser on
use: a run reads one format, and the readers of the others (pyarrow CSV/JSON, zoneinfo, the
OpenSky and readsb shapes) are start-up it never needs (issue 18).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import FormatError
from ..model import FrameBatch, Observations
from ..stats import IngestStats
from .clock import TickClock
from .detect import FORMATS

Batch = FrameBatch | Observations


class Parser(Protocol):
    def feed(self, data: bytes, arrival: float | None = None) -> list[Batch]: ...

    def finish(self) -> list[Batch]: ...

    def cut(self) -> list[Batch]: ...


@dataclass(frozen=True, slots=True)
class ParserArgs:
    """What a parser factory is given (each format takes what it needs)."""

    stats: IngestStats
    name: str
    clock: TickClock
    live: bool
    tz: str | None
    document: bool


# Each factory imports its parser on use: a run reads one format, and the readers of the others
# (pyarrow CSV/JSON, zoneinfo, the OpenSky and readsb shapes) are start-up it never needs.


def _beast(a: ParserArgs) -> Any:
    from .beast import BeastParser

    return BeastParser(a.stats, a.name, a.clock)


def _avr(a: ParserArgs) -> Any:
    from .avr import AvrParser

    return AvrParser(a.stats, a.name, a.clock, live=a.live)


def _hex(a: ParserArgs) -> Any:
    from .hexlines import HexParser

    return HexParser(a.stats, a.name, live=a.live)


def _jsonl(a: ParserArgs) -> Any:
    from .hexlines import JsonlParser

    return JsonlParser(a.stats, a.name, live=a.live)


def _sbs(a: ParserArgs) -> Any:
    from .sbs import SbsParser

    return SbsParser(a.stats, a.name, tz=a.tz, live=a.live)


def _readsb(a: ParserArgs) -> Any:
    from .readsb import JsonDocumentParser, aircraft_rows

    return JsonDocumentParser(a.stats, a.name, aircraft_rows)


def _trace(a: ParserArgs) -> Any:
    from .readsb import JsonDocumentParser, trace_rows

    return JsonDocumentParser(a.stats, a.name, trace_rows)


def _fr24(a: ParserArgs) -> Any:
    from .fr24 import fr24_rows
    from .readsb import JsonDocumentParser

    return JsonDocumentParser(a.stats, a.name, fr24_rows)


def _states(a: ParserArgs) -> Any:
    from .states import StatesParser

    return StatesParser(a.stats, a.name)


def _opensky(a: ParserArgs) -> Any:
    from .opensky import OpenskyCsvParser, rest_rows
    from .readsb import JsonDocumentParser

    if a.document:  # the REST API's JSON document, not the historical CSV stream
        return JsonDocumentParser(a.stats, a.name, rest_rows)
    return OpenskyCsvParser(a.stats, a.name, live=a.live)


#: The format registry: each input format's sans-IO parser factory, by name (``FORMATS``,
#: recognised by ``detect.detect_format``). A new format is one row here and one in ``FORMATS``.
PARSERS: dict[str, Callable[[ParserArgs], Any]] = {
    "beast": _beast,
    "avr": _avr,
    "hex": _hex,
    "jsonl": _jsonl,
    "sbs": _sbs,
    "readsb": _readsb,
    "trace": _trace,
    "fr24": _fr24,
    "states": _states,
    "opensky": _opensky,
}


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
