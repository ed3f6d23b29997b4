"""kill -9 of ``serve`` at random moments (``fuzz.faults`` holds the ingest kills and the
checks both share): each kill comes right after a last look at ``/api/stats``, so its loss is
measured against what the process had received (rows committed, rows not yet flushed)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

from skywitness.store import Store

from .faults import (
    QUICKSTART,
    KillResult,
    _check_store,
    _claims_clean,
    _counts,
    _db_info,
    _free_port,
    _popen,
    _reported,
    _to_report,
)


def serve_stored_s(work: Path, source: Path = QUICKSTART, limit_s: float = 300.0) -> float:
    """Seconds a clean ``serve`` of ``source`` takes to start, read it all and store it (rows
    and flights unchanged for a second, nothing pending): the window the kills of
    ``kill_serve`` are spread over."""
    import httpx

    port = _free_port()
    proc = _popen("serve", "--source", str(source), "--data-dir", str(work / "serve-clean"),
                  "--port", str(port))  # fmt: skip
    t0 = time.monotonic()
    last: tuple[int, int] = (-1, -1)
    try:
        while time.monotonic() - t0 < limit_s:
            time.sleep(1.0)
            try:
                s = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=10).json()
            except httpx.HTTPError:
                continue
            store = s.get("store") or {}
            now = (int(store.get("rows") or 0), int(store.get("flights") or 0))
            if now[0] and not store.get("pending_rows") and now == last:  # stored, settled
                return time.monotonic() - t0
            last = now
        raise RuntimeError(f"serve did not store {source} in {limit_s} s")
    finally:
        proc.terminate()
        proc.communicate(timeout=120)


def _last_look(port: int, proc: subprocess.Popen[str], until: float) -> dict[str, int] | None:
    """Poll ``/api/stats`` until ``until`` (monotonic s) or ``proc`` exits; the store's rows
    committed and received-not-committed at the last answer (None: it never answered)."""
    import httpx

    last: dict[str, int] | None = None
    while proc.poll() is None:
        left = until - time.monotonic()
        if left <= 0:
            break
        try:
            s = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=max(0.05, left)).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(min(0.05, max(0.0, until - time.monotonic())))
            continue
        store = s.get("store") or {}
        last = {"committed": int(store.get("rows") or 0),
                "unflushed": int(store.get("pending_rows") or 0)}  # fmt: skip
    return last


def _serve_loss(data: Path, look: dict[str, int] | None, said: str, res: KillResult) -> None:
    """The loss of one serve kill against its last look, and what the next start said."""
    from skywitness.store.writer import DEFAULT_FLUSH_ROWS

    with Store(data) as st:  # the next start's repairing open (serve logs its summary)
        rep = st.recovery
        recovered = rep.summary()
        kept = int(
            st.connection.execute("SELECT coalesce(sum(rows), 0) FROM files").fetchall()[0][0]
        )
    ingests = [i for i in rep.interrupted_ingests if not i["from_file"]]
    if ingests and _reported(res, said, recovered, f"{kept:,} committed rows kept"):
        res.rows_lost_reported += rep.rows_not_stored
    if look is None:  # killed before it answered: nothing received to compare
        res.committed_rows_kept += 1
        res.loss_within_unflushed_batch += 1
        return
    received = look["committed"] + look["unflushed"]
    lost = max(0, received - kept)
    res.rows_lost_max = max(res.rows_lost_max, lost)
    res.rows_unflushed_max = max(res.rows_unflushed_max, look["unflushed"])
    res.rows_lost_measured += lost
    if kept >= look["committed"]:
        res.committed_rows_kept += 1
    if lost <= look["unflushed"] <= DEFAULT_FLUSH_ROWS:
        res.loss_within_unflushed_batch += 1
    else:
        res.problems.append(f"{data}: lost {lost} of {received}, {look['unflushed']} unflushed")


def kill_serve(work: Path, runs: int, seed: int = 0, source: Path = QUICKSTART) -> KillResult:
    """``runs`` times: ``serve`` ``source`` into a fresh data dir, SIGKILL it after a random
    delay (uniform over 0.1-1.1 times what a clean serve takes to start, store everything and
    build flights: ``serve_stored_s``), right after a last look at ``/api/stats``; check the
    store, what ``db info`` and the repairing open say, and the loss against that last look.
    ``runs_with_rows`` counts the runs killed after some rows were committed. (A retry of
    ``serve`` on the same file would store it again: a live ingest has no file identity, so
    there is no resume check here.)"""
    rng = random.Random(seed)
    res = KillResult()
    done_s = serve_stored_s(work, source)
    for k in range(runs):
        data = work / f"serve{k}"
        port = _free_port()
        proc = _popen("serve", "--source", str(source), "--data-dir", str(data), "--port",
                      str(port))  # fmt: skip
        delay = done_s * rng.uniform(0.1, 1.1)
        res.kill_after_s.append(round(delay, 2))
        look = _last_look(port, proc, time.monotonic() + delay)
        if proc.poll() is not None:
            res.finished_before_kill += 1
            res.problems.append(f"serve run {k} exited by itself: {proc.communicate()[1][-300:]}")
        else:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            res.killed_mid_ingest += 1
        proc.communicate()
        res.runs += 1
        if not (data / "catalog.duckdb").exists():
            res.store_opened += 1
            res.catalogue_matches_disk += 1
            res.rows_match_catalogue += 1
            res.committed_rows_kept += 1
            res.loss_within_unflushed_batch += 1
            continue
        _claims_clean(data, res)
        said = _db_info(data) if _to_report(data) else ""
        _serve_loss(data, look, said, res)
        _check_store(data, res)
        if _counts(data)[0] > 0:
            res.runs_with_rows += 1
    return res
