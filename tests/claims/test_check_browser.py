"""The "Check a claim" tab in a real browser (Debian's Chromium via Playwright) against the
live service of the web tests (tests/web/conftest.py: three simulated aircraft around Moscow on
2020-01-01, the Russian air force Il-62 1551e0 leaving Sheremetyevo at 00:10), and
``POST /api/check`` itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fixtures import chromium, site_page
from tests.web.conftest import LiveSite, live_site

__all__ = ["live_site"]  # the web tests' live service, used here too

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for this module only: Playwright's sync API runs an event loop in this thread
    while it is open, and later tests that call asyncio.run must not meet it."""
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, live_site: LiveSite) -> Iterator[Any]:
    yield from site_page(browser, live_site.url + "/", height=900, timeout_ms=TIMEOUT_MS)


def test_check_a_claim_then_edit_it(page: Any, artifacts: Path) -> None:
    page.click("#tabs button[data-tab='check']")
    assert page.input_value("#claim-published") == "2020-01-01"  # the data's day
    page.fill("#claim-sentence", "A Russian air force plane left Moscow today")
    page.click("#claim-form button[type='submit']")
    page.wait_for_selector("#claim-verdict")
    assert page.inner_text("#claim-verdict") == "SUPPORTED"
    flights = page.inner_text("#claim-flights")
    assert "1551e0" in flights and "RFF7073" in flights and "151dc8" not in flights
    # the question as read, as editable fields
    assert page.input_value("#c-registry_country") == "RU"
    assert page.input_value("#c-classes") == "military"
    assert page.input_value("#c-action") == "departed"
    assert page.input_value("#c-from").startswith("UUBB, UUBM, UUDD, UUEE")
    assert page.input_value("#c-first_day") == "2020-01-01"
    assert "Sheremetyevo" in page.inner_text("#claim-notes")
    page.screenshot(path=str(artifacts / "web_check_claim.png"))
    # edited: a Chinese military aircraft leaving Sheremetyevo, where the receiver saw traffic
    page.fill("#c-registry_country", "CN")
    page.fill("#c-from", "UUEE")
    page.click("#claim-fields button[type='submit']")
    page.wait_for_function(
        "document.querySelector('#claim-verdict') && "
        "document.querySelector('#claim-verdict').textContent === 'CONTRADICTED'"
    )
    reasons = page.inner_text("#claim-reasons")
    # the day in Moscow (UTC+3)
    assert "At Sheremetyevo International Airport (UUEE) between 2019-12-31T21:00:00Z" in reasons
    assert 'registry_country = ["CN"]' in page.text_content("#claim-toml")
    # a bad edit is refused with the reason
    page.fill("#c-classes", "pirate")
    page.click("#claim-fields button[type='submit']")
    page.wait_for_selector("#claim-error")
    assert "unknown classification 'pirate'" in page.inner_text("#claim-error")


def test_api_check(live_site: LiveSite) -> None:
    url = live_site.url + "/api/check"
    r = httpx.post(
        url,
        json={"sentence": "Russian jets at Sheremetyevo airport today", "published": "2020-01-01"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verdict"] == "supported"
    assert body["fields"]["action"] == "was_at" and body["fields"]["at"] == ["UUEE"]
    # 1551e0 left Sheremetyevo that day; 4b1812 landed there but is Swiss; 151dc8 left Vnukovo
    assert body["aircraft"] == ["1551e0"]
    assert body["reasons"][0] == "1 flight(s) of 1 aircraft fit the claim"
    assert body["reasons"][1].startswith("was at: an aircraft that arrived before the day")
    bad = httpx.post(url, json={"sentence": "x", "published": "soon"}, timeout=30)
    assert bad.status_code == 422
