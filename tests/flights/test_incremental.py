"""FlightBuilder: feeding quickstart in three time slices gives the bulk result, and an update
recomputes only the aircraft it touches."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from skywitness.flights import FLIGHT_SCHEMA, FlightBuilder, build_flights
from skywitness.stats import IngestStats

KEY = ("flight_id", "estDepartureAirport", "estArrivalAirport", "n_positions", "gaps_bridged")


def _keys(table: pa.Table) -> list[tuple]:
    d = table.to_pydict()
    return sorted(zip(*(d[k] for k in KEY), strict=True))


def test_slices_equal_bulk(quickstart: pa.Table, runways: pa.Table) -> None:
    bulk = build_flights(quickstart, runways=runways)
    builder = FlightBuilder(runways)
    ts = quickstart["timestamp"].cast("int64")
    lo = pc.min(ts).as_py()
    hour = 3600_000
    seen: dict[str, dict] = {}
    for k in range(3):
        m = pc.and_(pc.greater_equal(ts, lo + k * hour), pc.less(ts, lo + (k + 1) * hour))
        changed, removed = builder.update(quickstart.filter(m))
        assert changed.schema == FLIGHT_SCHEMA
        for i in removed:
            del seen[i]
        for r in changed.to_pylist():
            seen[r["flight_id"]] = r
    final = builder.flights()
    assert final.num_rows == bulk.num_rows == 238
    assert _keys(final) == _keys(bulk)
    # the stream of changes and removals adds up to the final table
    assert sorted(seen) == sorted(final["flight_id"].to_pylist())


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
