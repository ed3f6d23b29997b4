"""kill -9 of ``serve`` at random moments while a paced live feed runs (``fuzz.faults`` holds
the ingest kills and the checks both share).

The feed is the soak's (``fuzz.soak_feed``): simulated Beast receivers, TCP servers as readsb's
port 30005, sending the simulator's traffic at a steady ``rate`` frames/s for the whole run
(each receiver's frames due while no ``serve`` is connected are not sent, as a live feed does
not wait for a dead server). One data directory serves the whole run, as for a service that is
restarted after each crash: each run starts ``serve`` on it (the next start after the previous
kill: it repairs the store and logs what the kill cost), lets it run for a random time and
SIGKILLs it right after a last look at ``/api/stats`` (rows committed, rows received and not
yet flushed). Most kills come ``LIVE_S`` after serve first answered, so after several of the
writer's flushes (one a second); one run in ``START_KILL_EVERY`` is killed while starting
(the store opening, the repair of the last kill, the feeds connecting: a random moment before
the quickest start so far answered; one that answers sooner is counted as a kill with a look).

After each kill, with nothing holding the store:
- the store opens (read-only, as ``db info`` does), ``db info`` does not claim a clean close
  and names the interrupted ingest and the rows it kept (and those received and not stored);
- every Parquet file on disk reads back; the catalogued files hold the catalogued rows, and no
  (icao24, timestamp, source) is stored twice (the rows of every restart so far included);
- every row committed before this start and at the last look is kept; the loss (received at
  the last look less kept) is at most the rows then unflushed, those at most the writer's batch;
- the next start (the next run's ``serve``, whose log is read) reports the same.
At the end a last ``serve`` starts (reporting the last kill) and stops cleanly; then the
repairing open finds the catalogue and the lake in agreement and nothing to report.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywitness.store import Store
from skywitness.store.lake import parquet_files, temp_files

from .faults import KillResult, _claims_clean, _db_info, read_back
from .serve_proc import (
    CHILD_EXIT_S,
    Feed,
    Killed,
    alive,
    paced_feed,
    run_then_kill,
    run_then_stop,
    start_serve,
)

#: Frames/s of all receivers together: a busy receiver's feed, what two shared cores carry
#: beside the rest (the soak ran at 2,000 frames/s from 20 receivers).
FEED_RATE = 1_000.0
FEED_RECEIVERS = 2
#: Most kills come this long (s, uniform) after serve first answered /api/stats; the writer
#: flushes every second (``runtime.service.STORE_FLUSH_S``).
LIVE_S = (0.5, 10.0)
#: Every this many runs, the kill comes while serve starts (before it answers).
START_KILL_EVERY = 10
#: Commits (the writer's flushes) of a serve before its kill that count as "several".
SEVERAL_COMMITS = 3
#: Scenario seconds the feed is made for, per run (it stops when the kills are done).
SPAN_PER_RUN_S = 60.0
#: How long the last serve runs before its clean stop, s.
FINAL_RUN_S = 3.0
#: A killed serve's child still running this long after the kill is killed (and counted), s.
CHILD_LIMIT_S = 120.0
RECOVERED = "store recovered after an unclean stop: "


@dataclass
class ServeKillResult(KillResult):
    killed_while_starting: int = 0  # killed before it answered (opening, repairing, connecting)
    runs_with_look: int = 0  # killed after a look at /api/stats (the loss is measured)
    catalogued_files_on_disk: int = 0  # every file the catalogue names is in the lake
    #: ``db info`` said the store holds the rows the catalogued files hold (those kept)
    db_info_rows_match: int = 0
    runs_with_rows: int = 0  # this serve had committed rows when killed
    runs_after_several_commits: int = 0  # ... at least SEVERAL_COMMITS of its flushes
    #: every row committed before this start and at the last look kept after the kill
    committed_rows_kept: int = 0
    #: rows lost (received at the last look less kept) <= rows then unflushed, and those <=
    #: the writer's batch (``store.writer.DEFAULT_FLUSH_ROWS``)
    loss_within_unflushed_batch: int = 0
    rows_lost_max: int = 0  # largest loss measured at a kill
    rows_unflushed_max: int = 0  # largest unflushed batch seen at a last look
    rows_lost_measured: int = 0  # the losses measured at the kills, summed
    rows_lost_reported: int = 0  # the rows the next starts reported not stored, summed
    #: the next serve's log named the interrupted ingest and its rows kept (and not stored)
    next_start_reported: int = 0
    #: a killed serve's child (its flights process) still running ``CHILD_EXIT_S`` later;
    #: those are watched at each later kill: the longest such one ran on (at most, s), and
    #: those still running ``CHILD_LIMIT_S`` after their serve's kill (then killed)
    children_outlived_kill: int = 0
    child_outlived_kill_max_s: float = 0.0
    children_killed_by_harness: int = 0
    #: serve logs holding a traceback (the run, the last line of the first): noise a kill leaves
    logs_with_traceback: list[str] = field(default_factory=list)
    commits_before_kill: list[int] = field(default_factory=list)  # per run, this serve's
    rows_stored: int = 0  # in the store at the end
    frames_sent: int = 0  # by the feed, into a connected serve (``feed``: and not sent)
    final_clean_stop: bool = False  # the last serve stopped on SIGTERM with exit code 0
    final_store_clean: bool = False  # its repairing open then found nothing to repair
    final_catalogue_matches_disk: bool = False  # then: the lake holds the catalogued files
    final_rows_match_catalogue: bool = False  # then: the states hold the catalogued rows
    answered_after_s: list[float] = field(default_factory=list)  # per start, when answered
    feed: dict[str, Any] = field(default_factory=dict)  # its rate, receivers, frames sent
    plan: dict[str, Any] = field(default_factory=dict)  # when the kills come


@dataclass
class Owed:
    """A kill's report the next start must make (in its log)."""

    run: int
    ingest_id: int
    says: list[str]  # what the report must contain
    db_info_said_it: bool


