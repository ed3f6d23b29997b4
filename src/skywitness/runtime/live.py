"""The live snapshot behind ``/api/aircraft`` and ``/data/aircraft.json``, built pre-serialised.

``build_snapshot`` turns a columnar copy of the tracker's state (``LiveColumns``) into JSON
bytes (plain and gzip-compressed, with an ETag) once; requests then only hand those bytes out,
so serving never touches the tracker and costs the same whatever the number of aircraft.
Identities are cached per (address, callsign): an aircraft is identified once, not once a second.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..identify.classify import Classification, classify_many
from ..identify.identity import Identity, identify_many
from ..jsontext import dumpb
from ..model import F8
from .live_cols import LiveColumns
from .readsb_rows import readsb_rows

#: gzip level for the pre-compressed bodies: 1 is ~5x faster than 6 for ~10 % larger output.
GZIP_LEVEL = 1
#: The identity cache is cut back to the live aircraft once it holds more than this many
#: times their number plus ``IDENTITY_SLACK`` entries (~900 B each): it follows the live set
#: instead of filling with every aircraft a long run saw (a bound of 200,000 entries, ~180 MB,
#: took hours to reach at the load run's turnover, so memory grew for hours).
IDENTITY_PRUNE_FACTOR = 2
IDENTITY_SLACK = 5_000
#: New aircraft identified per ``identify_many`` call (the time budget is checked between).
IDENTIFY_CHUNK = 256


class Served(Protocol):
    """A response kept serialised: what the app's one body responder needs."""

    @property
    def plain(self) -> bytes: ...

    @property
    def gz(self) -> bytes: ...

    @property
    def etag(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Body:
    """One pre-serialised response: plain bytes, gzip bytes and its ETag."""

    plain: bytes
    gz: bytes
    etag: str

    @classmethod
    def of(cls, obj: Any) -> Body:
        plain = dumpb(obj)
        digest = hashlib.blake2b(plain, digest_size=12).hexdigest()
        return cls(plain, gzip.compress(plain, GZIP_LEVEL, mtime=0), f'"{digest}"')


class LazyBody:
    """A ``Body`` serialised at once (``eager``) or on first use; ``wanted_at`` says when it was
    last asked for. Serialising 20,000 aircraft holds the interpreter for a few hundred ms: a
    body nobody reads is not built, one that is read is built before it is asked for."""

    def __init__(self, make: Callable[[], Any], eager: bool = True) -> None:
        self._make: Callable[[], Any] | None = make
        self._body: Body | None = None
        self._lock = threading.Lock()
        self.wanted_at: float | None = None  # time.monotonic() of the last request
        if eager:
            self._build()

    @property
    def built(self) -> bool:
        return self._body is not None

    def _build(self) -> Body:
        with self._lock:
            if self._body is None:
                assert self._make is not None
                self._body, self._make = Body.of(self._make()), None
            return self._body

    def get(self, *, demand: bool = True) -> Body:
        """The body; ``demand=False``: a periodic sampler's read (tar1090's history ring, one
        every 30 s), which must not make the snapshots of the next ``snapshots.DEMAND_S``
        build theirs at once."""
        if demand:
            self.wanted_at = time.monotonic()
        body = self._body
        return body if body is not None else self._build()


class LazyRows:
    """The ``/api/aircraft`` rows of a snapshot, built on first use: a service nobody polls
    does not build 20,000 dicts a second beside its tracker. ``make(idx)`` builds the rows at
    ``idx`` (None: all); ``one`` builds a single row unless all are built already."""

    def __init__(self, make: Callable[[list[int] | None], list[dict[str, Any]]]) -> None:
        self._make = make
        self._all: list[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._all is None:
                self._all = self._make(None)
            return self._all

    def one(self, i: int) -> dict[str, Any]:
        rows = self._all
        return rows[i] if rows is not None else self._make([i])[0]


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    now: float
    count: int
    aircraft_body: LazyBody  # /api/aircraft
    readsb_body: LazyBody  # /data/aircraft.json
    rows: LazyRows = field(default_factory=lambda: LazyRows(lambda k: []))
    columns: LiveColumns = field(default_factory=LiveColumns.empty)
    index: dict[str, int] = field(default_factory=dict)

    @property
    def aircraft(self) -> Body:
        return self.aircraft_body.get()

    @property
    def readsb(self) -> Body:
        return self.readsb_body.get()

    @classmethod
    def empty(cls, now: float = 0.0) -> LiveSnapshot:
        return build_snapshot(LiveColumns.empty(), now, 0, IdentityCache(None))

    def row(self, icao24: str) -> dict[str, Any] | None:
        """``icao24``'s ``/api/aircraft`` row, None when it is not live."""
        i = self.index.get(icao24)
        return None if i is None else self.rows.one(i)

    def provenance(self, icao24: str) -> dict[str, Any] | None:
        i = self.index.get(icao24)
        return None if i is None else self.columns.provenance(i)


def _column(a: F8, digits: int) -> list[float | None]:
    """Rounded floats with None where unknown (numpy round, one tolist)."""
    out: list[float | None] = np.round(a, digits).tolist()
    return [None if x != x else x for x in out]  # NaN != NaN


def _ints(a: F8) -> list[int | None]:
    return [None if x is None else int(x) for x in _column(a, 0)]


class _Rows:
    """A stored query result with the ``fetchall`` of a DuckDB result."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchall(self) -> list[Any]:
        return list(self._rows)


class _OperatorMemo:
    """A connection that answers repeated operator-designator queries from memory.

    ``identify`` looks the callsign's designator up once per aircraft: 20,000 new aircraft of a
    few hundred airlines made 20,000 identical queries (seconds, holding back the tracker). One
    memo lives for one bulk lookup, so imports between snapshots are still seen.
    """

    def __init__(self, con: Any) -> None:
        self._con = con
        self._memo: dict[tuple[str, tuple[Any, ...]], list[Any] | Exception] = {}

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        if params is None or "operator_facts" not in sql:
            return self._con.execute(sql) if params is None else self._con.execute(sql, params)
        key = (sql, tuple(params))
        if key not in self._memo:
            try:
                self._memo[key] = self._con.execute(sql, params).fetchall()
            except Exception as exc:  # the same query fails the same way: remembered too
                self._memo[key] = exc
        hit = self._memo[key]
        if isinstance(hit, Exception):
            raise hit
        return _Rows(hit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def memo_identities(con: Any) -> Callable[[Sequence[tuple[str, str]]], list[Identity]]:
    """``identify_many`` on ``con`` with one ``_OperatorMemo`` per call: the watch engine's
    lookup of a window's new aircraft (without it each aircraft's operator designator was one
    query: 13 % of serve's CPU at 100,000 frames/s of 20,000 aircraft, in the soak)."""

    def lookup(keys: Sequence[tuple[str, str]]) -> list[Identity]:
        return identify_many(_OperatorMemo(con), keys)

    return lookup


class IdentityCache:
    """``identify`` results per (icao24, callsign), filled in bulk for the new ones.

    With ``budget_s`` each ``get_many`` identifies new aircraft for about that long and leaves
    the rest for the next call (20,000 new aircraft take ~2 s of interpreter time, which the
    tracker needs); until then ``classes`` gives their classification from ``classify_many``.
    """

    def __init__(
        self,
        con: Any,
        watched: Callable[[], set[str]] | None = None,
        budget_s: float | None = None,
    ) -> None:
        self.con = con
        self.budget_s = budget_s
        self._cache: dict[tuple[str, str], Identity] = {}
        self._classes: dict[tuple[str, str], tuple[str, bool]] = {}
        self._watched = watched

    def watched(self) -> set[str]:
        return self._watched() if self._watched is not None else set()

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
        """Identities of ``keys`` (the live aircraft: what they do not name may be forgotten):
        all of them, or with a budget only those done so far."""
        keys = list(keys)
        self._prune(keys)
        new = sorted({k for k in keys if k not in self._cache})
        if new:
            con = _OperatorMemo(self.con) if self.con is not None else None
            t0 = time.perf_counter()
            for at in range(0, len(new), IDENTIFY_CHUNK):
                part = new[at : at + IDENTIFY_CHUNK]
                found = identify_many(con, [(i, c or None) for i, c in part])
                self._cache.update(zip(part, found, strict=True))
                if self.budget_s is not None and time.perf_counter() - t0 >= self.budget_s:
                    break
        return {k: self._cache[k] for k in keys if k in self._cache}

    def _prune(self, live: list[tuple[str, str]]) -> None:
        """Keep only the ``live`` aircraft's entries once there are many more than them."""
        bound = IDENTITY_PRUNE_FACTOR * len(live) + IDENTITY_SLACK
        if len(self._cache) > bound:
            self._cache = {k: self._cache[k] for k in live if k in self._cache}
        if len(self._classes) > bound:
            self._classes = {k: self._classes[k] for k in live if k in self._classes}

    def __len__(self) -> int:
        """Identities held."""
        return len(self._cache)

    def classes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, bool]]:
        """(classification label, on a watchlist) of ``keys``, vectorised (``classify_many``)."""
        new = sorted({k for k in keys if k not in self._classes})
        if new:
            res = classify_many(self.con, [i for i, _ in new], [c for _, c in new])
            labels = [Classification(int(k)).label for k in res.classification.tolist()]
            listed = res.watchlisted.tolist()
            self._classes.update(zip(new, zip(labels, listed, strict=True), strict=True))
        return {k: self._classes[k] for k in keys}

    def clear(self) -> None:
        """Forget every identity (after an aircraft DB import)."""
        self._cache.clear()
        self._classes.clear()


