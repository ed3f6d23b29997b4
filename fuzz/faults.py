"""Fault injection against the real ``skywitness`` command: kill -9 of ``ingest`` at random
moments, two ingests on one data directory, an ingest while another process holds the store,
a read-only data directory, a full disk. Each check returns plain figures for
docs/reliability.md (``scripts/reliability.py``); ``tests/reliability/test_faults.py`` runs
them CI-sized.

Every kill is followed by the checks a user would make: the store opens; the catalogue and the
Parquet files on disk agree; every Parquet file reads back; the state-vector count equals the
committed rows; ``db info`` (a read-only open, the next start's first look) did not claim a
clean close and reported the interrupted ingest; re-running the ingest completes with no row
stored twice and the flights of a clean ingest, and says what it recovered.

A file ingest's kill loses nothing once it is run again (its stored rows are removed at
recovery and the retry stores them all). ``fuzz.serve_kills`` kills ``serve`` under a live
feed, where the loss is measured against what the process had received.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from skywitness.store import Store
from skywitness.store.catalog import table_exists
from skywitness.store.lake import parquet_files, temp_files

REPO = Path(__file__).resolve().parents[1]
#: The real traffic sample used as a large input (284,505 state vectors, 213 aircraft).
QUICKSTART = (
    REPO.parent
    / "shared"
    / "data"
    / "traffic-trajectories"
    / "collections"
    / ("quickstart.json.gz")
)


def skywitness(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-m", "skywitness", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, check=False)  # fmt: skip


def _popen(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.Popen([sys.executable, "-m", "skywitness", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@dataclass
class KillResult:
    runs: int = 0
    killed_mid_ingest: int = 0  # the kill landed before the ingest finished
    finished_before_kill: int = 0
    store_opened: int = 0
    catalogue_matches_disk: int = 0
    parquet_files_checked: int = 0
    parquet_files_corrupt: int = 0
    rows_match_catalogue: int = 0
    claimed_clean_after_kill: int = 0  # a read-only open said "closed cleanly" (must stay 0)
    resumed_complete: int = 0  # the ingest run again stored everything, once
    duplicate_rows: int = 0
    flights_match_clean_ingest: int = 0
    #: the next start reported the kill: ``db info`` said NOT closed cleanly and named the
    #: interrupted ingest (a retried ingest also said what it recovered)
    loss_reported_on_next_start: int = 0
    runs_with_ingest_to_report: int = 0  # the kill left something to repair (so to report)
    rows_lost_after_retry_max: int = 0  # ingest: clean ingest's rows less the retry's
    kill_after_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_store(data: Path, res: KillResult) -> str:
    """Open ``data`` read-write (recovery runs), check it; what the recovery said."""
    with Store(data) as st:  # recovery runs here
        res.store_opened += 1
        recovered = st.recovery.summary()
        on_disk = {str(p.relative_to(st.lake)) for p in parquet_files(st.lake)}
        catalog = {r[0] for r in st.connection.execute("SELECT path FROM files").fetchall()}
        if on_disk == catalog and not temp_files(st.lake):
            res.catalogue_matches_disk += 1
        else:
            res.problems.append(f"{data}: catalogue {len(catalog)} files, disk {len(on_disk)}")
        for p in parquet_files(st.lake):
            read_back(p, res)
        committed = st.connection.execute("SELECT coalesce(sum(rows), 0) FROM files").fetchall()
        if st.states().num_rows == int(committed[0][0]):
            res.rows_match_catalogue += 1
    return recovered


def read_back(path: Path, res: KillResult) -> None:
    """Read a Parquet file back whole; any failure to is corruption (counted, named)."""
    res.parquet_files_checked += 1
    try:
        pq.read_table(path)
    except Exception as exc:  # any failure to read back is corruption
        res.parquet_files_corrupt += 1
        res.problems.append(f"{path}: {exc}")


def _claims_clean(data: Path, res: KillResult) -> None:
    """Count a read-only open (``db info``) that calls a killed store cleanly closed."""
    with Store(data, read_only=True) as ro:
        if not table_exists(ro.connection, "ingests"):  # killed before its tables existed
            return
        running = ro.connection.execute(
            "SELECT count(*) FROM ingests WHERE status = 'running'"
        ).fetchall()[0][0]
        if running and ro.recovery.summary().startswith("store was closed cleanly"):
            res.claimed_clean_after_kill += 1


def _db_info(data: Path, in_process: bool = False) -> str:
    """What ``skywitness db info`` says of ``data`` (a read-only open), on one line: run as a
    command, or ``in_process`` (the same ``main``, without a new interpreter's start)."""
    if not in_process:
        r = skywitness("db", "info", "--data-dir", str(data), timeout=300)
        return " ".join((r.stdout + r.stderr).split())
    import contextlib
    import io
    import logging

    from skywitness.cli.main import main

    out, root = io.StringIO(), logging.getLogger()
    handlers, level = root.handlers[:], root.level  # main sets up its own logging
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            main(["db", "info", "--data-dir", str(data)])
    finally:
        root.handlers[:], root.level = handlers, level
    return " ".join(out.getvalue().split())


def _to_report(data: Path) -> bool:
    """Whether a kill left ``data`` with something to repair (and so to report)."""
    with Store(data, read_only=True) as ro:
        return not ro.recovery.clean


def _counts(data: Path) -> tuple[int, int, int]:
    with Store(data, read_only=True) as st:
        n, distinct = st.connection.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp, source)) FROM states"
        ).fetchall()[0]
        flights = st.info()["flights"]
    return int(n), int(distinct), int(flights)


