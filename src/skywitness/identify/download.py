"""Public download locations of the importable databases (``--download NAME``), and the fetch.

Only for users who are online; nothing here runs at import time or in the offline tests except
through an injected ``httpx`` transport.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx

from ..errors import InputError
from ..timeutil import short_z

#: name -> (import kind, URL, file name suffix).
DOWNLOADS: dict[str, tuple[str, str, str]] = {
    "tar1090": (
        "tar1090",
        "https://raw.githubusercontent.com/wiedehopf/tar1090-db/csv/aircraft.csv.gz",
        ".csv.gz",
    ),
    "planealert": (
        "planealert",
        "https://raw.githubusercontent.com/sdr-enthusiasts/plane-alert-db/main/plane-alert-db.csv",
        ".csv",
    ),
    "opensky": (
        "opensky",
        "https://opensky-network.org/datasets/metadata/aircraftDatabase.csv",
        ".csv",
    ),
    "operators": (
        "operators",
        # gzip-compressed JSON {designator: {n: name, c: country, r: telephony}}
        "https://raw.githubusercontent.com/wiedehopf/tar1090-db/master/db/operators.js",
        ".json.gz",
    ),
}

#: Seconds to wait for the server (connect and between bytes).
TIMEOUT_S = 60.0


def download(name: str, dest_dir: Path, *, client: httpx.Client | None = None) -> Path:
    """Fetch ``name`` into ``dest_dir`` (atomically: temp file then rename); return the path."""
    if name not in DOWNLOADS:
        raise InputError(name, "unknown download", detail="one of " + ", ".join(DOWNLOADS))
    _kind, url, suffix = DOWNLOADS[name]
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = short_z(dt.datetime.now(dt.UTC), "compact-day")
    final = dest_dir / f"{name}-{stamp}{suffix}"
    tmp = final.with_name(final.name + ".part")
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=True)
    try:
        with http.stream("GET", url) as resp:
            if resp.status_code != 200:
                raise InputError(url, f"HTTP {resp.status_code}")
            with tmp.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(url, "download failed", detail=str(exc)) from exc
    finally:
        if own:
            http.close()
    tmp.replace(final)
    return final
