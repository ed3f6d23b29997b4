"""Defect 11: ``/api/stats`` ``accepted`` stayed 0 for already-decoded sources (SBS): the
tracker counted accepted frames only. Each decoded row it takes is one accepted record."""

from __future__ import annotations

from pathlib import Path

from skywitness.api import create_app
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.sources.source import make_parser
from skywitness.stats import IngestStats
from tests.api.conftest import call

SBS = Path(__file__).resolve().parents[1] / "data" / "sbs_sample.sbs"


def test_sbs_source_counts_accepted_rows() -> None:
    st = IngestStats()
    p = make_parser("sbs", st, "x")
    rows = sum(len(o) for o in p.feed(SBS.read_bytes()) + p.finish())
    svc = Service(ServiceConfig(sources=[str(SBS)], idle_expiry=False)).start()
    try:
        assert svc.wait_idle(60)
        stats = call(create_app(svc), "GET", "/api/stats").json()
    finally:
        svc.stop()
        assert svc.wait_closed(30)
    assert rows > 0 and stats["accepted"] == rows and stats["frames"] >= rows
