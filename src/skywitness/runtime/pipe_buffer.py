"""Messages of a ``multiprocessing`` pipe read into Arrow memory: the flights child's Arrow IPC
streams (``flights_proc``) without ``recv_bytes``' fresh ``bytes`` per message, whose pages the
kernel zeroes every time (two thirds of the parent's share of that pipe, by ``perf``)."""

from __future__ import annotations

import os
from multiprocessing.connection import Connection

import pyarrow as pa


def recv_buffer(conn: Connection) -> pa.Buffer:
    """One ``conn.send_bytes`` message, read straight into a buffer of Arrow's pool (which
    reuses its pages) instead of ``recv_bytes``' fresh ``bytes`` and the copies behind them.
    The framing is ``Connection``'s: a 4-byte big-endian size, -1 then 8 bytes for one over
    2 GiB. EOFError: the pipe closed before the message."""
    if not hasattr(os, "readv"):  # no readv (Windows): the plain way
        return pa.py_buffer(conn.recv_bytes())
    fd = conn.fileno()
    head = bytearray(4)
    _fill(fd, memoryview(head), eof=True)
    size = int.from_bytes(head, "big", signed=True)
    if size == -1:
        head = bytearray(8)
        _fill(fd, memoryview(head), eof=False)
        size = int.from_bytes(head, "big")
    buf = pa.allocate_buffer(size)
    _fill(fd, memoryview(buf), eof=False)
    return buf


def _fill(fd: int, view: memoryview, *, eof: bool) -> None:
    """Read ``len(view)`` bytes of ``fd`` into ``view`` (``eof``: an end of file before the
    first byte is EOFError; one later, OSError, as ``Connection`` raises them)."""
    pos = 0
    while pos < len(view):
        n = os.readv(fd, [view[pos:]])
        if n == 0:
            if eof and pos == 0:
                raise EOFError
            raise OSError("got end of file during message")
        pos += n
