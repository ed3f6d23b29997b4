"""Alerts: the record of a rule firing, with what triggered it, and the ``alerts`` table.

An alert keeps the rule, the event, the flight, the few state vectors around the event with
their sources, and the identity facts the rule relied on, so it can be shown and cited later.
Its id is a hash of what triggered it: the same input gives the same ids (live or replay), and
the id doubles as the idempotency key of notifiers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from ..timeutil import from_unix, unix_z

#: The catalogue's ``alerts`` table (created by the store; created here the same way when a bare
#: connection is given). The whole alert, evidence included, is the JSON in ``details``.
ALERTS_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS alert_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS alerts (
        id BIGINT, time TIMESTAMP, icao24 VARCHAR, rule VARCHAR, message VARCHAR,
        details VARCHAR)""",
)


def alert_id(rule: str, event: str, icao24: str, flight_id: str, t: float, fence: int) -> str:
    key = f"{rule}|{event}|{icao24}|{flight_id}|{t:.3f}|{fence}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


@dataclass
class Alert:
    alert_id: str
    rule: str
    event: str
    timestamp: float  # unix s UTC of the event
    icao24: str
    callsign: str = ""
    flight_id: str = ""
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None  # ft
    airport: str = ""
    country: str = ""
    squawk: str = ""
    area: str = ""
    sources: list[str] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)

    @property
    def time_iso(self) -> str:
        return unix_z(self.timestamp, "ms")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["time"] = self.time_iso
        return d

    def title(self) -> str:
        who = self.callsign or self.icao24
        where = f" {self.airport}" if self.airport else (f" {self.area}" if self.area else "")
        return f"[{self.rule}] {who} ({self.icao24}) {self.event}{where} at {self.time_iso}"


def ensure_alerts(con: Any) -> None:
    for stmt in ALERTS_DDL:
        con.execute(stmt)


#: Margin around a batch's times when its ids are looked for among the stored alerts, s: an
#: id names its event's time to the ms (``alert_id``), stored in ``time``.
ID_TIME_MARGIN_S = 1.0


def save_alerts(con: Any, alerts: list[Alert]) -> int:
    """Insert alerts (an alert id already stored is left as it is); return how many were new.

    The ids already stored are looked for among the alerts of the batch's times only (the
    ``time`` column prunes by zone map): matching the JSON of every stored alert made each
    batch's check grow with the table, and 20,000 alerts as one Arrow table, not an
    ``executemany`` of rows (both ~half the catalogue writer's CPU in the soak)."""
    if not alerts:
        return 0
    ensure_alerts(con)
    ids = [a.alert_id for a in alerts]
    times = [a.timestamp for a in alerts]
    lo = from_unix(min(times) - ID_TIME_MARGIN_S).replace(tzinfo=None)
    hi = from_unix(max(times) + ID_TIME_MARGIN_S).replace(tzinfo=None)
    known = {
        r[0]
        for r in con.execute(
            "SELECT json_extract_string(details, '$.alert_id') FROM alerts "
            "WHERE time BETWEEN ? AND ? "
            "AND list_contains(?, json_extract_string(details, '$.alert_id'))",
            [lo, hi, ids],
        ).fetchall()
    }
    new = [a for a in alerts if a.alert_id not in known]
    if not new:
        return 0
    # the ids in row order, as the one-row inserts took them from the sequence
    seq = con.execute(
        "SELECT nextval('alert_id_seq') AS id FROM range(?) ORDER BY id", [len(new)]
    ).fetchall()
    table = pa.table(
        {
            "id": pa.array([int(r[0]) for r in seq], pa.int64()),
            "time": pa.array(
                [from_unix(a.timestamp).replace(tzinfo=None) for a in new], pa.timestamp("us")
            ),
            "icao24": pa.array([a.icao24 for a in new], pa.string()),
            "rule": pa.array([a.rule for a in new], pa.string()),
            "message": pa.array([a.title() for a in new], pa.string()),
            "details": pa.array(
                [json.dumps(a.as_dict(), sort_keys=True, default=str) for a in new], pa.string()
            ),
        }
    )
    con.from_arrow(table).insert_into("alerts")
    return len(new)


def list_alerts(
    con: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    rule: str | None = None,
) -> list[Alert]:
    """Stored alerts in time order; ``since`` inclusive, ``until`` exclusive."""
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    if "alerts" not in tables:
        return []
    where: list[str] = ["details IS NOT NULL"]
    params: list[Any] = []
    if since is not None:
        where.append("time >= ?")
        params.append(since.astimezone(UTC).replace(tzinfo=None))
    if until is not None:
        where.append("time < ?")
        params.append(until.astimezone(UTC).replace(tzinfo=None))
    if rule is not None:
        where.append("rule = ?")
        params.append(rule)
    sql = f"SELECT details FROM alerts WHERE {' AND '.join(where)} ORDER BY time, rule, icao24, id"
    out = []
    names = set(Alert.__dataclass_fields__)
    for (details,) in con.execute(sql, params).fetchall():
        try:
            d = json.loads(details)
            out.append(Alert(**{k: v for k, v in d.items() if k in names}))
        except (ValueError, TypeError):
            continue  # a row some other writer left in another shape: not an alert of ours
    return out
