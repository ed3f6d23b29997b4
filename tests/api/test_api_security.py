"""The API lets no one in (issue #17 defects 8, 10, 11 and the security list): Host names
(DNS rebinding), CORS off unless configured, body limits, constant-time token with any bytes,
injection strings through every query parameter and path parameter of every GET endpoint
(bound SQL parameters only: nothing executes, nothing 500s, the store is unchanged), path
traversal on the static routes (plain and encoded), bad import bodies (400, not 500)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from skywitness.api import create_app
from skywitness.api.hosts import allowed_hosts, host_name, host_ok
from skywitness.api.reads import store_sums
from skywitness.runtime.service import Service, ServiceConfig
from tests.api.conftest import call

AUTH = {"Authorization": "Bearer s3cret"}

INJECTIONS = (
    "' OR '1'='1",
    "'; DROP TABLE flights; --",
    '" OR ""="',
    "1) UNION SELECT * FROM information_schema.tables --",
    "%27%20OR%201%3D1",
    "abc123' --",
    "../../../../etc/passwd",
    "\u0000",
    "\U0001d54f" * 300,
    "1e400",
    "-1",
    "NaN",
    "[]",
    "{}",
    "*",
    "%",
    "_",
    "\\",
)


def test_host_names() -> None:
    assert host_name("LocalHost:8080") == "localhost"
    assert host_name("[::1]:8080") == "::1"
    local = allowed_hosts("127.0.0.1")
    assert host_ok("localhost:8080", local) and host_ok("127.0.0.1:8080", local)
    assert host_ok("[::1]", local) and host_ok(None, local)
    assert not host_ok("evil.example", local) and not host_ok("evil.example:8080", local)
    assert host_ok("radar.lan", allowed_hosts("0.0.0.0", ("radar.lan",)))
    assert host_ok("anything.example", allowed_hosts("127.0.0.1", ("*",)))


@pytest.mark.parametrize("url", ["/api/stats", "/api/aircraft", "/", "/openapi.json"])
def test_dns_rebinding_foreign_host_refused(app: FastAPI, url: str) -> None:
    """Defect 8: any Host was answered while reads are open by default."""
    r = call(app, "GET", url, headers={"Host": "evil.example"})
    assert r.status_code == 421 and "allow-host" in r.text
    for host in ("localhost:8080", "127.0.0.1:8080", "[::1]:8080"):
        assert call(app, "GET", url, headers={"Host": host}).status_code == 200


def test_cors_off_by_default_and_on_when_configured(app: FastAPI) -> None:
    origin = {"Origin": "https://evil.example"}
    r = call(app, "GET", "/openapi.json", headers=origin)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    cfg = ServiceConfig(sources=[], cors_origins=("https://map.example",))
    open_app = create_app(Service(cfg))
    r = call(open_app, "GET", "/openapi.json", headers={"Origin": "https://map.example"})
    assert r.headers["access-control-allow-origin"] == "https://map.example"
    r = call(open_app, "GET", "/openapi.json", headers=origin)
    assert "access-control-allow-origin" not in r.headers


def test_request_bodies_are_bounded(app: FastAPI) -> None:
    r = call(app, "POST", "/api/rules/reload", content=b"x" * 70_000, headers=AUTH)
    assert r.status_code == 413


@pytest.mark.parametrize("value", ["Bearer \u00e9t\u00e9", "Bearer " + "\u00ff" * 50, "Bearer"])
def test_token_with_any_bytes_is_a_401_not_a_500(app: FastAPI, value: str) -> None:
    """compare_digest raised TypeError on a non-ASCII header (500)."""
    headers = {"Authorization": value.encode("latin-1")}
    r = call(app, "POST", "/api/rules/reload", headers=headers)
    assert r.status_code == 401


def _get_routes(app: FastAPI) -> list[tuple[str, list[str]]]:
    schema = call(app, "GET", "/openapi.json").json()
    out = []
    for path, ops in schema["paths"].items():
        op = ops.get("get")
        if op is None or path == "/api/stream":  # the stream never ends; tested below
            continue
        names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        out.append((path, names))
    return out


async def _many(app: FastAPI, urls: list[tuple[str, dict[str, str]]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        return [await c.get(u, params=p) for u, p in urls]


def test_injection_strings_through_every_filter(app: FastAPI, service: Service) -> None:
    # read uncached (``/api/stats`` keeps the sums until the catalogue writer's next write,
    # and a write through the read cursor would not be one)
    con = service.read_connection()
    assert con is not None
    with service.read_lock:
        before = store_sums(con)
    routes = _get_routes(app)
    assert {p for p, _ in routes} >= {"/api/flights", "/api/alerts", "/api/aircraft/{icao24}"}
    urls: list[tuple[str, dict[str, str]]] = []
    for path, names in routes:
        for bad in INJECTIONS:
            if "{icao24}" in path:
                urls.append((path.replace("{icao24}", quote(bad, safe="")), {}))
                urls.append((path.replace("{icao24}", "151dc8"), dict.fromkeys(names, bad)))
            for name in names:
                urls.append((path.replace("{icao24}", "151dc8"), {name: bad}))
    responses = asyncio.run(_many(app, urls))
    codes = sorted({r.status_code for r in responses})
    assert all(c < 500 for c in codes), [
        (str(r.url), r.status_code) for r in responses if r.status_code >= 500
    ][:5]
    assert len(responses) == len(urls) > 300
    with service.read_lock:
        assert store_sums(con) == before


@pytest.mark.parametrize(
    "url",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/leaflet/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/leaflet/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..\\..\\..\\etc\\passwd",
        "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    ],
)
def test_static_routes_reject_traversal(app: FastAPI, url: str) -> None:
    r = call(app, "GET", url)
    assert r.status_code in (400, 404) and b"root:" not in r.content


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00garbage", b"icao24\n" + b"x" * 1000, b"[" * 5000, b"PK\x03\x04broken zip"],
)
def test_import_bad_body_is_a_400(app: FastAPI, body: bytes) -> None:
    """Defect 11: a bad body gave 500 (docs: 400)."""
    r = call(app, "POST", "/api/import?kind=tar1090", content=body, headers=AUTH)
    assert r.status_code in (200, 400), (r.status_code, r.text[:300])


def test_rules_reload_error_is_a_400(app: FastAPI, service: Service, monkeypatch: Any) -> None:
    class Engine:
        def reload(self) -> int:
            from skywitness.watch.rules import parse_rules

            return len(parse_rules("[[rule]]\nname = " + "[" * 5000 + "]" * 5000 + "\n").rules)

    monkeypatch.setattr(service, "watch", Engine())
    monkeypatch.setattr(service.config, "rules", "rules.toml")
    r = call(app, "POST", "/api/rules/reload", headers=AUTH)
    assert r.status_code == 400, r.text
