"""``serve`` with no source: the stored history alone (here three days' traces of a globe-history
archive built from the shared real trace) answers ``/api/flights`` and shows in the browser:
History opens on the newest stored day, and ``?history=DAY`` (what ``skywitness demo`` opens)
lists that day's flights and draws them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from skywitness.api.app import create_app
from skywitness.runtime.globe import ingest_globe
from skywitness.runtime.history import open_history
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate.globe_archive import variants, write_archive
from skywitness.sources.globe import group_inputs

TRACE = "traffic-trajectories/readsb/trace_full_ac671b.json"
TIMEOUT_MS = 15_000
AIRCRAFT = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    root = tmp_path_factory.mktemp("history-site")
    template = json.loads((shared_data / TRACE).read_text())
    tar = write_archive(root / "day.tar", variants(template, AIRCRAFT))
    (inp,), _ = group_inputs([str(tar)])
    with open_history(root / "data") as store:
        assert ingest_globe(store, inp).flights > 0
    service = Service(ServiceConfig(sources=[], data_dir=root / "data")).start()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="history-site-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20.0
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        thread.join(timeout=15.0)
        service.stop()


def _stored_flights(url: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{url}/api/flights", params={"since": "2025-02-04", "until": "2025-02-05"})
    r.raise_for_status()
    flights: list[dict[str, Any]] = r.json()["flights"]
    return flights


def test_api_serves_the_stored_flights(history_site: str) -> None:
    flights = _stored_flights(history_site)
    assert {f["icao24"] for f in flights} == {"a00000", "a00001", "a00002"}
    stats = httpx.get(f"{history_site}/api/stats").json()
    assert stats["sources"] == [] and stats["store"]["rows"] == AIRCRAFT * 2500
    assert stats["store"]["last"].startswith("2025-02-05T")


def _page(browser: Any, url: str) -> Any:
    pg = browser.new_page(viewport={"width": 1200, "height": 800})
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(f"pageerror: {exc}"))
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(url)
    pg.wait_for_selector("body[data-ready='1']")
    return pg


def test_history_opens_on_the_stored_days(browser: Any, history_site: str) -> None:
    pg = _page(browser, history_site + "/")
    pg.click("#tabs button[data-tab='history']")
    assert pg.input_value("#h-until") == "2025-02-05"  # the newest stored day, not today
    assert pg.errors == []
    pg.close()


def test_history_url_lists_and_draws_the_days_flights(
    browser: Any, history_site: str, artifacts: Path
) -> None:
    n = len(_stored_flights(history_site))
    pg = _page(browser, history_site + "/?history=2025-02-04..2025-02-05")
    assert pg.locator("#tab-history.active").count() == 1
    pg.wait_for_function(f"document.querySelectorAll('#h-flights li').length === {n}")
    pg.wait_for_selector("#playback:not([hidden])")
    assert pg.inner_text("#h-summary").startswith(f"{n} flight(s); replaying")
    pg.screenshot(path=str(artifacts / "web_history_from_store.png"))
    assert pg.errors == []
    pg.close()
