"""``ingest`` of already-tracked states (issue 18 item 4): the states document is gated, not
re-tracked, and its flights are built from the rows in memory; what is stored is what the
tracker path stored, on the real quickstart collection.

The tracker path is rebuilt here as ``ingest`` ran it before: the document's rows as
``Observations`` in chunks of ``RunOptions.batch_size`` through one ``Tracker``, stored with
``ingest_tables``, flights rebuilt from the lake (``rebuild_flights``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from skywitness.runtime import history
from skywitness.runtime.history import ingest, open_history, rebuild_flights
from skywitness.runtime.pipeline import RunOptions
from skywitness.sources.records import obs_take
from skywitness.sources.states import observations_from_states
from skywitness.stats import IngestStats
from skywitness.store import Provenance, Store, ingest_tables, load_traffic_json
from skywitness.store.schema import canonicalize
from skywitness.track import StateVectors, Tracker

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"
ORDER = [("icao24", "ascending"), ("timestamp", "ascending")]
FLIGHT_ORDER = [("icao24", "ascending"), ("firstSeen", "ascending")]


def _parquet(shared: Path, path: Path, order: list[tuple[str, str]] | None) -> Path:
    t = load_traffic_json(shared / QUICKSTART)
    if order is not None:
        t = t.take(pc.sort_indices(t, order))
    pq.write_table(t, path, compression="zstd")
    return path


def _tracker_path(path: Path, data_dir: Path) -> Store:
    """``ingest`` of ``path`` as it ran before the gate: re-tracked, flights from the lake."""
    store = open_history(data_dir)
    stats = IngestStats()
    table = canonicalize(pq.read_table(path), stats=stats, source=str(path))
    obs = observations_from_states(table, str(path))
    tracker = Tracker(rate_s=1.0, stats=stats)
    size = RunOptions().batch_size
    parts = [
        tracker.update_observations(obs_take(obs, np.arange(i, min(len(obs), i + size))))
        for i in range(0, len(obs), size)
    ]
    states = StateVectors.concat([*parts, tracker.flush()]).to_arrow()
    ingest_tables(store, [states], Provenance.of_file(path, "states"), stats=stats)
    rebuild_flights(store)
    return store


def _stored(store: Store) -> tuple[pa.Table, pa.Table]:
    flights = store.query_flights()
    return store.states(), flights.take(pc.sort_indices(flights, FLIGHT_ORDER))


@pytest.mark.parametrize("order", [[("timestamp", "ascending")], ORDER])
def test_stored_states_and_flights_as_the_tracker_path(
    shared_data: Path, tmp_path: Path, order: list[tuple[str, str]]
) -> None:
    path = _parquet(shared_data, tmp_path / "q.parquet", order)
    old = _tracker_path(path, tmp_path / "old")
    store = open_history(tmp_path / "new")
    [outcome] = ingest(store, [str(path)], RunOptions())
    states, flights = _stored(store)
    old_states, old_flights = _stored(old)
    assert states.num_rows == old_states.num_rows == 284_505
    assert states.equals(old_states)
    assert flights.num_rows == old_flights.num_rows == outcome.flights == 238
    assert flights.equals(old_flights)
    rec = outcome.record
    assert (rec.status, rec.rows_read, rec.rows_accepted) == ("done", 284_505, 284_505)
    assert rec.rejected == {"implausible_position": 4}
    assert rec.rows_accepted <= rec.rows_read
    store.close()
    old.close()


def test_rows_out_of_time_order_are_all_kept(shared_data: Path, tmp_path: Path) -> None:
    """The collection as given (flight by flight): the tracker, fed 65,536 rows at a time,
    dropped the rows older than what an earlier chunk held for the same aircraft (795 rows of
    3944ee, 12:13:34-12:26:48, uncounted); gated as one document, none is lost."""
    path = _parquet(shared_data, tmp_path / "q.parquet", None)
    store = open_history(tmp_path / "d")
    [outcome] = ingest(store, [str(path)], RunOptions())
    assert outcome.record.rows_stored == outcome.record.rows_read == 284_505
    rows = store.states(icao24="3944ee").column("timestamp")
    assert len(rows) == 1_932
    assert pc.min(rows).as_py().isoformat() == "2021-10-07T12:13:34+00:00"
    store.close()


def test_flights_from_memory_only_when_the_lake_has_nothing_else(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _parquet(shared_data, tmp_path / "a.parquet", ORDER)
    again = _parquet(shared_data, tmp_path / "b.parquet", [("timestamp", "ascending")])
    store = open_history(tmp_path / "d")
    reads: list[object] = []
    lake_states = Store.states

    def counted(self: Store, *args: object, **kwargs: object) -> pa.Table:
        reads.append(args or kwargs)
        return lake_states(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "states", counted)
    [a] = ingest(store, [str(first)], RunOptions())
    assert a.flights == 238 and reads == []  # built from the rows in memory
    # the same rows again from another file: the lake holds both copies, so it is read
    [b] = ingest(store, [str(again)], RunOptions())
    assert len(reads) == 1
    whole = store.query_flights().num_rows
    monkeypatch.setattr(Store, "states", lake_states)
    assert rebuild_flights(store)[1] == whole == b.flights
    store.close()


def test_too_many_rows_for_memory_rebuild_from_the_lake(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest of more rows than it holds builds its flights from the lake's rows (read back
    in the lake's order, unsorted: the build sorts them): the same flights as from the rows
    held in memory."""
    path = _parquet(shared_data, tmp_path / "q.parquet", [("timestamp", "ascending")])
    with open_history(tmp_path / "held") as held:
        ingest(held, [str(path)], RunOptions())
        from_memory = _stored(held)[1]
    monkeypatch.setattr(history, "FLIGHTS_IN_MEMORY_ROWS", 1_000)
    monkeypatch.setattr(history.Extent, "keep_rows", 1_000)
    store = open_history(tmp_path / "d")
    [outcome] = ingest(store, [str(path)], RunOptions())
    assert outcome.flights == store.query_flights().num_rows == 238
    assert _stored(store)[1].equals(from_memory)
    store.close()


