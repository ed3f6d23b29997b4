"""Crash recovery: on a read-write open, undo what a hard kill left half done and report it.

Rules (the catalogue tables are the journal, see ``catalog``):
- a batch still ``writing`` lost its rows: its files, if renamed already, are deleted;
- an ingest still ``running`` is marked ``interrupted``; when it came from a file (it has a
  SHA-256) all its rows are removed, so ingesting that file again completes without duplicates;
  a live ingest keeps its committed batches and lost at most its unflushed batch: the rows its
  writer had received (``ingests.rows_received``, noted every ``Writer.journal_s``) less those
  committed are reported as not stored;
- a compaction still ``writing`` is abandoned (its new file deleted); one ``swapping`` finishes;
- temporary files are deleted; a Parquet file the catalogue does not know is registered
  (adopted, never deleted: it may be the user's data) and reported;
- an ingest whose flights were not built yet (``derived_pending``: marked when it starts,
  cleared once its flights are stored) is reported with the extent of its stored rows, so the
  opener (``runtime.history.open_history``) rebuilds them; one whose rows were removed needs
  nothing and its mark is dropped.

A read-only open cannot repair anything: ``diagnose`` reports what the next read-write open
will do (so ``db info`` after a kill -9 does not say "closed cleanly").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .catalog import first, has_column, table_exists
from .catalog_writer import require_writer
from .lake import day_of_partition, parquet_files, parquet_rows, temp_files


@dataclass
class RecoveryReport:
    """What the last open found and fixed. Empty (``clean``) after an orderly shutdown."""

    interrupted_ingests: list[dict[str, object]] = field(default_factory=list)
    lost_batches: list[dict[str, object]] = field(default_factory=list)
    rows_lost: int = 0  # rows of batches in flight at the crash
    rows_removed: int = 0  # committed rows of interrupted file ingests, removed for re-ingest
    #: rows interrupted live ingests had received (by their last note) and never committed
    rows_not_stored: int = 0
    temp_files_removed: int = 0
    files_adopted: list[str] = field(default_factory=list)
    compactions_fixed: int = 0
    #: ingests whose flights must be (re)built: {"id", "source", "rows", "rebuilt": flights|None}
    derived: list[dict[str, object]] = field(default_factory=list)
    #: a read-only look: nothing was repaired yet (``diagnose``)
    pending: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.interrupted_ingests
            or self.lost_batches
            or self.temp_files_removed
            or self.files_adopted
            or self.compactions_fixed
            or self.derived
        )

    def summary(self) -> str:
        if self.clean:
            return "store was closed cleanly: nothing lost"
        if self.pending:
            return "NOT closed cleanly (a process was killed); to be repaired at the next " + (
                "read-write open: " + self._lines_summary()
            )
        return self._lines_summary()

    def _lines_summary(self) -> str:
        lines = []
        for ing in self.interrupted_ingests:
            what = (
                f"its {ing['rows_removed']:,} stored rows were removed; ingest it again"
                if ing["from_file"]
                else f"{ing['rows_kept']:,} committed rows kept"
            )
            received = ing.get("rows_received")
            if not ing["from_file"] and isinstance(received, int):
                what += (
                    f", {ing['rows_not_stored']:,} of the {received:,} rows it had received "
                    "were not stored (its unflushed batch)"
                )
            lines.append(f"ingest #{ing['id']} of {ing['source']} was interrupted: {what}")
        for b in self.lost_batches:
            lines.append(
                f"batch {b['seq']} of ingest #{b['ingest_id']} ({b['rows']:,} rows) was being "
                "written at the crash and is lost"
            )
        if self.temp_files_removed:
            lines.append(f"{self.temp_files_removed} temporary file(s) removed")
        if self.files_adopted:
            lines.append(f"{len(self.files_adopted)} unknown Parquet file(s) registered")
        if self.compactions_fixed:
            lines.append(f"{self.compactions_fixed} interrupted compaction(s) resolved")
        for d in self.derived:
            flights = d.get("rebuilt")
            what = (
                f"{flights:,} flights rebuilt"
                if isinstance(flights, int)
                else "flights to be rebuilt (skywitness ingest or flights rebuild does it)"
            )
            lines.append(f"ingest #{d['id']} of {d['source']} ({d['rows']:,} rows): {what}")
        return "; ".join(lines)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _unlink(lake: Path, rel: str) -> None:
    (lake / rel).unlink(missing_ok=True)


def _fix_compactions(con: duckdb.DuckDBPyConnection, lake: Path, rep: RecoveryReport) -> None:
    require_writer()
    rows = con.execute(
        "SELECT id, new_path, old_paths, state FROM compactions "
        "WHERE state IN ('writing', 'swapping')"
    ).fetchall()
    for cid, new_path, old_paths, state in rows:
        if state == "writing":
            _unlink(lake, new_path)
            con.execute("UPDATE compactions SET state = 'abandoned' WHERE id = ?", [cid])
        else:
            for rel in old_paths:
                _unlink(lake, rel)
            con.execute("UPDATE compactions SET state = 'done' WHERE id = ?", [cid])
        rep.compactions_fixed += 1


def remove_ingest_files(con: duckdb.DuckDBPyConnection, lake: Path, ingest_id: int) -> int:
    require_writer()
    files = con.execute("SELECT path, rows FROM files WHERE ingest_id = ?", [ingest_id]).fetchall()
    for rel, _ in files:
        _unlink(lake, rel)
    con.execute("DELETE FROM files WHERE ingest_id = ?", [ingest_id])
    con.execute(
        "UPDATE batches SET state = 'removed' WHERE ingest_id = ? AND state = 'committed'",
        [ingest_id],
    )
    return sum(int(r) for _, r in files)


def mark_derived(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """Note that ``ingest_id``'s flights are not built yet (cleared by ``clear_derived``)."""
    require_writer()
    con.execute("INSERT INTO derived_pending VALUES (?, ?)", [ingest_id, _now()])


