"""Columns of the flights table built from per-flight arrays (Arrow arrays out).

Strings per flight (callsigns, sources), ranked alternatives, timestamps, airport codes, and
which ends are sure enough to name an airport (``MIN_CONFIDENCE``) with a note for the others.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..decode.hexio import numeric_column
from ..runs import run_stops
from ..timeutil import short_z_column
from .airports import AirportIndex
from .infer import ESTIMATED_RADIUS_M, OBSERVED_RADIUS_M, Attribution
from .rowarrays import run_heads
from .schema import ALTERNATIVE

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

#: Per flight, strings with their rows, in first-seen order.
Counts = list[dict[str, int]]
#: The flights table's timestamp type.
TS_MS = pa.timestamp("ms", tz="UTC")
MIN_CONFIDENCE = 0.1  # an end whose best airport is less sure than this is shown unknown
#: Builds of at most this many flights look their ids up (``flight_ids``); more: computed.
FLIGHT_ID_LOOKUP = 64
#: Flight ids remembered at most (``flight_ids``; all forgotten beyond, then remembered anew).
FLIGHT_ID_KEPT = 4096
#: (icao24, firstSeen ms) -> the flight id ``flight_ids`` computed for it
_FLIGHT_IDS: dict[tuple[str, int], str] = {}


def _offsets(offsets: npt.NDArray[np.int32]) -> pa.Array:
    """A list column's int32 offsets over their own bytes (``pa.array`` of a numpy array
    imports numpy.ma on its first call: ~8 ms of an ingest's process)."""
    return numeric_column(np.asarray(offsets, dtype=np.int32), pa.int32())


def per_flight_strings(
    table: pa.Table, name: str, rows: I8, fid: I8, nfl: int
) -> tuple[pa.Array, pa.Array]:
    """Most frequent non-empty string of column ``name`` per flight, and all distinct ones in
    first-seen order (null and none where ``table`` has no such column)."""
    best, lists, _ = flight_strings(table, name, rows, fid, nfl, counted=False)
    return best, lists


def flight_strings(
    table: pa.Table, name: str, rows: I8, fid: I8, nfl: int, *, counted: bool = True
) -> tuple[pa.Array, pa.Array, Counts | None]:
    """``per_flight_strings``, and with ``counted`` each flight's non-blank strings with their
    rows in first-seen order: what the merge of a cut flight adds to its summary
    (``settled``), taken from its build."""
    if name not in table.column_names:
        empty = pa.ListArray.from_arrays(
            _offsets(np.zeros(nfl + 1, np.int32)), pa.array([], pa.string())
        )
        return pa.nulls(nfl, pa.string()), empty, [{} for _ in range(nfl)] if counted else None
    col = table[name]
    if not pa.types.is_dictionary(col.type):  # (a dictionary's rows compare as its words)
        col = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
    first = col[0].as_py() if len(col) and col.null_count == 0 else None
    # (the last row first: rows of several words mostly differ there, and then no scan)
    if (
        first is not None
        and first.strip()
        and col[len(col) - 1].as_py() == first
        and pc.all(pc.equal(col, pa.scalar(first, pa.string()))).as_py()  # (typed: no dateutil)
    ):
        # one word on every row (a single source): one entry per flight, nothing to encode
        one = pa.array([first.strip()] * nfl, pa.string())
        lists = pa.ListArray.from_arrays(_offsets(np.arange(nfl + 1, dtype=np.int32)), one)
        return one, lists, _one_word_counts(first.strip(), fid, nfl) if counted else None
    # the window's word codes, shared with the merge of its cut flights (``table_words``)
    all_codes, words_list = table_words(table, name)
    codes = all_codes[rows]
    words = np.array(words_list, dtype=object)
    if len(words_list) == 1:
        # one word (a single source; blank or null on some rows, a cut flight's seed): it
        # for each flight with a row of it, none for the others
        has = np.zeros(nfl, dtype=bool)
        of_word = fid[(codes == 0) & (fid >= 0)]
        has[of_word] = True
        one = pa.array(words_list * int(has.sum()), pa.string())
        offsets = _offsets(np.concatenate(([0], np.cumsum(has))).astype(np.int32))
        best = pa.array([words_list[0] if h else None for h in has.tolist()], pa.string())
        ones = _one_word_counts(words_list[0], of_word, nfl) if counted else None
        return best, pa.ListArray.from_arrays(offsets, one), ones
    uf, uc, upos, cnt = _word_runs(codes, fid, len(words))
    # list: ordered by (flight, first position)
    order = np.lexsort((upos, uf))
    offsets = np.searchsorted(uf[order], np.arange(nfl + 1), side="left").astype(np.int32)
    lists = pa.ListArray.from_arrays(
        _offsets(offsets), pa.array(words[uc[order]].tolist(), pa.string())
    )
    # most frequent: by (flight, -count, first position)
    o2 = np.lexsort((upos, -cnt, uf))
    head = o2[run_heads(uf[o2])]
    best = np.full(nfl, None, dtype=object)
    best[uf[head]] = words[uc[head]]
    counts: Counts | None = None
    if counted:
        counts = [{} for _ in range(nfl)]
        runs = zip(uf[order].tolist(), uc[order].tolist(), cnt[order].tolist(), strict=True)
        for f, c, k in runs:
            counts[f][words_list[c]] = k
    return pa.array(best.tolist(), pa.string()), lists, counts