#: /api/aircraft float fields and the decimals they keep.
_FLOATS = (
    ("latitude", 6),
    ("longitude", 6),
    ("altitude", 0),
    ("geoaltitude", 0),
    ("groundspeed", 1),
    ("track", 1),
    ("vertical_rate", 0),
    ("position_time", 3),
    ("first_seen", 3),
    ("last_seen", 3),
    ("position_error", 0),
)


def _text(a: np.ndarray[Any, Any]) -> list[str | None]:
    return [x or None for x in a.tolist()]


def _squawks(a: np.ndarray[Any, Any]) -> list[str | None]:
    return [None if x < 0 else f"{x:04d}" for x in a.tolist()]


def _onground(a: np.ndarray[Any, Any]) -> list[bool | None]:
    return [None if x < 0 else x == 1 for x in a.tolist()]


def aircraft_rows(
    c: LiveColumns,
    idents: Sequence[Identity | None],
    watched: set[str],
    classes: Sequence[tuple[str, bool] | None] | None = None,
) -> list[dict[str, Any]]:
    """The ``/api/aircraft`` rows (docs/api.md), built column by column; ``classes``: the
    (classification, watchlisted) of aircraft not identified yet (their other identity fields
    stay null until they are)."""
    fallback = classes if classes is not None else [None] * len(idents)
    floats = {name: _column(getattr(c, name), d) for name, d in _FLOATS}
    callsign, squawk = _text(c.callsign), _squawks(c.squawk)
    onground, psrc, source = _onground(c.onground), _text(c.position_source), _text(c.source)
    rows = []
    for k, (icao, ident, fb) in enumerate(zip(c.icao24.tolist(), idents, fallback, strict=True)):
        klass, listed = (
            (ident.classification, bool(ident.watchlists)) if ident else (fb or ("civil", False))
        )
        row: dict[str, Any] = {
            "icao24": icao,
            "callsign": callsign[k],
            "registration": (ident.registration or None) if ident else None,
            "typecode": (ident.typecode or None) if ident else None,
            "country": (ident.country or None) if ident else None,
            "country_iso2": (ident.country_iso2 or None) if ident else None,
            "classification": klass,
            "military": klass == "military",
            "watched": listed or icao in watched,
            "operator": (ident.operator or None) if ident else None,
            "squawk": squawk[k],
            "onground": onground[k],
            "position_source": psrc[k],
            "source": source[k],
        }
        for name, _ in _FLOATS:
            row[name] = floats[name][k]
        rows.append(row)
    return rows


