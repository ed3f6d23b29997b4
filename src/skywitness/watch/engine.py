"""The rule engine: which rules do these events trigger (vectorised), and the cooldown gate.

Identity matchers are evaluated once per (aircraft, callsign) and kept as one boolean column of
``rules x aircraft``; event matching then works on whole arrays: per event kind, per rule, a
gather of that column plus numpy tests for airport, country, geofence and time window.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..identify import Identity, identify
from ..identify.identity import identify_many
from .events import WatchEvents, WatchKind
from .geo import Geofence
from .rules import Rule, RuleSet

B1 = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int64]
DAY_S = 86400.0
EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)

#: (aircraft, callsign) identities kept between windows (~900 B each); beyond it they are
#: looked up again (the same answer: the cache only saves the lookup, one batched query per
#: window), so that a long run does not hold every aircraft it ever saw. A window names only
#: the aircraft with events in it; 200,000 took hours to fill at the load run's turnover.
IDENTITIES_KEPT = 20_000

IdentityLookup = Callable[[Sequence[tuple[str, str]]], list[Identity]]


def identity_matches(rule: Rule, ident: Identity) -> bool:
    """Whether ``ident`` satisfies every identity matcher of ``rule``: the rule's own
    ``identity_matches``, the filter vocabulary of docs/filters.md (one meaning everywhere)."""
    return rule.identity_matches(ident)


def identity_facts(rule: Rule, ident: Identity) -> dict[str, Any]:
    """The identity values an alert of ``rule`` rests on, each with its source."""
    out: dict[str, Any] = {
        "icao24": ident.icao24,
        "registration": ident.registration,
        "typecode": ident.typecode,
        "operator": ident.operator,
        "country": ident.country_iso2,
        "classification": ident.classification,
    }
    out["sources"] = {f.field: f.source for f in ident.facts}
    if rule.classification or rule.has_identity:
        out["reasons"] = [
            {
                "classification": r.classification,
                "kind": r.kind,
                "detail": r.detail,
                "source": r.source,
            }
            for r in ident.reasons
        ]
    if ident.watchlists:
        out["watchlists"] = [
            {"list": w.list, "category": w.category, "tags": w.tags, "source": w.source}
            for w in ident.watchlists
        ]
    return out


def in_time_window(rule: Rule, t: npt.NDArray[np.float64]) -> B1:
    """Rows of ``t`` (unix s) inside the rule's UTC hours and days."""
    ok = np.ones(t.shape, dtype=np.bool_)
    if rule.days:
        weekday = (np.floor(t / DAY_S).astype(np.int64) + EPOCH_WEEKDAY) % 7
        ok &= np.isin(weekday, list(rule.days))
    if rule.hours:
        sod = np.mod(t, DAY_S)
        hit = np.zeros(t.shape, dtype=np.bool_)
        for a, b in rule.hours:
            if a < b:
                hit |= (sod >= a) & (sod < b)
            elif a > b:  # wraps over midnight
                hit |= (sod >= a) | (sod < b)
            else:
                hit[:] = True
        ok &= hit
    return ok


