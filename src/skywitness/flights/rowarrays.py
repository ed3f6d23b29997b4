"""Array helpers of the incremental flight builder (``incremental``): state tables in canonical
types, times as int64 milliseconds, per-aircraft lookups over rows sorted by (code, time), and
where runs of equal values start and end (``run_heads``, ``run_tails``: the ``runs`` module's,
named here for the flights modules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..model import STATE_COLUMNS, STATE_TYPES
from ..runs import run_heads as run_heads
from ..runs import run_starts, run_stops
from ..runs import run_tails as run_tails
from ..store.schema import is_dictionary_of

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]

NEVER = -(2**62)  # ms: "no bound" (earlier than any timestamp)
ALWAYS = 2**62  # ms: "nothing" (later than any timestamp)
#: Runs of rows of one group beyond which ``group_tables`` gathers rather than slices.
SLICED_RUNS_MAX = 4096
#: A table whose buffers keep at most this many times its rows' bytes alive holds its own.
OWN_BUFFERS = 1.25
#: The state-vector columns the flights stage does not read.
UNREAD_COLUMNS = frozenset({"geoaltitude", "squawk", "position_source", "position_error"})
#: The state-vector columns the flights stage reads (``segment.points_from_table``, the
#: callsigns and sources of ``builder.assemble``): all the incremental builder keeps of a row
#: (geoaltitude, squawk, position_source and position_error are a third of a row's bytes), and
#: all a distributed reader ships (``spark.buckets``).
FLIGHT_COLUMNS: tuple[str, ...] = tuple(c for c in STATE_COLUMNS if c not in UNREAD_COLUMNS)


#: Bytes of text checked at a time for capitals (cache-sized temporaries, reused).
CASE_CHECK_BYTES = 1 << 18


def _lower(col: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """``utf8_lower`` of a string column, or the column itself when it has no capital to
    lower (ASCII without 'A'-'Z': the canonical addresses a states ingest holds): the check
    reads the text bytes in place, where lowering writes them all again into fresh memory."""
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    for arr in chunks:
        data = arr.buffers()[2] if len(arr) else None
        if data is None:
            continue
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
        text = np.frombuffer(data, dtype=np.uint8)[
            offsets[arr.offset] : offsets[arr.offset + len(arr)]
        ]
        block = np.empty(min(text.shape[0], CASE_CHECK_BYTES), dtype=np.uint8)
        for lo in range(0, text.shape[0], CASE_CHECK_BYTES):
            part = text[lo : lo + CASE_CHECK_BYTES]
            shifted = block[: part.shape[0]]
            np.subtract(part, ord("A"), out=shifted)  # 'A'-'Z' to 0-25, the rest wraps above
            if bool((shifted < 26).any()) or int(part.max()) > 0x7F:
                return pc.utf8_lower(col)
    return col


def canonical_states(table: pa.Table) -> pa.Table:
    """The STATE_COLUMNS of ``table`` with canonical types (absent columns as nulls), rows
    without time or address left out, icao24 lowercase."""
    return _canonical(table, STATE_COLUMNS)


def flight_states(table: pa.Table, *, addresses: bool = False) -> pa.Table:
    """``canonical_states`` with only the ``FLIGHT_COLUMNS`` (the others neither cast nor
    filtered: a third of a row's bytes); texts that come dictionary-encoded (the states gate's
    callsign and source) are kept so, not decoded (the flights' word codes take them as they
    are); the addresses too with ``addresses`` (their dictionaries lowercased: a build of
    ``builds.build_in_groups`` codes them from their indices), else decoded."""
    return _canonical(table, FLIGHT_COLUMNS, dictionaries=True, addresses=addresses)


#: The texts the incremental builder holds dictionary-encoded (``held_texts``), and their type.
HELD_TEXTS = ("callsign", "source")
HELD_TEXT_TYPE = pa.dictionary(pa.int32(), pa.string())


def held_texts(table: pa.Table) -> pa.Table:
    """``table`` (``flight_states``) with its ``HELD_TEXTS`` dictionary-encoded where they
    are plain (or of other indices): what the incremental builder holds. As plain text they
    are a third of a held row's bytes (a feed's source ~30 bytes a row, an index 4), and the
    builds of every step code them again row by row; the builds read a dictionary's words
    from its dictionary (``columns.word_codes``), the same words."""
    for name in HELD_TEXTS:
        col = table[name]
        if col.type == HELD_TEXT_TYPE:
            continue
        plain = col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, pc.dictionary_encode(plain))
    return table


def _canonical(
    table: pa.Table,
    names: tuple[str, ...],
    *,
    dictionaries: bool = False,
    addresses: bool = False,
) -> pa.Table:
    cols = {}
    for name in names:
        typ = STATE_TYPES[name]
        col = table[name] if name in table.column_names else None
        if (
            col is not None
            and dictionaries
            and (name != "icao24" or addresses)
            and is_dictionary_of(col.type, typ)
        ):
            cols[name] = col
        elif col is not None:  # (no cast of a column of its type: ~10 us a call, a live step)
            cols[name] = col if col.type == typ else pc.cast(col, typ)
        else:
            cols[name] = pa.nulls(table.num_rows, typ)
    icao = cols["icao24"]
    cols["icao24"] = _lower_words(icao) if pa.types.is_dictionary(icao.type) else _lower(icao)
    out = pa.table(cols)
    if not out["timestamp"].null_count and not out["icao24"].null_count:
        return out  # a filter would copy every column
    ok = pc.and_(pc.is_valid(out["timestamp"]), pc.is_valid(out["icao24"]))
    return out.filter(ok)


def _lower_words(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary column's words lowercased (its dictionaries, not its rows; two words may
    then be one, which ``point_order.aircraft_codes`` codes alike)."""
    chunks = []
    for chunk in col.chunks:
        words = _lower(chunk.dictionary)
        same = words is chunk.dictionary
        chunks.append(chunk if same else pa.DictionaryArray.from_arrays(chunk.indices, words))
    return pa.chunked_array(chunks, col.type)


