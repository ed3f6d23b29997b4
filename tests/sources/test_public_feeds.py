"""Public feeds: OpenSky REST and the readsb v2 APIs, polled from local HTTP servers on
127.0.0.1 replaying recorded-shape answers (tests/data), including 429s with a Retry-After,
5xx errors and garbage bodies: backed off, counted with the feed's rejects, never raised."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from skywitness.errors import InputError
from skywitness.model import Observations
from skywitness.sources import open_source
from skywitness.sources.public_feeds import (
    FeedOptions,
    opensky_credits_per_request,
    opensky_interval_s,
    split_options,
)
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"
OPENSKY = "https://opensky-network.org/api/states/all"


def test_opensky_rates_respect_credits() -> None:
    box = f"{OPENSKY}?lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5"  # 2 x 4.6 = 9.2 sq deg
    assert opensky_credits_per_request(box) == 1
    assert opensky_credits_per_request(f"{OPENSKY}?lamin=40&lomin=0&lamax=50&lomax=10") == 2
    assert opensky_credits_per_request(f"{OPENSKY}?lamin=30&lomin=0&lamax=50&lomax=20") == 3
    assert opensky_credits_per_request(OPENSKY) == 4
    none = FeedOptions()
    # anonymous: 400 credits/day; a world poll costs 4: one poll every 864 s
    assert opensky_interval_s(OPENSKY, authenticated=False, opts=none) == 864.0
    assert opensky_interval_s(OPENSKY, authenticated=True, opts=none) == 86.4
    assert opensky_interval_s(box, authenticated=False, opts=none) == 216.0
    assert opensky_interval_s(box, authenticated=True, opts=none) == 21.6
    assert opensky_interval_s(box, authenticated=True, opts=FeedOptions(credits=40_000)) == 5.0
    url, opts = split_options(f"{box}#interval=12&credits=8000")
    assert url == box and opts == FeedOptions(12.0, 8000, None)
    assert opensky_interval_s(url, authenticated=False, opts=opts) == 12.0
    with pytest.raises(InputError, match="unknown feed option"):
        split_options(f"{OPENSKY}#speed=11")
    with pytest.raises(InputError, match="positive"):
        split_options(f"{OPENSKY}#interval=0")


class _Replay(BaseHTTPRequestHandler):
    """Answers each GET with the next scripted (status, headers, body); the last one repeats."""

    script: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []
    seen: ClassVar[list[tuple[str, str, float]]] = []
    posts: ClassVar[list[bytes]] = []
    auth: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        cls = type(self)
        cls.seen.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
        cls.auth.append(self.headers.get("Authorization", ""))
        status, headers, body = cls.script[min(len(cls.seen), len(cls.script)) - 1]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # the OAuth2 token endpoint
        n = int(self.headers.get("Content-Length", "0"))
        type(self).posts.append(self.rfile.read(n))
        body = b'{"access_token": "tok-1", "expires_in": 1800}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replay() -> Iterator[tuple[int, type[_Replay]]]:
    handler = type("R", (_Replay,), {"script": [], "seen": [], "posts": [], "auth": []})
    srv = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], handler
    srv.shutdown()


def _first(spec: str, stats: IngestStats, limit_s: float = 20.0) -> Observations:
    stop = threading.Event()
    threading.Timer(limit_s, stop.set).start()  # watchdog: never hang the suite
    src = open_source(spec, stats=stats, stop=stop)
    try:
        got = next(iter(src))
    finally:
        stop.set()
    assert isinstance(got, Observations)
    return got


def test_readsb_api_backs_off_and_counts(replay: tuple[int, type[_Replay]]) -> None:
    port, h = replay
    v2 = (DATA / "aircraft_v2.json").read_bytes()
    h.script = [
        (429, {"Retry-After": "0.6"}, b"slow down"),
        (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"),
        (502, {}, b"bad gateway"),
        (200, {"Content-Type": "application/json"}, v2),
    ]
    stats = IngestStats()
    spec = f"readsbapi+http://127.0.0.1:{port}/v2/point/40.5/-74.25/250#interval=0.05"
    obs = _first(spec, stats)
    assert len(obs) == 2 and obs.timestamp.tolist() == [1738699998.0, 1738699700.0]
    assert dict(stats.rejected) == {"poll_http_429": 1, "poll_bad_body": 1, "poll_http_5xx": 1}
    paths = [p for p, _, _ in h.seen]
    assert paths[0] == "/v2/point/40.5/-74.25/250"  # the fragment is never sent
    assert all(ua.startswith("skywitness/") for _, ua, _ in h.seen)
    assert h.seen[1][2] - h.seen[0][2] >= 0.6  # the 429's Retry-After was obeyed


def test_opensky_429_and_malformed_body(replay: tuple[int, type[_Replay]]) -> None:
    port, h = replay
    states = (DATA / "opensky_states.json").read_bytes()
    h.script = [
        (429, {"X-Rate-Limit-Retry-After-Seconds": "0.4"}, b""),
        (200, {}, b'{"time": 1654034400, "states": [["4ca7b5", "RYR'),
        (200, {}, states),
    ]
    stats = IngestStats()
    obs = _first(f"opensky+http://127.0.0.1:{port}/api/states/all#interval=0.05", stats)
    assert len(obs) == 3
    # the cut document is counted by the reader (a bad line), and polling goes on; the
    # recorded document's own short state array is its bad record
    assert dict(stats.rejected) == {"poll_http_429": 1, "bad_line": 1, "bad_record": 1}
    assert h.seen[1][2] - h.seen[0][2] >= 0.4


def test_failed_polls_show_in_api_stats(replay: tuple[int, type[_Replay]]) -> None:
    """The feed's counts reach ``/api/stats`` (per source and in total); the service runs on."""
    from skywitness.api.app import create_app
    from skywitness.runtime.service import Service, ServiceConfig
    from tests.api.conftest import call

    port, h = replay
    h.script = [
        (429, {"Retry-After": "0.2"}, b""),
        (503, {}, b"down"),
        (200, {}, b"garbage"),
        (200, {}, (DATA / "aircraft_v2.json").read_bytes()),
    ]
    spec = f"readsbapi+http://127.0.0.1:{port}/v2/mil#interval=0.05"
    service = Service(ServiceConfig(sources=[spec], data_dir=None)).start()
    try:
        deadline = time.monotonic() + 20.0
        while service.snapshot.count < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        stats = call(create_app(service), "GET", "/api/stats").json()
    finally:
        service.stop()
    want = {"poll_http_429": 1, "poll_http_5xx": 1, "poll_bad_body": 1}
    assert stats["rejects_by_source"][spec] == want
    assert {k: stats["rejects"][k] for k in want} == want
    # live: a1b2c3; ae1234's position is 300 s old in the document, too old for the live map
    assert stats["sources"][0]["spec"] == spec and stats["aircraft_live"] == 1


def test_opensky_token_url_option_and_box(
    replay: tuple[int, type[_Replay]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, h = replay
    h.script = [(200, {}, (DATA / "opensky_states.json").read_bytes())]
    monkeypatch.setenv("OPENSKY_CLIENT_ID", "me")
    monkeypatch.setenv("OPENSKY_CLIENT_SECRET", "s3")
    box = "lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5"
    spec = (
        f"opensky+http://127.0.0.1:{port}/api/states/all?{box}"
        f"#token_url=http://127.0.0.1:{port}/token&interval=0.05"
    )
    assert len(_first(spec, IngestStats())) == 3
    assert h.seen[0][0] == f"/api/states/all?{box}" and h.auth[0] == "Bearer tok-1"
    assert b"grant_type=client_credentials" in h.posts[0] and b"client_id=me" in h.posts[0]
