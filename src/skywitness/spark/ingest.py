"""Files → the states lake, on Spark, with the embedded ingest's readers, decoder and tracker,
so each file's state vectors are exactly those ``skywitness ingest`` stores; Spark writes them
to ``<lake>/states/date=YYYY-MM-DD/`` (Hive partitions, INT64 millisecond timestamps).

Raw frame and observation files (Beast, AVR, SBS, readsb JSON, OpenSky CSV, states documents...)
go in two stages (``spark.by_aircraft``): a ``mapInArrow`` task per file reads and decodes it
(the ingest step's part before the tracker), then ``groupBy(path, icao24).applyInArrow`` tracks
each aircraft of each file apart, over as many tasks as run at once, so one large capture is not
one task.

Resumable: a file whose SHA-256 is recorded under ``<lake>/_spark/ingested/`` is skipped, and the
record is written only after Spark committed the file's rows. Reject counts come back through an
accumulator and are reported per run.

The ADS-B emitter categories each file's aircraft transmit (the ingest step's
``on_categories``, as embedded ``ingest`` gathers them) come back through a second accumulator
and are kept in the file's record (``categories``: icao24 -> "B1"); ``lake_facts`` merges them
into a catalogue as the identity facts embedded ingest records (source ``adsb``, version the
file's name), for ``spark flights``, ``spark investigate`` and ``spark attach``.

Globe-history day archives (split ``.tar.aa`` parts, a joined ``.tar``, an extracted day folder:
``sources.globe.group_inputs``, as embedded ``ingest`` groups them) are read by the embedded
globe ingest's reading and rows (``spark.globe``): a tar stream by one task, a folder in pieces
over many. An archive's record (keyed by the SHA-256 of its joined parts, or of a folder's trace
files) also keeps its trace identity facts (``facts``), its name (``version``) and the members
it could not read (``problems``), which the report names.

An archive whose bytes changed since (a feeder's globe-history folder of today, grown) is read
again, and its traces resume as the embedded ingest's do (``store.traces``): a trace stored
before is passed over, one that grew gives its new points only. What an archive of that name
stored (trace identity and last point) is kept under ``<lake>/_spark/traces/`` (one file per
archive name, rewritten after each ingest of it) and handed to its tasks; an archive of another
name (the day's ``.tar`` after its folder) starts afresh, as only its own name is looked up.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from math import inf
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..runtime.pipeline import RunOptions
from ..stats import IngestStats
from ..store.compact import MAX_FILE_ROWS
from ..store.ingest import file_sha256
from ..store.lake import STATES_DIR
from ..store.schema import conform
from ..store.traces import TraceKey
from ..timeutil import iso_z
from .arrowtypes import STATES_WITH_DATE, conform_to, for_spark, spark_schema
from .lakefs import LakeFiles, active_session, is_uri, lake_path

RECORDS_DIR = "_spark/ingested"
#: The traces each globe-history archive name has stored: ``{"name", "traces": [[icao24, trace
#: start, last point], ...]}``, a file per name (the SHA-256 of the name).
TRACES_DIR = "_spark/traces"
#: State vectors per lake file at most (~100 MB at ~26 bytes a row): ``spark flights`` hands
#: each states file to one Python task whole (Spark's ``binaryFile``, at most 2 GB a file), so a
#: globe-history day (~100 M rows) read by one task is written as many files. The same bound
#: as a compacted file's (``store.compact``).
FILE_ROWS = MAX_FILE_ROWS
#: Between a file's path and a count's name in the accumulator (no path holds a NUL).
_SEP = "\x00"


@dataclass
class SparkIngestReport:
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # already ingested (same SHA-256)
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # read, accepted, rejects by reason
    problems: list[str] = field(default_factory=list)  # archive members not read, and why
    aircraft_groups: int = 0  # (file, aircraft) groups tracked apart (``spark.by_aircraft``)
    aircraft_tasks: int = 0  # the tasks they were tracked in


def with_date(states: pa.Table) -> pa.Table:
    """Canonical states plus the ``date`` partition column (UTC day), in Spark's types."""
    t = conform(states)
    day = pc.cast(pc.cast(t.column("timestamp"), pa.timestamp("ms")), pa.date32())
    return conform_to(t.append_column("date", day), for_spark(STATES_WITH_DATE))


def counts_of(stats: IngestStats, stored: int) -> Counter[str]:
    """One file's counts, flat: what is read, accepted, stored, and rejects by reason."""
    out: Counter[str] = Counter(
        files=1, bytes_read=stats.bytes_read, frames=stats.frames, accepted=stats.accepted,
        positions=stats.positions, stored=stored,
    )  # fmt: skip
    for reason, n in stats.rejected.items():
        out[f"rejected:{reason}"] += n
    return out


def _counter_param() -> Any:
    from pyspark.accumulators import AccumulatorParam

    class CounterParam(AccumulatorParam[Counter[str]]):
        def zero(self, value: Counter[str]) -> Counter[str]:
            return Counter()

        def addInPlace(self, a: Counter[str], b: Counter[str]) -> Counter[str]:
            a.update(b)
            return a

    return CounterParam()


