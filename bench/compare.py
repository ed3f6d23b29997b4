"""A/B comparison of the bench figures of two source trees (issue 10, acceptance 7: no figure
of bench/RESULTS.md may get worse by more than 10 %).

The bench scripts are this checkout's (``bench/*.py``, so both sides are measured the same
way, and find ``../shared/data`` from here); only the ``skywitness`` they run changes: each
run imports the package from one tree's ``src`` first (a script that puts this checkout's
``src`` on ``sys.path`` then finds it already loaded) and passes that ``src`` on in
``PYTHONPATH`` to the processes a bench starts. The runs are interleaved, base and new in turn
and in alternating order (A B, B A, A B ...) for ``--rounds`` rounds, so that load from other
work on the machine falls on both sides; a figure is the best of its side's rounds (the least
disturbed run). Each bench runs in a quick mode (``BENCHES``): a round (every bench, both
sides) is roughly 1.5 CPU-minutes (user time of single runs); on the shared 2-core box under
other helpers' load it took 8-10 minutes of wall time. Under such load a best of 2 still
moves by +-15 % (the DuckDB control figure of ``ingest_states``, which runs no skywitness
code, did): rerun a flagged bench alone with more rounds (``--only NAME --rounds 4``) before
believing it.

Printed per figure: base, new, new/base and, where the new figure is more than ``--limit``
(10 %) worse, ``WORSE``; the exit status is 1 when any is.

Run: python bench/compare.py --base 72fb101 [--rounds 2] [--only regress,startup]
     python bench/compare.py --base-tree /path/to/other/checkout
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: One figure: its value and whether higher is better.
Figures = dict[str, tuple[float, bool]]
#: Runs a bench script with one tree's package first on the path (argv: src, script, args...).
BOOT = (
    "import runpy, sys; src = sys.argv[1]; sys.path.insert(0, src); import skywitness; "
    "assert skywitness.__file__.startswith(src), skywitness.__file__; "
    "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def _regress(out: str) -> Figures:
    """regress.py: each workload's cost (CPU relative to a reference loop timed beside it)."""
    rows = re.findall(r"^(\w+)\s+([\d.]+)\s+[\d.]+\s+[\d,]+\s+[\d,]+$", out, re.M)
    return {f"regress {name} cost": (_num(cost), False) for name, cost in rows}


def _startup(out: str) -> Figures:
    """startup.py: each command's best CPU seconds (whole process)."""
    body = out.split("heavy modules loaded", 1)[-1]
    rows = re.findall(r"^(.{38}) +([\d.]+) +([\d.]+)  ", body, re.M)
    return {f"startup {name.strip()} CPU s": (_num(cpu), False) for name, cpu, _ in rows}


def _rules(out: str) -> Figures:
    """rules.py: events per second once warm (the cold figure is mostly identity lookups)."""
    m = re.search(r"^warm[^:]*: [\d.]+ s = ([\d,]+) events/s", out, re.M)
    return {"rules warm events/s": (_num(m[1]), True)} if m else {}


def _mlat(out: str) -> Figures:
    """mlat.py: solver fixes per second, clock sync and feed throughput."""
    figs: Figures = {}
    for name, v in re.findall(r"^solver (.+?): [\d,]+ fixes in .*?= ([\d,]+) fixes/s", out, re.M):
        figs[f"mlat solver {name} fixes/s"] = (_num(v), True)
    for line in out.splitlines():
        if line.startswith(("clock sync:", "feed ")):
            m = re.search(r"([\d,.]+) (frames|transmissions)/s(?! for)", line.split(":", 1)[1])
            if m:
                figs[f"mlat {line.split(':')[0].split(' (')[0]} {m[2]}/s"] = (_num(m[1]), True)
    return figs


def _store(out: str) -> Figures:
    """store.py: ingest rows per CPU-second, and the median latency of one aircraft's year."""
    figs: Figures = {}
    m = re.search(r"^skywitness ingest_tables\s+[\d,]+\s+([\d,]+)$", out, re.M)
    if m:
        figs["store ingest_tables rows/CPU-s"] = (_num(m[1]), True)
    for name, ms in re.findall(r"^all [\w ]+ \((\w+)\)\s+([\d.]+)\s+[\d.]+", out, re.M):
        figs[f"store {name} median ms"] = (_num(ms), False)
    return figs


def _ingest_states(out: str) -> Figures:
    """ingest_states.py: CPU seconds of each way into a store (duckdb, ingest)."""
    body = out.split("rows/CPU-s", 1)[-1]
    rows = re.findall(r"^(.{40}) +([\d.]+) +[\d,]+ +[\d.]+x$", body, re.M)
    return {f"ingest_states {name.strip()} CPU s": (_num(cpu), False) for name, cpu in rows}


