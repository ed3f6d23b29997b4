"""Who flies it: the identity half of the one filter vocabulary (docs/filters.md).

``IdentityQuery`` is what ``skywitness flights``, ``skywitness investigate``, ``/api/flights``
and the watch rules' identity matchers all use, so a filter means the same everywhere. Values
of one filter are alternatives (OR); different filters must all hold (AND):

- ``registration``: globs, case-insensitive (``RA-8*``);
- ``operator``: the operator's ICAO designator (exactly, ``RFF``) or part of its name
  (``air force``), case-insensitive; ``RF`` does not match ``RFF``;
- ``registry_country``: the state of registry, ISO 3166 alpha-2 or the country's name;
- ``typecode``: ICAO type designator globs (``A32*``);
- ``classes``: classification labels (military, government, police, civil): one label each,
  so ``government`` does not include military aircraft;
- ``watchlist``: globs matched against each watchlist entry's list name, category and tags;
  ``*`` means "on any watchlist";
- ``watchlist_category`` / ``watchlist_tag``: exact category / tag (watch rules only).

``filter_by_identity`` applies a query to any table with ``icao24`` (and ``callsign``) columns,
looking each distinct aircraft up once (built-in facts plus the imported aircraft DBs).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from ..errors import SkywitnessError

if TYPE_CHECKING:
    import pyarrow as pa

    from .identity import Identity

# pyarrow and the identity lookup (DuckDB, the address blocks) are imported where a query is
# applied: building an ``IdentityQuery`` (every ``flights`` run) needs neither.

#: Classification labels a query may ask for (identify's labels, lowest precedence first).
CLASSES = ("civil", "government", "police", "military")

_UPPER = ("registration", "operator", "registry_country", "typecode")


@dataclass(frozen=True)
class IdentityQuery:
    """What the aircraft must be; an empty tuple means no constraint (values normalised)."""

    registration: tuple[str, ...] = ()
    operator: tuple[str, ...] = ()
    registry_country: tuple[str, ...] = ()
    typecode: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    watchlist: tuple[str, ...] = ()
    watchlist_category: tuple[str, ...] = ()
    watchlist_tag: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            values = tuple(str(v).strip() for v in getattr(self, f.name) if str(v).strip())
            norm = tuple(v.upper() if f.name in _UPPER else v.lower() for v in values)
            object.__setattr__(self, f.name, tuple(dict.fromkeys(norm)))
        bad = [c for c in self.classes if c not in CLASSES]
        if bad:
            raise SkywitnessError(
                f"unknown classification {bad[0]!r} (one of {', '.join(CLASSES)})"
            )

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def matches(self, ident: Identity) -> bool:
        """Whether ``ident`` satisfies every constraint (pure)."""
        reg = ident.registration.upper()
        if self.registration and not any(fnmatch.fnmatchcase(reg, p) for p in self.registration):
            return False
        if self.operator and not _operator_ok(self.operator, ident):
            return False
        if self.registry_country and not (
            ident.country_iso2.upper() in self.registry_country
            or (ident.country and ident.country.upper() in self.registry_country)
        ):
            return False
        typecode = ident.typecode.upper()
        if self.typecode and not any(fnmatch.fnmatchcase(typecode, p) for p in self.typecode):
            return False
        if self.classes and ident.classification not in self.classes:
            return False
        return self._watchlists_ok(ident)

    def _watchlists_ok(self, ident: Identity) -> bool:
        lists = ident.watchlists
        if self.watchlist and not any(
            fnmatch.fnmatchcase(name, p)
            for w in lists
            for name in (w.list.lower(), w.category.lower(), *_tags(w.tags))
            for p in self.watchlist
        ):
            return False
        if self.watchlist_category and not any(
            w.category.lower() in self.watchlist_category for w in lists
        ):
            return False
        return not self.watchlist_tag or any(
            t in self.watchlist_tag for w in lists for t in _tags(w.tags)
        )


def _tags(text: str) -> list[str]:
    """A watchlist entry's tags: the importer joins them with "; " (older rows: ",")."""
    return [t.strip().lower() for t in re.split(r"[;,]", text) if t.strip()]


def _operator_ok(wanted: tuple[str, ...], ident: Identity) -> bool:
    code = ident.operator_designator.upper()
    name = ident.operator.upper()
    return any((code and p == code) or (name and p in name) for p in wanted)


def _callsigns(table: pa.Table) -> list[Any]:
    if "callsign" in table.column_names:
        return list(table.column("callsign").to_pylist())
    return [None] * table.num_rows


def identities(con: Any, table: pa.Table) -> dict[tuple[str, str], Identity]:
    """Identity of every distinct (icao24, callsign) in ``table`` (one catalogue query)."""
    from .identity import identify_many

    icao = table.column("icao24").to_pylist()
    pairs = sorted({(str(i), str(c or "")) for i, c in zip(icao, _callsigns(table), strict=True)})
    found = identify_many(con, [(i, c or None) for i, c in pairs])
    return dict(zip(pairs, found, strict=True))


def identity_mask(con: Any, table: pa.Table, wanted: IdentityQuery) -> list[bool]:
    """Per row of ``table``: whether its aircraft matches ``wanted``."""
    if not wanted.active:
        return [True] * table.num_rows
    known = identities(con, table)
    icao = table.column("icao24").to_pylist()
    return [
        wanted.matches(known[(str(i), str(c or ""))])
        for i, c in zip(icao, _callsigns(table), strict=True)
    ]


def filter_by_identity(con: Any, table: pa.Table, wanted: IdentityQuery) -> pa.Table:
    """The rows of ``table`` whose aircraft matches ``wanted``."""
    if not wanted.active or table.num_rows == 0:
        return table
    import pyarrow as pa

    return table.filter(pa.array(identity_mask(con, table, wanted), type=pa.bool_()))
