"""Injection strings through every filter flag of the query commands (``flights``, ``alerts``,
``aircraft``, ``investigate``): SQL is built with bound parameters only, so each string is a
value that matches nothing (exit 0), a clear error (exit 1) or a usage error naming the flag
(exit 2: a time or number flag refuses it), never a traceback, and the store is unchanged.
The store holds the real Beast capture of ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.cli.main import main
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.store import Store

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
INJECTIONS = (
    "' OR '1'='1",
    "x'; DROP TABLE flights; --",
    '" OR ""="',
    "%' UNION SELECT * FROM ingests --",
    "\\",
    "*",
)
FLAGS = {
    "flights": ("--icao24", "--callsign", "--from", "--to", "--from-country", "--to-country",
                "--registration", "--operator", "--country", "--watchlist", "--since"),
    "alerts": ("--rule", "--since", "--until"),
    "investigate": ("--icao24", "--registration", "--callsign", "--registry-country", "--class",
                    "--airport", "--country", "--operator", "--sequence", "--since"),
}  # fmt: skip


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    data = tmp_path_factory.mktemp("inj") / "data"
    st = open_history(data)
    ingest(st, [str(shared_data / CAPTURE)], RunOptions())
    st.close()
    return data


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse: a flag's value refused, with a usage message
        return int(exc.code or 0)


def _snapshot(data: Path) -> tuple[int, int, int]:
    with Store(data, read_only=True) as st:
        info = st.info()
        n = st.connection.execute("SELECT count(*) FROM ingests").fetchall()[0][0]
    return info["rows"], info["flights"], int(n)


@pytest.mark.parametrize("command", sorted(FLAGS))
def test_injection_strings_through_every_filter_flag(
    command: str, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(store_dir)
    codes = set()
    for flag in FLAGS[command]:
        for bad in INJECTIONS:
            codes.add(_run([command, "--data-dir", str(store_dir), flag, bad]))
    for bad in INJECTIONS:
        codes.add(_run(["aircraft", bad, "--data-dir", str(store_dir)]))
        codes.add(_run(["aircraft", "4840d6", "--callsign", bad, "--data-dir", str(store_dir)]))
    err = capsys.readouterr().err
    assert codes <= {0, 1, 2} and 0 in codes and "Traceback" not in err
    assert _snapshot(store_dir) == before
