"""Globe-history day archives on Spark: the pieces ``spark ingest`` hands its tasks, and what a
task does with one — the embedded globe ingest's own reading (``runtime.globe.trace_batches``:
members, inflating, the column-wise trace decoder, the callsign carried along a trace) and its
rows (``runtime.globe.batch_rows``, ``store.schema.canonicalize``), without a store.

A split series (``.tar.aa``, ``.tar.ab``, ...) or a joined ``.tar`` is one tar stream without an
index: each of up to ``TAR_TASKS`` tasks reads the stream from its start and takes the trace
members whose name falls to it (``share_of``: a stable hash of the name), passing over the
others' data unread, so inflating and decoding — most of the work — are spread; a compressed
tar (``.tar.gz``) is read by one task, as every reader would inflate it whole. An extracted
``globe_history/YYYY/MM/DD/`` folder is cut into pieces of ``FOLDER_FILES`` trace files, one
task each. A piece gives the state vectors, the trace
identity facts (``identify.trace_facts``: ``r``, ``t``, ``dbFlags``, ``desc``, ...), the
emitter categories its points carry and the members it could not read (named as the embedded
ingest names them); ``spark ingest`` keeps the last three in the archive's record, and
``lake_facts`` records the facts as the embedded ingest does (version the archive's name).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..runtime.globe import (
    BATCH_POINTS,
    ArchiveRun,
    GlobeOutcome,
    batch_rows,
    trace_batches,
)
from ..sources.compression import compression_of
from ..sources.globe import GlobeInput, GlobeReader, icao_of_member, trace_files
from ..sources.only import OnlyFilter
from ..sources.tarstream import TarProblem
from ..store.schema import canonicalize
from ..store.traces import TraceKey

#: Trace files of an extracted day folder per Spark task (a day holds ~60k).
FOLDER_FILES = 2_000
#: Tasks sharing one uncompressed tar stream at most (each reads it whole: ~1 s a GB of page
#: cache, against ~20 s a GB inflating and decoding its traces).
TAR_TASKS = 8
#: Bytes hashed at a time.
_CHUNK_BYTES = 1 << 20


def archive_pieces(
    inp: GlobeInput, folder_files: int | None = None, tar_tasks: int | None = None
) -> list[dict[str, Any]]:
    """The pieces of one archive, as the plain values a Spark row carries (``input_of``): a
    folder's of ``folder_files`` trace files each (default ``FOLDER_FILES``), an uncompressed
    tar stream's ``tar_tasks`` shares (default ``TAR_TASKS``)."""
    folder_files = folder_files or FOLDER_FILES
    base = {"name": inp.name, "parts": [str(p) for p in inp.parts], "missing": inp.missing,
            "folder": None, "files": None, "share": None}  # fmt: skip
    if inp.folder is None:
        n = 1 if _compressed(inp) else max(1, tar_tasks or TAR_TASKS)
        if n == 1:
            return [{**base, "piece": 0}]
        return [{**base, "piece": i, "share": [i, n]} for i in range(n)]
    files = trace_files(inp.folder)
    chunks = [files[i : i + folder_files] for i in range(0, len(files), folder_files)] or [[]]
    return [
        {**base, "folder": str(inp.folder), "files": [str(f) for f in chunk], "piece": i}
        for i, chunk in enumerate(chunks)
    ]


def _compressed(inp: GlobeInput) -> bool:
    if not inp.parts:
        return False
    with inp.parts[0].open("rb") as fh:
        return compression_of(fh.read(8)) is not None


def share_of(i: int, n: int) -> Callable[[str], bool]:
    """The trace members share ``i`` of ``n`` takes: by a hash of the name stable across
    processes (a member named twice goes to one share, as one reader would meet both)."""

    def mine(name: str) -> bool:
        return icao_of_member(name) is not None and zlib.crc32(name.encode()) % n == i

    return mine


def input_of(piece: dict[str, Any]) -> GlobeInput:
    """The ``GlobeInput`` a piece stands for (a folder's: its files only)."""
    folder = piece["folder"]
    return GlobeInput(
        piece["name"],
        parts=[Path(p) for p in piece["parts"]],
        folder=None if folder is None else Path(folder),
        missing=list(piece["missing"]),
        files=None if piece["files"] is None else [Path(f) for f in piece["files"]],
    )


def archive_digest(inp: GlobeInput) -> str:
    """The archive's identity: the SHA-256 of its joined parts (the embedded ingest's record of
    it), or of a folder's trace files (their relative names and bytes, in name order)."""
    h = hashlib.sha256()
    if inp.folder is None:
        for part in inp.parts:
            with part.open("rb") as fh:
                while chunk := fh.read(_CHUNK_BYTES):
                    h.update(chunk)
        return h.hexdigest()
    for f in trace_files(inp.folder):
        h.update(str(f.relative_to(inp.folder)).encode() + b"\x00")
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return "folder-" + h.hexdigest()


def archive_size(inp: GlobeInput) -> int:
    files = inp.parts if inp.folder is None else trace_files(inp.folder)
    return sum(f.stat().st_size for f in files)


def piece_tables(
    piece: dict[str, Any], found: dict[str, Any], done: dict[TraceKey, float] | None = None
) -> Iterator[pa.Table]:
    """The canonical state vectors of one piece, a batch at a time; once they are all given,
    ``found`` holds the piece's ``stats`` (``IngestStats``), trace ``facts``, emitter
    ``categories``, unreadable members (``problems``: [member, offset, what]; a damaged
    stream is named by every share of it), the traces it stored (``traces``: [icao24, trace
    start, last point]) and how many it passed over as stored (``already``) or stored the new
    points of (``grown``). ``done``: the traces stored before (``store.traces``' keys and last
    points), passed over as the embedded ingest passes over them."""
    inp = input_of(piece)
    out = GlobeOutcome(inp.name)
    if piece["piece"] == 0:  # a gap in the series is the archive's, named once
        out.problems += [TarProblem(m, 0, "part missing from the series") for m in inp.missing]
    reader = GlobeReader(inp)
    share = piece.get("share")
    if share is None or share[0] == 0:  # the stream's bytes, counted once
        out.stats.bytes_read = reader.total_bytes
    run = ArchiveRun(reader, out, OnlyFilter(), dict(done or {}), BATCH_POINTS)
    facts: list[tuple[str, str, str]] = []
    traces: list[list[Any]] = []
    categories: dict[str, str] = {}
    for batch in trace_batches(run, None if share is None else share_of(*share)):
        if not batch.obs:
            continue
        _, rows = batch_rows(batch, inp.name, out.stats)
        table = canonicalize(rows, stats=out.stats, source=inp.name)
        facts += [f for d in batch.docs for f in d.facts]
        traces += [[d.icao, d.start, d.last] for d in batch.docs]
        categories.update({a: c for d in batch.docs for a, c in d.categories.items()})
        out.stats.accepted += table.num_rows
        if table.num_rows:
            yield table
    found.update(
        stats=out.stats,
        facts=[list(f) for f in facts],
        categories=categories,
        problems=[[p.name, p.offset, p.what] for p in out.problems],
        traces=traces,
        already=out.already,
        grown=out.grown,
    )
