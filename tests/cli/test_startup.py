"""Start-up: each command imports only what it uses (issue: ~0.59 s of imports per CLI run,
pandas pulled in by pyarrow, DuckDB pulled into ``decode``).

Each run is a fresh interpreter (a child process) that runs the command and then lists which
heavy modules ended up loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import skywitness
from skywitness.store.connect import read_catalog
from skywitness.store.flightdb import FlightFilter, query_flight_rows

SRC = str(Path(skywitness.__file__).resolve().parents[1])
HEAVY = (
    "pandas",
    "duckdb",
    "httpx",
    "fastapi",
    "uvicorn",
    "pyspark",
    "numpy",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow._compute",
    "pyarrow.parquet",
    "pyarrow.fs",
    "rich",
    "skywitness.track.tracker",
    "skywitness.track.ingest_step",
    "skywitness.track.state_vectors",
    "skywitness.flights.airports",
    "skywitness.runtime.globe",
    "skywitness.runtime.feeds",
)
#: What ``decode`` must never load (issue 18: start-up < 0.2 s): a store, a web stack, the
#: tracker and airports (``track``'s), rich (only drawn on a terminal), pyarrow.compute's ~0.04 s
#: of generated wrappers, pyarrow.parquet's ~0.04 s (it loads pyarrow.fs; Parquet output is
#: written through its engine, ``output.parquet_file_writer``); the ingest step and the state
#: vectors (``decode`` counts rejects with ``decode.rejects`` and gets ``NON_ICAO_FLAG`` from
#: ``model``).
NOT_FOR_DECODE = {
    "skywitness.track.ingest_step",
    "skywitness.track.state_vectors",
    "pandas",
    "duckdb",
    "httpx",
    "fastapi",
    "uvicorn",
    "pyspark",
    "pyarrow.compute",
    "pyarrow.parquet",
    "pyarrow.fs",
    "rich",
    "skywitness.track.tracker",
    "skywitness.flights.airports",
}
CHILD = """
import json, sys
from skywitness.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


def _loaded(*argv: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    r = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], capture_output=True, env=env, timeout=120
    )
    last = r.stderr.decode().strip().splitlines()[-1]
    got = json.loads(last)
    assert got["code"] in (0, None), r.stderr.decode()[-2000:]
    loaded: list[str] = got["loaded"]
    return loaded


def test_version_imports_nothing_heavy() -> None:
    assert _loaded("--version") == []


def test_decode_loads_no_duckdb_nor_pandas(shared_data: Path, tmp_path: Path) -> None:
    for name, out in (
        ("pymodes-tests/sample_data_adsb.csv", "a.parquet"),
        ("beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log", "b.jsonl"),
    ):
        loaded = _loaded("decode", str(shared_data / name), "-o", str(tmp_path / out), "-q")
        assert "duckdb" not in loaded and "pandas" not in loaded, loaded
        assert "httpx" not in loaded and "fastapi" not in loaded, loaded


#: What a ``flights`` query printed to a pipe must not load (issue 18: < 0.2 s; DuckDB alone).
NOT_FOR_FLIGHTS_QUERY = {
    "pandas",
    "httpx",
    "fastapi",
    "uvicorn",
    "pyspark",
    "numpy",
    "pyarrow",
    "pyarrow.compute",
    "rich",
    "skywitness.track.tracker",
    "skywitness.flights.airports",
}