def _found_param() -> Any:
    """Task key -> what its task found: one task per key, so no two disagree."""
    from pyspark.accumulators import AccumulatorParam

    class FoundParam(AccumulatorParam[dict[str, Any]]):
        def zero(self, value: dict[str, Any]) -> dict[str, Any]:
            return {}

        def addInPlace(self, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
            a.update(b)
            return a

    return FoundParam()


def _track_pieces(acc: Any, found_acc: Any, done: Any) -> Any:
    """The ``mapInArrow`` function of globe-history archives: each row's ``piece`` (JSON) →
    its state vectors (``spark.globe``); ``done``: a broadcast of archive name → the traces
    stored before (``stored_traces``)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in batches:
            for path, piece in zip(rb.column("path").to_pylist(), rb.column("piece").to_pylist(),
                                   strict=True):  # fmt: skip
                yield from _globe_piece(path, json.loads(piece), acc, found_acc, done.value)

    return run


def _globe_piece(
    label: str,
    piece: dict[str, Any],
    acc: Any,
    found_acc: Any,
    done: dict[str, dict[TraceKey, float]],
) -> Iterator[pa.RecordBatch]:
    from .globe import piece_tables

    found: dict[str, Any] = {}
    stored = 0
    for table in piece_tables(piece, found, done.get(piece["name"])):
        stored += table.num_rows
        yield from with_date(table).to_batches()
    counts = counts_of(found.pop("stats"), stored)
    counts["traces_already"] = found.pop("already")
    counts["traces_grown"] = found.pop("grown")
    if piece["piece"]:  # the archive is one file, however many pieces
        del counts["files"]
    acc.add(Counter({f"{label}{_SEP}{k}": v for k, v in counts.items()}))
    found_acc.add({f"{label}{_SEP}{piece['piece']}": found})


@dataclass
class _Work:
    """One input to ingest: a file, or a globe-history archive in pieces."""

    path: str  # what its record calls it
    digest: str
    size: int
    fmt: str
    pieces: list[dict[str, Any]] | None = None  # an archive's (``globe.archive_pieces``)
    version: str = ""  # the version its facts are recorded under


def _work(paths: Sequence[str], opts: RunOptions, tasks: int) -> list[_Work]:
    from ..runtime.globe import FORMAT, archive_spec
    from ..sources.globe import group_inputs
    from .globe import TAR_TASKS, archive_digest, archive_pieces, archive_size

    archives, rest = group_inputs(paths)
    todo = [_Work(p, file_sha256(p), Path(p).stat().st_size, opts.fmt, None, Path(p).name)
            for p in rest]  # fmt: skip
    for inp in archives:  # a tar stream shared by up to as many tasks as run at once
        pieces = archive_pieces(inp, tar_tasks=min(tasks, TAR_TASKS))
        todo.append(_Work(archive_spec(inp), archive_digest(inp), archive_size(inp), FORMAT,
                          pieces, inp.name))  # fmt: skip
    return todo


def spark_ingest(
    spark: Any, paths: Sequence[str], lake: str | Path, opts: RunOptions | None = None
) -> SparkIngestReport:
    """Ingest ``paths`` (local or cluster-visible files, globe-history archives: split parts,
    a ``.tar``, a day folder) into ``lake`` (a folder, or a Spark filesystem URI: ``lakefs``);
    see the module doc."""
    opts = opts or RunOptions()
    side = LakeFiles(spark, lake)
    report = SparkIngestReport()
    todo: list[_Work] = []
    for w in _work(paths, opts, int(spark.sparkContext.defaultParallelism)):
        if side.exists(f"{RECORDS_DIR}/{w.digest}.json"):
            report.skipped.append(w.path)
        else:
            todo.append(w)
    if not todo:
        return report
    acc = spark.sparkContext.accumulator(Counter(), _counter_param())
    found = spark.sparkContext.accumulator({}, _found_param())
    spread = spark.sparkContext.accumulator(Counter(), _counter_param())
    before = {w.version: stored_traces(side, w.version) for w in todo if w.pieces is not None}
    states = _states_of(spark, todo, opts, acc, found, spread, spark.sparkContext.broadcast(before))
    states.write.mode("append").option("maxRecordsPerFile", FILE_ROWS).partitionBy("date").parquet(
        lake_path(lake, STATES_DIR)
    )
    report.aircraft_groups = sum(spread.value.values())
    report.aircraft_tasks = len(spread.value)
    report.files = len(todo)
    per_file: dict[str, Counter[str]] = {}
    for key, n in acc.value.items():
        path, name = key.split(_SEP, 1)
        per_file.setdefault(path, Counter())[name] += n
    per_task: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for key, got in found.value.items():
        path, piece = key.split(_SEP, 1)
        per_task.setdefault(path, []).append((int(piece), got))
    totals: Counter[str] = sum(per_file.values(), Counter())
    done = iso_z(datetime.now(UTC), "s")
    for w in todo:  # what an evidence pack lists as its inputs (spark.investigate)
        mine = per_file.get(w.path, Counter())
        record = {"path": w.path, "sha256": w.digest, "format": w.fmt, "size_bytes": w.size,
                  "ingested_at": done, "version": w.version,
                  "read": mine["frames"], "accepted": mine["accepted"], "stored": mine["stored"],
                  "rejected": {k.split(":", 1)[1]: v for k, v in mine.items()
                               if k.startswith("rejected:")},
                  **_found_of(sorted(per_task.get(w.path, []), key=lambda t: t[0]))}  # fmt: skip
        if w.pieces is not None:  # the traces its name has stored, for the next ingest of it
            _keep_traces(side, w.version, before[w.version], record.pop("traces", []))
        report.problems += [f"{w.path}: {m or f'offset {o}'}: {what}"
                            for m, o, what in record.get("problems", [])]  # fmt: skip
        side.write_text(f"{RECORDS_DIR}/{w.digest}.json", json.dumps(record, sort_keys=True))
    if report.problems:
        totals["members_unreadable"] = len(report.problems)
    report.counts = dict(totals)
    report.rows = int(totals.get("stored", 0))
    side.write_text("_spark/last_ingest.json", json.dumps(asdict(report), indent=1, sort_keys=True))
    return report


def _states_of(
    spark: Any,
    todo: list[_Work],
    opts: RunOptions,
    acc: Any,
    found: Any,
    spread: Any,
    done: Any,
) -> Any:
    """The state vectors of ``todo`` as one DataFrame: files decoded a task each, then tracked
    per aircraft (``spark.by_aircraft``); an archive's pieces a task each (``spark.globe``)."""
    from .by_aircraft import PIECES, decoded_pieces, tracked_aircraft

    schema = spark_schema(STATES_WITH_DATE)
    files = [w.path for w in todo if w.pieces is None]
    pieces = [(w.path, json.dumps(p)) for w in todo if w.pieces is not None for p in w.pieces]
    parts = []
    if files:
        tasks = max(2 * int(spark.sparkContext.defaultParallelism), len(files))
        decoded = (
            spark.createDataFrame([(p,) for p in files], "path string")
            .repartition(len(files))
            .mapInArrow(decoded_pieces(opts, acc, found), spark_schema(PIECES))
        )
        parts.append(
            decoded.repartition(tasks, "path", "icao24")  # a number: never coalesced to one
            .groupBy("path", "icao24")
            .applyInArrow(tracked_aircraft(opts, acc, spread), schema)
        )
    if pieces:
        df = spark.createDataFrame(pieces, "path string, piece string").repartition(len(pieces))
        parts.append(df.mapInArrow(_track_pieces(acc, found, done), schema))
    return parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])


