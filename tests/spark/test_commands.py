"""The Spark commands as a user runs them (in-process, on the test session's local Spark):
``spark ingest`` → ``spark flights`` → ``spark attach``, then the embedded ``flights`` answers
from the Spark-written lake exactly as it does after an embedded ``ingest`` of the same file."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from skywitness.cli.main import main
from skywitness.spark.__main__ import main as job_main


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def test_spark_commands_then_the_embedded_store_answers(
    spark: Any, inputs: dict[str, str], tmp_path: Path
) -> None:
    trace = inputs["readsb"]
    sdir, edir = str(tmp_path / "spark"), str(tmp_path / "embedded")
    code, out = run(["spark", "ingest", trace, "--data-dir", sdir])
    assert code == 0
    report = json.loads(out)
    assert (report["files"], report["rows"]) == (1, report["counts"]["stored"])
    # the same words through the spark-submit entry point: already ingested, nothing added
    with contextlib.redirect_stdout(io.StringIO()) as again:
        assert job_main(["ingest", trace, "--data-dir", sdir]) == 0
    assert json.loads(again.getvalue())["skipped"] == [trace]
    code, out = run(["spark", "flights", "--since", "2025-02-04", "--until", "2025-02-05",
                     "--data-dir", sdir])  # fmt: skip
    assert code == 0 and out.startswith("4 flights starting 2025-02-04 00:00Z")
    code, out = run(["spark", "attach", "--data-dir", sdir])
    assert code == 0 and "4 flights loaded" in out
    assert run(["ingest", trace, "--data-dir", edir, "-q"])[0] == 0
    spark_table = run(["flights", "--data-dir", sdir, "--format", "csv"])[1]
    embedded_table = run(["flights", "--data-dir", edir, "--format", "csv"])[1]
    assert spark_table.count("\n") == 5  # header + the trace's four legs
    assert spark_table == embedded_table


def test_engine_spark_runs_the_spark_implementations(
    spark: Any, inputs: dict[str, str], tmp_path: Path
) -> None:
    """``skywitness --engine spark --master local[2] ingest|flights rebuild``: the ordinary
    commands, on Spark (the JSON report, the lake's flights), never the embedded store."""
    trace, ddir = inputs["readsb"], str(tmp_path / "world")
    engine = ["--engine", "spark", "--master", "local[2]"]
    code, out = run([*engine, "ingest", trace, "--data-dir", ddir])
    assert code == 0 and json.loads(out)["rows"] == json.loads(out)["counts"]["stored"] > 0
    code, out = run([*engine, "flights", "rebuild", "--since", "2025-02-04", "--until",
                     "2025-02-05", "--data-dir", ddir])  # fmt: skip
    assert code == 0 and out.startswith("4 flights starting 2025-02-04 00:00Z")
    assert (tmp_path / "world" / "lake" / "flights").is_dir()
    assert not (tmp_path / "world" / "catalog.duckdb").exists()  # no embedded store was made
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code, _ = run([*engine, "flights", "rebuild", "--data-dir", ddir])
    assert code == 1 and "flights on Spark need --since and --until" in err.getvalue()


def test_spark_submit_runs_the_packaged_job(
    spark: Any, inputs: dict[str, str], tmp_path: Path
) -> None:
    """The deployment docs' command: ``spark-submit`` of the job's file (run as a script, not
    as ``-m``, so the file's imports are absolute), here on local[1], ingests what
    ``skywitness spark ingest`` ingests."""
    import pyspark

    import skywitness.spark.__main__ as job

    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    trace, ddir = inputs["readsb"], str(tmp_path / "d")
    out = subprocess.run(
        [str(submit), "--master", "local[1]", job.__file__, "ingest", trace, "--data-dir", ddir],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    submitted = json.loads(out.stdout)
    code, here = run(["spark", "ingest", trace, "--data-dir", str(tmp_path / "here")])
    assert code == 0 and submitted == json.loads(here)
    assert submitted["files"] == 1 and submitted["rows"] == submitted["counts"]["stored"] > 0
