"""Acceptance (issue 16) on the simulated Caracas scenario, through the ``check`` command: the
seed sentences are supported by the two state aircraft, a Chinese military landing at Caracas is
contradicted (the receivers covered SVMI), at Havana (no receiver) not checkable; --file,
--edit and --report (the evidence pack with the claim at its head, ``verify --rerun``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from skywitness.cli.main import main

STATE = "154073, 1551e0"


def check(capsys: pytest.CaptureFixture[str], store: Path, *argv: str) -> str:
    code = main(["check", *argv, "--published", "2019-09-25", "--data-dir", str(store)])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_seed_sentences_in_one_file(
    capsys: pytest.CaptureFixture[str], caracas_store: Path, tmp_path: Path
) -> None:
    claims = tmp_path / "claims.txt"
    claims.write_text(
        "Two Russian air force planes landed in Caracas\n"
        "A Russian air force jet was at Caracas' main Maiquetia airport on Wednesday\n"
        "# the next sentence's plane is the one above\n"
        "The plane had left Moscow on Sept. 20\n"
        "A Chinese military plane landed in Caracas on Sept. 20\n"
        "A Chinese military plane landed in Havana on Sept. 20\n"
        "Russian military planes flew over Venezuela on Sept. 20\n"
        "A Chinese military plane flew over Venezuela on Sept. 20\n",
        encoding="utf-8",
    )
    out = check(capsys, caracas_store, "--file", str(claims))
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["SUPPORTED", "154073,", "1551e0"]
    assert lines[1].startswith(f"SUPPORTED      {STATE}")
    assert lines[2].startswith(f"SUPPORTED      {STATE}")
    assert lines[3].startswith("CONTRADICTED   -")
    assert lines[4].startswith("NOT CHECKABLE  -")
    assert lines[5].startswith(f"SUPPORTED      {STATE}")  # an area: Venezuela's outline
    assert lines[6].startswith("NOT CHECKABLE  -")  # a whole country is never all covered
    assert len(lines) == 7


def test_one_sentence_prints_question_choices_verdict(
    capsys: pytest.CaptureFixture[str], caracas_store: Path
) -> None:
    out = check(capsys, caracas_store, "A Chinese military plane landed in Caracas on Sept. 20")
    assert 'registry_country = ["CN"]' in out
    assert 'to = ["SVCS", "SVMI", "SVFM"]' in out
    assert "since = 2019-09-20T04:00:00Z" in out  # the day in Caracas (UTC-4)
    assert "until = 2019-09-21T04:00:00Z  # exclusive" in out
    assert 'time_zone = "America/Caracas"' in out
    assert '"Caracas": SVCS Oscar Machado Zuluaga Airport, SVMI Maiquetia' in out
    assert "Verdict: CONTRADICTED" in out
    assert "At Maiquetia (Simon Bolivar Internacional) Airport (SVMI) between " in out
    alone = check(capsys, caracas_store, "The plane had left Moscow on Sept. 20")
    assert "refers to an earlier sentence; none given: any aircraft" in alone
    assert "Verdict: SUPPORTED" in alone  # any aircraft: the airliners left Moscow too
    assert "151daa" in alone and "1551e0" in alone


def test_report_pack_has_the_claim_and_verifies(
    capsys: pytest.CaptureFixture[str], caracas_store: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    sentence = "Two Russian air force planes landed in Caracas"
    out = check(capsys, caracas_store, sentence, "--report", str(pack))
    assert "Verdict: SUPPORTED" in out
    head = json.loads((pack / "claim.json").read_text(encoding="utf-8"))
    assert head["sentence"] == sentence and head["verdict"] == "supported"
    assert head["aircraft"] == ["154073", "1551e0"]
    html = (pack / "report.html").read_text(encoding="utf-8")
    assert html.index('<section class="claim">') < html.index("<h2>", html.index("</section>"))
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["claim"]["verdict"] == "supported"
    assert {"claim.toml", "claim.json", "report.html"} <= set(manifest["files"])
    assert main(["verify", str(pack), "--rerun", "--data-dir", str(caracas_store)]) == 0
    # the claim's TOML is a question `investigate` reads as it is
    assert (
        main(
            [
                "investigate",
                "--question",
                str(pack / "claim.toml"),
                "--data-dir",
                str(caracas_store),
            ]
        )
        == 0
    )
    assert "2 flights of 2 aircraft match" in capsys.readouterr().out


def test_edit_changes_the_question(
    capsys: pytest.CaptureFixture[str],
    caracas_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the "editor": a script that asks for Chinese instead of Russian aircraft
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('\"RU\"', '\"CN\"'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    out = check(capsys, caracas_store, "Two Russian planes landed in Caracas on Sept. 20", "--edit")
    assert "Verdict: CONTRADICTED" in out


def test_imported_operators_and_types_are_read(
    capsys: pytest.CaptureFixture[str], caracas_store: Path
) -> None:
    # "Aeroflot Russian Airlines" is a name of the imported operator list (designator AFL)
    out = check(capsys, caracas_store, "An Aeroflot Russian Airlines jet left Moscow on Sept. 20")
    assert 'callsign = ["AFL*"]' in out and 'registry_country = ["RU"]' in out
    assert "Verdict: SUPPORTED" in out
    assert "2 flight(s) of 2 aircraft fit the claim" in out  # AFL2460 and AFL36 left UUEE
    assert "151daa" in out and "151dc8" in out and "1551e0" not in out
    # A124: a type designator of the imported aircraft DB, written as such
    out = check(capsys, caracas_store, "An A124 landed in Caracas on Sept. 20")
    assert 'type = ["A124"]' in out
    assert '"A124": type designator A124 (imported aircraft DB)' in out
    assert "1 flight(s) of 1 aircraft fit the claim" in out and "154073" in out


def test_investigate_asks_by_type(capsys: pytest.CaptureFixture[str], caracas_store: Path) -> None:
    # the `type` filter check's questions use, as an investigate option
    argv = ["investigate", "--type", "IL62", "--via", "SVMI", "--data-dir", str(caracas_store)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "1 flight of 1 aircraft match" in out and "1551e0" in out and "154073" not in out
