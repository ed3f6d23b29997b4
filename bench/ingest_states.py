"""Benchmark: ingest of an already-tracked states Parquet, whole process, CPU seconds.

The same rows put into a store, each way a fresh process (interpreter start-up and imports
included), CPU = user + system of the child as ``wait4`` reports it when the child is waited
for: every thread of it (DuckDB's worker threads, Arrow's Parquet reader threads, our writer
threads), so parallelism neither helps nor hurts a side (DuckDB with ``SET threads=1`` takes
the same CPU within noise on the project's 2-core box); each run's peak RSS is printed beside
it (``ru_maxrss`` of that child):

- ``duckdb CREATE TABLE AS read_parquet`` (``DUCK``, the ``vs CTAS`` column's baseline, as
  earlier runs had it): ``CREATE TABLE s AS SELECT * FROM read_parquet(...)`` into a new
  DuckDB file: all 15 columns read and written to DuckDB's own storage (a ~29 MB file,
  checkpointed at close), no checks, no sort, nothing derived;
- ``duckdb CREATE TABLE; COPY FROM parquet`` (``DUCK_COPY_FROM``): the issue's "DuckDB COPY"
  taken literally into DuckDB's storage: ``CREATE TABLE s`` with the 15 columns typed, then
  ``COPY s FROM 'file' (FORMAT parquet)``, a new DuckDB file checkpointed at close;
- ``duckdb COPY TO parquet zstd (plain)`` (``DUCK_COPY_TO``): "DuckDB COPY" taken literally
  Parquet to Parquet: ``COPY (SELECT * FROM read_parquet('file')) TO 'out.parquet' (FORMAT
  parquet, COMPRESSION zstd)``, one file, no checks, no order (DuckDB's default zstd level);
- ``skywitness ingest (CLI)``: ``skywitness ingest --data-dir D file.parquet`` from this tree
  (the states gated, counted, stored, their flights built and stored): the bar's figure. It
  reads 12 of the 15 columns (``source`` is replaced by the file's name, ``position_error``
  is not kept for rows it did not solve), checks times, addresses and value ranges, gates
  positions, sorts into the lake's order, writes one zstd Parquet file per UTC day (~16 MB
  in all, fsynced) with its catalogue entries, and builds and stores the flights;
- ``skywitness ingest --no-flights (CLI)``: the same, a bulk load whose flights are left to a
  ``flights rebuild`` (the states gated, counted and stored alike), for where the rest goes;
- with ``--duckdb-parquet``: DuckDB alone writing what the lake holds, one SQL pass
  (``DUCK_PARQUET``: the range checks, the lake's order, a zstd Parquet file per UTC day; no
  speed gate, no rate, no held fields, no catalogue, no flights): what "gate and write inside
  DuckDB" could at best cost (its timestamps come out in microseconds, not the lake's ms);
- with ``--baseline REV``: the same command from ``git archive REV src`` (before/after in one
  run); with ``--base-src DIR``: from that ``src`` folder (a variant of this tree);
- with ``--stages``: ``--repeat`` more ingests of this tree, in process with timers around
  their stages (``bench/ingest_stages.py``): where the CPU and page faults go, as the run of
  least process CPU had them.

The bench does not choose which DuckDB row the bar means: it prints, after each row's best
CPU, every DuckDB row's CPU divided by every skywitness row's (1.00x or more: skywitness took
no more CPU than that DuckDB row).

Children run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` dropped, the cache under
the run's temporary folder through ``PYTHONPYCACHEPREFIX``), as an installed package has its
``.pyc`` files: otherwise every run recompiles the ~150 modules an ingest imports (~0.1 s CPU);
the best of ``--repeat`` runs is then a run with the cache warm, for each tree alike.

Input: the real quickstart collection (284,505 state vectors) repeated ``--copies`` times,
each copy a day later (same aircraft, same flights shifted by a day).

Run: python bench/ingest_states.py [--copies 4] [--repeat 2] [--baseline REV] [--base-src DIR]
[--no-bulk] [--stages] [--duckdb-parquet]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"

DUCK = """
import sys, duckdb
c = duckdb.connect(sys.argv[2] + ".duckdb")
c.execute("CREATE TABLE s AS SELECT * FROM read_parquet(?)", [sys.argv[1]])
print(f"{c.execute('SELECT count(*) FROM s').fetchone()[0]:,} rows")
c.close()
"""

#: The issue's words taken literally, into DuckDB's storage: a table of the 15 state-vector
#: columns declared with their types (``model.STATE_SCHEMA`` as DuckDB types), then ``COPY s
#: FROM 'file' (FORMAT parquet)``; a new DuckDB file, checkpointed at close, as ``DUCK``.
DUCK_COPY_FROM = """
import sys, duckdb
c = duckdb.connect(sys.argv[2] + ".duckdb")
c.execute('''CREATE TABLE s (timestamp TIMESTAMPTZ, icao24 VARCHAR, callsign VARCHAR,
  latitude DOUBLE, longitude DOUBLE, altitude DOUBLE, geoaltitude DOUBLE, groundspeed DOUBLE,
  track DOUBLE, vertical_rate DOUBLE, squawk VARCHAR, onground BOOLEAN, source VARCHAR,
  position_source VARCHAR, position_error DOUBLE)''')
