"""The CPU seconds a Spark job costs on this machine, local mode: this process, the JVM it
started, PySpark's worker daemon and its workers — live ones and every one that has exited.

A process's CPU time stays countable after it exits only if its parent waits for it: the kernel
then adds it to the parent's children's times (``/proc/PID/stat`` fields ``cutime``, ``cstime``).
The JVM waits for the daemon; the stock PySpark daemon ignores ``SIGCHLD``, so the CPU of a worker
that exits (idle for 60 s while the JVM runs a stage of its own, ``worker.reuse`` off, a failed
task) was lost; a session started with ``ACCOUNTED_CONF`` runs ``reaping_daemon`` instead, which
waits for its workers. ``tree_cpu`` (Linux ``/proc``) then counts it all.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..runtime.proc_stat import PPID, PROC, cpu_of, stat_fields

#: Session settings under which ``tree_cpu`` counts every worker: PySpark's daemon, reaping.
ACCOUNTED_CONF = {"spark.python.daemon.module": "skywitness.spark.reaping_daemon"}


def proc_times(root: Path = PROC) -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds: user + system of the process and of its waited-for
    children) of every process ``root`` lists (one vanishing meanwhile: left out)."""
    stats: dict[int, tuple[int, float]] = {}
    for d in root.iterdir():
        if not d.name.isdigit():
            continue
        f = stat_fields(d.name, root)
        if f is not None:
            stats[int(d.name)] = (int(f[PPID]), cpu_of(f, waited=True))
    return stats


def tree_cpu(pid: int | None = None, root: Path = PROC) -> float:
    """CPU seconds (user + system) of process ``pid`` (default: this one) and every live
    descendant, each with what it has collected from the children it waited for."""
    stats = proc_times(root)
    mine, grew = {os.getpid() if pid is None else pid}, True
    while grew:
        more = {p for p, (ppid, _) in stats.items() if ppid in mine} - mine
        mine |= more
        grew = bool(more)
    return sum(stats[p][1] for p in mine if p in stats)
