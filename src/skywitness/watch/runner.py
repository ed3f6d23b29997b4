"""Watch runs: state vectors -> events -> matched rules -> alerts -> store + notifiers.

``Watch`` is the one code path; ``replay`` feeds it state vectors from the store in time order,
``live`` feeds it the tracker's output of live sources. The same states give the same alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..flights import AirportIndex
from ..flights.stage import FlightStage
from ..flights.warm import WarmStart, warm_start
from ..store import STATE_SCHEMA
from .alerts import Alert, alert_id, save_alerts
from .engine import Cooldown, IdentityLookup, RuleEngine, identity_facts
from .events import WatchEvents, WatchKind
from .notifiers import make_notifier as _make_notifier
from .notify import Notifier
from .rules import NotifierConfig, RuleSet
from .source import LATENESS_S, LOST_S, SETTLE_S, STEP_S, EventSource

REPLAY_SLICE = timedelta(hours=1)  # state vectors read from the store per query


class Watch:
    """Feed state vectors (any chunking, time order); get alerts. ``flush`` at the end."""

    def __init__(
        self,
        ruleset: RuleSet,
        *,
        con: Any = None,
        store: Any = None,
        notifiers: Sequence[tuple[str, Notifier]] = (),
        identities: IdentityLookup | None = None,
        airports: AirportIndex | None = None,
        runways: pa.Table | None = None,
        step_s: float = STEP_S,
        lateness_s: float = LATENESS_S,
        settle_s: float = SETTLE_S,
        lost_s: float = LOST_S,
        stage: FlightStage | None = None,
        subscribed: bool = False,
        spool: Path | None = None,
        keep_alerts: bool = True,
    ) -> None:
        self.ruleset = ruleset
        self.engine = RuleEngine(ruleset, con=con, identities=identities)
        self.source = EventSource(
            ruleset.fences,
            airports=airports,
            runways=runways,
            step_s=step_s,
            lateness_s=lateness_s,
            settle_s=settle_s,
            lost_s=lost_s,
            stage=stage,
            subscribed=subscribed,
            spool=spool,
        )
        self.cooldown = Cooldown()
        self.store = store  # alerts are saved through its ``write`` (the catalogue writer)
        self.notifiers = list(notifiers)
        # every alert of the run (``replay`` and ``live`` return them); a service that hands
        # each one on as it comes keeps none (``keep_alerts=False``): they would pile up
        self.alerts: list[Alert] = []
        self.keep_alerts = keep_alerts
        self._by_name = {r.name: r for r in ruleset.rules}

    def kept(self) -> dict[str, int]:
        """Counts of what the watch remembers between windows (``EventSource.kept``, the
        cooldown's keys, the rule engine's identities)."""
        return {
            **self.source.kept(),
            "cooldown": len(self.cooldown),
            "identities": self.engine.cached(),
        }

    def on_flights(self, changed: pa.Table, removed: list[str]) -> None:
        """Flight changes of the service's flights stage (a ``subscribed`` watch)."""
        self.source.on_flights(changed, removed)

    def warm(self, warm: WarmStart, start: datetime) -> None:
        """Give the flights stage the flights in progress at ``start`` (``flights.warm``), so
        that they keep their stored ids; events before ``start`` are not reported."""
        stage = self.source.stage
        if stage is not None:
            step = stage.step(warm.states, supersedes=warm.supersedes)
            self.source.on_flights(step.changed, step.removed)
        self.source.start_s = start.timestamp()

    def feed(self, states: pa.Table) -> list[Alert]:
        return [a for ev in self.source.windows(states) for a in self._handle(ev)]

    def flush(self) -> list[Alert]:
        return [a for ev in self.source.flush_windows() for a in self._handle(ev)]

    def _handle(self, ev: WatchEvents) -> list[Alert]:
        rows, rules = self.engine.match(ev)
        passed = self.cooldown.gate(self.ruleset.rules, ev, rows, rules)
        out: list[Alert] = []
        for i, r in zip(rows[passed].tolist(), rules[passed].tolist(), strict=True):
            rule = self.ruleset.rules[r]
            kind = WatchKind(int(ev.kind[i])).label
            icao, fid, t = str(ev.icao24[i]), str(ev.flight_id[i]), float(ev.timestamp[i])
            fence = int(ev.fence[i]) if ev.fence[i] >= 0 else rule.fence
            positions = self.source.positions(icao, t)
            sources = sorted(
                {str(p[k]) for p in positions for k in ("source", "position_source") if p.get(k)}
            )
            lat, lon, alt = (float(v) for v in (ev.latitude[i], ev.longitude[i], ev.altitude[i]))
            ident = self.engine.identity(icao, str(ev.callsign[i]))
            out.append(
                Alert(
                    alert_id=alert_id(rule.name, kind, icao, fid, t, fence),
                    rule=rule.name,
                    event=kind,
                    timestamp=t,
                    icao24=icao,
                    callsign=str(ev.callsign[i]),
                    flight_id=fid,
                    latitude=None if np.isnan(lat) else lat,
                    longitude=None if np.isnan(lon) else lon,
                    altitude=None if np.isnan(alt) else alt,
                    airport=str(ev.airport[i]),
                    country=str(ev.country[i]),
                    squawk=str(ev.squawk[i]),
                    area=self.ruleset.fences[fence].name if fence >= 0 else "",
                    sources=sources,
                    positions=positions,
                    identity=identity_facts(rule, ident),
                )
            )
        if out:
            if self.store is not None:
                self.store.write(lambda con: save_alerts(con, out))
            for a in out:
                rule = self._by_name[a.rule]
                for name, notifier in self.notifiers:
                    if not rule.notify or name in rule.notify:
                        notifier.notify(a)
        if self.keep_alerts:
            self.alerts.extend(out)
        gone, at = self.source.take_forgotten()
        if gone:  # long gone: once-per keys and cooldowns of theirs would pile up
            self.cooldown.forget(gone, at, self.ruleset.rules)
        return out


def replay(
    watch: Watch,
    store: Any,
    since: datetime,
    until: datetime,
    *,
    slice_: timedelta = REPLAY_SLICE,
) -> list[Alert]:
    """Run ``watch`` over the store's state vectors in [since, until), in time order; the
    flights in progress at ``since`` are continued from the store (``flights.warm``)."""
    start = len(watch.alerts)
    warm = warm_start(store, until=since)
    watch.warm(warm or WarmStart(STATE_SCHEMA.empty_table()), since)
    t = since.astimezone(UTC)
    end = until.astimezone(UTC)
    while t < end:
        nxt = min(t + slice_, end)
        states = store.states(since=t, until=nxt)
        if states.num_rows:
            watch.feed(states.sort_by([("timestamp", "ascending"), ("icao24", "ascending")]))
        t = nxt
    watch.flush()
    return watch.alerts[start:]


def live(watch: Watch, tables: Iterable[pa.Table]) -> list[Alert]:
    """Run ``watch`` on state-vector tables as a tracker produces them (live sources or
    files: the caller builds the sources -> decode -> track pipeline, see ``cli.watch_cmd``)."""
    start = len(watch.alerts)
    for table in tables:
        watch.feed(table)
    watch.flush()
    return watch.alerts[start:]


def make_notifier(cfg: NotifierConfig) -> Notifier:
    """A running notifier for one ``[[notifier]]`` table of a rules file (``notifiers``)."""
    return _make_notifier(cfg.kind, cfg.name, cfg.options)
