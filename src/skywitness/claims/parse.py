"""``parse_claim``: a sentence and its publication date -> a ``Claim`` (pure, deterministic).

The scan (``scan.scan``) says what each stretch of the sentence names; this module decides who
the subject is (the words before the verb, or next to an aircraft noun), what it did (the first
verb of movement), where (each place with its role: from, to, at) and when (``dates``). Every
choice — which airports a city stands for, which country a town name is in, what a date word
means, what "the plane" refers to — is written to ``Claim.notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from ..timeutil import iso_z
from .claim import Claim, Who
from .dates import read_dates
from .gazetteer import Gazetteer, address_block
from .lexicon import (
    AREA,
    AT,
    DEPARTED,
    DESTINATION,
    ENGLISH,
    FLEW,
    LANDED,
    ORIGIN,
    WAS_AT,
    Lexicon,
)
from .scan import Item, next_kind, scan
from .text import tokens
from .where import resolve_places, time_zone

#: The role a place takes from the verb when no preposition says it.
DEFAULT_ROLE = {LANDED: DESTINATION, DEPARTED: ORIGIN, FLEW: AT, WAS_AT: AT}
#: Tokens between a word and the aircraft noun it qualifies ("Russian air force [planes]").
NOUN_REACH = 4
#: Tokens back from a place to the preposition or verb that gives its role.
ROLE_REACH = 6
_PLACE_ITEMS = ("city", "airport", "code", "country", "demonym")


@dataclass
class _WhoParts:
    countries: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    operator: str = ""
    types: list[str] = field(default_factory=list)
    registration: list[str] = field(default_factory=list)
    callsign: list[str] = field(default_factory=list)
    icao24: list[str] = field(default_factory=list)
    designators: list[str] = field(default_factory=list)  # of operators named

    def who(self) -> Who:
        return Who(
            tuple(dict.fromkeys(self.countries)),
            self.operator,
            tuple(dict.fromkeys(self.classes)),
            tuple(dict.fromkeys(self.types)),
            tuple(dict.fromkeys(self.registration)),
            tuple(dict.fromkeys(self.callsign)),
            tuple(dict.fromkeys(self.icao24)),
        )


def _is_place_demonym(items: list[Item], i: int) -> bool:
    """ "a Venezuelan airport", "the Venezuelan capital": a place, not an owner."""
    nxt = next_kind(items, i, ("placenoun", "noun"), 2)
    return nxt is not None and nxt.kind == "placenoun"


def _in_subject(items: list[Item], i: int, verb: Item | None) -> bool:
    """Before the verb, or qualifying an aircraft noun a few words on."""
    if verb is not None and items[i].start < verb.start:
        return True
    if verb is None and not any(it.kind == "role" for it in items[:i]):
        return True
    return next_kind(items, i, ("noun",), NOUN_REACH) is not None


def _country_is_place(items: list[Item], i: int, verb: Item | None) -> bool:
    prev = next((it for it in reversed(items[:i]) if it.kind in ("role", "action")), None)
    near = prev is not None and items[i].pos - prev.pos <= 2
    return near or not _in_subject(items, i, verb)


def _who(
    items: list[Item], verb: Item | None, g: Gazetteer, lex: Lexicon, notes: list[str]
) -> tuple[_WhoParts, set[int]]:
    """The aircraft constraints, and the indexes of the items used as places instead."""
    w = _WhoParts()
    places: set[int] = set()
    for i, it in enumerate(items):
        if it.kind == "demonym":
            if _is_place_demonym(items, i):
                places.add(i)
            elif _in_subject(items, i, verb) and "made" not in it.text.lower():
                w.countries.append(it.value)
                name = g.country_names.get(it.value, "")
                notes.append(
                    f'"{it.text}": state of registry {it.value} ({name}), read from the ICAO '
                    f"address block ({address_block(it.value)})"
                )
        elif it.kind == "country":
            if _country_is_place(items, i, verb):
                places.add(i)
            else:
                w.countries.append(it.value)
                notes.append(f'"{it.text}": state of registry {it.value} (address block)')
        elif it.kind == "operator" and _in_subject(items, i, verb):
            op = it.value
            if op.iso2:
                w.countries.append(op.iso2)
            if op.klass:
                w.classes.append(op.klass)
            if op.designator:
                w.designators.append(op.designator)
            notes.append(
                f'"{it.text}": {op.name}: state {op.iso2 or "?"}, {op.klass or "any class"}'
                + (
                    f", operator designator {op.designator}: asked as callsigns {op.designator}*"
                    " (ICAO flight identifications start with it: no operator list needed)"
                    if op.designator
                    else ""
                )
                + f" [{op.source}]"
            )
        elif it.kind == "class" and _in_subject(items, i, verb):
            w.classes.extend(it.value)
            notes.append(f'"{it.text}": classification {" or ".join(it.value)}')
        elif it.kind == "noun" and it.value in lex.noun_classes:
            w.classes.extend(lex.noun_classes[it.value])
            notes.append(f'"{it.text}": classification military')
        elif it.kind == "type":
            _add_type(w, it, notes)
        elif it.kind in ("registration", "callsign", "icao24"):
            getattr(w, it.kind).append(it.value)
    for d in dict.fromkeys(w.designators):  # an explicit callsign of that operator says more
        if not any(cs.startswith(d) for cs in w.callsign):
            w.callsign.append(f"{d}*")
    _designator_note(w, g, notes)
    return w, places


def _add_type(w: _WhoParts, it: Item, notes: list[str]) -> None:
    if isinstance(it.value, str):  # a designator of the imported aircraft DB
        w.types.append(it.value)
        notes.append(f'"{it.text}": type designator {it.value} (imported aircraft DB)')
        return
    w.types.extend(it.value.typecodes)
    notes.append(
        f'"{it.text}": {it.value.name}, type designator(s) {" ".join(it.value.typecodes)} '
        "(needs an imported aircraft DB: types come from it)"
    )


def _designator_note(w: _WhoParts, g: Gazetteer, notes: list[str]) -> None:
    for iso2 in dict.fromkeys(w.countries):
        for klass in dict.fromkeys(w.classes):
            found = g.state_designators(iso2, klass)
            if found and not w.designators:
                notes.append(
                    f"{iso2} {klass} operators known by designator: {', '.join(found)}; not "
                    f"required: {iso2} {klass} aircraft flying under other callsigns count too"
                )


def _count(items: list[Item], verb: Item | None) -> int | None:
    noun = next((it for it in items if it.kind in ("noun", "type")), None)
    if noun is None or (verb is not None and noun.start > verb.start):
        return None
    for it in reversed(items[: items.index(noun)]):
        if noun.pos - it.pos > NOUN_REACH + 1:
            break
        if it.kind == "number":
            return int(it.value)
    return None


def _role(items: list[Item], i: int, action: str, roles: dict[int, str]) -> str:
    """From the nearest preposition, verb or place before it (a place right after another
    place shares its role: "Caracas' main Maiquetia airport")."""
    pending = False
    for j in range(i - 1, -1, -1):
        it = items[j]
        if items[i].pos - it.pos > ROLE_REACH:
            break
        if it.kind == "role":
            if it.value:
                return str(it.value)
            pending = True
        elif it.kind == "action":
            nxt = items[i + 1] if i + 1 < len(items) else None
            if it.value == FLEW and nxt is not None and nxt.kind == "role" and nxt.value:
                return ORIGIN  # "flew UUWW to SVMI"
            return DEFAULT_ROLE[str(it.value)]
        elif j in roles and not pending:
            return roles[j]
    return DEFAULT_ROLE[action]


def parse_claim(
    sentence: str,
    published: date,
    gazetteer: Gazetteer | None = None,
    *,
    context: Who | None = None,
    lexicon: Lexicon = ENGLISH,
) -> Claim:
    """Read one sentence. ``context``: the aircraft of an earlier sentence, for "the plane"."""
    g = gazetteer or Gazetteer.default()
    win = read_dates(sentence, published, lexicon)
    items = scan(sentence, tokens(sentence), g, lexicon, win)
    notes: list[str] = []
    verb = next((it for it in items if it.kind == "action"), None)
    action = str(verb.value) if verb else FLEW
    if verb is None and any(it.kind == "role" and not it.value for it in items):
        action = WAS_AT  # "Russian jets at Maiquetia airport today"
    if verb is not None:
        notes.append(f'"{verb.text}": {action.replace("_", " ")}')
    elif action == WAS_AT:
        notes.append("no verb of movement, a place after 'at' or 'in': was at")
    else:
        notes.append("no verb of movement: any flight")
    parts, place_idx = _who(items, verb, g, lexicon, notes)
    who = parts.who()
    anaphora = next((it for it in items if it.kind == "anaphora"), None)
    if who.empty() and anaphora is not None:
        if context is not None and not context.empty():
            who = context
            notes.append(f'"{anaphora.text}": the aircraft of the sentence before')
        else:
            notes.append(
                f'"{anaphora.text}": refers to an earlier sentence; none given: any aircraft'
            )
    for i, it in enumerate(items):
        if it.kind in ("city", "airport", "code"):
            place_idx.add(i)
    roles: dict[int, str] = {}
    for i in sorted(place_idx):
        roles[i] = _role(items, i, action, roles)
    where = resolve_places(items, roles, g, notes)
    notes.extend(win.notes)
    tz, why = time_zone(action, where, g)
    claim = Claim(
        sentence=sentence.strip(),
        published=published,
        who=who,
        count=_count(items, verb),
        action=action,
        origin=tuple(where[ORIGIN]),
        destination=tuple(where[DESTINATION]),
        at=tuple(where[AT]),
        over=tuple(where[AREA]),
        first_day=win.first,
        last_day=win.last,
        notes=tuple(notes),
        language=lexicon.name,
        tz=tz,
    )
    lo, hi = claim.event_window() or (None, None)
    return replace(claim, notes=(*notes, f"{why}: {iso_z(lo)} to {iso_z(hi)}"))
