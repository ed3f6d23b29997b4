"""Ingest with provenance: the function the ``ingest`` command calls to store decoded tables.

``ingest_tables`` records the source (spec, SHA-256, format, size), refuses a file already
ingested completely (reporting when), streams the tables through a ``Writer`` and closes the
record with the counts. A file that stores nothing is closed as ``empty``, with why: it does not
count as ingested. A failure while ingesting a file marks the ingest ``failed`` and
removes its rows; a live feed keeps what it committed.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..errors import SkywitnessError
from ..stats import IngestStats
from .recovery import mark_derived
from .store import AlreadyIngested, IngestRecord, Store
from .writer import DEFAULT_FLUSH_ROWS, DEFAULT_FLUSH_SECONDS, FactsSource, Writer

_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where the tables come from. ``sha256`` None for a live source (network feed)."""

    source: str
    sha256: str | None
    format: str
    size: int | None = None

    @classmethod
    def of_file(cls, path: str | Path, fmt: str) -> Provenance:
        p = Path(path)
        return cls(str(p), file_sha256(p), fmt, p.stat().st_size)


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def ingest_tables(
    store: Store,
    tables: Iterable[pa.Table],
    provenance: Provenance,
    *,
    stats: IngestStats | None = None,
    flush_rows: int = DEFAULT_FLUSH_ROWS,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    derived: bool = False,
    facts: FactsSource | None = None,
) -> IngestRecord:
    """Store ``tables`` as one ingest and return its record.

    ``stats``: the reader's counts (frames read, rejects by reason), completed here with the
    rows the store rejected. A file already ingested returns the earlier record with status
    ``duplicate`` and adds nothing. ``derived``: the caller builds flights from these rows
    afterwards; the ingest is marked as owing them (``recovery.mark_derived``) until it calls
    ``recovery.clear_derived``, so a crash in between is repaired at the next open.
    ``facts``: identity facts heard with the rows, stored with them (``Writer``).
    """
    try:
        ingest_id = store.begin_ingest(
            provenance.source, provenance.sha256, provenance.format, provenance.size
        )
    except AlreadyIngested as dup:
        rec = dup.record
        rec.status = "duplicate"
        rec.note = str(dup)
        return rec
    if derived:
        store.write(lambda con: mark_derived(con, ingest_id))
    st = stats if stats is not None else IngestStats()
    writer = Writer(
        store, ingest_id, flush_rows=flush_rows, flush_seconds=flush_seconds, stats=st,
        facts=facts,
    ).start()  # fmt: skip
    try:
        for table in tables:
            if stats is None:
                st.frames += table.num_rows
            writer.append(table)
        writer.stop()
    except BaseException:
        with contextlib.suppress(SkywitnessError):  # the error being raised is the one to report
            writer.stop()
        if provenance.sha256 is None:  # a live feed keeps what it committed
            store.finish_ingest(ingest_id, _counts(st, writer), status="interrupted")
        else:  # a file: remove its rows so ingesting it again adds no duplicates
            store.discard_ingest(ingest_id, _counts(st, writer))
        raise
    if writer.rows_stored == 0 and provenance.sha256 is not None:
        # not recorded as ingested (status "empty"): reading the file again is not refused
        return store.finish_ingest(ingest_id, _counts(st, writer), status="empty", note=_why(st))
    return store.finish_ingest(ingest_id, _counts(st, writer))


def _why(st: IngestStats) -> str:
    """Why a file stored nothing, for the user."""
    if st.frames == 0:
        return "nothing stored: no record could be read from this file (empty or not this format)"
    top = ", ".join(f"{k} {v:,}" for k, v in sorted(st.rejected.items(), key=lambda kv: -kv[1]))
    return f"nothing stored: {st.frames:,} read, none usable (rejected: {top or 'none'})"


def _counts(st: IngestStats, writer: Writer) -> dict[str, object]:
    # accepted: what the ingest step accepted (frames or reports), as ``track`` and ``serve``
    # count it; tables given without their reader's counts: the rows stored
    return {
        "read": st.frames,
        "accepted": st.accepted or writer.rows_stored,
        "rejected": dict(st.rejected),
    }
