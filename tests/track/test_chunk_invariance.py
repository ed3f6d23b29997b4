"""Any cut of the same real input into steps gives the same state vectors and the same reject
counts by reason, for every input format the tracker takes (``track/arrival.py``).

Each input is read whole (``open_source``), then stepped through one ``IngestStep`` (dedup,
decode, count, track) in one step, and in the steps hypothesis cuts it into. The real inputs
go back in time: the beastblackbox capture and dump1090's SBS of it resend blocks of frames
a quarter of a second later. A states document is tracked in time order (the ingest step sorts
it: the quickstart collection holds an aircraft's earlier flight after its later one).
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywitness.model import FrameBatch, Observations, StateRows
from skywitness.sources import open_source
from skywitness.sources.states import observations_from_states
from skywitness.stats import IngestStats
from skywitness.track import StateVectors, Tracker
from skywitness.track.ingest_step import IngestStep
from tests.conftest import SHARED_DATA, TEST_DATA

BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
#: (name, format, path): one real input of each format the tracker takes (the readsb
#: ``aircraft.json`` and OpenSky CSV have no real sample: the hand-written ones stand in)
INPUTS = {
    "beast": ("beast", SHARED_DATA / BEAST),
    "avr": ("avr", None),  # the Beast capture's frames as AVR lines (``_avr_file``)
    "hex": ("hex", SHARED_DATA / "pymodes-tests/data_20150303_raw.txt"),
    "csv": ("hex", SHARED_DATA / "pymodes-tests/sample_data_adsb.csv"),
    "jsonl": ("jsonl", SHARED_DATA / "traffic-raw-frames/tutorial.jsonl.gz"),
    "sbs": ("sbs", SHARED_DATA / "beastblackbox-example/beast_decoded_sbs.txt.gz"),
    "trace": ("trace", SHARED_DATA / "traffic-trajectories/readsb/trace_full_ac671b.json"),
    "readsb": ("readsb", TEST_DATA / "aircraft.json"),
    "opensky": ("opensky", TEST_DATA / "opensky_states.csv"),
    "states": ("states", SHARED_DATA / "traffic-trajectories/noisy/noisy_time_issue.json.gz"),
    "quickstart": ("states", SHARED_DATA / "traffic-trajectories/collections/quickstart.json.gz"),
}

Chunk = FrameBatch | Observations
Result = tuple[pa.Table, dict[str, int], tuple[int, int, int]]


def _avr_file() -> Path:
    """The Beast capture's frames as ``@`` AVR lines (12 MHz counter, as the capture's), in a
    file of the test session's own (never in the repository)."""
    import tempfile

    frames = _read("beast", SHARED_DATA / BEAST)
    assert isinstance(frames, FrameBatch)
    lines = [f"@{int(frames.ticks[i]):012X}{frames.hex(i).upper()};" for i in range(len(frames))]
    path = Path(tempfile.mkdtemp(prefix="skywitness-avr-")) / "ulss7.avr"
    path.write_text("\n".join(lines) + "\n")
    return path


def _read(fmt: str, path: Path) -> Chunk:
    """The whole input as one chunk, rows in the order read (a states document's in time
    order, as the ingest step tracks one: ``IngestStep(track_states=True)``)."""
    start = 1522782148.136310917 if fmt in ("beast", "avr") else None
    parts: list[Chunk] = []
    for c in open_source(str(path), fmt, IngestStats(), start_time=start):
        if isinstance(c, StateRows):
            obs = observations_from_states(c.table, c.source)
            c = obs.take(np.argsort(obs.timestamp, kind="stable"))
        parts.append(c)
    if all(isinstance(c, FrameBatch) for c in parts):
        return FrameBatch.concat([c for c in parts if isinstance(c, FrameBatch)])
    return Observations.concat([c for c in parts if isinstance(c, Observations)])


@cache
def _input(name: str) -> Chunk:
    fmt, path = INPUTS[name]
    return _read(fmt, _avr_file() if path is None else path)


def _step(chunk: Chunk, cuts: tuple[int, ...], rate_s: float, lost_after_s: float) -> Result:
    """``chunk`` stepped in the pieces ``cuts`` makes, then flushed: the state vectors (in one
    order: a step's rows come out sorted by aircraft), rejects by reason, and the accepted,
    positions and aircraft counts."""
    stats = IngestStats()
    step = IngestStep(Tracker(rate_s=rate_s, lost_after_s=lost_after_s, stats=stats), stats)
    parts = []
    for a, z in pairwise((0, *cuts, len(chunk))):
        if z > a:
            parts.append(step.step(chunk.take(np.arange(a, z))).states)
    parts.append(step.flush())
    table = StateVectors.concat(parts).to_arrow()
    order = [(c, "ascending") for c in ("icao24", "timestamp", *table.column_names)]
    table = table.take(pc.sort_indices(table, order))
    counts = (stats.accepted, stats.positions, len(stats.aircraft))
    return table, dict(stats.rejected), counts