def build_snapshot(
    c: LiveColumns,
    now: float,
    messages: int,
    identities: IdentityCache,
    *,
    eager: tuple[bool, bool] = (True, True),
) -> LiveSnapshot:
    """Serialise a columnar copy of the tracker's state; ``eager``: build the (/api/aircraft,
    aircraft.json) bodies now, else on first request."""
    icaos, calls = c.icao24.tolist(), c.callsign.tolist()
    keys = [(i, s) for i, s in zip(icaos, calls, strict=True)]
    known = [k for k in keys if not k[0].startswith("~")]
    idents = identities.get_many(known)
    pending = identities.classes([k for k in known if k not in idents])
    watched = identities.watched()

    def make_rows(idx: list[int] | None) -> list[dict[str, Any]]:
        at = range(len(keys)) if idx is None else idx
        cols = c if idx is None else c.take(np.asarray(idx, dtype=np.int64))
        ids, fallback = [idents.get(keys[i]) for i in at], [pending.get(keys[i]) for i in at]
        return aircraft_rows(cols, ids, watched, fallback)

    rows = LazyRows(make_rows)
    return LiveSnapshot(
        now=now,
        count=len(keys),
        aircraft_body=LazyBody(
            lambda: {"now": round(now, 3), "count": len(keys), "aircraft": rows.all()}, eager[0]
        ),
        readsb_body=LazyBody(
            lambda: {
                "now": round(now, 1),
                "messages": messages,
                "aircraft": readsb_rows(
                    c, now, [idents.get(k) for k in keys], [pending.get(k) for k in keys]
                ),
            },
            eager[1],
        ),
        rows=rows,
        columns=c,
        index={icao: i for i, icao in enumerate(icaos)},
    )