def kill_ingest(work: Path, runs: int, seed: int = 0, source: Path = QUICKSTART) -> KillResult:
    """Until ``runs`` ingests were killed: ingest ``source`` into a fresh data dir, SIGKILL it
    after a random delay (within the time a clean ingest takes), check the store, ingest again
    to the end. An ingest that finished before its kill is checked too but not counted as
    killed, and its duration becomes the estimate of a clean ingest's (the machine may have
    got faster: on a shared one, 69 of 100 first runs finished before a kill timed from a
    clean ingest under load); at most ``3 * runs`` tries."""
    rng = random.Random(seed)
    clean = work / "clean"
    t0 = time.monotonic()
    r = skywitness("ingest", str(source), "--data-dir", str(clean), "-q")
    full_s = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError(f"clean ingest failed: {r.stderr[-500:]}")
    expect = _counts(clean)
    res = KillResult()
    k = 0
    while res.killed_mid_ingest < runs and k < 3 * runs:
        data = work / f"kill{k}"
        started = time.monotonic()
        proc = _popen("ingest", str(source), "--data-dir", str(data), "-q")
        # half the kills anywhere, half in the second half (where the store is written)
        delay = full_s * (rng.uniform(0.02, 1.0) if k % 2 == 0 else rng.uniform(0.5, 1.0))
        res.kill_after_s.append(round(delay, 2))
        try:
            proc.wait(timeout=delay)
            res.finished_before_kill += 1
            full_s = min(full_s, time.monotonic() - started)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            res.killed_mid_ingest += 1
        proc.communicate()
        res.runs += 1
        if not (data / "catalog.duckdb").exists():
            res.store_opened += 1  # killed before the store existed: nothing to check
            res.catalogue_matches_disk += 1
            res.rows_match_catalogue += 1
        else:
            _claims_clean(data, res)
            killed = _to_report(data)
            said = _db_info(data) if killed else ""
            recovered = _check_store(data, res)
            if killed:
                _reported(res, said, recovered)
        again = skywitness("ingest", str(source), "--data-dir", str(data), "-q")
        got = _counts(data) if again.returncode == 0 else (-1, -1, -1)
        if got[:2] == expect[:2]:
            res.resumed_complete += 1
        else:
            res.problems.append(f"run {k}: after retry {got}, clean ingest {expect}")
        res.rows_lost_after_retry_max = max(res.rows_lost_after_retry_max, expect[0] - got[0])
        res.duplicate_rows += max(0, got[0] - got[1])
        if got[2] == expect[2]:
            res.flights_match_clean_ingest += 1
        k += 1
    return res


