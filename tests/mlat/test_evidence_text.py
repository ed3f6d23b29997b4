"""The evidence text names multilateration positions apart from ADS-B ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from skywitness.evidence.positions_text import mlat_text
from skywitness.store import STATE_SCHEMA


def _positions(rows: list[tuple[str, str, str, float | None]]) -> pa.Table:
    n = len(rows)
    t0 = datetime(2019, 9, 20, 10, 0, tzinfo=UTC)
    cols = {name: pa.nulls(n, STATE_SCHEMA.field(name).type) for name in STATE_SCHEMA.names}
    cols["timestamp"] = pa.array([t0] * n, STATE_SCHEMA.field("timestamp").type)
    cols["icao24"] = pa.array([r[0] for r in rows])
    cols["latitude"] = pa.array([10.5] * n)
    cols["longitude"] = pa.array([-66.9] * n)
    cols["position_source"] = pa.array([r[1] for r in rows])
    cols["source"] = pa.array([r[2] for r in rows])
    cols["position_error"] = pa.array([r[3] for r in rows], pa.float64())
    return pa.table(cols, schema=STATE_SCHEMA)


def test_mlat_positions_are_named_with_error_and_receivers() -> None:
    pos = _positions(
        [
            ("1551e0", "adsb", "rx1.beast", None),
            ("1551e0", "mlat", "mlat (5 receivers)", 80.0),
            ("1551e0", "mlat", "mlat (5 receivers)", 90.0),
            ("1551e0", "mlat", "mlat (4 receivers)", 400.0),
            ("3c6444", "mlat", "mlat (6 receivers)", 10.0),
        ]
    )
    text = mlat_text(pos, {"icao24": "1551e0"})
    assert text == "; 3 positions by multilateration, ±90 m, from 5 receivers (1 by ADS-B)"
    assert mlat_text(pos, {"icao24": "abcdef"}) == ""
    only_adsb = _positions([("1551e0", "adsb", "rx1.beast", None)])
    assert mlat_text(only_adsb, {"icao24": "1551e0"}) == ""
