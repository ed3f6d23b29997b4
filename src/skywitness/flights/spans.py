"""The spans of rows a step's cuts sum up (``settled.SettledFlights.cut``): each cut flight's
held rows before its cut, all spans in one pass (``SpanStats``: top speed, gaps, longest gap,
smallest cos(latitude); ``span_words``: callsigns and sources with counts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .segment import AIR_GAP_S
from .settle import Sorted, tally

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]


@dataclass(slots=True)
class Spans:
    """Spans of rows ``lo[j]..hi[j]-1``, one after the other: each row's span and index."""

    group: I8
    rows: I8
    count: int

    @classmethod
    def of(cls, lo: I8, hi: I8) -> Spans:
        size = np.maximum(hi - lo, 0)
        group = np.repeat(np.arange(lo.shape[0]), size)
        rows = np.arange(group.shape[0]) - np.repeat(np.cumsum(size) - size, size) + lo[group]
        return cls(group, rows, lo.shape[0])


class SpanStats(NamedTuple):
    """What a summary adds up over a span's rows: the top groundspeed (with the last
    summary's, NaN: none), the gaps to the next row over ``AIR_GAP_S`` from an airborne row,
    the longest gap (s) and the smallest cos(latitude) (2.0: no row)."""

    vmax: F8
    gaps: I8
    longest: F8
    cos: F8

    def at(self, j: int) -> tuple[float, int, float, float]:
        return (float(self.vmax[j]), int(self.gaps[j]), float(self.longest[j]),
                float(self.cos[j]))  # fmt: skip


def span_stats(s: Sorted, spans: Spans, fa: I8, vmax0: F8) -> SpanStats:
    """``SpanStats`` of each span of ``s``'s rows, in one pass over them all (per span in
    Python: ~0.3 ms a cut, ~7,000 cuts a minute at 20,000 aircraft in the air); ``fa``: the
    first airborne time of its flight per span (NEVER: every row counts), ``vmax0``: the top
    speed before it. Maxima and minima are exact, so each equals the span's own reduction."""
    g, rows, k = spans.group, spans.rows, spans.count
    vmax = np.full(k, np.nan)
    np.fmax.at(vmax, g, s.floats("groundspeed")[rows])
    # the gap after each row, as the span's times in s would give it
    dt = s.ms[rows + 1] / 1e3 - s.ms[rows] / 1e3
    gap = (dt > AIR_GAP_S) & (s.ms[rows] >= fa[g])
    longest = np.full(k, -np.inf)
    np.maximum.at(longest, g, dt)
    cos = np.full(k, 2.0)
    np.minimum.at(cos, g, np.cos(np.radians(np.nan_to_num(s.floats("latitude")[rows]))))
    gaps = np.bincount(g, weights=gap, minlength=k).astype(np.int64)
    return SpanStats(np.fmax(vmax0, vmax), gaps, longest, cos)


def span_words(s: Sorted, spans: Spans) -> list[tuple[dict[str, int], dict[str, int]]]:
    """The callsigns and sources (``settle.tally``) of the rows of each span of ``s``: one
    tally of each column for every flight cut in a step."""
    cw, cwords = s.words("callsign")
    sw, swords = s.words("source")
    cs = tally(cw[spans.rows], cwords, spans.group, spans.count)
    src = tally(sw[spans.rows], swords, spans.group, spans.count)
    return list(zip(cs, src, strict=True))
