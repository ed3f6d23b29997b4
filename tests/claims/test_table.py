"""Acceptance (issue 16): the parser on the sentence table — every field right on at least 95 %
of the sentences, and every failure printed with the fields that differ."""

from __future__ import annotations

from datetime import date
from typing import Any

from skywitness.claims import Claim, Gazetteer, parse_claim

from .sentences import PUBLISHED, TABLE

#: Share of sentences whose every field must be right.
MIN_ALL_RIGHT = 0.95


def fields(c: Claim) -> dict[str, Any]:
    """The claim in the table's terms (places as sets: their order says nothing)."""
    w = c.who
    return {
        "action": c.action,
        "registry": sorted(w.registry_country),
        "classes": sorted(w.classes),
        "operator": w.operator,
        "types": sorted(w.types),
        "reg": sorted(w.registration),
        "cs": sorted(w.callsign),
        "hex": sorted(w.icao24),
        "origin": sorted(c.origin),
        "dest": sorted(c.destination),
        "at": sorted(c.at),
        "over": sorted(c.over),
        "days": f"{c.first_day}..{c.last_day}",
        "count": c.count,
    }


def expected(row: dict[str, Any]) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "operator": "",
        "count": None,
        **{k: [] for k in ("registry", "classes", "types", "reg", "cs", "hex", "origin")},
        **{k: [] for k in ("dest", "at", "over")},
    }
    out = {**empty, **row}
    return {k: sorted(v) if isinstance(v, list) else v for k, v in out.items()}


def test_sentence_table() -> None:
    assert len(TABLE) >= 80
    g = Gazetteer.default()
    published = date.fromisoformat(PUBLISHED)
    failures = []
    per_field: dict[str, int] = {}
    for sentence, row in TABLE:
        got, want = fields(parse_claim(sentence, published, g)), expected(row)
        wrong = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
        for k in wrong:
            per_field[k] = per_field.get(k, 0) + 1
        if wrong:
            failures.append(
                f"{sentence!r}: "
                + "; ".join(f"{k} got {a} want {b}" for k, (a, b) in wrong.items())
            )
    for line in failures:
        print("FAILED:", line)
    right = 1 - len(failures) / len(TABLE)
    print(
        f"{len(TABLE) - len(failures)} of {len(TABLE)} sentences read right ({right:.1%}); "
        f"wrong fields: {per_field}"
    )
    assert right >= MIN_ALL_RIGHT, failures