def _found_of(pieces: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """An input's record fields from what its tasks found, in piece order: the emitter
    categories, and of an archive the trace facts and the members it could not read."""
    out: dict[str, Any] = {"categories": {}}
    for _, got in pieces:
        out["categories"].update(got.get("categories", {}))
        if "facts" in got:
            out.setdefault("facts", []).extend(got["facts"])
        if "traces" in got:
            out.setdefault("traces", []).extend(got["traces"])
        if "problems" in got:  # a damaged stream is named by each share that read it: once
            named = out.setdefault("problems", [])
            named += [p for p in got["problems"] if p not in named]
    return out


def _traces_file(name: str) -> str:
    return f"{TRACES_DIR}/{hashlib.sha256(name.encode()).hexdigest()}.json"


def stored_traces(side: LakeFiles, name: str) -> dict[TraceKey, float]:
    """(icao24, trace start) -> last point stored, of every trace the archives named ``name``
    stored in this lake ({} before the first)."""
    text = side.read_text(_traces_file(name))
    if text is None:
        return {}
    return {(str(a), float(s)): float(last) for a, s, last in json.loads(text)["traces"]}


def _keep_traces(
    side: LakeFiles, name: str, before: dict[TraceKey, float], now: list[list[Any]]
) -> None:
    """Write the traces ``name`` has stored: those before, with this ingest's added (a trace
    that grew: its new last point)."""
    merged = dict(before)
    for a, s, last in now:
        merged[str(a), float(s)] = max(float(last), merged.get((str(a), float(s)), -inf))
    rows = [[a, s, last] for (a, s), last in sorted(merged.items())]
    side.write_text(_traces_file(name), json.dumps({"name": name, "traces": rows}))


def ingest_records(lake: str | Path) -> list[dict[str, Any]]:
    """The records of the files ``spark ingest`` stored into ``lake`` (a local folder, or a URI
    read through the running Spark session's filesystems), in the order they were ingested
    (then by path: the files of one run share a time)."""
    session = active_session() if is_uri(lake) else None
    texts = LakeFiles(session, lake).read_texts(RECORDS_DIR, ".json")
    docs = [json.loads(text) for _, text in texts]
    docs.sort(key=lambda d: (str(d.get("ingested_at", "")), str(d["path"])))
    return docs
