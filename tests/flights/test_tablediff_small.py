"""``diff_flights`` of a few rows (a live step's) compares Python values instead of numpy
arrays (``tablediff.PY_ROWS``, a live step's fixed cost): the same rows changed and removed
either way, whatever differs (a time, a count, a null or NaN distance, a callsign list, an
alternative's score) and whatever the row order."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import build_flights, tablediff
from skywitness.flights.tablediff import diff_flights

from .truth import load_any


def _set(t: pa.Table, name: str, row: int, value: object) -> pa.Table:
    values = t[name].to_pylist()
    values[row] = value
    return t.set_column(t.schema.get_field_index(name), name, pa.array(values, t[name].type))


@pytest.fixture(scope="module")
def flights(trajectories: Path, runways: pa.Table) -> pa.Table:
    """A dozen of calfire's flights, three with arrival alternatives."""
    got = build_flights(load_any(next(trajectories.rglob("calfire.json.gz"))), runways=runways)
    n_alt = pc.list_value_length(got["arrival_alternatives"]).to_pylist()
    alt = [i for i, n in enumerate(n_alt) if n]
    rest = [i for i, n in enumerate(n_alt) if not n]
    return got.take(pa.array(sorted(alt[:3] + rest[:9])))


def _variants(f: pa.Table) -> list[pa.Table]:
    dist = "estArrivalAirportHorizDistance"
    a, b = [i for i, d in enumerate(f[dist].to_pylist()) if d is not None and d == d][:2]
    alts = f["arrival_alternatives"].to_pylist()
    row = next(i for i, a in enumerate(alts) if a)
    bumped = [dict(a) for a in alts[row]]
    bumped[0]["score"] = (bumped[0]["score"] or 0.0) + 0.5
    return [
        f,
        _set(f, "n_positions", 2, f["n_positions"][2].as_py() + 1),
        _set(f, dist, a, None),
        _set(_set(f, dist, a, float("nan")), dist, b, None),
        _set(f, "callsigns", 0, ["XYZ123"]),
        _set(f, "arrival_alternatives", row, bumped),
        f.slice(1),  # a flight removed
        f.take(pa.array(list(range(f.num_rows))[::-1])),  # another order
    ]


def test_few_rows_diff_as_numpy_does(flights: pa.Table, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = flights["estArrivalAirportHorizDistance"].to_pylist()
    a = next(i for i, d in enumerate(dist) if d is not None and d == d)
    # NaN before, null after (a variant): equal, as in numpy's arrays (both NaN there)
    nan_dist = _set(flights, "estArrivalAirportHorizDistance", a, float("nan"))
    for before in (flights, nan_dist):
        for fresh in _variants(flights):
            py = diff_flights(before, fresh)
            monkeypatch.setattr(tablediff, "PY_ROWS", 0)
            np_ = diff_flights(before, fresh)
            monkeypatch.undo()
            # rows of ``fresh`` either way (Table.equals holds NaN unequal to itself)
            ids = py[0]["flight_id"].to_pylist()
            assert ids == np_[0]["flight_id"].to_pylist() and py[1] == np_[1]
    # and it finds the changes: each variant but the reordered copy differs in one row
    changed = [diff_flights(flights, v)[0].num_rows for v in _variants(flights)]
    assert changed == [0, 1, 1, 2, 1, 1, 0, 0]
    assert diff_flights(flights, flights.slice(1))[1] == [flights["flight_id"][0].as_py()]
