"""One filter vocabulary (issue 10, acceptance 3): every filter of docs/filters.md gives the same
flights through ``skywitness flights``, ``skywitness investigate`` and ``/api/flights`` on the
same store (the simulated Caracas scenario with tar1090-db and plane-alert-db imported).

The expected flights follow from the scenario (scenarios/caracas.toml): the two Russian Air
Force flights RFF7073 (1551e0, UUWW -> SVMI, RA-86496) and RFF8322 (154073, UUMU -> SVMI), four
Aeroflot legs at Moscow, and five Venezuelan/Spanish flights at Caracas (SVMI).
"""

from __future__ import annotations

import argparse
import io
import json
import threading
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any, cast

import pytest

from skywitness.api import create_app
from skywitness.cli import investigate_cmd
from skywitness.cli.main import main
from skywitness.evidence.query import ask
from skywitness.flights.query import FILTERS
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.store import Store
from tests.api.conftest import call

RFF = ["1551e0 RFF7073", "154073 RFF8322"]
MOSCOW = ["151daa AFL2460", "151dbc AFL1133", "151dc8 AFL36", "151dc8 AFL36"]
CARACAS = ["0c2011 CMP222", "0d8198 VCV1620", "0c2011 CMP222", "0d8198 VCV1620"]
NOT_RFF = [*MOSCOW, *CARACAS, "3444ce IBE6673"]

#: (CLI arguments, /api/flights query, the flights expected, by firstSeen), one or more per
#: filter; the identities are tar1090-db's (registration, type) and plane-alert-db's (operator,
#: category "Other Air Forces", tags) rows for 1551e0 and 154073.
CASES: list[tuple[list[str], str, list[str]]] = [
    (["--icao24", "154073,1551e0"], "icao24=154073,1551e0", RFF),
    (["--callsign", "rff*"], "callsign=rff*", RFF),
    (["--callsign", "AFL36", "--callsign", "IBE*"], "callsign=AFL36,IBE*",
     ["151dc8 AFL36", "151dc8 AFL36", "3444ce IBE6673"]),
    (["--registration", "RA-8*"], "registration=RA-8*", RFF),  # tar1090-db
    (["--registration", "yv2851"], "registration=yv2851", ["0d8198 VCV1620"] * 2),
    (["--operator", "RFF"], "operator=RFF", RFF),
    (["--operator", "RF"], "operator=RF", []),  # a designator is matched whole
    (["--operator", "air force"], "operator=air%20force", RFF),  # part of the name
    (["--registry-country", "RU"], "registry_country=RU",
     [MOSCOW[0], RFF[0], MOSCOW[1], MOSCOW[2], RFF[1], MOSCOW[3]]),
    (["--registry-country", "russia"], "registry_country=russia",  # or the country's name
     [MOSCOW[0], RFF[0], MOSCOW[1], MOSCOW[2], RFF[1], MOSCOW[3]]),
    (["--type", "IL62", "--type", "A124"], "type=IL62,A124", RFF),
    (["--type", "A3*"], "type=A3*", [*MOSCOW[1:], "3444ce IBE6673"]),  # A320, A321, A332
    (["--class", "military"], "class=military", RFF),
    (["--class", "civil,police"], "class=civil,police", NOT_RFF),
    (["--military"], "military=true", RFF),
    (["--government"], "government=true", []),  # military aircraft are not government
    (["--watchlist"], "watchlist=*", RFF),  # plane-alert-db
    (["--watchlist", "other air*"], "watchlist=other%20air*", RFF),  # a category
    (["--watchlist", "the last of us"], "watchlist=the%20last%20of%20us", [RFF[0]]),  # a tag
    (["--watchlist", "police"], "watchlist=police", []),
    (["--from", "UUWW"], "from=UUWW", [RFF[0]]),
    (["--to", "CCS"], "to=CCS", [*RFF, "0c2011 CMP222", "0d8198 VCV1620", "3444ce IBE6673"]),
    (["--via", "UUEE"], "via=UUEE", MOSCOW),
    (["--from-country", "RU"], "from_country=RU", [MOSCOW[0], RFF[0], MOSCOW[2], RFF[1]]),
    (["--to-country", "VE", "--military"], "to_country=VE&military=true", RFF),
    (["--via-country", "VE", "--registry-country", "RU"], "via_country=VE&registry_country=RU",
     RFF),
    (["--since", "2019-09-20T17:30:00Z"], "since=2019-09-20T17:30:00Z",
     [RFF[1], "0d8198 VCV1620", "3444ce IBE6673"]),  # still seen: last seen after 17:30
    (["--until", "2019-09-20T05:30"], "until=2019-09-20T05:30",
     [MOSCOW[0], RFF[0], MOSCOW[1]]),  # first seen before 05:30
    (["--min-confidence", "0.5", "--callsign", "CMP*"], "min_confidence=0.5&callsign=CMP*",
     ["0c2011 CMP222"] * 2),
]  # fmt: skip


