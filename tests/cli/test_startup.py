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

import skywitness

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
    "pyarrow.parquet",
    "pyarrow.fs",
    "rich",
    "skywitness.track.tracker",
    "skywitness.flights.airports",
)
#: What ``decode`` must never load (issue 18: start-up < 0.2 s): a store, a web stack, the
#: tracker and airports (``track``'s), rich (only drawn on a terminal), pyarrow.compute's ~0.04 s
#: of generated wrappers, pyarrow.parquet's ~0.04 s (it loads pyarrow.fs; Parquet output is
#: written through its engine, ``output.parquet_file_writer``).
NOT_FOR_DECODE = {
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


def test_flights_query_loads_no_pandas_nor_http(shared_data: Path, tmp_path: Path) -> None:
    beast = shared_data / "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
    data = str(tmp_path / "db")
    _loaded("ingest", "--data-dir", data, "-q", str(beast))
    loaded = _loaded("flights", "--data-dir", data, "--icao24", "4ca2d6")
    assert "pandas" not in loaded and "httpx" not in loaded and "fastapi" not in loaded, loaded


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
    )
    for name, fmt, ext in runs:
        out = str(tmp_path / f"{fmt}.{ext}")
        loaded = _loaded("decode", "-q", "--format", fmt, str(shared_data / name), "-o", out)
        assert not NOT_FOR_DECODE & set(loaded), (fmt, loaded)
        assert Path(out).stat().st_size > 0
