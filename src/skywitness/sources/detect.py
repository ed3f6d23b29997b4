"""Input format recognition from the first bytes of a stream (compressed or not).

Order of the tests: Beast (0x1a + a frame type at the start, or dense 0x1a-framed records),
then text: AVR lines, SBS ``MSG,`` records, JSON (trace / aircraft.json / OpenSky REST / JSON
lines of frames), OpenSky CSV header, hex frame lines. The file name only breaks ties (an empty
or unrecognisable head with a telling extension).
"""

from __future__ import annotations

import json
import re

from ..errors import FormatError
from .compression import decompress_head

FORMATS: tuple[str, ...] = (
    "beast", "avr", "sbs", "hex", "jsonl", "readsb", "trace", "opensky", "states", "fr24",
)  # fmt: skip
#: Name hints, tried only when the content says nothing.
_NAME_HINTS = (
    (re.compile(r"trace_(full|recent)_"), "trace"),
    (re.compile(r"aircraft\.json"), "readsb"),
    (re.compile(r"\.(bin|beast)(\.|$)"), "beast"),
    (re.compile(r"\.avr(\.|$)"), "avr"),
    (re.compile(r"\.(sbs|basestation)(\.|$)"), "sbs"),
    (re.compile(r"\.jsonl(\.|$)"), "jsonl"),
)
_AVR_LINE = re.compile(rb"^[*:@%<][0-9A-Fa-f]{4,}(;|$)")
_HEX_FIELD = re.compile(rb"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{28}|[0-9A-Fa-f]{14})(?![0-9A-Za-z])")
_BEAST_TYPES = b"123\xe3"


def detect_format(head: bytes, name: str = "") -> str:
    """The format of a stream from its first bytes (a few KiB); FormatError when unknown."""
    head = decompress_head(head)
    fmt = _from_content(head)
    if fmt is None:
        low = name.lower()
        for pattern, hint in _NAME_HINTS:
            if pattern.search(low):
                return hint
        shown = head[:40]
        raise FormatError(
            name or "input",
            "unknown input format",
            detail=f"first bytes {shown!r}; name the format: {', '.join(FORMATS)}",
        )
    return fmt


def _from_content(head: bytes) -> str | None:
    if not head:
        return None
    if head.startswith(b"PAR1"):
        return "states"  # Parquet: state vectors with the canonical columns
    if head[0] == 0x1A and len(head) > 1 and head[1] in _BEAST_TYPES:
        return "beast"
    if _beast_density(head):
        return "beast"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lines = [ln.strip() for ln in text.split(b"\n")[:20] if ln.strip()]
    if not lines:
        return None
    first = lines[0]
    if sum(1 for ln in lines if _AVR_LINE.match(ln)) * 2 > len(lines):
        return "avr"
    if first.startswith((b"MSG,", b"SEL,", b"ID,", b"AIR,", b"STA,", b"CLK,")):
        return "sbs"
    if first.startswith((b"{", b"[")):
        return _json_kind(text, first)
    low = first.lower()
    if b"icao24" in low and (b"baroaltitude" in low or b"velocity" in low or b"lat" in low):
        return "opensky"
    if sum(1 for ln in lines if _HEX_FIELD.search(ln)) * 2 >= len(lines):
        return "hex"
    return None


def _beast_density(head: bytes) -> bool:
    """Many '0x1a + frame type' pairs: a Beast stream joined mid-frame."""
    pairs = sum(head.count(b"\x1a" + bytes([t])) for t in _BEAST_TYPES)
    return len(head) >= 64 and pairs * 40 >= len(head)


def _json_kind(text: bytes, first: bytes) -> str | None:
    try:
        obj = json.loads(first)
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        if isinstance(obj.get("result"), dict):
            return "fr24"  # flight playback: result.response.data.flight
        if "trace" in obj:
            return "trace"
        if "aircraft" in obj or "ac" in obj:
            return "readsb"
        if "states" in obj:
            return "opensky"
        if any(k in obj for k in ("frame", "rawmsg", "msg", "hex", "raw", "message")):
            return "jsonl"
        if "icao24" in obj and "timestamp" in obj and isinstance(obj["icao24"], dict):
            return "states"  # pandas "columns" orient
    if isinstance(obj, list) and obj and isinstance(obj[0], dict) and "icao24" in obj[0]:
        return "states"  # pandas "records" orient (traffic samples)
    window = text[:65536]
    if b'"result"' in window and b'"flight"' in window and b'"track"' in window:
        return "fr24"
    if b'"trace"' in window:
        return "trace"
    if b'"states"' in window:
        return "opensky"
    if b'"aircraft"' in window or b'"ac"' in window or b'"now"' in window:
        return "readsb"
    if b'"frame"' in window or b'"rawmsg"' in window:
        return "jsonl"
    if b'"icao24"' in window and b'"timestamp"' in window:
        return "states"
    return None
