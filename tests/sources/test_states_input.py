"""State vectors as input: Parquet with the canonical columns and traffic/pandas JSON."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from skywitness.cli.main import main
from skywitness.model import Observations, StateRows
from skywitness.sources import detect_format, open_source
from skywitness.sources.states import observations_from_states, plain_texts
from skywitness.stats import IngestStats

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"


def test_detects_parquet_and_both_json_orients(shared_data: Path) -> None:
    assert detect_format(b"PAR1\x15\x04") == "states"
    with gzip.open(shared_data / QUICKSTART) as fh:
        head = fh.read(4096)
    assert detect_format(head) == "states"
    columns = json.dumps({"timestamp": {"0": 1633608001000}, "icao24": {"0": "3c6444"}})
    assert detect_format(columns.encode()) == "states"


def test_traffic_json_rows_become_observations(shared_data: Path) -> None:
    stats = IngestStats()
    chunks = list(open_source(str(shared_data / QUICKSTART), stats=stats))
    assert len(chunks) == 1 and isinstance(chunks[0], StateRows)  # the document, whole
    n = sum(len(c) for c in chunks)
    assert n + stats.rejected_total == 284_505 == stats.frames
    first = observations_from_states(chunks[0].table, chunks[0].source)
    assert isinstance(first, Observations) and len(first) == n
    assert np.isfinite(first.timestamp).all() and first.timestamp.min() >= 1633608001.0


def test_parquet_states_round_trip(shared_data: Path, tmp_path: Path) -> None:
    """``track`` output read back as input gives the same positions (units unchanged)."""
    src = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
    once, twice = tmp_path / "once.parquet", tmp_path / "twice.parquet"
    assert main(["track", str(src), "-o", str(once), "-q"]) == 0
    assert main(["track", str(once), "-o", str(twice), "-q"]) == 0
    a, b = pq.read_table(once).to_pylist(), pq.read_table(twice).to_pylist()

    def pos(rows: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
        return [(r["latitude"], r["longitude"]) for r in rows if r["latitude"] is not None]

    assert pos(a) == pos(b)
    assert [r["altitude"] for r in a] == [r["altitude"] for r in b]


def test_truncated_parquet_is_counted(tmp_path: Path) -> None:
    bad = tmp_path / "cut.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 100)
    stats = IngestStats()
    assert list(open_source(str(bad), stats=stats)) == []
    assert stats.rejected == {"truncated": 1}


def _quickstart_parquet(shared_data: Path, path: Path, rows: int = 2_000) -> pa.Table:
    """The first ``rows`` of the quickstart collection, canonical, written as ``path`` in two
    row groups (so the reader sees two chunks)."""
    from skywitness.store import load_traffic_json
    from skywitness.store.schema import canonicalize

    table = canonicalize(load_traffic_json(shared_data / QUICKSTART)).slice(0, rows)
    pq.write_table(table, path, row_group_size=rows // 2 + 7)
    return table


def test_states_parquet_values_out_of_range_are_counted(shared_data: Path, tmp_path: Path) -> None:
    """Rows with a value out of physical range are dropped and counted ``bad_record``, one by
    one; a null is no value (never refused), whatever its slot in the buffer holds."""
    src = tmp_path / "bad.parquet"
    table = _quickstart_parquet(shared_data, src)
    n = table.num_rows
    gs = table.column("groundspeed").to_numpy(zero_copy_only=False).astype(np.float64)
    alt = table.column("altitude").to_numpy(zero_copy_only=False).astype(np.float64)
    lat = table.column("latitude").to_numpy(zero_copy_only=False).astype(np.float64)
    gs[10], alt[20], lat[30] = 9_999.0, 1e7, 91.0  # too fast, too high, off the globe
    # a null ground speed whose buffer slot holds an out-of-range value: not refused
    valid = np.ones(n, dtype=np.bool_)
    valid[40], gs[40] = False, 1e9
    gs_col = pa.Array.from_buffers(
        pa.float64(), n, [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(gs)]
    )
    bad = table.set_column(table.schema.get_field_index("groundspeed"), "groundspeed", gs_col)
    bad = bad.set_column(bad.schema.get_field_index("altitude"), "altitude", pa.array(alt))
    bad = bad.set_column(bad.schema.get_field_index("latitude"), "latitude", pa.array(lat))
    pq.write_table(bad, src, row_group_size=n // 2 + 7)
    stats = IngestStats()
    (chunk,) = list(open_source(str(src), stats=stats))
    assert isinstance(chunk, StateRows) and len(chunk) == n - 3
    assert stats.frames == n and stats.rejected == {"bad_record": 3}
    keep = np.setdiff1d(np.arange(n), [10, 20, 30])
    got = plain_texts(chunk.table)  # its texts as the file stores them, dictionary-encoded
    for name in ("timestamp", "icao24", "callsign", "track"):  # the other rows, as they were
        assert got.column(name).equals(table.column(name).take(keep)), name
    nulls = table.column("groundspeed").null_count
    assert chunk.table.column("groundspeed").null_count == nulls + 1


def test_states_parquet_unread_columns(shared_data: Path, tmp_path: Path) -> None:
    """A canonical states file's ``source`` and ``position_error`` (and columns it has beyond
    the canonical ones) are not decoded: ``ingest`` names the document as each row's source."""
    from skywitness.sources.states import UNREAD_COLUMNS, states_table

    src = tmp_path / "states.parquet"
    table = _quickstart_parquet(shared_data, src)
    extra = table.append_column("note", pa.array(["x"] * table.num_rows))
    pq.write_table(extra, src)
    got = states_table(src.read_bytes(), IngestStats(), "doc")
    assert got is not None and got.num_rows == table.num_rows
    assert {"source", "position_error"} == UNREAD_COLUMNS
    assert "note" not in got.column_names
    for name in UNREAD_COLUMNS:
        assert got.column(name).null_count == table.num_rows
    for name in ("timestamp", "icao24", "callsign", "latitude", "altitude", "squawk"):
        assert plain_texts(got).column(name).equals(table.column(name)), name
    data = tmp_path / "data"
    assert main(["ingest", "--data-dir", str(data), "-q", str(src)]) == 0
    import duckdb

    con = duckdb.connect()
    sources = con.execute(
        f"SELECT DISTINCT source FROM read_parquet('{data}/lake/states/*/*.parquet')"
    ).fetchall()
    assert sources == [(str(src),)]


