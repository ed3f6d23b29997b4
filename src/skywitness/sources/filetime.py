"""When a recorded file's frames happened: ``--start-time``, else a unix time in the file's name,
else (Beast and AVR, whose frames carry no date) the file's modification time taken as the last
frame's — a guess, said aloud, since a copied file has the copy's time."""

from __future__ import annotations

import logging
import math
import os
from typing import BinaryIO

from ..timeutil import unix_z
from .clock import time_from_name

#: Bytes read at the end of a Beast file for its last timestamp.
TAIL_BYTES = 1 << 16
#: A span longer than this between a file's first and last frame is not believed, s.
MAX_SPAN_S = 86400 * 30

log = logging.getLogger(__name__)


def file_base_time(
    path: str,
    f: BinaryIO,
    head: bytes,
    fmt: str,
    compression: str | None,
    clock: str,
    start_time: float | None,
) -> float | None:
    """The unix time of the file's first frame, or None (the frames carry their own)."""
    if start_time is not None:
        return start_time
    base = time_from_name(path)
    if base is not None or fmt not in ("beast", "avr"):
        return base
    st = os.fstat(f.fileno())
    base = st.st_mtime
    if fmt == "beast" and compression is None and clock != "gps":
        base -= _beast_span(f, head, st.st_size)
    log.warning(
        "%s: no time in its name: frames timed from the file's modification time (first "
        "frame %s); give --start-time to set them",
        path, unix_z(base),
    )  # fmt: skip
    return base


def _beast_span(f: BinaryIO, head: bytes, size: int) -> float:
    """Seconds between the first and last frame of a plain Beast file (0 when unknown)."""
    from .beast import frame_beast, last_ticks  # a Beast file's own: other formats skip it

    first = frame_beast(head, final=True).ticks
    first = first[first != 0]
    f.seek(max(0, size - TAIL_BYTES))
    last = last_ticks(f.read(TAIL_BYTES))
    if not first.size or last is None or last < int(first[0]):
        return 0.0
    span = (last - int(first[0])) / 12e6
    return span if math.isfinite(span) and span < MAX_SPAN_S else 0.0