def _rebuild_command(err: str) -> list[str]:
    """The ``flights rebuild`` arguments ``ingest --no-flights`` says to run."""
    line = next(x for x in err.splitlines() if x.startswith("flights not rebuilt (--no-flights)"))
    return line.split(": skywitness ", 1)[1].split()


def test_no_flights_then_the_rebuild_it_names_gives_the_plain_ingest(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ingest --no-flights`` (a bulk load) stores the same state vectors, gated and counted
    alike, and no flights; nothing owes them to a recovery; the ``flights rebuild`` it names
    stores exactly the flights a plain ``ingest`` stores."""
    from skywitness.cli.main import main

    path = _parquet(shared_data, tmp_path / "q.parquet", [("timestamp", "ascending")])
    plain, bulk = tmp_path / "plain", tmp_path / "bulk"
    assert main(["ingest", "--data-dir", str(plain), "-q", str(path)]) == 0
    capsys.readouterr()
    assert main(["ingest", "--data-dir", str(bulk), "--no-flights", str(path)]) == 0
    err = capsys.readouterr().err
    said = " ".join(err.split())  # the summary as wrapped to the terminal's width
    assert "284,505 state vectors of 213 aircraft stored, flights not rebuilt" in said
    assert "rejected: implausible_position 4" in said
    argv = _rebuild_command(err)
    assert argv[:4] == ["flights", "rebuild", "--data-dir", str(bulk)]
    assert argv[4::2] == ["--since", "--until"]
    # the rows' first and last times (2021-10-07T12:00:01Z, 14:59:59Z), a day either side
    assert argv[5] == "2021-10-06T12:00:01Z" and argv[7] == "2021-10-08T14:59:59Z"
    with open_history(bulk) as store:  # reopened: no recovery rebuilt them
        assert store.query_flights().num_rows == 0
        [rec] = store.ingests()
        assert (rec.rows_read, rec.rows_stored) == (284_505, 284_505)
        assert rec.rejected == {"implausible_position": 4}
    assert main(argv) == 0
    with open_history(plain) as a, open_history(bulk) as b:
        assert b.states().equals(a.states())
        assert _stored(b)[1].equals(_stored(a)[1])
        assert _stored(b)[1].num_rows == 238
