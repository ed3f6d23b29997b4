"""skywitness as a drop-in backend for tar1090: tar1090's own web page (the shared test client,
GPL, served from ../shared/clients, never shipped) runs against skywitness's ``data/`` files in
a real browser, lists the simulated aircraft with callsign, registration, type and altitude
from skywitness, and draws a selected aircraft's trace built from the lake.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from skywitness.runtime.service import ServiceConfig

from .conftest import CUT_UNIX_S, LiveSite, serve_site, write_web_capture

TOKEN = "tar1090-test-token"
TIMEOUT_MS = 20_000
#: The scenario's aircraft as the real tar1090-db lists them (registration, type): what the
#: page must show once the database rows are imported through the API.
DB_ROWS = {"1551e0": ("RA-86496", "IL62"), "151dc8": ("RA-73160", "A321")}
#: Sheremetyevo, the scenario's receiver (deg).
RECEIVER = (55.97, 37.41)


@pytest.fixture(scope="module")
def tar1090_site(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path, shared_clients: Path
) -> Iterator[LiveSite]:
    root = tmp_path_factory.mktemp("tar1090")
    capture = root / "capture.jsonl"
    # a feed that ends a few seconds ago: tar1090 shows aircraft heard in the last minute
    write_web_capture(capture, shift_s=time.time() - 5.0 - CUT_UNIX_S)
    config = ServiceConfig(
        sources=[str(capture)],
        data_dir=root / "data",
        token=TOKEN,
        receiver_position=RECEIVER,
        tar1090_html=shared_clients / "tar1090" / "html",
        idle_expiry=False,  # the feed has ended: keep its aircraft live for the page
    )
    # the real tar1090-db rows of the scenario's aircraft, imported the way a user would
    with gzip.open(shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "rt") as fh:
        header = next(fh)
        rows = [header] + [line for line in fh if line.split(",", 1)[0] in DB_ROWS]
    assert len(rows) == len(DB_ROWS) + 1
    with serve_site(config) as site:
        r = httpx.post(
            f"{site.url}/api/import?kind=tar1090",
            content="".join(rows).encode(),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30.0,
        )
        assert r.status_code == 200, r.text
        # the next live snapshot identifies the aircraft with the imported rows
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and "r" not in _aircraft(site)["1551e0"]:
            time.sleep(0.2)
        yield site


def _aircraft(site: LiveSite) -> dict[str, dict[str, Any]]:
    return {a["hex"]: a for a in httpx.get(f"{site.url}/data/aircraft.json").json()["aircraft"]}


def test_readsb_files(tar1090_site: LiveSite) -> None:
    url = tar1090_site.url
    receiver = httpx.get(f"{url}/data/receiver.json").json()
    assert receiver["lat"] == 55.97 and receiver["lon"] == 37.41
    assert receiver["haveTraces"] is True and receiver["refresh"] == 1000
    stats = httpx.get(f"{url}/data/stats.json").json()
    assert stats["total"]["messages"] > 0 and stats["aircraft_with_pos"] == 2
    assert stats["total"]["max_distance"] > 0
    outline = httpx.get(f"{url}/data/outline.json").json()["actualRange"]["last24h"]["points"]
    assert len(outline) >= 2
    il62 = _aircraft(tar1090_site)["1551e0"]
    assert (il62["r"], il62["t"], il62["category"]) == ("RA-86496", "IL62", "A5")
    assert il62["messages"] > 100 and il62["mlat"] == [] and il62["tisb"] == []
    assert il62["dbFlags"] & 1  # the tar1090-db marks it military
    trace = httpx.get(f"{url}/data/traces/e0/trace_full_1551e0.json").json()
    assert trace["icao"] == "1551e0" and trace["r"] == "RA-86496"
    assert len(trace["trace"]) > 100
    assert trace["trace"][0][0] == 0.0 and all(len(p) == 14 for p in trace["trace"])
    assert httpx.get(f"{url}/data/traces/00/trace_full_1551e0.json").status_code == 404
    assert httpx.get(f"{url}/data/history_999.json").status_code == 404


def test_tar1090_page_lists_aircraft_and_draws_a_trace(
    browser: Any, tar1090_site: LiveSite, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.set_default_timeout(TIMEOUT_MS)
    traces: list[int] = []
    page.on(
        "response",
        lambda r: traces.append(r.status) if "/data/traces/" in r.url else None,
    )
    page.goto(tar1090_site.url + "/tar1090/")
    # tar1090's table: one row per aircraft, the columns filled from our aircraft.json
    page.wait_for_function("() => typeof g !== 'undefined' && g.planes && g.planes['1551e0']")
    page.wait_for_function("() => document.querySelectorAll('#planesTable tbody tr').length >= 2")
    cells = page.evaluate(
        """() => Object.fromEntries(['1551e0', '151dc8'].map(h => {
            const p = g.planes[h];
            return [h, {flight: p.flight && p.flight.trim(), r: p.registration,
                        t: p.icaoType, alt: p.altitude}];
        }))"""
    )
    assert cells["1551e0"]["flight"] == "RFF7073" and cells["151dc8"]["flight"] == "AFL36"
    for hexid, (reg, typ) in DB_ROWS.items():
        assert (cells[hexid]["r"], cells[hexid]["t"]) == (reg, typ)
        assert isinstance(cells[hexid]["alt"], int | float) and cells[hexid]["alt"] > 1000
    # the table's default columns: callsign, type, squawk, altitude, speed, distance, track
    rows = [r.split("\t") for r in page.inner_text("#planesTable tbody").split("\n") if r.strip()]
    il62 = next(r for r in rows if "RFF7073" in r)
    assert "IL62" in il62 and "4312" in il62 and "33000" in il62
    # select the Il-62: tar1090 asks for its traces and draws them from the lake
    page.evaluate("() => selectPlaneByHex('1551e0', {follow: false})")
    page.wait_for_function(
        "() => g.planes['1551e0'].fullTrace && g.planes['1551e0'].fullTrace.trace.length > 100"
    )
    page.wait_for_function("() => g.planes['1551e0'].track_linesegs.length > 0")
    # the selected aircraft's panel shows its registration from skywitness's identity
    page.wait_for_function(
        "() => document.getElementById('selected_registration').textContent.includes('RA-86496')"
    )
    assert 200 in traces
    page.screenshot(path=str(artifacts / "tar1090.png"))
    page.close()


def test_own_map_shows_the_receiver_and_distances(browser: Any, tar1090_site: LiveSite) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(tar1090_site.url + "/")
    page.wait_for_selector("path.receiver", state="attached")
    # with a receiver position the table sorts by distance from it (nearest first)
    page.wait_for_function("document.querySelectorAll('#ac-table tbody tr').length === 2")
    page.wait_for_function(
        "document.querySelector('#ac-table th.sorted').dataset.key === 'distance' && "
        "[...document.querySelectorAll('#ac-table tbody tr')].every(r => r.cells[6].textContent)"
    )
    rows = page.eval_on_selector_all(
        "#ac-table tbody tr", "rows => rows.map(r => [r.dataset.icao24, r.cells[6].textContent])"
    )
    assert [r[0] for r in rows] == ["151dc8", "1551e0"]  # 198 and 213 nm, as tar1090 says
    assert [round(float(r[1])) for r in rows] == [198, 213]
    page.close()
