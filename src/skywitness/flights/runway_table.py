"""The OurAirports runways table: reading it (``load_runways``) and what it says per airport
beyond the centre lines (``runway_lengths``: how long, and whether paved, its longest runway
is, so that an airliner is not sent to a grass strip).

Pure functions over Arrow tables in RUNWAY_SCHEMA; the airports are an ``AirportIndex``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .schema import RUNWAY_SCHEMA

if TYPE_CHECKING:
    from .airports import AirportIndex

F8 = npt.NDArray[np.float64]

# OurAirports runway surfaces, upper-cased, that are hard (asphalt, concrete, bitumen, tarmac,
# macadam, brick, pierced steel; "ASPH-G" is asphalt in good condition) and that are soft
# (grass, turf, gravel, dirt, water...): a runway is unpaved only if soft and not hard
# ("UNK" or nothing says nothing)
HARD_SURFACE_RE = "ASP|CON|PEM|BIT|TAR|CEM|MAC|BRI|PSP|STEEL|METAL|^PAV"
SOFT_SURFACE_RE = (
    "TURF|GRASS|GRS|GRE|GRAV|GRVL|GVL|DIRT|EARTH|SAND|CLAY|SOIL|GROUND|WATER|SNOW|ICE|"
    "UNPAV|SOD|LATERITE|CORAL|SHALE|MUD|^G$|^S$|^D$|^W$"
)


def load_runways(path: str | Path) -> pa.Table:
    """Read OurAirports ``runways.csv`` (or ``.csv.gz``) into RUNWAY_SCHEMA.

    Kept: runways with both threshold positions (a centre line) and those with a length
    only (a strip's length says which aircraft can use it: ``RunwayIndex.longest_ft``).
    """
    types = {f.name: f.type for f in RUNWAY_SCHEMA if f.name != "closed"}
    types["closed"] = pa.int8()
    table = pacsv.read_csv(
        str(path),
        convert_options=pacsv.ConvertOptions(
            column_types=types, include_columns=list(RUNWAY_SCHEMA.names)
        ),
    )
    table = table.set_column(
        table.schema.get_field_index("closed"),
        "closed",
        pc.equal(pc.fill_null(table["closed"], 0), 1),
    )
    ok = pc.or_(pc.fill_null(pc.greater(table["length_ft"], 0), False), has_thresholds(table))
    return table.filter(ok).select(RUNWAY_SCHEMA.names).cast(RUNWAY_SCHEMA)


def has_thresholds(runways: pa.Table) -> pa.ChunkedArray:
    """True for the runways (RUNWAY_SCHEMA rows) with both threshold positions."""
    t = runways
    return pc.and_(
        pc.and_(pc.is_valid(t["le_latitude_deg"]), pc.is_valid(t["le_longitude_deg"])),
        pc.and_(pc.is_valid(t["he_latitude_deg"]), pc.is_valid(t["he_longitude_deg"])),
    )


def runway_lengths(runways: pa.Table, airports: AirportIndex) -> tuple[F8, F8]:
    """Per airport of ``airports``, the length (ft) of its longest runway and of its longest
    runway not known to be unpaved (NaN: none listed). An unknown surface counts as paved:
    it rules nothing out."""
    apt = airports.indices_of_ident(runways["airport_ident"])
    length = runways["length_ft"].to_numpy(zero_copy_only=False).astype(np.float64)
    if "surface" in runways.column_names:
        text = pc.utf8_upper(pc.fill_null(runways["surface"], ""))
        hard = pc.match_substring_regex(text, HARD_SURFACE_RE)
        soft = pc.match_substring_regex(text, SOFT_SURFACE_RE)
        paved = np.asarray(pc.or_(hard, pc.invert(soft)).to_numpy(zero_copy_only=False), dtype=bool)
    else:
        paved = np.ones(runways.num_rows, dtype=bool)
    out = []
    for use in (np.ones(paved.shape[0], dtype=bool), paved):
        top = np.full(len(airports), -np.inf)
        ok = (apt >= 0) & np.isfinite(length) & use
        np.maximum.at(top, apt[ok], length[ok])
        top[~np.isfinite(top)] = np.nan
        out.append(top)
    # an airport with runways listed but none paved: its paved length is 0, not unknown
    listed = np.isfinite(out[0])
    out[1] = np.where(listed & np.isnan(out[1]), 0.0, out[1])
    return out[0], out[1]
