"""The fuzzing process: runs tasks (a target over a range of input indexes, maybe for at most
some seconds) in one Python process, many inputs per task, and tells the parent what happened
as JSON lines on stdout (each failure as soon as it is found, then each task's counts).

Cheap per input, so that the cheap parsers run thousands of inputs a second:

- the time bound is one repeating interval timer for the whole process (a watchdog): each input
  only notes its start, and the timer's handler raises ``Hang`` in the input that has used more
  than ``TIME_LIMIT_S`` of CPU time (or ``WALL_LIMIT_S`` of wall time: a blocked input). CPU
  time, so that a machine under load does not turn slow inputs into hangs;
- the input being run is written into a shared 16-byte map (task number, input index), not a
  file, so that when the process dies (a segfault in native code, the memory bound) the parent
  records that exact input and starts a new process after it;
- targets can defer the costly part of their checks (the decoder over the frames a reader let
  through) and have it done once for many inputs (``Target.settle``); when a deferred batch
  fails, it is settled again input by input to name the one that fails.
"""

from __future__ import annotations

import json
import mmap
import os
import random
import resource
import signal
import struct
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from .mutate import mutate

CRASHES = Path(__file__).resolve().parent / "crashes"
#: CPU time one input may take, s (a hang otherwise).
TIME_LIMIT_S = 5.0
#: Wall time one input may take, s: an input blocked (not using CPU) that long is a hang too.
WALL_LIMIT_S = 60.0
#: How often the watchdog looks at the running input, s.
WATCH_EVERY_S = 0.25
#: Address-space bound of the fuzzing process, bytes (numpy/pyarrow/duckdb reserve some).
MEMORY_LIMIT_BYTES = 6 << 30
#: Inputs whose deferred checks are settled together.
SETTLE_EVERY = 64
#: The shared map: task number, input index (-1: between inputs).
STATE = struct.Struct("<qq")


@dataclass
class Result:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    exceptions: int = 0  # uncaught exceptions and broken invariants
    hangs: int = 0  # inputs over TIME_LIMIT_S
    crashes: int = 0  # the process died (signal, out of memory)
    max_rss_mb: float = 0.0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.exceptions or self.hangs or self.crashes)


@dataclass(frozen=True)
class Task:
    target: str
    start: int  # first input index
    stop: int  # one past the last
    budget_s: float = 0.0  # > 0: stop after that many seconds
    time_limit_s: float = TIME_LIMIT_S  # CPU time of one input


class Hang(Exception):
    pass


class Inputs:
    """Input ``index`` of ``target``: a mutated seed (or, rarely, another format's seed), made
    from ``random.Random`` seeded by (seed, target, index) alone, so the parent remakes the
    input a dead process was running."""

    def __init__(self, seeds: dict[str, list[bytes]], seed: int) -> None:
        self.seeds, self.seed = seeds, seed
        self._others = {n: [s for m, ss in seeds.items() if m != n for s in ss] for n in seeds}

    def rng(self, target: str, index: int, salt: str = "") -> random.Random:
        return random.Random(f"{salt}{self.seed}:{target}:{index}")

    def make(self, target: str, index: int) -> bytes:
        r = self.rng(target, index)
        own, others = self.seeds[target], self._others[target]
        base = r.choice(others) if r.random() < 0.03 and others else r.choice(own)
        return mutate(r, base, others) if r.random() < 0.97 else base


#: The module holding ``TARGETS`` and ``all_seeds`` (another only in the harness's own tests).
TARGETS_MODULE_ENV = "SKYWITNESS_FUZZ_TARGETS"
#: Where failing inputs are saved, when not ``CRASHES`` (the harness's own tests).
CRASHES_ENV = "SKYWITNESS_FUZZ_CRASHES"


def targets_module() -> tuple[dict[str, Any], Callable[[], dict[str, list[bytes]]]]:
    import importlib

    mod = importlib.import_module(os.environ.get(TARGETS_MODULE_ENV, "fuzz.targets"))
    return mod.TARGETS, mod.all_seeds


def save_crash(target: str, data: bytes) -> Path:
    import hashlib

    folder = Path(os.environ.get(CRASHES_ENV, CRASHES))
    folder.mkdir(exist_ok=True)
    path = folder / f"{target}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    return path


