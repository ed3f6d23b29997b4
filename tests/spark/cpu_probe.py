"""Run by tests/spark/test_cpu.py in a process of its own, so that its Spark contexts (the worker
daemon module and worker reuse are fixed when a SparkContext starts) leave the tests' one alone.

For the stock PySpark daemon, then ``spark.cpu.ACCOUNTED_CONF``'s: ``TASKS`` tasks on local[1]
with worker reuse off, so each task's Python worker exits after it; each task burns CPU until its
worker has used ``BURN_S`` and reports that worker's CPU seconds (``os.times``, the worker's own
count); a thread samples ``/proc`` every ``SAMPLE_S`` and keeps the last CPU seconds it saw of
each worker (the daemon's children). Prints one JSON object: for each daemon, the workers'
reported and sampled CPU seconds, and what ``spark.cpu.tree_cpu`` counted over the job for the
daemon's subtree and for the whole tree."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from skywitness.spark.cpu import ACCOUNTED_CONF, proc_times, tree_cpu
from skywitness.spark.session import spark_session

#: CPU seconds each task's worker runs to (its start-up, ~0.3 s here, included): a known
#: floor for every worker, no more (each CPU-second is paid twice, stock and accounted).
BURN_S = 0.3
#: Tasks, each in a worker of its own that exits after it: two show that every exit counts.
TASKS = 2
SAMPLE_S = 0.01


def burn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for _ in batches:
        pass
    while time.process_time() < BURN_S:
        pass
    t = os.times()
    yield pa.record_batch([pa.array([t.user + t.system])], names=["cpu"])


def daemon_pid(module: str) -> int:
    """The live worker daemon under this process started as ``python -m module``."""
    stats, mine = proc_times(), {os.getpid()}
    for _ in range(4):  # this process -> JVM -> daemon
        mine |= {p for p, (ppid, _) in stats.items() if ppid in mine}
    for p in sorted(mine):
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if module.encode() in cmd and Path(f"/proc/{p}").exists():
            return p
    raise SystemExit(f"no {module} under this process")


class Sampler:
    """The last CPU seconds seen of each child of ``parent`` (by pid and start time)."""

    def __init__(self, parent: int) -> None:
        self.parent, self.seen, self.done = parent, dict[tuple[str, str], float](), False
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{self.parent}/task/{self.parent}/children")
        while not self.done:
            for d in children.read_text().split():
                try:
                    f = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                self.seen[d, f[19]] = (int(f[11]) + int(f[12])) / tick
            time.sleep(SAMPLE_S)

    def stop(self) -> dict[tuple[str, str], float]:
        self.done = True
        self.thread.join()
        return self.seen


def idle(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for _ in batches:
        pass
    yield pa.record_batch([pa.array([0.0])], names=["cpu"])


def no_workers(daemon: int, timeout_s: float = 30.0) -> None:
    """Wait until the daemon has no child left: every worker exited and reaped (a zombie is
    still listed), so its CPU is where it will stay."""
    children = Path(f"/proc/{daemon}/task/{daemon}/children")
    end = time.monotonic() + timeout_s
    while children.read_text().split():
        if time.monotonic() > end:
            raise SystemExit(f"workers of daemon {daemon} still there after {timeout_s} s")
        time.sleep(SAMPLE_S)


def probe(conf: dict[str, str], module: str) -> dict[str, Any]:
    spark = spark_session("local[1]", "cpu-probe", conf)
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(1, numPartitions=1).mapInArrow(idle, "cpu double").collect()  # the daemon up
    daemon = daemon_pid(module)
    no_workers(daemon)  # the first job's worker gone
    sampler = Sampler(daemon)
    t0, d0 = tree_cpu(), tree_cpu(daemon)
    df = spark.range(TASKS, numPartitions=TASKS).mapInArrow(burn, "cpu double")
    reported = [r.cpu for r in df.collect()]
    no_workers(daemon)  # the last worker gone
    time.sleep(2 * SAMPLE_S)  # and the sampler past it
    t1, d1 = tree_cpu(), tree_cpu(daemon)
    seen = sampler.stop()
    spark.stop()
    return {
        "workers_reported": sum(reported),
        "workers_sampled": sum(seen.values()),
        "workers": len(seen),
        "daemon_tree": d1 - d0,
        "tree": t1 - t0,
    }


def main() -> None:
    base = {"spark.python.worker.reuse": "false", "spark.ui.showConsoleProgress": "false"}
    out = {
        "stock": probe(base, "pyspark.daemon"),
        "accounted": probe(base | ACCOUNTED_CONF, ACCOUNTED_CONF["spark.python.daemon.module"]),
    }
    print(json.dumps(out | {"tasks": TASKS, "burn_s": BURN_S}))


if __name__ == "__main__":
    main()
