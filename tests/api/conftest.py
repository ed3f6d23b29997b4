"""Fixtures for the API tests: the short two-aircraft simulated scenario written once as a JSON
lines capture, one service over it (store in a temp dir) and its app, called in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from skywitness.api import create_app
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate import Scenario, parse_scenario, simulate, write_capture
from tests.simulate.conftest import SHORT_TOML

REPO_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
#: Frames in the short scenario's capture (simulator output, fixed seed).
SHORT_FRAMES = 36_255


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return parse_scenario(SHORT_TOML, "short.toml")


@pytest.fixture(scope="session")
def capture(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("capture") / "short.jsonl"
    summary = write_capture(simulate(scenario), str(path))
    assert summary.frames == SHORT_FRAMES
    return path


@pytest.fixture(scope="session")
def service(capture: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    cfg = ServiceConfig(
        sources=[str(capture)],
        data_dir=tmp_path_factory.mktemp("store"),
        token="s3cret",
        idle_expiry=False,  # the replayed aircraft stay live for the whole test session
        flights_interval_s=0.2,
        snapshot_interval_s=0.2,
    )
    svc = Service(cfg).start()
    assert svc.wait_idle(60)
    if svc.flights is not None:
        svc.flights.step(final=True)  # everything the change gate held back is stored
    if svc.writer is not None:
        svc.writer.stop()
    svc.writer = None  # everything is on disk now: the track endpoint reads it
    # e48a1f landed more than 60 s (of data time) before 151dc8's last message: lost by then
    built = svc.snapshots.built if svc.snapshots else 0
    wait_for(lambda: svc.snapshots is not None and svc.snapshots.built > built + 1)
    yield svc
    svc.stop()
    assert svc.wait_closed(30)


def wait_for(cond: Any, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def app(service: Service) -> FastAPI:
    return create_app(service)


async def _request(app: FastAPI, method: str, url: str, **kw: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        return await c.request(method, url, **kw)


def call(app: FastAPI, method: str, url: str, **kw: Any) -> httpx.Response:
    """One in-process request (httpx ASGI transport)."""
    return asyncio.run(_request(app, method, url, **kw))


#: Every JSON answer seen by the tests, for the docs check (url -> body).
SEEN: dict[str, Any] = {}


@pytest.fixture(scope="session")
def get(app: FastAPI) -> Any:
    def _get(url: str, status: int = 200, **kw: Any) -> Any:
        r = call(app, "GET", url, **kw)
        assert r.status_code == status, (url, r.status_code, r.text[:500])
        body = r.json() if r.headers.get("content-type", "").startswith("application") else None
        if status == 200 and body is not None:
            SEEN[url] = body
        return body

    return _get