def _reported(res: KillResult, said: str, recovered: str) -> None:
    """Count a kill the next start reported: ``db info`` said NOT closed cleanly, and the
    repairing open said what it repaired."""
    res.runs_with_ingest_to_report += 1
    if "NOT closed cleanly" in said and not recovered.startswith("store was closed cleanly"):
        res.loss_reported_on_next_start += 1
    else:
        res.problems.append(f"kill not reported: db info {said[-300:]!r}, "
                            f"open {recovered[-300:]!r}")  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def two_writers(work: Path, source: Path = QUICKSTART) -> dict[str, Any]:
    """Two ``ingest`` processes on one data dir, started together: one stores everything, the
    other stops with a clear error (DuckDB allows one writer) or, when the first was already
    done, finds the file ingested; nothing is stored twice either way."""
    data = work / "two"
    a = _popen("ingest", str(source), "--data-dir", str(data), "-q")
    b = _popen("ingest", str(source), "--data-dir", str(data), "-q")
    out_a, out_b = a.communicate(timeout=600), b.communicate(timeout=600)
    codes = sorted([a.returncode, b.returncode])
    errors = [e for _, e in (out_a, out_b) if "error" in e]
    n, distinct, _flights = _counts(data)
    res = KillResult()
    _check_store(data, res)
    consistent = res.catalogue_matches_disk == 1 and res.parquet_files_corrupt == 0
    clear = "Traceback" not in "".join(errors) and (bool(errors) or codes == [0, 0])
    return {"exit_codes": codes, "clear_error": clear,
            "error": (errors or [""])[0].strip()[-200:], "rows": n, "duplicates": n - distinct,
            "store_consistent": consistent}  # fmt: skip


def while_held(work: Path, source: Path = QUICKSTART) -> dict[str, Any]:
    """``ingest`` while another process (here: this one, as ``serve`` does) holds the store."""
    data = work / "held"
    with Store(data):
        r = skywitness("ingest", str(source), "--data-dir", str(data), "-q", timeout=120)
    return {"exit_code": r.returncode, "clear_error": "cannot open store" in r.stderr
            and "Traceback" not in r.stderr, "error": r.stderr.strip()[-200:]}  # fmt: skip


def mount_tmpfs(path: Path, size: str, read_only: bool = False) -> bool:
    """A small tmpfs at ``path`` (root only); False when it cannot be mounted here."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
                       capture_output=True, check=False)  # fmt: skip
    return r.returncode == 0


def umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, check=False)


def read_only_and_full_disk(work: Path, source: Path = QUICKSTART) -> dict[str, Any]:
    """A read-only data dir and a full disk (tmpfs of 2 MB), when tmpfs can be mounted."""
    out: dict[str, Any] = {}
    ro = work / "ro"
    if mount_tmpfs(ro, "1m", read_only=True):
        try:
            r = skywitness("ingest", str(source), "--data-dir", str(ro / "data"), "-q")
            out["read_only"] = {"exit_code": r.returncode, "error": r.stderr.strip()[-200:],
                                "clear_error": "Traceback" not in r.stderr}  # fmt: skip
        finally:
            umount(ro)
    full = work / "full"
    if mount_tmpfs(full, "3m"):
        try:
            data = full / "data"
            r = skywitness("ingest", str(source), "--data-dir", str(data), "-q")
            entry: dict[str, Any] = {"exit_code": r.returncode, "error": r.stderr.strip()[-300:],
                                     "clear_error": "Traceback" not in r.stderr}  # fmt: skip
            subprocess.run(["mount", "-o", "remount,size=512m", str(full)], check=True)
            again = skywitness("ingest", str(source), "--data-dir", str(data), "-q")
            entry["resumed_exit_code"] = again.returncode
            entry["resumed_error"] = again.stderr.strip()[-300:]
            if again.returncode == 0:
                n, distinct, flights = _counts(data)
                entry.update(rows=n, duplicates=n - distinct, flights=flights)
            out["full_disk"] = entry
        finally:
            umount(full)
    return out
