"""Request checks shared by the routes: time parameters, ranges, addresses and the token.

Every check raises ``HTTPException`` with a message that says what was wrong and what is
accepted, so a bad query always gets a clear 4xx.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import HTTPException, Query

from ..store import parse_time

ICAO24_RE = re.compile(r"^~?[0-9a-f]{6}$")
#: Longest query string accepted, bytes.
MAX_QUERY_BYTES = 2048
#: Longest value of a list filter (comma-separated alternatives), characters.
LIST_MAX = 200
#: A filter of docs/filters.md that takes alternatives: ``?via=SVMI,UUWW``.
ListParam = Annotated[str | None, Query(max_length=LIST_MAX)]


def icao24_param(value: str) -> str:
    """A lowercase address; 400 unless it is 6 hex digits (``~`` prefix: non-ICAO)."""
    v = value.strip().lower()
    if not ICAO24_RE.match(v):
        raise HTTPException(400, f"bad icao24 {value!r}: expected 6 hex digits, e.g. 3c6444")
    return v


def icao24_list(value: str | None) -> list[str]:
    """Comma-separated addresses, each checked by ``icao24_param``."""
    return [icao24_param(v) for v in (value or "").split(",") if v.strip()]


def time_param(name: str, value: str | None, *, end: bool = False) -> datetime | None:
    """Unix seconds, ISO 8601 datetime (UTC when no zone) or date; 400 otherwise."""
    if value is None or value == "":
        return None
    try:
        return parse_time(value, end=end)
    except (ValueError, OverflowError, OSError) as exc:
        raise HTTPException(
            400, f"bad {name} {value!r}: use unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ) from exc


def check_range(
    since: datetime | None, until: datetime | None, max_span: timedelta, what: str
) -> None:
    """400 when ``until`` is not after ``since`` or the span exceeds ``max_span``."""
    if since is None or until is None:
        return
    if until <= since:
        raise HTTPException(400, f"until must be after since ({what})")
    if until - since > max_span:
        days = max_span.total_seconds() / 86400
        raise HTTPException(400, f"{what}: the range may span at most {days:g} days")


def bearer_ok(header: str | None, token: str | None) -> bool:
    """True when ``header`` is ``Bearer <token>`` (constant-time compare)."""
    if not token or not header:
        return False
    scheme, _, value = header.partition(" ")
    # bytes: compare_digest raises on non-ASCII str (a header may carry latin-1)
    return scheme.lower() == "bearer" and secrets.compare_digest(
        value.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8", "surrogateescape")
    )


def require_token(header: str | None, token: str | None) -> None:
    """403 when the server has no token configured; 401 when the header does not match."""
    if not token:
        raise HTTPException(
            403, "state-changing endpoints are disabled: set SKYWITNESS_TOKEN on the server"
        )
    if not bearer_ok(header, token):
        raise HTTPException(
            401,
            "missing or wrong token: send 'Authorization: Bearer <SKYWITNESS_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