@dataclass(frozen=True)
class Bench:
    name: str
    argv: tuple[str, ...]  # bench/<script> and its quick-mode options
    figures: Callable[[str], Figures]


BENCHES: tuple[Bench, ...] = (
    Bench("regress", ("regress.py", "--repeat", "3"), _regress),
    Bench("startup", ("startup.py", "--repeat", "3"), _startup),
    Bench("rules", ("rules.py", "--repeat", "3", "--events", "20000", "--aircraft", "200"), _rules),
    Bench("mlat", ("mlat.py",), _mlat),
    Bench(
        "store",
        ("store.py", "--ingest-rows", "500000", "--year-rows", "200000", "--queries", "20"),
        _store,
    ),
    Bench(
        "ingest_states",
        ("ingest_states.py", "--copies", "1", "--repeat", "1", "--no-bulk"),  # base trees lack it
        _ingest_states,
    ),
)


def run(bench: Bench, src: Path) -> tuple[Figures, float]:
    """One run of ``bench`` with the package of ``src``: its figures and wall seconds."""
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
    script = str(ROOT / "bench" / bench.argv[0])
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BOOT, str(src), script, *bench.argv[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    figs = bench.figures(done.stdout)
    if done.returncode != 0 or not figs:
        tail = (done.stdout + done.stderr)[-2000:]
        raise SystemExit(f"{bench.name} on {src} failed (exit {done.returncode}):\n{tail}")
    return figs, wall


def best(runs: list[Figures]) -> Figures:
    """Per figure, the best value of the runs (the least disturbed by other load)."""
    out: Figures = {}
    for figs in runs:
        for name, (v, higher) in figs.items():
            old = out.get(name)
            if old is None or (v > old[0] if higher else v < old[0]):
                out[name] = (v, higher)
    return out


def worse_by(base: float, new: float, higher: bool) -> float:
    """How much worse ``new`` is than ``base``, as a fraction (negative: better)."""
    if base == 0:
        return 0.0
    return (base - new) / base if higher else (new - base) / base


def report(results: dict[str, tuple[Figures, Figures]], limit: float) -> int:
    print(f"{'figure':58} {'base':>12} {'new':>12} {'new/base':>9}")
    flagged = 0
    for bench, (base, new) in results.items():
        for name in sorted(base.keys() | new.keys()):
            if name not in base or name not in new:
                print(f"{name:58} {'only one side printed it':>35}  ({bench})")
                continue
            (b, higher), (n, _) = base[name], new[name]
            bad = worse_by(b, n, higher) > limit
            flagged += bad
            arrow = "higher is better" if higher else "lower is better"
            print(f"{name:58} {b:12,.4g} {n:12,.4g} {n / b if b else 0:9.3f}  {arrow}"
                  + ("  WORSE" if bad else ""))  # fmt: skip
    print(f"{flagged} figure(s) more than {limit:.0%} worse")
    return 1 if flagged else 0


def _base_tree(args: argparse.Namespace, tmp: Path) -> Path:
    if args.base_tree:
        return Path(args.base_tree).resolve()
    tree = tmp / "base"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(tree), args.base],
        cwd=ROOT,
        check=True,
    )
    return tree


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="a git revision of this repository (a worktree is made)")
    which.add_argument("--base-tree", help="a checkout of the base (its src/ is used)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated bench names: " + ", ".join(
        b.name for b in BENCHES))  # fmt: skip
    ap.add_argument("--limit", type=float, default=0.10, help="worse by more than this: flagged")
    args = ap.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.name in args.only.split(",")]
    with tempfile.TemporaryDirectory(prefix="skywitness-compare-") as tmp:
        base_tree = _base_tree(args, Path(tmp))
        try:
            trees = {"base": base_tree / "src", "new": ROOT / "src"}
            runs: dict[str, dict[str, list[Figures]]] = {b.name: {"base": [], "new": []}
                                                         for b in chosen}  # fmt: skip
            for r in range(args.rounds):
                order = ("base", "new") if r % 2 == 0 else ("new", "base")
                for bench in chosen:
                    for side in order:
                        figs, wall = run(bench, trees[side])
                        runs[bench.name][side].append(figs)
                        print(f"round {r + 1} {bench.name:14} {side:4} {wall:6.1f} s wall",
                              file=sys.stderr, flush=True)  # fmt: skip
        finally:
            if not args.base_tree:
                subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)],
                               cwd=ROOT, check=False)  # fmt: skip
    results = {name: (best(sides["base"]), best(sides["new"])) for name, sides in runs.items()}
    print(f"base {args.base or args.base_tree}, new {ROOT} (best of {args.rounds} interleaved "
          f"rounds each)")  # fmt: skip
    return report(results, args.limit)


if __name__ == "__main__":
    raise SystemExit(main())
