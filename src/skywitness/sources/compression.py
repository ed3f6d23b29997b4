"""Compression by magic bytes (gzip, xz, bzip2), as incremental decompressors.

Incremental (not ``gzip.open``) so that a half-written file gives back everything that was
written before the cut, and the caller can count one TRUNCATED at the end. Concatenated gzip
members are read one after another. The xz and bzip2 modules load on use (~1 ms of every
command's start-up otherwise).
"""

from __future__ import annotations

import zlib
from typing import Protocol

GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
BZ2_MAGIC = b"BZh"


class _Decomp(Protocol):
    def decompress(self, data: bytes) -> bytes: ...

    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...


def compression_of(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(XZ_MAGIC):
        return "xz"
    if head.startswith(BZ2_MAGIC) and len(head) > 3 and head[3:4].isdigit():
        return "bz2"
    return None


def _new(kind: str) -> _Decomp:
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if kind == "xz":
        import lzma

        return lzma.LZMADecompressor()
    import bz2

    return bz2.BZ2Decompressor()


def _errors(kind: str) -> tuple[type[Exception], ...]:
    """What a ``kind`` decompressor raises on corrupt data."""
    if kind == "xz":
        import lzma

        return (lzma.LZMAError, OSError, EOFError)
    return (zlib.error, OSError, EOFError)  # bz2: OSError


class Decompressor:
    """Feed compressed bytes, get decompressed bytes; ``truncated`` after ``finish`` says the
    stream ended before its end marker; ``error`` holds a corrupt-data message."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._d = _new(kind)
        self._errors = _errors(kind)
        self.error = ""
        self.truncated = False

    def feed(self, data: bytes) -> bytes:
        if self.error:
            return b""
        out: list[bytes] = []
        try:
            while data:
                out.append(self._d.decompress(data))
                if not self._d.eof:
                    break
                data = self._d.unused_data
                if data and compression_of(data) == self.kind:
                    self._d = _new(self.kind)  # next gzip member / xz stream
                else:
                    break
        except self._errors as e:
            self.error = str(e) or type(e).__name__
        return b"".join(out)

    def finish(self) -> None:
        if not self.error and not self._d.eof:
            self.truncated = True


def decompress_head(head: bytes) -> bytes:
    """Best-effort decompression of the first bytes (for format detection)."""
    kind = compression_of(head)
    if kind is None:
        return head
    return Decompressor(kind).feed(head)