def ms_of(col: pa.ChunkedArray) -> I8:
    return np.asarray(as_int64(col).to_numpy(), dtype=np.int64)


def as_int64(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """``col.cast(pa.int64())``: a timestamp column's raw values (nulls kept) viewed as int64
    instead of cast (~3x cheaper: a live step reads its flights' times a dozen times)."""
    if pa.types.is_timestamp(col.type):
        return pa.chunked_array([c.view(pa.int64()) for c in col.chunks], pa.int64())
    return col.cast(pa.int64())


def floats_of(col: pa.ChunkedArray) -> F8:
    return np.asarray(col.cast(pa.float64()).to_numpy(), dtype=np.float64)  # nulls: NaN


def last_le(code_a: I8, t_a: I8, code_q: I8, t_q: I8) -> I8:
    """Per query, index of the last row of ``a`` (sorted by code, t) with the query's code and
    ``t <= t_q``; -1 where none."""
    n = code_a.shape[0]
    if n == 0:
        return np.full(code_q.shape[0], -1, dtype=np.int64)
    kind = np.concatenate((np.zeros(n, np.int8), np.ones(code_q.shape[0], np.int8)))
    order = np.lexsort((kind, np.concatenate((t_a, t_q)), np.concatenate((code_a, code_q))))
    # rows of a come in index order along ``order``: the running max is the last one seen
    run = np.maximum.accumulate(np.where(order < n, order, -1))
    out = np.empty(code_q.shape[0], dtype=np.int64)
    is_q = order >= n
    out[order[is_q] - n] = run[is_q]
    ok = (out >= 0) & (code_a[np.maximum(out, 0)] == code_q)
    return np.where(ok, out, -1)


def first_of(code: I8, first: I8, j: I8, aff: I8) -> I8:
    """firstSeen (ms) of flight ``j`` where it is one of the aircraft's; NEVER elsewhere."""
    if code.shape[0] == 0:
        return np.full(aff.shape[0], NEVER, dtype=np.int64)
    k = np.maximum(j, 0)
    return np.where((j >= 0) & (code[k] == aff), first[k], NEVER)


def buffer_bytes(tables: list[pa.Table]) -> int:
    """Bytes of the buffers ``tables`` reference, each buffer once (a slice counts its whole
    buffer: what it keeps alive)."""
    seen: dict[int, int] = {}
    for table in tables:
        for col in table.columns:
            for chunk in col.chunks:
                for buf in chunk.buffers():
                    if buf is not None:
                        seen[buf.address] = max(seen.get(buf.address, 0), buf.size)
    return sum(seen.values())


def holds_own_buffers(table: pa.Table) -> bool:
    """Whether what ``table``'s buffers keep alive is about its own rows' bytes (at most
    ``OWN_BUFFERS`` times): not a table slice's whole buffers, nor the message a buffer slice
    was read from (an IPC read's buffers are slices of the message's body)."""
    limit = table.nbytes * OWN_BUFFERS
    if table.get_total_buffer_size() > limit:  # (a table slice: whole buffers, counted here)
        return False
    roots: dict[int, int] = {}
    for col in table.columns:
        for chunk in col.chunks:
            for buf in chunk.buffers():
                while buf is not None and buf.parent is not None:
                    buf = buf.parent
                if buf is not None:
                    roots[buf.address] = buf.size
    return bool(sum(roots.values()) <= limit)


def aircraft_group_of(icao24: pa.ChunkedArray, rows: int) -> I8:
    """The group of each row of ``icao24``: whole aircraft, in icao24 order, each group about
    ``rows`` rows (an aircraft with more is a group alone)."""
    enc = pc.dictionary_encode(pc.fill_null(icao24, "")).combine_chunks()
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return group_of_codes(codes, np.array(enc.dictionary.to_pylist(), dtype=object), rows)


def group_of_codes(codes: I8, names: npt.NDArray[Any], rows: int) -> I8:
    """``aircraft_group_of`` of rows coded as ``point_order.aircraft_codes`` codes them
    (``names``: the distinct addresses by code)."""
    n = names.shape[0]
    order = np.argsort(names, kind="stable")  # (distinct: as Arrow's byte order)
    count = np.bincount(codes, minlength=n)[order]
    of_code = np.empty(n, dtype=np.int64)
    of_code[order] = (np.cumsum(count) - count) // rows  # by the rows before each aircraft
    out: I8 = of_code[codes]
    return out


def aircraft_groups(icao24: pa.ChunkedArray, rows: int) -> list[I8]:
    """Row indices of ``icao24`` (ascending) in groups of whole aircraft, the aircraft in
    icao24 order, each group about ``rows`` rows (an aircraft with more is a group alone)."""
    return aircraft_groups_of(aircraft_group_of(icao24, rows))


def group_tables(table: pa.Table, group: I8) -> list[pa.Table]:
    """The rows of ``table`` of each group (``group``: of each row, ascending ids as
    ``aircraft_group_of`` gives), in ``table``'s order: the rows ``aircraft_groups`` indexes.
    When the groups lie in few runs of rows (a lake's rows, in (day, icao24, time) order: a
    run per group and day) each is its runs' slices, no row copied (a gather of every
    column was ~40 % of an ingest's flights build: bench/RESULTS.md); else one gather each."""
    return [part for part, _ in grouped_rows(table, group, group)]


def grouped_rows(table: pa.Table, group: I8, codes: I8) -> list[tuple[pa.Table, I8]]:
    """``group_tables``, each group with its rows' ``codes`` (of each row of ``table``)."""
    return list(iter_grouped_rows(table, group, codes))


def iter_grouped_rows(table: pa.Table, group: I8, codes: I8) -> Iterator[tuple[pa.Table, I8]]:
    """``grouped_rows`` one group at a time: a group's gathered copy is made when it is
    wanted, so that a caller building each in turn holds one group's copy, not the whole
    table's again (a live step's window of 4M held rows: ~100 B a row of peak memory)."""
    starts = run_starts(group)
    if starts.shape[0] > SLICED_RUNS_MAX:
        for idx in aircraft_groups_of(group):
            yield take_rows(table, idx), codes[idx]
        return
    ends = run_stops(starts, group.shape[0])
    by_group: dict[int, list[tuple[int, int]]] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        by_group.setdefault(int(group[a]), []).append((a, b))
    for k in sorted(by_group):
        yield (
            pa.concat_tables([table.slice(a, b - a) for a, b in by_group[k]]),
            np.concatenate([codes[a:b] for a, b in by_group[k]]),
        )


def take_rows(table: pa.Table, idx: I8) -> pa.Table:
    """``table.take(idx)`` (``idx`` ascending), one chunk: taken batch by batch from the
    batches ``idx`` reaches. Arrow's take of a table of many chunks concatenates each
    column's chunks first, every row of it: a live step's window (slices of the chunks held)
    built in groups paid its whole window again for every group (0.66 s a group of 200,000
    of 3.9M rows in 300 chunks, 0.08 s so)."""
    batches = table.to_batches()
    if len(batches) <= 1:
        return table.take(pa.array(idx))
    offsets = np.cumsum([0, *(b.num_rows for b in batches)])
    at = np.searchsorted(offsets, idx, side="right") - 1
    heads = np.flatnonzero(run_heads(at))
    ends = np.concatenate((heads[1:], [idx.shape[0]]))
    parts = [
        batches[int(at[a])].take(pa.array(idx[a:b] - offsets[at[a]]))
        for a, b in zip(heads.tolist(), ends.tolist(), strict=True)
    ]
    return pa.Table.from_batches(parts, schema=table.schema).combine_chunks()


def aircraft_groups_of(group: I8) -> list[I8]:
    """Row indices of each group of ``group`` (ascending), the groups in order."""
    order = np.argsort(group, kind="stable")
    cuts = run_starts(group[order])[1:]
    return [np.asarray(part, dtype=np.int64) for part in np.split(order, cuts)]


def where_rows(table: pa.Table, mask: B1) -> pa.Table:
    """The rows of ``table`` where ``mask``: no filter (~0.1 ms on the wide flights table)
    when it keeps all rows or none."""
    if mask.all():
        return table
    return table.slice(0, 0) if not mask.any() else table.filter(pa.array(mask))