def clear_derived(con: duckdb.DuckDBPyConnection, ingest_id: int) -> None:
    """The flights of ``ingest_id`` are stored: it owes nothing more."""
    require_writer()
    con.execute("DELETE FROM derived_pending WHERE ingest_id = ?", [ingest_id])


def ingest_extent(
    con: duckdb.DuckDBPyConnection, lake: Path, ingest_id: int
) -> tuple[datetime, datetime, list[str]] | None:
    """(first, last, aircraft) of the rows an ingest stored (naive UTC), None when none."""
    found = con.execute("SELECT path FROM files WHERE ingest_id = ? ORDER BY path", [ingest_id])
    paths = [str(lake / r[0]) for r in found.fetchall()]
    if not paths:
        return None
    row = first(
        con.execute(
            "SELECT min(timestamp) AT TIME ZONE 'UTC', max(timestamp) AT TIME ZONE 'UTC', "
            "list(DISTINCT icao24 ORDER BY icao24) FROM read_parquet(?)",
            [paths],
        ).fetchall()
    )
    if row is None or row[0] is None:
        return None
    return row[0], row[1], list(row[2])


def _derived(con: duckdb.DuckDBPyConnection, lake: Path, rep: RecoveryReport, *, fix: bool) -> None:
    if not table_exists(con, "derived_pending"):
        return
    for ingest_id, source in con.execute(
        "SELECT DISTINCT d.ingest_id, i.source FROM derived_pending d "
        "LEFT JOIN ingests i ON i.id = d.ingest_id ORDER BY 1"
    ).fetchall():
        rows = first(con.execute(
            "SELECT coalesce(sum(rows), 0) FROM files WHERE ingest_id = ?", [ingest_id]
        ).fetchall())  # fmt: skip
        n = int(rows[0]) if rows else 0
        if n == 0:  # its rows were removed (or it stored none): nothing derived from them
            if fix:
                clear_derived(con, ingest_id)
            continue
        rep.derived.append({"id": ingest_id, "source": source, "rows": n, "rebuilt": None})


def _running(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str | None, int | None]]:
    """(id, source, sha256, rows_received) of the ingests a kill left ``running``."""
    received = "rows_received" if has_column(con, "ingests", "rows_received") else "NULL"
    rows = con.execute(
        f"SELECT id, source, sha256, {received} FROM ingests WHERE status = 'running'"
    ).fetchall()
    return [(int(i), s, sha, None if r is None else int(r)) for i, s, sha, r in rows]


def _unflushed(
    entry: dict[str, object], received: int | None, rep: RecoveryReport
) -> dict[str, object]:
    """A live ingest's unflushed loss into ``entry`` (and the report's total): the rows its
    writer had received by its last note less those committed."""
    if entry["from_file"] or received is None:
        return entry
    kept = entry["rows_kept"]
    lost = max(0, received - kept) if isinstance(kept, int) else 0
    entry["rows_received"], entry["rows_not_stored"] = received, lost
    rep.rows_not_stored += lost
    return entry


#: The catalogue tables ``diagnose`` reads.
SCHEMA_TABLES = ("ingests", "batches", "files", "compactions", "derived_pending")


