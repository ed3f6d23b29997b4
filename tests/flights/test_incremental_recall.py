"""FlightBuilder with a recall: the simulated Caracas scenario's ocean crossings (Il-62M 1551e0
and An-124 154073 from Moscow to SVMI, 9-10 h out of coverage) fed in time order give the bulk
build's flights; without recall, or where the gap could hide a landing or the aircraft comes
back on the ground, nothing is recalled; summaries are dropped after 24 h."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import FlightBuilder, build_flights
from skywitness.flights.bridge import BRIDGE_RECALL_S
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.simulate import load_builtin, simulate, write_capture

KEY = [
    "flight_id",
    "firstSeen",
    "lastSeen",
    "estDepartureAirport",
    "estArrivalAirport",
    "gaps_bridged",
    "n_positions",
]
STATE_AIRCRAFT = ["1551e0", "154073"]
BY = [("icao24", "ascending"), ("firstSeen", "ascending")]
IL62_ID = "1551e0-20190920T050900.160Z"
AN124_ID = "154073-20190920T060400.546Z"
IL62_OCEAN = (1568956140160, 1568963225314)  # ms: the Il-62's flight before its silence
AN124_OCEAN = (1568959440546, 1568967229962)
SLICE_MS = 600_000


@pytest.fixture(scope="module")
def caracas(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """The Caracas scenario's state vectors, as the store holds them."""
    root = tmp_path_factory.mktemp("caracas")
    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    store = open_history(Path(root / "data"))
    try:
        ingest(store, [str(capture)], RunOptions())
        return store.states()
    finally:
        store.close()


Recall = Callable[[str, int, int], pa.Table]


def _recaller(states: pa.Table, calls: list[tuple[str, int, int]]) -> Recall:
    ts = states["timestamp"].cast("int64")

    def recall(icao24: str, since_ms: int, until_ms: int) -> pa.Table:
        calls.append((icao24, since_ms, until_ms))
        m = pc.and_(pc.greater_equal(ts, since_ms), pc.less_equal(ts, until_ms))
        return states.filter(pc.and_(pc.equal(states["icao24"], icao24), m))

    return recall


def _feed(
    builder: FlightBuilder, states: pa.Table
) -> tuple[dict[str, dict[str, object]], list[list[str]]]:
    """Feed ``states`` in time order, SLICE_MS at a time; return the flights the stream of
    changes adds up to, and the changed ids of each update that recalled a flight."""
    ts = states["timestamp"].cast("int64").to_numpy()
    seen: dict[str, dict[str, object]] = {}
    recalled: list[list[str]] = []
    for lo in range(int(ts.min()), int(ts.max()) + 1, SLICE_MS):
        before = builder.recalls
        changed, removed = builder.update(
            states.filter(pa.array((ts >= lo) & (ts < lo + SLICE_MS)))
        )
        for fid in removed:
            del seen[fid]
        seen.update({r["flight_id"]: r for r in changed.select(KEY).to_pylist()})
        if builder.recalls > before:
            recalled.append(sorted(changed["flight_id"].to_pylist()))
    return seen, recalled


def _state_flights(table: pa.Table) -> list[tuple[object, ...]]:
    rows = table.filter(pc.is_in(table["icao24"], pa.array(STATE_AIRCRAFT))).select(KEY)
    return [tuple(r.values()) for r in rows.sort_by(BY[1:]).to_pylist()]


def test_recall_bridges_the_ocean_like_bulk(caracas: pa.Table) -> None:
    bulk = build_flights(caracas).sort_by(BY)
    calls: list[tuple[str, int, int]] = []
    builder = FlightBuilder(recall=_recaller(caracas, calls))
    seen, recalled = _feed(builder, caracas)
    final = builder.flights()
    assert final.equals(bulk)  # every column of every flight
    # 151daa left coverage climbing out and never came back: still remembered
    assert builder.recalls == 2 and builder.remembered() == 1
    assert calls == [("1551e0", *IL62_OCEAN), ("154073", *AN124_OCEAN)]
    states = _state_flights(final)
    assert [(s[0], s[3], s[4], s[5], s[6]) for s in states] == [
        (IL62_ID, "UUWW", "SVMI", 2, 7828),
        (AN124_ID, "UUMU", "SVMI", 2, 8642),
    ]
    # the old flight comes back in ``changed`` under its id, no other flight appears for it
    assert recalled == [
        ["0c2011-20190920T160057.766Z", IL62_ID],
        [AN124_ID, "3444ce-20190920T181257.540Z"],
    ]
    assert sorted(seen) == sorted(final["flight_id"].to_pylist())
    assert [f for f in seen if f[:6] in STATE_AIRCRAFT] == [IL62_ID, AN124_ID]
    assert {k: seen[k]["lastSeen"] for k in (IL62_ID, AN124_ID)} == {
        IL62_ID: final.filter(pc.equal(final["flight_id"], IL62_ID))["lastSeen"][0].as_py(),
        AN124_ID: final.filter(pc.equal(final["flight_id"], AN124_ID))["lastSeen"][0].as_py(),
    }


