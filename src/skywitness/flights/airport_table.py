"""airportsdata's table (``airports.csv``) read whole, by Arrow's CSV reader, into the columns
of an ``AirportIndex``: what ``AirportIndex(airportsdata.load("ICAO"))`` holds, without the
per-airport dicts and Python: the default index in ~0.07 s CPU, against ~0.16 s, on every
ingest's flights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import numpy_of

#: airportsdata's CSV columns and how ``airportsdata.load`` reads them (``QUOTE_NONNUMERIC``:
#: the unquoted fields, elevation and position, are numbers; every other field is text).
_AIRPORTSDATA_NUMBERS = ("elevation", "lat", "lon")
_AIRPORTSDATA_TEXTS = ("icao", "iata", "name", "country", "lid")


def airportsdata_columns(path: Path) -> dict[str, npt.NDArray[Any]] | None:
    """The columns ``AirportIndex(airportsdata.load("ICAO"))`` would make of airportsdata's
    ``airports.csv``, read whole by Arrow's CSV reader. None when a key is empty or repeated
    (``load`` keeps one row per key: left to it)."""
    import pyarrow.csv as pacsv

    types = {c: pa.float64() for c in _AIRPORTSDATA_NUMBERS}
    types.update({c: pa.string() for c in _AIRPORTSDATA_TEXTS})
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            include_columns=[*_AIRPORTSDATA_TEXTS, *_AIRPORTSDATA_NUMBERS],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    text = {c: np.array(table[c].to_pylist(), dtype=object) for c in _AIRPORTSDATA_TEXTS}
    icao = text["icao"]
    # (a set, not ``np.unique``: that imports ``numpy.ma``, ~7 ms of every ingest)
    if (icao == "").any() or len(set(icao.tolist())) != icao.shape[0]:
        return None
    num = {c: numpy_of(table[c], np.nan) for c in _AIRPORTSDATA_NUMBERS}
    elevation = np.where(np.isnan(num["elevation"]), 0.0, num["elevation"])
    if np.isnan(num["lat"]).any() or np.isnan(num["lon"]).any():
        return None  # ``load`` would fail on such a row: its own error, not ours
    return {**text, "lat": num["lat"], "lon": num["lon"], "elevation_ft": elevation}
