"""Drive fuzz targets: deterministic mutated inputs, each bounded in time, the whole run bounded
in memory, in a child process so that a crash of native code (a segfault in a reader) is
recorded with its input instead of ending the run.

    python -m fuzz.run                              # every target, 1,000 inputs each
    python -m fuzz.run --inputs 10000000 --targets beast,sbs --seed 7   # the long run
    python -m fuzz.run --json results.json          # figures for docs/reliability.md

Input ``i`` of a target is made from ``random.Random(f"{seed}:{target}:{i}")``, so any failure
is replayed from its (seed, target, index); its bytes are also saved under ``fuzz/crashes/``
(each such file is replayed by ``tests/reliability/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from .mutate import mutate

CRASHES = Path(__file__).resolve().parent / "crashes"
#: Longest one input may take, s (a hang otherwise).
TIME_LIMIT_S = 5.0
#: Address-space bound of the fuzzing process, bytes (numpy/pyarrow/duckdb reserve some).
MEMORY_LIMIT_BYTES = 6 << 30


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


class Hang(Exception):
    pass


def make_input(target: str, seed: int, index: int, seeds: dict[str, list[bytes]]) -> bytes:
    """Input ``index`` of ``target``: a mutated seed (or, rarely, another format's seed)."""
    r = random.Random(f"{seed}:{target}:{index}")
    own = seeds[target]
    others = [s for name, ss in seeds.items() if name != target for s in ss]
    base = r.choice(others) if r.random() < 0.03 and others else r.choice(own)
    return mutate(r, base, others) if r.random() < 0.97 else base


def save_crash(target: str, data: bytes) -> Path:
    CRASHES.mkdir(exist_ok=True)
    path = CRASHES / f"{target}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
    path.write_bytes(data)
    return path


def _alarm(_sig: int, _frame: FrameType | None) -> None:
    raise Hang()


def child(
    targets: list[str], inputs: int, start: int, seed: int, state: Path, budget_s: float = 0.0
) -> list[Result]:
    """Run in the fuzzing process: each target over inputs ``start``..``inputs``-1, or until
    ``budget_s`` seconds were spent on it (when > 0)."""
    from .targets import TARGETS, all_seeds

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    signal.signal(signal.SIGALRM, _alarm)
    seeds = all_seeds()
    results = []
    for name in targets:
        res, target = Result(name), TARGETS[name]
        t0 = time.monotonic()
        for i in range(start if name == targets[0] else 0, inputs):
            if budget_s and time.monotonic() - t0 > budget_s:
                break
            data = make_input(name, seed, i, seeds)
            state.write_text(f"{name} {i}")
            r = random.Random(f"run:{seed}:{name}:{i}")
            signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
            try:
                target.run(data, r)
            except Hang:
                res.hangs += 1
                res.failures.append(
                    {"index": i, "kind": "hang", "file": str(save_crash(name, data))}
                )
            except Exception as exc:  # RecursionError and MemoryError are Exceptions too
                res.exceptions += 1
                tb = traceback.format_exception(exc)[-3:]
                res.failures.append(
                    {
                        "index": i,
                        "kind": type(exc).__name__,
                        "error": str(exc)[:300],
                        "where": "".join(tb)[-600:],
                        "file": str(save_crash(name, data)),
                    }
                )
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            res.inputs += 1
        res.seconds = round(time.monotonic() - t0, 2)
        res.max_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results.append(res)
    return results


def run(
    targets: list[str],
    inputs: int,
    seed: int = 0,
    timeout_s: float | None = None,
    budget_s: float = 0.0,
) -> list[Result]:
    """Fuzz ``targets`` in child processes; a child that dies is recorded (its input saved) and
    the run goes on after that input. ``budget_s`` > 0: each target stops after that many
    seconds even if it has not reached ``inputs`` (the long run on a busy machine)."""
    from .targets import all_seeds

    done: dict[str, Result] = {}
    todo, start = list(targets), 0
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        while todo:
            cmd = [
                sys.executable,
                "-m",
                "fuzz.run",
                "--child",
                ",".join(todo),
                "--inputs",
                str(inputs),
                "--start",
                str(start),
                "--seed",
                str(seed),
                "--state",
                str(state),
                "--budget-s",
                str(budget_s),
            ]
            root = Path(__file__).resolve().parents[1]
            path = os.pathsep.join(
                p for p in (str(root / "src"), os.environ.get("PYTHONPATH")) if p
            )
            env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=path)
            try:
                p = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    timeout=timeout_s,
                    env=env,
                    cwd=Path(__file__).resolve().parents[1],
                    check=False,
                )
                code, out, err = p.returncode, p.stdout, p.stderr
            except subprocess.TimeoutExpired as exc:
                code, out, err = -signal.SIGKILL, "", f"run over {timeout_s} s"
                del exc
            for line in out.splitlines():
                if line.startswith("{"):
                    res = Result(**json.loads(line))
                    done[res.target] = _merge(done.get(res.target), res)
                    todo.remove(res.target)
            if code == 0:
                break
            if not state.exists():  # died before its first input: not an input's fault
                raise RuntimeError(f"fuzz child failed to start ({code}): {err[-800:]}")
            name, index = state.read_text().split()
            res = done.setdefault(name, Result(name))
            res.crashes += 1
            data = make_input(name, seed, int(index), all_seeds())
            res.failures.append(
                {
                    "index": int(index),
                    "kind": f"process died ({code})",
                    "error": err[-600:],
                    "file": str(save_crash(name, data)),
                }
            )
            res.inputs += int(index) + 1 - (start if todo and todo[0] == name else 0)
            todo = todo[todo.index(name) :] if name in todo else todo
            start = int(index) + 1
            if start >= inputs:
                todo, start = todo[1:], 0
    return [done[t] for t in targets if t in done]


def _merge(old: Result | None, new: Result) -> Result:
    if old is None:
        return new
    old.inputs += new.inputs
    old.seconds += new.seconds
    old.exceptions += new.exceptions
    old.hangs += new.hangs
    old.crashes += new.crashes
    old.max_rss_mb = max(old.max_rss_mb, new.max_rss_mb)
    old.failures += new.failures
    return old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.split("\n")[0])
    ap.add_argument("--targets", default="", help="comma-separated (default: all)")
    ap.add_argument("--inputs", type=int, default=1000, help="inputs per target")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--budget-s", type=float, default=0.0, help="seconds per target at most")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--state", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        for res in child(a.child.split(","), a.inputs, a.start, a.seed, Path(a.state), a.budget_s):
            print(json.dumps(asdict(res)), flush=True)
        return 0
    from .targets import TARGETS

    names = [t for t in a.targets.split(",") if t] or list(TARGETS)
    results = run(names, a.inputs, a.seed, budget_s=a.budget_s)
    for res in results:
        status = "ok" if res.ok else "FAILED"
        print(
            f"{res.target:14} {res.inputs:>10,} inputs {res.seconds:>8.1f} s  exceptions "
            f"{res.exceptions}  hangs {res.hangs}  crashes {res.crashes}  max RSS "
            f"{res.max_rss_mb:,.0f} MB  {status}"
        )
        for f in res.failures[:5]:
            print(f"   #{f['index']} {f['kind']}: {f.get('error', '')[:200]} -> {f['file']}")
    if a.json:
        Path(a.json).write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
