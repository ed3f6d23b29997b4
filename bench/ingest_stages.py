"""Where one ``skywitness ingest`` of a states Parquet spends its CPU: the command run in this
process with timers around its stages, for ``ingest_states.py --stages``.

Each stage listed in ``STAGES`` (a module-level function or a method, found by name) is wrapped
so that every call adds the CPU time of the thread that made it (``time.thread_time``) and that
thread's minor page faults (``getrusage(RUSAGE_THREAD)``); nested stages are counted in their
callers too (``gate_states`` holds ``_sort`` ... ``_rows``, ``build_all`` the grouping). The
process totals (user, system, minor faults, peak RSS) come from ``getrusage(RUSAGE_SELF)`` at
the end, with the CPU of the threads no stage runs on (Arrow's Parquet reader threads, DuckDB's
and the catalogue writer's) as what the main and writer threads do not account for. The modules
the stages live in are imported before the command starts (their import cost is in the first
line, not in a stage), so the command's own imports look cheaper here than in a plain run.

Run: python bench/ingest_stages.py ingest --data-dir D FILE.parquet
"""

from __future__ import annotations

import importlib
import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

#: (module, name): the functions timed; ``Class.method`` for methods.
STAGES = [
    ("skywitness.runtime.history", "open_history"),
    ("skywitness.sources.states", "states_table"),
    ("skywitness.sources.states", "drop_implausible_states"),
    ("skywitness.track.states_gate", "_sort"),
    ("skywitness.track.states_gate", "read_columns"),
    ("skywitness.track.states_gate", "_positions"),
    ("skywitness.track.states_gate", "_emitted"),
    ("skywitness.track.states_gate", "_lake_order"),
    ("skywitness.track.states_gate", "_rows"),
    ("skywitness.track.states_gate", "gate_states"),
    ("skywitness.store.lake", "split_by_day"),
    ("skywitness.store.lake", "write_atomic"),
    ("skywitness.store.writer", "Writer._run"),
    ("skywitness.runtime.history", "_held_states"),
    ("skywitness.flights.builder", "airport_inference"),
    ("skywitness.flights.rowarrays", "aircraft_group_of"),
    ("skywitness.flights.rowarrays", "group_tables"),
    ("skywitness.flights.stage", "build_all"),
    ("skywitness.store.store", "Store.close"),
    ("skywitness.store.ingest", "Provenance.of_file"),
    ("skywitness.store.store", "Store.write_batch"),
    ("skywitness.store.store", "Store.replace_flights"),
    ("skywitness.store.store", "Store.finish_ingest"),
    ("skywitness.store.schema", "canonicalize"),
    ("skywitness.runtime.history", "rebuild_flights"),
]
#: The stages the main thread runs one after the other (none inside another).
MAIN_THREAD = ("open_history", "states_table", "drop_implausible_states", "gate_states",
               "held_states", "airport_inference", "build_all", "Store.close")  # fmt: skip
_spent: dict[str, list[float]] = {}  # stage -> [cpu s, faults, calls]
_lock = threading.Lock()


def _faults() -> int:
    return int(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt)


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        cpu, faults = time.thread_time(), _faults()
        try:
            return fn(*args, **kwargs)
        finally:
            with _lock:
                s = _spent.setdefault(name, [0.0, 0, 0])
                s[0] += time.thread_time() - cpu
                s[1] += _faults() - faults
                s[2] += 1

    return run


def _wrap(module: str, name: str) -> None:
    """Time ``module.name`` wherever the loaded modules hold it (``from x import f`` too)."""
    mod = importlib.import_module(module)
    if "." in name:
        cls_name, meth = name.split(".")
        cls = getattr(mod, cls_name)
        setattr(cls, meth, _timed(name, getattr(cls, meth)))
        return
    fn = getattr(mod, name)
    timed = _timed(name.lstrip("_"), fn)
    for key, other in list(sys.modules.items()):
        space = getattr(other, "__dict__", None)
        if key == "__main__" or not isinstance(space, dict):
            continue
        for attr, value in list(space.items()):
            if value is fn:
                space[attr] = timed


def main() -> None:
    import os

    from skywitness.config import NUMPY_HUGEPAGE_ENV, OPENBLAS_THREADS_ENV

    # the program's process settings (``cli.main`` sets them before numpy loads; here the
    # stages' modules load numpy first): without them numpy's large arrays used huge pages,
    # (a 2.28M-row ingest's gate: 1.11 s CPU with them, 0.78 s without, one run each)
    os.environ.setdefault(NUMPY_HUGEPAGE_ENV, "0")
    os.environ.setdefault(OPENBLAS_THREADS_ENV, "1")
    from skywitness.cli import main as cli

    for module, name in STAGES:
        _wrap(module, name)
    start = resource.getrusage(resource.RUSAGE_SELF)
    main_cpu = time.thread_time()
    try:
        cli.main()  # as the program: ``keep_pandas_out`` and all
    finally:
        main_cpu = time.thread_time() - main_cpu
        end = resource.getrusage(resource.RUSAGE_SELF)
        report(start, end, main_cpu)


def report(start: Any, end: Any, main_cpu: float) -> None:
    out = sys.stdout
    cpu = end.ru_utime + end.ru_stime
    print(
        f"process cpu {cpu:.2f} s (user {end.ru_utime:.2f} sys {end.ru_stime:.2f}), "
        f"{end.ru_minflt:,} minor faults, peak rss {end.ru_maxrss >> 10} MB",
        file=out,
    )
    print(
        f"  start-up + stage modules' imports {start.ru_utime + start.ru_stime:6.3f} s "
        f"{start.ru_minflt:8,} faults",
        file=out,
    )
    writer = _spent.get("Writer._run", [0.0, 0, 0])[0]
    rest = cpu - (start.ru_utime + start.ru_stime) - main_cpu - writer
    staged = sum(_spent.get(k, [0.0])[0] for k in MAIN_THREAD)
    print(f"  main thread (the command)         {main_cpu:6.3f} s", file=out)
    print(f"    outside the stages below        {main_cpu - staged:6.3f} s", file=out)
    print(f"  other threads (Arrow, DuckDB...)  {rest:6.3f} s", file=out)
    for name, (s, f, n) in _spent.items():
        print(f"    {name:31} {s:6.3f} s {int(f):8,} faults  x{int(n)}", file=out)


if __name__ == "__main__":
    main()
