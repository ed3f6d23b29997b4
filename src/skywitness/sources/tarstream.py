"""Stream the members of a tar archive split over several files, without extracting it.

``PartsReader`` reads the parts (``.tar.aa``, ``.tar.ab``, ...) one after another as one byte
stream, inflating it when it is gzip/xz/bzip2 compressed, hashing the raw bytes (SHA-256 of the
joined archive) and counting them for progress. ``tar_members`` walks the 512-byte tar blocks:
POSIX ustar, GNU long names (``L``) and pax ``path`` records. A block that is not a valid header
(bad checksum) is skipped block by block until the next valid header, so one corrupt region
costs only the members inside it; a stream that ends inside a member (a missing part) ends with
a ``TarProblem`` naming that member. Nothing here raises on bad data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .compression import Decompressor, compression_of

BLOCK = 512  # bytes per tar block
READ_BYTES = 1 << 20  # raw bytes read from a part at a time
_REGULAR = (b"0", b"\x00", b"7")
_LONGNAME = b"L"
_PAX = (b"x", b"g")


@dataclass(frozen=True, slots=True)
class TarMember:
    name: str
    data: bytes
    offset: int  # of its header in the (inflated) tar stream


@dataclass(frozen=True, slots=True)
class TarProblem:
    """Something in the stream that could not be read; ``name`` the member when known."""

    name: str
    offset: int
    what: str


class PartsReader:
    """The split parts of one archive read in order as one stream (see module doc)."""

    def __init__(self, parts: Sequence[str | Path]) -> None:
        self.parts = [Path(p) for p in parts]
        self.total_bytes = sum(p.stat().st_size for p in self.parts)
        self.position = 0  # raw bytes read, all parts together
        self.sha256 = hashlib.sha256()
        self._raw = self._raw_chunks()
        self._decomp: Decompressor | None = None
        self._first = True
        self._buf = b""
        self._at = 0  # next unread byte of _buf
        self._eof = False

    def _raw_chunks(self) -> Iterator[bytes]:
        for path in self.parts:
            with path.open("rb") as fh:
                while chunk := fh.read(READ_BYTES):
                    self.position += len(chunk)
                    self.sha256.update(chunk)
                    yield chunk

    def _pull(self) -> bool:
        """Append the next inflated bytes to the buffer; False at the end of the stream."""
        for raw in self._raw:
            if self._first:
                self._first = False
                kind = compression_of(raw)
                self._decomp = Decompressor(kind) if kind else None
            data = self._decomp.feed(raw) if self._decomp is not None else raw
            if data:
                self._buf = self._buf[self._at :] + data
                self._at = 0
                return True
            if self._decomp is not None and self._decomp.error:
                break
        self._eof = True
        return False

    @property
    def inflate_error(self) -> str:
        """Why the compressed stream could not be read to its end ("" when it could)."""
        d = self._decomp
        if d is None:
            return ""
        if not d.error and self._eof:
            d.finish()
        return d.error or ("compressed stream cut short" if d.truncated else "")

    def skip(self, n: int) -> int:
        """Pass over up to ``n`` bytes without copying them out; return how many there were."""
        done = 0
        while done < n:
            if self._at >= len(self._buf) and (self._eof or not self._pull()):
                break
            step = min(n - done, len(self._buf) - self._at)
            self._at += step
            done += step
        return done

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes (fewer only at the end of the stream)."""
        while len(self._buf) - self._at < n and not self._eof and self._pull():
            pass
        out = self._buf[self._at : self._at + n]
        self._at += len(out)
        return out


def _octal(field: bytes) -> int | None:
    if field[:1] and field[0] & 0x80:  # GNU base-256 for large sizes
        return int.from_bytes(field[1:], "big")
    text = field.replace(b"\x00", b" ").strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        return None


def _valid_header(block: bytes) -> bool:
    want = _octal(block[148:156])
    return want is not None and want == sum(block[:148]) + 256 + sum(block[156:])


def _header_name(block: bytes) -> str:
    name = block[:100].split(b"\x00", 1)[0]
    if block[257:262] == b"ustar":
        prefix = block[345:500].split(b"\x00", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "replace")


def _pax_path(data: bytes) -> str | None:
    for rec in data.split(b"\n"):
        _, _, kv = rec.partition(b" ")
        key, _, value = kv.partition(b"=")
        if key == b"path":
            return value.decode("utf-8", "replace")
    return None


def tar_members(
    reader: PartsReader, want: Callable[[str], bool] | None = None
) -> Iterator[TarMember | TarProblem]:
    """Regular-file members of the tar stream in order, and problems where they occur;
    a regular member whose name ``want`` refuses is passed over unread."""
    offset = 0
    long_name: str | None = None
    bad_from: int | None = None  # start of a run of invalid blocks
    while True:
        block = reader.read(BLOCK)
        if len(block) < BLOCK:
            if block or bad_from is not None:
                start = offset if bad_from is None else bad_from
                yield TarProblem("", start, "archive ends inside a damaged region")
            break
        if block == bytes(BLOCK):
            offset += BLOCK
            continue  # end-of-archive blocks (or padding between joined tars)
        if not _valid_header(block):
            bad_from = offset if bad_from is None else bad_from
            offset += BLOCK
            continue
        if bad_from is not None:
            yield TarProblem("", bad_from, f"{offset - bad_from:,} bytes of damaged tar skipped")
            bad_from = None
        size = _octal(block[124:136]) or 0
        padded = -(-size // BLOCK) * BLOCK
        kind = block[156:157]
        name = long_name or _header_name(block)
        if want is not None and kind in _REGULAR and not want(name):
            got = reader.skip(padded)
            if got < size:
                why = (
                    f"archive ends {got:,} bytes into this {size:,}-byte member "
                    "(a missing or cut part?)"
                )
                yield TarProblem(name, offset, why)
                return
            offset += BLOCK + padded
            long_name = None
            continue
        data = reader.read(padded)
        if len(data) < size:
            why = (
                f"archive ends {len(data):,} bytes into this {size:,}-byte member "
                "(a missing or cut part?)"
            )
            yield TarProblem(name, offset, why)
            return
        here = offset
        offset += BLOCK + padded
        if kind == _LONGNAME:
            long_name = data[:size].split(b"\x00", 1)[0].decode("utf-8", "replace")
            continue
        long_name = None
        if kind in _PAX:
            long_name = _pax_path(data[:size])
            continue
        if kind in _REGULAR:
            yield TarMember(name, data[:size], here)
