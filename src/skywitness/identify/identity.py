"""``identify``: everything known about one aircraft, each value with the source behind it.

Built-in facts (address block -> state of registry, military block, US N-number, state operator
designators) always apply; an aircraft DB imported into the catalogue (``importer``) adds
registration, type, operator, flags and watchlist entries, with per-source provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..model import icao_hex
from .address import parse_icao24
from .blocks import BLOCKS_SOURCE, MILITARY_SOURCE, block_of, is_military_block
from .classify import WATCHLIST_CLASSES, Reason, ReasonKind, decide
from .nnumber import n_number
from .operators import (
    CALLSIGN_PATTERNS_SOURCE,
    Operator,
    callsign_pattern,
    designator_of,
    lookup,
)
from .store_schema import FactRow, current_facts, current_facts_many

NNUMBER_SOURCE = "builtin:FAA N-number algorithm"
_FLAG_FIELDS = {
    "flag_military": "military",
    "flag_interesting": "interesting",
    "flag_pia": "pia",
    "flag_ladd": "ladd",
}


@dataclass(frozen=True, slots=True)
class Fact:
    field: str
    value: str
    source: str  # source name, with its version after a space


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    list: str
    category: str
    klass: str  # Mil | Gov | Pol | Civ as the list gives it
    tags: str
    link: str
    source: str


@dataclass
class Identity:
    icao24: str  # "" when only a callsign was given
    callsign: str = ""
    country_iso2: str = ""
    country: str = ""
    block: str = ""  # name of the first matching address block (any kind)
    military_block: bool = False
    registration: str = ""
    typecode: str = ""
    description: str = ""
    operator: str = ""
    operator_designator: str = ""
    flags: tuple[str, ...] = ()
    watchlists: tuple[WatchlistEntry, ...] = ()
    classification: str = "civil"
    reasons: tuple[Reason, ...] = ()
    facts: tuple[Fact, ...] = ()  # the chosen value of each field, with its source
    other_facts: tuple[Fact, ...] = ()  # what less trusted sources say (when different)

    def source_of(self, field_name: str) -> str:
        return next((f.source for f in self.facts if f.field == field_name), "")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _db_facts(rows: list[FactRow]) -> tuple[list[Fact], list[Fact], tuple[WatchlistEntry, ...]]:
    """(chosen value per field, differing values of other sources, watchlist entries)."""
    chosen: dict[str, Fact] = {}
    others: list[Fact] = []
    lists: dict[str, dict[str, str]] = {}
    for fld, value, source, version, _prio, kind in rows:
        fact = Fact(fld, value, f"{source} {version}")
        if kind == "planealert":
            lists.setdefault(fact.source, {})[fld] = value
        if fld not in chosen:
            chosen[fld] = fact
        elif chosen[fld].value != value:
            others.append(fact)
    watch = tuple(
        WatchlistEntry(
            src.split(" ")[0],
            f.get("watchlist_category", ""),
            f.get("watchlist_class", ""),
            f.get("watchlist_tags", ""),
            f.get("link", ""),
            src,
        )
        for src, f in sorted(lists.items())
    )
    return list(chosen.values()), others, watch


def identify_many(con: Any, items: Sequence[tuple[str | int | None, str | None]]) -> list[Identity]:
    """``identify`` for many (icao24, callsign) pairs, fetching the DB facts in one query."""
    hexes = sorted(
        {icao_hex(a) for a in (parse_icao24(i) for i, _ in items if i is not None) if a is not None}
    )
    rows = current_facts_many(con, hexes) if con is not None else {}
    return [identify(con, i, c, facts_rows=rows) for i, c in items]


def identify(
    con: Any,
    icao24: str | int | None,
    callsign: str | None = None,
    *,
    facts_rows: dict[str, list[FactRow]] | None = None,
) -> Identity:
    """Identity and classification of one aircraft; ``con`` may be None (built-in facts only).

    ``facts_rows`` (from ``current_facts_many``) saves the DB query when identifying in bulk.
    """
    address = parse_icao24(icao24) if icao24 is not None else None
    ident = Identity(icao24=icao_hex(address) if address is not None else "")
    ident.callsign = (callsign or "").strip().upper()
    reasons: list[Reason] = []
    facts: list[Fact] = []
    others: list[Fact] = []
    if address is not None:
        block = block_of(address)
        if block is not None:
            ident.block = block.name
            if block.is_state:
                ident.country_iso2, ident.country = block.iso2, block.name
                facts.append(Fact("country", f"{block.iso2} {block.name}", BLOCKS_SOURCE))
        if is_military_block(address):
            ident.military_block = True
            reasons.append(
                Reason(
                    "military",
                    ReasonKind.MILITARY_BLOCK.label,
                    f"address {ident.icao24} in a military block",
                    MILITARY_SOURCE,
                )
            )
        if con is not None:
            rows = (
                facts_rows.get(ident.icao24, [])
                if facts_rows is not None
                else current_facts(con, ident.icao24)
            )
            chosen, others, ident.watchlists = _db_facts(rows)
            facts += chosen
        nreg = n_number(address)
        if nreg and not any(f.field == "registration" for f in facts):
            facts.append(Fact("registration", nreg, NNUMBER_SOURCE))
    by_field = {f.field: f for f in facts}
    ident.registration = by_field["registration"].value if "registration" in by_field else ""
    ident.typecode = by_field["typecode"].value if "typecode" in by_field else ""
    ident.description = next(
        (by_field[k].value for k in ("description", "type_name", "model") if k in by_field), ""
    )
    ident.flags = tuple(v for k, v in _FLAG_FIELDS.items() if k in by_field)
    if "flag_military" in by_field:
        reasons.append(
            Reason(
                "military",
                ReasonKind.DB_FLAG.label,
                "aircraft DB military flag",
                by_field["flag_military"].source,
            )
        )
    for w in ident.watchlists:
        cls = WATCHLIST_CLASSES.get(w.klass.lower())
        label = cls.label if cls is not None else "civil"
        detail = f"on watchlist {w.list}: {w.klass or '?'} / {w.category}"
        reasons.append(Reason(label, ReasonKind.WATCHLIST.label, detail, w.source))
    op = _operator(con, ident, by_field, reasons)
    if op is not None:
        ident.operator_designator = op.designator
    ident.operator = (
        by_field["operator"].value if "operator" in by_field else (op.name if op else "")
    )
    ident.facts, ident.other_facts = tuple(facts), tuple(others)
    ident.reasons = tuple(reasons)
    ident.classification = decide(reasons)
    return ident


def _operator(
    con: Any, ident: Identity, by_field: dict[str, Fact], reasons: list[Reason]
) -> Operator | None:
    """Operator from the callsign's designator (or the DB's operator_icao); adds state reasons."""
    code = designator_of(ident.callsign) if ident.callsign else ""
    if not code and "operator_icao" in by_field:
        code = by_field["operator_icao"].value.upper()
    op = lookup(code, con) if code else None
    if op is not None and op.klass:
        reasons.append(
            Reason(
                op.klass,
                ReasonKind.OPERATOR_DESIGNATOR.label,
                f"operator designator {op.designator} ({op.name})",
                op.source,
            )
        )
    if ident.callsign:
        hit = callsign_pattern(ident.callsign)
        if hit is not None:
            reasons.append(
                Reason(hit[0], ReasonKind.CALLSIGN_PATTERN.label, hit[1], CALLSIGN_PATTERNS_SOURCE)
            )
    return op


__all__ = ["Fact", "Identity", "WatchlistEntry", "identify", "identify_many"]
