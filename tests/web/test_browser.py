"""The web UI in a real browser (Debian's Chromium via Playwright) against a live service fed
by the simulator: markers, search, the aircraft panel and its track, filters, history, alerts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import site_page

from .conftest import LiveSite

TIMEOUT_MS = 15_000
#: Live aircraft with a position at the end of the capture (the third has landed and timed out
#: or sits without a recent position; it only appears in the history).
AIRBORNE = {"151dc8": "AFL36", "1551e0": "RFF7073"}


@pytest.fixture
def page(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    url = live_site.url + "/"
    yield from site_page(browser, url, height=850, timeout_ms=TIMEOUT_MS, console=True)


def marker_ids(pg: Any) -> set[str]:
    return set(pg.eval_on_selector_all(".ac-icon", "els => els.map(e => e.dataset.icao24)"))


def test_map_search_panel_and_track(page: Any, artifacts: Path) -> None:
    # Base map: the offline country outlines came from the API (173 countries in countryinfo,
    # 6 more from the built-in Natural Earth patches: Hungary, Serbia, Kosovo, ...).
    assert int(page.get_attribute("#map", "data-basemap")) == 179
    assert page.locator(".leaflet-overlay-pane path").count() > 100
    # OpenStreetMap is offered as an optional (online) layer; the offline outlines are the default.
    bases = page.eval_on_selector_all(
        ".leaflet-control-layers-base label", "els => els.map(e => e.textContent.trim())"
    )
    assert bases == ["Countries (offline)", "OpenStreetMap (online)"]
    assert page.locator(".leaflet-tile").count() == 0  # no tile requested while offline layer on

    # Live markers: one per airborne aircraft, labelled with the callsign.
    # The landed aircraft (4b1812) leaves the live map once the service's snapshot catches up
    # with the end of the capture: wait for exactly the airborne ones, not just any two.
    want = sorted(AIRBORNE)
    page.wait_for_function(
        "want => JSON.stringify([...document.querySelectorAll('.ac-icon')]"
        ".map(e => e.dataset.icao24).sort()) === JSON.stringify(want)",
        arg=want,
        timeout=60_000,
    )
    assert marker_ids(page) == set(AIRBORNE)
    labels = page.eval_on_selector_all(".ac-label", "els => els.map(e => e.textContent)")
    assert sorted(labels) == sorted(AIRBORNE.values())
    # The Russian Air Force callsign makes a military aircraft: outlined in red.
    assert page.locator(".ac-icon.military[data-icao24='1551e0']").count() == 1
    assert page.locator(".ac-icon.military").count() == 1
    # Rotated by track: a heading is applied to every plane.
    transforms = page.eval_on_selector_all(".ac-icon svg", "els => els.map(e => e.style.transform)")
    assert all(t.startswith("rotate(") for t in transforms)
    assert page.inner_text("#st-count") == "2 shown / 2 aircraft"

    # Search by callsign: the suggestion list, then Enter opens the panel.
    page.fill("#search", "afl3")
    page.wait_for_selector("#search-results li[data-icao24='151dc8']")
    assert page.locator("#search-results li").count() == 1
    page.press("#search", "Enter")
    panel = page.wait_for_selector("#aircraft-panel[data-icao24='151dc8']")
    text = panel.inner_text()
    assert "AFL36" in text
    assert "Russia (RU)" in text
    assert page.inner_text("#p-class") == "civil"
    assert "33,000 ft" in text  # cruising at the scenario's level
    # Its stored track is drawn and summarised.
    page.wait_for_function("document.querySelector('#p-track').textContent.includes('positions')")
    assert page.locator("path.track-observed").count() >= 1
    assert page.locator(".ac-icon.selected[data-icao24='151dc8']").count() == 1
    # Its flight (still airborne) is listed.
    flights = page.inner_text("#p-flights")
    assert "AFL36" in flights and "→" in flights
    page.wait_for_timeout(500)  # let the zoom animation settle before the picture
    shot = artifacts / "web_map_panel_track.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    # A military aircraft's panel carries the reason and its source.
    page.fill("#search", "1551e0")
    page.press("#search", "Enter")
    page.wait_for_selector("#aircraft-panel[data-icao24='1551e0']")
    assert page.inner_text("#p-class") == "military"
    reasons = page.inner_text(".reasons")
    assert "operator designator RFF" in reasons
    assert "builtin:state_operators" in reasons


def test_filters_and_labels(page: Any) -> None:
    page.wait_for_function("document.querySelectorAll('.ac-icon').length >= 2")
    page.check("#f-military")
    page.wait_for_function("document.querySelectorAll('.ac-icon').length === 1")
    assert marker_ids(page) == {"1551e0"}
    assert page.inner_text("#st-count") == "1 shown / 2 aircraft"
    page.uncheck("#f-military")
    # Altitude band below cruise hides both; country of registry keeps both (Russia).
    page.fill("#f-alt-max", "20000")
    page.wait_for_function("document.querySelectorAll('.ac-icon').length === 0")
    page.fill("#f-alt-max", "")
    page.select_option("#f-country", "RU")
    page.wait_for_function("document.querySelectorAll('.ac-icon').length === 2")
    options = page.eval_on_selector_all("#f-country option", "els => els.map(e => e.value)")
    assert options == ["", "RU"]
    page.uncheck("#f-labels")
    assert page.locator("#map.hide-labels").count() == 1


def test_history_flight_track_and_playback(page: Any, artifacts: Path) -> None:
    page.click("#tabs button[data-tab='history']")
    page.fill("#h-since", "2020-01-01")
    page.fill("#h-until", "2020-01-01")
    page.click("#history-form button[type='submit']")
    page.wait_for_function("document.querySelectorAll('#h-flights li').length === 3")
    summary = page.inner_text("#h-summary")
    assert summary.startswith("3 of 3 flight(s)")
    # The text filter narrows the list by callsign.
    page.fill("#h-filter", "swr")
    page.wait_for_function("document.querySelectorAll('#h-flights li').length === 1")
    page.click("#h-flights li")
    # Departure and arrival marks: the short hop was seen landing at UUEE.
    page.wait_for_selector("path.endpoint.arr", state="attached")
    tips = page.eval_on_selector_all(
        ".leaflet-tooltip.endpoint", "els => els.map(e => e.textContent)"
    )
    assert any("UUEE observed arrival" in t for t in tips), tips
    page.fill("#h-filter", "")
    # Playback of the listed flights in view.
    page.click("#pb-load")
    page.wait_for_selector("#playback:not([hidden])")
    page.eval_on_selector(
        "#pb-slider", "el => { el.value = 200; el.dispatchEvent(new Event('input')); }"
    )
    # planes rotated by their direction of travel, with trails behind them
    assert page.locator(".pb-marker").count() >= 1
    rotations = page.eval_on_selector_all(
        ".pb-marker svg", "els => els.map(e => e.style.transform)"
    )
    assert all(r.startswith("rotate(") for r in rotations)
    assert page.locator("path.pb-trail").count() >= 1
    assert page.inner_text("#pb-time").startswith("2020-01-01 00:1")
    # speed control, and play/pause drawn as icons (no font glyphs)
    speeds = page.eval_on_selector_all("#pb-speed option", "els => els.map(e => e.value)")
    assert speeds == ["1", "10", "60", "300", "1200", "3600"]
    page.select_option("#pb-speed", "3600")
    before = page.inner_text("#pb-time")
    page.click("#pb-play")
    assert page.locator("#pb-play svg.icon-pause").count() == 1
    page.wait_for_function("t => document.querySelector('#pb-time').textContent !== t", arg=before)
    page.keyboard.press("Space")  # the shortcut pauses
    assert page.locator("#pb-play svg.icon-play").count() == 1
    page.screenshot(path=str(artifacts / "web_history_playback.png"))


def test_sse_positions_and_alerts(page: Any, live_site: LiveSite) -> None:
    page.wait_for_function("document.querySelector('#st-stream').textContent === 'stream: live'")
    hub = live_site.service.hub
    # A positions message moves AFL36 between snapshots and starts its trail.
    trails_before = page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
    for i in range(3):
        hub.publish(
            "positions",
            {
                "time": 1577839810.0 + i,
                "aircraft": [
                    {
                        "icao24": "151dc8",
                        "callsign": "AFL36",
                        "latitude": 52.5 - 0.05 * i,
                        "longitude": 38.1,
                        "altitude": 12000.0,
                        "groundspeed": 400.0,
                        "track": 180.0,
                        "vertical_rate": -1000.0,
                        "onground": False,
                        "timestamp": 1577839810.0 + i,
                    }
                ],
            },
        )
    page.wait_for_function(
        "document.querySelector(\".ac-icon[data-icao24='151dc8'] svg\").style.transform"
        " === 'rotate(180deg)'"
    )
    fill = page.get_attribute(".ac-icon[data-icao24='151dc8'] path", "fill")
    assert fill == "hsl(146, 85%, 55%)"  # 12,000 ft on the altitude scale
    page.wait_for_function(
        f"document.querySelectorAll('.leaflet-overlay-pane path').length > {trails_before}"
    )

    live_site.service.publish_alert(
        {
            "id": f"web-test-{time.time()}",
            "time": 1577839000.0,
            "rule": "web-test-rule",
            "icao24": "1551e0",
            "callsign": "RFF7073",
            "event": "takeoff",
            "flight_id": None,
            "message": "RFF7073 took off from UUEE",
            "details": {},
        }
    )
    page.wait_for_selector("#alert-count:not([hidden])")
    assert page.inner_text("#alert-count") == "1"
    page.click("#tabs button[data-tab='alerts']")
    item = page.wait_for_selector("#alerts li")
    assert "RFF7073 took off from UUEE" in item.inner_text()
    item.click()
    page.wait_for_selector("#aircraft-panel[data-icao24='1551e0']")


def test_pure_modules_in_the_browser(page: Any) -> None:
    """The pure ES modules (filters, colours, playback interpolation) on fixed inputs."""
    result = page.evaluate(
        """async () => {
          const f = await import('/static/js/filters.js');
          const c = await import('/static/js/colors.js');
          const p = await import('/static/js/playback.js');
          const acs = [
            {icao24: 'abc123', callsign: 'DLH400', registration: 'D-AIMA', altitude: 4000,
             classification: 'civil', country_iso2: 'DE'},
            {icao24: '3c0001', callsign: 'GAF612', registration: '10+21', altitude: 30000,
             classification: 'military', military: true, country_iso2: 'DE'},
            {icao24: 'a00001', callsign: null, registration: 'N1', onground: true,
             altitude: null, classification: 'government', watched: true, country_iso2: 'US'},
          ];
          const ids = (xs) => xs.map((a) => a.icao24);
          const pts = [{lat: 0, lon: 0, t: 0, alt: 0}, {lat: 10, lon: 20, t: 10, alt: 100}];
          // two observed runs with a silence between them (run numbers differ)
          const runs = [
            {lat: 0, lon: 0, t: 0, alt: 0, run: 0}, {lat: 0, lon: 1, t: 10, alt: 0, run: 0},
            {lat: 0, lon: 5, t: 2000, alt: 0, run: 1},
          ];
          return {
            byReg: ids(f.searchAircraft(acs, 'd-aima')),
            byPrefix: ids(f.searchAircraft(acs, '3c')),
            bySub: ids(f.searchAircraft(acs, 'h40')),
            none: ids(f.searchAircraft(acs, 'zzz')),
            mil: ids(acs.filter(f.makeFilter({military: true}))),
            milOrWatched: ids(acs.filter(f.makeFilter({military: true, watched: true}))),
            de: ids(acs.filter(f.makeFilter({country: 'DE'}))),
            band: ids(acs.filter(f.makeFilter({altMin: 0, altMax: 5000}))),
            countries: f.countriesOf(acs),
            hue0: c.altitudeHue(0), hue10k: c.altitudeHue(10000), hue40k: c.altitudeHue(45000),
            ground: c.altitudeColor(30000, true),
            mid: p.positionAt(pts, 5), before: p.positionAt(pts, -1),
            inRun: p.positionAt(runs, 5), inGap: p.positionAt(runs, 1005),
            index: [-1, 0, 1999, 5000].map((t) => p.indexAt(runs, t)),
          };
        }"""
    )
    assert result["byReg"] == ["abc123"]
    assert result["byPrefix"] == ["3c0001"]
    assert result["bySub"] == ["abc123"]
    assert result["none"] == []
    assert result["mil"] == ["3c0001"]
    assert result["milOrWatched"] == ["3c0001", "a00001"]
    assert result["de"] == ["abc123", "3c0001"]
    assert result["band"] == ["abc123", "a00001"]  # on the ground counts as 0 ft
    assert result["countries"] == [["DE", "DE"], ["US", "US"]]
    assert result["hue0"] == 20
    assert result["hue10k"] == pytest.approx(112.5)
    assert result["hue40k"] == 300
    assert result["ground"] == "#8c8c8c"
    mid = result["mid"]
    assert (mid["lat"], mid["lon"], mid["alt"], mid["estimated"]) == (5, 10, 0, False)
    # initial great-circle bearing from (0, 0) to (10, 20): 62.7 deg
    assert mid["track"] == pytest.approx(62.7, abs=0.1)
    assert result["inRun"]["estimated"] is False and result["inRun"]["track"] == 90
    assert result["inGap"]["estimated"] is True and result["inGap"]["lon"] == 3
    assert result["index"] == [-1, 0, 1, 2]
    assert result["before"] is None
