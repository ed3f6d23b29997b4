"""Shared helpers for the text readers: split a byte stream into numbered lines, hex to bytes.

Both are sans-IO and vectorised where it pays: hex payloads of a whole chunk are converted in one
numpy pass through a lookup table, grouped by length.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from ..model import (
    LONG_FRAME_BYTES,
    MODEAC_FRAME_BYTES,
    SHORT_FRAME_BYTES,
    U1,
    Observations,
    RejectReason,
    StateRows,
)
from ..stats import IngestStats

#: Valid frame lengths in hex characters (Mode A/C, short, long).
FRAME_HEX_CHARS = (2 * MODEAC_FRAME_BYTES, 2 * SHORT_FRAME_BYTES, 2 * LONG_FRAME_BYTES)

#: A line longer than this (bytes) is garbage, not a record: stops a newline-less stream from
#: growing the remainder without bound.
MAX_LINE_BYTES = 1 << 20

#: A refused block of at most this many lines is read line by line (see ``parse_blocks``).
LINE_BY_LINE = 256

_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _NIBBLE[_c] = 10 + _i


_NO_LINES = np.zeros(0, dtype=np.int64)


class LineSplitter:
    """Cut a byte stream into complete lines, keeping the unterminated tail for the next feed.

    Lines come back without their ``\\n``/``\\r\\n``, numbered from 1 across feeds; ``offset`` is
    the stream offset of the first byte not yet returned (for progress and error locations).
    With ``positions``, ``feed_block`` keeps where the ``\\n`` of the block it returned lie
    (``block``, ``newlines``): its one scan of the block, for a reader that needs them too.
    """

    __slots__ = ("_rest", "block", "line_no", "newlines", "offset", "positions")

    def __init__(self, *, positions: bool = False) -> None:
        self._rest = b""
        self.line_no = 0  # number of the last line returned
        self.offset = 0
        self.positions = positions
        self.block = b""  # the last block returned (with ``positions``)
        self.newlines = _NO_LINES  # where its "\n" lie

    def feed(self, data: bytes, final: bool = False) -> tuple[list[bytes], int]:
        """Return (complete lines, number of the first of them)."""
        block, first, _count = self.feed_block(data, final)
        return split_lines(block), first

    def feed_block(
        self, data: bytes, final: bool = False, *, count_lines: bool = True
    ) -> tuple[bytes, int, int]:
        """Return (the complete lines as one block of bytes, number of the first line, number
        of lines). The block still holds its line ends (``split_lines`` cuts it), so a
        column-wise reader can hand it to a native parser in one piece. With ``count_lines``
        False (and no ``positions``) a non-empty block's lines are not counted: the number
        is -1, and the caller says how many there were (``advance``) before the next feed."""
        size = len(self._rest) + len(data)
        if final:
            block, self._rest = self._rest + data if self._rest else data, b""
        else:
            block, self._rest = _cut(self._rest, data)
        if len(self._rest) > MAX_LINE_BYTES:
            # keep it as one (oversized, soon rejected) line rather than buffering forever
            block, self._rest = block + self._rest + b"\n", b""
        if self.positions:
            self.block, self.newlines = block, newline_positions(block)
            ends = int(self.newlines.shape[0])
        elif not count_lines:
            self.offset += size - len(self._rest)
            return block, self.line_no + 1, -1 if block else 0
        else:
            ends = line_ends(block)
        count = ends + (1 if block and not block.endswith(b"\n") else 0)
        first = self.line_no + 1
        self.line_no += count
        self.offset += size - len(self._rest)
        return block, first, count

    def advance(self, lines: int) -> None:
        """Count ``lines`` more lines: those of the block ``feed_block`` did not count."""
        self.line_no += lines

    def forget(self) -> None:
        """Drop the last block and its line ends (once read: not held until the next feed)."""
        self.block, self.newlines = b"", _NO_LINES

    @property
    def pending(self) -> int:
        """Bytes held back (an unterminated last line)."""
        return len(self._rest)

    def cut(self) -> int:
        """Drop the unterminated last line (its connection ended); returns its length."""
        n = len(self._rest)
        self.offset += n
        self._rest = b""
        return n


def _cut(rest: bytes, data: bytes) -> tuple[bytes, bytes]:
    """(``rest + data`` up to its last ``\\n``, what follows), copying each byte once: the
    block is joined from ``rest`` and a view of ``data`` (a slice and a sum would copy it
    twice), or is ``data`` itself when it is whole lines and nothing was held back."""
    cut = data.rfind(b"\n") + 1
    if cut == 0:
        return b"", rest + data
    if cut == len(data):
        return (b"".join((rest, data)) if rest else data), b""
    return b"".join((rest, memoryview(data)[:cut])), data[cut:]


def newline_positions(block: bytes) -> npt.NDArray[np.int64]:
    """Where the ``\\n`` of ``block`` lie."""
    out: npt.NDArray[np.int64] = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    return out


def line_spans(
    block: bytes, nl: npt.NDArray[np.int64] | None = None
) -> tuple[
    npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]
]:
    """The block as bytes and, for each non-empty line, its (start, end) without ``\\r\\n`` and
    its index among all the block's lines (``nl``: where its ``\\n`` lie, when known)."""
    b = np.frombuffer(block, dtype=np.uint8)
    if nl is None:
        nl = newline_positions(block)
    n = nl.shape[0]
    if n and int(nl[-1]) == b.size - 1:  # whole lines: none past the last "\n"
        start = np.empty(n, dtype=np.int64)
        start[0] = 0
        np.add(nl[:-1], 1, out=start[1:])
        # (an empty first line reads b[-1], a "\n": then ``end > start`` fails below)
        if not bool((np.take(b, nl - 1) == 13).any()) and bool((nl > start).all()):
            return b, start, nl, np.arange(n, dtype=np.int64)  # no CR, no empty line
    start = np.concatenate(([0], nl + 1))
    end = np.concatenate((nl, [b.size]))
    end = end - ((end > start) & (b[np.maximum(end - 1, 0)] == 13))
    keep = end > start
    return b, start[keep], end[keep], np.flatnonzero(keep)


