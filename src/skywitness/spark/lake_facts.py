"""The identity facts a Spark-written lake keeps: the ADS-B emitter categories ``spark ingest``
heard, in its records (``ingest.ingest_records``), merged into a catalogue as embedded
``ingest`` records them (``identify.adsb_facts``) — into ``spark flights``' and ``spark
investigate``'s in-memory copy of the store's catalogue, and into the store's own by ``spark
attach``. A writer job, like the other fact writers."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from ..identify.adsb_facts import record_adsb_facts
from ..identify.store_schema import ensure_schema as ensure_identity_schema
from ..timeutil import parse_iso
from .ingest import ingest_records


def record_lake_categories(con: Any, lake: str | Path) -> int:
    """Merge the emitter categories a local ``lake``'s records keep into catalogue ``con``'s
    identity facts, file by file in ingest order, as embedded ``ingest`` does: version the
    file's name, recorded at its ingest time; returns the facts added."""
    ensure_identity_schema(con)
    added = 0
    for d in ingest_records(lake):
        if d.get("categories"):
            stamp = parse_iso(d["ingested_at"]).astimezone(UTC).replace(tzinfo=None)
            added += record_adsb_facts(con, d["categories"], Path(d["path"]).name, stamp)
    return added
