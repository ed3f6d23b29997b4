"""The builds of the incremental ``FlightBuilder`` (``incremental``): ``build_flights`` of a
step's window, a large one in groups of whole aircraft (``build_in_groups``), and with the
tally of each flight's words and top speed that the merge of a cut flight takes from its build
(``build_in_groups_tallied``: ``builder.build_flights_tallied`` where the window is one build,
``builder.FlightTally``)."""

from __future__ import annotations

import pyarrow as pa

from . import builder
from .builder import FlightTally, build_flights
from .infer import AirportInference
from .point_order import AircraftCodes, aircraft_codes
from .rowarrays import group_of_codes, grouped_rows

BUILD_ROWS = 200_000  # rows of one build_flights call at most (whole aircraft beyond)


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
    code, names = aircraft_codes(window["icao24"])
    groups = grouped_rows(window, group_of_codes(code, names, BUILD_ROWS), code)
    parts = [
        build_flights(part, inference=inference, kinds=kinds, codes=(part_codes, names))
        for part, part_codes in groups
    ]
    return pa.concat_tables(parts)


def build_in_groups_tallied(
    window: pa.Table,
    inference: AirportInference,
    kinds: dict[str, int] | None,
    codes: AircraftCodes | None = None,
) -> tuple[pa.Table, FlightTally | None]:
    """``build_in_groups``, with each flight's tally where it is one build (what the merge of
    the cut flights counts again otherwise, ~0.5 ms a live step; None: in groups)."""
    if window.num_rows > BUILD_ROWS:
        return build_in_groups(window, inference, kinds, codes), None
    return builder.build_flights_tallied(window, inference, kinds, codes)