def line_ends(block: bytes) -> int:
    """``block.count(b"\\n")``, counted by numpy: ~2x cheaper over a block of megabytes."""
    return int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10))


def lone_cr(block: bytes) -> bool:
    """Whether a CR in ``block`` is followed by anything but LF (a CR at its very end is the
    end of its last line): Arrow's CSV reader ends a line there, the line-by-line readers
    (``split_lines``) do not."""
    b = np.frombuffer(block, dtype=np.uint8)
    after = np.flatnonzero(b[:-1] == 13) + 1
    return bool((np.take(b, after) != 10).any())


def split_lines(block: bytes) -> list[bytes]:
    """The lines of a block from ``LineSplitter.feed_block``, without ``\\n``/``\\r\\n``."""
    if not block:
        return []
    lines = block.split(b"\n")
    if block.endswith(b"\n"):
        lines.pop()
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]


def hex_frames(items: list[bytes]) -> tuple[U1, U1, npt.NDArray[np.bool_]]:
    """Convert hex payloads to left-aligned 14-byte rows.

    Returns (data (n, 14), length in bytes, ok). ``ok`` is False for odd/invalid lengths or
    non-hex characters; those rows are zero.
    """
    n = len(items)
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(n, dtype=np.uint8)
    ok = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return data, length, ok
    sizes = np.fromiter((len(x) for x in items), dtype=np.int64, count=n)
    for nchars in FRAME_HEX_CHARS:
        sel = np.flatnonzero(sizes == nchars)
        if sel.size == 0:
            continue
        joined = b"".join([items[i] for i in sel.tolist()])
        nib = _NIBBLE[np.frombuffer(joined, dtype=np.uint8)].reshape(sel.size, nchars)
        good = (nib != 255).all(axis=1)
        val = (nib[:, 0::2] << 4) | nib[:, 1::2]
        nbytes = nchars // 2
        rows = sel[good]
        data[rows, :nbytes] = val[good]
        length[rows] = nbytes
        ok[rows] = True
    return data, length, ok


def hex_to_int(text: bytes) -> int | None:
    """Parse a hex number; None when it is not one."""
    try:
        return int(text, 16)
    except ValueError:
        return None


Chunk = TypeVar("Chunk")


