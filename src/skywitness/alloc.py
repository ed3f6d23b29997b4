"""The C allocator's settings for batch commands (glibc): freed memory kept for reuse.

numpy allocates each array of a million rows (~9 MB) with ``malloc``; glibc serves blocks that
large with a fresh ``mmap`` and hands them back to the kernel on ``free``, so a batch that makes
and drops hundreds of such temporaries (the states gate, the flights stage) faults every page
of each one in again: ~20k more minor page faults and ~0.3-0.5 s more CPU (system time mostly)
of a 1.1M-row states ``ingest`` on the project's box (bench/RESULTS.md). ``keep_freed_memory``
raises the ``mmap`` threshold to glibc's largest (32 MiB) and keeps up to 1 GiB of freed heap
instead of trimming it, so those blocks are reused. Arrow's buffers (the Parquet reader's
columns, the compute kernels' results) are then taken from the same heap too (its ``system``
memory pool, not its bundled mimalloc, which hands freed pages back to the kernel): numpy and
Arrow reuse each other's freed blocks, ~0.3 s less CPU (system time) of that ingest
(bench/RESULTS.md); a ``decode`` of files likewise reuses each batch's columns. ``decode``
(every ``decode``, a stream's too) also picks Arrow's ``system`` pool at start-up, before
pyarrow loads (``config.ARROW_POOL_ENV``, set by ``cli/main.py``): ``pa.set_memory_pool``
here comes too late for the Parquet writer, which keeps the pool it started with. For a batch
command only (``ingest``, ``decode``): a long-running process keeps the defaults, so its memory
goes back to the system after a peak: ``serve``, and an ``ingest`` that follows a
globe-history folder (``--follow``) or reads a live feed (``cli.ingest_cmd.is_batch``), or a
``decode`` of a stream: a network feed, stdin, a named pipe (``cli.decode_cmd.batch_only``).
"""

from __future__ import annotations

import ctypes
import sys

#: ``mallopt`` parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks below this are taken from the heap, not a fresh mapping (glibc's maximum), bytes.
MMAP_THRESHOLD_BYTES = 32 << 20
#: Freed heap kept for reuse before the top is given back to the kernel, bytes.
TRIM_THRESHOLD_BYTES = 1 << 30


def keep_freed_memory() -> bool:
    """Set the allocator (and Arrow's memory pool) as above; False where it is not glibc's
    (nothing changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the process's own symbols, the C library's among them: ``ctypes.util.find_library``
        # would run ``ldconfig -p`` in a child process (~0.01 CPU s of every ``decode``)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    kept = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    if kept:
        import pyarrow as pa  # on use: the batch commands that call this load it anyway

        pa.set_memory_pool(pa.system_memory_pool())  # buffers made before keep their pool
    return kept