@cache
def _whole(name: str, rate_s: float, lost_after_s: float) -> Result:
    return _step(_input(name), (), rate_s, lost_after_s)


def _assert_same(got: Result, want: Result) -> None:
    assert got[1] == want[1]  # rejects by reason
    assert got[2] == want[2]
    assert got[0].num_rows == want[0].num_rows
    for column in want[0].column_names:
        assert got[0].column(column).equals(want[0].column(column)), column


@st.composite
def _cuts(draw: st.DrawFn, n: int) -> tuple[int, ...]:
    """Up to 40 cuts anywhere, or steps of one size (at most 300 steps)."""
    if n < 2:
        return ()
    if draw(st.booleans()):
        return tuple(sorted(set(draw(st.lists(st.integers(1, n - 1), max_size=40)))))
    size = draw(st.integers(max(1, n // 300), max(1, n // 2)))
    return tuple(range(size, n, size))


@pytest.mark.parametrize("name", [n for n in INPUTS if n != "quickstart"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rate_s=st.sampled_from([1.0, 0.0, 5.0]), lost=st.sampled_from([60.0, 3.0]))
def test_any_cut_into_steps_gives_the_same_output(
    name: str, data: st.DataObject, rate_s: float, lost: float
) -> None:
    chunk = _input(name)
    cuts = data.draw(_cuts(len(chunk)), label="cuts")
    _assert_same(_step(chunk, cuts, rate_s, lost), _whole(name, rate_s, lost))


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_collection_of_flights_cut_anywhere(data: st.DataObject) -> None:
    """284,505 states of 238 flights."""
    chunk = _input("quickstart")
    cuts = data.draw(_cuts(len(chunk)), label="cuts")
    _assert_same(_step(chunk, cuts, 1.0, 60.0), _whole("quickstart", 1.0, 60.0))


# -- the defects found, one cut each (each fails on the code before the fix) ----------------


def test_sbs_in_reads_of_20_reports_as_in_one_step() -> None:
    """dump1090's SBS resends blocks of reports: the gather bench's 570 rows (reads of 20)
    against 565 (one step) came from resent rows older than the aircraft's last update, which
    emitted against the previous update's bucket instead of the latest one."""
    chunk = _input("sbs")
    whole = _whole("sbs", 1.0, 60.0)
    assert whole[0].num_rows == 565
    _assert_same(_step(chunk, tuple(range(20, len(chunk), 20)), 1.0, 60.0), whole)


def test_the_gate_keeps_its_last_rejected_fix_across_steps() -> None:
    """Two agreeing fixes either side of a step's end restart the aircraft's reference as they
    do inside a step (noisy_time_issue: 26 implausible positions, 27 when cut at row 2780)."""
    whole = _whole("states", 1.0, 60.0)
    assert whole[1] == {"implausible_position": 26}
    _assert_same(_step(_input("states"), (2780,), 1.0, 60.0), whole)


def test_resent_beast_frames_are_merged_whichever_step_they_come_in() -> None:
    """The capture resends frames up to 0.27 s behind the newest: 5,523 duplicates in one
    step, 5,485 in steps of 7 frames when the context kept only the last 0.1 s."""
    whole = _whole("beast", 1.0, 60.0)
    assert whole[1]["duplicate"] == 5_523
    _assert_same(_step(_input("beast"), tuple(range(7, 13_954, 7)), 1.0, 60.0), whole)


def test_an_aircraft_lost_inside_a_step_before_any_update_returns_its_pending_state() -> None:
    """pyModeS's raw capture, loss after 3 s: 40621d's last update (a DF5 at 16:12:28.606)
    ends the first step, and its next rows (DF11 only) come before a 6 s silence: the loss
    inside the second step returned nothing of the state the first left pending."""
    whole = _whole("hex", 1.0, 3.0)
    assert whole[0].num_rows == 214
    _assert_same(_step(_input("hex"), (252,), 1.0, 3.0), whole)


def test_states_cut_after_a_rejected_fix_as_in_one_step() -> None:
    """noisy_time_issue's row 3354 jumps (its position rejected) and the rows after it agree
    with it (accepted). Cut at 3355, the rejected fix was carried into the next step and, not
    cleared by the rows the gate's walk accepted as they stood, let row 3392's jump through as
    the second of two agreeing fixes: 25 rejects against 26 in one step (hypothesis found it)."""
    chunk = _input("states")
    whole = _whole("states", 1.0, 60.0)
    assert whole[1] == {"implausible_position": 26}
    _assert_same(_step(chunk, (3355,), 1.0, 60.0), whole)
