"""The CPU seconds of a process, from Linux ``/proc/PID/stat`` (``memory.rss_mb`` reads its
resident size): the one reader the benches, the soak and the Spark CPU count share.

``stat`` is ``pid (comm) state ppid ... utime stime cutime cstime ...`` (proc(5)); the
command name may hold spaces and parentheses, so the fields are read after its last ``)``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Where the kernel lists its processes.
PROC = Path("/proc")
#: Index, in the fields after the command name, of ``ppid`` (proc(5) field 4).
PPID = 1
#: Indexes of ``utime``, ``stime`` (proc(5) fields 14, 15) and ``cutime``, ``cstime`` (16, 17:
#: the CPU of the children the process waited for), clock ticks.
UTIME, STIME, CUTIME, CSTIME = 11, 12, 13, 14


def stat_fields(pid: int | str, root: Path = PROC) -> list[str] | None:
    """The fields of ``root/PID/stat`` after the command name (``state`` first), or None (no
    such process, or no ``/proc``)."""
    try:
        fields = (root / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields if len(fields) > CSTIME else None


def cpu_of(fields: list[str], *, waited: bool = False) -> float:
    """CPU seconds (user + system) of ``stat_fields``; ``waited``: with those of the children
    the process waited for."""
    last = CSTIME if waited else STIME
    return sum(int(x) for x in fields[UTIME : last + 1]) / os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int, *, waited: bool = False, root: Path = PROC) -> float | None:
    """CPU seconds (user + system) process ``pid`` has used so far (``waited``: with its
    waited-for children's), or None when it is gone."""
    fields = stat_fields(pid, root)
    return None if fields is None else cpu_of(fields, waited=waited)