@pytest.fixture(scope="module")
def beast_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store made by ``ingest`` of the real Beast capture (as bench/startup.py makes one)."""
    beast = shared_data / "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
    data = str(tmp_path_factory.mktemp("startup") / "db")
    _loaded("ingest", "--data-dir", data, "-q", str(beast))
    return data


def test_ingest_of_a_states_file_loads_no_web_client_nor_globe_reader(
    shared_data: Path, tmp_path: Path
) -> None:
    """``ingest`` of a file loads neither httpx (through the live feeds, ~0.1 s: it asked
    ``runtime.feeds`` whether a source is live) nor the globe-history ingest
    (``cli.globe_ingest`` imported ``runtime.globe`` for archives it was not given, ~0.05 s;
    issue 18; nor, with ``sources.globe_names``, ``cli.globe_ingest`` itself: the globe
    readers and rich's progress bar, ~0.03 s); nor, saying what it stored to a pipe (not
    ``-q``), rich (``cli.ingest_out``: plain lines off a terminal, ~0.025 s)."""
    import pyarrow.parquet as pq

    from skywitness.store import load_traffic_json

    states = load_traffic_json(shared_data / "traffic-trajectories/collections/quickstart.json.gz")
    src = tmp_path / "states.parquet"
    pq.write_table(states.slice(0, 20_000), src)
    loaded = _loaded("ingest", "--data-dir", str(tmp_path / "db"), str(src))
    assert not {
        "rich",
        "httpx",
        "skywitness.runtime.globe",
        "skywitness.runtime.feeds",
        "skywitness.cli.globe_ingest",
        "skywitness.sources.globe",
        "rich.progress",
    } & set(loaded)
    assert {"duckdb", "pyarrow.parquet", "skywitness.flights.airports"} <= set(loaded), loaded


def test_flights_query_loads_duckdb_alone(beast_store: str) -> None:
    data = beast_store
    for icao24 in ("4ca2d6", "400159"):
        loaded = _loaded("flights", "--data-dir", data, "--icao24", icao24)
        assert loaded == ["duckdb"], loaded
    assert not NOT_FOR_FLIGHTS_QUERY & set(
        _loaded("flights", "--data-dir", data, "--icao24", "400159", "--limit", "1")
    )


def test_decode_help_loads_nothing_heavy() -> None:
    loaded = _loaded("decode", "--help")
    assert not NOT_FOR_DECODE & set(loaded), loaded


def test_decode_of_each_format_loads_only_what_it_uses(shared_data: Path, tmp_path: Path) -> None:
    """Every frame format and SBS, to each output, quiet (a bar and a summary need rich)."""
    runs = (
        ("beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log", "beast", "pq"),
        ("pymodes-tests/sample_data_adsb.csv", "hex", "jsonl"),
        ("beastblackbox-example/beast_decoded_dump1090.txt.gz", "avr", "parquet"),
        ("traffic-raw-frames/tutorial.jsonl.gz", "jsonl", "parquet"),
        ("beastblackbox-example/beast_decoded_sbs.txt.gz", "sbs", "jsonl"),
        # CSV out: times printed column-wise (``timeutil.iso_z_column``), the CSV schema built
        # without ``Schema.empty_table`` (both loaded pandas, ~0.3 s)
        ("pymodes-tests/sample_data_adsb.csv", "hex", "csv"),
        ("beastblackbox-example/beast_decoded_sbs.txt.gz", "sbs", "csv"),
    )
    for name, fmt, ext in runs:
        out = str(tmp_path / f"{fmt}.{ext}")
        loaded = _loaded("decode", "-q", "--format", fmt, str(shared_data / name), "-o", out)
        assert not NOT_FOR_DECODE & set(loaded), (fmt, loaded)
        # frames' labels and squawks are gathered in numpy: no compute registry (~4 ms) for
        # Parquet or CSV out (SBS's reader gets its text columns dictionary-encoded from
        # Arrow's CSV reader); JSON lines out joins each column's texts with Arrow's
        # binary_join_element_wise (jsoncolumns)
        uses_compute = ext == "jsonl"
        assert ("pyarrow._compute" in loaded) == uses_compute, (fmt, loaded)
        assert Path(out).stat().st_size > 0


HUGEPAGES = """
import os, sys
from skywitness.cli.main import main
main(sys.argv[1:])
from numpy._core.multiarray import _get_madvise_hugepage
print(_get_madvise_hugepage(), file=sys.stderr)
"""


def _numpy_hugepages(env: dict[str, str], *argv: str) -> str:
    r = subprocess.run(
        [sys.executable, "-c", HUGEPAGES, *argv],
        capture_output=True,
        env={**env, "PYTHONPATH": SRC},
        timeout=120,
        check=True,
    )
    return r.stderr.decode().strip().splitlines()[-1]


def test_numpy_huge_pages_off_unless_the_environment_asks(
    shared_data: Path, tmp_path: Path
) -> None:
    """numpy's madvise(MADV_HUGEPAGE) costs ~0.5 s of system CPU of a 1.1M-row states ingest
    where the kernel gives huge pages on request (issue 18): the CLI turns it off."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    argv = ("decode", "-q", str(shared_data / "pymodes-tests/sample_data_adsb.csv"))
    out = ("-o", str(tmp_path / "x.parquet"))
    assert _numpy_hugepages(env, *argv, *out) == "False"
    assert _numpy_hugepages({**env, "NUMPY_MADVISE_HUGEPAGE": "1"}, *argv, *out) == "True"


