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

from ..decode.hexio import bool_column, numpy_of, one_chunk, valid_of, values_view
from ..errors import FormatError
from ..model import (
    STATE_COLUMNS,
    Observations,
    PositionSource,
    RejectReason,
    SourceKind,
    StateRows,
)
from ..stats import IngestStats
from .columns import mapped, spans
from .records import implausible_values, off_globe
from .textio import DocumentParser

PARQUET_MAGIC = b"PAR1"
#: Canonical columns a states document's readers never use, so not decoded from Parquet
#: (left null): the ingest step names the document as each row's ``source`` and stores no
#: position error for a state vector it did not solve; ``observations_from_states`` reads
#: neither. A 1.1M-row file's ``source`` alone is ~30 MB of strings to decode.
UNREAD_COLUMNS = frozenset({"source", "position_error"})
_POSITION_SOURCES = {p.label: int(p) for p in PositionSource}
#: Text columns read from Parquet as the file stores them, dictionary-encoded (each distinct
#: text once, each row its index), not decoded into a text per row: the gate wants them so
#: (addresses parsed, callsigns and squawks read once per distinct value, not hashed again);
#: on a 1.1M-row file ~0.04 s less of the Parquet reader's CPU and less of the gate's
#: (bench/RESULTS.md). ``observations_from_states`` decodes them.
DICTIONARY_TEXTS = ("icao24", "callsign", "squawk", "position_source")
#: The float columns ``drop_implausible_states`` checks.
RANGE_COLUMNS = ("groundspeed", "altitude", "geoaltitude", "vertical_rate", "latitude", "longitude")


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def squawk_of(s: str) -> int:
    """A squawk's 4 digits as the int16 column holds them; -1 when it is not 1-4 digits.
    The one reading of a states table's squawk text (``track.states_gate`` uses it too)."""
    return int(s) if s and len(s) <= 4 and s.isdigit() else -1


def position_source_of(label: str) -> int:
    """A position source's label as its ``PositionSource`` code; 0 for one it does not know."""
    return _POSITION_SOURCES.get(label, 0)


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


def plain_texts(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-encoded columns decoded (``states_table``'s texts)."""
    for i, col in enumerate(table.columns):
        if pa.types.is_dictionary(col.type):
            table = table.set_column(i, table.field(i).name, col.cast(col.type.value_type))
    return table


def observations_from_states(table: pa.Table, name: str) -> Observations:
    """A STATE_SCHEMA table (``states_table``'s: texts may be dictionary-encoded) as
    Observations (units are already canonical), column-wise."""
    import pyarrow.compute as pc  # on use: start-up of commands that read no states

    table = plain_texts(table)
    n = table.num_rows
    obs = Observations.empty(n, source=name)
    ms = pc.cast(table.column("timestamp"), pa.int64()).to_numpy(zero_copy_only=False)
    obs.timestamp = ms.astype(np.float64) / 1000.0
    obs.icao24, obs.non_icao = _addresses(table.column("icao24"))
    obs.callsign = mapped(pc.fill_null(table.column("callsign"), ""), _callsign, "<U8")
    for col in ("latitude", "longitude", "altitude", "geoaltitude", "groundspeed", "track"):
        setattr(obs, col, _floats(table, col))
    obs.vertical_rate = _floats(table, "vertical_rate")
    obs.squawk = mapped(pc.fill_null(table.column("squawk"), ""), squawk_of, np.int16)
    og = pc.fill_null(pc.cast(table.column("onground"), pa.int8()), -1)
    obs.onground = og.to_numpy(zero_copy_only=False).astype(np.int8)
    obs.kind = np.full(n, int(SourceKind.OTHER), dtype=np.uint8)
    obs.position_source = mapped(
        pc.fill_null(table.column("position_source"), ""), position_source_of, np.uint8
    )
    return obs


def _columns_read(schema: pa.Schema) -> list[str] | None:
    """The columns of a canonical states Parquet file worth decoding: the canonical ones but
    ``UNREAD_COLUMNS`` (None: all, when it has none of them: its rows are then counted)."""
    names = [c for c in schema.names if c in STATE_COLUMNS and c not in UNREAD_COLUMNS]
    return names or None


def _parquet(buf: bytes) -> tuple[pa.Table, bool]:
    """(the columns of a Parquet document worth reading, whether it is an OpenSky export);
    a canonical file's ``DICTIONARY_TEXTS`` that hold texts come dictionary-encoded."""
    import pyarrow.parquet as pq

    from .opensky_db import is_opensky_db  # on use, as pyarrow.compute

    # one file: ParquetFile, not read_table (its dataset layer loads pandas, ~0.3 s)
    pf = pq.ParquetFile(pa.BufferReader(buf))
    schema = pf.schema_arrow
    if is_opensky_db(schema):
        return pf.read(), True
    texts = [
        c for c in DICTIONARY_TEXTS if c in schema.names and schema.field(c).type == pa.string()
    ]
    if texts:  # the footer already parsed is given again, not read twice
        pf = pq.ParquetFile(pa.BufferReader(buf), metadata=pf.metadata, read_dictionary=texts)
    return pf.read(columns=_columns_read(schema)), False


def states_table(buf: bytes, stats: IngestStats, name: str) -> pa.Table | None:
    """The canonical STATE_SCHEMA table of a Parquet or JSON document of state vectors (bad
    rows counted in ``stats``); None when the document itself is unreadable (counted too).
    Of a Parquet document, the texts of ``DICTIONARY_TEXTS`` may come dictionary-encoded
    (the string type's values; ``plain_texts`` decodes them). ``ingest`` of such a file can
    store this table, gated by ``track.states_gate``, without re-tracking it."""
    # on use: the store's schema rules load pyarrow.compute, which decoding frames skips
    from ..store.load import table_from_doc
    from ..store.schema import canonicalize

    if buf.startswith(PARQUET_MAGIC):
        from .opensky_db import opensky_db_table  # on use, as pyarrow.compute

        try:
            raw, opensky = _parquet(buf)
        except (pa.ArrowException, OSError, ValueError) as exc:  # bad metadata: UnicodeError
            stats.frames += 1
            stats.reject(RejectReason.TRUNCATED, name, offset=0, detail=str(exc))
            return None
        stats.frames += raw.num_rows
        try:
            raw.validate(full=True)  # Parquet readers do not check that texts are UTF-8
            if opensky:  # pyopensky/traffic export: SI units, own names
                raw = opensky_db_table(raw, name)
            # one chunk per column, once: every reader after (the range checks, the gate,
            # the address parse) then views the buffers; a file of several row groups was
            # otherwise combined (copied) again by each of them
            return canonicalize(raw, stats=stats, source=name, dictionaries=True).combine_chunks()
        except (pa.ArrowException, ValueError) as exc:  # texts, a time zone, not UTF-8...
            stats.frames += 0 if raw.num_rows else 1  # the file, as one bad record
            stats.reject(RejectReason.BAD_RECORD, name, count=max(raw.num_rows, 1), offset=0,
                         detail=f"unreadable columns: {exc}")  # fmt: skip
            return None
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


#: Rows checked for physical ranges at a time: cache-sized temporaries, reused, rather than a
#: dozen fresh arrays of a whole document (a page faulted in costs more than the compares).
CHECK_ROWS = 65_536
#: A float column as the range checks read it: (its values, where it holds one; None: all).
Column = tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_] | None]