def _check_log(log: Path, owed: list[Owed], data: Path, res: ServeKillResult) -> list[Owed]:
    """Match a serve start's log against the reports owed: each repaired ingest must be in
    it. Returns those still owed (their ingest is still unrepaired: the start was killed
    before its repair was done)."""
    text = log.read_text(errors="replace")
    said = " ".join(ln for ln in text.splitlines() if RECOVERED in ln)
    still = []
    for o in owed:
        if all(s in said for s in o.says):
            res.next_start_reported += 1
            res.loss_reported_on_next_start += o.db_info_said_it
        elif _still_running(data, o.ingest_id):
            still.append(o)
        else:
            res.problems.append(f"run {o.run}: ingest #{o.ingest_id} repaired but the start's "
                                f"log did not say {o.says}: {said[-300:]!r}")  # fmt: skip
    return still


def _still_running(data: Path, ingest_id: int) -> bool:
    with Store(data, read_only=True) as ro:
        got = ro.connection.execute("SELECT status FROM ingests WHERE id = ?", [ingest_id])
        return got.fetchall() == [("running",)]


def _read_back(lake: Path, checked: set[tuple[str, int]], res: ServeKillResult) -> None:
    """Read back every Parquet file on disk not read before (files are never rewritten in
    place: a path and size read once need no second read)."""
    for p in parquet_files(lake):
        key = (str(p.relative_to(lake)), p.stat().st_size)
        if key in checked:
            continue
        checked.add(key)
        read_back(p, res)


@dataclass
class Seen:
    """What the run has seen of the store so far."""

    rows_kept: int = 0  # after the last kill (every later open must keep them)
    ingest_id: int = 0  # the newest live ingest (each serve begins one)
    checked: set[tuple[str, int]] = field(default_factory=set)  # Parquet files read back


