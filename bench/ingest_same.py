"""Same store out: ``skywitness ingest`` of a states Parquet by a git revision's ``src`` and by
this tree's, compared: the lake's files (same paths, same rows in the same order, every
column), the flights table (every column, every row), the ingest record's counts (read,
accepted, rejected by reason) and the flights table again after ``flights rebuild`` (built from
the lake's rows read back, not from those the ingest held). Inputs: the ingest bench's
(quickstart four times, a day apart) and a messy one (three other real collections, shuffled,
in row groups of 50k, with upper-case, ``000000``, ``~``-prefixed and short addresses, rows
without time, altitudes out of range).

Run: python bench/ingest_same.py --baseline REV    (prints the differences; exit 1 if any)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest_states import ROOT, baseline_src, make_input

DATA = ROOT.parent / "shared" / "data" / "traffic-trajectories"
MESSY = ["collections/switzerland.json.gz", "noisy/noisy_spoofing.json.gz",
         "onground/zurich_airport.json.gz", "noisy/noisy_time_issue.json.gz"]  # fmt: skip


def make_messy(path: Path) -> int:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from skywitness.store import load_traffic_json

    t = pa.concat_tables([load_traffic_json(DATA / f) for f in MESSY], promote_options="default")
    n, rng = t.num_rows, np.random.default_rng(3)
    icao = np.array(t.column("icao24").to_pylist(), dtype=object)
    i = rng.choice(n, 300, replace=False)
    icao[i[:100]] = [s.upper() for s in icao[i[:100]]]
    icao[i[100:150]] = "000000"
    icao[i[150:200]] = ["~" + s[1:] for s in icao[i[150:200]]]
    icao[i[200:250]] = "zz12"
    t = t.set_column(1, "icao24", pa.array(list(icao), pa.string()))
    ms = t.column("timestamp").cast(pa.int64()).to_numpy().copy()
    no_time = np.zeros(n, dtype=bool)
    no_time[i[250:]] = True
    ts = pa.array(ms, pa.int64(), mask=no_time).cast(pa.timestamp("ms", tz="UTC"))
    t = t.set_column(0, "timestamp", ts)
    alt = t.column("altitude").to_numpy(zero_copy_only=False).copy()
    alt[rng.choice(n, 20)] = 1e7
    t = t.set_column(t.column_names.index("altitude"), "altitude", pa.array(alt))
    pq.write_table(t.take(pa.array(rng.permutation(n))), path, row_group_size=50_000)
    return n


def store_of(src: Path, doc: Path, data: Path) -> dict[str, object]:
    """Ingest ``doc`` into ``data`` with ``src``; what the store holds, as comparable values."""
    import duckdb
    import pyarrow.parquet as pq

    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-m", "skywitness", "ingest", "-q", "--data-dir", str(data), str(doc)]
    subprocess.run(cmd, env=env, check=True)
    lake = data / "lake"
    files = {str(p.relative_to(lake)): pq.read_table(p) for p in sorted(lake.rglob("*.parquet"))}
    con = duckdb.connect(str(data / "catalog.duckdb"), read_only=True)
    flights = con.execute("SELECT * FROM flights ORDER BY ALL").fetchall()
    counts = con.execute(
        "SELECT rows_read, rows_accepted, rows_rejected, rejected FROM ingests"
    ).fetchall()
    con.close()
    # and the flights built again from the lake's rows (``flights rebuild``: the path an
    # ingest too large to hold its rows takes), not from the rows the ingest held
    rebuild = [sys.executable, "-m", "skywitness", "flights", "rebuild", "--data-dir", str(data)]
    subprocess.run(rebuild, env=env, check=True, capture_output=True)
    con = duckdb.connect(str(data / "catalog.duckdb"), read_only=True)
    rebuilt = con.execute("SELECT * FROM flights ORDER BY ALL").fetchall()
    con.close()
    return {"files": files, "flights": flights, "counts": counts, "rebuilt": rebuilt}


def compare(name: str, old: dict[str, object], new: dict[str, object]) -> list[str]:
    bad = []
    a, b = old["files"], new["files"]
    assert isinstance(a, dict) and isinstance(b, dict)
    if list(a) != list(b):
        bad.append(f"{name}: lake files differ: {list(a)} vs {list(b)}")
    bad += [f"{name}: {f} differs" for f in a if f in b and not a[f].equals(b[f])]
    for key in ("flights", "counts", "rebuilt"):
        if old[key] != new[key]:
            bad.append(f"{name}: {key} differ")
    flights = new["flights"]
    assert isinstance(flights, list)
    again = "the same" if new["rebuilt"] == flights else "NOT the same"
    print(f"{name}: {len(b)} lake files, {len(flights)} flights, counts {new['counts']}; "
          f"rebuilt from the lake: {again} flights")  # fmt: skip
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", required=True, help="git revision to compare with")
    args = ap.parse_args()
    bad: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        old_src = baseline_src(args.baseline, Path(tmp))
        docs = {"bench": Path(tmp) / "bench.parquet", "messy": Path(tmp) / "messy.parquet"}
        make_input(docs["bench"], 4)
        make_messy(docs["messy"])
        for name, doc in docs.items():
            old = store_of(old_src, doc, Path(tmp) / f"{name}-old")
            new = store_of(ROOT / "src", doc, Path(tmp) / f"{name}-new")
            bad += compare(name, old, new)
    print(json.dumps(bad, indent=1) if bad else f"same store as {args.baseline}: 0 different")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
