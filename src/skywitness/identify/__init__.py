"""identify: who flies it — state of registry, military blocks, N-numbers, operators, aircraft DBs.

Public API: ``identify(con_or_None, icao24, callsign=None) -> Identity``, ``classify_many``,
``countries`` / ``military_block`` (vectorised address lookups), ``n_number`` /
``n_number_address``, ``ensure_schema(con)`` and ``import_aircraft(con, path, kind)``.
"""

from .blocks import countries, country_of, is_military_block, military_block
from .classify import Classification, ClassifyResult, ReasonKind, classify_many
from .formats import KINDS
from .identity import Identity, identify
from .importer import ImportReport, import_aircraft
from .nnumber import n_number, n_number_address
from .store_schema import ensure_schema

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
