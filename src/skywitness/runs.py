"""Runs of equal values in a column (a sorted key: an aircraft's rows, a group's, a day's):
where each run starts (``run_heads``: per row; ``run_starts``: the rows) and where it ends
(``run_tails``: per row; ``run_stops``: each run's slice stop, from its start); and a column's
distinct values by its runs (``distinct``). Written once here, below every stage, for every
layer to use."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

B1 = npt.NDArray[np.bool_]
_I = TypeVar("_I", bound=np.integer[Any])


def run_heads(a: npt.NDArray[Any]) -> B1:
    """Per row of ``a``, whether a run of equal values starts there (the first row, and each
    row unlike the one before); empty for an empty ``a``."""
    out = np.empty(a.shape[0], dtype=bool)
    if out.size:
        out[0] = True
        np.not_equal(a[1:], a[:-1], out=out[1:])
    return out


def run_starts(a: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """The rows of ``a`` where a run of equal values starts (0 first), ascending; none for an
    empty ``a``."""
    return np.flatnonzero(run_heads(a))


def run_stops(starts: npt.NDArray[_I], n: int) -> npt.NDArray[_I]:
    """For runs that start at ``starts`` (ascending, 0 first) in ``n`` rows, the row after each
    one's last (its slice's stop: the next start, ``n`` for the last); one stop per start, so
    none for no runs (not ``[n]``: a ``zip(starts, stops, strict=True)`` then holds)."""
    out = np.empty_like(starts)
    if out.size:
        out[:-1] = starts[1:]
        out[-1] = n
    return out


def run_tails(a: npt.NDArray[Any]) -> B1:
    """Per row of ``a``, whether a run of equal values ends there (the last row, and each row
    unlike the one after); empty for an empty ``a``."""
    out = np.empty(a.shape[0], dtype=bool)
    if out.size:
        out[-1] = True
        np.not_equal(a[1:], a[:-1], out=out[:-1])
    return out


def distinct(values: npt.NDArray[np.integer]) -> list[int]:
    """``np.unique(values).tolist()`` by a sort: ``np.unique`` imports ``numpy.ma`` (~0.02 s of
    start-up) to ask whether its input is masked."""
    s = np.sort(values)
    out: list[int] = s[run_heads(s)].tolist()
    return out