class LineParser(ABC, Generic[Chunk]):
    """Sans-IO parser of a line-based format: splits the byte stream into complete, numbered
    lines (across feeds) and hands them to ``parse_lines``; counts the bytes read."""

    #: Whether ``parse_block`` looks for every line's end (``newlines``): the splitter's one
    #: scan of each block then finds them (a reader of its own lines, not Arrow's CSV reader).
    wants_newlines = False
    #: Whether ``parse_block`` says how many lines a block it read held (``block_lines``, -1
    #: when it cannot: Arrow's CSV reader counts its rows as it parses): the splitter then
    #: does not count each block's lines first, only those of a block read another way.
    counts_lines = False

    def __init__(self, stats: IngestStats, name: str, *, live: bool = False) -> None:
        self.stats = stats
        self.name = name
        self.live = live
        self._lines = LineSplitter(positions=self.wants_newlines)
        self.block_lines = -1

    def newlines(self, block: bytes) -> npt.NDArray[np.int64]:
        """Where the ``\\n`` of ``block`` lie: those the splitter found when ``block`` is the
        block it returned last (not a piece of it), else found here."""
        if block is self._lines.block and self._lines.positions:
            return self._lines.newlines
        return newline_positions(block)

    def feed(self, data: bytes, arrival: float | None = None) -> list[Chunk]:
        return self._run(data, False, arrival)

    def finish(self) -> list[Chunk]:
        return self._run(b"", True, None)

    def cut(self) -> list[Chunk]:
        """The connection ended: a line it cut is dropped and counted, never glued to the
        next connection's first line."""
        if self._lines.cut():
            self.stats.frames += 1
            self.stats.reject(
                RejectReason.TRUNCATED,
                self.name,
                line=self._lines.line_no + 1,
                detail="connection closed inside a line",
            )
        return []

    def _run(self, data: bytes, final: bool, arrival: float | None) -> list[Chunk]:
        self.stats.bytes_read += len(data)
        block, first, count = self._lines.feed_block(data, final, count_lines=not self.counts_lines)
        try:
            if count < 0:
                return self._parse_uncounted(block, first, arrival)
            return self.parse_blocks(block, first, count, arrival) if count else []
        finally:
            self._lines.forget()  # the block and its line ends are freed with the batch

    def _parse_uncounted(self, block: bytes, first: int, arrival: float | None) -> list[Chunk]:
        """``parse_blocks`` of a block whose lines the splitter did not count: counted here
        (one pass over the block) unless ``parse_block`` read it whole and said how many."""
        self.block_lines = -1
        fast = self.parse_block(block, first, arrival)
        lines = self.block_lines if fast is not None else -1
        if lines < 0:
            lines = line_ends(block) + (0 if block.endswith(b"\n") else 1)
        self._lines.advance(lines)
        if fast is not None:
            return fast
        return self.parse_blocks(block, first, lines, arrival, tried=True)

    def parse_blocks(
        self, block: bytes, first: int, count: int, arrival: float | None, *, tried: bool = False
    ) -> list[Chunk]:
        """``parse_block`` where it can, halving a refused block (in order) until the bad
        lines are isolated in pieces of at most ``LINE_BY_LINE`` lines, which go through
        ``parse_lines``: a few bad lines cost about two column-wise passes, not a line-by-line
        pass over the whole block. ``tried``: ``parse_block`` already refused it whole."""
        fast = None if tried else self.parse_block(block, first, arrival)
        if fast is not None:
            return fast
        mid = block.find(b"\n", len(block) // 2) + 1
        if count <= LINE_BY_LINE or not 0 < mid < len(block):
            return self.parse_lines(split_lines(block), first, arrival)
        head = block.count(b"\n", 0, mid)
        return self.parse_blocks(block[:mid], first, head, arrival) + self.parse_blocks(
            block[mid:], first + head, count - head, arrival
        )

    def parse_block(self, block: bytes, first: int, arrival: float | None) -> list[Chunk] | None:
        """Column-wise parse of a block of complete lines (``first``: number of its first
        line); None hands it to ``parse_lines`` line by line, which counts every bad line with
        its reason. The default has no column-wise path."""
        return None

    def line_text(self, raw: bytes, no: int) -> str | None:
        """Line ``no``, counted as read, as UTF-8 text; None when it is not UTF-8 (rejected
        and counted, ``BAD_ENCODING``)."""
        self.stats.frames += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.stats.reject(RejectReason.BAD_ENCODING, self.name, line=no)
            return None

    def counted(self, chunk: Chunk | None) -> list[Chunk] | None:
        """A column-wise block's result, counted as read and by source: None (the block goes
        line by line) passes through; an empty chunk is no chunk."""
        if chunk is None:
            return None
        n = len(chunk)  # type: ignore[arg-type]
        self.stats.frames += n
        if not n:
            return []
        self.stats.sources[self.name] += n
        return [chunk]

    @abstractmethod
    def parse_lines(self, lines: list[bytes], first: int, arrival: float | None) -> list[Chunk]:
        """Chunks from complete lines; ``first`` is the number of the first line (from 1)."""


class DocumentParser(ABC):
    """A reader of whole documents (JSON, Parquet): ``feed`` buffers, ``finish`` parses the
    document once it is complete (``parse``, also called per HTTP response by live polls)."""

    def __init__(self, stats: IngestStats, name: str) -> None:
        self.stats = stats
        self.name = name
        self._parts: list[bytes] = []

    def feed(self, data: bytes, arrival: float | None = None) -> list[Observations]:
        self.stats.bytes_read += len(data)
        self._parts.append(data)
        return []

    def cut(self) -> list[Observations]:
        """The connection ended: a document it cut is dropped and counted."""
        if any(self._parts):
            self.stats.frames += 1
            self.stats.reject(
                RejectReason.TRUNCATED,
                self.name,
                offset=0,
                detail="connection closed inside a document",
            )
        self._parts = []
        return []

    def finish(self) -> Sequence[Observations | StateRows]:
        buf = b"".join(self._parts)
        self._parts = []
        return self.parse(buf, None)

    @abstractmethod
    def parse(self, buf: bytes, arrival: float | None) -> Sequence[Observations | StateRows]:
        """Observations (or, of a states document, ``StateRows``) of one complete document."""
