"""Polling rules of the public feeds: OpenSky's REST API and the readsb v2 JSON APIs of the
community aggregators (adsb.lol, airplanes.live, adsb.fi, ADS-B Exchange's v2 shape).

Options ride in the spec's URL fragment (never sent to the server):
``opensky+https://opensky-network.org/api/states/all?lamin=45&lomin=5&lamax=48&lomax=11#interval=30``
``readsbapi+https://api.adsb.lol/v2/point/51.47/-0.45/50#interval=2``. Keys: ``interval`` (s
between polls), ``credits`` (OpenSky daily API credits), ``token_url`` (OpenSky OAuth2 token
endpoint: a test server, a mirror).

OpenSky (https://openskynetwork.github.io/opensky-api/rest.html): anonymous users get a 10 s time
resolution and 400 credits a day, authenticated users 5 s and 4,000; ``states/all`` costs 1
credit for a box of up to 25 square degrees, 2 up to 100, 3 up to 400 and 4 above (or no box).
The default interval is the resolution, stretched so a day of polling fits the daily credits. A
429 answer says in ``X-Rate-Limit-Retry-After-Seconds`` when to come back; it is obeyed.

readsb v2 APIs (``/v2/point/LAT/LON/RADIUS_NM``, ``/v2/callsign/X``, ``/v2/hex/X``, ``/v2/mil``,
...): the aggregators document one request per second (airplanes.live, adsb.fi): that is the
default interval. Every request names the client in ``User-Agent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .. import __version__
from ..errors import InputError

USER_AGENT = f"skywitness/{__version__} (+https://github.com/skywitness/skywitness)"
SECONDS_PER_DAY = 86_400.0
OPENSKY_RESOLUTION_S = {False: 10.0, True: 5.0}  # by authenticated
OPENSKY_DAILY_CREDITS = {False: 400, True: 4_000}
#: (box area up to, square degrees) -> credits per ``states/all`` request.
OPENSKY_CREDIT_STEPS = ((25.0, 1), (100.0, 2), (400.0, 3))
OPENSKY_MAX_CREDITS = 4
READSB_API_INTERVAL_S = 1.0
#: Longest wait a server's Retry-After is allowed to impose, s.
MAX_RETRY_AFTER_S = 3_600.0
_KEYS = ("interval", "credits", "token_url")


@dataclass(frozen=True)
class FeedOptions:
    interval_s: float | None = None
    credits: int | None = None
    token_url: str | None = None


def split_options(url: str) -> tuple[str, FeedOptions]:
    """(the URL without its fragment, the options the fragment gave)."""
    base, _, frag = url.partition("#")
    if not frag:
        return base, FeedOptions()
    kv = parse_qs(frag, keep_blank_values=True)
    unknown = sorted(set(kv) - set(_KEYS))
    if unknown:
        raise InputError(url, f"unknown feed option {unknown[0]!r}", detail=", ".join(_KEYS))
    try:
        interval = float(kv["interval"][0]) if "interval" in kv else None
        credits = int(kv["credits"][0]) if "credits" in kv else None
    except ValueError as e:
        raise InputError(url, "interval is seconds, credits a whole number") from e
    if (interval is not None and interval <= 0) or (credits is not None and credits <= 0):
        raise InputError(url, "interval and credits must be positive")
    token = kv["token_url"][0] if "token_url" in kv else None
    return base, FeedOptions(interval, credits, token)


def opensky_credits_per_request(url: str) -> int:
    """Credits one ``states/all`` request with this URL's box costs."""
    q = parse_qs(urlsplit(url).query)
    try:
        lamin, lomin = float(q["lamin"][0]), float(q["lomin"][0])
        lamax, lomax = float(q["lamax"][0]), float(q["lomax"][0])
    except (KeyError, ValueError):
        return OPENSKY_MAX_CREDITS  # no (valid) box: the whole world
    area = abs(lamax - lamin) * abs(lomax - lomin)
    return next((c for limit, c in OPENSKY_CREDIT_STEPS if area <= limit), OPENSKY_MAX_CREDITS)


def opensky_interval_s(url: str, *, authenticated: bool, opts: FeedOptions) -> float:
    """Seconds between polls: the option if given, else the time resolution stretched so that a
    day of polling spends at most the daily credits."""
    if opts.interval_s is not None:
        return opts.interval_s
    credits = opts.credits or OPENSKY_DAILY_CREDITS[authenticated]
    per_day = SECONDS_PER_DAY * opensky_credits_per_request(url) / credits
    return max(OPENSKY_RESOLUTION_S[authenticated], per_day)


def readsb_api_interval_s(opts: FeedOptions) -> float:
    return opts.interval_s if opts.interval_s is not None else READSB_API_INTERVAL_S


def retry_after_s(headers: dict[str, str]) -> float | None:
    """The wait a 429/503 answer asks for (OpenSky's header or the standard one), bounded."""
    for name in ("x-rate-limit-retry-after-seconds", "retry-after"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return min(max(float(value), 0.0), MAX_RETRY_AFTER_S)
        except ValueError:
            continue  # an HTTP date: fall back to the backoff
    return None