def _rows(flights: list[dict[str, Any]]) -> list[str]:
    return [f"{f['icao24']} {f['callsign']}" for f in flights]


def _flights_cli(store: Path, args: list[str]) -> list[str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["flights", "--data-dir", str(store), "--format", "json", *args]) == 0
    return _rows([json.loads(x) for x in buf.getvalue().splitlines()])


def _investigate(store: Path, args: list[str]) -> list[str]:
    parser = argparse.ArgumentParser(prog="skywitness")
    investigate_cmd.register(parser.add_subparsers(dest="command"))
    ns = parser.parse_args(["investigate", "--data-dir", str(store), *args])
    with Store(store, read_only=True) as s:
        result = ask(s, investigate_cmd.question_from_args(ns), investigate_cmd.outlines())
    return _rows([m.flight for m in result.matches])


class _StoreOnly:
    """The part of a running ``Service`` that /api/flights reads: config, read cursor, lock."""

    def __init__(self, store: Store) -> None:
        self.config = ServiceConfig(sources=[], data_dir=store.data_dir)
        self.read_lock = threading.Lock()
        self._con = store.connection.cursor()

    def read_connection(self) -> Any:
        return self._con


@pytest.fixture(scope="module")
def answers(demo_store: Path) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Each case through the three paths: the CLI ones first, as the API's store holds the
    catalogue open."""
    out: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for args, query, _ in CASES:
        out[query] = (_flights_cli(demo_store, args), _investigate(demo_store, args), [])
    with Store(demo_store, read_only=True) as store:
        app = create_app(cast(Service, _StoreOnly(store)))
        for _, query, _ in CASES:
            r = call(app, "GET", f"/api/flights?limit=1000&{query}")
            assert r.status_code == 200, (query, r.text)
            out[query][2].extend(_rows(r.json()["flights"]))
    return out


@pytest.mark.parametrize(("args", "query", "expected"), CASES, ids=[c[1] for c in CASES])
def test_same_rows_everywhere(
    answers: dict[str, tuple[list[str], list[str], list[str]]],
    args: list[str],
    query: str,
    expected: list[str],
) -> None:
    flights, investigate, api = answers[query]
    assert flights == investigate == api
    assert flights == expected


def test_every_filter_is_exercised() -> None:
    """Each filter of the vocabulary appears in a case, as a flag and as a parameter."""
    flags = {a for args, _, _ in CASES for a in args if a.startswith("--")}
    params = {p.split("=")[0] for _, q, _ in CASES for p in q.split("&")}
    assert {f.flag for f in FILTERS} <= flags
    assert {f.key for f in FILTERS} <= params


@pytest.mark.parametrize(
    ("command", "old", "new"),
    [
        ("flights", ["--country", "RU"], ["--registry-country", "RU"]),
        ("investigate", ["--country", "VE"], ["--via-country", "VE"]),
        ("investigate", ["--airport", "UUEE"], ["--via", "UUEE"]),
        ("investigate", ["--country-of-registry", "RU"], ["--registry-country", "RU"]),
    ],
)
def test_old_spellings_are_deprecated_aliases(
    demo_store: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    old: list[str],
    new: list[str],
) -> None:
    run = _flights_cli if command == "flights" else _investigate
    capsys.readouterr()
    assert run(demo_store, old) == run(demo_store, new) != []
    assert f"skywitness: {old[0]} is deprecated, use {new[0]}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"class": "pirate"}, "unknown classification 'pirate'"),
        ({"via_country": "VEN"}, "not an ISO 3166 alpha-2 country code: 'VEN'"),
        ({"since": "yesterday"}, "since: not a date or time"),
        ({"min_confidence": "high"}, "min_confidence must be a number"),
        ({"since": "2019-09-21", "until": "2019-09-20"}, "--until must be after --since"),
        ({"colour": "red"}, "unknown filter"),
    ],
)
def test_bad_filters_are_named(given: dict[str, Any], message: str) -> None:
    from skywitness.errors import SkywitnessError
    from skywitness.flights.query import build_query

    with pytest.raises(SkywitnessError, match=message):
        build_query(given)


def test_query_round_trips() -> None:
    from skywitness.flights.query import build_query, query_dict

    q = build_query(
        {
            "icao24": "1551E0,154073",
            "callsign": ["rff*"],
            "operator": "rff",
            "military": True,
            "class": "police",
            "watchlist": True,
            "via": "ccs",
            "to_country": "ve",
            "since": "2019-09-20",
            "until": "2019-09-20",
            "min_confidence": "0.5",
        },
        limit=3,
    )
    d = query_dict(q)
    assert d == {
        "icao24": ["1551e0", "154073"],
        "callsign": ["RFF*"],
        "operator": ["RFF"],
        "class": ["police", "military"],
        "watchlist": ["*"],
        "via": ["CCS"],
        "to_country": ["VE"],
        "since": "2019-09-20T00:00:00Z",
        "until": "2019-09-21T00:00:00Z",  # a bare date: the end of that day
        "min_confidence": 0.5,
    }
    assert build_query(d, limit=3) == q
