"""The report page renders offline in headless Chromium (no request but the file itself), a
screenshot is kept, and --pdf prints it to a PDF listed in the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skywitness.evidence.manifest import read_manifest
from tests.fixtures import chromium

from .conftest import cli


@pytest.fixture(scope="module")
def pdf_pack(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = tmp_path_factory.mktemp("pdf") / "pack"
    code, out = cli(
        ["investigate", "--data-dir", str(demo_store), "--registry-country", "RU",
         "--military", "--via-country", "VE", "--report", str(pack), "--pdf"]
    )  # fmt: skip
    assert code == 0, out
    return pack


def test_report_renders_offline(pdf_pack: Path, artifacts: Path) -> None:
    url = (pdf_pack / "report.html").resolve().as_uri()
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        errors: list[Any] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url, wait_until="load")
        assert page.locator("#answer").inner_text().startswith("2 flights of 2 aircraft")
        assert page.locator("svg.map polyline.observed").count() == 6
        assert page.locator("svg.map polyline.bridged").count() == 4
        assert page.locator("svg.timeline rect.seen").count() == 6
        assert page.locator("h3").all_inner_texts() == ["1551e0 RFF7073", "154073 RFF8322"]
        page.screenshot(path=str(artifacts / "evidence_report.png"), full_page=True)
    assert requests == [url]
    assert errors == []


def test_pdf_in_pack(pdf_pack: Path) -> None:
    pdf = pdf_pack / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "report.pdf" in read_manifest(pdf_pack)["files"]
    assert cli(["verify", str(pdf_pack)]) == (0, "all 9 files match their SHA-256\n")