c.execute(f"COPY s FROM '{sys.argv[1]}' (FORMAT parquet)")
print(f"{c.execute('SELECT count(*) FROM s').fetchone()[0]:,} rows")
c.close()
"""

#: The issue's words taken literally, Parquet to Parquet: ``COPY (SELECT * FROM
#: read_parquet('file')) TO 'out.parquet' (FORMAT parquet, COMPRESSION zstd)``, a plain copy
#: (no checks, no order, one file; unlike ``DUCK_PARQUET``, which does the lake's work).
DUCK_COPY_TO = """
import sys, duckdb
src, out = sys.argv[1], sys.argv[2] + ".parquet"
c = duckdb.connect()
c.execute(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{out}' "
          "(FORMAT parquet, COMPRESSION zstd)")
print(f"{c.execute('SELECT count(*) FROM read_parquet(?)', [out]).fetchone()[0]:,} rows")
"""


#: DuckDB writing what the lake holds (``--duckdb-parquet``): the rows checked as the range
#: checks do (time, address, latitude/longitude), in the lake's order (day, icao24, time), one
#: zstd Parquet file per UTC day; no speed gate, no rate, no held fields, no flights, no
#: catalogue: what a one-pass SQL ingest could at best cost (issue 18, approach "gate and
#: write inside DuckDB").
DUCK_PARQUET = """
import sys, duckdb
src, out = sys.argv[1], sys.argv[2]
c = duckdb.connect()
c.execute(f'''COPY (SELECT * EXCLUDE (source), 'states.parquet' AS source,
  strftime(timestamp, '%Y-%m-%d') AS date FROM read_parquet('{src}')
  WHERE timestamp IS NOT NULL AND regexp_full_match(icao24, '[0-9a-f]{{6}}')
  AND icao24 <> '000000' AND (latitude IS NULL OR latitude BETWEEN -90 AND 90)
  AND (longitude IS NULL OR longitude BETWEEN -180 AND 180)
  ORDER BY date, icao24, timestamp)
  TO '{out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))''')
