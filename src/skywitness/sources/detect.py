"""Input format recognition from the first bytes of a stream (compressed or not).

The tests are the format registry's sniffers (``sources/formats.py: REGISTRY``), tried in rank
order (``sources/sniff.py``): Parquet magic, Beast framing, AVR lines, SBS records, JSON (by
its first line's keys, then by keys anywhere in the head), OpenSky CSV header, hex frame lines.
The file name only breaks ties (an empty or unrecognisable head with a telling extension).
"""

from __future__ import annotations

from ..errors import FormatError
from .compression import decompress_head
from .formats import FORMATS, REGISTRY
from .sniff import Head

__all__ = ["FORMATS", "detect_format"]

_SNIFFERS = sorted(
    ((s.rank, fmt.name, s.test) for fmt in REGISTRY for s in fmt.sniffs), key=lambda r: r[0]
)
_NAME_HINTS = sorted(
    ((n.rank, fmt.name, n.pattern) for fmt in REGISTRY for n in fmt.names), key=lambda r: r[0]
)


def detect_format(head: bytes, name: str = "") -> str:
    """The format of a stream from its first bytes (a few KiB); FormatError when unknown."""
    head = decompress_head(head)
    fmt = _from_content(head)
    if fmt is not None:
        return fmt
    low = name.lower()
    for _, hint, pattern in _NAME_HINTS:
        if pattern.search(low):
            return hint
    raise FormatError(
        name or "input",
        "unknown input format",
        detail=f"first bytes {head[:40]!r}; name the format: {', '.join(FORMATS)}",
    )


def _from_content(raw: bytes) -> str | None:
    if not raw:
        return None
    head = Head(raw)
    for _, fmt, test in _SNIFFERS:
        if test(head):
            return fmt
    return None
