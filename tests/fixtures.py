"""Test helpers shared between test folders (one copy, not one per folder): the stores the
claims and evidence tests read, built from the shared data, and the headless Chromium of the
browser tests (web, claims, evidence)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skywitness.model import FrameBatch

#: Where the AFR34ZG sample was received from: Paris CDG (surface positions need it).
CDG_REFERENCE = (49.0097, 2.5479)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # no request leaves the machine (tar1090 asks for online map tiles): every host name but
    # the test server's fails to resolve
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def frames_of(chunks: Iterable[object]) -> list[FrameBatch]:
    """The chunks of a raw-frame source, each checked to be a ``FrameBatch`` (a source may
    also give decoded reports or state rows)."""
    out: list[FrameBatch] = []
    for chunk in chunks:
        assert isinstance(chunk, FrameBatch), type(chunk)
        out.append(chunk)
    return out


def caracas_store(root: Path, imports: Sequence[tuple[Path, str]]) -> Path:
    """The simulated Caracas capture (provenance: the written ``caracas.jsonl``) ingested into
    a store at ``root/data``, surface positions resolved at airports; then each aircraft
    database or list of ``imports`` (file, kind), each with its source. The store's folder."""
    from skywitness.identify import import_aircraft
    from skywitness.runtime.history import ingest, open_history
    from skywitness.runtime.pipeline import RunOptions
    from skywitness.simulate import load_builtin, simulate, write_capture

    capture = root / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(capture))
    store = open_history(root / "data")
    try:
        ingest(store, [str(capture)], RunOptions())
        for path, kind in imports:
            import_aircraft(store.connection, path, kind)
    finally:
        store.close()
    return root / "data"


def afr_store(data: Path, shared_data: Path) -> Path:
    """A store at ``data`` with the real AFR34ZG LFPG -> LFBO flight of 2024-07-06 (traffic's
    sample), received at Paris CDG."""
    from skywitness.runtime.history import ingest, open_history
    from skywitness.runtime.pipeline import RunOptions

    store = open_history(data)
    try:
        sample = shared_data / "traffic-raw-frames" / "full_flight_short.jsonl.gz"
        ingest(store, [str(sample)], RunOptions(reference=CDG_REFERENCE))
    finally:
        store.close()
    return data


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright's sync API, closed on leaving."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def site_page(
    browser: Any, url: str, *, height: int, timeout_ms: int, console: bool = False
) -> Iterator[Any]:
    """A page of the web UI at ``url``, once ready; after use, no page error (nor, with
    ``console``, a console error) may have happened. For ``yield from`` in a fixture."""
    pg = browser.new_page(viewport={"width": 1400, "height": height})
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    if console:
        pg.on(
            "console",
            lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
    pg.errors = errors
    pg.set_default_timeout(timeout_ms)
    pg.goto(url)
    pg.wait_for_selector("body[data-ready='1']")
    yield pg
    pg.close()
    assert errors == [], errors


def run_service_to_idle(cfg: Any, timeout_s: float = 120.0) -> Any:
    """Run a ``Service`` over its (finite) sources until it is idle, then stop it and wait until
    it has closed (its last flights step and writes done); returns the stopped service."""
    from skywitness.runtime.service import Service

    svc = Service(cfg)
    svc.start()
    try:
        assert svc.wait_idle(timeout_s)
    finally:
        svc.stop()
        assert svc.wait_closed(timeout_s)
    return svc
