"""Aircraft codes computed once: an ingest's dictionary-encoded addresses (the states gate's)
coded from their own dictionary for the grouping and every group's build
(``point_order.aircraft_codes``, ``rowarrays.group_of_codes``, ``builds.build_in_groups``),
and a live step's window coded from its builder's codes (``point_order.window_codes``): the
same codes, groups and flights as the addresses encoded from their text."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import builds
from skywitness.flights.builder import airport_inference
from skywitness.flights.point_order import aircraft_codes, grown_names, window_codes
from skywitness.flights.rowarrays import aircraft_group_of, flight_states, group_of_codes
from skywitness.flights.stage import build_all

from .truth import load_any


@pytest.fixture(scope="module")
def calfire(trajectories: Path) -> pa.Table:
    return load_any(next(trajectories.rglob("calfire.json.gz")))


def _encoded(col: pa.ChunkedArray, parts: int) -> pa.ChunkedArray:
    """``col`` dictionary-encoded in ``parts`` chunks, each its own dictionary."""
    n = len(col)
    cuts = np.linspace(0, n, parts + 1).astype(int).tolist()
    chunks = [
        pc.dictionary_encode(col.slice(a, b - a)).combine_chunks()
        for a, b in itertools.pairwise(cuts)
    ]
    return pa.chunked_array(chunks)


def test_dictionary_codes_group_as_the_text(calfire: pa.Table) -> None:
    icao = calfire["icao24"]
    enc = _encoded(icao, 3)
    codes, names = aircraft_codes(enc)
    # the same address per row, each address one code
    assert names[codes].tolist() == icao.to_pylist()
    assert len(set(names.tolist())) == names.shape[0] == len(pc.unique(icao))
    rows = calfire.num_rows // 6
    assert np.array_equal(group_of_codes(codes, names, rows), aircraft_group_of(icao, rows))
    text_codes, text_names = aircraft_codes(icao)
    assert np.array_equal(
        group_of_codes(text_codes, text_names, rows), aircraft_group_of(icao, rows)
    )


def test_capitals_in_a_dictionary_are_one_aircraft() -> None:
    # "ABC123" and "abc123" one aircraft (as the text lowercased), a null row coded ""
    col = pa.chunked_array([pa.array(["ABC123", "abc123", "4ca7b5", "ABC123"]).dictionary_encode()])
    states = pa.table(
        {"icao24": col, "timestamp": pa.array([1, 2, 3, 4], pa.timestamp("ms", "UTC"))}
    )
    lowered = flight_states(states, addresses=True)["icao24"]
    assert pa.types.is_dictionary(lowered.type)
    codes, names = aircraft_codes(lowered)
    assert names[codes].tolist() == ["abc123", "abc123", "4ca7b5", "abc123"]
    assert names.shape[0] == 2
    with_null = pa.chunked_array([pa.array(["a", None, "a"]).dictionary_encode()])
    codes, names = aircraft_codes(with_null)
    assert names[codes].tolist() == ["a", "", "a"]
    # decoded without ``addresses`` (the live builder's rows)
    assert flight_states(states)["icao24"].type == pa.string()


def test_an_ingest_of_encoded_addresses_builds_the_same_flights(
    calfire: pa.Table, runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    inference = airport_inference(runways, None)
    want = build_all(calfire, inference)
    enc = calfire.set_column(
        calfire.schema.get_field_index("icao24"),
        "icao24",
        _encoded(pc.utf8_upper(calfire["icao24"]), 2),
    )
    assert build_all(enc, inference).equals(want)  # one build
    monkeypatch.setattr(builds, "BUILD_ROWS", max(1, calfire.num_rows // 7))
    assert build_all(enc, inference).equals(want)  # in groups, coded once
    assert build_all(calfire, inference).equals(want)


def test_window_codes_are_the_texts_codes(calfire: pa.Table) -> None:
    rng = np.random.default_rng(5)
    rows = calfire.take(pa.array(rng.permutation(calfire.num_rows)[:5000]))["icao24"]
    # a builder's codes: in the order the addresses came to it (here: sorted), names by code
    by_code: dict[str, int] = {}
    names = np.zeros(0, dtype=object)
    for a in sorted(set(rows.to_pylist()), reverse=True):
        by_code.setdefault(a, len(by_code))
    names = grown_names(names, by_code)
    assert names.tolist() == list(by_code)
    by_code["zzzzzz"] = len(by_code)
    assert grown_names(names, by_code).tolist() == list(by_code)
    assert grown_names(names, dict(list(by_code.items())[:-1])) is names
    held = np.array([by_code[a] for a in rows.to_pylist()], dtype=np.int64)
    codes, got = window_codes(held, grown_names(names, by_code))
    want_codes, want_names = aircraft_codes(rows)
    assert np.array_equal(codes, want_codes)
    assert got.tolist() == want_names.tolist()


#: A build in a process of its own (pandas kept out, as the command line does): which of the
#: lazily imported modules it brought in.
BUILD_IMPORTS = """
import sys
from skywitness.pandas_off import keep_pandas_out
keep_pandas_out()
import pyarrow.ipc as ipc
from skywitness.flights.builder import airport_inference
from skywitness.flights.stage import build_all
states = ipc.open_file(sys.argv[1]).read_all()
inference = airport_inference(None, None)
before = set(sys.modules)
flights = build_all(states, inference)
print(flights.num_rows, " ".join(sorted(set(sys.modules) - before)))
"""


def test_a_build_imports_no_numpy_ma(calfire: pa.Table, tmp_path: Path) -> None:
    # ``pa.array`` of a numpy array imports numpy.ma (~8 ms of an ingest's process): the
    # build makes its columns over their own bytes instead
    import subprocess
    import sys

    import pyarrow.ipc as ipc

    path = tmp_path / "states.arrow"
    with ipc.new_file(path, calfire.schema) as out:
        out.write_table(calfire)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {"PYTHONPATH": src, "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-c", BUILD_IMPORTS, str(path)]
    got = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    assert int(got[0]) > 0
    assert not [m for m in got[1:] if m == "numpy.ma" or m.startswith("numpy.ma.")]
