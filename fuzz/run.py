"""Drive fuzz targets: deterministic mutated inputs, each bounded in time, the whole run bounded
in memory, in a child process (``fuzz.child``) so that a crash of native code (a segfault in a
reader) is recorded with its input instead of ending the run.

    python -m fuzz.run                              # every target, 1,000 inputs each
    python -m fuzz.run --inputs 10000000 --targets beast,sbs --seed 7
    python -m fuzz.run --inputs 10000000 --until 02:35 --slice-s 120 --json long.json
                                                    # the long run: targets in turn, 120 s
                                                    # each, until 02:35 UTC, JSON kept current
    python -m fuzz.run --inputs 10000000 --until 05:00 --json long.json --resume
                                                    # ... taken up again (another day): each
                                                    # target from the input it stopped at

A resumed run goes on from each target's count in its ``--json`` (same seed and inputs asked),
so a run of 10 million inputs a parser can be made in pieces; each piece is listed in the JSON
(``sessions``: command, times, commit), the code of the later ones possibly newer.

Input ``i`` of a target is made from ``random.Random(f"{seed}:{target}:{i}")``, so any failure
is replayed from its (seed, target, index); its bytes are also saved under ``fuzz/crashes/``
(each such file is replayed by ``tests/reliability/test_fuzz.py``).
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from .child import (
    CRASHES,
    MEMORY_LIMIT_BYTES,
    STATE,
    TIME_LIMIT_S,
    WALL_LIMIT_S,
    Child,
    Inputs,
    Result,
    Task,
    save_crash,
    targets_module,
)

__all__ = ["CRASHES", "MEMORY_LIMIT_BYTES", "TIME_LIMIT_S", "Result", "main", "run"]

ROOT = Path(__file__).resolve().parents[1]
#: An input the child has been on this long (wall, s) is killed from outside: a hang in native
#: code, where the child's own watchdog cannot raise.
KILL_AFTER_S = 2 * WALL_LIMIT_S


class _Watch(threading.Thread):
    """Kills the child when one input has run ``KILL_AFTER_S`` or the whole run ``timeout_s``."""

    def __init__(self, proc: subprocess.Popen[str], state: mmap.mmap, timeout_s: float | None):
        super().__init__(daemon=True)
        self.proc, self.state, self.timeout_s = proc, state, timeout_s
        self.why = ""

    def run(self) -> None:
        t0 = last_change = time.monotonic()
        last = STATE.unpack_from(self.state, 0)
        while self.proc.poll() is None:
            time.sleep(0.5)
            now, cur = time.monotonic(), STATE.unpack_from(self.state, 0)
            if cur != last:
                last, last_change = cur, now
            if cur[1] >= 0 and now - last_change > KILL_AFTER_S:
                self.why = f"hang: input ran over {KILL_AFTER_S:.0f} s (killed)"
            elif self.timeout_s is not None and now - t0 > self.timeout_s:
                self.why = f"run over {self.timeout_s} s"
            if self.why:
                self.proc.kill()
                return


def _child(tasks: list[Task], first: int, seed: int, state: Path, err: IO[str]) -> Any:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    spec = json.dumps([asdict(t) for t in tasks])
    cmd = [sys.executable, "-m", "fuzz.run", "--child", spec, "--first", str(first),
           "--seed", str(seed), "--state", str(state)]  # fmt: skip
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=path)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT)


def _drive(
    tasks: list[Task],
    seed: int,
    timeout_s: float | None,
    on_result: Callable[[Result], None],
) -> None:
    """Run ``tasks`` in child processes, a new one after each that dies (after its input)."""
    first = 0
    with tempfile.TemporaryDirectory() as tmp:
        state_path = Path(tmp) / "state"
        while first < len(tasks):
            state_path.write_bytes(STATE.pack(-1, -1))
            with state_path.open("r+b") as fh:
                state = mmap.mmap(fh.fileno(), STATE.size)
            err_path = Path(tmp) / "stderr"
            with err_path.open("w") as err:
                proc = _child(tasks[first:], first, seed, state_path, err)
                watch = _Watch(proc, state, timeout_s)
                watch.start()
                found: list[dict[str, Any]] = []
                since = time.monotonic()  # the running task's start, near enough
                assert proc.stdout is not None
                for line in proc.stdout:
                    msg = json.loads(line) if line.startswith("{") else {}
                    if "failure" in msg:
                        found.append(msg["failure"])
                    elif "result" in msg:
                        res = Result(**{**msg["result"], "failures": found})
                        on_result(res)
                        found, first, since = [], msg["task"] + 1, time.monotonic()
                code = proc.wait()
                watch.join()
            if code == 0 and not watch.why:
                return
            task_no, index = STATE.unpack_from(state, 0)
            if task_no < 0:  # died before its first input: not an input's fault
                raise RuntimeError(f"fuzz child failed to start ({code}): "
                                   f"{err_path.read_text()[-800:]}")  # fmt: skip
            if index < 0 or task_no < first:  # between tasks
                first = max(first, task_no + 1)
                continue
            t = tasks[task_no]
            why = watch.why or f"process died ({code})"
            data = Inputs(_seeds(), seed).make(t.target, index)
            found.append({"index": index, "kind": why, "error": err_path.read_text()[-600:],
                          "file": str(save_crash(t.target, data))})  # fmt: skip
            dead = Result(
                t.target,
                inputs=index + 1 - t.start,
                failures=found,
                seconds=round(time.monotonic() - since, 2),
            )
            dead.exceptions = sum(1 for f in found if not f["kind"].startswith(("hang", why)))
            dead.hangs = sum(1 for f in found if f["kind"].startswith("hang"))
            dead.crashes = 0 if why.startswith("hang") else 1
            on_result(dead)
            left_s = max(1.0, t.budget_s - dead.seconds) if t.budget_s else 0.0
            tasks[task_no] = replace(t, start=index + 1, budget_s=left_s)
            first = task_no if index + 1 < t.stop else task_no + 1


def _seeds() -> dict[str, list[bytes]]:
    return targets_module()[1]()


def merge(old: Result | None, new: Result) -> Result:
    if old is None:
        return new
    old.inputs += new.inputs
    old.seconds = round(old.seconds + new.seconds, 2)
    old.exceptions += new.exceptions
    old.hangs += new.hangs
    old.crashes += new.crashes
    old.max_rss_mb = max(old.max_rss_mb, new.max_rss_mb)
    old.failures += new.failures
    return old


def run(
    targets: list[str],
    inputs: int,
    seed: int = 0,
    timeout_s: float | None = None,
    budget_s: float = 0.0,
    *,
    until: float | None = None,
    slice_s: float = 120.0,
    time_limit_s: float = TIME_LIMIT_S,
    progress: Callable[[list[Result]], None] | None = None,
    prior: list[Result] | None = None,
) -> list[Result]:
    """Fuzz ``targets``, ``inputs`` each; a child that dies is recorded (its input saved) and
    the run goes on after that input. ``budget_s`` > 0: each target stops after that many
    seconds. ``until`` (a unix time): the targets in turn, ``slice_s`` seconds each, round
    after round until that time (or ``inputs`` each). ``time_limit_s``: the CPU time one input
    may take. ``progress`` gets the figures so far after each slice. ``prior``: the figures
    of an earlier run of the same seed: each target goes on from its count."""
    done: dict[str, Result] = {r.target: replace(r, failures=list(r.failures)) for r in prior or ()}

    def record(res: Result) -> None:
        done[res.target] = merge(done.get(res.target), res)
        if progress is not None:
            progress([done[t] for t in targets if t in done])

    if until is None:
        tasks = [Task(t, done[t].inputs if t in done else 0, inputs, budget_s, time_limit_s)
                 for t in targets if (done[t].inputs if t in done else 0) < inputs]  # fmt: skip
        _drive(tasks, seed, timeout_s, record)
    while until is not None and time.time() < until - 5:
        left = [t for t in targets if (done[t].inputs if t in done else 0) < inputs]
        if not left:
            break
        share = min(slice_s, (until - time.time()) / len(left))
        tasks = [Task(t, done[t].inputs if t in done else 0, inputs, share, time_limit_s)
                 for t in left]  # fmt: skip
        _drive(tasks, seed, timeout_s, record)
    return [done[t] for t in targets if t in done]


def _until(text: str) -> float:
    """``HH:MM`` (UTC, the next such time) as a unix time."""
    now = datetime.now(UTC)
    h, m = (int(x) for x in text.split(":"))
    at = now.replace(hour=h, minute=m, second=0, microsecond=0)
    return (at if at > now else at + timedelta(days=1)).timestamp()


def _print(results: list[Result]) -> None:
    for res in results:
        status = "ok" if res.ok else "FAILED"
        rate = res.inputs / res.seconds if res.seconds else 0.0
        print(
            f"{res.target:14} {res.inputs:>10,} inputs {res.seconds:>8.1f} s {rate:>7,.0f}/s  "
            f"exceptions {res.exceptions}  hangs {res.hangs}  crashes {res.crashes}  max RSS "
            f"{res.max_rss_mb:,.0f} MB  {status}"
        )
        for f in res.failures[:5]:
            print(f"   #{f['index']} {f['kind']}: {f.get('error', '')[:200]} -> {f['file']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.split("\n")[0])
    ap.add_argument("--targets", default="", help="comma-separated (default: all)")
    ap.add_argument("--inputs", type=int, default=1000, help="inputs per target")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="write the results here (kept current)")
    ap.add_argument("--budget-s", type=float, default=0.0, help="seconds per target at most")
    ap.add_argument("--until", default=None, help="HH:MM UTC: targets in turn until then")
    ap.add_argument("--slice-s", type=float, default=120.0, help="with --until: s per turn")
    ap.add_argument("--resume", action="store_true",
                    help="with --json: go on from the counts that file holds")  # fmt: skip
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--state", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        tasks = [Task(**t) for t in json.loads(a.child)]
        Child(Path(a.state), a.seed).run(tasks, a.first)
        return 0
    from .targets import TARGETS

    names = [t for t in a.targets.split(",") if t] or list(TARGETS)
    cmd = "python -m fuzz.run " + " ".join(argv if argv is not None else sys.argv[1:])
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    before = resumed(a) if a.resume else None
    prior = [Result(**r) for r in before["results"]] if before else None
    sessions = [*(before or {}).get("sessions", _first_session(before)), {
        "command": cmd, "started": started, "commit": _commit()}]  # fmt: skip

    def write(results: list[Result]) -> None:
        if a.json:
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            sessions[-1]["updated"] = now
            doc = {"command": cmd, "started": (before or {}).get("started", started),
                   "seed": a.seed, "until": a.until, "inputs_asked": a.inputs,
                   "machine": f"{platform.machine()}, Python {platform.python_version()}, "
                              f"{os.cpu_count()} CPUs",
                   "updated": now, "sessions": sessions,
                   "results": [asdict(r) for r in results]}  # fmt: skip
            tmp = Path(a.json + ".tmp")
            tmp.write_text(json.dumps(doc, indent=1))
            tmp.replace(a.json)

    until = _until(a.until) if a.until else None
    results = run(names, a.inputs, a.seed, budget_s=a.budget_s, until=until,
                  slice_s=a.slice_s, progress=write, prior=prior)  # fmt: skip
    _print(results)
    write(results)
    return 0 if all(r.ok for r in results) else 1


def resumed(a: argparse.Namespace) -> dict[str, Any] | None:
    """The ``--json`` document a ``--resume`` goes on from (None: no such file yet); an
    error when it was made with another seed or another number of inputs asked."""
    if not a.json:
        raise SystemExit("--resume needs --json FILE (the run to go on from)")
    path = Path(a.json)
    if not path.exists():
        return None
    doc: dict[str, Any] = json.loads(path.read_text())
    if doc.get("seed") != a.seed or doc.get("inputs_asked") != a.inputs:
        raise SystemExit(f"{path}: seed {doc.get('seed')}, inputs {doc.get('inputs_asked')}: "
                         f"not this run's ({a.seed}, {a.inputs})")  # fmt: skip
    return doc


def _first_session(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The run a resumed document was made by, as a session (a document from before
    ``sessions`` were kept)."""
    if not doc:
        return []
    return [{"command": doc.get("command"), "started": doc.get("started"),
             "updated": doc.get("updated"), "commit": None}]  # fmt: skip


def _commit() -> str | None:
    """The repository's commit (None outside a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


if __name__ == "__main__":
    sys.exit(main())
