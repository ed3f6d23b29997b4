"""A restarted ``serve`` continues the flights in progress at its last stop: the live flight
stage is warmed with the newest stored state vectors (``flights/warm.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.flights import build_flights
from skywitness.flights.stage import FlightStage
from skywitness.flights.warm import warm_start
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate import parse_scenario, simulate
from skywitness.simulate.writers import write_capture
from skywitness.store import Store
from tests.web.conftest import SCENARIO_TOML

#: The first service stops here (unix s, 2020-01-01T00:30:00Z): two aircraft in the air.
STOP_UNIX_S = 1577838600.0
#: The data ends here (00:50): the two are still flying, the short hop has landed.
END_UNIX_S = 1577839800.0


def _capture(path: Path, lo: float, hi: float) -> Path:
    scenario = parse_scenario(SCENARIO_TOML, "web.toml")
    write_capture(
        (
            b.take(np.flatnonzero((b.timestamp >= lo) & (b.timestamp < hi)))
            for b in simulate(scenario)
        ),
        str(path),
    )
    return path


def _run(capture: Path, data: Path) -> None:
    cfg = ServiceConfig(sources=[str(capture)], data_dir=data, idle_expiry=False)
    svc = Service(cfg).start()
    try:
        assert svc.wait_idle(60)
    finally:
        svc.stop()
        assert svc.wait_closed(60)


def _key(flights: pa.Table) -> list[tuple[object, ...]]:
    cols = ["flight_id", "firstSeen", "lastSeen", "estDepartureAirport", "n_positions"]
    return sorted(tuple(r[c] for c in cols) for r in flights.to_pylist())


def test_flights_in_progress_continue_across_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _run(_capture(tmp_path / "a.jsonl", 0.0, STOP_UNIX_S), data)
    with Store(data, read_only=True) as st:
        before = st.query_flights()
    assert before.num_rows == 3  # two in the air at the stop, the short hop landed
    _run(_capture(tmp_path / "b.jsonl", STOP_UNIX_S, END_UNIX_S), data)
    with Store(data, read_only=True) as st:
        stored = st.query_flights()
        bulk = build_flights(st.states())
    # one flight per aircraft, as a build over all the data gives: no flight ends at the restart
    assert stored.num_rows == 3 and _key(stored) == _key(bulk)
    assert set(stored["flight_id"].to_pylist()) == set(before["flight_id"].to_pylist())


def test_the_warm_start_is_the_newest_window_bounded_and_whole_flights(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _run(_capture(tmp_path / "a.jsonl", 0.0, STOP_UNIX_S), data)
    with Store(data) as st:
        everything = st.states()
        stored = st.query_flights()
        warm = warm_start(st)
        assert warm is not None and warm.states.num_rows == everything.num_rows  # 30 min < 6 h
        assert sorted(warm.supersedes) == sorted(stored["flight_id"].to_pylist())
        ms = everything["timestamp"].cast(pa.int64()).to_numpy()
        ten_min = warm_start(st, window_s=600.0)
        assert ten_min is not None
        # every row of the window, and the flights in progress at its start whole: rebuilt,
        # they are the stored ones (same ids), not truncated copies
        t = ten_min.states["timestamp"].cast(pa.int64()).to_numpy()
        assert np.count_nonzero(t >= ms.max() - 600_000) == np.count_nonzero(
            ms >= ms.max() - 600_000
        )
        rebuilt = FlightStage().step(ten_min.states, supersedes=ten_min.supersedes)
        assert rebuilt.removed == []
        assert set(rebuilt.changed["flight_id"].to_pylist()) == set(ten_min.supersedes)
        # 100x too many rows: the 6 h window shrinks to 3.6 min, then to the 10-minute floor
        capped = warm_start(st, max_rows=everything.num_rows // 100)
        assert capped is not None and capped.states.num_rows == ten_min.states.num_rows
    with Store(tmp_path / "empty") as st:
        assert warm_start(st) is None
