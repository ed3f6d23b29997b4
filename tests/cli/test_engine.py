"""``skywitness --engine spark``: a command without a Spark implementation says so and exits 2,
never running on the embedded store instead; ``--master`` without Spark is refused. (The
commands that have one run in tests/spark/test_engine.py.)"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from skywitness.cli.main import _command_word, main


def run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("argv", "asked"),
    [
        (["flights", "--icao24", "ac671b"], "flights"),
        (["db", "info"], "db"),
        (["serve", "--port", "0"], "serve"),
        (["track", "x.jsonl"], "track"),
    ],
)
def test_commands_without_spark_refuse_the_engine(
    argv: list[str], asked: str, tmp_path: Path
) -> None:
    code, err = run(["--engine", "spark", "--master", "local[1]", *argv])
    assert code == 2
    assert f"skywitness: error: `{asked}` has no Spark implementation" in err
    assert "ingest, flights rebuild, investigate" in err
    assert not (tmp_path / "skywitness-data").exists()


def test_master_without_spark_is_refused() -> None:
    code, err = run(["--master", "local[2]", "db", "info"])
    assert (code, err.strip()) == (2, "skywitness: error: --master is for --engine spark")


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exc, contextlib.redirect_stderr(io.StringIO()) as err:
        main(["--engine", "flink", "flights"])
    assert exc.value.code == 2 and "invalid choice: 'flink'" in err.getvalue()


def test_the_command_word_comes_after_the_global_options() -> None:
    assert _command_word(["--engine", "spark", "--master", "local[*]", "flights"]) == "flights"
    assert _command_word(["-v", "--engine", "spark", "investigate"]) == "investigate"
    assert _command_word(["--version"]) == "--version"
    assert _command_word(["-q"]) is None