@dataclass
class RuleEngine:
    """Matches events against a rule set; ``identities`` looks aircraft up (default: built-in
    facts plus the catalogue ``con`` when given)."""

    ruleset: RuleSet
    con: Any = None
    identities: IdentityLookup | None = None
    _ok: dict[tuple[str, str], B1] = field(default_factory=dict)
    _ident: dict[tuple[str, str], Identity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rules = self.ruleset.rules
        self._by_kind: dict[int, list[int]] = {
            int(k): [i for i, r in enumerate(rules) if k in r.events] for k in WatchKind
        }
        self._needs_identity = np.array([r.has_identity for r in rules], dtype=np.bool_)

    def cached(self) -> int:
        """(aircraft, callsign) identities held (at most ``IDENTITIES_KEPT`` + one window's)."""
        return len(self._ident)

    def _forget_identities(self) -> None:
        """Empty the cache (full): what is needed again is looked up again."""
        self._ok.clear()
        self._ident.clear()

    def identity(self, icao24: str, callsign: str) -> Identity:
        key = (icao24, callsign)
        if key not in self._ident:
            if len(self._ident) >= IDENTITIES_KEPT:
                self._forget_identities()
            self._lookup([key])
        return self._ident[key]

    def _lookup(self, keys: list[tuple[str, str]]) -> None:
        if self.identities is not None:
            found = self.identities(keys)
        elif self.con is not None:
            found = identify_many(self.con, keys)
        else:
            found = [identify(None, a, c) for a, c in keys]
        for key, ident in zip(keys, found, strict=True):
            self._ident[key] = ident
            self._ok[key] = np.array(
                [not r.has_identity or identity_matches(r, ident) for r in self.ruleset.rules],
                dtype=np.bool_,
            )

    def match(self, ev: WatchEvents) -> tuple[I8, I8]:
        """(event rows, rule indexes) of every match, ordered by event row then rule."""
        n = len(ev)
        if n == 0 or not self.ruleset.rules:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        index: dict[tuple[str, str], int] = {}
        inv = np.fromiter(
            (
                index.setdefault(p, len(index))
                for p in zip(ev.icao24.tolist(), ev.callsign.tolist(), strict=True)
            ),
            np.int64,
            n,
        )
        pairs = list(index)
        missing = [p for p in pairs if p not in self._ok]
        if missing and len(self._ok) + len(missing) > IDENTITIES_KEPT:
            self._forget_identities()
            missing = pairs
        if missing:
            self._lookup(missing)
        ok = np.stack([self._ok[p] for p in pairs], axis=1)
        rows: list[I8] = []
        rule_ix: list[I8] = []
        fences = self.ruleset.fences
        for kind in np.unique(ev.kind).tolist():
            idx = np.flatnonzero(ev.kind == kind)
            for r in self._by_kind.get(int(kind), []):
                rule = self.ruleset.rules[r]
                sel = idx[ok[r, inv[idx]]] if self._needs_identity[r] else idx
                sel = _filter(rule, ev, sel, fences, int(kind))
                if sel.size:
                    rows.append(sel)
                    rule_ix.append(np.full(sel.shape, r, np.int64))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        er, rr = np.concatenate(rows), np.concatenate(rule_ix)
        order = np.lexsort((rr, er))
        return er[order], rr[order]


def _filter(rule: Rule, ev: WatchEvents, sel: I8, fences: Sequence[Geofence], kind: int) -> I8:
    if sel.size and rule.airport:
        sel = sel[np.isin(ev.airport[sel], list(rule.airport))]
    if sel.size and rule.country:
        sel = sel[np.isin(ev.country[sel], list(rule.country))]
    if sel.size and rule.fence >= 0:
        if kind in (WatchKind.ENTER, WatchKind.LEAVE):
            sel = sel[ev.fence[sel] == rule.fence]
        else:  # any other event: where it happened must lie in the area
            sel = sel[fences[rule.fence].contains(ev.latitude[sel], ev.longitude[sel])]
    if sel.size and (rule.hours or rule.days):
        sel = sel[in_time_window(rule, ev.timestamp[sel])]
    return sel


def _codes(values: list[Any]) -> I8:
    """Small integer codes of a list's values (first seen gets 0)."""
    index: dict[Any, int] = {}
    return np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values))


