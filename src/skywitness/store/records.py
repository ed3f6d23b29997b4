"""Ingest records: the provenance rows of the ``ingests`` table as plain values."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import SkywitnessError
from ..timeutil import iso_z


def as_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


@dataclass
class IngestRecord:
    """One row of the ``ingests`` table: where data came from and what became of it."""

    id: int
    source: str
    sha256: str | None
    format: str
    size_bytes: int | None
    started: datetime
    finished: datetime | None
    status: str  # running | done | empty (stored nothing) | interrupted | failed | duplicate
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    rows_stored: int = 0
    note: str = ""


class AlreadyIngested(SkywitnessError):
    """The file (same SHA-256) was ingested completely before: nothing is added."""

    def __init__(self, record: IngestRecord) -> None:
        self.record = record
        super().__init__(
            f"{record.source}: already ingested on {iso_z(record.started)} "
            f"(ingest #{record.id}, {record.rows_stored:,} rows): nothing added"
        )


def record_from_row(row: tuple[Any, ...]) -> IngestRecord:
    return IngestRecord(
        id=row[0],
        source=row[1],
        sha256=row[2],
        format=row[3],
        size_bytes=row[4],
        started=row[5].replace(tzinfo=UTC),
        finished=as_utc(row[6]),
        status=row[7],
        rows_read=row[8] or 0,
        rows_accepted=row[9] or 0,
        rows_rejected=row[10] or 0,
        rejected=json.loads(row[11]) if row[11] else {},
        rows_stored=row[12] or 0,
        note=row[13] or "",
    )
