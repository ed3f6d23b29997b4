"""``open_source``: one SOURCE spec (file, ``-``, live URL-like spec) -> an iterable ``Source`` of
``FrameBatch`` / ``Observations`` / ``StateRows`` chunks (a states document: one chunk, whole).
The composition of a transport with a sans-IO parser.

SOURCE forms: a path (plain, gzip, xz or bzip2 by magic bytes), ``-`` (stdin), ``beast+tcp://H:P``,
``avr+tcp://``, ``sbs+tcp://`` (any stream format ``+tcp``), ``beast+listen://H:P`` (pushed feeds,
several clients, one parser and clock per connection), ``readsb+http(s)://...`` and
``opensky+http(s)://...`` (polled every ``poll_interval_s``, only changed aircraft passed on).

Beast/AVR clock base (first frame's time): ``start_time`` if given; else a unix time in the file
name; else arrival time (live and stdin); else the file's mtime, taken as the *last* frame's time
for plain files (the tail is read to find the span) and as the first frame's time for compressed
files (an approximation: their span is unknown until read).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

from ..errors import FormatError, InputError
from ..model import FrameBatch, RejectReason, StateRows
from ..stats import IngestStats
from .clock import TickClock
from .compression import Decompressor, compression_of, decompress_head
from .detect import detect_format
from .filetime import file_base_time
from .formats import FORMATS
from .link import CUT, LinkState
from .records import drop_bad_times, drop_implausible, obs_take

# re-exported: the registry's old home (live transports, tests and the fuzz targets use them)
from .registry import PARSERS as PARSERS
from .registry import Batch as Batch
from .registry import Parser as Parser
from .registry import make_parser as make_parser
from .textio import LineParser

FILE_CHUNK_BYTES = 1 << 20
#: The most a text file's read size grows to (``line_block_bytes``). Larger blocks cost more
#: than they save: glibc hands each freed block (and the block's column arrays) back to the
#: kernel and the next block faults its pages in again (500k SBS lines, 5.6 MB blocks: ~18k
#: page faults; 2 MB: ~4k; whole ``decode`` -11 % CPU for SBS, -8 % for JSON lines, issue 18).
MAX_LINE_BLOCK_BYTES = 2 << 20
HEAD_BYTES = 1 << 16
MAX_HEAD_RAW_BYTES = 8 << 20  # compressed bytes read at most to detect a format
DOCUMENT_FORMATS = (
    "readsb",
    "trace",
    "fr24",
)  # whole JSON documents (opensky: CSV streams, REST docs)

log = logging.getLogger(__name__)


def checked(b: Batch, stats: IngestStats) -> Batch:
    """What every source passes on: frames with a plausible time, decoded rows with values
    inside physical ranges (the others counted)."""
    if isinstance(b, FrameBatch):
        return drop_bad_times(b, stats, b.source)
    if isinstance(b, StateRows):
        from .states import drop_implausible_states  # only states documents need it

        return drop_implausible_states(b, stats, b.source)
    return drop_implausible(b, stats, b.source)


def note_drift(link: LinkState, parser: Parser) -> None:
    """Copy a live receiver clock's drift (Beast/AVR parsers have a clock) to the link."""
    clock = getattr(parser, "clock", None)
    if isinstance(clock, TickClock) and clock.drift_s is not None:
        link.drift_s = clock.drift_s


def _split(batch: Batch, size: int) -> Iterator[Batch]:
    n = len(batch)
    if n == 0:
        return
    if n <= size or isinstance(batch, StateRows):  # a states document is gated whole
        yield batch
        return
    for i in range(0, n, size):
        if isinstance(batch, FrameBatch):  # views of the parsed batch: no copy
            yield batch.rows(slice(i, min(n, i + size)))
        else:
            yield obs_take(batch, np.arange(i, min(n, i + size)))


class Source:
    """An opened input: iterate it for batches. ``position()`` is for progress bars."""

    def __init__(
        self, name: str, fmt: str, *, live: bool, total_bytes: int | None, batch_size: int
    ) -> None:
        self.name = name
        self.format = fmt
        self.live = live
        self.total_bytes = total_bytes
        self.batch_size = batch_size
        self._position = 0
        self.link = LinkState()  # live transports report their connection events here

    def position(self) -> int:
        """Bytes consumed so far (of the file on disk, compressed; received for live feeds)."""
        return self._position

    def __iter__(self) -> Iterator[Batch]:
        return iter(())


