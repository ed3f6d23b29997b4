"""Defect 4: an ingest killed after storing its state vectors and before building their flights
lost the flights for good (``db info`` said "closed cleanly", a re-ingest "nothing added").
Now the ingest is marked as owing its flights until they are stored; a read-only open says so
and the next ``open_history`` rebuilds them. Input: the real Beast capture in ../shared/data."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.store import Store

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
CHILD = Path(__file__).with_name("_kill_child.py")


def _run_child(data: Path, source: Path, when: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHILD), str(data), str(source), when],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def _flights(data: Path) -> list[tuple[str, object]]:
    with Store(data, read_only=True) as st:
        rows = st.connection.execute(
            "SELECT icao24, firstSeen FROM flights ORDER BY 1, 2"
        ).fetchall()
    return [(r[0], r[1]) for r in rows]


def test_kill_between_states_and_flights_is_reported_and_redone(
    tmp_path: Path, shared_data: Path
) -> None:
    src = shared_data / CAPTURE
    clean = tmp_path / "clean"
    store = open_history(clean)
    (outcome,) = ingest(store, [str(src)], RunOptions())
    store.close()
    expected = _flights(clean)
    assert len(expected) == outcome.flights > 0

    data = tmp_path / "data"
    r = _run_child(data, src, "flights")
    assert r.returncode == -signal.SIGKILL and "killed before flights" in r.stdout, r.stderr
    with Store(data, read_only=True) as st:  # what `db info` shows
        assert st.info()["flights"] == 0 and st.info()["rows"] == outcome.record.rows_stored
        summary = st.recovery.summary()
    assert summary.startswith("NOT closed cleanly") and "flights to be rebuilt" in summary
    store = open_history(data)  # the next ingest (or any history open) repairs it
    rebuilt = store.recovery.derived
    assert [d["rebuilt"] for d in rebuilt] == [len(expected)]
    assert f"{len(expected):,} flights rebuilt" in store.recovery.summary()
    (again,) = ingest(store, [str(src)], RunOptions())  # the file itself was stored completely
    assert again.record.status == "duplicate"
    store.close()
    assert _flights(data) == expected
    with Store(data) as st:
        assert st.recovery.clean


def test_a_completed_ingest_leaves_no_mark(tmp_path: Path, shared_data: Path) -> None:
    data = tmp_path / "data"
    r = _run_child(data, shared_data / CAPTURE, "never")
    assert r.returncode == 0 and "finished" in r.stdout, r.stderr
    with Store(data, read_only=True) as st:
        assert st.recovery.clean and st.recovery.summary().startswith("store was closed cleanly")
