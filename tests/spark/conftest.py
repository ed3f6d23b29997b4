"""Fixtures for the Spark tests: one local Spark (two cores, as CI has) for the session, and the
three inputs the issue names — the quickstart collection, the readsb trace and the simulated
Caracas capture — ingested once into a Spark lake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skywitness.simulate import load_builtin, simulate, write_capture
from skywitness.spark.ingest import SparkIngestReport, spark_ingest
from skywitness.spark.session import spark_session


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    session = spark_session("local[2]", "skywitness-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def inputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    caracas = tmp_path_factory.mktemp("caracas") / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(caracas))
    trajectories = shared_data / "traffic-trajectories"
    return {
        "quickstart": str(trajectories / "collections" / "quickstart.json.gz"),
        "readsb": str(trajectories / "readsb" / "trace_full_ac671b.json"),
        "caracas": str(caracas),
    }


@pytest.fixture(scope="session")
def spark_lake(
    spark: Any, inputs: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, SparkIngestReport]:
    lake = tmp_path_factory.mktemp("sparklake")
    report = spark_ingest(spark, list(inputs.values()), lake)
    return lake, report
