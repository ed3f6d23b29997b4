"""``per_flight_strings`` and ``flight_strings``' counts on small inputs against a count of every
row: each flight's words (trimmed, blanks and nulls none) in first-seen order with their rows
and the most frequent (ties to the first seen), whichever path it takes: one word on every row,
one word with blank or null rows (a cut flight's seed has no source or callsign), several
words; rows of no flight (-1) left out; every flight has a row (as the builder's do)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights.columns import flight_strings, per_flight_strings, word_codes

WORDS = st.sampled_from([None, "", "  ", "ABC1", " ABC1 ", "XYZ9"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(WORDS, st.integers(-1, 3)), min_size=1, max_size=40), st.booleans())
def test_words_per_flight_as_counted(rows: list[tuple[str | None, int]], one: bool) -> None:
    if one:  # one word at most (the one-word paths)
        rows = [(w if w is None or not w.strip() else "ABC1", f) for w, f in rows]
    col = pa.chunked_array([pa.array([w for w, _ in rows], pa.string())])
    # flights numbered densely, each with a row at least (as the builder's)
    dense = {f: i for i, f in enumerate(sorted({f for _, f in rows if f >= 0}))}
    rows = [(w, dense.get(f, -1)) for w, f in rows]
    fid = np.array([f for _, f in rows], dtype=np.int64)
    nfl = len(dense)
    order = np.arange(len(rows), dtype=np.int64)
    best, lists = per_flight_strings(pa.table({"callsign": col}), "callsign", order, fid, nfl)
    seen: list[list[str]] = [[] for _ in range(nfl)]
    counts: list[Counter[str]] = [Counter() for _ in range(nfl)]
    for w, f in rows:
        w = (w or "").strip()
        if f >= 0 and w:
            counts[f][w] += 1
            if w not in seen[f]:
                seen[f].append(w)
    want = [max(s, key=c.__getitem__) if s else None for s, c in zip(seen, counts, strict=True)]
    assert lists.to_pylist() == seen
    assert best.to_pylist() == want
    # the counts themselves (a cut flight's merge), in first-seen order
    _, _, tally = flight_strings(pa.table({"callsign": col}), "callsign", order, fid, nfl)
    assert tally is not None
    assert [list(d.items()) for d in tally] == [
        [(w, c[w]) for w in s] for s, c in zip(seen, counts, strict=True)
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(WORDS, st.integers(-1, 3)), min_size=1, max_size=40), st.integers(0, 40))
def test_a_dictionary_column_as_its_plain_text(
    rows: list[tuple[str | None, int]], cut: int
) -> None:
    """A dictionary-encoded column (in two chunks of their own dictionaries, as Parquet's
    row groups read) is coded from its dictionaries: the same codes, words and per-flight
    strings as the same rows as plain text."""
    words = [w for w, _ in rows]
    plain = pa.chunked_array(
        [pa.array(words[:cut], pa.string()), pa.array(words[cut:], pa.string())]
    )
    coded = pa.chunked_array([c.dictionary_encode() for c in plain.chunks])
    codes, found = word_codes(coded)
    want_codes, want_words = word_codes(plain)
    assert found == want_words
    assert codes.tolist() == want_codes.tolist()
    dense = {f: i for i, f in enumerate(sorted({f for _, f in rows if f >= 0}))}
    fid = np.array([dense.get(f, -1) for _, f in rows], dtype=np.int64)
    order = np.arange(len(rows), dtype=np.int64)
    got = per_flight_strings(pa.table({"s": coded}), "s", order, fid, len(dense))
    want = per_flight_strings(pa.table({"s": plain}), "s", order, fid, len(dense))
    assert got[0].equals(want[0]) and got[1].equals(want[1])
