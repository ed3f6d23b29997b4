"""Acceptance 5: rules files are validated with errors naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skywitness.cli.watch_cmd import register
from skywitness.errors import ConfigError
from skywitness.watch import WatchKind, parse_rules
from skywitness.watch.rules import load_rules

GOOD = """\
# Russian state aircraft landing in Venezuela, at night, once per flight
[[notifier]]
name = "feed"
kind = "atom"
path = "alerts.xml"

[[rule]]
name = "ru-state-ve"
event = ["landing", "arrival"]
country = "VE"
registry_country = ["RU"]
classification = ["military", "government"]
hours = ["22:00-06:00"]
days = ["sat", "sunday"]
cooldown = "30m"
notify = ["feed"]

[[rule]]
name = "paris-box"
event = "enter"
[rule.area]
name = "paris"
circle = { lat = 48.85, lon = 2.35, radius_nm = 10 }
"""


def _error(text: str) -> str:
    with pytest.raises(ConfigError) as exc:
        parse_rules(text, "rules.toml")
    return str(exc.value)


def test_good_file() -> None:
    rs = parse_rules(GOOD, "rules.toml", Path("/data"))
    a, b = rs.rules
    assert a.events == {WatchKind.LANDING, WatchKind.ARRIVAL}
    assert a.country == {"VE"} and a.registry_country == ("RU",)
    assert a.classification == {"military", "government"}
    assert a.hours == ((22 * 3600, 6 * 3600),) and a.days == {5, 6}
    assert a.cooldown_s == 1800.0 and a.notify == ("feed",) and a.line == 7
    assert b.fence == 0 and rs.fences[0].name == "paris" and b.line == 18
    assert rs.notifiers[0].options["path"] == "/data/alerts.xml"


def test_typo_names_line_and_field() -> None:
    text = GOOD.replace('classification = ["military"', 'clasification = ["military"')
    assert _error(text) == (
        "rules.toml: line 12: unknown field 'clasification' (did you mean 'classification'?)"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'event = "enter"',
            'event = "entr"',
            "line 20: field 'event': unknown value 'entr' (did you mean 'enter'?)",
        ),
        (
            "radius_nm = 10",
            "radius = 10",
            "line 23: unknown field 'area.circle.radius' (did you mean 'area.circle.radius_nm'?)",
        ),
        (
            'hours = ["22:00-06:00"]',
            'hours = ["22-06"]',
            "line 13: field 'hours': '22-06' is not a UTC range like '22:00-06:00'",
        ),
        (
            'cooldown = "30m"',
            'cooldown = "soon"',
            "line 15: field 'cooldown' must be seconds or a duration like '30m', '2h'",
        ),
        ('country = "VE"', 'airport = "XXXX"', "line 10: field 'airport': unknown airport 'XXXX'"),
        (
            'notify = ["feed"]',
            'notify = ["mail"]',
            "line 16: rule 'ru-state-ve': no notifier named 'mail'",
        ),
        (
            'name = "paris-box"',
            'name = "ru-state-ve"',
            "line 19: duplicate rule name 'ru-state-ve'",
        ),
        ('kind = "atom"', 'kind = "atom"\nurl = 3\nretries = 2', "line 6: unknown field 'retries'"),
        ('path = "alerts.xml"', "", "line 2: notifier 'feed' (atom) needs field 'path'"),
        ('event = "enter"', 'event = "seen"\ncountry = "FR"', "line 21: airport/country apply to"),
    ],
)
def test_semantic_errors(old: str, new: str, message: str) -> None:
    assert message in _error(GOOD.replace(old, new, 1))


def test_syntax_error_has_line() -> None:
    assert _error(GOOD.replace('cooldown = "30m"', "cooldown = 30m")).startswith(
        "rules.toml: line 15: TOML syntax error"
    )


def test_geojson_area(tmp_path: Path) -> None:
    square = [[[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 49.0], [2.0, 48.0]]]
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square}}],
    }
    (tmp_path / "zone.geojson").write_text(json.dumps(doc))
    rules = tmp_path / "r.toml"
    rules.write_text('[[rule]]\nname = "z"\nevent = "leave"\narea = { geojson = "zone.geojson" }\n')
    rs = load_rules(rules)
    assert rs.fences[0].bbox == (2.0, 48.0, 3.0, 49.0)
    rules.write_text('[[rule]]\nname = "z"\nevent = "leave"\narea = { geojson = "nope.geojson" }\n')
    with pytest.raises(ConfigError, match=r"r.toml: line 4: field 'area.geojson': cannot read"):
        load_rules(rules)


def test_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="skywitness")
    register(parser.add_subparsers())
    good = tmp_path / "good.toml"
    good.write_text(GOOD.replace('path = "alerts.xml"', f'path = "{tmp_path}/a.xml"'))
    args = parser.parse_args(["watch", "--check", str(good)])
    assert args.func(args) == 0
    assert "OK (2 rules, 1 notifiers)" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("classification", "clasification"))
    args = parser.parse_args(["watch", "--check", str(bad)])
    with pytest.raises(ConfigError, match=rf"{bad}: line 12: unknown field 'clasification'"):
        args.func(args)


def test_identity_matchers_have_the_meanings_of_docs_filters() -> None:
    """A rule's identity matchers are the shared ``IdentityQuery`` (docs/filters.md): a
    designator is matched whole, watchlist globs cover list name, category and tags (the
    importer joins tags with "; "), and a classification is one label."""
    from dataclasses import replace

    from skywitness.identify import Identity
    from skywitness.identify.identity import WatchlistEntry

    rs = parse_rules(
        '[[rule]]\nname = "a"\nevent = "seen"\noperator = "RF"\n'
        '[[rule]]\nname = "b"\nevent = "seen"\noperator = "RFF"\nwatchlist = "vashe*"\n'
        '[[rule]]\nname = "c"\nevent = "seen"\nclassification = "government"\n'
        '[[rule]]\nname = "d"\nevent = "seen"\nicao24 = "1551e0"\nwatchlist_tag = "classic"\n'
    )
    tags = "The Last Of Us; Vashe Zdorovye; Classic"
    wl = WatchlistEntry("planealert", "Other Air Forces", "Mil", tags, "", "planealert x")
    rff = Identity(
        icao24="1551e0",
        operator="Russian Air Force",
        operator_designator="RFF",
        classification="military",
        watchlists=(wl,),
    )
    a, b, c, d = rs.rules
    assert not a.identity_matches(rff)  # "RF" is not the designator RFF nor in the name
    assert b.identity_matches(rff)
    assert not b.identity_matches(replace(rff, watchlists=()))
    assert not c.identity_matches(rff)  # military is not government
    assert d.identity_matches(rff)
    assert not d.identity_matches(replace(rff, icao24="154073"))