def _column(col: pa.ChunkedArray) -> Column:
    """``col`` for range checks (``Column``): its values are the Arrow buffer itself when it
    is float64 (no copy of a million rows); one NaN when it is all null; other types converted,
    nulls NaN."""
    arr = one_chunk(col)
    if arr.null_count == len(arr):
        return np.array(np.nan), None
    if arr.type != pa.float64():
        return numpy_of(arr, np.nan).astype(np.float64, copy=False), None
    view: npt.NDArray[np.float64] = values_view(arr, np.float64)
    return view, valid_of(arr) if arr.null_count else None


def _block(column: Column, lo: int, hi: int) -> npt.NDArray[np.float64]:
    """Rows ``lo:hi`` of a ``_column``, nulls NaN."""
    values, valid = column
    if values.ndim == 0:  # all null
        return values
    if valid is None:
        return values[lo:hi]
    out: npt.NDArray[np.float64] = np.where(valid[lo:hi], values[lo:hi], np.nan)
    return out


def _millis(col: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """The timestamps as int64 ms, off the Arrow buffer (canonical: never null)."""
    arr = one_chunk(col)
    if arr.null_count:
        return numpy_of(arr, 0).astype(np.int64, copy=False)
    ms: npt.NDArray[np.int64] = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr)
    ]
    return ms


def drop_implausible_states(rows: StateRows, stats: IngestStats, name: str) -> StateRows:
    """``rows`` without those holding a value out of physical range, each counted BAD_RECORD:
    ``records.drop_implausible`` over the table's columns, ``CHECK_ROWS`` rows at a time."""
    t = rows.table
    n = t.num_rows
    ms = _millis(t.column("timestamp"))
    cols = {c: _column(t.column(c)) for c in RANGE_COLUMNS}
    bad = np.empty(n, dtype=np.bool_)
    for lo in range(0, n, CHECK_ROWS):
        hi = min(lo + CHECK_ROWS, n)
        v = {c: _block(cols[c], lo, hi) for c in RANGE_COLUMNS}
        bad[lo:hi] = implausible_values(
            ms[lo:hi] / 1000.0, v["groundspeed"], v["altitude"], v["geoaltitude"],
            v["vertical_rate"],
        ) | off_globe(v["latitude"], v["longitude"])  # fmt: skip
    nbad = int(np.count_nonzero(bad))
    if nbad == 0:
        return rows
    stats.reject(RejectReason.BAD_RECORD, name, count=nbad, detail="value out of physical range")
    stats.sources[name] -= nbad
    keep = bool_column(~bad)  # not pa.array: that loads pandas
    return StateRows(t.filter(keep), rows.source)


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