def _after_kill(
    data: Path, k: int, look: dict[str, int] | None, seen: Seen, owed: list[Owed],
    res: ServeKillResult,
) -> list[Owed]:  # fmt: skip
    """The checks after kill ``k`` (the module's docstring); the reports it adds to those the
    next start owes."""
    res.runs += 1
    _claims_clean(data, res)
    with Store(data, read_only=True) as ro:
        res.store_opened += 1
        con, rep = ro.connection, ro.recovery
        files = con.execute("SELECT path, rows FROM files").fetchall()
        kept = sum(int(r) for _, r in files)
        paths = [str(ro.lake / p) for p, _ in files]
        if all(Path(p).exists() for p in paths):
            res.catalogued_files_on_disk += 1
        else:
            res.problems.append(f"run {k}: a catalogued file is missing")
        _read_back(ro.lake, seen.checked, res)
        n, distinct = con.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp, source)) FROM read_parquet(?)",
            [paths],
        ).fetchall()[0] if paths else (0, 0)  # fmt: skip
        newest = max((int(str(i["id"])) for i in rep.interrupted_ingests), default=0)
        commits = con.execute("SELECT count(*) FROM batches WHERE ingest_id = ? AND state = "
                              "'committed'", [newest]).fetchall()[0][0]  # fmt: skip
    if n == kept:
        res.rows_match_catalogue += 1
    else:
        res.problems.append(f"run {k}: the catalogued files hold {n} rows, catalogue {kept}")
    res.duplicate_rows = max(res.duplicate_rows, int(n - distinct))
    commits = int(commits) if newest > seen.ingest_id else 0  # this serve's own commits
    seen.ingest_id = max(seen.ingest_id, newest)
    res.commits_before_kill.append(commits)
    res.runs_with_rows += commits > 0
    res.runs_after_several_commits += commits >= SEVERAL_COMMITS
    _loss(k, look, kept, seen.rows_kept, res)
    seen.rows_kept = kept
    known = {o.ingest_id for o in owed}
    new = [i for i in rep.interrupted_ingests if int(str(i["id"])) not in known]
    said = _db_info(data, in_process=True)
    if f"state vectors {kept:,} " in said + " ":  # db info's rows: those the lake holds
        res.db_info_rows_match += 1
    else:
        res.problems.append(f"run {k}: db info did not say {kept:,} state vectors: {said!r}")
    out = []
    for ing in new:
        says = [f"ingest #{ing['id']} of {ing['source']} was interrupted: "
                f"{ing['rows_kept']:,} committed rows kept"]  # fmt: skip
        if isinstance(ing.get("rows_received"), int):
            lost = int(str(ing["rows_not_stored"]))
            says.append(f"{lost:,} of the {ing['rows_received']:,} rows it had received were "
                        "not stored")  # fmt: skip
            res.rows_lost_reported += lost
        res.runs_with_ingest_to_report += 1
        ok = "NOT closed cleanly" in said and all(s in said for s in says)
        if not ok:
            res.problems.append(f"run {k}: db info did not say {says}: {said[-300:]!r}")
        out.append(Owed(k, int(str(ing["id"])), says, ok))
    return out


def _loss(k: int, look: dict[str, int] | None, kept: int, before: int,
          res: ServeKillResult) -> None:  # fmt: skip
    """Rows kept against those committed before this start and at the last look; the loss
    against the rows then unflushed."""
    from skywitness.store.writer import DEFAULT_FLUSH_ROWS

    committed = max(before, look["committed"] if look is not None else 0)
    if kept >= committed:
        res.committed_rows_kept += 1
    else:
        res.problems.append(f"run {k}: {kept} rows kept of {committed} committed")
    if look is None:  # killed before it answered: nothing received that was seen
        return
    res.runs_with_look += 1
    lost = max(0, look["committed"] + look["unflushed"] - kept)
    res.rows_lost_max = max(res.rows_lost_max, lost)
    res.rows_unflushed_max = max(res.rows_unflushed_max, look["unflushed"])
    res.rows_lost_measured += lost
    if lost <= look["unflushed"] <= DEFAULT_FLUSH_ROWS:
        res.loss_within_unflushed_batch += 1
    else:
        res.problems.append(f"run {k}: lost {lost}, {look['unflushed']} unflushed at the look")


def _count_kill(k: int, killed: Killed, res: ServeKillResult) -> None:
    res.kill_after_s.append(round(killed.after_s, 2))
    if killed.answered_after_s is not None:
        res.answered_after_s.append(round(killed.answered_after_s, 2))
    if killed.exited is not None:
        res.finished_before_kill += 1
        res.problems.append(f"run {k}: serve exited by itself ({killed.exited})")
        return
    res.killed_mid_ingest += 1
    res.killed_while_starting += killed.look is None
    res.children_outlived_kill += len(killed.children_left)


def _watch_children(lingering: dict[int, float], res: ServeKillResult, end: bool) -> None:
    """Children of killed serves still running (pid: when their serve was killed): those now
    ended give the longest time a child ran on (at most: seen at this look); those over
    ``CHILD_LIMIT_S`` are killed and counted. At the ``end``, waits for the rest."""
    while lingering:
        now = time.monotonic()
        for pid, killed_at in list(lingering.items()):
            if not alive(pid):
                res.child_outlived_kill_max_s = max(res.child_outlived_kill_max_s,
                                                    round(now - killed_at, 1))  # fmt: skip
            elif now - killed_at > CHILD_LIMIT_S:
                res.children_killed_by_harness += 1
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            else:
                continue
            del lingering[pid]
        if not end:
            return
        time.sleep(0.5)


