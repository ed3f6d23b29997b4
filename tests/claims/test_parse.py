"""The parser's choices, each stated (issue 16): a city's airports, a state operator's
designator and address block, the dates anchored on publication, "the plane" referring back,
and the claim TOML read back unchanged by ``check`` and as a question by ``investigate``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.claims import Gazetteer, Who, from_toml, parse_claim, to_toml
from skywitness.claims.dates import read_dates
from skywitness.claims.fields import claim_fields, claim_from_fields
from skywitness.claims.lexicon import ENGLISH
from skywitness.errors import SkywitnessError
from skywitness.evidence.question import from_dict
from skywitness.flights.query import query_dict

WED = date(2019, 9, 25)  # a Wednesday


def parse(sentence: str, **kw: object) -> object:
    return parse_claim(sentence, WED, Gazetteer.default(), **kw)  # type: ignore[arg-type]


def test_every_ambiguity_is_stated() -> None:
    c = parse_claim("Two Russian air force planes landed in Caracas", WED)
    assert c.notes == (
        '"landed": landed',
        '"Russian": state of registry RU (Russia), read from the ICAO address block '
        "(100000-1fffff)",
        '"air force": classification military',
        "RU military operators known by designator: RFF (Russian Federation Air Force); not "
        "required: RU military aircraft flying under other callsigns count too",
        '"Caracas": SVCS Oscar Machado Zuluaga Airport, SVMI Maiquetia (Simon Bolivar '
        "Internacional) Airport, SVFM Francisco de Miranda Airport (SVFM: within 25 km of its "
        "airports)",
        "no date in the sentence: the 7 days up to publication, 2019-09-18 to 2019-09-25",
        "the days are local to SVCS, SVMI, SVFM (America/Caracas): 2019-09-18T04:00:00Z to "
        "2019-09-26T04:00:00Z",
    )
    moscow = parse_claim("The plane had left Moscow on Sept. 20", WED)
    assert moscow.origin == (
        "UUBB", "UUBM", "UUDD", "UUEE", "UUMO", "UUMU", "UUUS", "UUWW", "UUBW",
    )  # fmt: skip
    # a town name shared across countries: the capital wins, and the note says so
    lima = parse_claim("A plane landed in Lima", WED)
    assert lima.destination[0] == "SPJC"
    assert lima.notes[1].endswith("also a town in US, not chosen (its capital)")
    # the days are those of the place the action happens at: Moscow's for a departure there
    left = parse_claim("A plane left Moscow for Caracas on Sept. 20", WED)
    assert left.tz == "Europe/Moscow"
    assert left.event_window() == (
        datetime(2019, 9, 19, 21, tzinfo=UTC),
        datetime(2019, 9, 20, 21, tzinfo=UTC),
    )
    assert parse_claim("A plane landed in Venezuela", WED).tz == "UTC"  # a country: UTC


def test_the_plane_refers_back() -> None:
    alone = parse_claim("The plane had left Moscow on Sept. 20", WED)
    assert alone.who.empty()
    assert '"The plane": refers to an earlier sentence; none given: any aircraft' in alone.notes
    before = Who(registry_country=("RU",), classes=("military",))
    c = parse_claim("The plane had left Moscow on Sept. 20", WED, context=before)
    assert c.who == before
    # a sentence that names its own aircraft keeps them
    own = parse_claim("A Chinese plane left Moscow", WED, context=before)
    assert own.who.registry_country == ("CN",)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("on Sept. 20", "2019-09-20", "2019-09-20"),
        ("on September 20, 2018", "2018-09-20", "2018-09-20"),
        ("on 20 December", "2018-12-20", "2018-12-20"),  # after publication: the year before
        ("on Wednesday", "2019-09-25", "2019-09-25"),  # the publication day itself
        ("last Wednesday", "2019-09-18", "2019-09-18"),
        ("on Monday", "2019-09-23", "2019-09-23"),
        ("yesterday", "2019-09-24", "2019-09-24"),
        ("last week", "2019-09-16", "2019-09-22"),
        ("this week", "2019-09-23", "2019-09-25"),
        ("over the weekend", "2019-09-21", "2019-09-22"),
        ("recently", "2019-09-11", "2019-09-25"),
        ("last month", "2019-08-01", "2019-08-31"),
        ("three days ago", "2019-09-22", "2019-09-22"),
        ("between Sept. 18 and Sept. 21", "2019-09-18", "2019-09-21"),
        ("", "2019-09-18", "2019-09-25"),
    ],
)
def test_dates(text: str, first: str, last: str) -> None:
    w = read_dates(f"A plane landed in Caracas {text}", WED, ENGLISH)
    assert (w.first.isoformat(), w.last.isoformat()) == (first, last)
    assert w.notes  # every window says why


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.sampled_from(
        [
            "yesterday",
            "last week",
            "recently",
            "on Friday",
            "on Sept. 20",
            "this month",
            "last month",
            "over the weekend",
            "two days ago",
            "",
        ]
    ),
)
def test_relative_windows_never_after_publication(published: date, words: str) -> None:
    w = read_dates(f"It landed {words}", published, ENGLISH)
    assert w.first <= w.last <= published


def test_toml_round_trip_and_investigate_reads_it() -> None:
    c = parse_claim(
        "A Russian air force jet was at Caracas' main Maiquetia airport on Wednesday", WED
    )
    back = from_toml(to_toml(c))
    assert (back.who, back.action, back.at, back.first_day, back.last_day, back.count) == (
        c.who,
        c.action,
        c.at,
        c.first_day,
        c.last_day,
        c.count,
    )
    q = from_dict(__import__("tomllib").loads(to_toml(c)))
    asked = query_dict(q.query)
    assert asked["via"] == ["SVMI"] and asked["registry_country"] == ["RU"]
    assert asked["class"] == ["military"]
    # "was at" on the 25th: flights to or from SVMI in the 7 days before are asked for
    assert q.since == datetime(2019, 9, 18, 4, tzinfo=UTC)  # Caracas midnight, 7 days before
    assert q.until == datetime(2019, 9, 26, 4, tzinfo=UTC)
    with pytest.raises(SkywitnessError, match=r"needs published = YYYY-MM-DD"):
        from_toml(to_toml(c).replace("published = 2019-09-25", ""))


def test_fields_round_trip_and_checks() -> None:
    c = parse_claim("Two Russian air force planes landed in Caracas on Sept. 20", WED)
    f = claim_fields(c)
    back = claim_from_fields(c.sentence, WED, f)
    assert claim_fields(back) == f
    with pytest.raises(SkywitnessError, match="action"):
        claim_from_fields("s", WED, {**f, "action": "crashed"})
    with pytest.raises(SkywitnessError, match="last_day is before first_day"):
        claim_from_fields("s", WED, {**f, "last_day": "2019-09-01"})
    with pytest.raises(SkywitnessError, match="unknown classification 'pirate'"):
        claim_from_fields("s", WED, {**f, "classes": ["pirate"]})
    with pytest.raises(SkywitnessError, match="unknown time zone"):
        claim_from_fields("s", WED, {**f, "time_zone": "Mars/Olympus"})


#: Words of claims, codes and punctuation, joined at random (and arbitrary text besides).
_VOCABULARY = (
    "Two Russian air force planes landed in Caracas on Sept. 20 the plane left Moscow "
    "was at Maiquetia airport Wednesday RA-86496 RFF7073 SVMI Il-62 over Syria from to "
    "last week recently 2019-09-20 A124 it , . ' - 31 February Feb. 30 0 99"
)
_WORDS = st.sampled_from(_VOCABULARY.split(" "))


@settings(deadline=None)  # the first example builds the gazetteer (about a second)
@given(st.lists(_WORDS, max_size=14).map(" ".join) | st.text(max_size=80))
def test_any_text_gives_a_claim_the_same_each_time(text: str) -> None:
    g = Gazetteer.default()
    a = parse_claim(text, WED, g)
    assert a == parse_claim(text, WED, g)  # deterministic
    assert a.first_day is not None and a.last_day is not None and a.first_day <= a.last_day
    from_toml(to_toml(a))  # always a question investigate can read


def test_an_edited_when_becomes_the_claimed_days() -> None:
    c = parse_claim("A Chinese military plane landed in Caracas on Sept. 20", WED)
    text = to_toml(c).replace("since = 2019-09-20T04:00:00Z", "since = 2019-09-18T04:00:00Z")
    back = from_toml(text)
    assert (back.first_day, back.last_day) == (date(2019, 9, 18), date(2019, 9, 20))
    assert back.tz == "America/Caracas"
    with pytest.raises(SkywitnessError, match="unknown time zone 'Mars/Olympus'"):
        from_toml(to_toml(c).replace('"America/Caracas"', '"Mars/Olympus"'))
