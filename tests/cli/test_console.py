"""Output that is not a terminal is plain and unwrapped, tables as TSV (a log or a pipe keeps
whole timestamps); ``--format auto`` is accepted where it is the documented default."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.table import Table

from skywitness.cli.console import UNWRAPPED, console, print_table, table_tsv
from skywitness.cli.main import build_parser

from ..conftest import TEST_DATA


def test_tables_are_tsv_off_a_terminal() -> None:
    t = Table(title="2 flight(s)")
    t.add_column("icao24")
    t.add_column("departure")
    t.add_row("ac671b", "2025-02-05T03:43:12Z")
    t.add_row("3c6444", "~2025-02-05T14:47:00Z")
    assert table_tsv(t) == (
        "icao24\tdeparture\nac671b\t2025-02-05T03:43:12Z\n3c6444\t~2025-02-05T14:47:00Z\n"
    )
    out = io.StringIO()  # not a terminal
    print_table(t, file=out)
    assert out.getvalue() == table_tsv(t)


def test_text_is_not_wrapped_off_a_terminal() -> None:
    out = io.StringIO()
    c = console(file=out)
    assert c.width == UNWRAPPED and not c.is_terminal
    line = "x" * 300
    c.print(line)
    assert out.getvalue() == line + "\n"


def test_format_auto_is_accepted() -> None:
    for argv in (
        ["decode", "--format", "auto", "x"],
        ["serve", "--format", "auto", "--source", "x"],
        ["watch", "--format", "auto", "--rules", "r.toml", "x"],
    ):
        args, _ = build_parser(argv).parse_known_args(argv)
        assert args.fmt == "auto"


def test_flights_table_through_a_pipe_keeps_whole_times(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    sbs = str(TEST_DATA / "sbs_sample.sbs")
    run = [sys.executable, "-m", "skywitness"]
    subprocess.run([*run, "ingest", sbs, "--data-dir", data, "-q"], check=True, timeout=120)
    out = subprocess.run([*run, "flights", "--data-dir", data], capture_output=True, text=True,
                         check=True, timeout=120).stdout  # fmt: skip
    lines = out.splitlines()
    assert lines[0].split("\t")[:3] == ["icao24", "callsign", "from"]
    assert all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)


def test_progress_labels_fit() -> None:
    from skywitness.cli.common import LABEL_MAX, short_label

    long = "/data/archives/2019/v2019.09.20-planes-readsb-prod-0.tar.aa"
    assert short_label(long) == "v2019.09.20-plan…b-prod-0.tar.aa"
    assert len(short_label(long)) == LABEL_MAX
    assert short_label("capture.bin") == "capture.bin"


def test_imports_report_their_steps(shared_data: Path, tmp_path: Path) -> None:
    import gzip

    import duckdb

    from skywitness.identify.importer import import_aircraft

    with gzip.open(shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "rt") as fh:
        head = [next(fh) for _ in range(101)]
    db = tmp_path / "a.csv"
    db.write_text("".join(head))
    steps: list[str] = []
    con = duckdb.connect(str(tmp_path / "c.duckdb"))
    rep = import_aircraft(con, db, "tar1090", progress=steps.append)
    con.close()
    assert rep.rows_read == 100
    assert steps == [
        "reading a.csv", "checking 100 rows", "building the facts",
        "comparing with what is stored",
    ]  # fmt: skip