class Watchdog:
    """One repeating timer; ``Hang`` raised in the input that is over its bounds."""

    def __init__(self) -> None:
        self.limit_s = TIME_LIMIT_S
        self.active = False
        self.cpu0 = self.wall0 = 0.0
        signal.signal(signal.SIGALRM, self._tick)
        signal.setitimer(signal.ITIMER_REAL, WATCH_EVERY_S, WATCH_EVERY_S)

    def begin(self) -> None:
        self.cpu0, self.wall0 = time.process_time(), time.monotonic()
        self.active = True

    def end(self) -> None:
        self.active = False

    def _tick(self, _sig: int, _frame: FrameType | None) -> None:
        if not self.active:
            return
        cpu, wall = time.process_time() - self.cpu0, time.monotonic() - self.wall0
        if cpu > self.limit_s or wall > WALL_LIMIT_S:
            self.active = False
            raise Hang(f"{cpu:.1f} s CPU, {wall:.1f} s wall")


def _emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


class Child:
    """Runs tasks; reports failures and counts as JSON lines."""

    def __init__(self, state_path: Path, seed: int) -> None:
        TARGETS, all_seeds = targets_module()
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
        self.targets = TARGETS
        self.inputs = Inputs(all_seeds(), seed)
        fh = state_path.open("r+b")
        self.state = mmap.mmap(fh.fileno(), STATE.size)
        fh.close()
        self.dog = Watchdog()

    def fail(self, res: Result, index: int, data: bytes, exc: BaseException) -> None:
        if isinstance(exc, Hang):
            res.hangs += 1
            kind, where = "hang", ""
        else:
            res.exceptions += 1
            kind, where = type(exc).__name__, "".join(traceback.format_exception(exc)[-3:])
        failure = {"index": index, "kind": kind, "error": str(exc)[:300], "where": where[-600:],
                   "file": str(save_crash(res.target, data))}  # fmt: skip
        res.failures.append(failure)
        _emit({"failure": failure, "target": res.target})

    def guarded(self, res: Result, index: int, fn: Any, *args: Any, record: bool = True) -> Any:
        """``fn(*args)`` bounded in time; a failure recorded against input ``index`` (unless
        not ``record``: None then says it failed)."""
        try:
            self.dog.begin()
            return fn(*args)
        except Exception as exc:  # RecursionError and MemoryError are Exceptions too
            self.dog.end()
            if record:
                self.fail(res, index, self.inputs.make(res.target, index), exc)
            return None
        finally:
            self.dog.end()

    def settle(self, res: Result, task_no: int, pending: list[tuple[int, Any]]) -> None:
        """The deferred checks of ``pending`` inputs: all at once, one by one if that fails."""
        settle = self.targets[res.target].settle
        if not pending or settle is None:
            return
        STATE.pack_into(self.state, 0, task_no, pending[0][0])
        if self.guarded(res, -1, lambda: settle([p for _i, p in pending]) or 1, record=False):
            return
        for i, p in pending:  # the failing ones named
            STATE.pack_into(self.state, 0, task_no, i)
            self.guarded(res, i, settle, [p])

    def task(self, task_no: int, task: Task) -> Result:
        res, run = Result(task.target), self.targets[task.target].run
        self.dog.limit_s = task.time_limit_s
        make, rng = self.inputs.make, self.inputs.rng
        pending: list[tuple[int, Any]] = []
        t0 = time.monotonic()
        for i in range(task.start, task.stop):
            if task.budget_s and not i % 16 and time.monotonic() - t0 > task.budget_s:
                break
            data = make(task.target, i)
            STATE.pack_into(self.state, 0, task_no, i)
            got = self.guarded(res, i, run, data, rng(task.target, i, "run:"))
            res.inputs += 1
            if got is not None:
                pending.append((i, got))
                if len(pending) >= SETTLE_EVERY:
                    self.settle(res, task_no, pending)
                    pending = []
        self.settle(res, task_no, pending)
        STATE.pack_into(self.state, 0, task_no, -1)
        res.seconds = round(time.monotonic() - t0, 2)
        res.max_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        return res

    def run(self, tasks: list[Task], first_no: int) -> None:
        for k, task in enumerate(tasks):
            res = self.task(first_no + k, task)
            out = asdict(res)
            out["failures"] = len(res.failures)  # sent one by one already
            _emit({"result": out, "task": first_no + k})
