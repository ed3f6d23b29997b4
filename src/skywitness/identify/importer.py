"""Import aircraft databases (and operator lists) into the catalogue, keeping per-field history.

Kinds: ``tar1090`` (tar1090-db / Mictronics CSV, with a header ``icao24,registration,...`` or
upstream's header-less ``icao;reg;type;flags;desc;year;ownop``), ``opensky`` (OpenSky aircraft
database CSV, old lowercase or new camelCase quoted header), ``planealert`` (plane-alert-db CSV,
also a watchlist), ``generic`` (any CSV with a ``field=column`` map) and ``operators``
(designator lists: CSV ``icao_designator,name,country,radio_callsign`` or tar1090-db's JSON).
The file is read by DuckDB's CSV reader and merged with set-based SQL, never row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import FormatError, InputError
from ..model import RejectReason
from ..stats import IngestStats
from .formats import COLUMNS, DBFLAG_FIELDS, KINDS, TAR1090_POSITIONAL, normalise_header
from .store_schema import KIND_PRIORITY, ensure_schema


@dataclass
class ImportReport:
    source: str
    kind: str
    path: str
    source_version: str
    sha256: str
    rows_read: int = 0
    keys: int = 0  # distinct addresses (or designators) imported
    facts_added: int = 0
    facts_retired: int = 0  # values a newer version no longer gives (kept as history)
    facts_unchanged: int = 0
    seconds: float = 0.0
    already_imported: bool = False
    stats: IngestStats = field(default_factory=IngestStats)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "stats"}
        d["rejected"] = dict(self.stats.rejected)
        return d


def _open_text(path: Path) -> Any:
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _count_records(path: Path, header: bool) -> int:
    """Non-blank lines after the header: the records a well-formed file holds."""
    with path.open("rb") as raw:
        gz = raw.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if gz else path.open("rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return max(n - int(header), 0)


def _header_columns(first: str, delim: str, quote: str, positional: bool) -> list[str]:
    """Column names for DuckDB's reader (given explicitly: no dialect sniffing to go wrong)."""
    fields = next(csv.reader([first.rstrip("\r\n")], delimiter=delim, quotechar=quote), [])
    if positional:
        return [f"column{i}" for i in range(len(fields))]
    names: list[str] = []
    for i, name in enumerate(fields):
        clean = name.strip() or f"column{i}"
        names.append(clean if clean not in names else f"{clean}_{i}")
    return names


