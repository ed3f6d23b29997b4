"""Check a claim against a store: the investigation of its question, then the verdict.

The question goes through ``evidence.pack.investigate`` unchanged (same query, same coverage,
same pack and ``verify --rerun``); ``verdict.fits`` then keeps the flights that did what the
sentence says, and ``verdict.decide`` gives the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from ..evidence.answer import describe
from ..evidence.pack import Investigation, investigate
from ..evidence.places import Outlines
from ..evidence.query import Match
from ..flights import AirportIndex
from ..store import Store
from ..timeutil import iso_day
from .claim import Claim, to_toml
from .verdict import Verdict, decide, fits


@dataclass
class CheckResult:
    claim: Claim
    investigation: Investigation
    fitting: list[Match]
    verdict: Verdict

    def as_dict(self) -> dict[str, Any]:
        """The head of the evidence pack and the API's answer."""
        return {
            "sentence": self.claim.sentence,
            "published": iso_day(self.claim.published),
            "question_toml": to_toml(self.claim),
            "notes": list(self.claim.notes),
            "verdict": self.verdict.verdict,
            "reasons": list(self.verdict.reasons),
            "flights": list(self.verdict.flights),
            "aircraft": sorted({str(m.flight["icao24"]) for m in self.fitting}),
        }


def country_of(code: str) -> str:
    ap = AirportIndex.default().lookup(code)
    return ap.country if ap else ""


def check_claim(store: Store, claim: Claim, outlines: Outlines | None = None) -> CheckResult:
    """Ask the claim's question of ``store`` and weigh the answer."""
    q = claim.question()
    inv = investigate(store, q, outlines)
    matches = inv.result.matches
    keep = fits(claim, [m.flight for m in matches], country_of)
    fitting = [matches[i] for i in keep]
    lines = [describe(m, inv.result.positions, inv.result.outlines) for m in fitting]
    aircraft = len({m.flight["icao24"] for m in fitting})
    coverage = inv.coverage[: len(q.places)] if q.places else []
    unknown = unknown_facts(store, claim)
    return CheckResult(claim, inv, fitting, decide(claim, lines, aircraft, coverage, unknown))


def unknown_facts(store: Store, claim: Claim) -> tuple[str, ...]:
    """The aircraft facts the claim asks for of which the store knows none (types and
    registrations come only from an imported aircraft database)."""
    asked = [f for f, v in (("typecode", claim.who.types), ("registration",
             claim.who.registration)) if v]  # fmt: skip
    out = []
    for fact in asked:
        try:
            row = store.connection.execute(
                "SELECT 1 FROM aircraft_facts WHERE field = ? LIMIT 1", [fact]
            ).fetchall()
        except duckdb.Error:  # no aircraft database imported at all
            row = []
        if not row:
            out.append("type" if fact == "typecode" else fact)
    return tuple(out)