n = c.execute(f"SELECT count(*) FROM read_parquet('{out}/*/*.parquet')").fetchone()
print(f"{n[0]:,} rows")
"""


#: The row the ``vs CTAS`` column divides by (the bench's baseline since issue 18).
BASELINE = "duckdb CREATE TABLE AS read_parquet"


def make_input(path: Path | str, copies: int) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from skywitness.store import load_traffic_json

    q = load_traffic_json(DATA / "traffic-trajectories/collections/quickstart.json.gz")
    parts = []
    for k in range(copies):
        ts = pc.cast(pc.add(pc.cast(q.column("timestamp"), pa.int64()), k * 86_400_000), pa.int64())
        parts.append(q.set_column(0, "timestamp", ts.cast(q.schema.field("timestamp").type)))
    table = pa.concat_tables(parts)
    pq.write_table(table, path, compression="zstd")
    return int(table.num_rows)


def input_in_child(path: Path, copies: int) -> int:
    """``make_input`` run in a child process: this process stays small, so a run's peak RSS
    is its own (Linux keeps a process's RSS from before its ``exec`` in ``ru_maxrss``: a child
    forked from a process holding the input's ~0.5 GB reported that much whatever it used)."""
    code = (
        "import sys; from ingest_states import make_input; "
        "print(make_input(sys.argv[1], int(sys.argv[2])))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")])}
    out = subprocess.run([sys.executable, "-c", code, str(path), str(copies)], env=env,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return int(out.split()[-1])


def cpu_of(cmd: list[str], pythonpath: str) -> tuple[float, str, int]:
    """(CPU s, the child's last line, its peak RSS in MB) of one run of ``cmd``: user +
    system of the child and all its threads, as ``wait4`` reports them for that child alone."""
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else dict(os.environ)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if p.returncode:
        raise subprocess.CalledProcessError(p.returncode, cmd, stdout, stderr)
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss >> 10
    if stdout.strip():  # duckdb: its row count after the progress bar's redraws
        return cpu, stdout.replace("\r", "\n").split("\n")[-2].strip(), rss
    return cpu, " ".join(stderr.split("store:")[0].split()), rss


def baseline_src(rev: str, into: Path) -> Path:
    """``src`` of ``rev`` (``git archive``) under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def _load() -> str:
    """The machine's 1-, 5- and 15-minute load averages (what else was running)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--baseline", help="git revision to run the same ingest from")
    ap.add_argument("--base-src", help="a src folder to run the same ingest from (a variant)")
    ap.add_argument("--no-bulk", action="store_true", help="leave out the --no-flights run")
    ap.add_argument("--stages", action="store_true", help="then one ingest with stage timers")
    ap.add_argument(
        "--duckdb-parquet", action="store_true", help="and DuckDB writing the lake's day files"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as an installed package: .pyc files
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        src = Path(tmp) / "states.parquet"
        n = input_in_child(src, args.copies)
        print(f"input: {n:,} state vectors, {src.stat().st_size:,} bytes of zstd Parquet")
        print(f"load average at start: {_load()}")
        ingest = [sys.executable, "-m", "skywitness", "ingest", "--data-dir", "D", str(src)]
        duck = [sys.executable, "-c"]
        runs: dict[str, tuple[list[str], str]] = {
            BASELINE: ([*duck, DUCK, str(src)], ""),
            "skywitness ingest (CLI)": (ingest, str(ROOT / "src")),
            "duckdb CREATE TABLE; COPY FROM parquet": ([*duck, DUCK_COPY_FROM, str(src)], ""),
            "duckdb COPY TO parquet zstd (plain)": ([*duck, DUCK_COPY_TO, str(src)], ""),
        }
        if args.duckdb_parquet:
            duck_pq = [sys.executable, "-c", DUCK_PARQUET, str(src)]
            runs["duckdb COPY TO Parquet day files"] = (duck_pq, "")
        if not args.no_bulk:
            bulk = [*ingest[:4], "--no-flights", *ingest[4:]]
            runs["skywitness ingest --no-flights (CLI)"] = (bulk, str(ROOT / "src"))
        if args.baseline:
            old = baseline_src(args.baseline, Path(tmp))
            runs[f"skywitness ingest (CLI) at {args.baseline}"] = (ingest, str(old))
        if args.base_src:
            runs["skywitness ingest (CLI) of --base-src"] = (ingest, args.base_src)
        best: dict[str, float] = {}
        for i in range(args.repeat):
            for k, (name, (cmd, path)) in enumerate(runs.items()):
                ddir = str(Path(tmp) / f"d{i}-{k}")
                cmd = [ddir if c == "D" else c for c in cmd]
                cmd = cmd if name.startswith("skywitness") else [*cmd, ddir]
                cpu, last, rss = cpu_of(cmd, path)
                best[name] = min(best.get(name, float("inf")), cpu)
                line = f"  run {i + 1}: {name:38} {cpu:6.2f} s CPU {rss:6,} MB peak RSS"
                print(f"{line}  ({last[:70]})")
        print(f"load average at end: {_load()}")
        print(summary(best, n, args.repeat), end="")
        if args.stages:
            print(f"\nstages of `skywitness ingest (CLI)`, this tree (least CPU of {args.repeat}):")
            print(stages_of(ingest, Path(tmp), args.repeat), end="")


def summary(best: dict[str, float], n: int, repeat: int) -> str:
    """Each row's best CPU, against ``BASELINE``; then each DuckDB row's CPU over each
    skywitness row's: the bar's ratio (>= 1.00x: skywitness took no more CPU than that row)."""
    base = best[BASELINE]
    head = f"(best of {repeat})"
    lines = [f"\n{head:44} {'CPU s':>7} {'rows/CPU-s':>11} {'vs CTAS':>9}"]
    lines += [f"{k:44} {v:7.2f} {n / v:11,.0f} {base / v:8.2f}x" for k, v in best.items()]
    ours = {
        k.replace("skywitness ", "").replace(" (CLI)", ""): v
        for k, v in best.items()
        if k.startswith("skywitness")
    }
    lines.append("\nratio = DuckDB row's CPU / skywitness row's CPU (1.00x or more: bar met)")
    lines.append(f"{'':44}" + "".join(f" {k[:20]:>20}" for k in ours))
    for name, cpu in best.items():
        if name.startswith("duckdb"):
            lines.append(f"{name:44}" + "".join(f" {cpu / v:19.2f}x" for v in ours.values()))
    return "\n".join(lines) + "\n"


def stages_of(ingest: list[str], tmp: Path, repeat: int) -> str:
    """``bench/ingest_stages.py``'s account of the ingest, the run of least process CPU."""
    reports = []
    for i in range(repeat):
        cmd = [sys.executable, str(ROOT / "bench" / "ingest_stages.py"), *ingest[3:]]
        cmd[cmd.index("D")] = str(tmp / f"stages{i}")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
        reports.append(r.stdout)
    return min(reports, key=lambda out: float(out.split()[2]))  # "process cpu X s ..."


if __name__ == "__main__":
    main()
