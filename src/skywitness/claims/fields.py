"""A claim as flat, editable fields (the web UI's form) and back (pure).

Lists are lists of strings, days ISO dates, ``count`` an integer or null. ``claim_from_fields``
checks every value and raises ``SkywitnessError`` naming the field that is wrong.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import SkywitnessError
from ..timeutil import iso_day, parse_day
from .claim import Claim, Who
from .lexicon import ACTIONS

#: The list fields of the form, in its order, and where each lives in a ``Claim``.
WHO_FIELDS = ("registry_country", "classes", "operator", "types", "registration", "callsign",
              "icao24")  # fmt: skip
PLACE_FIELDS = ("from", "to", "at", "over")
MAX_ITEMS = 64  # entries per list field


def claim_fields(c: Claim) -> dict[str, Any]:
    w = c.who
    return {
        "registry_country": list(w.registry_country),
        "classes": list(w.classes),
        "operator": w.operator,
        "types": list(w.types),
        "registration": list(w.registration),
        "callsign": list(w.callsign),
        "icao24": list(w.icao24),
        "action": c.action,
        "from": list(c.origin),
        "to": list(c.destination),
        "at": list(c.at),
        "over": list(c.over),
        "first_day": iso_day(c.first_day) if c.first_day else None,
        "last_day": iso_day(c.last_day) if c.last_day else None,
        "count": c.count,
        "time_zone": c.tz,
    }


def _list(fields: dict[str, Any], key: str, *, upper: bool = True) -> tuple[str, ...]:
    value = fields.get(key) or []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise SkywitnessError(f"{key}: a list of at most {MAX_ITEMS} strings")
    out = []
    for v in value:
        if not isinstance(v, str) or not v.strip():
            raise SkywitnessError(f"{key}: {v!r} is not a non-empty string")
        out.append(v.strip().upper() if upper else v.strip().lower())
    return tuple(out)


def _day(fields: dict[str, Any], key: str) -> date | None:
    v = fields.get(key)
    if v in (None, ""):
        return None
    try:
        return parse_day(str(v))
    except ValueError as exc:
        raise SkywitnessError(f"{key}: not a date (YYYY-MM-DD): {v!r}") from exc


def claim_from_fields(sentence: str, published: date, fields: dict[str, Any]) -> Claim:
    """A claim from edited form fields (the notes are gone: it is no longer the parser's)."""
    action = str(fields.get("action") or "flew")
    if action not in ACTIONS:
        raise SkywitnessError(f"action: one of {', '.join(ACTIONS)}, not {action!r}")
    count = fields.get("count")
    if count not in (None, "") and not (isinstance(count, int) and count > 0):
        raise SkywitnessError(f"count: a positive whole number or empty, not {count!r}")
    first, last = _day(fields, "first_day"), _day(fields, "last_day")
    if first and last and last < first:
        raise SkywitnessError("last_day is before first_day")
    who = Who(
        registry_country=_list(fields, "registry_country"),
        operator=str(fields.get("operator") or "").strip(),
        classes=_list(fields, "classes", upper=False),
        types=_list(fields, "types"),
        registration=_list(fields, "registration"),
        callsign=_list(fields, "callsign"),
        icao24=_list(fields, "icao24", upper=False),
    )
    c = Claim(
        sentence=sentence,
        published=published,
        who=who,
        count=int(count) if isinstance(count, int) else None,
        action=action,
        origin=_list(fields, "from"),
        destination=_list(fields, "to"),
        at=_list(fields, "at"),
        over=_list(fields, "over"),
        first_day=first,
        last_day=last,
        notes=("edited by hand",),
        tz=str(fields.get("time_zone") or "UTC").strip(),
    )
    c.question()  # every value checked as the investigation would (classes, countries, ...)
    return c