def _load_raw(
    con: Any, path: Path, kind: str, column_map: dict[str, str] | None
) -> tuple[dict[str, str], int]:
    """Create temp table ``_raw`` (rn_ + the file's columns as text).

    Returns field -> column name, and how many records the file should hold (rows DuckDB could
    not read are the difference, counted as rejects by the caller).
    """
    with _open_text(path) as fh:
        first = fh.readline()
    if first.lstrip().startswith(("{", "[")):
        if kind != "operators":
            raise FormatError(str(path), f"JSON input is only read for kind operators, not {kind}")
        return _load_operators_json(con, path)
    quote = "'" if first.startswith("'") else '"'
    positional = kind == "tar1090" and ";" in first and "," not in first
    delim = ";" if positional else max(",;\t|", key=first.count)
    cols = _header_columns(first, delim, quote, positional)
    spec = "{" + ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in cols) + "}"
    # Row order is kept (parallel=false) so rn_ is the record number for error messages.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS rn_, *
            FROM read_csv({_sql_str(str(path))}, header={str(not positional).lower()},
                delim={_sql_str(delim)}, quote={_sql_str(quote)}, escape={_sql_str(quote)},
                columns={spec}, auto_detect=false, null_padding=true, ignore_errors=true,
                parallel=false)"""
    )
    expected = _count_records(path, header=not positional)
    if positional:
        return {f: cols[i] for i, f in enumerate(TAR1090_POSITIONAL) if i < len(cols)}, expected
    by_norm = {normalise_header(c): c for c in cols}
    if kind == "generic":
        if not column_map or "icao24" not in column_map:
            raise FormatError(str(path), "generic import needs a column map with icao24=COLUMN")
        wanted: dict[str, tuple[str, ...]] = {
            ("key" if f == "icao24" else f): (normalise_header(c),) for f, c in column_map.items()
        }
    else:
        wanted = COLUMNS[kind]
    # The first alias present in the header wins.
    found: dict[str, str] = {}
    for f, names in wanted.items():
        hit = next((by_norm[n] for n in names if n in by_norm), None)
        if hit is not None:
            found[f] = hit
    if "key" not in found:
        raise FormatError(
            str(path), f"no key column for kind {kind}", detail=f"header: {', '.join(cols[:12])}"
        )
    return found, expected


def _load_operators_json(con: Any, path: Path) -> tuple[dict[str, str], int]:
    with _open_text(path) as fh:
        data = json.load(fh)
    keys = sorted(data)
    table = pa.table(
        {
            "rn_": pa.array(range(1, len(keys) + 1), pa.int64()),
            "key": keys,
            "name": [str(data[k].get("n", "")) for k in keys],
            "country": [str(data[k].get("c", "")) for k in keys],
            "telephony": [str(data[k].get("r", "")) for k in keys],
        }
    )
    con.register("_raw_arrow", table)
    con.execute("CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM _raw_arrow")
    con.unregister("_raw_arrow")
    fields = {"key": "key", "name": "name", "country": "country", "telephony": "telephony"}
    return fields, len(keys)


def _key_expr(kind: str, column: str) -> str:
    """SQL normalising a key: designators upper case; addresses lower case, and 1-5 hex digits
    left-padded to 6 (spreadsheets drop leading zeros: plane-alert-db lists 010166 as 10166)."""
    if kind == "operators":
        return f"upper(trim({column}))"
    low = f"lower(trim({column}))"
    short = f"regexp_full_match({low}, '[0-9a-f]{{1,5}}')"
    return f"CASE WHEN {short} THEN lpad({low}, 6, '0') ELSE {low} END"


def _long_selects(kind: str, cols: dict[str, str]) -> list[str]:
    """One SELECT (rn_, key, field, value) per fact field, from ``_raw``."""
    key = _key_expr(kind, _q(cols["key"]))
    out = []

    def sel(field_name: str, expr: str) -> None:
        out.append(f"SELECT rn_, {key} AS key, '{field_name}' AS field, {expr} AS value FROM _raw")

    for f, c in cols.items():
        if f in ("key", "dbflags", "tag1", "tag2", "tag3"):
            continue
        sel(f, f"trim({_q(c)})")
    if "dbflags" in cols:
        for i, f in enumerate(DBFLAG_FIELDS, start=1):
            sel(f, f"CASE WHEN substr(trim({_q(cols['dbflags'])}), {i}, 1) = '1' THEN '1' END")
    tags = [_q(cols[t]) for t in ("tag1", "tag2", "tag3") if t in cols]
    if tags:
        parts = ", ".join(f"nullif(trim({t}), '')" for t in tags)
        sel("watchlist_tags", f"concat_ws('; ', {parts})")
    return out


def _count_rejects(con: Any, kind: str, cols: dict[str, str], path: str, stats: IngestStats) -> str:
    """Count bad keys and duplicates; return the SQL predicate of a good key."""
    raw_key = _q(cols["key"])
    norm = _key_expr(kind, raw_key)
    # Designators: ICAO's three letters or the FAA's longer special designators (NASA, FEMA).
    pattern = "[A-Z0-9]{2,5}" if kind == "operators" else "[0-9a-f]{6}"
    good = f"coalesce(regexp_full_match({norm}, '{pattern}'), false)"
    bad = con.execute(
        f"""SELECT rn_, {raw_key}, coalesce(starts_with(trim({raw_key}), '~'), false)
            FROM _raw WHERE NOT {good} ORDER BY rn_"""
    ).fetchall()
    for rn, value, non_icao in bad:
        reason = RejectReason.NON_ICAO if non_icao else RejectReason.BAD_RECORD
        stats.reject(reason, path, line=int(rn) + 1, detail=f"key {value!r}")
    dup = con.execute(
        f"SELECT rn_, {norm} FROM (SELECT rn_, {raw_key}, row_number() OVER "
        f"(PARTITION BY {norm} ORDER BY rn_) AS k FROM _raw WHERE {good}) WHERE k > 1 ORDER BY rn_"
    ).fetchall()
    for rn, value in dup:
        stats.reject(RejectReason.DUPLICATE, path, line=int(rn) + 1, detail=f"{value} again")
    return good


def import_aircraft(
    con: Any,
    path: str | Path,
    kind: str,
    *,
    source: str | None = None,
    source_version: str | None = None,
    column_map: dict[str, str] | None = None,
    strict: bool = False,
    now: dt.datetime | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import one file; a newer version of the same ``source`` updates it in place with history.

    ``progress`` is told each step as it starts (a large database takes seconds per step).

    Re-importing the exact same file (same SHA-256 for the same source) changes nothing unless
    ``force``. Raises ``InputError`` for an unreadable file and, with ``strict``, on the first bad
    row (naming its line).
    """
    p = Path(path)
    if kind not in KINDS:
        raise FormatError(str(p), f"unknown kind {kind!r}", detail="one of " + ", ".join(KINDS))
    if not p.is_file():
        raise InputError(str(p), "no such file")
    t0 = time.perf_counter()
    ensure_schema(con)
    src = source or kind
    sha = _sha256(p)
    version = source_version or f"sha256:{sha[:12]}"
    stamp = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None)
    report = ImportReport(src, kind, str(p), version, sha, stats=IngestStats(strict=strict))
    seen = con.execute(
        "SELECT count(*) FROM aircraft_imports WHERE source = ? AND sha256 = ?", [src, sha]
    ).fetchone()
    if seen and seen[0] and not force:
        report.already_imported = True
        return report
    # DuckDB's progress bar would write to the user's terminal from a library call.
    con.execute("SET enable_progress_bar = false")
    con.execute("BEGIN TRANSACTION")
    try:
        _run_import(con, p, kind, src, version, stamp, column_map, report, progress or _quiet)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for t in ("_raw", "_new"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    report.seconds = time.perf_counter() - t0
    con.execute(
        "UPDATE aircraft_imports SET seconds = ? "
        "WHERE source = ? AND sha256 = ? AND imported_at = ?",
        [report.seconds, src, sha, stamp],
    )
    return report


def _quiet(_: str) -> None:
    """No progress wanted."""


def _read_checked(
    con: Any,
    p: Path,
    kind: str,
    column_map: dict[str, str] | None,
    report: ImportReport,
    step: Callable[[str], None],
) -> tuple[Any, str]:
    """Load the file into ``_raw``, count what could not be read or checked; its columns and
    the SQL condition of the good rows."""
    step(f"reading {p.name}")
    cols, expected = _load_raw(con, p, kind, column_map)
    row = con.execute("SELECT count(*) FROM _raw").fetchone()
    report.rows_read = int(row[0]) if row else 0
    report.stats.frames = max(expected, report.rows_read)
    report.stats.reject(
        RejectReason.BAD_LINE,
        str(p),
        count=expected - report.rows_read,
        detail="lines not readable as records (unbalanced quote or too many fields)",
    )
    step(f"checking {report.rows_read:,} rows")
    good = _count_rejects(con, kind, cols, str(p), report.stats)
    return cols, good


def _record_import(con: Any, report: ImportReport, stamp: dt.datetime) -> None:
    """The source's kind (its priority) and the import's row in ``aircraft_imports``."""
    if report.kind != "operators":
        con.execute(
            """INSERT INTO aircraft_sources VALUES (?, ?, ?)
               ON CONFLICT (source) DO UPDATE SET kind = excluded.kind""",
            [report.source, report.kind, KIND_PRIORITY.get(report.kind, 0)],
        )
    con.execute(
        "INSERT INTO aircraft_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.source,
            report.kind,
            report.path,
            report.source_version,
            report.sha256,
            stamp,
            report.rows_read,
            report.stats.rejected_total,
            report.keys,
            report.facts_added,
            report.facts_retired,
            report.facts_unchanged,
            0.0,
        ],
    )