def _tracebacks(k: int, log: Path, res: ServeKillResult) -> None:
    text = log.read_text(errors="replace")
    if "Traceback" in text:
        last = text[text.index("Traceback") :].strip().splitlines()[-1]
        res.logs_with_traceback.append(f"run {k}: {last[:200]}")


def _final(data: Path, feed: Feed, log: Path, owed: list[Owed], res: ServeKillResult) -> None:
    """A last serve: it reports the last kill, runs a few flushes and stops on SIGTERM; then
    the repairing open finds nothing to repair and the catalogue and the lake agree."""
    res.final_clean_stop = run_then_stop(*start_serve(data, feed, log), FINAL_RUN_S) == 0
    for o in _check_log(log, owed, data, res):
        res.problems.append(f"run {o.run}: ingest #{o.ingest_id} never reported")
    with Store(data) as st:
        res.final_store_clean = st.recovery.clean
        on_disk = {str(p.relative_to(st.lake)) for p in parquet_files(st.lake)}
        catalog = {r[0] for r in st.connection.execute("SELECT path FROM files").fetchall()}
        res.final_catalogue_matches_disk = on_disk == catalog and not temp_files(st.lake)
        n, distinct = st.connection.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp, source)) FROM states"
        ).fetchall()[0]
        committed = st.connection.execute("SELECT coalesce(sum(rows), 0) FROM files")
        res.final_rows_match_catalogue = n == committed.fetchall()[0][0]
    res.rows_stored = int(n)
    res.duplicate_rows = max(res.duplicate_rows, int(n - distinct))


def kill_serve(work: Path, runs: int, seed: int = 0, rate: float = FEED_RATE,
               receivers: int = FEED_RECEIVERS,
               live_s: tuple[float, float] = LIVE_S,
               start_kill_every: int = START_KILL_EVERY,
               progress: Callable[[ServeKillResult], object] | None = None,
               ) -> ServeKillResult:  # fmt: skip
    """``runs`` kills of ``serve`` on one data dir under a paced live feed of ``rate``
    frames/s, each checked (the module's docstring), then a last clean start and stop.
    ``progress`` is given the figures so far after each run (a long run's partial result)."""
    rng = random.Random(seed)
    plan = {"live_s": list(live_s), "start_kill_every": start_kill_every,
            "several_commits": SEVERAL_COMMITS, "child_exit_s": CHILD_EXIT_S,
            "child_limit_s": CHILD_LIMIT_S}  # fmt: skip
    res = ServeKillResult(feed={"rate_frames_per_s": rate, "receivers": receivers,
                                "format": "beast+tcp"}, plan=plan)  # fmt: skip
    data, logs = work / "data", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    seen, owed, lingering = Seen(), list[Owed](), dict[int, float]()
    with paced_feed(rate, receivers, runs * SPAN_PER_RUN_S + 600.0, seed) as feed:
        t0 = time.monotonic()
        for k in range(runs):
            log = logs / f"serve{k:03d}.log"
            proc, port = start_serve(data, feed, log)
            # a start kill: a random moment before the quickest start seen answered
            start_kill = (rng.uniform(0.05, 0.9) * min(res.answered_after_s)
                          if res.answered_after_s and k % start_kill_every == start_kill_every - 1
                          else None)  # fmt: skip
            killed = run_then_kill(proc, port, rng, live_s, start_kill)
            _count_kill(k, killed, res)
            lingering |= dict.fromkeys(killed.children_left, time.monotonic() - CHILD_EXIT_S)
            _watch_children(lingering, res, end=False)
            owed = _check_log(log, owed, data, res)  # this start's report of earlier kills
            owed += _after_kill(data, k, killed.look, seen, owed, res)
            _tracebacks(k, log, res)
            if progress is not None:
                progress(res)
        _final(data, feed, logs / "serve-final.log", owed, res)
        _tracebacks(runs, logs / "serve-final.log", res)
        _watch_children(lingering, res, end=True)
        res.feed |= feed.sent() | {"seconds": round(time.monotonic() - t0, 1)}
    res.frames_sent = res.feed["frames_sent"]
    return res
