"""#17 defect 5, the flights side: with a full disk the catalogue's COMMIT fails; the rollback
after it then failed too ("cannot rollback - no transaction is active", hiding the real error),
the flights worker failed every step, published nothing and never stored again, and a SIGTERM
waited for a flights child that ignores SIGTERM. Now the flights keep flowing live (stream and
subscribers), ``/api/stats`` says they are not stored, the latest change of each flight is
kept and stored once the disk has room, and ``serve`` exits within seconds of a SIGTERM.

The disk fills through a fault seam (any user): the catalogue connection's COMMIT fails as
DuckDB's does on a full disk (the transaction is gone, the WAL not written), and the lake's
Parquet writer raises ENOSPC."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from skywitness.flights.stage import FlightStage
from skywitness.runtime.hub import Hub
from skywitness.runtime.workers import FlightsWorker
from skywitness.stats import IngestStats
from skywitness.store import Store
from tests.flights.tracks import brussels_departure

FULL = 'Failed to commit: Could not write file "catalog.duckdb.wal": No space left on device'

#: ``serve`` with the disk full (the seam above, installed before the CLI runs).
FULL_SERVE = """
import errno, sys, duckdb
import pyarrow as pa
import skywitness.store.store as store_mod
from skywitness.cli.main import main

class Full:
    def __init__(self, con): self._con = con
    def __getattr__(self, name): return getattr(self._con, name)
    def execute(self, sql, *a, **k):
        if sql == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.TransactionException(FULL_MESSAGE)
        for name, value in sys._getframe(1).f_locals.items():
            if isinstance(value, pa.Table) and name in sql:
                self._con.register(name, value)
        return self._con.execute(sql, *a, **k)

def no_space(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device", "lake/part.parquet")

# the disk fills once the store is open (its schema made: a fresh store on a full disk could
# not be made at all)
real_write, real_init = store_mod.Store.write, store_mod.Store.__init__
def opened(self, *a, **k):
    real_init(self, *a, **k)
    self.full = True
def write(self, job):
    full = getattr(self, "full", False)
    return real_write(self, lambda con: job(Full(con)) if full else job(con))
store_mod.Store.__init__ = opened
store_mod.Store.write = write
store_mod.write_atomic = no_space
sys.exit(main(sys.argv[1:]))
""".replace("FULL_MESSAGE", repr(FULL))


class FullDisk:
    """A catalogue cursor whose COMMIT fails as DuckDB's does when the WAL cannot be written."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, *a: Any, **k: Any) -> Any:
        if sql == "COMMIT":
            self._con.execute("ROLLBACK")  # DuckDB ends the transaction when a commit fails
            raise duckdb.TransactionException(FULL)
        # DuckDB finds Arrow tables named in the SQL among its caller's variables: the caller
        # is now this proxy, so the tables are registered for it
        for name, value in sys._getframe(1).f_locals.items():
            if isinstance(value, pa.Table) and name in sql:
                self._con.register(name, value)
        return self._con.execute(sql, *a, **k)


def fill(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Store.write
    monkeypatch.setattr(store, "write", lambda job: real(store, lambda con: job(FullDisk(con))))


class ListeningHub(Hub):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    @property
    def clients(self) -> int:
        return 1

    def publish_texts(self, texts: list[str]) -> None:
        self.sent += texts


def test_a_failed_commit_reports_the_full_disk_not_the_rollback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "data") as store:
        fill(store, monkeypatch)
        flight = FlightStage().step(brussels_departure())
        with pytest.raises(duckdb.TransactionException, match="No space left on device"):
            store.replace_flights(flight.changed)


def test_flights_flow_live_while_the_disk_is_full_and_are_stored_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "data") as store:
        fill(store, monkeypatch)
        hub = ListeningHub()
        worker = FlightsWorker(hub, IngestStats(), store=store)
        seen: list[list[str]] = []
        worker.subscribers.append(lambda t, _: seen.append(t["flight_id"].to_pylist()))
        worker.add(brussels_departure())
        worker.step()
        fid = "44a001-20211007T120000.000Z"
        assert worker.failed is None and seen == [[fid]]  # the watch got it
        assert len(hub.sent) == 9 and all(fid in t for t in hub.sent)  # one a minute of data
        assert '"change":"new"' in hub.sent[0] and '"change":"changed"' in hub.sent[-1]
        storer = worker.storer
        assert storer is not None
        assert storer.degraded is not None and "No space left" in storer.degraded
        assert storer.unstored == 1 and store.query_flights().num_rows == 0
        worker.step()  # too soon to try again: kept
        assert storer.unstored == 1 and storer.degraded is not None
        monkeypatch.undo()  # room again
        storer.retry_s = 0.0
        worker.step()
        assert storer.degraded is None and storer.unstored == 0
        assert store.query_flights()["flight_id"].to_pylist() == [fid]


def test_serve_with_a_full_disk_stops_within_seconds_of_sigterm(tmp_path: Path) -> None:
    from skywitness.simulate import load_builtin, simulate
    from skywitness.simulate.writers import write_capture

    capture = tmp_path / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    cmd = [sys.executable, "-c", FULL_SERVE, "serve", "--source", str(capture)]
    cmd += ["--data-dir", str(tmp_path / "data"), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "serving http" in line:
                break
        time.sleep(8.0)  # the capture is read; the flights stage is far behind it
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
        took = time.monotonic() - t0
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "stopped; store flushed" in out
    assert "No space left on device" in err and "cannot rollback" not in err
    assert took < 20.0, took
