"""``clock.isolated_jumps`` (one difference pass, the neighbour test on the frames with a jump
on both sides) against the whole-array definition it replaced: every neighbour difference
computed for every frame."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.sources.clock import SPIKE_S, TICKS_PER_S, isolated_jumps

JUMP = int(SPIKE_S * TICKS_PER_S)


def reference(ticks: np.ndarray, before: int | None) -> np.ndarray:
    """The definition: |t - prev| and |next - t| > JUMP while 8 |next - prev| < both."""
    n = ticks.shape[0]
    head = [] if before is None else [before]
    ext = np.concatenate((np.array(head, dtype=np.int64), ticks))
    out = np.zeros(n, dtype=np.bool_)
    if ext.shape[0] < 3:
        return out
    dp = np.abs(ext[1:-1] - ext[:-2])
    dn = np.abs(ext[2:] - ext[1:-1])
    nb = np.abs(ext[2:] - ext[:-2])
    spike = (dp > JUMP) & (dn > JUMP) & (nb * 8 < np.minimum(dp, dn))
    k = len(head)
    out[max(0, 1 - k) : n - 1] = spike[max(0, k - 1) :]
    return out


#: Steps between frames: small ones, jumps near the threshold and the spike ratio, and far
#: jumps both ways (48-bit counters).
STEPS = st.one_of(
    st.integers(0, 20_000),
    st.sampled_from([JUMP - 1, JUMP, JUMP + 1, -JUMP, -JUMP - 1, 8 * JUMP, -8 * JUMP]),
    st.integers(-(1 << 47), 1 << 47),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(STEPS, max_size=40), st.integers(0, 1 << 47), st.booleans())
def test_isolated_jumps_as_the_definition(steps: list[int], start: int, has_before: bool) -> None:
    t = (start + np.cumsum(np.array([0, *steps], dtype=np.int64))) % (1 << 48)
    before, ticks = (int(t[0]), t[1:]) if has_before else (None, t[1:])
    assert isolated_jumps(ticks, before).tolist() == reference(ticks, before).tolist()


def test_isolated_jumps_pinned() -> None:
    s = int(TICKS_PER_S)
    t = np.array([0, s // 10, 50 * s, 2 * s // 10, 3 * s // 10, 9 * s, 9 * s + 1], dtype=np.int64)
    # the 50 s spike between two frames 0.1 s apart; the 9 s step is a gap (no return)
    assert isolated_jumps(t, None).tolist() == [False, False, True, False, False, False, False]
    assert isolated_jumps(t[2:], s // 10).tolist() == [True, False, False, False, False]
    assert isolated_jumps(t[:2], None).tolist() == [False, False]
    assert isolated_jumps(t[2:3], s // 10).tolist() == [False]