class StreamSource(Source):
    """A byte stream (file, stdin, TCP client) through one parser."""

    def __init__(
        self,
        name: str,
        fmt: str,
        parser: Parser,
        chunks: Iterator[tuple[bytes, float | None]],
        stats: IngestStats,
        *,
        live: bool,
        total_bytes: int | None,
        batch_size: int,
        compression: str | None,
        stop: threading.Event,
        close: BinaryIO | None = None,
    ) -> None:
        super().__init__(name, fmt, live=live, total_bytes=total_bytes, batch_size=batch_size)
        self.parser = parser
        self.stats = stats
        self._chunks = chunks
        self._decomp = Decompressor(compression) if compression else None
        self._stop = stop
        self._close = close

    def _checked(self, b: Batch) -> Batch:
        return checked(b, self.stats)

    def set_chunks(self, chunks: Iterator[tuple[bytes, float | None]]) -> None:
        """The transport, when it needs this source's ``link`` to be made."""
        self._chunks = chunks

    def __iter__(self) -> Iterator[Batch]:
        try:
            for raw, arrival in self._chunks:
                if raw == CUT and self.live:  # a live connection ended; more will follow
                    for b in self.parser.cut():
                        yield from _split(b, self.batch_size)
                    continue
                self._position += len(raw)
                data = self._decomp.feed(raw) if self._decomp else raw
                for b in self.parser.feed(data, arrival):
                    yield from _split(self._checked(b), self.batch_size)
                note_drift(self.link, self.parser)
                if self._stop.is_set() or (self._decomp and self._decomp.error):
                    break
            for b in self.parser.finish():
                yield from _split(self._checked(b), self.batch_size)
            if self._decomp:
                self._decomp.finish()
                if self._decomp.error or self._decomp.truncated:
                    self.stats.frames += 1
                    self.stats.reject(
                        RejectReason.TRUNCATED,
                        self.name,
                        offset=self._position,
                        detail=self._decomp.error or f"{self._decomp.kind} stream cut short",
                    )
        finally:
            if self._close is not None:
                self._close.close()


def is_live_spec(spec: str) -> bool:
    """True for network sources (they are reopened when they end); files are read once."""
    return "://" in spec


def open_source(
    spec: str,
    fmt: str = "auto",
    stats: IngestStats | None = None,
    *,
    stop: threading.Event | None = None,
    batch_size: int = 65536,
    start_time: float | None = None,
    tz: str | None = None,
    clock: str = "auto",
    poll_interval_s: float = 1.0,
    token_url: str | None = None,
    live_clock: str = "system",
) -> Source:
    """Open SOURCE (see module doc). ``fmt``: auto or one of ``FORMATS``; ``tz``: SBS local time
    zone; ``clock``: Beast/AVR timestamp kind (auto, 12mhz, gps); ``live_clock``: how a live
    feed's 12 MHz counter is anchored (``clock.LIVE_ANCHORS``). Raises InputError when the
    input cannot be opened and FormatError when its format is unknown."""
    stats = stats if stats is not None else IngestStats()
    stop = stop or threading.Event()
    if fmt != "auto" and fmt not in FORMATS:
        raise FormatError(spec, f"unknown format {fmt!r}", detail=f"one of {', '.join(FORMATS)}")
    if is_live_spec(spec):
        from .live import open_live  # live transports import this module

        return open_live(spec, fmt, stats, stop, batch_size, start_time, tz, clock,
                         poll_interval_s, token_url, live_clock)  # fmt: skip
    if spec == "-":
        return _open_stream(sys.stdin.buffer, "stdin", fmt, stats, stop, batch_size,
                            start_time, tz, clock)  # fmt: skip
    return _open_file(spec, fmt, stats, stop, batch_size, start_time, tz, clock)


