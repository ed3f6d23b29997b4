"""#10: serve's live flights stage steps in data-time windows, not on the wall clock. A fast
replay and a slow one of the same state vectors give the same flight messages in the same order
(and the flights of the bulk build); the messages say whether a flight is new, changed or
finished (docs/api.md, ``event: flight``)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.flights import build_flights
from skywitness.flights.windows import DataWindows
from skywitness.runtime.flight_steps import FlightSteps
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.hub import Hub
from skywitness.runtime.pipeline import RunOptions
from skywitness.runtime.workers import FlightsWorker
from skywitness.simulate import load_builtin, simulate
from skywitness.simulate.writers import write_capture
from skywitness.stats import IngestStats
from tests.flights.tracks import brussels_departure
from tests.watch.helpers import states

BY = [("icao24", "ascending"), ("firstSeen", "ascending")]


class ListeningHub(Hub):
    """A hub with one stream client that records what is published."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    @property
    def clients(self) -> int:
        return 1

    def publish_texts(self, texts: list[str]) -> None:
        self.sent += texts


def _messages(texts: list[str]) -> list[dict[str, object]]:
    return [json.loads(t.split("data: ", 1)[1]) for t in texts]


@pytest.fixture(scope="module")
def caracas(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """The state vectors of the Caracas scenario (11 flights), as the tracker gives them."""
    root = tmp_path_factory.mktemp("caracas")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    st = open_history(root / "data")
    try:
        ingest(st, [str(capture)], RunOptions())
        return st.states().sort_by([("timestamp", "ascending")])
    finally:
        st.close()


def _slices(table: pa.Table, rows: int) -> Iterator[pa.Table]:
    for at in range(0, table.num_rows, rows):
        yield table.slice(at, rows)


def _replay(table: pa.Table, rows: int, per_step: int) -> tuple[list[str], FlightsWorker]:
    """The state vectors handed to a running flights worker ``rows`` at a time; after each
    ``per_step`` hand-overs (0: never) it waits until the worker has taken them (so each of its
    steps gets at most that many, whatever the machine's load); the stream texts it published,
    in order. The worker's wall-time "input went quiet" drain is off: the one step timing that
    may change what is stepped when (a pause of ``FLIGHTS_QUIET_S``), not what is replayed."""
    hub = ListeningHub()
    worker = FlightsWorker(hub, IngestStats(), interval_s=0.02, quiet_s=math.inf)
    worker.start()
    for k, part in enumerate(_slices(table, rows), 1):
        worker.add(part)
        while per_step and k % per_step == 0 and worker.pending_rows:
            time.sleep(0.005)
    worker.stop()
    assert worker.failed is None
    return hub.sent, worker


def test_fast_and_slow_replays_give_the_same_flight_changes(caracas: pa.Table) -> None:
    fast, fw = _replay(caracas, 20_000, 0)  # 3 hand-overs
    slow, sw = _replay(caracas, 500, 3)  # ~90 hand-overs, up to 3 per worker step
    groups = -(-caracas.num_rows // 1500)  # of 3 hand-overs of 500 rows: one step each at least
    assert fw.updates <= 3 < groups <= sw.updates
    assert fast == slow
    # one stage step per 60 s window of data time, whatever the speed
    assert fw.windows == sw.windows > 250
    msgs = _messages(fast)
    firsts: dict[str, str] = {}
    for m in msgs:
        firsts.setdefault(str(m["flight_id"]), str(m["change"]))
    assert set(firsts.values()) == {"new"}  # each flight's first message
    assert {m["change"] for m in msgs} <= {"new", "changed", "finished", "removed"}
    # the bulk build's flights, but the two ocean crossings (no lake to recall them from here:
    # tests/runtime/test_lake_recall.py) as two flights each
    got = fw.engine.flights()
    assert got.num_rows == build_flights(caracas).num_rows + 2 == 13
    assert set(firsts) == set(got["flight_id"].to_pylist())


def test_windows_do_not_depend_on_how_the_rows_are_cut(caracas: pa.Table) -> None:
    one = DataWindows()
    one.push(caracas)
    whole = one.drain()
    cut = DataWindows()
    parts: list[tuple[float, pa.Table]] = []
    for part in _slices(caracas, 777):
        cut.push(part)
        parts += cut.ready()
    parts += cut.drain()
    assert [e for e, _ in parts] == [e for e, _ in whole]
    assert all(a.equals(b) for (_, a), (_, b) in zip(parts, whole, strict=True))
    assert cut.late == 0 and cut.rows == 0
    assert all(e % 60 == 0 for e, _ in whole)


def test_a_row_after_its_window_was_sealed_joins_the_next_one() -> None:
    t0 = 1_700_000_020.0  # 40 s into a minute
    win = DataWindows(step_s=60.0, lateness_s=5.0)
    win.push(states([{"t": t0, "icao24": "3c6444"}, {"t": t0 + 26, "icao24": "3c6444"}]))
    (first,) = win.ready()  # sealed: a row 6 s past its end came
    assert first[1].num_rows == 1
    win.push(states([{"t": t0 + 1, "icao24": "3c6444"}]))  # too late for its window
    assert win.late == 1 and win.ready() == []
    ((end, rows),) = win.drain()
    assert end == first[0] + 60 and rows.num_rows == 2


def test_a_finished_flight_says_so() -> None:
    flight = brussels_departure()
    t_end = flight["timestamp"].cast("int64").to_numpy().max() / 1000.0
    steps = FlightSteps()
    first = steps.advance(flight, drain=True, want_texts=True)
    assert first.texts is not None
    assert _messages(first.texts)[0]["change"] == "new"
    # another aircraft 7 h later: the departure's aircraft has been silent for 6 h, its flight
    # is final (the change gate holds nothing back for it then)
    later = states([{"t": t_end + 7 * 3600, "icao24": "3c6444", "onground": True}])
    res = steps.advance(later, drain=True, want_texts=True)
    assert res.texts is not None
    (msg,) = [m for m in _messages(res.texts) if m["flight_id"] == "44a001-20211007T120000.000Z"]
    assert msg["change"] == "finished" and msg["icao24"] == "44a001"
    assert res.changed["flight_id"].to_pylist() == ["44a001-20211007T120000.000Z"]


def test_serve_docs_name_the_flight_changes() -> None:
    api = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert "`new`, `changed`, `finished` or `removed`" in api


def test_the_flights_queue_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """#17 item 12: a flights stage far behind the tracker does not let the queue before it
    grow without bound; what is dropped is counted (it is in the store)."""
    import skywitness.runtime.workers as workers

    monkeypatch.setattr(workers, "PENDING_MAX_ROWS", 100)
    worker = FlightsWorker(Hub(), IngestStats())
    part = brussels_departure()  # 91 rows
    for _ in range(5):
        worker.add(part)
    assert worker.pending_rows == 91 and worker.dropped_rows == 4 * 91
    worker.step()
    assert worker.pending_rows == 0 and worker.engine.flights().num_rows == 1
