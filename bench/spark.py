"""Benchmark: flights rebuild on Apache Spark (local[1], local[2]) vs the embedded path, on the
same synthetic lake, in one run.

The lake: ``--rows`` state vectors over ``--days`` days, shaped like a sample of a month of the
world's traffic (bench/store.py's ``Synth``: 6,000 aircraft flying between 300 real airports,
one point per 10 s; every third flight loses the middle half of its points — an ocean crossing
out of coverage, so ~83 % of ``--rows`` is written), as the Hive-partitioned Parquet lake both
engines read. It is written in 2 M-row slices (one Parquet file each), so memory stays bounded
at any size: ``--rows 241000000 --lake DIR`` writes the issue's 200 M-row lake once; a later
run with the same ``--lake`` reuses it.

The job, both sides: the flights of every aircraft over the whole span. Embedded: read the lake
with pyarrow and run ``build_flights`` (one process; the pure compute, the most favourable
embedded figure; it holds the whole table, ~350 bytes a row at its peak, so above
``--embedded-max-rows`` it runs on the first days only, said in the output: a rate measured on
a sample). Spark: ``spark_rebuild_flights`` (the states files' bytes to Python tasks, payloads
shuffled by aircraft, the same ``build_flights`` in Python workers, write the flights table),
timed end to end with the session started and its Python workers warm (a small lake rebuilt
first); the JVM's start-up is printed apart. Each run is a process of its own (each Spark run
starts its own JVM: neither inherits the other's JIT and class loading), pinned to its cores
(``sched_setaffinity``, inherited by the JVM and its Python workers: embedded and local[1] on
CPU 0, local[2] on CPUs 0-1), so "per core" means a core; ``--no-pin`` leaves them free. Each
run's wall time, CPU seconds (this process, the JVM and its Python workers:
``spark.cpu.tree_cpu``, with PySpark's daemon run as ``spark.reaping_daemon`` so a worker that
exits mid-job is still counted) and the load averages after it are printed, then each Spark
stage's tasks, wall and the share of the task slots its tasks kept busy (Spark's event log),
and, on a 2-core machine, the machine's own 1 -> 2 core scaling on the embedded path's work
(one process alone, then two at once, one on each core): the ceiling any engine meets there.
The scheduling line says the run's nice and autogroup: under ``sched_autogroup`` a process's
nice ranks it only within its own session.
``--cores``: which local[N] runs; ``--java-options``: the JVM's (default: the session's
``LOCAL_JAVA_OPTIONS``, the client JIT only). ``--profile``: also the Spark job's parts on local[1].

Run: python bench/spark.py [--rows 3000000] [--days 30]   (needs the spark extra and Java)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from skywitness.flights import build_flights
from skywitness.spark.arrowtypes import FLIGHTS_WITH_DATE, spark_schema
from skywitness.spark.cpu import ACCOUNTED_CONF, tree_cpu
from skywitness.spark.flights import (
    _BLOB,
    LOOKAHEAD,
    LOOKBACK,
    _splitter,
    shuffle_keys,
    spark_rebuild_flights,
)
from skywitness.spark.ingest import with_date
from skywitness.spark.session import LOCAL_JAVA_OPTIONS, spark_session
from skywitness.store.schema import conform

HERE = Path(__file__).resolve().parent
START = datetime(2023, 1, 1, tzinfo=UTC)
#: Rows generated and written at a time (one Parquet file each): the writer's memory bound.
SLICE_ROWS = 2_000_000


def _synth() -> type:
    spec = importlib.util.spec_from_file_location("bench_store", HERE / "store.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.Synth  # type: ignore[no-any-return]


def write_lake(rows: int, days: int, lake: Path, slice_rows: int = SLICE_ROWS) -> int:
    """Write the synthetic lake, slice by slice; returns the rows written."""
    synth = _synth()(seed=7, gap_every=3)
    total, per_day = 0, rows // days
    for d in range(days):
        left = per_day
        while left > 0:
            part = synth.day(d, min(slice_rows, left))
            synth.flight_rows.clear()  # the generator's own flights list: not needed here
            left -= min(slice_rows, left)
            total += part.num_rows
            pq.write_to_dataset(with_date(part), lake / "states", partition_cols=["date"])
    return total


def lake_rows(lake: Path) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in (lake / "states").rglob("*.parquet"))


def embedded(
    lake: Path, days: int, max_rows: int
) -> tuple[float, int, int, int, float, str, float]:
    """(seconds, rows, flights, days read, CPU seconds, load averages, peak RSS MB): all days,
    or the first ones up to ``max_rows``."""
    files: list[Path] = []
    rows, used = 0, 0
    for d in range(days):
        day = (START + timedelta(days=d)).date()
        found = sorted((lake / "states" / f"date={day}").glob("*.parquet"))
        n = sum(pq.ParquetFile(p).metadata.num_rows for p in found)
        if files and rows + n > max_rows:
            break
        files += found
        rows += n
        used += 1
    c0, t0 = time.process_time(), time.perf_counter()
    states = conform(_read(files))  # the date column left out
    flights = build_flights(states)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return wall, states.num_rows, flights.num_rows, used, cpu, _load(), _peak_mb()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read(files: list[Path]) -> pa.Table:
    return pa.concat_tables(pq.read_table(p) for p in files)


#: ``--java-options``: the JVM's options when given (else the session's ``LOCAL_JAVA_OPTIONS``).
JAVA: dict[str, str] = {}


def _session(cores: int, events: Path | None = None) -> tuple[Any, float]:
    t0 = time.perf_counter()
    conf = {"spark.ui.showConsoleProgress": "false", **ACCOUNTED_CONF, **JAVA}
    if events is not None:  # the stages' and tasks' times, read back by ``stages``
        events.mkdir(parents=True, exist_ok=True)
        conf |= {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": events.as_uri(),
            "spark.eventLog.compress": "false",
            "spark.eventLog.rolling.enabled": "false",
        }
    spark = spark_session(f"local[{cores}]", f"bench-{cores}", conf)
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(1).count()  # the JVM and the scheduler up
    return spark, time.perf_counter() - t0


def on_spark(
    lake: Path, cores: int, until: datetime, warm: Path
) -> tuple[float, int, float, float, str, list[tuple[str, int, float, float]]]:
    """(job seconds, flights, JVM start-up seconds, CPU seconds of the driver, the JVM and its
    Python workers during the job, the load averages over the job, its stages: ``stages``).
    ``warm``: a small lake rebuilt first, so the Python workers are up and have imported
    skywitness."""
    events = warm.parent / f"events-{cores}"
    spark, startup = _session(cores, events)
    spark_rebuild_flights(spark, warm, START, START + timedelta(days=1))
    shutil.rmtree(lake / "flights", ignore_errors=True)
    c0, t0, epoch0 = tree_cpu(), time.perf_counter(), time.time()
    df = spark_rebuild_flights(spark, lake, START, until)
    wall, cpu, epoch1 = time.perf_counter() - t0, tree_cpu() - c0, time.time()
    load = _load()
    n = df.count()
    spark.stop()
    return wall, n, startup, cpu, load, stages(events, epoch0, epoch1)


def stages(events: Path, since: float, until: float) -> list[tuple[str, int, float, float]]:
    """The stages that ran between ``since`` and ``until`` (epoch s), from Spark's event log:
    (what it ran, tasks, wall s from submission to completion, the tasks' summed run s)."""
    busy: dict[int, float] = {}
    done: list[tuple[float, int, str, int, float]] = []
    for log in sorted(f for f in events.rglob("*") if f.is_file()):
        for line in log.read_text().splitlines():
            e = json.loads(line)
            if e["Event"] == "SparkListenerTaskEnd":
                info = e["Task Info"]
                sid = e["Stage ID"]
                busy[sid] = busy.get(sid, 0.0) + (info["Finish Time"] - info["Launch Time"]) / 1e3
            elif e["Event"] == "SparkListenerStageCompleted":
                st = e["Stage Info"]
                sub, end = st["Submission Time"] / 1e3, st["Completion Time"] / 1e3
                if since <= sub and end <= until:
                    what = f"stage {st['Stage ID']} ({st['Stage Name'].split(' at ')[0]})"
                    done.append((sub, st["Stage ID"], what, st["Number of Tasks"], end - sub))
    return [(what, n, w, busy.get(sid, 0.0)) for _, sid, what, n, w in sorted(done)]


def _autogroup() -> str:
    """This process's scheduler autogroup and its nice: across autogroups (one per session),
    the group's nice, not the process's, divides the CPUs."""
    try:
        return Path("/proc/self/autogroup").read_text().strip()
    except OSError:
        return "no autogroup"


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _drain(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for _ in batches:
        pass
    yield from ()


def profile(lake: Path, until: datetime, warm: Path) -> list[tuple[str, float, float]]:
    """The Spark job's parts on local[1], each run on its own in a warm session (``warm``
    rebuilt first): (part, wall seconds, CPU seconds of the tree); each part runs the ones
    before it again."""
    from pyspark.sql.pandas.types import from_arrow_schema

    spark, _ = _session(1)
    spark_rebuild_flights(spark, warm, START, START + timedelta(days=1))
    files = (
        spark.read.format("binaryFile")
        .option("pathGlobFilter", "*.parquet")
        .load(str(lake / "states"))
    )
    keys = shuffle_keys(1)
    split = files.select("content").mapInArrow(
        _splitter(START - LOOKBACK, until + LOOKAHEAD, keys), from_arrow_schema(_BLOB)
    )
    noop = {"format": "noop", "mode": "overwrite"}
    parts: list[tuple[str, Callable[[], Any]]] = [
        (
            "list + size the files (the partition count)",
            lambda: files.agg({"length": "sum"}).first(),
        ),
        ("read the files' bytes (JVM)", lambda: files.write.save(**noop)),
        ("+ decode, window, split by aircraft (Python)", lambda: split.write.save(**noop)),
        (
            "+ shuffle + payloads to Python",
            lambda: (
                split.repartition(1, "key")
                .mapInArrow(_drain, spark_schema(FLIGHTS_WITH_DATE))
                .write.save(**noop)
            ),
        ),
        (
            "whole job (+ build_flights, write)",
            lambda: spark_rebuild_flights(spark, lake, START, until),
        ),
    ]
    out = []
    for name, run in parts:
        c0, t0 = tree_cpu(), time.perf_counter()
        run()
        out.append((name, time.perf_counter() - t0, tree_cpu() - c0))
    spark.stop()
    return out


def report(args: argparse.Namespace, rows: int, runs: dict[str, Any]) -> None:
    e_s, e_rows, e_n, e_days, e_cpu, e_load, e_peak = runs["embedded"]
    spark = {int(k[5:]): v for k, v in runs.items() if k.startswith("local")}
    cmd = "python bench/spark.py " + " ".join(sys.argv[1:])
    print(f"\n## spark: flights rebuild of {rows:,} state vectors over {args.days} days "
          f"({cmd}; {os.cpu_count()} cores)")  # fmt: skip
    pinned = "each run pinned to its cores" if args.pin else "runs not pinned"
    print(f"scheduling: {pinned}; nice {os.nice(0)}; {_autogroup()}")
    print(f"{'engine':<19}{'wall s':>9}{'rows':>14}{'rows/s':>11}{'rows/s/core':>12}{'CPU s':>9}"
          f"{'CPU/wall':>9}{'rows/CPU-s':>11}{'flights':>9}  load 1/5/15 min after")  # fmt: skip
    table = [("embedded (1 core)", e_s, e_rows, e_n, 1, e_cpu, e_load)]
    table += [(f"spark local[{c}]", s, rows, n, c, cpu, load)
              for c, (s, n, _, cpu, load, _) in sorted(spark.items())]  # fmt: skip
    for name, wall, r, n, cores, cpu, load in table:
        print(f"{name:<19}{wall:>9.2f}{r:>14,}{r / wall:>11,.0f}{r / wall / cores:>12,.0f}"
              f"{cpu:>9.1f}{cpu / wall:>9.2f}{r / cpu:>11,.0f}{n:>9,}  {load}")  # fmt: skip
    if e_days < args.days:
        print(f"embedded: the first {e_days} of {args.days} days (--embedded-max-rows "
              f"{args.embedded_max_rows:,}): a rate measured on a sample")  # fmt: skip
    jvm = ", ".join(f"local[{c}] {v[2]:.1f} s" for c, v in sorted(spark.items()))
    opts = JAVA.get("spark.driver.extraJavaOptions", LOCAL_JAVA_OPTIONS) or "(none)"
    print(f"JVM start-up (not in the walls above): {jvm}; JVM options: {opts}")
    re, per_cpu = e_rows / e_s, e_rows / e_cpu
    for c, (s, _, _, cpu, _, _) in sorted(spark.items()):
        print(f"spark local[{c}] per-core throughput: {rows / s / c / re:.2f}x embedded by wall "
              f"(goal >= 0.5x), {rows / cpu / per_cpu:.2f}x by CPU-second (JVM + Python "
              "workers + driver)")  # fmt: skip
    c1 = min(spark)
    r1, eff = rows / spark[c1][0] / c1, 1.0
    if 1 in spark and 2 in spark:
        eff = rows / spark[2][0] / (2 * rows / spark[1][0])
        ceiling = spark[1][0] / spark[2][3] * os.cpu_count() / 2 if os.cpu_count() == 2 else 1.0
        print(
            f"scaling 1 -> 2 cores: {eff:.0%} efficiency by wall (local[1]'s wall over twice "
            f"local[2]'s; goal >= 80%); CPU-seconds local[1] / local[2]: "
            f"{spark[1][3] / spark[2][3]:.0%} (below 100%: work added by running in parallel); "
            "local[1] kept "
            f"{spark[1][3] / spark[1][0]:.2f} cores busy (its Python worker and the JVM beside "
            f"it), so on this {os.cpu_count()}-core machine local[2]'s wall could gain at most "
            f"an efficiency of {min(ceiling, 1.0):.0%} (local[1]'s wall over local[2]'s CPU-s)"
        )
    if "pair" in runs:
        alone, pair, hw, pair_rows = runs["pair"]
        print(
            f"the machine's own 1 -> 2 core scaling on the embedded path's work (its first "
            f"{pair_rows:,} rows; one process alone on CPU 0: {alone:.2f} s; two at once, one "
            f"on each CPU: the slower {pair:.2f} s): {hw:.0%}; Spark's 1 -> 2 core efficiency "
            f"relative to it: {eff / hw:.0%}"
        )
    flights = {v[1] for v in spark.values()}
    print(
        f"flights equal across Spark runs: {len(flights) == 1}; with the embedded path: "
        f"{flights == {e_n} if e_days == args.days else 'not compared (a sample)'}"
    )
    print(
        f"model: T(N executors x c cores) = rows / (N*c*{r1:,.0f} rows/s x e) + t0, e = "
        f"{eff:.2f} ({'measured 1 -> 2 cores here' if len(spark) > 1 else 'assumed'}), t0 = "
        f"job start-up (~{spark[c1][2]:.0f} s JVM, once); assumes a balanced shuffle by icao24 "
        "(many aircraft per partition: a month holds ~100k), lake reads and shuffle bandwidth "
        "that grow with the executors (local disks or object storage), and partitions of 64 MB "
        "of states files (spark.flights.PARTITION_BYTES, ~2.5 M rows) in executor memory"
    )
    for c, run in sorted(spark.items()):
        for what, n, w, busy in run[5]:
            print(f"local[{c}] {what}: {n} tasks, {w:.2f} s wall, tasks {busy:.2f} s "
                  f"({busy / max(w * c, 1e-9):.0%} of {c} slots)")  # fmt: skip
        serial = run[0] - sum(w for _, _, w, _ in run[5])
        print(f"local[{c}] outside the stages (the driver: listing, planning, commit): "
              f"{serial:.2f} s")  # fmt: skip
    for name, secs, cpu in runs.get("profile", []):
        print(f"profile local[1]: {name}: {secs:.2f} s wall, {cpu:.2f} CPU-s "
              f"({rows / max(cpu, 0.01):,.0f} rows/CPU-s)")  # fmt: skip
    print(f"embedded peak RSS: {e_peak:,.0f} MB ({e_peak * 1e6 / e_rows:,.0f} bytes a row)")


def _child_cmd(args: argparse.Namespace, run: str, warm: Path, max_rows: int) -> list[str]:
    cmd = [sys.executable, __file__, "--child", run, "--warm", str(warm), "--lake", str(args.lake)]
    cmd += ["--days", str(args.days), "--embedded-max-rows", str(max_rows)]
    if args.java_options is not None:
        cmd.append(f"--java-options={args.java_options}")
    if not args.pin:
        cmd.append("--no-pin")
    return cmd


def _child(args: argparse.Namespace, run: str, warm: Path) -> Any:
    """One measured run (``embedded`` or ``local<N>``) in a process of its own: each Spark run
    starts its own JVM (neither inherits the other's warm-up: JIT, class loading) and the
    embedded path's memory is given back before Spark runs; returns what the run returned."""
    cmd = _child_cmd(args, run, warm, args.embedded_max_rows)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def pair_check(args: argparse.Namespace, warm: Path) -> tuple[float, float, float, int]:
    """The machine's own 1 -> 2 core scaling on the embedded path's work (its first days, ~4 M
    rows): one run alone on CPU 0, then two at once, on CPU 0 and CPU 1: (alone s, slower of the
    pair s, efficiency, rows). Two independent processes share nothing but the hardware (memory
    bandwidth, caches, SMT siblings, the hypervisor): no engine scales better here than this."""
    day = min(args.embedded_max_rows, 4_000_000)  # the first days, one at least
    alone, rows = json.loads(
        subprocess.run(
            _child_cmd(args, "embedded@0", warm, day), stdout=subprocess.PIPE, check=True, text=True
        ).stdout.splitlines()[-1]
    )[:2]
    procs = [
        subprocess.Popen(
            _child_cmd(args, f"embedded@{cpu}", warm, day), stdout=subprocess.PIPE, text=True
        )
        for cpu in (0, 1)
    ]
    pair = max(json.loads(p.communicate()[0].splitlines()[-1])[0] for p in procs)
    return alone, pair, alone / pair, rows


def _run_child(args: argparse.Namespace) -> None:
    until = START + timedelta(days=args.days + 1)
    run, _, cpu = args.child.partition("@")
    cores = 1 if run == "embedded" else int(run[5:])
    if args.pin and cores <= (os.cpu_count() or 1):
        # a core is a core: the JVM, its Python workers and threads inherit the affinity
        os.sched_setaffinity(0, [int(cpu)] if cpu else range(cores))
    if run == "embedded":
        result: Any = embedded(args.lake, args.days, args.embedded_max_rows)
    else:
        result = on_spark(args.lake, cores, until, args.warm)
    print(json.dumps(result), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=3_000_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--lake", type=Path, default=None, help="write (or reuse) the lake here")
    ap.add_argument("--embedded-max-rows", type=int, default=30_000_000)
    ap.add_argument("--profile", action="store_true", help="also time the Spark job's parts")
    ap.add_argument(
        "--java-options",
        default=None,
        help=f"the JVM's options (default: {LOCAL_JAVA_OPTIONS}, the session's; '' for none)",
    )
    ap.add_argument(
        "--cores", default="1,2", help="the Spark local[N] runs, comma-separated (default 1,2)"
    )
    ap.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin each run to its cores (embedded and local[1]: CPU 0, local[2]: 0-1)",
    )
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)  # one run, in a child
    ap.add_argument("--warm", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.java_options is not None:
        JAVA["spark.driver.extraJavaOptions"] = args.java_options
    if args.child:
        _run_child(args)
        return
    work = Path(tempfile.mkdtemp(prefix="skywitness-spark-bench-"))
    keep_lake = args.lake is not None
    args.lake = lake = args.lake or work / "lake"
    try:
        if (lake / "states").is_dir():
            rows = lake_rows(lake)
        else:
            rows = write_lake(args.rows, args.days, lake)
        until = START + timedelta(days=args.days + 1)
        warm = work / "warm"
        write_lake(20_000, 1, warm)
        runs: dict[str, Any] = {"embedded": _child(args, "embedded", warm)}
        print(f"embedded done: {runs['embedded'][0]:.1f} s", flush=True)
        for cores in sorted({int(c) for c in args.cores.split(",")}):
            runs[f"local{cores}"] = _child(args, f"local{cores}", warm)
            print(f"local[{cores}] done: {runs[f'local{cores}'][0]:.1f} s", flush=True)
        if args.profile:
            runs["profile"] = profile(lake, until, warm)
        if args.pin and os.cpu_count() == 2:
            runs["pair"] = pair_check(args, warm)
        report(args, rows, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if keep_lake:
            shutil.rmtree(lake / "flights", ignore_errors=True)


if __name__ == "__main__":
    main()
