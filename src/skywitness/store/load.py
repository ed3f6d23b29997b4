"""Read ``traffic`` library JSON samples (records or columns orient, unix ms) into the lake schema.

The ``traffic`` samples (and pandas ``to_json`` output in general) are a gzip or plain JSON array
of records, or a ``{column: {row: value}}`` object. Times are unix milliseconds (ISO strings are
accepted too). Records without a time or a valid address are counted and left out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import FormatError, InputError
from ..model import STATE_COLUMNS, STATE_TYPES, RejectReason
from ..stats import IngestStats
from ..timeutil import parse_time
from .schema import STATE_SCHEMA, canonicalize

_FLOATS = tuple(name for name, kind in STATE_TYPES.items() if kind == pa.float64())


def _columns(doc: Any, source: str) -> tuple[dict[str, list[Any]], int]:
    """The document as column lists plus the number of records it holds."""
    if isinstance(doc, list):
        bad = sum(1 for rec in doc if not isinstance(rec, dict))
        records = [rec for rec in doc if isinstance(rec, dict)]
        names = set(STATE_COLUMNS)
        return {k: [rec.get(k) for rec in records] for k in names}, bad
    if isinstance(doc, dict) and all(isinstance(v, dict) for v in doc.values()) and doc:
        index = sorted({k for v in doc.values() for k in v}, key=_row_key)
        return {k: [doc.get(k, {}).get(i) for i in index] for k in STATE_COLUMNS}, 0
    raise FormatError(source, "not a traffic JSON sample (array of records or columns object)")


def _row_key(key: str) -> tuple[int, str]:
    return (int(key), "") if key.lstrip("-").isdigit() else (0, key)


def _float(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return None if math.isnan(f) else f


#: Largest magnitude of a time in unix ms that the int64 column holds.
_MAX_MS = (1 << 63) - 1


def _ms(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return int(v) if abs(v) <= _MAX_MS else None  # beyond int64: no time (counted)
    if isinstance(v, str):
        try:
            return int(parse_time(v).timestamp() * 1000)
        except ValueError:
            return None
    return None


def _squawk(v: Any) -> str | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return None if isinstance(v, float) and not math.isfinite(v) else f"{int(v):04d}"
    text = str(v).strip()
    return text.zfill(4) if text else None


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, float):
        return None
    text = str(v).strip()
    return text or None


def load_traffic_json(
    path: str | Path, *, stats: IngestStats | None = None, source: str | None = None
) -> pa.Table:
    """Load a traffic JSON sample (``.json`` or ``.json.gz``) as a STATE_SCHEMA table.

    ``source`` fills the ``source`` column (default: the file name). Raises InputError when the
    file cannot be read or parsed as JSON, FormatError when it is JSON of another shape.
    """
    import gzip  # on use: ~4 ms of every command's start-up (``ingest`` of Parquet needs none)

    p = Path(path)
    name = str(p)
    try:
        raw = p.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        doc = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(name, "cannot read", detail=str(exc)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(name, "not JSON", detail=str(exc)) from exc
    st = stats if stats is not None else IngestStats()
    st.bytes_read += p.stat().st_size
    return table_from_doc(doc, name, stats=st, source=source if source is not None else p.name)


def table_from_doc(
    doc: Any,
    name: str,
    *,
    stats: IngestStats | None = None,
    source: str | None = None,
    count_accepted: bool = True,
) -> pa.Table:
    """A parsed traffic/pandas JSON document (records or columns) as a STATE_SCHEMA table;
    records without a time or a valid address are counted in ``stats`` and left out.
    ``count_accepted`` False: the caller's pipeline counts the rows it accepts itself."""
    st = stats if stats is not None else IngestStats()
    cols, bad_records = _columns(doc, name)
    st.reject(RejectReason.BAD_RECORD, name, count=bad_records, detail="not an object")
    n = len(cols["timestamp"])
    st.frames += n + bad_records
    src = source if source is not None else name
    onground = [v if isinstance(v, bool) else None for v in cols["onground"]]
    arrays: dict[str, pa.Array] = {
        "timestamp": pa.array([_ms(v) for v in cols["timestamp"]], pa.int64()).cast(
            STATE_SCHEMA.field("timestamp").type
        ),
        "icao24": pa.array([_text(v) for v in cols["icao24"]], pa.string()),
        "callsign": pa.array([_text(v) for v in cols["callsign"]], pa.string()),
        "squawk": pa.array([_squawk(v) for v in cols["squawk"]], pa.string()),
        "onground": pa.array(onground, pa.bool_()),
        "source": pa.array([src] * n, pa.string()),
        "position_source": pa.array([_text(v) for v in cols["position_source"]], pa.string()),
    }
    for f in _FLOATS:
        arrays[f] = pa.array([_float(v) for v in cols[f]], pa.float64())
    table = pa.table({c: arrays[c] for c in STATE_COLUMNS})
    out = canonicalize(table, stats=st, source=name)
    if count_accepted:
        st.accepted += out.num_rows
    return out