def _one_word_counts(word: str, fid: I8, nfl: int) -> Counts:
    """``word`` with its rows for each flight of ``fid`` (rows of it; -1: none)."""
    rows = np.bincount(fid[fid >= 0] if (fid < 0).any() else fid, minlength=nfl).tolist()
    return [{word: k} if k else {} for k in rows]


def _word_runs(codes: I8, fid: I8, nwords: int) -> tuple[I8, I8, I8, I8]:
    """The distinct (flight, word code) pairs of rows in point order (``fid`` -1: no flight,
    code -1: blank), each pair's first position and its rows: flight, code, position,
    count, by flight then code."""
    # runs of one (flight, word) in point order: a flight's rows mostly repeat one word, so
    # there are few runs, and everything after this works on them, not on every row
    n = codes.shape[0]
    start = np.flatnonzero(run_heads(codes) | run_heads(fid))
    length = run_stops(start, n) - start
    f, c = fid[start], codes[start]
    ok = (f >= 0) & (c >= 0)
    f, c, pos, length = f[ok], c[ok], start[ok], length[ok]
    key = f * (nwords + 1) + c
    uk, upos, cnt = _distinct(key, pos, length)
    return uk // (nwords + 1), uk % (nwords + 1), upos, cnt


def word_codes(col: pa.ChunkedArray | pa.Array) -> tuple[I8, list[str]]:
    """Per row, the code of its trimmed string (-1: null or blank), and the words (sorted:
    the codes do not depend on the rows' order). A dictionary column is coded from its own
    dictionary and indices (not made plain text first)."""
    if pa.types.is_dictionary(col.type):
        return _dictionary_codes(col)
    col = col if pa.types.is_string(col.type) else pc.cast(col, pa.string())
    # one word on every row that has one (a live window's sources: one feed, null on the
    # seeds of cut flights): its rows found without encoding (~5x cheaper)
    # (a look at three rows first: rows of several words mostly differ there, then no scan)
    n = len(col)
    last = col[n - 1].as_py() if n else None
    if (
        last is not None
        and last.strip()
        and all(v is None or v == last for v in (col[0].as_py(), col[n // 2].as_py()))
        and pc.all(pc.equal(col, pa.scalar(last, pa.string()))).as_py()  # (nulls skipped)
    ):
        valid = np.asarray(pc.is_valid(col).to_numpy(zero_copy_only=False), dtype=bool)
        return np.where(valid, 0, -1).astype(np.int64), [last.strip()]
    return _dictionary_codes(pc.dictionary_encode(col))


def _dictionary_codes(enc: pa.ChunkedArray | pa.Array) -> tuple[I8, list[str]]:
    """``word_codes`` of a dictionary column: its dictionary's words, trimmed and sorted,
    and each row's index mapped to them (unused and repeated entries are harmless)."""
    if isinstance(enc, pa.ChunkedArray):
        if enc.num_chunks > 1:
            return _chunked_codes(enc)
        enc = enc.combine_chunks()
    # in Arrow, not word by word in Python: a group of a live step's window has the whole
    # dictionary of every chunk it was taken from, thousands of words, and the words sort as
    # Python sorts them (UTF-8 bytes in code point order)
    trimmed = pc.utf8_trim_whitespace(enc.dictionary.cast(pa.string()))
    remap, words = _sorted_words(trimmed)
    indices = enc.indices
    if not pa.types.is_signed_integer(indices.type):  # (-1 for a null needs a sign)
        indices = indices.cast(pa.int64())
    idx = np.asarray(pc.fill_null(indices, -1).to_numpy(zero_copy_only=False), np.int64)
    return remap[idx], words


def _sorted_words(trimmed: pa.Array) -> tuple[I8, list[str]]:
    """The distinct non-blank words of ``trimmed`` (dictionary entries), sorted as Python
    sorts them (UTF-8 bytes in code point order), and each entry's word code (-1: null or
    blank) with one more -1 last (a null row's index)."""
    distinct = pc.drop_null(pc.unique(trimmed))
    distinct = distinct.filter(pc.not_equal(distinct, ""))
    distinct = distinct.take(pc.array_sort_indices(distinct))
    at = pc.fill_null(pc.index_in(trimmed, value_set=distinct), -1)
    return np.r_[np.asarray(at.to_numpy(zero_copy_only=False), np.int64), -1], distinct.to_pylist()


def _chunked_codes(enc: pa.ChunkedArray) -> tuple[I8, list[str]]:
    """``_dictionary_codes`` of a dictionary column of several chunks: the same codes and
    words, each distinct dictionary coded once. A live step's build group is hundreds of
    slices of a few held chunks (``rowarrays.iter_grouped_rows``), so hundreds of chunks
    sharing a few dictionaries: making them one chunk unified the dictionaries chunk by chunk
    (~60 ms a group of 200,000 rows at 5,000 aircraft, most of a cut step's word coding)."""
    chunks = enc.chunks
    which = np.empty(len(chunks), np.int64)  # per chunk, its distinct dictionary
    seen: dict[tuple[int, ...], int] = {}
    dicts: list[pa.Array] = []
    for i, chunk in enumerate(chunks):
        d = chunk.dictionary
        key = (d.offset, len(d), *(0 if b is None else b.address for b in d.buffers()))
        which[i] = j = seen.setdefault(key, len(dicts))
        if j == len(dicts):
            dicts.append(d.cast(pa.string()))
    base = np.cumsum([0, *(len(d) for d in dicts)])
    trimmed = pc.utf8_trim_whitespace(pa.concat_arrays(dicts))
    remap, words = _sorted_words(trimmed)
    # (one index type, the held chunks' int32: a cast per chunk cost as much as the rest)
    parts = [c.indices for c in chunks]
    if len({i.type for i in parts}) > 1:
        parts = [i.cast(pa.int64()) for i in parts]
    idx = np.asarray(pc.fill_null(pa.chunked_array(parts), -1).to_numpy(), np.int64)
    entry = base[np.repeat(which, [len(c) for c in chunks])] + idx
    return remap[np.where(idx >= 0, entry, -1)], words


#: per column name, the last table ``table_words`` coded (weakly held) and its answer
_WORDS: dict[str, tuple[weakref.ref[pa.Table], I8, list[str]]] = {}


def table_words(table: pa.Table, name: str) -> tuple[I8, list[str]]:
    """``word_codes`` of ``table[name]`` (not to be written to), kept while ``table`` lives:
    a live flights step codes its window's callsigns and sources for the build and again
    for the merge of its cut flights (~0.2 ms a column). Tables are immutable, and the table
    held weakly, so an answer is never reused for another table nor keeps one alive."""
    hit = _WORDS.get(name)
    if hit is not None and hit[0]() is table:
        return hit[1], hit[2]
    codes, words = word_codes(table[name])
    _WORDS[name] = (weakref.ref(table, functools.partial(_drop_words, name)), codes, words)
    return codes, words


def _drop_words(name: str, _gone: object) -> None:
    """Forget column ``name``'s codes once their table is gone (not those of a newer one)."""
    hit = _WORDS.get(name)
    if hit is not None and hit[0]() is None:
        del _WORDS[name]


def _distinct(key: I8, pos: I8, length: I8) -> tuple[I8, I8, I8]:
    """Distinct keys (ascending), the first position of each and its count: ``np.unique``'s
    answer over runs (``key`` per run, in position order; ``pos`` its first position,
    ``length`` its rows)."""
    if key.size == 0:
        return key, pos, key
    order = np.argsort(key, kind="stable")  # runs of one key in position order
    sorted_key = key[order]
    new = run_heads(sorted_key)
    counts = np.bincount(np.cumsum(new) - 1, weights=length[order]).astype(np.int64)
    first = order[new]
    return key[first], pos[first], counts


def alternatives(att: Attribution, rows: I8, airports: AirportIndex) -> pa.Array:
    a = att.alt_airport[rows]
    valid = a >= 0
    counts = valid.sum(axis=1)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    names = airports.icao[a[valid]]
    values = pa.StructArray.from_arrays(
        [
            pa.array(names.tolist(), pa.string()),
            numeric_column(att.alt_distance_m[rows][valid].astype(np.float64), pa.float64()),
            numeric_column(att.alt_score[rows][valid].astype(np.float64), pa.float64()),
        ],
        fields=list(ALTERNATIVE),
    )
    return pa.ListArray.from_arrays(_offsets(offsets), values)


def ts_array(sec: F8, valid: B1 | None = None) -> pa.Array:
    """Unix seconds as a ``TS_MS`` array (rounded to ms); null where not finite or not
    ``valid``. Made from its buffers (``numeric_column``): no cast from int64 (~3x the cost)
    nor a mask converted by ``pa.array`` (~2x; a live step makes 8 such columns per build)."""
    ok = np.isfinite(sec) if valid is None else valid & np.isfinite(sec)
    ms = np.round(np.where(ok, sec, 0.0) * 1000).astype(np.int64)  # (0 under a null)
    return numeric_column(ms, TS_MS, ~ok)


def flight_ids(icao: pa.Array, first_seen: pa.Array) -> pa.Array:
    """Each flight's id: its icao24 and ``firstSeen`` (``short_z`` compact) joined by "-". A
    live step's flights are mostly the step before's, with the same ids (a cut flight's
    rebuild starts at its seed): a build of a few flights looks them up, computing (the time
    module's ``short_z_column`` and two joins, ~0.07 ms) only when one is new."""
    if len(icao) > FLIGHT_ID_LOOKUP:
        return _flight_ids(icao, first_seen)
    keys = list(zip(icao.to_pylist(), first_seen.cast(pa.int64()).to_pylist(), strict=True))
    got = [_FLIGHT_IDS.get(k) for k in keys]
    if None in got:
        fresh = _flight_ids(icao, first_seen)
        if len(_FLIGHT_IDS) + len(keys) > FLIGHT_ID_KEPT:
            _FLIGHT_IDS.clear()
        _FLIGHT_IDS.update(zip(keys, fresh.to_pylist(), strict=True))
        return fresh
    return pa.array(got, pa.string())


def _flight_ids(icao: pa.Array, first_seen: pa.Array) -> pa.Array:
    stamp = short_z_column(first_seen, "compact")
    out: pa.Array = pc.binary_join_element_wise(icao, stamp, "-")
    return out


def sure_airports(att: Attribution, rows: I8, observed: B1) -> tuple[I8, npt.NDArray[np.object_]]:
    """The airport of ends ``rows`` where it is sure enough (-1 elsewhere), and a note saying
    why an end names none: no candidate at all, or a best one below MIN_CONFIDENCE (shown
    as unknown; its candidates stay in the alternatives)."""
    apt = att.airport[rows]
    conf = att.confidence[rows]
    weak = (apt >= 0) & ~(conf >= MIN_CONFIDENCE)
    note = np.full(rows.shape[0], None, dtype=object)
    radius_km = np.where(observed, OBSERVED_RADIUS_M, ESTIMATED_RADIUS_M) / 1000.0
    for i in np.flatnonzero(apt < 0):
        what = "on the ground" if observed[i] else "fitting its height and direction"
        note[i] = f"no airport within {radius_km[i]:.0f} km {what}"
    for i in np.flatnonzero(weak):
        note[i] = f"unknown: best candidate below confidence {MIN_CONFIDENCE:.2f}"
    return np.where(weak, -1, apt), note


def named_values(values: F8, apt: I8) -> pa.Array:
    """Per-end values that belong to the named airport: null where none is named."""
    out = np.where(apt >= 0, values, np.nan).astype(np.float64)
    return numeric_column(out, pa.float64(), np.isnan(out))


def airport_codes(apt: I8, airports: AirportIndex) -> pa.Array:
    names = np.full(apt.shape[0], None, dtype=object)
    names[apt >= 0] = airports.icao[apt[apt >= 0]]
    return pa.array(names.tolist(), pa.string())