def test_without_recall_two_flights_each(caracas: pa.Table) -> None:
    builder = FlightBuilder()
    _feed(builder, caracas)
    states = _state_flights(builder.flights())
    assert [(s[0], s[3], s[4], s[5], s[6]) for s in states] == [
        (IL62_ID, "UUWW", None, 1, 5178),
        (AN124_ID, "UUMU", None, 1, 5872),
        ("1551e0-20190920T162711.713Z", None, "SVMI", 0, 2650),
        ("154073-20190920T181059.871Z", None, "SVMI", 0, 2770),
    ]
    assert builder.recalls == 0 and builder.remembered() == 0


def _after_gap(states: pa.Table) -> npt.NDArray[np.bool_]:
    """The Il-62's rows after its ocean gap."""
    ts = states["timestamp"].cast("int64").to_numpy()
    il62 = np.asarray(pc.equal(states["icao24"], "1551e0").to_numpy(), dtype=bool)
    return np.asarray(il62 & (ts > IL62_OCEAN[1]), dtype=bool)


@pytest.mark.parametrize(
    ("shift_h", "il62"),
    [
        (0, [(IL62_ID, "UUWW", "SVMI")]),
        (13, [(IL62_ID, "UUWW", None), ("1551e0-20190921T052713.193Z", None, "SVMI")]),
    ],
)
def test_bridging_decided_by_same_flight(
    caracas: pa.Table, shift_h: int, il62: list[tuple[str, str | None, str | None]]
) -> None:
    # The Il-62's first points after the gap carry no position (the bulk build bridges such a
    # gap whatever its length); from its first position on, ``same_flight`` decides: at the
    # scenario's time it kept flying, 13 h later it was slow enough across the gap to have
    # landed near Sweden and taken off again (not recalled; the bulk build splits too).
    later = _after_gap(caracas)
    ts = caracas["timestamp"].cast("int64").to_numpy()
    placed = np.asarray(pc.is_valid(caracas["latitude"]).to_numpy(), dtype=bool)
    blind = later & (ts < ts[later & placed].min())
    shifted = np.where(later, ts + shift_h * 3600 * 1000, ts)
    moved = caracas.set_column(0, "timestamp", pa.array(shifted).cast(caracas["timestamp"].type))
    moved = moved.filter(pa.array(~blind))
    calls: list[tuple[str, int, int]] = []
    builder = FlightBuilder(recall=_recaller(moved, calls))
    _feed(builder, moved)
    assert int(blind.sum()) == 2
    assert calls == [("1551e0", *IL62_OCEAN)] * (shift_h == 0) + [("154073", *AN124_OCEAN)]
    assert builder.flights().equals(build_flights(moved).sort_by(BY))
    got = [s[0:1] + s[3:5] for s in _state_flights(builder.flights())]
    assert [s for s in got if str(s[0]).startswith("1551e0")] == il62


def test_back_on_the_ground_is_not_recalled(caracas: pa.Table) -> None:
    # the Il-62's first points after the gap are reported on the ground
    later = _after_gap(caracas)
    ts = caracas["timestamp"].cast("int64").to_numpy()
    first = ts[later].min()
    ground = later & (ts < first + 300_000)
    og = pc.if_else(pa.array(ground), True, caracas["onground"])
    landed = caracas.set_column(caracas.schema.get_field_index("onground"), "onground", og)
    calls: list[tuple[str, int, int]] = []
    builder = FlightBuilder(recall=_recaller(landed, calls))
    _feed(builder, landed)
    assert calls == [("154073", *AN124_OCEAN)]
    assert builder.recalls == 1


def test_summaries_dropped_after_a_day(caracas: pa.Table) -> None:
    calls: list[tuple[str, int, int]] = []
    builder = FlightBuilder(recall=_recaller(caracas, calls))
    ts = caracas["timestamp"].cast("int64").to_numpy()
    gone = pc.is_in(caracas["icao24"], pa.array(["151daa", *STATE_AIRCRAFT]))
    # the three that left coverage in the air (151daa climbing out of Moscow), before the gap
    builder.update(caracas.filter(pc.and_(gone, pa.array(ts < IL62_OCEAN[1] + 3_600_000))))
    assert builder.remembered() == 0
    clock = caracas.filter(pc.equal(caracas["onground"], True)).slice(0, 1)
    clock = clock.set_column(1, "icao24", pa.array(["abcdef"]))  # a parked transponder
    day = round(BRIDGE_RECALL_S * 1000)
    last_151daa = 1568956940090
    for tick_ms, left in (
        (AN124_OCEAN[1] + 6 * 3_600_000 + 1, 3),  # all three 6 h silent: forgotten
        (last_151daa + day, 3),
        (last_151daa + day + 1, 2),
        (IL62_OCEAN[1] + day + 1, 1),
        (AN124_OCEAN[1] + day + 1, 0),
    ):
        tick = clock.set_column(0, "timestamp", pa.array([tick_ms]).cast(clock["timestamp"].type))
        builder.update(tick)
        assert builder.remembered() == left
    assert calls == [] and builder.recalls == 0
