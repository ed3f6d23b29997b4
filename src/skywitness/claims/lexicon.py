"""The words of one language the claim parser reads: actions, place roles, aircraft nouns,
classes, numbers, references back, and date words. Data only, no code.

A ``Lexicon`` is plain data keyed by folded words (``text.fold``), so another language is another
instance handed to ``parse_claim``; ``ENGLISH`` is the first. Multi-word entries are tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: What a sentence says an aircraft did.
LANDED, DEPARTED, FLEW, WAS_AT = "landed", "departed", "flew", "was_at"
ACTIONS = (LANDED, DEPARTED, FLEW, WAS_AT)

#: The role of a place in a claim.
ORIGIN, DESTINATION, AT, AREA = "from", "to", "at", "over"


def split_words(text: str) -> list[str]:
    """The words of a space-separated list (word lists are kept as text: easier to read)."""
    return text.split()


_split = split_words


def _words(*phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split()) for p in phrases)


@dataclass(frozen=True)
class DateWords:
    """Date phrases as regular expressions over the lowercased sentence (``dates``)."""

    #: period -> phrases for it: yesterday today earlier_this_week this_week last_week weekend
    #: this_month last_month recent_weeks past_week recent (see ``dates._periods``)
    periods: dict[str, str]
    month_prefix: str  # before a month name: "in September"
    weekday_prefix: str  # before a weekday: "on Monday"
    weekday_before: tuple[str, ...]  # prefixes meaning strictly before publication: "last"
    day_parts: str  # after a weekday: "Monday night"
    ordinal: str  # after a day number: "20th"
    day_of: str  # between a day and its month: "20 of September"
    ago: str  # N units before publication, groups ``n`` and ``unit``
    week_unit: str  # a unit starting so counts weeks


@dataclass(frozen=True)
class Lexicon:
    name: str
    #: verb phrase -> action
    actions: dict[tuple[str, ...], str]
    #: preposition phrase -> place role ("" : the role follows from the action)
    roles: dict[tuple[str, ...], str]
    #: nouns for aircraft (a claim's subject); those that also say the class
    nouns: frozenset[str]
    noun_classes: dict[str, tuple[str, ...]]
    #: class words -> classification(s) of identify
    classes: dict[tuple[str, ...], tuple[str, ...]]
    #: number words -> count
    numbers: dict[tuple[str, ...], int]
    #: words that refer back to an aircraft named in an earlier sentence
    anaphora: frozenset[tuple[str, ...]]
    #: words after a demonym that make it a place ("a Venezuelan airport"), not an owner
    place_nouns: frozenset[str]
    #: words never read as a place name (common words that are also towns somewhere)
    not_places: frozenset[str]
    months: dict[str, int] = field(default_factory=dict)
    weekdays: dict[str, int] = field(default_factory=dict)
    dates: DateWords | None = None


_ACTIONS: dict[str, tuple[str, ...]] = {
    LANDED: (
        "land",
        "lands",
        "landed",
        "landing",
        "touched down",
        "touch down",
        "touches down",
        "arrive",
        "arrives",
        "arrived",
        "arriving",
        "arrival",
        "flew into",
        "flown into",
    ),
    DEPARTED: (
        "leave",
        "leaves",
        "left",
        "leaving",
        "depart",
        "departs",
        "departed",
        "departing",
        "departure",
        "took off",
        "take off",
        "takes off",
        "taking off",
        "flew out",
        "flown out",
        "flying out",
    ),
    FLEW: (
        "fly",
        "flies",
        "flew",
        "flown",
        "flying",
        "transited",
        "overflew",
        "crossed",
        "headed",
        "heading",
        "en route",
        "routed",
    ),
    WAS_AT: (
        "was at",
        "were at",
        "was in",
        "were in",
        "is at",
        "are at",
        "is in",
        "are in",
        "seen",
        "spotted",
        "photographed",
        "filmed",
        "parked",
        "sat",
        "sits",
        "sitting",
        "remained",
        "remains",
        "stayed",
        "on the ground",
        "on the tarmac",
        "waiting",
        "stationed",
        "based",
    ),
}

ENGLISH = Lexicon(
    name="en",
    actions={w: a for a, ps in _ACTIONS.items() for w in _words(*ps)},
    roles={
        **dict.fromkeys(
            _words("from", "out of", "leaving", "left", "departed", "departing"), ORIGIN
        ),
        **dict.fromkeys(_words("to", "into", "for", "towards", "toward", "bound for"), DESTINATION),
        **dict.fromkeys(_words("in", "at", "via", "outside", "on"), ""),
        **dict.fromkeys(_words("over", "through", "across", "near", "above", "off"), AREA),
    },
    nouns=frozenset(
        _split(
            "plane planes aircraft airplane airplanes aeroplane aeroplanes jet jets airliner "
            "airliners transport transports freighter freighters airlifter airlifters bomber "
            "bombers tanker tankers warplane warplanes helicopter helicopters flight flights "
            "airframe airframes cargo"
        )
    ),
    noun_classes={
        w: ("military",)
        for w in _split("bomber bombers tanker tankers warplane warplanes airlifter airlifters")
    },
    classes={
        **dict.fromkeys(
            _words(
                "military",
                "air force",
                "airforce",
                "army",
                "navy",
                "naval",
                "defence ministry",
                "defense ministry",
                "armed forces",
                "aerospace forces",
            ),
            ("military",),
        ),
        **dict.fromkeys(_words("government", "presidential", "official", "vip"), ("government",)),
        **dict.fromkeys(_words("state"), ("military", "government")),
        **dict.fromkeys(_words("police"), ("police",)),
    },
    numbers={
        **{
            (w,): i + 1
            for i, w in enumerate(_split("one two three four five six seven eight nine ten"))
        },
        ("a",): 1,
        ("an",): 1,
        ("a", "pair", "of"): 2,
        ("a", "couple", "of"): 2,
        ("both",): 2,
        ("single",): 1,
    },
    anaphora=frozenset(
        _words(
            "the plane",
            "the planes",
            "the jet",
            "the jets",
            "the aircraft",
            "the airliner",
            "the transport",
            "the freighter",
            "it",
            "they",
            "both planes",
            "both aircraft",
            "the two planes",
            "the two aircraft",
            "the same plane",
            "the same aircraft",
            "the flight",
            "the flights",
            "that plane",
            "those planes",
        )
    ),
    place_nouns=frozenset(
        _split(
            "airport airports airbase airbases base bases capital soil airspace city cities "
            "territory coast border field airfield"
        )
    ),
    not_places=frozenset(
        _split(
            "a an the one two three four five six seven eight nine ten plane planes jet jets "
            "aircraft air force military state government police main new big old last first "
            "second early late recently week weekend month day days ago today yesterday night "
            "morning evening afternoon officials media social reporters witnesses photographer "
            "photos video videos sources data tracking tracker report reports reuters interfax "
            "ap afp tass said says according breaking update independence liberal marathon "
            "opportunity hope victory union enterprise friendship mobile reading orange nice "
            "split male bath deal media"
        )
    ),
    months={
        **{
            m: i + 1
            for i, m in enumerate(
                _split(
                    "january february march april may june july august september october november "
                    "december"
                )
            )
        },
        **{
            m: i + 1
            for i, m in enumerate(_split("jan feb mar apr may jun jul aug sep oct nov dec"))
        },
        "sept": 9,
    },
    weekdays={
        d: i
        for i, d in enumerate(_split("monday tuesday wednesday thursday friday saturday sunday"))
    },
    dates=DateWords(
        periods={
            "yesterday": r"last night|yesterday",
            "today": r"today|tonight|this morning|this afternoon|this evening",
            "earlier_this_week": r"earlier this week",
            "this_week": r"this week",
            "last_week": r"last week",
            "weekend": r"(?:over|at|during|on) the weekend|last weekend|this weekend",
            "this_month": r"earlier this month|this month",
            "last_month": r"last month",
            "recent_weeks": r"in recent weeks|in the (?:past|last) few weeks",
            "past_week": r"in the (?:past|last) week|over the past week|in the past seven days",
            "recent": r"recently|lately|in recent days|in the (?:past|last) few days|"
            r"just(?= (?:landed|arrived|left|departed|touched|took))",
        },
        month_prefix=r"in|during|early|late|mid-?|since",
        weekday_prefix=r"on|last|this|early|late|past",
        weekday_before=("last", "past"),
        day_parts=r"morning|afternoon|evening|night",
        ordinal=r"st|nd|rd|th",
        day_of=r"of",
        ago=r"(?P<n>\d{1,2}|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
        r"(?P<unit>days?|weeks?)\s+ago",
        week_unit="week",
    ),
)
