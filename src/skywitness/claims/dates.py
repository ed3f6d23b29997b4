"""When a sentence says something happened: a window of whole UTC days, anchored on the
publication date (pure; a small deterministic grammar, no date library — see docs/claims.md).

Forms read: ISO dates (2019-09-20), month and day with or without a year ("Sept. 20",
"20 September 2019"), a month ("in September"), weekdays ("on Wednesday", "last Friday"),
"today", "yesterday", "last night", "N days ago", "this week", "last week", "earlier this
week", "(over) the weekend", "this month", "last month", "recently", "in recent days/weeks",
"in the past week". Several dates in one sentence give the window from the first to the last.
Without a year a date is the latest such day on or before publication. Every choice is said
in ``DateWindow.notes``. The words (month and weekday names, the phrases of each period) are the
lexicon's (``Lexicon.months``, ``weekdays``, ``dates``); the arithmetic is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..timeutil import iso_day
from .lexicon import DateWords, Lexicon

#: Days before publication that "recently" and a sentence without a date cover.
RECENT_DAYS = 14
NO_DATE_DAYS = 7
RECENT_WEEKS_DAYS = 28


@dataclass
class DateWindow:
    """First and last day (inclusive, UTC) and the phrases and choices behind them."""

    first: date
    last: date
    phrases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    stated: bool = True  # False: no date in the sentence, the default window


def _month_re(lex: Lexicon) -> str:
    names = sorted(lex.months, key=len, reverse=True)
    return r"(?P<mon>" + "|".join(names) + r")\.?"


def _latest(pub: date, month: int, day: int) -> date | None:
    """The latest (month, day) on or before ``pub``; None for an impossible day."""
    for year in (pub.year, pub.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= pub:
            return d
    return None


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


Found = tuple[date, date, str]


def _words(lex: Lexicon) -> DateWords:
    if lex.dates is None:
        raise ValueError(f"lexicon {lex.name!r} has no date words")
    return lex.dates


def _explicit(low: str, pub: date, lex: Lexicon, out: list[tuple[int, int, Found]]) -> None:
    dw = _words(lex)
    mon = _month_re(lex)
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", low):
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        out.append((m.start(), m.end(), (d, d, f"{m[0]} as written")))
    day = rf"(?P<day>\d{{1,2}})(?:{dw.ordinal})?"
    year = r"(?:,?\s+(?P<year>\d{4}))?"
    patterns = (
        rf"\b{mon}\s+{day}\b{year}",
        rf"\b{day}\s+(?:{dw.day_of}\s+)?{mon}{year}",
    )
    for pat in patterns:
        for m in re.finditer(pat, low):
            if any(s <= m.start() < e for s, e, _ in out):
                continue
            got = _day_of(m, pub, lex)
            if got is not None:
                out.append((m.start(), m.end(), got))
    for m in re.finditer(rf"\b(?:{dw.month_prefix})\s+{mon}(?:\s+(?P<year>\d{{4}}))?\b", low):
        if any(s <= m.start() < e for s, e, _ in out):
            continue
        month = lex.months[m["mon"]]
        y = int(m["year"]) if m["year"] else (pub.year if month <= pub.month else pub.year - 1)
        a, b = _month_span(y, month)
        out.append((m.start(), m.end(), (a, min(b, max(a, pub)), f"{m[0]!r}: the whole month")))


def _day_of(m: re.Match[str], pub: date, lex: Lexicon) -> Found | None:
    month, day = lex.months[m["mon"]], int(m["day"])
    if m["year"]:
        try:
            d = date(int(m["year"]), month, day)
        except ValueError:
            return None
        return (d, d, f"{m[0]!r}: {iso_day(d)}")
    got = _latest(pub, month, day)
    if got is None:
        return None
    return (got, got, f"{m[0]!r}: {iso_day(got)}, the latest such day on or before publication")


def _weekday(low: str, pub: date, lex: Lexicon, out: list[tuple[int, int, Found]]) -> None:
    dw = _words(lex)
    days = "|".join(lex.weekdays)
    pat = (
        rf"\b(?:(?P<pre>{dw.weekday_prefix})\s+)?(?P<day>{days})(?:'s)?"
        rf"(?:\s+(?:{dw.day_parts}))?\b"
    )
    for m in re.finditer(pat, low):
        want = lex.weekdays[m["day"]]
        back = (pub.weekday() - want) % 7
        if m["pre"] in dw.weekday_before and back == 0:
            back = 7
        d = pub - timedelta(days=back)
        why = (
            "the publication day itself" if back == 0 else "the latest such day before publication"
        )
        note = f"{m[0].strip()!r}: {iso_day(d)} ({why})"
        out.append((m.start(), m.end(), (d, d, note)))


def _periods(pub: date) -> dict[str, tuple[date, date, str]]:
    """Each relative period's first and last day for a publication date, and what it means."""
    monday = _monday(pub)
    saturday = pub - timedelta(days=(pub.weekday() - 5) % 7)
    day = timedelta(days=1)
    return {
        "yesterday": (pub - day, pub - day, ""),
        "today": (pub, pub, ""),
        "earlier_this_week": (monday, max(monday, pub - day),
                              "Monday up to the day before publication"),
        "this_week": (monday, pub, "Monday of the publication's week up to publication"),
        "last_week": (monday - 7 * day, monday - day,
                      "Monday to Sunday of the week before publication"),
        "weekend": (saturday, min(pub, saturday + day), "the latest Saturday and Sunday"),
        "this_month": (pub.replace(day=1), pub, "the publication's month"),
        "last_month": (*_month_span(pub.year - (pub.month == 1), (pub.month - 2) % 12 + 1),
                       "the month before publication"),
        "recent_weeks": (pub - RECENT_WEEKS_DAYS * day, pub,
                         f"{RECENT_WEEKS_DAYS} days up to publication"),
        "past_week": (pub - 7 * day, pub, "7 days up to publication"),
        "recent": (pub - RECENT_DAYS * day, pub, f"{RECENT_DAYS} days up to publication"),
    }  # fmt: skip