class Cooldown:
    """At most one alert per rule+aircraft+flight+event kind (``once_per``), and none for the
    same rule+aircraft within ``cooldown_s`` of another one. Events may come slightly out of
    time order (a landing is reported after it settled), so every fired time of a key is kept
    (sorted) and checked on both sides, not only the last one."""

    def __init__(self) -> None:
        # icao24 -> rule -> fired times (sorted), for rules with a cooldown only
        self._fired: dict[str, dict[str, list[float]]] = {}
        self._once: set[tuple[str, ...]] = set()
        self._once_of: dict[str, list[tuple[str, ...]]] = {}  # icao24 -> its once-per keys

    def __len__(self) -> int:
        """Keys remembered (once-per keys and rule+aircraft cooldowns)."""
        return len(self._once) + sum(len(v) for v in self._fired.values())

    def forget(self, icaos: Iterable[str], now: float, rules: Sequence[Rule]) -> None:
        """Drop what is kept for aircraft the event source forgot (``source.FORGET_S`` after
        they were lost: their next state vector makes them new, ``seen`` again): their
        once-per keys, and their fired times older than their rule's cooldown before ``now``
        (data time). Without it these grow with every aircraft ever alerted on."""
        cool = {r.name: r.cooldown_s for r in rules}
        for icao in icaos:
            for k in self._once_of.pop(icao, ()):
                self._once.discard(k)
            by_rule = self._fired.pop(icao, None)
            if not by_rule:
                continue
            kept = {name: [t for t in times if now - t < cool.get(name, 0.0)]
                    for name, times in by_rule.items()}  # fmt: skip
            kept = {name: times for name, times in kept.items() if times}
            if kept:
                self._fired[icao] = kept

    def _remember(self, key: tuple[str, ...]) -> None:
        self._once.add(key)
        self._once_of.setdefault(key[1], []).append(key)

    def gate(self, rules: Sequence[Rule], ev: WatchEvents, rows: I8, rule_ix: I8) -> B1:
        """``allow`` for every match (event ``rows``, ``rule_ix``), in order; as a mask.

        Matches that cannot pass (a later duplicate of a once-per key in the same batch, for a
        rule without cooldown) are dropped with numpy first, so the per-match Python work is
        only done for candidates.
        """
        n = rows.shape[0]
        out = np.zeros(n, dtype=np.bool_)
        if n == 0:
            return out
        icao = ev.icao24.tolist()
        fid = ev.flight_id.tolist()
        t = ev.timestamp.tolist()
        cand = np.ones(n, dtype=np.bool_)
        per = np.array([{"flight": 2, "aircraft": 1}.get(r.once_per, 0) for r in rules])
        cool = np.array([r.cooldown_s > 0 for r in rules], dtype=np.bool_)
        # a flight-keyed match without a flight id is keyed by its time: left to the slow path
        no_fid = (per[rule_ix] == 2) & (ev.flight_id[rows] == "")
        sel = np.flatnonzero((per[rule_ix] > 0) & ~cool[rule_ix] & ~no_fid)
        if sel.size and len(rules) < 2**19 and len(ev) < 2**20:
            a = _codes(icao)[rows[sel]]
            f = np.where(per[rule_ix[sel]] == 2, _codes(fid)[rows[sel]], 0)
            key = (rule_ix[sel] << 44) | (ev.kind[rows[sel]].astype(np.int64) << 40) | (a << 20) | f
            _, first = np.unique(key, return_index=True)
            cand[sel] = False
            cand[sel[first]] = True
        labels = [k.label for k in WatchKind]
        kinds = ev.kind.tolist()
        names = [r.name for r in rules]
        free = cand & (per[rule_ix] == 0) & ~cool[rule_ix]
        out[free] = True  # no once-per key, no cooldown: nothing to remember
        bulk = np.flatnonzero(cand & (per[rule_ix] > 0) & ~cool[rule_ix] & ~no_fid)
        if bulk.size:  # once-per keys only: one set lookup each, no per-match call
            keys = [
                (names[r], icao[i], fid[i] or f"@{t[i]:.3f}", labels[kinds[i]])
                if per[r] == 2
                else (names[r], icao[i], labels[kinds[i]])
                for i, r in zip(rows[bulk].tolist(), rule_ix[bulk].tolist(), strict=True)
            ]
            seen = self._once
            fresh = [k not in seen for k in keys]
            for k, new in zip(keys, fresh, strict=True):
                if new:
                    self._remember(k)
            out[bulk] = fresh
        slow = np.flatnonzero(cand & (cool[rule_ix] | no_fid))
        allow = self.allow
        out[slow] = [
            allow(rules[r], labels[kinds[i]], icao[i], fid[i], t[i])
            for i, r in zip(rows[slow].tolist(), rule_ix[slow].tolist(), strict=True)
        ]
        return out

    def allow(self, rule: Rule, kind: str, icao24: str, flight_id: str, t: float) -> bool:
        """Whether an alert may fire now; records it when it may."""
        once: tuple[str, ...] | None = None
        if rule.once_per == "flight":
            once = (rule.name, icao24, flight_id or f"@{t:.3f}", kind)
        elif rule.once_per == "aircraft":
            once = (rule.name, icao24, kind)
        if once is not None and once in self._once:
            return False
        if rule.cooldown_s > 0:  # a rule without one keeps no times (none to compare)
            times = self._fired.setdefault(icao24, {}).setdefault(rule.name, [])
            k = bisect.bisect_left(times, t)
            if (k < len(times) and times[k] - t < rule.cooldown_s) or (
                k > 0 and t - times[k - 1] < rule.cooldown_s
            ):
                return False
            times.insert(k, t)
        if once is not None:
            self._remember(once)
        return True
