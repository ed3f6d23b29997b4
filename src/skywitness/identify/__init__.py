"""identify: who flies it — state of registry, military blocks, N-numbers, operators, aircraft DBs.

Public API: ``identify(con_or_None, icao24, callsign=None) -> Identity``, ``classify_many``,
``countries`` / ``military_block`` (vectorised address lookups), ``n_number`` /
``n_number_address``, ``ensure_schema(con)`` and ``import_aircraft(con, path, kind)``.

The names below are loaded on first use (PEP 562): a light submodule (the query vocabulary of
``identify.filter``) must not pull in DuckDB and the address blocks (start-up, issue 18).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_attr

if TYPE_CHECKING:
    from .blocks import countries, country_of, is_military_block, military_block
    from .classify import Classification, ClassifyResult, ReasonKind, classify_many
    from .formats import KINDS
    from .identity import Identity, identify
    from .importer import ImportReport, import_aircraft
    from .nnumber import n_number, n_number_address
    from .store_schema import ensure_schema

#: Each public name and the submodule that defines it.
_WHERE = {
    "countries": "blocks",
    "country_of": "blocks",
    "is_military_block": "blocks",
    "military_block": "blocks",
    "Classification": "classify",
    "ClassifyResult": "classify",
    "ReasonKind": "classify",
    "classify_many": "classify",
    "KINDS": "formats",
    "Identity": "identity",
    "identify": "identity",
    "ImportReport": "importer",
    "import_aircraft": "importer",
    "n_number": "nnumber",
    "n_number_address": "nnumber",
    "ensure_schema": "store_schema",
}


def __getattr__(name: str) -> Any:
    return lazy_attr(__name__, _WHERE, globals(), name)


__all__ = [
    "KINDS",
    "Classification",
    "ClassifyResult",
    "Identity",
    "ImportReport",
    "ReasonKind",
    "classify_many",
    "countries",
    "country_of",
    "ensure_schema",
    "identify",
    "import_aircraft",
    "is_military_block",
    "military_block",
    "n_number",
    "n_number_address",
]
