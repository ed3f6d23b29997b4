"""First pass over a sentence: what each stretch of it names, in sentence order (pure).

Codes and patterns are taken first from the raw text (dates, aircraft types, registrations,
callsigns, addresses, ICAO airport codes), then the remaining words are matched longest-first
against the lexicon (actions, prepositions, classes, numbers, references back) and the gazetteer
(operators, countries, demonyms, cities, airport names). ``parse`` interprets the items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .dates import DateWindow
from .gazetteer import Gazetteer
from .lexicon import Lexicon
from .text import Token, mark_used

_REGISTRATION = re.compile(
    r"(?<![\w-])(?:[A-Z]{1,2}|[A-Z]\d|\d[A-Z])-(?=[A-Z0-9]*\d|[A-Z]{3,4}\b)[A-Z0-9]{3,5}(?![\w-])"
    r"|(?<![\w-])N[1-9]\d{0,4}[A-HJ-NP-Z]{0,2}(?![\w-])"
)
_CALLSIGN_WORD = re.compile(
    r"(?i)\bcall[- ]?sign\s+([A-Z0-9]{3,8})\b|\bflight\s+([A-Z]{3}\d[0-9A-Z]{0,4})\b"
)
_CALLSIGN = re.compile(r"(?<![\w-])([A-Z]{3})(\d{1,4}[A-Z]?)(?![\w-])")
_ICAO24 = re.compile(
    r"(?i)\b(?:icao24|icao\s+address|hex(?:\s+code)?|mode[- ]s(?:\s+(?:address|code))?|"
    r"transponder(?:\s+code)?)\s*:?\s*([0-9a-f]{6})\b"
)
_ICAO_CODE = re.compile(r"(?<![\w-])([A-Z]{4})(?![\w-])")
#: A type designator as written in a sentence ("A124", "B738", "C17"): letters and digits.
_TYPECODE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*\d[A-Z0-9]*)(?![\w-])")
_IATA_CODE = re.compile(r"\(([A-Z]{3})\)|(?<![\w-])([A-Z]{3})\s+airport\b")


@dataclass
class Item:
    """One recognised stretch: ``kind`` and its value, token position, the text it covers."""

    kind: str  # action role class noun number anaphora operator country demonym city
    #            airport code type registration callsign icao24 placenoun
    value: Any
    pos: int  # index of its first token (-1 for an item that covers no token)
    text: str
    start: int = 0  # character span in the sentence
    end: int = 0


def _first_token(toks: list[Token], start: int) -> int:
    return next((i for i, t in enumerate(toks) if t.start >= start), len(toks))


def _regex_items(sentence: str, toks: list[Token], g: Gazetteer, win: DateWindow) -> list[Item]:
    items: list[Item] = []
    for s, e in win.spans:
        mark_used(toks, s, e)

    def take(kind: str, value: Any, s: int, e: int) -> None:
        if any(t.used for t in toks if t.start >= s and t.end <= e):
            return
        items.append(Item(kind, value, _first_token(toks, s), sentence[s:e], s, e))
        mark_used(toks, s, e)

    for tn in g.types:
        for m in tn.pattern.finditer(sentence):
            take("type", tn, m.start(), m.end())
    for m in _ICAO24.finditer(sentence):
        take("icao24", m.group(1).lower(), m.start(), m.end())
    for m in _CALLSIGN_WORD.finditer(sentence):
        take("callsign", (m.group(1) or m.group(2)).upper(), m.start(), m.end())
    for m in _CALLSIGN.finditer(sentence):
        if m.group(1) in g.designators:
            take("callsign", m.group(0), m.start(), m.end())
    for m in _TYPECODE.finditer(sentence):
        if 2 <= len(m.group(1)) <= 4 and m.group(1) in g.typecodes:
            take("type", m.group(1), m.start(), m.end())
    for m in _ICAO_CODE.finditer(sentence):
        code = m.group(1)
        if code in g.typecodes:
            take("type", code, m.start(), m.end())
        elif code in g.airports and not g.phrase((code.lower(),)):
            take("code", code, m.start(), m.end())
    for m in _IATA_CODE.finditer(sentence):
        code = m.group(1) or m.group(2)
        icao = g.iata.get(code, "")
        if icao:
            take("code", icao, m.start(1 if m.group(1) else 2), m.end(1 if m.group(1) else 2))
    for m in _REGISTRATION.finditer(sentence):
        take("registration", m.group(0), m.start(), m.end())
    return items


def _lexicon_match(key: tuple[str, ...], lex: Lexicon) -> tuple[str, Any] | None:
    if key in lex.anaphora:
        return ("anaphora", key)
    if key in lex.actions:
        return ("action", lex.actions[key])
    if key in lex.classes:
        return ("class", lex.classes[key])
    if key in lex.numbers:
        return ("number", lex.numbers[key])
    if key in lex.roles:
        return ("role", lex.roles[key])
    if len(key) == 1 and key[0] in lex.nouns:
        return ("noun", key[0])
    if len(key) == 1 and key[0] in lex.place_nouns:
        return ("placenoun", key[0])
    if len(key) == 1 and key[0].isdigit() and 1 < int(key[0]) < 100:
        return ("number", int(key[0]))
    return None


def _place_ok(span: list[Token], prev: Item | None, lex: Lexicon) -> bool:
    """A city or airport name: written with capitals, or right after a place preposition
    (social posts in lower case); never a common word."""
    if len(span) == 1 and span[0].word in lex.not_places:
        return False
    if all(t.capital for t in span):
        return True
    return prev is not None and prev.kind in ("role", "action")


_PLACE_KINDS = ("city", "airport")
#: An airport's own name counts after these (a preposition, a verb, its town).
_AFTER = ("role", "action", "city", "airport", "code")


def _gazetteer_match(
    key: tuple[str, ...], span: list[Token], prev: Item | None, g: Gazetteer, lex: Lexicon
) -> tuple[str, Any] | None:
    entries = g.phrase(key)
    for kind in ("operator", "country", "demonym", "city", "airport"):
        for k, v in entries:
            if k != kind:
                continue
            if k in _PLACE_KINDS and not _place_ok(span, prev, lex):
                continue
            if k == "airport" and (prev is None or prev.kind not in _AFTER):
                continue  # "Atlas" is an airport's name too: only after "at", "from", a town
            if k in ("country", "demonym") and len(key) == 1 and key[0] in lex.not_places:
                continue
            return (k, v)
    return None


def scan(
    sentence: str, toks: list[Token], g: Gazetteer, lex: Lexicon, win: DateWindow
) -> list[Item]:
    """Every recognised item, in sentence order."""
    items = _regex_items(sentence, toks, g, win)
    i = 0
    found: list[Item] = []
    while i < len(toks):
        if toks[i].used:
            i += 1
            continue
        best: tuple[int, str, Any] | None = None
        top = min(max(g.longest, 4), len(toks) - i)
        for n in range(top, 0, -1):
            span = toks[i : i + n]
            if any(t.used for t in span):
                continue
            key = tuple(t.word for t in span)
            prev = found[-1] if found else None
            hit = _gazetteer_match(key, span, prev, g, lex)
            lexical = _lexicon_match(key, lex)
            if (
                lexical
                and lexical[0] == "number"
                and sentence[span[0].start - 1 : span[0].start] == "-"
            ):
                lexical = None  # "Y-20": part of a name, not a count
            if lexical is not None and (hit is None or hit[0] in _PLACE_KINDS):
                hit = lexical  # "air force", "left", "state": words before town names
            if hit is not None:
                best = (n, *hit)
                break
        if best is None:
            i += 1
            continue
        n, kind, value = best
        s, e = toks[i].start, toks[i + n - 1].end
        found.append(Item(kind, value, i, sentence[s:e], s, e))
        for t in toks[i : i + n]:
            t.used = True
        i += n
    return sorted(items + found, key=lambda it: (it.start, it.end))


def next_kind(items: list[Item], i: int, kinds: tuple[str, ...], reach: int) -> Item | None:
    """The first item of one of ``kinds`` within ``reach`` words after item ``i``, not past an
    action or a role word; None when there is none."""
    for it in items[i + 1 :]:
        if it.pos - items[i].pos > reach:
            return None
        if it.kind in kinds:
            return it
        if it.kind in ("action", "role"):
            return None
    return None
