"""PySpark's Python worker daemon (``pyspark.daemon``), unchanged but for one thing: it waits for
its exited workers instead of ignoring them, so their CPU time is kept in the kernel's accounts.

The stock daemon sets ``SIGCHLD`` to ``SIG_IGN``; the kernel then reaps a worker that exits (the
JVM's idle-worker clean-up after 60 s, a task that fails, ``spark.python.worker.reuse=false``)
without adding its CPU time to anyone's children's times: ``/proc``, ``getrusage`` and
``time -v`` all lose it. Here ``SIGCHLD`` reaps instead (``waitpid``), so a worker's CPU joins the
daemon's children's times (``cutime``/``cstime``), the daemon's joins the JVM's when it exits,
and a measure of the process tree (``spark.cpu.tree_cpu``) counts every worker that ran.

Used by the Spark bench (``bench/spark.py``) through ``spark.python.daemon.module``
(``spark.cpu.ACCOUNTED_CONF``); Spark starts it as ``python -m skywitness.spark.reaping_daemon``.
"""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Any


def reap(signum: int = signal.SIGCHLD, frame: FrameType | None = None) -> int:
    """Wait for every exited child (``SIGCHLD``'s handler); returns how many were reaped."""
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:  # no children left
            return reaped
        if pid == 0:  # children left, none exited
            return reaped
        reaped += 1


def accounted(set_handler: Any, daemon_pid: int) -> Any:
    """``signal.signal`` for the daemon process: its ``SIGCHLD -> SIG_IGN`` becomes ``reap``;
    every other call (and every call in a forked worker) goes through unchanged."""

    def signal_(signum: int, handler: Any) -> Any:
        if signum == signal.SIGCHLD and handler == signal.SIG_IGN and os.getpid() == daemon_pid:
            handler = reap
        return set_handler(signum, handler)

    return signal_


def main() -> None:
    """Run PySpark's daemon with its exited workers reaped (``accounted``)."""
    from pyspark import daemon

    signal.signal = accounted(signal.signal, os.getpid())  # pyspark.daemon calls signal.signal
    daemon.manager()


if __name__ == "__main__":
    main()
