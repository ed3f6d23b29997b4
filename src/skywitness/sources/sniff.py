"""What a format's sniffer looks at: the first bytes of a stream, seen once (``Head``), and the
small tests the format registry (``sources/formats.py``) composes its rows from.

A sniffer is a ``Sniff(rank, test)``: ``detect.detect_format`` tries every registered sniffer
in rank order and the first whose test holds names the format. The ranks keep the order in
which the tests are meaningful (``RANK_*``): magic bytes, binary framing, line formats, JSON by
the structure of its first line, JSON by keys anywhere in the head, CSV headers, bare hex.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

RANK_MAGIC = 10  # a file signature (Parquet)
RANK_FRAMING = 20  # binary framing (Beast escapes)
RANK_LINES = 30  # a line protocol recognised by most of its lines or its first record
RANK_JSON = 50  # JSON whose first line parses: by its top-level keys
RANK_JSON_KEYS = 60  # JSON that does not parse in one line: by the keys seen in the head
RANK_CSV = 70  # a CSV header
RANK_BARE = 80  # the least telling: bare hex frames
JSON_WINDOW_BYTES = 65536  # how much of the head the key search reads
MAX_LINES = 20  # lines a line-format test looks at

AVR_LINE = re.compile(rb"^[*:@%<][0-9A-Fa-f]{4,}(;|$)")
HEX_FIELD = re.compile(rb"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{28}|[0-9A-Fa-f]{14})(?![0-9A-Za-z])")
BEAST_TYPES = b"123\xe3"


class Head:
    """The (decompressed) first bytes of a stream and the views of it that sniffers share."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.text = raw.lstrip(b"\xef\xbb\xbf").lstrip()
        self.lines = [ln.strip() for ln in self.text.split(b"\n")[:MAX_LINES] if ln.strip()]
        self.first = self.lines[0] if self.lines else b""
        #: JSON text: only the JSON sniffers may name it, whatever else its lines look like.
        self.is_json = self.first.startswith((b"{", b"["))
        self.window = self.text[:JSON_WINDOW_BYTES]

    @cached_property
    def obj(self) -> Any:
        """The first line as JSON (None when it is not JSON or does not parse on its own)."""
        if not self.is_json:
            return None
        try:
            return json.loads(self.first)
        except (ValueError, RecursionError):
            return None


Test = Callable[[Head], bool]


@dataclass(frozen=True, slots=True)
class Sniff:
    """One test of a format's registry row; ``rank``: lower is tried first (``RANK_*``)."""

    rank: int
    test: Test


@dataclass(frozen=True, slots=True)
class NameHint:
    """A file-name pattern, tried (lower ``rank`` first) only when the content says nothing."""

    rank: int
    pattern: re.Pattern[str]


def starts_with(magic: bytes) -> Test:
    return lambda h: h.raw.startswith(magic)


def beast_start(h: Head) -> bool:
    """0x1a and a Beast frame type at the very start."""
    return len(h.raw) > 1 and h.raw[0] == 0x1A and h.raw[1] in BEAST_TYPES


def beast_density(h: Head) -> bool:
    """Many '0x1a + frame type' pairs: a Beast stream joined mid-frame."""
    pairs = sum(h.raw.count(b"\x1a" + bytes([t])) for t in BEAST_TYPES)
    return len(h.raw) >= 64 and pairs * 40 >= len(h.raw)


def most_lines(line: re.Pattern[bytes]) -> Test:
    """More than half of the first lines match ``line`` (at their start)."""
    return lambda h: sum(1 for ln in h.lines if line.match(ln)) * 2 > len(h.lines)


def half_lines_hold(field: re.Pattern[bytes]) -> Test:
    """Text (not JSON) of which at least half the first lines hold ``field``."""
    return lambda h: (
        bool(h.lines)
        and not h.is_json
        and sum(1 for ln in h.lines if field.search(ln)) * 2 >= len(h.lines)
    )


def first_line_starts(*prefixes: bytes) -> Test:
    return lambda h: h.first.startswith(prefixes)


def csv_header(needs: bytes, *any_of: bytes) -> Test:
    """Text (not JSON) whose first line names column ``needs`` and one of ``any_of``."""

    def test(h: Head) -> bool:
        low = h.first.lower()
        return not h.is_json and needs in low and any(k in low for k in any_of)

    return test


def json_object(test: Callable[[dict[str, Any]], bool]) -> Test:
    """The first line is a JSON object for which ``test`` holds."""
    return lambda h: isinstance(h.obj, dict) and test(h.obj)


def json_records_with(key: str) -> Test:
    """The first line is a JSON list of objects, the first of which has ``key``."""
    return lambda h: (
        isinstance(h.obj, list) and bool(h.obj) and isinstance(h.obj[0], dict) and key in h.obj[0]
    )


def window_has(all_of: tuple[bytes, ...] = (), any_of: tuple[bytes, ...] = ()) -> Test:
    """JSON text whose head holds every one of ``all_of`` and (if given) one of ``any_of``."""
    return lambda h: (
        h.is_json
        and all(k in h.window for k in all_of)
        and (not any_of or any(k in h.window for k in any_of))
    )
