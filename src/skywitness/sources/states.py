"""Already-tracked state vectors as input: Parquet with the canonical columns (skywitness's own
lake files, ``traffic`` exports) or OpenSky's historical database columns (``pyopensky``
exports, converted by ``sources.opensky_db``), and ``traffic``/pandas JSON samples.

Both are whole documents (Parquet needs its footer), parsed at the end of the stream; rows are
canonicalised by the store's schema rules (bad times or addresses counted, not kept) and become
``Observations`` of kind OTHER, so they pass the tracker's gates like any other feed.
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..errors import FormatError
from ..model import Observations, PositionSource, RejectReason, SourceKind
from ..stats import IngestStats
from .columns import hex_ints, mapped, spans
from .textio import DocumentParser

PARQUET_MAGIC = b"PAR1"
_POSITION_SOURCES = {p.label: int(p) for p in PositionSource}


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def _squawk(s: str) -> int:
    return int(s) if s and s.isdigit() else -1


def _callsign(c: str) -> str:
    return c


def _addresses(col: pa.ChunkedArray) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """(address, non_icao) of canonical ``icao24`` strings (``abc123`` / ``~abc123``) through
    the hex lookup table; other spellings go one by one, as before."""
    sp = spans(col)
    if sp is not None:
        data, start, size = sp
        head = data[np.minimum(start, data.size - 1)] if data.size else np.zeros_like(start)
        tilde = (size > 0) & (head == 0x7E)
        if (size == 6 + tilde).all():
            value, ok = hex_ints(data, start + tilde, 6)
            if ok.all():
                return value.astype(np.uint32), tilde
    hexes = col.to_pylist()
    non_icao = np.array([h.startswith("~") for h in hexes], dtype=np.bool_)
    return np.array([int(h.lstrip("~"), 16) for h in hexes], dtype=np.uint32), non_icao


def observations_from_states(table: pa.Table, name: str) -> Observations:
    """A STATE_SCHEMA table as Observations (units are already canonical), column-wise."""
    import pyarrow.compute as pc  # on use: start-up of commands that read no states

    n = table.num_rows
    obs = Observations.empty(n, source=name)
    ms = pc.cast(table.column("timestamp"), pa.int64()).to_numpy(zero_copy_only=False)
    obs.timestamp = ms.astype(np.float64) / 1000.0
    obs.icao24, obs.non_icao = _addresses(table.column("icao24"))
    obs.callsign = mapped(pc.fill_null(table.column("callsign"), ""), _callsign, "<U8")
    for col in ("latitude", "longitude", "altitude", "geoaltitude", "groundspeed", "track"):
        setattr(obs, col, _floats(table, col))
    obs.vertical_rate = _floats(table, "vertical_rate")
    obs.squawk = mapped(pc.fill_null(table.column("squawk"), ""), _squawk, np.int16)
    og = pc.fill_null(pc.cast(table.column("onground"), pa.int8()), -1)
    obs.onground = og.to_numpy(zero_copy_only=False).astype(np.int8)
    obs.kind = np.full(n, int(SourceKind.OTHER), dtype=np.uint8)
    obs.position_source = mapped(
        pc.fill_null(table.column("position_source"), ""),
        lambda v: _POSITION_SOURCES.get(v, 0),
        np.uint8,
    )
    return obs


def states_table(buf: bytes, stats: IngestStats, name: str) -> pa.Table | None:
    """The canonical STATE_SCHEMA table of a Parquet or JSON document of state vectors (bad
    rows counted in ``stats``); None when the document itself is unreadable (counted too).
    ``ingest`` of such a file can store this table, gated by ``track.states_gate``, without
    re-tracking it."""
    # on use: the store's schema rules load pyarrow.compute, which decoding frames skips
    from ..store.load import table_from_doc
    from ..store.schema import canonicalize

    if buf.startswith(PARQUET_MAGIC):
        import pyarrow.parquet as pq

        try:
            raw = pq.read_table(pa.BufferReader(buf))
        except (pa.ArrowInvalid, OSError) as exc:
            stats.frames += 1
            stats.reject(RejectReason.TRUNCATED, name, offset=0, detail=str(exc))
            return None
        stats.frames += raw.num_rows
        from .opensky_db import is_opensky_db, opensky_db_table  # on use, as pyarrow.compute

        if is_opensky_db(raw.schema):  # pyopensky/traffic export: SI units, own names
            raw = opensky_db_table(raw, name)
        return canonicalize(raw, stats=stats, source=name)
    try:
        doc = json.loads(buf)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        stats.frames += 1
        stats.reject(RejectReason.BAD_RECORD, name, offset=0, detail=str(exc))
        return None
    try:
        # accepted rows are counted once, by the pipeline that takes the observations
        return table_from_doc(doc, name, stats=stats, source=name, count_accepted=False)
    except FormatError as exc:  # JSON, but not state vectors
        stats.frames += 1
        stats.reject(RejectReason.BAD_RECORD, name, offset=0, detail=str(exc))
        return None


class StatesParser(DocumentParser):
    """Buffers a Parquet or JSON document of state vectors and converts it at the end."""

    def parse(self, buf: bytes, arrival: float | None) -> list[Observations]:
        if not buf.strip():
            return []
        table = states_table(buf, self.stats, self.name)
        if table is None or table.num_rows == 0:
            return []
        self.stats.sources[self.name] += table.num_rows
        return [observations_from_states(table, self.name)]
