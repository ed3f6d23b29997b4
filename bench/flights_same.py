"""Same flights out: every column of ``build_flights`` and ``ground_stays`` of a git revision's
``src`` and of this tree's, compared value by value (``repr`` of each value: NaN equal, floats
bit-exact), over every shared trajectory file (with and without runways; shuffled, without
onground and source) and a large mixed input (3 copies of quickstart + switzerland with
shifted addresses: time order, lake order, one aircraft, and with upper-case addresses, rows
without time or address, padded, blank or missing callsigns and aircraft kinds).

Run: python bench/flights_same.py --baseline REV    (prints the differences; exit 1 if any)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data"


def _mixed(t: Any) -> tuple[Any, dict[str, int]]:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(1)
    n = t.num_rows
    icao = [
        x.upper() if u else x
        for x, u in zip(t["icao24"].to_pylist(), rng.random(n) < 0.1, strict=True)
    ]
    icao = [None if z else x for x, z in zip(icao, rng.random(n) < 0.001, strict=True)]
    t = t.set_column(t.schema.get_field_index("icao24"), "icao24", pa.array(icao, pa.string()))
    ms = t["timestamp"].combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)
    stamps = pa.array(ms, pa.int64(), mask=rng.random(n) < 0.001).cast(t.schema[0].type)
    t = t.set_column(0, "timestamp", stamps)
    words = [
        f" {c} " if c and r < 0.05 else (None if r > 0.99 else c)
        for c, r in zip(t["callsign"].to_pylist(), rng.random(n), strict=True)
    ]
    t = t.set_column(t.schema.get_field_index("callsign"), "callsign", pa.array(words, pa.string()))
    names = sorted({x.lower() for x in icao if x})
    kinds = {a: int(k) for a, k in zip(names, rng.integers(0, 8, len(names)), strict=True) if k}
    return t, kinds


def outputs() -> dict[str, Any]:
    """Every output compared, by name: {column: repr of its values} (or a repr)."""
    import numpy as np
    import pyarrow.compute as pc

    from skywitness.flights import build_flights, ground_stays, load_runways
    from skywitness.stats import IngestStats

    spec = importlib.util.spec_from_file_location("bench_flights", HERE / "flights.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from skywitness.store import load_traffic_json

    def cols(tab: Any) -> dict[str, str]:
        return {c: repr(tab[c].to_pylist()) for c in tab.column_names}

    rw = load_runways(DATA / "ourairports/runways.csv.gz")
    out: dict[str, Any] = {}
    for f in sorted((DATA / "traffic-trajectories").rglob("*.json.gz")):
        t = load_traffic_json(f)
        out[f.name] = cols(build_flights(t, runways=rw))
        out[f.name + " no runways"] = cols(build_flights(t))
        out[f.name + " ground stays"] = cols(ground_stays(t, runways=rw))
        sel = [c for c in t.column_names if c not in ("onground", "source")]
        shuffled = t.select(sel).take(np.random.default_rng(2).permutation(t.num_rows))
        out[f.name + " shuffled"] = cols(build_flights(shuffled, runways=rw))
    big = bench.large_input(3)
    out["large"] = cols(build_flights(big, runways=rw))
    keys = [("icao24", "ascending"), ("timestamp", "ascending")]
    lake = big.take(pc.sort_indices(big, keys))
    out["large lake order"] = cols(build_flights(lake, runways=rw))
    out["large lake order ground stays"] = cols(ground_stays(lake, runways=rw))
    one = lake.filter(pc.equal(lake["icao24"], lake["icao24"][0]))
    out["one aircraft"] = cols(build_flights(one, runways=rw))
    mixed, kinds = _mixed(big)
    stats = IngestStats()
    out["mixed"] = cols(build_flights(mixed, runways=rw, kinds=kinds, stats=stats))
    out["mixed rejects"] = repr(stats.rejected_total)
    out["mixed ground stays"] = cols(ground_stays(mixed, runways=rw))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--baseline", help="git revision to compare with")
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)  # one side, in a subprocess
    args = ap.parse_args()
    if args.dump:
        args.dump.write_bytes(pickle.dumps(outputs()))
        return
    from ingest_states import baseline_src  # bench/ helper: git archive of a revision's src

    with tempfile.TemporaryDirectory() as tmp:
        got = {}
        base_src = baseline_src(args.baseline, Path(tmp))
        for side, src in (("baseline", base_src), ("this tree", HERE.parent / "src")):
            dump = Path(tmp) / f"{side}.pkl"
            env = {**os.environ, "PYTHONPATH": str(src)}
            subprocess.run([sys.executable, __file__, "--dump", str(dump)], env=env, check=True)
            got[side] = pickle.loads(dump.read_bytes())
    base, new = got["baseline"], got["this tree"]
    diffs = 0
    for name, value in base.items():
        if value != new.get(name):
            diffs += 1
            cols = (
                [c for c in value if value[c] != new[name].get(c)]
                if isinstance(value, dict)
                else []
            )
            print(f"DIFFERENT {name} {cols}")
    print(f"{len(base)} outputs compared with {args.baseline}: {diffs} different")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
