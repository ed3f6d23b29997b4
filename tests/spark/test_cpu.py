"""The CPU count of a Spark job's process tree (``spark.cpu``): the CPU of Python workers that
exit is kept (``reaping_daemon``), where the stock PySpark daemon let the kernel discard it —
why bench/spark.py printed 131.8 CPU-s for a 200 M-row job that ``ps`` showed at 430+."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from skywitness.spark.cpu import tree_cpu

HERE = Path(__file__).resolve().parent

#: Two children burning 0.2 CPU-s each under a SIGCHLD that is SIG_IGN (the stock daemon's
#: setting), through ``reaping_daemon.accounted`` when argv[1] is "accounted"; prints the
#: children's CPU seconds the kernel kept for this process.
FORKS = """
import os, signal, sys, time
from skywitness.spark.reaping_daemon import accounted
if sys.argv[1] == "accounted":
    signal.signal = accounted(signal.signal, os.getpid())
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
pids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        while time.process_time() < 0.2:
            pass
        os._exit(0)
    pids.append(pid)
for pid in pids:
    while os.path.exists(f"/proc/{pid}"):
        time.sleep(0.01)
t = os.times()
print(t.children_user + t.children_system)
"""


def _children_cpu(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", FORKS, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def test_exited_children_cpu_kept_only_when_reaped() -> None:
    assert _children_cpu("stock") == 0.0  # SIG_IGN: the kernel reaps, the CPU is gone
    assert _children_cpu("accounted") >= 0.39  # 2 x 0.2 s, to the clock tick


def _stat(pid: int, ppid: int, name: str, times: tuple[int, int, int, int]) -> str:
    fields = ["S", str(ppid)] + ["0"] * 9 + [str(t) for t in times] + ["0"] * 30
    return f"{pid} ({name}) " + " ".join(fields) + "\n"


def test_tree_cpu_sums_the_tree_and_only_it(tmp_path: Path) -> None:
    tick = 100  # SC_CLK_TCK on Linux
    procs = {
        10: (1, "bench", (100, 50, 0, 0)),
        11: (10, "java", (300, 100, 20, 10)),  # cutime, cstime: the daemon it waited for
        12: (11, "python -m x) (y", (40, 10, 250, 0)),  # a name with ") (": parsed from the end
        13: (12, "worker", (70, 0, 0, 0)),
        20: (1, "other", (999, 999, 999, 999)),
    }
    for pid, (ppid, name, times) in procs.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(_stat(pid, ppid, name, times))
    (tmp_path / "self").mkdir()
    expected = (150 + 430 + 300 + 70) / tick
    assert abs(tree_cpu(10, tmp_path) - expected) < 1e-9
    assert abs(tree_cpu(12, tmp_path) - (300 + 70) / tick) < 1e-9


def test_spark_workers_that_exit_are_counted() -> None:
    """Spark local[1], worker reuse off (each task's worker exits): the daemon subtree's count
    equals an independent one (a 10 ms /proc sampler of each worker) with ``ACCOUNTED_CONF``,
    and is ~0 with the stock daemon, as the bench's count was."""
    out = subprocess.run(
        [sys.executable, str(HERE / "cpu_probe.py")], capture_output=True, text=True, check=True
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    stock, accounted, tasks = got["stock"], got["accounted"], got["tasks"]
    floor = tasks * (got["burn_s"] - 0.01)  # each worker's burn, to the clock tick
    for run in (stock, accounted):
        assert run["workers"] == tasks
        assert run["workers_sampled"] >= run["workers_reported"] >= floor
    assert stock["daemon_tree"] < 0.1 * stock["workers_sampled"]
    sampled = accounted["workers_sampled"]
    assert sampled - 0.05 <= accounted["daemon_tree"] <= sampled + tasks * 0.1
