"""Files → the states lake, on Spark: one task per input file runs the embedded ingest step
(readers, decoder, tracker: ``runtime.pipeline.track_tables``) inside ``mapInArrow``, so each
file's state vectors are exactly those ``skywitness ingest`` stores; Spark writes them to
``<lake>/states/date=YYYY-MM-DD/`` (Hive partitions, INT64 millisecond timestamps).

Resumable: a file whose SHA-256 is recorded under ``<lake>/_spark/ingested/`` is skipped, and the
record is written only after Spark committed the file's rows. Reject counts come back through an
accumulator and are reported per run.

The ADS-B emitter categories each file's aircraft transmit (the ingest step's
``on_categories``, as embedded ``ingest`` gathers them) come back through a second accumulator
and are kept in the file's record (``categories``: icao24 -> "B1"); ``lake_facts`` merges them
into a catalogue as the identity facts embedded ingest records (source ``adsb``, version the
file's name), for ``spark flights``, ``spark investigate`` and ``spark attach``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..runtime.pipeline import RunOptions, track_tables
from ..stats import IngestStats
from ..store.compact import MAX_FILE_ROWS
from ..store.ingest import file_sha256
from ..store.lake import STATES_DIR
from ..store.schema import conform
from ..timeutil import iso_z
from .arrowtypes import STATES_WITH_DATE, conform_to, for_spark, spark_schema
from .lakefs import LakeFiles, lake_path

RECORDS_DIR = "_spark/ingested"
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


def _categories_param() -> Any:
    """Path -> the emitter categories its task heard (one task per file: no two disagree)."""
    from pyspark.accumulators import AccumulatorParam

    class CategoriesParam(AccumulatorParam[dict[str, dict[str, str]]]):
        def zero(self, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
            return {}

        def addInPlace(
            self, a: dict[str, dict[str, str]], b: dict[str, dict[str, str]]
        ) -> dict[str, dict[str, str]]:
            a.update(b)
            return a

    return CategoriesParam()


def _track_files(opts: RunOptions, acc: Any, heard_acc: Any) -> Any:
    """The ``mapInArrow`` function: each row's ``path`` → its state vectors."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in batches:
            for path in rb.column("path").to_pylist():
                stats = IngestStats(strict=opts.strict)
                stored = 0
                heard: dict[str, str] = {}  # the last category per aircraft, as embedded
                for table in track_tables([path], opts, stats, on_categories=heard.update):
                    if table.num_rows:
                        stored += table.num_rows
                        yield from with_date(table).to_batches()
                acc.add(
                    Counter({f"{path}{_SEP}{k}": v for k, v in counts_of(stats, stored).items()})
                )
                if heard:
                    heard_acc.add({path: heard})

    return run


def spark_ingest(
    spark: Any, paths: Sequence[str], lake: str | Path, opts: RunOptions | None = None
) -> SparkIngestReport:
    """Ingest ``paths`` (local or cluster-visible files) into ``lake`` (a folder, or a Spark
    filesystem URI: ``lakefs``); see the module doc."""
    opts = opts or RunOptions()
    side = LakeFiles(spark, lake)
    report = SparkIngestReport()
    todo: list[tuple[str, str]] = []
    for p in paths:
        digest = file_sha256(p)
        if side.exists(f"{RECORDS_DIR}/{digest}.json"):
            report.skipped.append(p)
        else:
            todo.append((p, digest))
    if not todo:
        return report
    acc = spark.sparkContext.accumulator(Counter(), _counter_param())
    heard = spark.sparkContext.accumulator({}, _categories_param())
    df = spark.createDataFrame([(p,) for p, _ in todo], "path string").repartition(len(todo))
    states = df.mapInArrow(_track_files(opts, acc, heard), spark_schema(STATES_WITH_DATE))
    states.write.mode("append").option("maxRecordsPerFile", FILE_ROWS).partitionBy("date").parquet(
        lake_path(lake, STATES_DIR)
    )
    report.files = len(todo)
    per_file: dict[str, Counter[str]] = {}
    for key, n in acc.value.items():
        path, name = key.split(_SEP, 1)
        per_file.setdefault(path, Counter())[name] += n
    totals: Counter[str] = sum(per_file.values(), Counter())
    report.counts = dict(totals)
    report.rows = int(totals.get("stored", 0))
    done = iso_z(datetime.now(UTC), "s")
    for p, digest in todo:  # what an evidence pack lists as its inputs (spark.investigate)
        mine = per_file.get(p, Counter())
        record = {"path": p, "sha256": digest, "format": opts.fmt,
                  "size_bytes": Path(p).stat().st_size, "ingested_at": done,
                  "read": mine["frames"], "accepted": mine["accepted"], "stored": mine["stored"],
                  "rejected": {k.split(":", 1)[1]: v for k, v in mine.items()
                               if k.startswith("rejected:")},
                  "categories": heard.value.get(p, {})}  # fmt: skip
        side.write_text(f"{RECORDS_DIR}/{digest}.json", json.dumps(record, sort_keys=True))
    side.write_text("_spark/last_ingest.json", json.dumps(asdict(report), indent=1, sort_keys=True))
    return report


def ingest_records(lake: str | Path) -> list[dict[str, Any]]:
    """The records of the files ``spark ingest`` stored into a local ``lake``, in the order
    they were ingested (then by path: the files of one run share a time)."""
    records = Path(lake) / RECORDS_DIR
    if not records.is_dir():
        return []
    docs = [json.loads(p.read_text()) for p in sorted(records.glob("*.json"))]
    docs.sort(key=lambda d: (str(d.get("ingested_at", "")), str(d["path"])))
    return docs