def diagnose(con: duckdb.DuckDBPyConnection, lake: Path) -> RecoveryReport:
    """What ``recover`` would do, without changing anything (read-only opens)."""
    rep = RecoveryReport(pending=True)
    # a catalogue without all of them: one made before ``catalog.ensure_schema`` became one
    # transaction, its writer killed between two CREATEs; nothing to diagnose then, the next
    # writer's open makes the rest
    if not all(table_exists(con, t) for t in SCHEMA_TABLES):
        return rep
    for ingest_id, seq, rows in con.execute(
        "SELECT ingest_id, seq, rows FROM batches WHERE state = 'writing'"
    ).fetchall():
        rep.lost_batches.append({"ingest_id": ingest_id, "seq": seq, "rows": rows})
        rep.rows_lost += int(rows)
    for ingest_id, source, sha, received in _running(con):
        got = first(con.execute(
            "SELECT coalesce(sum(rows), 0) FROM files WHERE ingest_id = ?", [ingest_id]
        ).fetchall())  # fmt: skip
        n = int(got[0]) if got else 0
        from_file = sha is not None
        entry = {"id": ingest_id, "source": source, "from_file": from_file,
                 "rows_removed": n if from_file else 0,
                 "rows_kept": 0 if from_file else n}  # fmt: skip
        rep.interrupted_ingests.append(_unflushed(entry, received, rep))
        rep.rows_removed += n if from_file else 0
    open_compactions = "SELECT id FROM compactions WHERE state IN ('writing', 'swapping')"
    rep.compactions_fixed = len(con.execute(open_compactions).fetchall())
    rep.temp_files_removed = len(temp_files(lake))
    _derived(con, lake, rep, fix=False)
    running = {d["id"] for d in rep.interrupted_ingests if d["from_file"]}
    rep.derived = [d for d in rep.derived if d["id"] not in running]
    return rep


def recover(con: duckdb.DuckDBPyConnection, lake: Path) -> RecoveryReport:
    """Bring catalogue and lake back to a consistent state after a crash; say what was lost."""
    require_writer()
    rep = RecoveryReport()
    _fix_compactions(con, lake, rep)
    known = {r[0] for r in con.execute("SELECT path FROM files").fetchall()}
    for ingest_id, seq, rows in con.execute(
        "SELECT ingest_id, seq, rows FROM batches WHERE state = 'writing'"
    ).fetchall():
        name = f"part-{ingest_id:08d}-{seq:06d}.parquet"
        for path in parquet_files(lake):
            rel = str(path.relative_to(lake))
            if path.name == name and rel not in known:
                path.unlink()
        con.execute(
            "UPDATE batches SET state = 'lost' WHERE ingest_id = ? AND seq = ?", [ingest_id, seq]
        )
        rep.lost_batches.append({"ingest_id": ingest_id, "seq": seq, "rows": rows})
        rep.rows_lost += int(rows)
    for ingest_id, source, sha, received in _running(con):
        from_file = sha is not None
        removed = remove_ingest_files(con, lake, ingest_id) if from_file else 0
        kept = first(
            con.execute(
                "SELECT coalesce(sum(rows), 0) FROM files WHERE ingest_id = ?", [ingest_id]
            ).fetchall()
        )
        note = "interrupted: rows removed, ingest again" if from_file else "interrupted"
        con.execute(
            "UPDATE ingests SET status = 'interrupted', finished = ?, note = ?, "
            "rows_stored = ? WHERE id = ?",
            [_now(), note, int(kept[0]) if kept else 0, ingest_id],
        )
        rep.rows_removed += removed
        entry = {
            "id": ingest_id,
            "source": source,
            "from_file": from_file,
            "rows_removed": removed,
            "rows_kept": int(kept[0]) if kept else 0,
        }
        rep.interrupted_ingests.append(_unflushed(entry, received, rep))
    for tmp in temp_files(lake):
        tmp.unlink(missing_ok=True)
        rep.temp_files_removed += 1
    known = {r[0] for r in con.execute("SELECT path FROM files").fetchall()}
    for path in parquet_files(lake):
        rel = str(path.relative_to(lake))
        day = day_of_partition(path.parent.name)
        if rel in known or day is None:
            continue
        con.execute(
            "INSERT INTO files (path, day, rows, bytes, created) VALUES (?, ?, ?, ?, ?)",
            [rel, day, parquet_rows(path), path.stat().st_size, _now()],
        )
        rep.files_adopted.append(rel)
    _derived(con, lake, rep, fix=True)
    return rep
