"""Already-tracked state vectors as input: Parquet with the canonical columns (skywitness's own
lake files, ``traffic`` or OpenSky exports) and ``traffic``/pandas JSON samples.

Both are whole documents (Parquet needs its footer), parsed at the end of the stream; rows are
canonicalised by the store's schema rules (bad times or addresses counted, not kept) and become
``Observations`` of kind OTHER, so they pass the tracker's gates like any other feed.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import FormatError
from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..store.load import table_from_doc
from ..store.schema import canonicalize
from .textio import DocumentParser

PARQUET_MAGIC = b"PAR1"
_POSITION_SOURCES = {p.label: int(p) for p in PositionSource}


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def observations_from_states(table: pa.Table, name: str) -> Observations:
    """A STATE_SCHEMA table as Observations (units are already canonical)."""
    n = table.num_rows
    obs = Observations.empty(n, source=name)
    ms = pc.cast(table.column("timestamp"), pa.int64()).to_numpy(zero_copy_only=False)
    obs.timestamp = ms.astype(np.float64) / 1000.0
    hexes = table.column("icao24").to_pylist()
    obs.non_icao = np.array([h.startswith("~") for h in hexes], dtype=np.bool_)
    obs.icao24 = np.array([int(h.lstrip("~"), 16) for h in hexes], dtype=np.uint32)
    obs.callsign = np.array([c or "" for c in table.column("callsign").to_pylist()], dtype="<U8")
    for col in ("latitude", "longitude", "altitude", "geoaltitude", "groundspeed", "track"):
        setattr(obs, col, _floats(table, col))
    obs.vertical_rate = _floats(table, "vertical_rate")
    obs.squawk = np.array(
        [int(s) if s and s.isdigit() else -1 for s in table.column("squawk").to_pylist()],
        dtype=np.int16,
    )
    obs.onground = np.array(
        [-1 if v is None else int(v) for v in table.column("onground").to_pylist()],
        dtype=np.int8,
    )
    obs.kind = np.full(n, int(SourceKind.OTHER), dtype=np.uint8)
    obs.position_source = np.array(
        [_POSITION_SOURCES.get(v or "", 0) for v in table.column("position_source").to_pylist()],
        dtype=np.uint8,
    )
    return obs


class StatesParser(DocumentParser):
    """Buffers a Parquet or JSON document of state vectors and converts it at the end."""

    def parse(self, buf: bytes, arrival: float | None) -> list[Observations]:
        if not buf.strip():
            return []
        if buf.startswith(PARQUET_MAGIC):
            try:
                raw = pq.read_table(pa.BufferReader(buf))
            except (pa.ArrowInvalid, OSError) as exc:
                self.stats.frames += 1
                self.stats.reject(RejectReason.TRUNCATED, self.name, offset=0, detail=str(exc))
                return []
            self.stats.frames += raw.num_rows
            table = canonicalize(raw, stats=self.stats, source=self.name)
        else:
            try:
                doc = json.loads(buf)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                self.stats.frames += 1
                self.stats.reject(RejectReason.BAD_RECORD, self.name, offset=0, detail=str(exc))
                return []
            try:
                table = table_from_doc(doc, self.name, stats=self.stats, source=self.name)
            except FormatError as exc:  # JSON, but not state vectors
                self.stats.frames += 1
                self.stats.reject(RejectReason.BAD_RECORD, self.name, offset=0, detail=str(exc))
                return []
        if table.num_rows == 0:
            return []
        self.stats.sources[self.name] += table.num_rows
        return [observations_from_states(table, self.name)]
