"""FlightBuilder: feeding quickstart in slices gives the bulk result, an update recomputes only
the aircraft it touches, and memory stays bounded on a long stream of many short flights."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import FLIGHT_SCHEMA, FlightBuilder, build_flights, cutting
from skywitness.flights.cutting import QUIET_S
from skywitness.flights.incremental import FINAL_SILENCE_S
from skywitness.flights.settle import CUT_POINTS
from skywitness.flights.tablediff import diff_flights
from skywitness.stats import IngestStats

KEY = ("flight_id", "estDepartureAirport", "estArrivalAirport", "n_positions", "gaps_bridged")


def _keys(table: pa.Table) -> list[tuple[Any, ...]]:
    d = table.to_pydict()
    return sorted(zip(*(d[k] for k in KEY), strict=True))


@pytest.mark.parametrize("slice_s", [3600, 600])
def test_slices_equal_bulk(quickstart: pa.Table, runways: pa.Table, slice_s: int) -> None:
    bulk = build_flights(quickstart, runways=runways)
    builder = FlightBuilder(runways)
    ts = quickstart["timestamp"].cast("int64")
    lo = pc.min(ts).as_py()
    seen: dict[str, dict[str, Any]] = {}
    for k in range(3 * 3600 // slice_s):
        m = pc.and_(
            pc.greater_equal(ts, lo + k * slice_s * 1000),
            pc.less(ts, lo + (k + 1) * slice_s * 1000),
        )
        changed, removed = builder.update(quickstart.filter(m))
        assert changed.schema == FLIGHT_SCHEMA
        for i in removed:
            del seen[i]
        for r in changed.to_pylist():
            seen[r["flight_id"]] = r
    final = builder.flights()
    assert final.num_rows == bulk.num_rows == 238
    assert _keys(final) == _keys(bulk)
    assert final.equals(bulk.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")]))
    # the stream of changes and removals adds up to the final table
    assert sorted(seen) == sorted(final["flight_id"].to_pylist())
    # nothing made final in 3 h: every row held, but those before the cuts of long flights
    assert builder.late == 0 and builder.cuts > 0
    assert builder.retained_rows() < quickstart.num_rows


def test_update_touches_only_its_aircraft(quickstart: pa.Table, runways: pa.Table) -> None:
    builder = FlightBuilder(runways)
    builder.update(quickstart)
    before = builder.flights()
    icao = "39d300"
    one = quickstart.filter(pc.equal(quickstart["icao24"], icao))
    last = one.slice(one.num_rows - 1, 1)
    ms = last["timestamp"].cast("int64").to_numpy() + 10_000  # one more point, 10 s later
    later = last.set_column(0, "timestamp", pa.array(ms).cast(last["timestamp"].type))
    changed, removed = builder.update(later)
    assert set(changed["icao24"].to_pylist()) == {icao}
    assert changed.num_rows == 1 and removed == []
    assert (
        changed["n_positions"][0].as_py()
        == (
            before.filter(pc.equal(before["flight_id"], changed["flight_id"][0]))["n_positions"][0]
        ).as_py()
        + 1
    )
    after = builder.flights()
    others_after = after.filter(pc.not_equal(after["icao24"], icao))
    others_before = before.filter(pc.not_equal(before["icao24"], icao))
    assert _keys(others_after) == _keys(others_before)
    # rows without time or address are counted, not silently dropped
    stats = IngestStats()
    ts_type = quickstart["timestamp"].type
    bad = pa.table({"timestamp": pa.nulls(2, ts_type), "icao24": pa.array(["4ca123", None])})
    changed, removed = builder.update(bad, stats)
    assert (changed.num_rows, removed, stats.rejected["bad_record"]) == (0, [], 2)


# -- bounded memory: a long synthetic stream of many short flights ------------------------------
EHAM = (52.3086, 4.7639)  # Amsterdam Schiphol
EHRD = (51.9569, 4.4372)  # Rotterdam (~46 km away)
STEP_S = 30  # s between state vectors
CYCLE = (20, 60)  # points on the ground (10 min), then airborne (30 min)
ACTIVE_S = 8 * 3600  # each aircraft flies back and forth for 8 h
STAGGER_S = 2 * 3600  # a new aircraft starts every 2 h
N_AIRCRAFT = 12
T0 = 1_700_000_000  # unix s


def _stream() -> pa.Table:
    """N_AIRCRAFT aircraft, each shuttling EHAM <-> EHRD for ACTIVE_S, one after another."""
    per = ACTIVE_S // STEP_S
    k = np.arange(per)
    ground_n, air_n = CYCLE
    cycle, pos = np.divmod(k, ground_n + air_n)
    here = np.where((cycle % 2 == 0)[:, None], EHAM, EHRD)
    there = np.where((cycle % 2 == 0)[:, None], EHRD, EHAM)
    air = pos >= ground_n
    f = np.clip((pos - ground_n + 1) / (air_n + 1), 0.0, 1.0)  # fraction of the leg flown
    lat = here[:, 0] + f * (there[:, 0] - here[:, 0])
    lon = here[:, 1] + f * (there[:, 1] - here[:, 1])
    alt = np.where(air, 10_000.0 * np.minimum(1.0, 4 * np.minimum(f, 1 - f)), np.nan)
    cols: dict[str, list[Any]] = {c: [] for c in ("t", "icao", "lat", "lon", "alt", "gs", "og")}
    for i in range(N_AIRCRAFT):
        cols["t"].append((T0 + i * STAGGER_S + k * STEP_S) * 1000)
        cols["icao"].append(np.full(per, f"4ca{i:03x}"))
        cols["lat"].append(lat + i * 1e-4)
        cols["lon"].append(lon)
        cols["alt"].append(alt)
        cols["gs"].append(np.where(air, 120.0, 5.0))
        cols["og"].append(~air)
    c = {name: np.concatenate(v) for name, v in cols.items()}
    order = np.argsort(c["t"], kind="stable")
    return pa.table(
        {
            "timestamp": pa.array(c["t"][order]).cast(pa.timestamp("ms", tz="UTC")),
            "icao24": pa.array(c["icao"][order]),
            "callsign": pa.array(np.char.add("KLM", c["icao"][order])),
            "latitude": pa.array(c["lat"][order]),
            "longitude": pa.array(c["lon"][order]),
            "altitude": pa.array(c["alt"][order], from_pandas=True),
            "groundspeed": pa.array(c["gs"][order]),
            "onground": pa.array(c["og"][order]),
            "source": pa.array(np.full(order.shape[0], "synthetic")),
        }
    )


def test_memory_bounded_on_a_long_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    # the 12 aircraft stand for the many whose quiet rows pay for a cut's build
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 0)
    stream = _stream()
    ms = stream["timestamp"].cast("int64").to_numpy()
    builder = FlightBuilder()
    window_ms = 600_000  # feed 10 min at a time
    edges = np.searchsorted(ms, np.arange(ms[0], ms[-1] + window_ms, window_ms))
    rows_per_cycle = sum(CYCLE)
    peak = 0
    for a, b in itertools.pairwise([*edges.tolist(), ms.shape[0]]):
        if b == a:
            continue
        builder.update(stream.slice(a, b - a))
        now_s = ms[b - 1] / 1000
        last_s = T0 + np.arange(N_AIRCRAFT) * STAGGER_S + ACTIVE_S - STEP_S
        first_s = T0 + np.arange(N_AIRCRAFT) * STAGGER_S
        held = int(((first_s <= now_s) & (now_s - last_s < FINAL_SILENCE_S)).sum())
        # at most: the flight in progress, the one before, and one started in the last LATE_S
        assert builder.retained_rows() <= held * 3 * rows_per_cycle
        # an aircraft quiet for QUIET_S (it vanished airborne, short of its 12th landing) was
        # cut at its last settled airborne rows (looked for once per QUIET_S of data time):
        # it holds those CUT_POINTS rows only, not its last two flights, for the hours until
        # it is forgotten
        quiet = (now_s - last_s > 2 * QUIET_S) & (now_s - last_s < FINAL_SILENCE_S)
        for i in np.flatnonzero(quiet):
            assert builder.retained_rows_of(f"4ca{i:03x}") == CUT_POINTS
        peak = max(peak, builder.retained_rows())
    assert stream.num_rows == 11_520
    # before quiet aircraft were cut the peak was 1,194 rows: 4 aircraft active and up to 3 quiet
    # ones each holding its last two flights
    assert peak <= 4 * 3 * rows_per_cycle + 3 * CUT_POINTS < 1_194
    # at the end 4 aircraft were seen in the last 6 h: the active one holds its last two flights
    # (80 and 79 rows), the 3 quiet ones CUT_POINTS rows each, the 8 others are forgotten
    assert builder.quiet_cuts == N_AIRCRAFT - 1
    assert builder.retained_rows() == 2 * rows_per_cycle - 1 + 3 * CUT_POINTS
    bulk = build_flights(stream).sort_by([("icao24", "ascending"), ("firstSeen", "ascending")])
    final = builder.flights()
    assert final.num_rows == bulk.num_rows == N_AIRCRAFT * 12
    assert final.equals(bulk)


def test_late_points_are_counted() -> None:
    stream = _stream()
    ms = stream["timestamp"].cast("int64").to_numpy()
    builder = FlightBuilder()
    cut = int(np.searchsorted(ms, ms[0] + 4 * 3600_000))  # first 4 h
    builder.update(stream.slice(0, cut))
    before = builder.flights()
    stats = IngestStats()
    first = stream.slice(0, 1)  # the very first point again: its flight is final
    changed, removed = builder.update(first, stats)
    assert (changed.num_rows, removed, builder.late, stats.rejected["bad_timestamp"]) == (
        0,
        [],
        1,
        1,
    )
    assert builder.flights().equals(before)


def test_diff_compares_every_column(quickstart: pa.Table, runways: pa.Table) -> None:
    bulk = build_flights(quickstart, runways=runways)
    same, gone = diff_flights(bulk, bulk)
    assert (same.num_rows, gone) == (0, [])
    rows = bulk.to_pylist()
    rows[3]["callsigns"] = [*rows[3]["callsigns"], "X"]  # a list grows
    rows[5]["arrival_alternatives"] = []  # a list shrinks (from 1 entry)
    alt = rows[7]["departure_alternatives"]
    rows[7]["departure_alternatives"] = [{**alt[0], "score": 0.123}, *alt[1:]]  # a struct value
    rows[9]["estArrivalAirportVertDistance"] = None  # a null
    edited = pa.Table.from_pylist(rows, schema=FLIGHT_SCHEMA)
    changed, gone = diff_flights(bulk.slice(0, 200), edited)
    ids = [rows[i]["flight_id"] for i in (3, 5, 7, 9)] + bulk["flight_id"].to_pylist()[200:]
    assert sorted(changed["flight_id"].to_pylist()) == sorted(ids)
    assert gone == []
    _, gone = diff_flights(bulk, bulk.slice(1))
    assert gone == [bulk["flight_id"][0].as_py()]