#: Reads the thread count of the OpenBLAS that numpy loaded, through its own C function
#: (named ``openblas_get_num_threads``, with a prefix and suffix in numpy's wheels' build).
OPENBLAS_THREADS = """
import ctypes, sys
from skywitness.cli.main import main
main(sys.argv[1:])
import numpy
lib = next(line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line)
blas = ctypes.CDLL(lib)
names = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_",
         "openblas_get_num_threads64_")
get = next(getattr(blas, n) for n in names if hasattr(blas, n))
print(get(), file=sys.stderr)
"""


def _openblas_threads(env: dict[str, str], *argv: str) -> int:
    r = subprocess.run(
        [sys.executable, "-c", OPENBLAS_THREADS, *argv],
        capture_output=True,
        env={**env, "PYTHONPATH": SRC},
        timeout=120,
        check=True,
    )
    return int(r.stderr.decode().strip().splitlines()[-1])


def test_openblas_single_threaded_unless_the_environment_asks(
    shared_data: Path, tmp_path: Path
) -> None:
    """OpenBLAS's threads start with numpy and spin on idle cores (~0.07 CPU s of every
    command's start-up on a 2-core box, issue 18): the CLI asks for one thread, unless the
    environment chooses."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    argv = ("decode", "-q", str(shared_data / "pymodes-tests/sample_data_adsb.csv"))
    out = ("-o", str(tmp_path / "x.parquet"))
    assert _openblas_threads(env, *argv, *out) == 1
    asked = {**env, "OPENBLAS_NUM_THREADS": "2"}  # OpenBLAS caps it at the cores there are
    assert _openblas_threads(asked, *argv, *out) == min(2, os.cpu_count() or 1)


#: Standard-library and helper modules ``decode`` to Parquet does without (issue 18: start-up
#: < 0.2 s, a few ms each): tempfile (+random: the output's temporary name is made with
#: O_EXCL), shutil (+bz2, lzma: argparse's terminal width, ``cli.main.terminal_columns``),
#: bz2/lzma (compressed input only), orjson (JSON lines output only), numpy.strings.
NOT_FOR_DECODE_STDLIB = ("tempfile", "random", "shutil", "bz2", "lzma", "orjson", "numpy.strings")
STDLIB_CHILD = CHILD.replace(repr(HEAVY), repr(NOT_FOR_DECODE_STDLIB))


def test_decode_to_parquet_loads_no_helpers_it_does_not_use(
    shared_data: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    for name, fmt in (
        ("beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log", "beast"),
        ("pymodes-tests/sample_data_adsb.csv", "hex"),
    ):
        argv = ["decode", "-q", "--format", fmt, str(shared_data / name)]
        argv += ["-o", str(tmp_path / f"{fmt}.parquet")]
        r = subprocess.run(
            [sys.executable, "-c", STDLIB_CHILD, *argv], capture_output=True, env=env, timeout=120
        )
        got = json.loads(r.stderr.decode().strip().splitlines()[-1])
        assert got["code"] in (0, None) and got["loaded"] == [], (fmt, got)
        assert (tmp_path / f"{fmt}.parquet").stat().st_size > 0


#: What ``skywitness --version`` must not load (issue 18: start-up < 0.2 s): it is answered
#: before argparse, logging, typing and pathlib (~0.01 s of a ~0.03 s run), from
#: ``cli.main``, ``config`` and ``errors`` alone.
NOT_FOR_VERSION = ("argparse", "logging", "typing", "pathlib", "re", "skywitness.cli.parser")
#: Records every module loaded by the command before the recording code imports anything.
VERSION_CHILD = """
import sys
from skywitness.cli.main import main
code = main(sys.argv[1:])
loaded = sorted(sys.modules)
import json
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def test_version_loads_cli_main_config_and_errors_alone() -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    r = subprocess.run(
        [sys.executable, "-c", VERSION_CHILD, "--version"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    got = json.loads(r.stderr.decode().strip().splitlines()[-1])
    assert got["code"] == 0 and r.stdout.decode() == f"skywitness {skywitness.__version__}\n"
    ours = {m for m in got["loaded"] if m.startswith("skywitness")}
    assert ours == {"skywitness", "skywitness.cli", "skywitness.cli.main", "skywitness.config",
                    "skywitness.errors"}  # fmt: skip
    # what the interpreter itself loads here (site, .pth files) is not the command's
    bare = subprocess.run(
        [sys.executable, "-c", "import sys; print(' '.join(sys.modules))"],
        capture_output=True,
        env=env,
        timeout=120,
        check=True,
    )
    added = set(got["loaded"]) - set(bare.stdout.decode().split())
    assert not set(NOT_FOR_VERSION) & added, sorted(added)


def test_version_answer_is_argparse_answer() -> None:
    """``--version`` alone is answered before the parser; after a global option argparse
    answers: the same text on stdout, exit status 0."""
    env = {**os.environ, "PYTHONPATH": SRC}
    runs = [
        subprocess.run(
            [sys.executable, "-m", "skywitness", *argv], capture_output=True, env=env, timeout=120
        )
        for argv in (["--version"], ["-q", "--version"], ["-v", "--version"])
    ]
    assert [(r.returncode, r.stdout, r.stderr) for r in runs] == [
        (0, f"skywitness {skywitness.__version__}\n".encode(), b"")
    ] * 3


#: What a read-only ``flights`` query must not load: the catalogue writer's thread machinery
#: (``queue``, ``concurrent.futures``: a read-only query imports ``catalog_writer`` for
#: ``require_writer`` alone), JSON output's helpers (``jsontext``, ``orjson``), the ``Store``.
NOT_FOR_FLIGHTS_QUERY_STDLIB = (
    "queue",
    "concurrent.futures",
    "orjson",
    "skywitness.jsontext",
    "skywitness.store.store",
)
FLIGHTS_STDLIB_CHILD = CHILD.replace(repr(HEAVY), repr(NOT_FOR_FLIGHTS_QUERY_STDLIB))


def test_flights_query_loads_no_writer_nor_json_helpers(beast_store: str) -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    argv = ["flights", "--data-dir", beast_store, "--icao24", "400159"]
    r = subprocess.run(
        [sys.executable, "-c", FLIGHTS_STDLIB_CHILD, *argv],
        capture_output=True,
        env=env,
        timeout=120,
    )
    got = json.loads(r.stderr.decode().strip().splitlines()[-1])
    assert got["code"] in (0, None) and got["loaded"] == [], got
    assert r.stdout.decode().splitlines()[1].startswith("400159\tSDM6244\t")


class _Recording:
    """A DuckDB connection that notes the SQL of each ``execute``."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.sql: list[str] = []

    def execute(self, sql: str, *args: Any) -> Any:
        self.sql.append(sql)
        return self.con.execute(sql, *args)


def test_flights_query_asks_one_describe_not_duckdb_tables(beast_store: str) -> None:
    """The query learns the flights table's columns (and that it exists) from one DESCRIBE:
    ``duckdb_tables()`` loads every table's metadata, ~6 ms of a ~0.03 s query's CPU."""
    con = read_catalog(beast_store)
    try:
        rec = _Recording(con)
        names, rows = query_flight_rows(rec, FlightFilter(icao24="400159"))  # type: ignore[arg-type]
        assert rec.sql == [
            "DESCRIBE flights",
            'SELECT * FROM flights WHERE icao24 IN (?) ORDER BY "firstSeen", icao24',
        ]
        assert (names, rows) == query_flight_rows(con, FlightFilter(icao24="400159"))
        assert [r[names.index("callsign")] for r in rows] == ["SDM6244"]
    finally:
        con.close()
