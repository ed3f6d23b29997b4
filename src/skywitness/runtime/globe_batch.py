"""A globe ingest's batch of traces: what it keeps of each trace, its rows in the lake's order
(UTC day, icao24, time), the callsign and squawk carried along a trace, and its leg starts.
Pure functions over ``Observations`` and plain values (``runtime.globe`` does the I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import (
    address_column,
    check_codes,
    check_text_bytes,
    labels,
    string_array,
    text_column,
    valid_of,
)
from ..decode.squawktext import squawk_column as squawks
from ..model import Observations
from ..runs import run_heads
from ..sources.records import obs_take
from .records import kind_column, position_source_column

#: Seconds in a UTC day (the lake's partitions).
DAY_S = 86_400
_AT8 = np.arange(8, dtype=np.uint8)
#: A column is made from its runs when they average at least this many rows: one value made
#: a run and its text copied whole per run (a Python step per run: short runs are made per row).
RUN_ROWS = 32
#: The stored columns ``run_columns`` makes from their runs, and what makes each per row.
_RUN_MADE: dict[str, Callable[[Any], pa.Array]] = {
    "callsign": text_column,
    "icao24": address_column,
    "squawk": squawks,
    "kind": kind_column,
    "position_source": position_source_column,
}


@dataclass(frozen=True, slots=True)
class Trace:
    """What a batch keeps of a trace document (not the parsed JSON: it is ~6x the columns)."""

    member: str
    icao: str
    start: float  # the document's ``timestamp``: with ``icao``, the trace's identity
    last: float  # unix s of its last point stored
    facts: list[tuple[str, str, str]]
    categories: dict[str, str]  # its emitter category, as ``ingest`` notes it


@dataclass
class Pending:
    docs: list[Trace] = field(default_factory=list)
    obs: list[Observations] = field(default_factory=list)
    points: int = 0


def trace_start(doc: dict[str, object]) -> float:
    t = doc.get("timestamp")
    return float(t) if isinstance(t, int | float) else 0.0


def trace_end(doc: dict[str, object], start: float) -> float:
    """Unix s of a trace document's last point (inf when it cannot be told cheaply)."""
    trace = doc.get("trace")
    if isinstance(trace, list) and trace and isinstance(trace[-1], list) and trace[-1]:
        dt = trace[-1][0]
        if isinstance(dt, int | float) and not isinstance(dt, bool):
            return start + float(dt)
    return float("inf")


def carry_forward(obs: Observations) -> Observations:
    """Callsign and squawk (given only now and then in a trace) carried to the points after:
    each given value repeated up to the next (the points before the first keep none)."""
    for name, missing in (("callsign", ""), ("squawk", -1)):
        col = getattr(obs, name)
        given = np.flatnonzero(col != missing)
        if given.shape[0] in (0, col.shape[0]):
            continue
        filled = np.empty_like(col)
        first = int(given[0])
        filled[:first] = missing
        # (a repeat of each value: ~4x cheaper than gathering the last given one per row)
        filled[first:] = np.repeat(col[given], np.diff(given, append=col.shape[0]))
        setattr(obs, name, filled)
    return obs


def lake_order(pending: Pending) -> None:
    """Put the batch's traces in the lake's order, (UTC day, icao24, time): by address, which
    is the order itself when each trace is of one day and in time order (as a day archive's
    are); otherwise the rows sorted. The store then writes them without reordering."""
    order = sorted(range(len(pending.docs)), key=lambda i: pending.docs[i].icao)
    pending.docs = [pending.docs[i] for i in order]
    pending.obs = [pending.obs[i] for i in order]


def lake_rows(obs: Observations, sources: np.ndarray) -> tuple[Observations, np.ndarray]:
    """``obs`` (and each row's trace) in (UTC day, icao24, time) order."""
    t = obs.timestamp
    k = (np.floor(t / DAY_S).astype(np.int64) << 24) | obs.icao24.astype(np.int64)
    if len(t) < 2 or bool(np.all((k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (t[1:] >= t[:-1])))):
        return obs, sources
    order = np.lexsort((t, k))
    return obs_take(obs, order), sources[order]


def legs_table(pending: Pending, archive: str, ingest_id: int) -> pa.Table:
    icao: list[str] = []
    ts: list[np.ndarray] = []
    for d, o in zip(pending.docs, pending.obs, strict=True):
        t = o.timestamp[o.new_leg]
        icao += [d.icao] * len(t)
        ts.append(t)
    t_all = np.concatenate(ts) if ts else np.zeros(0)
    return pa.table(
        {
            "icao24": pa.array(icao, type=pa.string()),
            "timestamp": pa.array((t_all * 1e6).astype(np.int64), type=pa.timestamp("us")),
            "archive": pa.array([archive] * len(icao), type=pa.string()),
            "ingest_id": pa.array([ingest_id] * len(icao), type=pa.int64()),
        }
    )