def test_range_checks_block_by_block(shared_data: Path) -> None:
    """``drop_implausible_states`` checks ``CHECK_ROWS`` rows at a time: a bad value at either
    side of a block boundary and in the last, short block is found; a column in several chunks,
    at an offset (a slice), of another float type or all null is read as a whole one; a null is
    no value in every block, whatever its slot holds."""
    from skywitness.sources.states import CHECK_ROWS, drop_implausible_states
    from skywitness.store import load_traffic_json
    from skywitness.store.schema import canonicalize

    whole = canonicalize(load_traffic_json(shared_data / QUICKSTART))
    n = 2 * CHECK_ROWS + 1_000
    table = whole.slice(17, n)  # an offset into every column's buffers
    vr = table.column("vertical_rate").to_numpy(zero_copy_only=False).astype(np.float64)
    alt = table.column("altitude").to_numpy(zero_copy_only=False).astype(np.float64)
    lon = table.column("longitude").to_numpy(zero_copy_only=False).astype(np.float64)
    bad_rows = [0, CHECK_ROWS - 1, CHECK_ROWS, 2 * CHECK_ROWS + 999]
    vr[bad_rows[0]], alt[bad_rows[1]], lon[bad_rows[2]], alt[bad_rows[3]] = 1e6, 1e7, 181.0, -9e3

    def chunked(values: np.ndarray, typ: pa.DataType) -> pa.ChunkedArray:
        cut = [0, 1_000, CHECK_ROWS + 5, n]  # chunk edges away from the block edges
        arr = pa.array(values, mask=np.isnan(values), type=typ)
        return pa.chunked_array([arr.slice(a, b - a) for a, b in itertools.pairwise(cut)])

    # a null whose buffer slot holds an out-of-range value, in the second block: not refused
    gs = table.column("groundspeed").to_numpy(zero_copy_only=False).astype(np.float64)
    valid = ~np.isnan(gs)
    valid[CHECK_ROWS + 10], gs[CHECK_ROWS + 10] = False, 1e9
    gs_col = pa.Array.from_buffers(
        pa.float64(), n, [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(gs)]
    )
    for name, col in (
        ("groundspeed", gs_col),
        ("vertical_rate", chunked(vr, pa.float64())),
        ("altitude", chunked(alt, pa.float32())),  # another float type: converted
        ("longitude", chunked(lon, pa.float64())),
        ("geoaltitude", pa.nulls(n, pa.float64())),
    ):
        table = table.set_column(table.schema.get_field_index(name), name, col)
    stats = IngestStats()
    stats.sources["doc"] = n
    out = drop_implausible_states(StateRows(table, "doc"), stats, "doc")
    assert stats.rejected == {"bad_record": 4} and stats.sources["doc"] == n - 4
    keep = np.setdiff1d(np.arange(n), bad_rows)
    assert out.table.column("timestamp").equals(table.column("timestamp").take(keep))
    assert out.table.column("icao24").equals(table.column("icao24").take(keep))


