"""Duplicate merging on the paths the vectorised filter takes: long runs of one frame chained
window after window, times out of order inside a batch, and a collision of the one-word sort key.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.model import FrameBatch
from skywitness.sources import Deduplicator
from skywitness.sources.dedup import _MIX

from .test_dedup import _reference

LONG = "8d4840d6202cc371c32ce0576098"
SHORT = "5d4840d6f87407"


def _kept_rows(frames: list[str], times: list[float], window: float) -> tuple[list[int], list[int]]:
    batch = FrameBatch.from_hex(frames, times)
    batch.ticks[:] = np.arange(len(frames), dtype=np.uint64)  # row ids ride along
    # times spread over 2 s in any order: none is too late to merge (``late_s``)
    d = Deduplicator(window_s=window, late_s=np.inf)
    out = d.filter(batch)
    return out.ticks.tolist(), d.last_copies.tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([LONG, SHORT, "02e1"]), st.integers(0, 2000)),
        max_size=120,
    )
)
def test_unsorted_times_and_long_chains(rows: list[tuple[str, int]]) -> None:
    """Times in any order (ms steps: exact window edges are common), one batch."""
    frames = [r[0] for r in rows]
    times = [r[1] / 1000 for r in rows]
    kept, copies = _kept_rows(frames, times, 0.05)
    assert sorted(kept) == _reference(frames, times, 0.05)
    # every row is either kept or counted in exactly one kept row's copies
    assert sum(copies) == len(rows)


def test_chain_of_windows() -> None:
    """One frame every 30 ms for 1 s with a 0.1 s window: kept at 0, 0.12, 0.24, ..."""
    times = [i * 0.03 for i in range(34)]
    kept, copies = _kept_rows([LONG] * len(times), times, 0.1)
    assert kept == [0, 4, 8, 12, 16, 20, 24, 28, 32]
    assert copies == [4, 4, 4, 4, 4, 4, 4, 4, 2]


def test_sort_key_collision() -> None:
    """Two different frames sharing the mixed 64-bit sort word are still told apart."""
    a = bytes.fromhex(LONG)
    k0a = int.from_bytes(a[:8], "little")
    k1a = int.from_bytes(a[8:14] + b"\x0e\x00", "little")
    tail_b = bytes.fromhex("0102030405060e00")
    k1b = int.from_bytes(tail_b, "little")
    mix = int(_MIX)
    mask = (1 << 64) - 1
    k0b = k0a ^ ((k1a * mix) & mask) ^ ((k1b * mix) & mask)
    b = (k0b.to_bytes(8, "little") + tail_b[:6]).hex()
    assert b != LONG
    frames = [LONG, b, LONG, b, b]
    times = [0.0, 0.001, 0.002, 0.003, 0.2]
    kept, copies = _kept_rows(frames, times, 0.1)
    assert kept == [0, 1, 4]
    assert copies == [2, 2, 1]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 400)), max_size=200),
    st.sampled_from([0.05, 0.1, 0.1 + 1e-12]),
)
def test_chains_only_in_clusters_are_the_chains_of_the_runs(
    rows: list[tuple[int, int]], window: float
) -> None:
    """``_window_heads`` follows the chain only inside clusters (rows each within the window
    of the one before) spanning more than the window: the same kept rows as the chain over
    whole runs, times on exact window edges (10 ms steps, 0.1 s window) and off them."""
    from skywitness.sources.dedup import _chain_heads, _window_heads

    rows = sorted(rows)
    key = np.array([r[0] for r in rows], dtype=np.int64)
    ts = np.array([r[1] * 0.01 + 1.7e9 for r in rows])
    new_run = np.ones(len(rows), dtype=np.bool_)
    new_run[1:] = key[1:] != key[:-1]
    assert np.array_equal(_window_heads(ts, new_run, window), _chain_heads(ts, new_run, window))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([LONG, SHORT, "02e1"]), st.integers(0, 600), st.integers(0, 3)),
        min_size=1,
        max_size=80,
    ),
    st.randoms(use_true_random=False),
)
def test_filter_in_a_given_order_is_filter_of_the_reordered_batch(
    rows: list[tuple[str, int, int]], rnd: Any
) -> None:
    """``filter(batch, order)`` (the merged step's rows reordered by the deduplicator's one
    copy) gives what ``filter(batch.take(order))`` gives: rows, copies, receivers, kept rows,
    and the context the next batch is merged against."""
    half = len(rows) // 2
    a, b, c = Deduplicator(window_s=0.1), Deduplicator(window_s=0.1), Deduplicator(window_s=0.1)
    for part in (rows[:half], rows[half:]):
        if not part:
            continue
        batch = FrameBatch.from_hex([r[0] for r in part], [r[1] / 1000 for r in part])
        batch.receiver[:] = np.array([r[2] for r in part], dtype=np.uint64)
        batch.ticks[:] = np.arange(len(part), dtype=np.uint64)  # row ids ride along
        order = np.array(rnd.sample(range(len(part)), len(part)), dtype=np.intp)
        want, got = a.filter(batch.take(order)), b.filter(batch, order)
        for name in ("timestamp", "data", "length", "ticks", "receiver"):
            assert np.array_equal(getattr(got, name), getattr(want, name))
        assert np.array_equal(b.last_kept, a.last_kept)
        assert np.array_equal(b.last_copies, a.last_copies)
        assert b.last_receivers == a.last_receivers
        assert np.array_equal(b._prev_keys, a._prev_keys)
        assert np.array_equal(b._prev_t, a._prev_t)
        # modeac=False: the same less the Mode A/C replies, counted
        less = c.filter(batch, order, modeac=False)
        modes = np.flatnonzero(want.length != 2)
        for name in ("timestamp", "data", "length", "ticks", "receiver"):
            assert np.array_equal(getattr(less, name), getattr(want, name)[modes])
        assert c.last_modeac == len(want) - modes.size
        assert np.array_equal(c.last_copies, a.last_copies[modes])
        assert {int(modes[k]): v for k, v in c.last_receivers.items()} == a.last_receivers
        assert np.array_equal(c._prev_keys, a._prev_keys)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 50)), max_size=300),
    st.booleans(),
)
def test_packed_sort_is_the_lexsort(rows: list[tuple[int, int]], shared_high: bool) -> None:
    """``_by_word_then_time`` orders as ``np.lexsort((t, h))``, ties in time included, also
    when different words share their high bits (``shared_high``: they differ only in the low
    bits the rank takes, so the packed order would interleave them: the lexsort path)."""
    from skywitness.sources.dedup import _by_word_then_time

    base = np.uint64(0xDEADBEEF12345678) & ~np.uint64((1 << 20) - 1)
    k = np.array([r[0] for r in rows], dtype=np.uint64)
    h = base + (k if shared_high else k << np.uint64(20))
    t = np.array([r[1] * 0.25 for r in rows])
    order, hs = _by_word_then_time(h, t)
    assert np.array_equal(order, np.lexsort((t, h)))
    assert np.array_equal(hs, h[order])


def test_take_gathers_rows_as_items_or_plainly_alike() -> None:
    """``FrameBatch.take`` (its rows gathered as one item each) gives the arrays of plain
    fancy indexing, for contiguous data, data whose rows are not contiguous bytes (the plain
    take) and a mask."""
    frames = [
        "8D4840D6202CC371C32CE0576098",
        "5D4840D6A8CCA1",
        "2000",
        "8D4840D6202CC371C32CE0576098",
    ]
    batch = FrameBatch.from_hex(frames, np.arange(4, dtype=np.float64), source="t")
    strided = FrameBatch(
        batch.timestamp,
        np.asfortranarray(batch.data),
        batch.length,
        batch.signal,
        batch.ticks,
        batch.receiver,
        batch.source,
    )
    indices = [np.array([3, 0, 2, 2], dtype=np.intp), np.array([True, False, True, True])]
    for b in (batch, strided):
        for index in indices:
            got = b.take(index)
            for name in ("timestamp", "data", "length", "signal", "ticks", "receiver"):
                want = getattr(b, name)[index]
                assert np.array_equal(getattr(got, name), want, equal_nan=True), name
            assert got.data.flags.c_contiguous and got.source == "t"
    assert len(batch.take(np.zeros(0, dtype=np.intp))) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 400)), max_size=200),
    st.sampled_from([0.05, 0.1, 0.1 + 1e-12]),
)
def test_chain_heads_is_the_walk_at_unix_times(rows: list[tuple[int, int]], window: float) -> None:
    """``_chain_heads`` (one search over times moved apart by run) keeps what a walk of each
    run keeps: its first row, then each first row more than the window after the last kept,
    at unix-second times on exact window edges (10 ms steps) and off them."""
    from skywitness.sources.dedup import _chain_heads

    rows = sorted(rows)
    key = [r[0] for r in rows]
    ts = np.array([r[1] * 0.01 + 1.7e9 for r in rows])
    new_run = np.ones(len(rows), dtype=np.bool_)
    new_run[1:] = np.array(key[1:]) != np.array(key[:-1])
    want = np.zeros(len(rows), dtype=np.bool_)
    kept_t = 0.0
    for i in range(len(rows)):
        if new_run[i] or ts[i] - kept_t > window:
            want[i], kept_t = True, float(ts[i])
    assert np.array_equal(_chain_heads(ts, new_run, window), want)
