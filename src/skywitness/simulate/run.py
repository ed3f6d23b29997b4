"""Running a scenario: frame batches in time order (as fast as possible or paced) and the truth.

``simulate`` cuts the scenario into fixed windows, lets every aircraft emit its frames in each
window, keeps the frames some receiver hears (coverage), applies each receiver's loss and level
noise, and yields one time-ordered ``FrameBatch`` per window. Timestamps are the scenario's
wall clock (UTC); ticks are the receivers' 12 MHz counter counted from the scenario start.
``truth`` gives the true state of every aircraft every second, in the canonical columns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa

from ..model import STATE_SCHEMA, FrameBatch, icao_hex
from ..runs import run_starts
from .coverage import MAX_LEVEL_DBFS, MIN_LEVEL_DBFS, level_dbfs, near_each
from .encode import quantised_altitude
from .flightpath import Fleet, evaluate, evaluate_many
from .scenario import AircraftSpec, Scenario
from .schedule import emit_many

WINDOW_S = 600.0  # scenario seconds made per step (bounded memory, vectorised work)
TICKS_PER_S = 12_000_000  # Beast 12 MHz counter
PACED_BATCH_S = 0.1  # real seconds of frames per batch when paced
COARSE_STEP_S = 30.0  # s between samples of the coarse coverage look
#: An aircraft moves less than this between coarse samples (1,200 kt for 30 s).
COARSE_MARGIN_NM = 10.0
_MASK64 = 0xFFFFFFFFFFFFFFFF

#: The canonical state columns with their Arrow types (the store's lake schema).
TRUTH_SCHEMA = STATE_SCHEMA


def source_name(scenario: Scenario) -> str:
    """The ``source`` of every batch and truth row: the label first, so it says "simulated"."""
    return f"{scenario.label}:{scenario.name}"


def _near(scenario: Scenario, w0: float, w1: float) -> list[AircraftSpec]:
    """The aircraft flying a leg in ``[w0, w1)`` that some receiver may hear, in scenario
    order: a coarse look first (every ``COARSE_STEP_S``, all aircraft at once), so that
    nothing is scheduled or encoded where no receiver is anywhere near."""
    specs = scenario.aircraft
    owner = np.array([j for j, sp in enumerate(specs) for _ in sp.plan.legs], dtype=np.int64)
    start = np.array([leg.start for sp in specs for leg in sp.plan.legs], dtype=np.float64)
    end = np.array([leg.end for sp in specs for leg in sp.plan.legs], dtype=np.float64)
    flying = np.unique(owner[(start < w1) & (end >= w0)])
    grid = np.arange(w0, w1 + COARSE_STEP_S, COARSE_STEP_S)
    fleet = Fleet.of([specs[j].plan for j in flying.tolist()])
    who = np.repeat(np.arange(flying.shape[0], dtype=np.int64), grid.shape[0])
    coarse = evaluate_many(fleet, who, np.tile(grid, flying.shape[0]))
    ok = coarse.valid
    ok[ok] = near_each(scenario.receivers, coarse.lat[ok], coarse.lon[ok], COARSE_MARGIN_NM)
    near = np.bincount(who[ok], minlength=flying.shape[0]) > 0
    return [specs[j] for j in flying[near].tolist()]


def _window(scenario: Scenario, w0: float, w1: float, index: int) -> FrameBatch:
    e = emit_many(_near(scenario, w0, w1), scenario.receivers, scenario.seed, scenario.start,
                  w0, w1)  # fmt: skip
    if not len(e):
        return FrameBatch.empty(source_name(scenario))
    t, rx, rng_nm, data, length = e.t, e.receiver, e.range_nm, e.data, e.length
    # Loss and noise from a generator per (seed, window): repeatable whatever the pacing.
    rng = np.random.default_rng([scenario.seed & _MASK64, index])
    loss = np.array([r.loss for r in scenario.receivers])[rx]
    noise = np.array([r.noise_db for r in scenario.receivers])[rx]
    kept = rng.random(t.shape[0]) >= loss
    jitter = noise * rng.standard_normal(t.shape[0])
    level = np.clip(level_dbfs(rng_nm) + jitter, MIN_LEVEL_DBFS, MAX_LEVEL_DBFS)
    order = np.flatnonzero(kept)[np.argsort(t[kept], kind="stable")]
    return FrameBatch(
        timestamp=t[order],
        data=data[order],
        length=length[order],
        signal=level[order].astype(np.float32),
        ticks=np.rint((t[order] - scenario.start) * TICKS_PER_S).astype(np.uint64),
        receiver=(rx[order] + 1).astype(np.uint64),
        source=source_name(scenario),
    )


def frames(scenario: Scenario, *, window_s: float = WINDOW_S) -> Iterator[FrameBatch]:
    """Every frame heard, as fast as it can be made: one time-ordered batch per window."""
    end = scenario.end
    count = max(math.ceil((end - scenario.start) / window_s), 0) + 1
    for i in range(count):
        w0 = scenario.start + i * window_s
        batch = _window(scenario, w0, w0 + window_s, i)
        if len(batch):
            yield batch


def simulate(
    scenario: Scenario,
    *,
    speed: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> Iterator[FrameBatch]:
    """Frame batches in time order; ``speed`` N replays at N x real time (None or 0: flat out).

    Paced batches hold about ``PACED_BATCH_S`` real seconds of frames each; the first frame goes
    out at once (long silences between frames are kept, the one before the first is not).
    """
    if not speed:
        yield from frames(scenario)
        return
    if speed < 0:
        raise ValueError(f"speed must be >= 0, got {speed}")
    anchor: tuple[float, float] | None = None  # (first frame time, real time it went out)
    chunk_s = PACED_BATCH_S * speed
    for batch in frames(scenario):
        if anchor is None:
            anchor = (float(batch.timestamp[0]), clock())
        group = np.floor((batch.timestamp - anchor[0]) / chunk_s)
        cuts = run_starts(group)[1:]
        for part in np.split(np.arange(len(batch)), cuts):
            piece = batch.take(part)
            due = anchor[1] + (float(piece.timestamp[-1]) - anchor[0]) / speed
            wait = due - clock()
            if wait > 0:
                sleep(wait)
            yield piece


def truth(scenario: Scenario, *, step_s: float = 1.0) -> pa.Table:
    """The true state of every aircraft every ``step_s`` s while its transponder is on.

    Canonical columns (``TRUTH_SCHEMA``), one aircraft after another, in time order. Altitude is
    the 25-ft value the transponder reports; other values are exact.
    """
    tables = []
    for spec in scenario.aircraft:
        for leg in spec.plan.legs:
            steps = np.arange(math.ceil(leg.start / step_s), math.floor(leg.end / step_s) + 1)
            t = steps.astype(np.float64) * step_s
            st = evaluate(spec.plan, t)
            n = t.shape[0]
            tables.append(
                pa.table(
                    {
                        "timestamp": pa.array(np.rint(t * 1000).astype(np.int64)).cast(
                            TRUTH_SCHEMA.field("timestamp").type
                        ),
                        "icao24": pa.array([icao_hex(spec.icao24)] * n),
                        "callsign": pa.array([spec.callsign] * n),
                        "latitude": st.lat,
                        "longitude": st.lon,
                        "altitude": quantised_altitude(st.altitude),
                        "geoaltitude": pa.nulls(n, pa.float64()),
                        "groundspeed": st.groundspeed,
                        "track": st.track,
                        "vertical_rate": st.vertical_rate,
                        "squawk": pa.array([spec.squawk] * n),
                        "onground": st.onground,
                        "source": pa.array([source_name(scenario)] * n),
                        "position_source": pa.array(["adsb"] * n),
                        "position_error": pa.nulls(n, pa.float64()),
                    },
                    schema=TRUTH_SCHEMA,
                )
            )
    if not tables:
        return TRUTH_SCHEMA.empty_table()
    return pa.concat_tables(tables)


def legs_table(scenario: Scenario) -> pa.Table:
    """One row per flown leg: who, from where to where, and when (UTC)."""
    ts = pa.timestamp("ms", tz="UTC")
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "icao24", "registration", "type", "callsign", "operator", "origin", "destination",
            "off_block", "takeoff", "landing", "on_block", "cruise_altitude",
        )
    }  # fmt: skip
    for spec in scenario.aircraft:
        for leg in spec.plan.legs:
            rows["icao24"].append(icao_hex(spec.icao24))
            rows["registration"].append(spec.registration)
            rows["type"].append(spec.type)
            rows["callsign"].append(spec.callsign)
            rows["operator"].append(spec.operator)
            rows["origin"].append(leg.origin.icao)
            rows["destination"].append(leg.destination.icao)
            for key, value in (
                ("off_block", leg.off_block), ("takeoff", leg.takeoff),
                ("landing", leg.landing), ("on_block", leg.on_block),
            ):  # fmt: skip
                rows[key].append(round(value * 1000))
            rows["cruise_altitude"].append(leg.cruise_altitude_ft)
    table = pa.table(rows)
    for key in ("off_block", "takeoff", "landing", "on_block"):
        i = table.schema.get_field_index(key)
        table = table.set_column(i, key, table.column(key).cast(pa.int64()).cast(ts))
    return table
