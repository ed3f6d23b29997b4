"""Taking rows of an ``Observations`` keeps every column it has (``Observations.take``, which
``sources.records.obs_take`` calls): before, ``position_error`` (multilateration's 95 % radius)
was dropped by every slice, and a batch without the optional ``new_leg`` could not be sliced."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from skywitness.model import Observations
from skywitness.sources.records import obs_take


def _batch(n: int) -> Observations:
    obs = Observations.empty(n, source="mlat")
    obs.timestamp[:] = np.arange(n, dtype=np.float64) + 1.7e9
    obs.position_error[:] = np.arange(n) * 10.0 + 5.0
    obs.new_leg[:] = np.arange(n) % 2 == 0
    return obs


def test_take_keeps_position_error_and_new_leg() -> None:
    got = obs_take(_batch(5), np.array([4, 0, 2]))
    assert got.position_error.tolist() == [45.0, 5.0, 25.0]
    assert got.new_leg.tolist() == [True, True, True]
    assert got.timestamp.tolist() == [1.7e9 + 4, 1.7e9, 1.7e9 + 2]
    assert got.source == "mlat" and len(got) == 3


def test_take_by_slice_and_mask_gives_every_column() -> None:
    obs = _batch(6)
    by_slice = obs_take(obs, slice(1, 4))  # type: ignore[arg-type]
    by_mask = obs_take(obs, np.array([False, True, True, True, False, False]))
    for f in fields(Observations):
        if f.name != "source":
            a, b = getattr(by_slice, f.name), getattr(by_mask, f.name)
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name
            assert len(getattr(by_slice, f.name)) == 3, f.name


def test_a_batch_without_the_optional_columns_is_sliced_and_keeps_them_empty() -> None:
    obs = replace(_batch(4), new_leg=np.zeros(0, dtype=np.bool_), position_error=np.zeros(0))
    got = obs_take(obs, np.array([3, 1]))
    assert len(got) == 2 and got.timestamp.tolist() == [1.7e9 + 3, 1.7e9 + 1]
    assert len(got.new_leg) == 0 and len(got.position_error) == 0
