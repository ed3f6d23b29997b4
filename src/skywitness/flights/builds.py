"""The builds of the incremental ``FlightBuilder`` (``incremental``): ``build_flights`` of a
step's window, a large one in groups of whole aircraft (``build_in_groups``), and with the
tally of each flight's words and top speed that the merge of a cut flight takes from its build
(``build_in_groups_tallied``, ``builder.FlightTally``), a large window's too (the tallies of its
groups joined: the merge would otherwise code the words of the whole window again, rows held of
every aircraft it rebuilds)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from . import builder
from .builder import FlightTally, build_flights
from .infer import AirportInference
from .point_order import AircraftCodes, aircraft_codes
from .rowarrays import group_of_codes, iter_grouped_rows

BUILD_ROWS = 200_000  # rows of one build_flights call at most (whole aircraft beyond)


def _groups(
    window: pa.Table, codes: AircraftCodes | None
) -> Iterator[tuple[pa.Table, AircraftCodes]]:
    """``window``'s groups of whole aircraft of about ``BUILD_ROWS`` rows, each with its rows'
    codes, one at a time (a group's copy freed once built). The addresses are coded once
    (``codes``: the rows' ``aircraft_codes`` where the caller has them, a live step's: its
    window of rows held is not encoded again)."""
    code, names = codes if codes is not None else aircraft_codes(window["icao24"])
    for part, part_codes in iter_grouped_rows(
        window, group_of_codes(code, names, BUILD_ROWS), code
    ):
        yield part, (part_codes, names)


def build_in_groups(
    window: pa.Table,
    inference: AirportInference,
    kinds: dict[str, int] | None,
    codes: AircraftCodes | None = None,
) -> pa.Table:
    """``build_flights`` of ``window``; a large one (a step over thousands of aircraft) in
    groups of whole aircraft of ``BUILD_ROWS`` rows (each aircraft's flights are its own),
    so that the build's temporaries, freed after, never peak at hundreds of MB (#17 item 12:
    ~700 MB more in the child for a window of 1.2M rows). The addresses are coded once, for
    the grouping and each group's build (an ingest's 1M rows were encoded twice); ``codes``:
    the rows' ``aircraft_codes`` where the caller has them (a live step's)."""
    if window.num_rows <= BUILD_ROWS:
        return build_flights(window, inference=inference, kinds=kinds, codes=codes)
    parts = [
        build_flights(part, inference=inference, kinds=kinds, codes=part_codes)
        for part, part_codes in _groups(window, codes)
    ]
    return pa.concat_tables(parts)


def build_in_groups_tallied(
    window: pa.Table,
    inference: AirportInference,
    kinds: dict[str, int] | None,
    codes: AircraftCodes | None = None,
) -> tuple[pa.Table, FlightTally | None]:
    """``build_in_groups``, with each flight's tally (what the merge of the cut flights
    counts again otherwise, ~0.5 ms a live step; over a large window the words of every row
    it rebuilds): a large window's the tallies of its groups, one after the other as their
    flights (an aircraft's flights are all in its group, so a flight leads its aircraft's
    rows in its group where it does in the window)."""
    if window.num_rows <= BUILD_ROWS:
        return builder.build_flights_tallied(window, inference, kinds, codes)
    parts = [
        builder.build_flights_tallied(part, inference, kinds, part_codes)
        for part, part_codes in _groups(window, codes)
    ]
    flights = pa.concat_tables([f for f, _ in parts])
    tallies = [t for _, t in parts if t is not None]
    return flights, joined(tallies) if len(tallies) == len(parts) else None


def joined(tallies: list[FlightTally]) -> FlightTally:
    """The tallies of consecutive builds' flights as one, their flights one after the other."""
    return FlightTally(
        [c for t in tallies for c in t.callsigns],
        [s for t in tallies for s in t.sources],
        np.concatenate([t.vmax for t in tallies]),
        np.concatenate([t.leads for t in tallies]),
    )
