"""``investigate`` on Spark gives the embedded evidence pack: on the Caracas scenario and the
quickstart collection, the pack written from the Spark lake (Spark local mode) has the same
files as the embedded one, byte for byte, apart from the fields that name the engine
(``ENGINE_FIELDS`` of the manifest; the report's generated/command/inputs lines).

The embedded store ingests the three inputs of the session's Spark lake; the Spark side is a
data directory whose ``lake`` is that Spark lake (``spark ingest`` + ``spark flights``) and
whose catalogue is a copy of the embedded one, for the reference data only (the aircraft DB
and watchlist imports: the same import, so the same ``reference_inputs``); the working set
never copies the catalogue's flights, and the states are a view of the embedded lake there.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from skywitness.cli.main import main
from skywitness.evidence.manifest import MANIFEST, read_manifest
from skywitness.evidence.question import from_dict
from skywitness.identify import import_aircraft
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.spark.flights import spark_rebuild_flights
from skywitness.spark.ingest import SparkIngestReport
from skywitness.spark.investigate import spark_investigate

#: Manifest fields that name the engine, or when and from what the pack was written (and the
#: manifest's own hash, over them).
ENGINE_FIELDS = {"created", "command", "command_line", "store", "inputs", "engine",
                 "manifest_sha256"}  # fmt: skip
#: The report's lines that say the same (generated when, by which command, from which inputs).
REPORT_ENGINE_LINES = ("<p class='muted'>skywitness ", "<p class='muted'>command:", "<h2>Inputs")

CARACAS = [
    "--registry-country", "RU", "--military", "--government", "--via-country", "VE",
    "--since", "2019-09-15", "--until", "2019-09-25",
    "--text", "Russian state aircraft that flew to Venezuela between 2019-09-15 and 2019-09-25",
]  # fmt: skip
QUICKSTART = ["--via", "LFPO", "--since", "2021-10-07", "--until", "2021-10-08"]
#: No match and no place: the coverage is the whole store's over the window.
NOBODY = ["--icao24", "000000", "--since", "2021-10-07", "--until", "2021-10-08"]


@pytest.fixture(scope="module")
def stores(
    spark: Any,
    spark_lake: tuple[Path, SparkIngestReport],
    inputs: dict[str, str],
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """(embedded data dir, Spark data dir)."""
    root = tmp_path_factory.mktemp("investigate")
    embedded = root / "embedded"
    store = open_history(embedded)
    try:
        ingest(store, list(inputs.values()), RunOptions())
        db = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
        import_aircraft(store.connection, db, "tar1090")
        alert = shared_data / "plane-alert-db" / "plane-alert-db.csv"
        import_aircraft(store.connection, alert, "planealert")
    finally:
        store.close()
    lake, _ = spark_lake
    spark_rebuild_flights(
        spark, lake, datetime(2019, 9, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC)
    )
    on_spark = root / "spark"
    on_spark.mkdir()
    shutil.copy(embedded / "catalog.duckdb", on_spark / "catalog.duckdb")
    (on_spark / "lake").symlink_to(lake, target_is_directory=True)
    return embedded, on_spark


def run(argv: list[str]) -> tuple[int, str]:
    from skywitness.cli import investigate_cmd

    buf = io.StringIO()
    investigate_cmd.out.file = buf
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        code = main(argv)
    return code, buf.getvalue()


def _report_body(pack: Path) -> list[str]:
    lines = (pack / "report.html").read_text().splitlines()
    return [line for line in lines if not line.startswith(REPORT_ENGINE_LINES)]


def assert_same_pack(embedded: Path, on_spark: Path) -> dict[str, Any]:
    """Every file equal but for the engine's fields; returns the Spark manifest."""
    names = sorted(p.name for p in embedded.iterdir())
    assert names == sorted(p.name for p in on_spark.iterdir())
    for name in names:
        if name not in ("report.html", MANIFEST):
            assert (embedded / name).read_bytes() == (on_spark / name).read_bytes(), name
    assert _report_body(embedded) == _report_body(on_spark)
    e_doc, s_doc = read_manifest(embedded), read_manifest(on_spark)
    e_files, s_files = e_doc.pop("files"), s_doc.pop("files")
    e_files.pop("report.html"), s_files.pop("report.html")
    assert e_files == s_files  # the data files' SHA-256 and sizes
    assert set(s_doc) - set(e_doc) == {"engine"}
    assert {k: v for k, v in e_doc.items() if k not in ENGINE_FIELDS} == {
        k: v for k, v in s_doc.items() if k not in ENGINE_FIELDS
    }

    # the inputs: the same files with the same counts, recorded by each engine's ingest
    def files(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        keys = ("source", "sha256", "size_bytes", "rows_read", "rows_accepted", "rows_stored")
        return {(*(i[k] for k in keys), json.dumps(i["rejected"], sort_keys=True))
                for i in doc["inputs"]}  # fmt: skip

    assert files(e_doc) == files(s_doc)
    return s_doc


def test_caracas_pack_equals_the_embedded_one(stores: tuple[Path, Path], tmp_path: Path) -> None:
    embedded, on_spark = stores
    e_pack, s_pack = tmp_path / "embedded", tmp_path / "spark"
    code, out = run(["investigate", "--data-dir", str(embedded), *CARACAS,
                     "--report", str(e_pack)])  # fmt: skip
    assert code == 0, out
    code, s_out = run(["--engine", "spark", "--master", "local[2]", "investigate",
                       "--data-dir", str(on_spark), *CARACAS, "--report", str(s_pack)])  # fmt: skip
    assert code == 0, s_out
    doc = assert_same_pack(e_pack, s_pack)
    assert doc["matches"] == 2 and doc["positions"] == 16_470  # as tests/evidence/test_demo.py
    assert doc["engine"] == {"name": "spark", "master": "local[2]",
                             "lake": str(on_spark / "lake")}  # fmt: skip
    assert doc["command"][:3] == ["skywitness", "--engine", "spark"]
    # the terminal shows the same table, answer and coverage
    assert _shown(out) == _shown(s_out)


def _shown(out: str) -> str:
    return out.split("evidence pack:")[0]


@pytest.mark.parametrize("question", [QUICKSTART, NOBODY], ids=["via-LFPO", "no-match"])
def test_quickstart_packs_equal_the_embedded_ones(
    stores: tuple[Path, Path], tmp_path: Path, question: list[str]
) -> None:
    embedded, on_spark = stores
    e_pack, s_pack = tmp_path / "embedded", tmp_path / "spark"
    assert run(["investigate", "--data-dir", str(embedded), *question,
                "--report", str(e_pack)])[0] == 0  # fmt: skip
    code, out = run(["spark", "investigate", "--data-dir", str(on_spark), *question,
                     "--report", str(s_pack)])  # fmt: skip
    assert code == 0, out
    doc = assert_same_pack(e_pack, s_pack)
    if question is QUICKSTART:
        # quickstart's flights table: 31 leave LFPO and 27 arrive there, none does both
        assert doc["matches"] == 58 and "(LFPO)" in doc["coverage"][0]["place"]
    else:  # the whole store in the window: every quickstart state vector with a position
        assert doc["matches"] == 0 and doc["coverage"][0]["kind"] == "store"


def test_spark_reads_the_window_and_the_places_only(spark: Any, stores: tuple[Path, Path]) -> None:
    """Pass 1 reads the window's flights, pass 2 the answer's aircraft and the coverage
    places' boxes: far fewer state vectors than the lake holds."""
    _, on_spark = stores
    q = from_dict({"via": ["LFPO"], "since": "2021-10-07", "until": "2021-10-08"})
    found = spark_investigate(spark, on_spark / "lake", q, catalog_dir=on_spark)
    lake_rows = spark.read.parquet(str(on_spark / "lake" / "states")).count()
    window = (
        spark.read.parquet(str(on_spark / "lake" / "flights")).where("date = '2021-10-07'").count()
    )
    assert found.flights_read == window
    assert 0 < found.states_read < lake_rows