def callsign_column(callsign: npt.NDArray[np.str_]) -> pa.Array:
    """``callsign`` (``<U8``, "" none) as the stored column, what ``text_column`` makes of it
    (null for ""), read from its runs: a batch's callsigns are carried along each trace
    (``carry_forward``), so a few thousand runs hold a million rows. Each run's text is checked
    and made ASCII once; a row is then one 8-byte gather and its characters kept by length
    (``text_column`` reads each row's 32 bytes of code points several times: ~2x the cost)."""
    n = callsign.shape[0]
    if n < 2 or callsign.dtype != np.dtype("<U8"):
        return text_column(callsign)
    starts = run_heads(callsign)  # (3x a word-wise compare)
    codes = callsign[starts].view(np.uint32).reshape(-1, 8)
    kept = codes != 0
    if (codes >= 128).any() or (kept[:, 1:] & ~kept[:, :-1]).any():
        return text_column(callsign)  # not ASCII, or a NUL inside a value: its general path
    run = np.cumsum(starts, dtype=np.int32) - 1
    size = kept.sum(axis=1, dtype=np.int32)[run]  # (narrow types: a quarter of the bytes)
    rows = codes.astype(np.uint8).view(np.uint64)[run, 0].view(np.uint8).reshape(n, 8)
    chars = rows[size.astype(np.uint8)[:, None] > _AT8]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(size, out=offsets[1:])
    null = size == 0
    nulls = int(np.count_nonzero(null))
    valid = pa.py_buffer(np.packbits(~null, bitorder="little")) if nulls else None
    buffers = [valid, pa.py_buffer(offsets), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.string(), n, buffers, null_count=nulls)


def source_column(names: list[str], of_row: npt.NDArray[np.intp]) -> pa.Array:
    """``names[of_row]`` as a string column (each row's source, ``archive:member``). Names of
    one length (a day's members are ``traces/XX/trace_full_<hex>.json``) are gathered a whole
    name a row (numpy's take of fixed-width values: ~3x cheaper than Arrow's ``take`` or a
    gather of each character); otherwise ``labels``."""
    text = [name.encode() for name in names]
    size = len(text[0]) if text else 0
    n = of_row.shape[0]
    if not size or any(len(t) != size for t in text):
        return labels(string_array(names), of_row)
    check_text_bytes(size * n)
    check_codes(of_row, len(text))
    whole = np.frombuffer(b"".join(text), dtype=f"V{size}")
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(size)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(whole[of_row])]
    return pa.Array.from_buffers(pa.string(), n, buffers, null_count=0)


def run_columns(obs: Observations) -> dict[str, pa.Array]:
    """The stored columns of a batch's ``obs`` that are cheaper made from their runs (for
    ``runtime.records.observations_table``): the callsign, address, squawk, kind and position
    source, each the same as its maker's column of every row (``_RUN_MADE``), made from one
    row a run where the runs are long (``run_column``): along a trace, the address never
    changes and the others seldom do (the callsign and squawk are carried along it). A
    callsign of short runs is ``callsign_column``'s."""
    out: dict[str, pa.Array] = {}
    for name, make in _RUN_MADE.items():
        col = run_column(getattr(obs, name), make)
        if col is not None:
            out[name] = col
    if "callsign" not in out:  # short runs: a copy a row, of each run's text
        out["callsign"] = callsign_column(obs.callsign)
    return out


def run_column(values: npt.NDArray[Any], make: Callable[[Any], pa.Array]) -> pa.Array | None:
    """``make(values)`` (a string column, one row per value) made from ``values``' runs:
    ``make`` of each run's value, then each run's text repeated; None when the runs average
    fewer than ``RUN_ROWS`` rows."""
    n = values.shape[0]
    heads = np.flatnonzero(run_heads(values))
    if not n or heads.shape[0] * RUN_ROWS > n:
        return None
    return repeat_runs(make(values[heads]), np.diff(np.append(heads, n)))


def repeat_runs(values: pa.Array, lengths: npt.NDArray[np.intp]) -> pa.Array:
    """A string column with ``values[i]`` on ``lengths[i]`` rows in turn (a null value's
    bytes kept too, as the column had them)."""
    k = len(values)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + k + 1].astype(np.int64)
    data = values.buffers()[2]
    text = data.to_pybytes() if data is not None else b""
    size = np.diff(offsets)
    check_text_bytes(int(size @ lengths))
    chars = b"".join(
        [
            text[a:b] * c
            for a, b, c in zip(
                offsets[:-1].tolist(), offsets[1:].tolist(), lengths.tolist(), strict=True
            )
        ]
    )
    n = int(lengths.sum())
    if k and bool((size == size[0]).all()):  # values of one width (addresses, squawks)
        out = np.arange(n + 1, dtype=np.int32) * np.int32(size[0])
    else:
        out = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.repeat(size.astype(np.int32), lengths), out=out[1:])
    nulls = values.null_count
    valid = None
    if nulls:
        rows = np.repeat(valid_of(values), lengths)
        valid = pa.py_buffer(np.packbits(rows, bitorder="little"))
        nulls = n - int(np.count_nonzero(rows))
    buffers = [valid, pa.py_buffer(out), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.string(), n, buffers, null_count=nulls)
