"""The identity facts a Spark-written lake keeps: the ADS-B emitter categories ``spark ingest``
heard and the trace identity facts of the globe-history archives it read (``r``, ``t``,
``dbFlags``, ``desc``: ``identify.trace_facts``), in its records (``ingest.ingest_records``),
merged into a catalogue as embedded ``ingest`` records them (``identify.adsb_facts``) — into
``spark flights``' and ``spark investigate``'s in-memory copy of the store's catalogue, and
into the store's own by ``spark attach``. A writer job, like the other fact writers."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from typing import Any

from ..identify.adsb_facts import record_adsb_facts
from ..identify.store_schema import ensure_schema as ensure_identity_schema
from ..identify.trace_facts import record_trace_facts
from ..timeutil import parse_iso
from .ingest import ingest_records


def record_lake_facts(con: Any, lake: str | Path) -> int:
    """Merge the identity facts ``lake``'s records keep (a folder or a URI) into catalogue
    ``con``'s, file by file in ingest order, as embedded ``ingest`` does: an archive's trace
    facts, then the emitter categories, version the file's (the archive's) name, recorded at
    its ingest time; returns the facts added."""
    ensure_identity_schema(con)
    added = 0
    for d in ingest_records(lake):
        version = str(d.get("version") or Path(d["path"]).name)
        stamp = parse_iso(d["ingested_at"]).astimezone(UTC).replace(tzinfo=None)
        if d.get("facts"):
            facts = [(str(a), str(f), str(v)) for a, f, v in d["facts"]]
            added += record_trace_facts(con, facts, version, stamp)
        if d.get("categories"):
            added += record_adsb_facts(con, d["categories"], version, stamp)
    return added
