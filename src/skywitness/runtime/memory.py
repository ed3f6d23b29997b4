"""Where the live service's memory is: the figures ``/api/stats`` reports under ``memory``.

The resident size alone does not say who holds it. These split it by allocator: Arrow's pool
(state-vector tables queued for the store and the flights stage), DuckDB's buffer manager (the
store's catalogue and its queries), the C heap (``malloc``: numpy arrays, Python objects larger
than its small-object pool) in use and kept free by glibc (a heap that grows while its in-use
part does not is fragmentation, not a leak), and the interpreter's live memory blocks. Each
figure is read in microseconds, so a soak can sample it with the rest of the stats.

The same module keeps the C heap from creeping (``limit_arenas``, ``trim_heap``): ``serve``
runs some 25 threads (a feed per source, the tracker, the store writer, the flights worker,
the snapshot builder, the web server), and glibc gives threads heaps of their own (up to 8 per
core), each holding freed memory it does not hand back. In the soak at 100,000 frames/s the
freed-but-kept heap grew 10 -> 136 MB in a minute while the part in use did not follow.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from pathlib import Path
from typing import Any

import duckdb

#: Bytes in a MB (the figures are MB, as the soak's RSS samples).
MB = 2**20


_MALLINFO2_FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")  # fmt: skip


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (malloc.h, glibc >= 2.33): every field a ``size_t``."""

    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2_FIELDS]


def _mallinfo2() -> Any:
    """glibc's ``mallinfo2``, or None where the C library has none (musl, macOS, old glibc)."""
    fn = getattr(_libc(), "mallinfo2", None)
    if fn is None:
        return None
    fn.restype = _MallInfo2
    fn.argtypes = []
    return fn


_MALLINFO2 = None
_LOOKED = False
#: ``mallopt`` parameter: the most heaps (arenas) threads share (glibc's malloc.h).
M_ARENA_MAX = -8
#: Heaps for the live service's threads: the interpreter lock lets one thread run Python at a
#: time, so few heaps cost little contention and hold far less freed memory.
SERVE_ARENAS = 2


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def limit_arenas(n: int = SERVE_ARENAS) -> bool:
    """At most ``n`` C heaps for this process's threads (before they start); False where the
    C library has no ``mallopt`` (nothing changed)."""
    libc = _libc()
    fn = getattr(libc, "mallopt", None)
    if fn is None:
        return False
    fn.argtypes, fn.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(fn(M_ARENA_MAX, n))


def trim_heap() -> bool:
    """Hand the C heap's free pages back to the kernel, in every heap and not only at the top
    (glibc's ``malloc_trim(0)``; the interpreter lock is released meanwhile). True when any
    memory went back."""
    libc = _libc()
    fn = getattr(libc, "malloc_trim", None)
    if fn is None:
        return False
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(fn(0))


def heap_mb() -> tuple[float, float] | None:
    """The C heap: (MB in use, MB free but kept by the allocator), all arenas and mappings;
    None where it cannot be read."""
    global _MALLINFO2, _LOOKED
    if not _LOOKED:  # on first use, not at import
        _MALLINFO2, _LOOKED = _mallinfo2(), True
    if _MALLINFO2 is None:
        return None
    mi = _MALLINFO2()
    return (mi.uordblks + mi.hblkhd) / MB, mi.fordblks / MB


def _status_mb(pid: int | None, fields: dict[str, str]) -> dict[str, float] | None:
    """The kB figures ``fields`` (``/proc/PID/status`` name -> key) of process ``pid``
    (default: this one), MB by key; None without ``/proc``, or the process is gone."""
    try:
        text = Path(f"/proc/{'self' if pid is None else pid}/status").read_text()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        head = line.split()
        if head and head[0] in fields:
            out[fields[head[0]]] = int(head[1]) / 1024
    return out or None


def rss_mb(pid: int | None = None) -> float | None:
    """The resident set of process ``pid`` (default: this one), MB (Linux ``/proc``), or None
    (no ``/proc``, or the process is gone)."""
    got = _status_mb(pid, {"VmRSS:": "rss"})
    return None if got is None else got["rss"]


def rss_split_mb(pid: int | None = None) -> dict[str, float] | None:
    """The resident set of process ``pid`` (default: this one) split as the kernel counts it,
    MB: ``anon`` (heaps, arrays: what the process holds), ``file`` (pages of mapped files
    that were read: page cache the kernel can drop, such as the watch's spooled windows) and
    ``shmem``; None without ``/proc``."""
    return _status_mb(pid, {"RssAnon:": "anon", "RssFile:": "file", "RssShmem:": "shmem"})


def duckdb_mb(con: duckdb.DuckDBPyConnection | None) -> float | None:
    """Memory DuckDB's buffer manager holds for the database of ``con``, MB, or None."""
    if con is None:
        return None
    try:
        rows = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()
    except duckdb.Error:
        return None
    return float(rows[0][0] or 0) / MB if rows else None


def arrow_mb() -> float | None:
    """Bytes held in Arrow's default memory pool, MB (None when pyarrow was never loaded)."""
    pa = sys.modules.get("pyarrow")
    return pa.total_allocated_bytes() / MB if pa is not None else None


def memory_figures(con: duckdb.DuckDBPyConnection | None) -> dict[str, float | None]:
    """The ``memory`` object of ``/api/stats`` (docs/api.md), MB rounded to 0.1."""
    heap = heap_mb()
    out = {
        "rss_mb": rss_mb(),
        "arrow_mb": arrow_mb(),
        "duckdb_mb": duckdb_mb(con),
        "heap_used_mb": heap[0] if heap else None,
        "heap_free_mb": heap[1] if heap else None,
        "python_blocks": float(sys.getallocatedblocks()),
    }
    return {k: None if v is None else round(v, 1) for k, v in out.items()}