def _open_file(
    path: str,
    fmt: str,
    stats: IngestStats,
    stop: threading.Event,
    batch_size: int,
    start_time: float | None,
    tz: str | None,
    clock: str,
) -> Source:
    try:
        f: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by the source when iterated)
        st = os.fstat(f.fileno())
    except OSError as e:
        raise InputError(path, "cannot open input", detail=e.strerror or str(e)) from e
    if not os.path.isfile(path):  # a named pipe or device: read as a stream
        return _open_stream(f, path, fmt, stats, stop, batch_size, start_time, tz, clock)
    head = f.read(HEAD_BYTES)
    kind = compression_of(head)
    if kind:
        head = _inflated_head(f, kind)
    if fmt == "auto":
        fmt = _resolve(fmt, head, path) if head else _name_hint(path)
    base = file_base_time(path, f, head, fmt, kind, clock, start_time)
    f.seek(0)
    clk = TickClock(base, mode=clock, live=False)
    document = head.lstrip()[:1] == b"{"  # OpenSky REST JSON saved to a file
    parser = make_parser(fmt, stats, path, clock=clk, tz=tz, document=document)
    size = FILE_CHUNK_BYTES
    if isinstance(parser, LineParser) and not kind:
        size = line_block_bytes(head, batch_size)
    return StreamSource(path, fmt, parser, _file_chunks(f, stop, size), stats, live=False,
                        total_bytes=st.st_size, batch_size=batch_size, compression=kind,
                        stop=stop, close=f)  # fmt: skip


def _inflated_head(f: BinaryIO, kind: str) -> bytes:
    """The first decompressed bytes of a compressed file (bzip2 needs a whole block)."""
    d = Decompressor(kind)
    f.seek(0)
    out = b""
    while len(out) < HEAD_BYTES and f.tell() < MAX_HEAD_RAW_BYTES:
        raw = f.read(FILE_CHUNK_BYTES)
        if not raw:
            break
        out += d.feed(raw)
    return out[:HEAD_BYTES]


def _open_stream(
    stream: BinaryIO,
    name: str,
    fmt: str,
    stats: IngestStats,
    stop: threading.Event,
    batch_size: int,
    start_time: float | None,
    tz: str | None,
    clock: str,
) -> Source:
    head = _read_some(stream)
    kind = compression_of(head)
    if fmt == "auto":
        fmt = _resolve(fmt, head, name) if head else _name_hint(name)
    # no file name time, no mtime: frames are anchored on their arrival time
    live_clock = start_time is None
    clk = TickClock(start_time, mode=clock, live=live_clock)
    document = decompress_head(head).lstrip()[:1] == b"{"
    parser = make_parser(fmt, stats, name, clock=clk, live=live_clock, tz=tz, document=document)
    chunks = _chain(head, _stream_chunks(stream, stop), arrival=live_clock)
    return StreamSource(name, fmt, parser, chunks, stats, live=False, total_bytes=None,
                        batch_size=batch_size, compression=kind, stop=stop,
                        close=None if name == "stdin" else stream)  # fmt: skip


def _resolve(fmt: str, head: bytes, name: str) -> str:
    return detect_format(head, name) if fmt == "auto" else fmt


def _name_hint(name: str) -> str:
    try:
        return detect_format(b"", name)
    except FormatError:
        return "beast"  # nothing to read anyway: any parser yields nothing


def line_block_bytes(head: bytes, batch_size: int) -> int:
    """Bytes to read at a time from a text file: about 90 % of a batch of lines, at the mean
    line length of ``head`` (1-2 MB). Each block's column-wise parse has fixed costs (the
    Arrow reader's set-up, one map per column, ~100 array operations), which 1 MB blocks paid
    several times a batch (12k lines of SBS); under a batch, a block is never split in two."""
    lines = head.count(b"\n")
    if lines < 16:  # too few lines to tell
        return FILE_CHUNK_BYTES
    want = int(len(head) / lines * batch_size * 0.9)
    return max(FILE_CHUNK_BYTES, min(MAX_LINE_BLOCK_BYTES, want))


def _file_chunks(
    f: BinaryIO, stop: threading.Event, size: int = FILE_CHUNK_BYTES
) -> Iterator[tuple[bytes, float | None]]:
    while not stop.is_set():
        raw = f.read(size)
        if not raw:
            return
        yield raw, None


def _read_some(stream: BinaryIO) -> bytes:
    read1 = getattr(stream, "read1", None)
    return bytes(read1(HEAD_BYTES)) if read1 else stream.read(HEAD_BYTES)


def _stream_chunks(stream: BinaryIO, stop: threading.Event) -> Iterator[bytes]:
    while not stop.is_set():
        data = _read_some(stream)
        if not data:
            return
        yield data


def _chain(
    head: bytes, rest: Iterator[bytes], *, arrival: bool
) -> Iterator[tuple[bytes, float | None]]:
    if head:
        yield head, (time.time() if arrival else None)
    for data in rest:
        yield data, (time.time() if arrival else None)
