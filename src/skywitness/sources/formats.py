"""The format registry: one row an input format, with its sans-IO parser factory, the sniffers
that recognise its first bytes and the file-name hints that break ties. ``FORMATS``, the parser
lookup (``PARSERS``) and ``detect.detect_format`` are all read from ``REGISTRY``: a new format is
one row here (and its parser module).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..stats import IngestStats
from .clock import TickClock
from .sniff import (
    AVR_LINE,
    HEX_FIELD,
    RANK_BARE,
    RANK_CSV,
    RANK_FRAMING,
    RANK_JSON,
    RANK_JSON_KEYS,
    RANK_LINES,
    RANK_MAGIC,
    NameHint,
    Sniff,
    beast_density,
    beast_start,
    csv_header,
    first_line_starts,
    half_lines_hold,
    json_object,
    json_records_with,
    most_lines,
    starts_with,
    window_has,
)


@dataclass(frozen=True, slots=True)
class ParserArgs:
    """What a parser factory is given (each format takes what it needs)."""

    stats: IngestStats
    name: str
    clock: TickClock
    live: bool
    tz: str | None
    document: bool


@dataclass(frozen=True, slots=True)
class Format:
    """One input format: its name, parser factory, content sniffers and name hints."""

    name: str
    parser: Callable[[ParserArgs], Any]
    sniffs: tuple[Sniff, ...] = ()
    names: tuple[NameHint, ...] = ()


# Each factory imports its parser on use: a run reads one format, and the readers of the others
# (pyarrow CSV/JSON, zoneinfo, the OpenSky and readsb shapes) are start-up it never needs
# (issue 18; tests/cli/test_startup.py).


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


def _hint(rank: int, pattern: str) -> NameHint:
    return NameHint(rank, re.compile(pattern))


_SBS_RECORDS = (b"MSG,", b"SEL,", b"ID,", b"AIR,", b"STA,", b"CLK,")
_FRAME_KEYS = ("frame", "rawmsg", "msg", "hex", "raw", "message")

#: Every input format, in the order ``FORMATS`` lists them (the CLI's choices and messages).
REGISTRY: tuple[Format, ...] = (
    Format(
        "beast",
        _beast,
        (Sniff(RANK_FRAMING, beast_start), Sniff(RANK_FRAMING + 1, beast_density)),
        (_hint(3, r"\.(bin|beast)(\.|$)"),),
    ),
    Format(
        "avr",
        _avr,
        (Sniff(RANK_LINES, most_lines(AVR_LINE)),),
        (_hint(4, r"\.avr(\.|$)"),),
    ),
    Format(
        "sbs",
        _sbs,
        (Sniff(RANK_LINES + 1, first_line_starts(*_SBS_RECORDS)),),
        (_hint(5, r"\.(sbs|basestation)(\.|$)"),),
    ),
    Format(
        "hex",
        _hex,
        (Sniff(RANK_BARE, half_lines_hold(HEX_FIELD)),),
    ),
    Format(
        "jsonl",  # JSON lines of frames
        _jsonl,
        (
            Sniff(RANK_JSON + 4, json_object(lambda o: any(k in o for k in _FRAME_KEYS))),
            Sniff(RANK_JSON_KEYS + 4, window_has(any_of=(b'"frame"', b'"rawmsg"'))),
        ),
        (_hint(6, r"\.jsonl(\.|$)"),),
    ),
    Format(
        "readsb",  # aircraft.json
        _readsb,
        (
            Sniff(RANK_JSON + 2, json_object(lambda o: "aircraft" in o or "ac" in o)),
            Sniff(RANK_JSON_KEYS + 3, window_has(any_of=(b'"aircraft"', b'"ac"', b'"now"'))),
        ),
        (_hint(2, r"aircraft\.json"),),
    ),
    Format(
        "trace",  # readsb / tar1090 trace files
        _trace,
        (
            Sniff(RANK_JSON + 1, json_object(lambda o: "trace" in o)),
            Sniff(RANK_JSON_KEYS + 1, window_has(all_of=(b'"trace"',))),
        ),
        (_hint(1, r"trace_(full|recent)_"),),
    ),
    Format(
        "opensky",  # historical CSV stream, or the REST API's JSON document
        _opensky,
        (
            Sniff(RANK_JSON + 3, json_object(lambda o: "states" in o)),
            Sniff(RANK_JSON_KEYS + 2, window_has(all_of=(b'"states"',))),
            Sniff(RANK_CSV, csv_header(b"icao24", b"baroaltitude", b"velocity", b"lat")),
        ),
    ),
    Format(
        "states",  # state vectors with the canonical columns: Parquet, pandas JSON
        _states,
        (
            Sniff(RANK_MAGIC, starts_with(b"PAR1")),
            Sniff(  # pandas "columns" orient
                RANK_JSON + 5,
                json_object(
                    lambda o: "icao24" in o and "timestamp" in o and isinstance(o["icao24"], dict)
                ),
            ),
            Sniff(RANK_JSON + 6, json_records_with("icao24")),  # "records" (traffic samples)
            Sniff(RANK_JSON_KEYS + 5, window_has(all_of=(b'"icao24"', b'"timestamp"'))),
        ),
    ),
    Format(
        "fr24",  # flight playback: result.response.data.flight
        _fr24,
        (
            Sniff(RANK_JSON, json_object(lambda o: isinstance(o.get("result"), dict))),
            Sniff(RANK_JSON_KEYS, window_has(all_of=(b'"result"', b'"flight"', b'"track"'))),
        ),
    ),
)

FORMATS: tuple[str, ...] = tuple(f.name for f in REGISTRY)
#: Each format's parser factory, by name.
PARSERS: dict[str, Callable[[ParserArgs], Any]] = {f.name: f.parser for f in REGISTRY}
