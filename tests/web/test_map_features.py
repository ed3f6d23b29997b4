"""The map's table, units, themes, keyboard, small screens and ground features, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveSite

TIMEOUT_MS = 15_000


def _open(browser: Any, site: LiveSite, width: int = 1400, height: int = 850) -> Any:
    pg = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.errors = errors
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(site.url + "/")
    pg.wait_for_selector("body[data-ready='1']")
    return pg


@pytest.fixture
def page(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    pg = _open(browser, live_site)
    pg.evaluate("() => localStorage.removeItem('skywitness.settings')")
    pg.reload()
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    pg.close()
    assert pg.errors == [], pg.errors


def table_rows(pg: Any) -> list[list[str]]:
    rows: list[list[str]] = pg.eval_on_selector_all(
        "#ac-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    return rows


def test_aircraft_table_sorts_filters_and_selects(page: Any, artifacts: Path) -> None:
    # the Aircraft tab lists the live aircraft before anything is clicked
    page.wait_for_function("document.querySelectorAll('#ac-table tbody tr').length === 2")
    headers = page.eval_on_selector_all("#ac-table th", "els => els.map(e => e.textContent)")
    assert headers == [
        "Callsign", "Hex", "Reg.", "Type", "Alt.", "Speed", "Dist. nm", "Seen s", "Class",
        "Country",
    ]  # fmt: skip
    # sorted by callsign (no receiver position here); a click on the header reverses it
    assert [r[0] for r in table_rows(page)] == ["AFL36", "RFF7073"]
    page.click("#ac-table th[data-key='callsign']")
    assert [r[0] for r in table_rows(page)] == ["RFF7073", "AFL36"]
    rff = table_rows(page)[0]
    assert (rff[1], rff[4], rff[8], rff[9]) == ("1551e0", "33,000", "military", "RU")
    # the text filter
    page.fill("#t-filter", "151d")
    page.wait_for_function("document.querySelectorAll('#ac-table tbody tr').length === 1")
    assert page.inner_text("#t-count") == "1 aircraft"
    page.fill("#t-filter", "")
    # the map's filters apply to the table too
    page.check("#f-military")
    page.wait_for_function("document.querySelectorAll('#ac-table tbody tr').length === 1")
    page.uncheck("#f-military")
    # a row selects the aircraft: its panel opens and its marker is highlighted
    page.click("#ac-table tbody tr[data-icao24='151dc8']")
    page.wait_for_selector("#aircraft-panel[data-icao24='151dc8']")
    assert page.locator(".ac-icon.selected[data-icao24='151dc8']").count() == 1
    page.screenshot(path=str(artifacts / "web_table_panel.png"))
    # Esc closes the panel and brings the table back, the row no longer selected
    page.keyboard.press("Escape")
    page.wait_for_selector("#ac-table", state="visible")
    assert page.locator("#ac-table tr.active").count() == 0


def test_units_theme_and_keys(page: Any) -> None:
    page.wait_for_function("document.querySelectorAll('#ac-table tbody tr').length === 2")
    page.click("#ac-table tbody tr[data-icao24='151dc8']")
    panel = page.wait_for_selector("#aircraft-panel[data-icao24='151dc8']")
    assert "33,000 ft" in panel.inner_text() and "440 kt" in panel.inner_text()
    # U: metric units, in the panel and the table; remembered across a reload
    page.keyboard.press("Escape")
    page.keyboard.press("u")
    page.click("#ac-table tbody tr[data-icao24='151dc8']")
    page.wait_for_function(
        "document.querySelector('#aircraft-panel') && "
        "document.querySelector('#aircraft-panel').innerText.includes('10,058 m')"
    )
    assert "815 km/h" in page.inner_text("#aircraft-panel")
    assert (page.input_value("#s-alt"), page.input_value("#s-speed")) == ("m", "km/h")
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.input_value("#s-alt") == "m"
    # D: light theme, from the CSS variables
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.keyboard.press("d")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(238, 242, 246)"
    # L: labels off; ?: the list of shortcuts
    page.keyboard.press("l")
    assert page.locator("#map.hide-labels").count() == 1
    page.keyboard.press("?")
    assert page.locator("#help[open]").count() == 1
    assert "units" in page.inner_text("#help-keys")
    page.keyboard.press("Escape")
    assert page.locator("#help[open]").count() == 0


def test_airports_drawn_when_zoomed_in(page: Any) -> None:
    # zoomed out (the first view fits the traffic, once the aircraft are drawn): no airports
    page.wait_for_selector("body[data-fitted='1']", state="attached")
    assert page.locator("path.airport").count() == 0
    # zoomed in on Tver (zoom 9): the airports in view, with ICAO and IATA codes
    page.evaluate("() => window.skywitness.map.setView([56.82, 35.76], 9, {animate: false})")
    page.wait_for_function(
        "[...document.querySelectorAll('.leaflet-tooltip.airport-label')]"
        ".some(e => e.textContent === 'UUEM / KLD Migalovo Air Base') && "
        "document.querySelectorAll('path.airport').length >= 1"
    )
    # and gone again when zoomed out
    page.evaluate("() => window.skywitness.map.setView([56.82, 35.76], 5, {animate: false})")
    page.wait_for_function("document.querySelectorAll('path.airport').length === 0")


def test_narrow_screen_keeps_the_map_visible(
    browser: Any, live_site: LiveSite, artifacts: Path
) -> None:
    pg = _open(browser, live_site, width=420, height=860)
    try:
        m = pg.locator("#map").bounding_box()
        side = pg.locator("#side").bounding_box()
        assert m is not None and side is not None
        # the panel sits under the map, full width, instead of covering it
        assert side["y"] >= m["y"] + m["height"] - 1
        assert side["width"] >= 400 and m["height"] >= 300
        pg.screenshot(path=str(artifacts / "web_narrow.png"))
        assert pg.errors == []
    finally:
        pg.close()