def _relative(low: str, pub: date, lex: Lexicon, out: list[tuple[int, int, Found]]) -> None:
    dw = _words(lex)
    periods = _periods(pub)
    # longest phrases first: "earlier this week" before "this week"
    for kind, pat in sorted(dw.periods.items(), key=lambda kv: -len(kv[1])):
        a, b, why = periods[kind]
        for m in re.finditer(rf"\b(?:{pat})\b", low):
            if any(s < m.end() and m.start() < e for s, e, _ in out):
                continue
            span = iso_day(a) if a == b else f"{iso_day(a)} to {iso_day(b)}"
            note = f"{m[0]!r}: {span}" + (f" ({why})" if why else "")
            out.append((m.start(), m.end(), (a, b, note)))
    for m in re.finditer(rf"\b{dw.ago}\b", low):
        n = int(m["n"]) if m["n"].isdigit() else lex.numbers[(m["n"],)]
        d = pub - timedelta(days=n * (7 if m["unit"].startswith(dw.week_unit) else 1))
        out.append((m.start(), m.end(), (d, d, f"{m[0]!r}: {iso_day(d)}")))


def read_dates(sentence: str, published: date, lex: Lexicon) -> DateWindow:
    """The window of whole days the sentence speaks of, with the choices made (pure)."""
    low = sentence.lower().replace("’", "'")
    found: list[tuple[int, int, Found]] = []
    _explicit(low, published, lex, found)
    _weekday(low, published, lex, found)
    _relative(low, published, lex, found)
    if not found:
        first = published - timedelta(days=NO_DATE_DAYS)
        return DateWindow(
            first,
            published,
            notes=[
                f"no date in the sentence: the {NO_DATE_DAYS} days up to publication, "
                f"{iso_day(first)} to {iso_day(published)}"
            ],
            stated=False,
        )
    found.sort()
    first = min(f[2][0] for f in found)
    last = max(f[2][1] for f in found)
    win = DateWindow(first, last)
    win.phrases = [sentence[s:e] for s, e, _ in found]
    win.notes = [f[2][2] for f in found]
    win.spans = [(s, e) for s, e, _ in found]
    if len(found) > 1:
        win.notes.append(f"several dates: from the first to the last, {first} to {last}")
    if last > published:
        win.notes.append(f"{last} is after the publication date {published}")
    return win