def _run_import(
    con: Any,
    p: Path,
    kind: str,
    src: str,
    version: str,
    stamp: dt.datetime,
    column_map: dict[str, str] | None,
    report: ImportReport,
    step: Callable[[str], None],
) -> None:
    cols, good = _read_checked(con, p, kind, column_map, report, step)
    step("building the facts")
    union = " UNION ALL ".join(_long_selects(kind, cols))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _new AS
            SELECT key, field, arg_min(value, rn_) AS value FROM ({union})
            WHERE value IS NOT NULL AND value <> '' AND rn_ IN (SELECT rn_ FROM _raw WHERE {good})
            GROUP BY key, field"""
    )
    table, keycol = (
        ("operator_facts", "designator") if kind == "operators" else ("aircraft_facts", "icao24")
    )
    step("comparing with what is stored")
    retired = con.execute(
        f"""UPDATE {table} AS f SET valid_until = ?
            WHERE f.source = ? AND f.valid_until IS NULL AND NOT EXISTS (
                SELECT 1 FROM _new n
                WHERE n.key = f.{keycol} AND n.field = f.field AND n.value = f.value)""",
        [stamp, src],
    ).fetchone()
    added = con.execute(
        f"""INSERT INTO {table}
            SELECT n.key, n.field, n.value, ?, ?, ?, NULL FROM _new n
            WHERE NOT EXISTS (SELECT 1 FROM {table} f
                WHERE f.source = ? AND f.valid_until IS NULL AND f.{keycol} = n.key
                  AND f.field = n.field AND f.value = n.value)
            ORDER BY n.key, n.field""",
        [src, version, stamp, src],
    ).fetchone()
    stats = con.execute("SELECT count(*), count(DISTINCT key) FROM _new").fetchone()
    total, keys = (int(stats[0]), int(stats[1])) if stats else (0, 0)
    report.facts_retired = int(retired[0]) if retired else 0
    report.facts_added = int(added[0]) if added else 0
    report.facts_unchanged = total - report.facts_added
    report.keys = keys
    report.stats.accepted = report.stats.frames - report.stats.rejected_total
    _record_import(con, report, stamp)
