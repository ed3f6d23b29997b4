"""The store's checks and keys on a batch before it is written, block by block: addresses as
integers (``icao_keys``), the canonical-address check (``all_canonical_icao24``) and the split
by UTC day (``split_by_day``), each equal to a plain reference (Python's ``int(h, 16)``, the
regular expression, Arrow's own sort), across the block boundaries (block sizes made small)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.store import lake, schema
from skywitness.store.lake import MS_PER_DAY, icao_keys, split_by_day
from skywitness.store.schema import all_canonical_icao24, canonicalize

ICAO24 = re.compile("^[0-9a-f]{6}$")


def _addresses(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 1 << 24, n).tolist()
    return ["000000", "ffffff", "abcdef", "0a9f5c", *(f"{k:06x}" for k in keys)]


@pytest.mark.parametrize("block", [1, 5, 65_536])
def test_icao_keys_are_the_hex_values(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lake, "KEY_ROWS", block)
    hexes = _addresses(1_000)
    want = [int(h, 16) for h in hexes]
    assert icao_keys(pa.array(hexes)).tolist() == want
    assert icao_keys(pa.array(hexes).slice(3, 500)).tolist() == want[3:503]  # an offset
    chunked = pa.chunked_array([hexes[:10], hexes[10:]])
    assert icao_keys(chunked).tolist() == want
    assert icao_keys(pa.array([], pa.string())).tolist() == []
    # dictionary-encoded (a Parquet file's texts as stored): sliced, chunked, 8-bit indices
    enc = pa.array(hexes).dictionary_encode()
    assert icao_keys(enc).tolist() == want
    assert icao_keys(enc.slice(3, 500)).tolist() == want[3:503]
    assert icao_keys(pa.chunked_array([enc.slice(0, 10), enc.slice(10)])).tolist() == want
    small = pa.DictionaryArray.from_arrays(pa.array([1, 0, 1], pa.int8()), pa.array(hexes[:2]))
    assert icao_keys(small).tolist() == [want[1], want[0], want[1]]


@pytest.mark.parametrize("block", [1, 4, 65_536])
def test_canonical_address_check_is_the_regular_expression(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every byte either side of the hex digits' ranges (``/ : @ G ` g``), upper case, short
    and long values and nulls, in the first block and past it, in one chunk or several."""
    monkeypatch.setattr(schema, "CHECK_ROWS", block)
    good = _addresses(20)
    assert all_canonical_icao24(pa.array(good))
    assert all_canonical_icao24(pa.chunked_array([good[:7], good[7:]]))
    assert all_canonical_icao24(pa.array(good).slice(2, 9))
    for bad in ["00000/", "00000:", "00000@", "00000G", "00000`", "00000g", "ABCDEF", "~abcde",
                "abcde", "abcdef0", "abcd\u00e9"]:  # fmt: skip
        for at in (0, 9, len(good)):
            values = [*good[:at], bad, *good[at:]]
            assert bool(ICAO24.match(bad)) is False
            assert all_canonical_icao24(pa.array(values)) is False, (bad, at)
            assert all_canonical_icao24(pa.chunked_array([good, values])) is False, (bad, at)
            assert all_canonical_icao24(pa.array(values).dictionary_encode()) is False, bad
    assert all_canonical_icao24(pa.array([*good, None])) is False
    assert all_canonical_icao24(pa.array(good).dictionary_encode())
    assert all_canonical_icao24(pa.array([*good, None]).dictionary_encode()) is False
    # lengths that sum to six a row but are not six each
    assert all_canonical_icao24(pa.array(["abcde", "abcdeff", *good])) is False


