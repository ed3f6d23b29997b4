"""Performance regression gate: the readers' rows per CPU-second, ``build_flights`` on
quickstart and the live flights stage on the Beast capture's state vectors must not cost more
than 25 % above the figures stored in ``bench/regress.json``.

Costs are CPU time relative to a fixed pure-numpy loop timed in the same run (the live stage's:
to one batch build of its rows; so the machine's speed cancels), best of a few repeats (so a
loaded CI box's hiccups do not count). A workload over the bar is measured once more, with more
repeats, before the test fails: a real regression is slow every time, load is not. Regenerate
the figures with ``python bench/regress.py --write`` after a change that is meant to be slower
(and say why in the commit).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_regress", ROOT / "bench" / "regress.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_no_workload_regressed(shared_data: Path) -> None:
    bench = _bench()
    stored = json.loads(bench.FIGURES.read_text())
    got = bench.measure(repeat=3)
    assert set(got) == set(stored)
    slow = {n for n, g in got.items() if g["cost"] > stored[n]["cost"] * bench.TOLERANCE}
    if slow:  # once more, harder, before calling it a regression
        again = bench.measure(repeat=7, only=slow)
        slow = {n for n in slow if again[n]["cost"] > stored[n]["cost"] * bench.TOLERANCE}
        got.update(again)
    report = {n: (got[n]["cost"], stored[n]["cost"]) for n in sorted(slow)}
    assert not slow, f"slower than bench/regress.json allows (cost now, stored): {report}"
