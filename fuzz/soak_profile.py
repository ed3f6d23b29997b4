"""Where a process's CPU goes, by thread and by function: a CPU-weighted stack sampler.

    python -m fuzz.soak_profile run OUT.json -- serve ARGS...   # skywitness ARGS, sampled
    python -m fuzz.soak_profile report OUT.json [--top 25]      # the tables

``run`` starts ``skywitness`` in this process with a sampling thread: every ``INTERVAL_S``
it reads each thread's CPU ticks (``/proc/self/task/TID/stat``) and its Python stack
(``sys._current_frames``) and charges the ticks that thread used since the last sample to
that stack; threads with no Python frame (DuckDB's workers) are charged under their kernel
name. So the figures are CPU seconds, not wall time, and cost little (no tracing hook).
The tables are written to ``OUT.json`` every ``DUMP_S`` and at exit (a SIGTERM'd server
keeps its last dump). Used by ``python -m fuzz.soak --profile-out``.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import FrameType

#: Time between samples, s.
INTERVAL_S = 0.02
#: Time between writes of the tables, s.
DUMP_S = 10.0
#: Innermost frames kept of each stack.
DEPTH = 40
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")


def thread_ticks(tid: int) -> tuple[str, int] | None:
    """(kernel name, user + system ticks) of thread ``tid`` of this process."""
    try:
        fd = os.open(f"/proc/self/task/{tid}/stat", os.O_RDONLY)
        try:
            raw = os.read(fd, 1024).decode()
        finally:
            os.close(fd)
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    f = raw[raw.rindex(")") + 2 :].split()
    return comm, int(f[11]) + int(f[12])


def stack_of(frame: FrameType | None) -> str:
    names: list[str] = []
    while frame is not None and len(names) < DEPTH:
        co = frame.f_code
        names.append(f"{Path(co.co_filename).stem}:{co.co_name}")
        frame = frame.f_back
    return ";".join(reversed(names))


class Sampler(threading.Thread):
    def __init__(self, out: Path) -> None:
        super().__init__(name="soak-profile", daemon=True)
        self.out = out
        self.last: dict[int, int] = {}
        self.stacks: dict[str, Counter[str]] = defaultdict(Counter)
        self.lock = threading.Lock()

    def run(self) -> None:
        next_dump = time.monotonic() + DUMP_S
        while True:
            time.sleep(INTERVAL_S)
            self.tick()
            if time.monotonic() >= next_dump:
                self.dump()
                next_dump += DUMP_S

    def tick(self) -> None:
        frames = sys._current_frames()
        by_tid = {t.native_id: t for t in threading.enumerate() if t.native_id is not None}
        for name in os.listdir("/proc/self/task"):
            tid = int(name)
            got = thread_ticks(tid)
            if got is None:
                continue
            comm, ticks = got
            used = ticks - self.last.get(tid, 0)
            self.last[tid] = ticks
            if used <= 0:
                continue
            t = by_tid.get(tid)
            if t is None:
                key, stack = f"native:{comm}", "[native]"
            else:
                key = t.name.split(" ")[0] if t.name.startswith("feed ") else t.name
                frame = frames.get(t.ident) if t.ident is not None else None
                stack = stack_of(frame) if frame is not None else "[no python frame]"
            with self.lock:
                self.stacks[key][stack] += used

    def dump(self) -> None:
        with self.lock:
            data = {k: dict(v) for k, v in self.stacks.items()}
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps({"tick_s": TICK_S, "stacks": data}))
        tmp.replace(self.out)


def run(out: Path, argv: list[str]) -> int:
    s = Sampler(out)
    s.start()
    atexit.register(s.dump)
    from skywitness.cli.main import main

    try:
        return int(main(argv) or 0)
    finally:
        s.dump()


def report(path: Path, top: int) -> list[str]:
    """By thread: CPU s; then per thread (largest first) the functions with the most CPU
    (inclusive: on the stack; self: innermost)."""
    d = json.loads(path.read_text())
    tick = float(d["tick_s"])
    threads = {k: sum(v.values()) * tick for k, v in d["stacks"].items()}
    total = sum(threads.values())
    lines = [f"total sampled CPU {total:.1f} s"]
    lines += [f"  {cpu:8.1f} s {100 * cpu / total:5.1f} %  {k}"
              for k, cpu in sorted(threads.items(), key=lambda kv: -kv[1])]  # fmt: skip
    for k, cpu in sorted(threads.items(), key=lambda kv: -kv[1]):
        if cpu < 0.02 * total:
            continue
        incl: Counter[str] = Counter()
        own: Counter[str] = Counter()
        for stack, n in d["stacks"][k].items():
            fns = stack.split(";")
            for fn in set(fns):
                incl[fn] += n
            own[fns[-1]] += n
        lines.append(f"\n== {k}: {cpu:.1f} s ({100 * cpu / total:.1f} % of sampled)")
        lines.append("   inclusive s  self s  function")
        for fn, n in incl.most_common(top):
            lines.append(f"   {n * tick:10.1f} {own.get(fn, 0) * tick:7.1f}  {fn}")
        lines.append("   -- self only:")
        for fn, n in own.most_common(top // 2):
            lines.append(f"   {incl[fn] * tick:10.1f} {n * tick:7.1f}  {fn}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["run"]:
        sep = args.index("--")
        return run(Path(args[1]), args[sep + 1 :])
    ap = argparse.ArgumentParser(prog="python -m fuzz.soak_profile")
    ap.add_argument("what", choices=("report",))
    ap.add_argument("path", type=Path)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args(args)
    print("\n".join(report(a.path, a.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