def _reference_parts(table: pa.Table) -> list[pa.Table]:
    """The rows of each UTC day sorted by (icao24, time) with Arrow's stable sort."""
    ms = pc.cast(table.column("timestamp"), pa.int64()).to_numpy()
    day = pa.array(ms // MS_PER_DAY)
    keyed = table.append_column("_day", day)
    keyed = keyed.take(
        pc.sort_indices(
            keyed,
            [("_day", "ascending"), ("icao24", "ascending"), ("timestamp", "ascending")],
        )
    )
    days = keyed.column("_day").to_numpy()
    bounds = [0, *(np.flatnonzero(np.diff(days)) + 1).tolist(), keyed.num_rows]
    plain = keyed.drop_columns(["_day"])
    return [plain.slice(a, b - a) for a, b in itertools.pairwise(bounds)]


def _days(quickstart: pa.Table, copies: int) -> pa.Table:
    """``copies`` of the real rows, each a day later (as bench/ingest_states.py makes them)."""
    ts = quickstart.column("timestamp")
    parts = []
    for k in range(copies):
        shifted = pc.cast(pc.add(pc.cast(ts, pa.int64()), k * MS_PER_DAY), pa.int64())
        parts.append(quickstart.set_column(0, "timestamp", shifted.cast(ts.type)))
    return canonicalize(pa.concat_tables(parts))


def _assert_split(table: pa.Table) -> None:
    want = _reference_parts(table)
    got = split_by_day(table)
    assert [p.table.num_rows for p in got] == [w.num_rows for w in want]
    for part, ref in zip(got, want, strict=True):
        ms = pc.cast(ref.column("timestamp"), pa.int64()).to_numpy()
        assert part.day.toordinal() - 719_163 == int(ms[0] // MS_PER_DAY)  # 1970-01-01
        for name in ("timestamp", "icao24", "latitude", "callsign"):
            assert part.table.column(name).to_pylist() == ref.column(name).to_pylist(), name


@pytest.mark.parametrize("block", [3, 1_000, 65_536])
def test_split_by_day_in_the_lake_order_or_not(
    quickstart: pa.Table, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three days of real rows: in any order (sorted here), already in the lake's order (kept
    as they are: no copy), and in that order but for two rows swapped exactly across a block
    boundary (the one row of overlap between blocks sees it)."""
    monkeypatch.setattr(lake, "ORDER_CHECK_ROWS", block)
    table = _days(quickstart.slice(0, 20_000), 3)
    _assert_split(table)
    ordered = pa.concat_tables(_reference_parts(table)).combine_chunks()
    parts = split_by_day(ordered)
    assert [p.table.num_rows for p in parts] == [20_000, 20_000, 20_000]
    buf = ordered.column("timestamp").chunk(0).buffers()[1]
    assert parts[0].table.column("timestamp").chunk(0).buffers()[1].address == buf.address
    _assert_split(ordered)
    _assert_split(ordered.slice(5))  # at an offset into its buffers
    at = 2 * block if 2 * block < ordered.num_rows else 2 * ordered.num_rows // 3
    swap = np.arange(ordered.num_rows)
    swap[[at - 1, at]] = swap[[at, at - 1]]
    swapped = ordered.take(pa.array(swap))
    assert not swapped.column("icao24").equals(ordered.column("icao24")) or not swapped.column(
        "timestamp"
    ).equals(ordered.column("timestamp"))
    _assert_split(swapped)


def _encoded(table: pa.Table) -> pa.Table:
    """``table`` with its addresses and callsigns dictionary-encoded (as the states gate's)."""
    for name in ("icao24", "callsign"):
        i = table.column_names.index(name)
        table = table.set_column(i, name, table.column(name).dictionary_encode())
    return table.combine_chunks()


@pytest.mark.parametrize("block", [3, 65_536])
def test_split_by_day_of_dictionary_texts(
    quickstart: pa.Table, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dictionary-encoded addresses (the states gate's): the same parts, values and order as
    of the plain texts, in the lake's order (checked through the dictionary's keys) or not
    (sorted), a swap across a block boundary seen."""
    monkeypatch.setattr(lake, "ORDER_CHECK_ROWS", block)
    table = _days(quickstart.slice(0, 5_000), 3)
    ordered = pa.concat_tables(_reference_parts(table)).combine_chunks()
    at = 2 * block if 2 * block < ordered.num_rows else 2 * ordered.num_rows // 3
    swap = np.arange(ordered.num_rows)
    swap[[at - 1, at]] = swap[[at, at - 1]]
    for plain in (table, ordered, ordered.take(pa.array(swap))):
        want = split_by_day(plain)
        got = split_by_day(_encoded(plain))
        assert [p.day for p in got] == [p.day for p in want]
        for part, ref in zip(got, want, strict=True):
            assert pa.types.is_dictionary(part.table.column("icao24").type)
            for name in ("timestamp", "icao24", "latitude", "callsign"):
                got_values = part.table.column(name).to_pylist()
                assert got_values == ref.table.column(name).to_pylist(), name
    assert lake._day_starts_in_order(
        pc.cast(ordered.column("timestamp"), pa.int64()).to_numpy(),
        _encoded(ordered).column("icao24").chunk(0),
    ) == [5_000, 10_000]
