"""Column layouts of the importable aircraft databases and operator lists (names, aliases)."""

from __future__ import annotations

import re

KINDS: tuple[str, ...] = ("tar1090", "opensky", "planealert", "generic", "operators")

#: field -> accepted (normalised) header names, per kind. "key" is the row's address/designator.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "tar1090": {
        "key": ("icao24", "icao", "hex"),
        "registration": ("registration", "r", "reg"),
        "typecode": ("typecode", "t", "type"),
        "dbflags": ("dbflags", "flags"),
        "description": ("description", "desc"),
        "year": ("year",),
        "owner": ("ownop", "owner"),
    },
    "opensky": {
        "key": ("icao24",),
        "registration": ("registration",),
        "typecode": ("typecode",),
        "manufacturer_icao": ("manufacturericao",),
        "manufacturer": ("manufacturername",),
        "model": ("model",),
        "serial_number": ("serialnumber",),
        "description": ("icaoaircrafttype", "icaoaircraftclass"),
        "operator": ("operator",),
        "operator_callsign": ("operatorcallsign",),
        "operator_icao": ("operatoricao",),
        "owner": ("owner",),
        "built": ("built",),
        "registry_country": ("country",),
    },
    "planealert": {
        "key": ("icao",),
        "registration": ("registration",),
        "operator": ("operator",),
        "type_name": ("type",),
        "typecode": ("icao_type",),
        "watchlist_class": ("cmpg",),
        "tag1": ("tag_1",),
        "tag2": ("tag_2",),
        "tag3": ("tag_3",),
        "watchlist_category": ("category",),
        "link": ("link",),
    },
    "operators": {
        "key": ("icao_designator", "designator", "icao"),
        "name": ("name", "n"),
        "country": ("country", "c"),
        "telephony": ("radio_callsign", "telephony", "callsign", "r"),
    },
}

#: Upstream tar1090-db ``aircraft.csv.gz``: no header, ';'-separated, in this order.
TAR1090_POSITIONAL = ("key", "registration", "typecode", "dbflags", "description", "year", "owner")
#: dbflags character position -> fact field (tar1090-db: military, interesting, PIA, LADD).
DBFLAG_FIELDS = ("flag_military", "flag_interesting", "flag_pia", "flag_ladd")


def normalise_header(name: str) -> str:
    """'$ICAO Type' -> 'icao_type', '#CMPG' -> 'cmpg', "'operatorIcao'" -> 'operatoricao'."""
    cleaned = re.sub(r"[^0-9a-z_ ]", "", name.strip().strip("'\"").lower())
    return re.sub(r"\s+", "_", cleaned.strip())