def test_states_parquet_texts_read_dictionary_encoded(shared_data: Path, tmp_path: Path) -> None:
    """A canonical states file's texts come as the file stores them, dictionary-encoded (not a
    text per row); the rows, their observations and what the gate makes of them are those of
    the plain table. Addresses that are not all canonical (upper case, ``000000``, ``~``) in a
    dictionary column are checked row by row as before: the same rows kept, the same counts."""
    from skywitness.sources.states import DICTIONARY_TEXTS, states_table
    from skywitness.store.lake import icao_keys
    from skywitness.track.states_gate import gate_states

    src = tmp_path / "states.parquet"
    table = _quickstart_parquet(shared_data, src)
    got = states_table(src.read_bytes(), IngestStats(), "doc")
    assert got is not None
    for name in DICTIONARY_TEXTS:
        assert pa.types.is_dictionary(got.column(name).type), name
    plain = plain_texts(got)
    for name in ("icao24", "callsign", "squawk"):
        assert plain.column(name).equals(table.column(name)), name
    assert np.array_equal(icao_keys(got.column("icao24")), icao_keys(plain.column("icao24")))
    a, b = observations_from_states(got, "doc"), observations_from_states(plain, "doc")
    for f in ("icao24", "callsign", "squawk", "position_source", "timestamp"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    want = gate_states(plain, stats=IngestStats(), source="doc")
    assert gate_states(got, stats=IngestStats(), source="doc").equals(want)
    # messy addresses, dictionary-encoded
    icao = table.column("icao24").to_pylist()
    icao[:3] = [icao[0].upper(), "000000", "~" + icao[2][1:]]
    messy = table.set_column(1, "icao24", pa.array(icao, pa.string()))
    pq.write_table(messy, src)
    stats, plain_stats = IngestStats(), IngestStats()
    got = states_table(src.read_bytes(), stats, "doc")
    buf = pa.BufferOutputStream()
    pq.write_table(messy, buf, use_dictionary=False)
    want = states_table(buf.getvalue().to_pybytes(), plain_stats, "doc")
    assert got is not None and want is not None and got.num_rows == table.num_rows - 1
    assert plain_texts(got).equals(plain_texts(want))
    assert stats.rejected == plain_stats.rejected == {"non_icao": 1}
