"""Already-tracked state vectors as input: Parquet with the canonical columns (skywitness's own
lake files, ``traffic`` exports) or OpenSky's historical database columns (``pyopensky``
exports, converted by ``sources.opensky_db``), and ``traffic``/pandas JSON samples.

Both are whole documents (Parquet needs its footer), parsed at the end of the stream; rows are
canonicalised by the store's schema rules (bad times or addresses counted, not kept) and passed
on whole as one ``StateRows`` chunk, which the ingest step gates column-wise
(``track.states_gate``); ``observations_from_states`` makes ``Observations`` of kind OTHER of
them for the readers that want reports (``decode``, the live tracker of ``serve``).
"""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import numpy_of
from ..errors import FormatError
from ..model import Observations, PositionSource, RejectReason, SourceKind, StateRows
from ..stats import IngestStats
from .columns import mapped, spans
from .records import implausible_values, off_globe
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
    """(address, non_icao) of ``icao24`` strings: canonical ones (6 lowercase hex digits,
    ``canonicalize`` checked them) straight off the Arrow string buffer; other spellings
    (``~abc123``) one by one, as before."""
    from ..store.lake import icao_keys  # on use, as the store's schema rules

    sp = spans(col)
    if sp is not None and bool((sp[2] == 6).all()):
        return icao_keys(col).astype(np.uint32), np.zeros(sp[2].shape[0], dtype=np.bool_)
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
            # one file: ParquetFile, not read_table (its dataset layer loads pandas, ~0.3 s)
            raw = pq.ParquetFile(pa.BufferReader(buf)).read()
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


def drop_implausible_states(rows: StateRows, stats: IngestStats, name: str) -> StateRows:
    """``rows`` without those holding a value out of physical range, each counted BAD_RECORD:
    ``records.drop_implausible`` over the table's columns."""
    import pyarrow.compute as pc

    t = rows.table

    def col(c: str) -> npt.NDArray[np.float64]:
        return numpy_of(t.column(c), np.nan).astype(np.float64)

    ms = numpy_of(pc.cast(t.column("timestamp"), pa.int64()), 0)
    bad = implausible_values(
        ms / 1000.0, col("groundspeed"), col("altitude"), col("geoaltitude"), col("vertical_rate")
    ) | off_globe(col("latitude"), col("longitude"))
    n = int(np.count_nonzero(bad))
    if n == 0:
        return rows
    stats.reject(RejectReason.BAD_RECORD, name, count=n, detail="value out of physical range")
    stats.sources[name] -= n
    return StateRows(t.filter(pa.array(~bad)), rows.source)


class StatesParser(DocumentParser):
    """Buffers a Parquet or JSON document of state vectors and passes it on whole at the end."""

    def parse(self, buf: bytes, arrival: float | None) -> list[StateRows]:
        if not buf.strip():
            return []
        table = states_table(buf, self.stats, self.name)
        if table is None or table.num_rows == 0:
            return []
        self.stats.sources[self.name] += table.num_rows
        return [StateRows(table, self.name)]
