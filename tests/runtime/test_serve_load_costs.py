"""The cheaper paths of ``serve`` at 100,000 frames/s (session 14, load14s) give the same
answers as before: the watch's memoised identity lookups, the alerts' batched save, the
aircraft table's release, and a sampler's read of a lazy body."""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np

from skywitness.identify.identity import identify_many
from skywitness.runtime.live import LazyBody, memo_identities
from skywitness.timeutil import from_unix
from skywitness.track.table import AircraftTable
from skywitness.watch.alerts import Alert, alert_id, save_alerts

T0 = 1_750_000_000.0


class _Spy:
    """A connection that counts the operator-designator queries it runs."""

    def __init__(self, con: Any) -> None:
        self.con, self.operator_queries = con, 0

    def execute(self, sql: str, params: Any = None) -> Any:
        if "operator_facts" in sql and "designator" in sql:
            self.operator_queries += 1
        return self.con.execute(sql) if params is None else self.con.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.con, name)


def test_memo_identities_answers_as_identify_many_with_one_query_per_designator() -> None:
    keys = [(f"3c{i:04x}", "DLH4" + str(i)) for i in range(30)]
    keys += [(f"4b{i:04x}", "SWR1" + str(i)) for i in range(20)] + [("a00001", "")]
    plain, memo = _Spy(duckdb.connect()), _Spy(duckdb.connect())
    want = identify_many(plain, keys)
    got = memo_identities(memo)(keys)
    assert [g.__dict__ for g in got] == [w.__dict__ for w in want]
    assert (plain.operator_queries, memo.operator_queries) == (50, 2)


def _alert(k: float, i: int) -> Alert:
    t = T0 + k + i * 1e-3
    return Alert(alert_id("r", "seen", f"{i:06x}", "", t, -1), "r", "seen", t, f"{i:06x}",
                 positions=[{"t": t, "lat": 50.0}], identity={"typecode": "A320"})  # fmt: skip


def test_save_alerts_skips_stored_ids_and_numbers_rows_in_order() -> None:
    con = duckdb.connect()
    first = [_alert(0, i) for i in range(5)]
    assert save_alerts(con, first) == 5
    # two stored already (one of them 3,600 s older than the rest of the batch), three new
    again = [first[1], _alert(3600, 7), first[3], _alert(3600, 8), _alert(3600, 9)]
    assert save_alerts(con, again) == 3
    assert save_alerts(con, again) == 0
    rows = con.execute("SELECT id, icao24, time FROM alerts ORDER BY id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        (1, "000000"), (2, "000001"), (3, "000002"), (4, "000003"), (5, "000004"),
        (6, "000007"), (7, "000008"), (8, "000009"),
    ]  # fmt: skip
    assert rows[5][2] == from_unix(T0 + 3600 + 0.007).replace(tzinfo=None)


def test_release_keeps_the_order_of_the_others() -> None:
    table = AircraftTable(capacity=4)
    slots = table.allocate([0x3C0001, 0x3C0002, 0x3C0003, 0x3C0004, 0x3C0005])
    table.release(slots[[1, 3]])
    assert list(table.slot) == [0x3C0001, 0x3C0003, 0x3C0005]
    assert table.active_slots().tolist() == slots[[0, 2, 4]].tolist()
    assert table.cols["key"][slots[[1, 3]]].tolist() == [0, 0]
    assert table.lookup([0x3C0002, 0x3C0003]).tolist() == [0, int(slots[2])]
    assert np.array_equal(table.allocate([0x3C0006]), slots[[3]])  # a freed slot reused


def test_a_sampler_read_is_not_a_demand() -> None:
    body = LazyBody(lambda: {"a": 1}, eager=False)
    assert body.get(demand=False).plain == LazyBody(lambda: {"a": 1}).get().plain
    assert body.wanted_at is None
    body.get()
    assert body.wanted_at is not None
