"""The aircraft and place filters on the demo store, the manifest's self-hash and coverage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from skywitness.errors import SkywitnessError
from skywitness.evidence.coverage import summarise
from skywitness.evidence.manifest import check_self, manifest_bytes, verify_pack
from skywitness.evidence.places import Outlines, resolve
from skywitness.evidence.query import ask
from skywitness.evidence.question import from_dict
from skywitness.store import Store
from skywitness.web.basemap import basemap_geojson

from .conftest import cli


@pytest.fixture(scope="module")
def store(demo_store: Path) -> Store:
    return Store(demo_store, read_only=True)


@pytest.fixture(scope="module")
def outlines() -> Outlines:
    return Outlines(json.loads(basemap_geojson()))


def _flights(store: Store, outlines: Outlines, **question: object) -> list[tuple[str, str]]:
    result = ask(store, from_dict(question), outlines)
    return [(m.flight["icao24"], m.flight["callsign"]) for m in result.matches]


def test_aircraft_filters(store: Store, outlines: Outlines) -> None:
    rff = [("1551e0", "RFF7073"), ("154073", "RFF8322")]
    assert _flights(store, outlines, operator="russian air force") == rff  # plane-alert-db
    assert _flights(store, outlines, operator="RFF") == rff
    assert _flights(store, outlines, icao24="154073") == [("154073", "RFF8322")]
    assert _flights(store, outlines, callsign="RFF70*") == [("1551e0", "RFF7073")]
    assert _flights(store, outlines, **{"class": "military", "via": "UUMU"}) == [rff[1]]
    assert _flights(store, outlines, classes="military", airports="UUMU") == [rff[1]]  # old keys
    assert _flights(store, outlines, watchlist=True) == rff  # both are on plane-alert-db
    assert _flights(store, outlines, watchlist="*") == rff
    assert _flights(store, outlines, registration="ra-86496") == [rff[0]]  # from tar1090-db
    assert _flights(store, outlines, registration="YV2851") == [
        ("0d8198", "VCV1620"),
        ("0d8198", "VCV1620"),
    ]
    assert len(_flights(store, outlines)) == 11  # AFL36: UUEE -> ULLI (out of coverage) -> UUEE


def test_geofence_and_places_must_all_hold(
    store: Store, outlines: Outlines, tmp_path: Path
) -> None:
    """Different filters are AND-ed (docs/filters.md), areas included: the Aeroflot flights
    touching UUEE never reach the Caracas coast, the Russian state flights do both."""
    box = tmp_path / "caracas-coast.geojson"
    ring = [[-68.0, 10.0], [-66.0, 10.0], [-66.0, 11.5], [-68.0, 11.5], [-68.0, 10.0]]
    box.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}), encoding="utf-8")
    coast = ["RFF7073", "RFF8322", "CMP222", "VCV1620", "CMP222", "VCV1620", "IBE6673"]
    assert [c for _, c in _flights(store, outlines, geofences=str(box))] == coast
    assert [c for _, c in _flights(store, outlines, via="UUEE")] == [
        "AFL2460", "AFL1133", "AFL36", "AFL36",
    ]  # fmt: skip
    assert _flights(store, outlines, geofences=str(box), via="UUEE") == []
    assert _flights(store, outlines, registry_country="RU", geofences=str(box)) == [
        ("1551e0", "RFF7073"),
        ("154073", "RFF8322"),
    ]
    assert _flights(store, outlines, via_country="RU", geofences=str(box)) == [
        ("1551e0", "RFF7073"),
        ("154073", "RFF8322"),
    ]


def test_bad_places_are_named(store: Store, outlines: Outlines) -> None:
    with pytest.raises(SkywitnessError, match="unknown airport 'ZZZZ'"):
        ask(store, from_dict({"via": "ZZZZ"}), outlines)
    with pytest.raises(SkywitnessError, match="unknown place 'ZZZZ'"):
        resolve("ZZZZ", outlines)
    with pytest.raises(SkywitnessError, match="no outline for country 'XX'"):
        resolve("XX", outlines)
    assert cli(["investigate", "--data-dir", "/nonexistent", "--via", "SVMI"])[0] == 1


def test_country_place_counts_coastal_airports(outlines: Outlines) -> None:
    ve = resolve("VE", outlines)
    svmi = (np.array([10.6031]), np.array([-66.9906]))  # on the coast, off the 1:110m outline
    assert not bool(ve.fence.contains(*svmi)[0])
    assert bool(ve.contains(*svmi)[0])


def test_manifest_self_hash(tmp_path: Path) -> None:
    raw = manifest_bytes({"files": {}, "answer": "x"})
    assert check_self(raw)
    assert not check_self(raw.replace(b'"x"', b'"y"'))
    (tmp_path / "manifest.json").write_bytes(raw)
    (tmp_path / "added.txt").write_text("?")
    report = verify_pack(tmp_path)
    assert report.lines() == ["not in the manifest: added.txt"]
    with pytest.raises(SkywitnessError, match="not an evidence pack"):
        verify_pack(tmp_path / "nothing")


def test_coverage_summary() -> None:
    t0 = datetime(2019, 9, 20, tzinfo=UTC)
    ts = np.array([t0.timestamp() + s for s in (10, 20, 3700, 7300)])
    cov = summarise(
        ts,
        np.array(["a", "a", "b", "c"]),
        np.array(["rx1", "rx1", "rx2", "rx1"]),
        place="X",
        kind="airport",
        since=t0,
        until=datetime(2019, 9, 21, tzinfo=UTC),
    )
    assert (cov.rows, cov.aircraft, cov.hours_with_data, cov.hours_total) == (4, 3, 3, 24)
    assert cov.by_source == {"rx1": 3, "rx2": 1}
    assert cov.sentence() == (
        "At X between 2019-09-20T00:00:00Z and 2019-09-21T00:00:00Z: 4 state vectors of 3 "
        "aircraft (by source: rx1 3, rx2 1); data in 3 of 24 hours, from 2019-09-20T00:00:10Z "
        "to 2019-09-20T02:01:40Z."
    )
