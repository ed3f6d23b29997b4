"""Faults, CI-sized (``scripts/reliability.py`` runs them at length): kill -9 of ``ingest`` at
random moments (input: the real Beast capture), kill -9 of ``serve`` under a paced live feed,
two ingests on one data dir, an ingest while another process holds the store, a full disk and
a read-only data dir (fault seams, any user)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from fuzz.faults import kill_ingest, two_writers, while_held
from skywitness.cli.main import main
from skywitness.store import lake

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
#: Kill runs in CI (the long run does hundreds).
CI_KILLS = 3
#: serve kills in CI: two after it answered, the last while it starts.
CI_SERVE_KILLS = 3


def test_kill_ingest_at_random_moments(tmp_path: Path, shared_data: Path) -> None:
    res = kill_ingest(tmp_path, CI_KILLS, seed=17, source=shared_data / CAPTURE)
    assert res.killed_mid_ingest == CI_KILLS and res.problems == []
    n = res.runs  # with the ingests that finished before their kill
    assert res.store_opened == res.catalogue_matches_disk == res.rows_match_catalogue == n
    assert res.parquet_files_corrupt == 0 and res.claimed_clean_after_kill == 0
    assert res.resumed_complete == res.flights_match_clean_ingest == n
    assert res.duplicate_rows == 0 and res.rows_lost_after_retry_max == 0
    assert res.loss_reported_on_next_start == res.runs_with_ingest_to_report


def test_two_ingests_on_one_data_dir(tmp_path: Path, shared_data: Path) -> None:
    res = two_writers(tmp_path, shared_data / CAPTURE)
    assert res["exit_codes"] in ([0, 1], [0, 0]) and res["clear_error"], res
    if res["exit_codes"] == [0, 1]:  # they overlapped: the second met the first's lock
        assert "lock" in res["error"]
    assert res["duplicates"] == 0 and res["store_consistent"] and res["rows"] > 0


def test_ingest_while_the_store_is_held(tmp_path: Path, shared_data: Path) -> None:
    res = while_held(tmp_path, shared_data / CAPTURE)
    assert res["exit_code"] == 1 and res["clear_error"], res


def test_full_disk_while_writing_is_a_clear_error_and_resumable(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The disk fills while a batch is written (a fault seam in the lake writer): a clear
    error, the store opens consistent, and the same ingest completes once space is back."""
    real = lake.write_atomic

    def full(*a: object, **k: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device", "lake/part.parquet")

    monkeypatch.setattr(lake, "write_atomic", full)
    import skywitness.store.store as store_mod

    monkeypatch.setattr(store_mod, "write_atomic", full)
    data = str(tmp_path / "data")
    src = str(shared_data / CAPTURE)
    assert main(["ingest", src, "--data-dir", data, "-q"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    monkeypatch.setattr(store_mod, "write_atomic", real)
    monkeypatch.setattr(lake, "write_atomic", real)
    assert main(["ingest", src, "--data-dir", data, "-q"]) == 0
    from skywitness.store import Store

    with Store(data, read_only=True) as st:
        n, distinct = st.connection.execute(
            "SELECT count(*), count(DISTINCT (icao24, timestamp)) FROM states"
        ).fetchall()[0]
    assert n == distinct > 0


def test_kill_serve_at_random_moments_under_a_paced_live_feed(tmp_path: Path) -> None:
    """``serve`` on one data dir, fed Beast over TCP at a steady rate by the soak's receivers,
    SIGKILLed CI_SERVE_KILLS times (the last one while it starts), then started once more and
    stopped cleanly: after each kill the store opens, nothing committed is lost, no Parquet
    file is corrupt, nothing is stored twice, the loss is within the unflushed batch, and
    ``db info`` and the next serve's log report it."""
    from fuzz.serve_kills import kill_serve
    from scripts.reliability_kills import kills

    n = CI_SERVE_KILLS
    res = kill_serve(tmp_path, n, seed=5, rate=500.0, live_s=(2.0, 5.0), start_kill_every=n)
    assert res.problems == [] and res.runs == res.killed_mid_ingest == n
    # the last kill comes before the quickest start so far answered (unless this one was
    # quicker: then it is a kill after a look)
    assert res.killed_while_starting <= 1 and res.runs_with_look == n - res.killed_while_starting
    assert res.store_opened == res.catalogued_files_on_disk == res.rows_match_catalogue == n
    assert res.committed_rows_kept == n and res.loss_within_unflushed_batch == res.runs_with_look
    assert res.parquet_files_checked > 0 and res.parquet_files_corrupt == 0
    assert res.claimed_clean_after_kill == 0 and res.duplicate_rows == 0
    assert res.db_info_rows_match == n  # db info's state vectors: the rows kept
    assert res.children_killed_by_harness == 0  # a killed serve's children end by themselves
    # the live kills came after this serve's own commits, with rows then unflushed
    assert res.runs_with_rows >= 1 and sum(res.commits_before_kill) >= 2
    # each kill with an ingest to repair was reported by db info and by the next serve's log
    assert res.runs_with_ingest_to_report >= n - 1
    assert res.next_start_reported == res.loss_reported_on_next_start
    assert res.loss_reported_on_next_start == res.runs_with_ingest_to_report
    assert res.final_clean_stop and res.final_store_clean
    assert res.final_catalogue_matches_disk and res.final_rows_match_catalogue
    assert res.rows_stored > 0 and res.frames_sent > 0
    # docs/reliability.md's section is written from these figures
    piece = {"data": res.as_dict(), "command": "test", "when": "now", "machine": "here",
             "seconds": 1.0}  # fmt: skip
    page = "\n".join(kills({"serve_kills": piece}))
    assert "| killed while starting (before it answered) | 1 |" in page
    assert f"| state vectors in the store at the end | {res.rows_stored:,} |" in page


def test_live_kill_reports_the_unflushed_batch(tmp_path: Path, shared_data: Path) -> None:
    """A live ingest killed with rows received but not flushed: the committed batch is kept,
    and the next start says how many received rows were not stored (before: only "N committed
    rows kept", the unflushed batch lost without a word)."""
    import os
    import subprocess
    import sys

    from skywitness.store import Store

    data = tmp_path / "data"
    states = shared_data / "traffic-trajectories/collections/switzerland.json.gz"
    child = Path(__file__).with_name("_live_kill_child.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    r = subprocess.run(
        [sys.executable, str(child), str(data), str(states), "3000", "1234"],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert r.returncode == -9 and "noted 4234" in r.stdout, r.stderr[-2000:]
    info = subprocess.run(
        [sys.executable, "-m", "skywitness", "db", "info", "--data-dir", str(data)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    said = " ".join(info.stdout.split())
    assert "NOT closed cleanly" in said
    assert "1,234 of the 4,234 rows it had received were not stored" in said
    with Store(data) as st:
        assert st.recovery.rows_not_stored == 1234
        (ing,) = st.recovery.interrupted_ingests
        assert ing["rows_kept"] == 3000 and ing["rows_received"] == 4234
        assert st.states().num_rows == 3000
    with Store(data) as st:  # reported once: the ingest is closed as interrupted
        assert st.recovery.clean
