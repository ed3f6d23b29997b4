// The History tab: a date range → the stored flights in it (/api/flights), a text filter,
// a click on a flight → its track; "replay" loads the listed flights in view into playback.

import { api } from "./api.js";
import { $, clear, h } from "./dom.js";
import { filterFlights } from "./filters.js";
import { duration, isoText } from "./format.js";

const FLIGHTS_LIMIT = 1000; // the API's maximum per request
const REPLAY_MAX_FLIGHTS = 60; // tracks fetched for one replay
const REPLAY_MAX_POINTS = 3000; // per track

function dayString(unix) {
  return new Date(unix * 1000).toISOString().slice(0, 10);
}

function flightRow(f, onFlight) {
  const dep = `${f.estDepartureAirport || "?"}${f.departure_observed ? "" : "*"}`;
  const arr = `${f.estArrivalAirport || "?"}${f.arrival_observed ? "" : "*"}`;
  return h("li", { onclick: () => onFlight(f), dataset: { flightId: f.flight_id } },
    h("b", {}, f.callsign || f.icao24), ` ${dep} → ${arr}`,
    h("div", { class: "sub" }, `${f.icao24} · ${isoText(f.firstSeen)} – ${isoText(f.lastSeen)}`,
      f.gaps_bridged ? ` · gap ${duration(f.longest_gap_s)} bridged` : "",
      ` · confidence ${Number(f.confidence ?? 0).toFixed(2)}`));
}

export class History {
  constructor(map, playback, { onFlight, onError }) {
    this.map = map;
    this.playback = playback;
    this.onFlight = onFlight;
    this.onError = onError;
    this.flights = [];
    $("history-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.load();
    });
    $("h-filter").addEventListener("input", () => this.render());
    $("pb-load").addEventListener("click", () => this.replay());
  }

  // Default range: the day of `now` (the server's clock) and the day before.
  setDefaultRange(now) {
    if ($("h-since").value) return;
    $("h-since").value = dayString(now - 86400);
    $("h-until").value = dayString(now);
  }

  // Open on the days asked (the page's ?history=YYYY-MM-DD[..YYYY-MM-DD]): list the flights
  // and draw them all, the map fitted to them.
  async open(since, until) {
    $("h-since").value = since;
    $("h-until").value = until;
    await this.load();
    if (this.flights.length) await this.replay({ all: true });
  }

  async load() {
    $("h-summary").textContent = "loading…";
    try {
      const res = await api.flights({
        since: $("h-since").value,
        until: $("h-until").value,
        limit: FLIGHTS_LIMIT,
      });
      this.flights = res.flights;
      this.render();
    } catch (err) {
      this.flights = [];
      this.render();
      $("h-summary").textContent = `error: ${err.detail || err.message}`;
    }
  }

  visible() {
    return filterFlights(this.flights, $("h-filter").value);
  }

  render() {
    const shown = this.visible();
    $("h-summary").textContent =
      `${shown.length} of ${this.flights.length} flight(s)` +
      (this.flights.length >= FLIGHTS_LIMIT ? " (limit reached: narrow the range)" : "") +
      " · * estimated";
    clear($("h-flights")).append(...shown.map((f) => flightRow(f, this.onFlight)));
    $("pb-load").hidden = shown.length === 0;
  }

  // Fetch the tracks of the listed flights and replay those that pass through the view
  // (``all``: every listed flight, the map fitted to them).
  async replay({ all = false } = {}) {
    const bounds = this.map.getBounds();
    const items = [];
    const flights = this.visible().slice(0, REPLAY_MAX_FLIGHTS);
    $("h-summary").textContent = `loading ${flights.length} track(s)…`;
    try {
      const tracks = await Promise.all(
        flights.map((f) =>
          api.track(f.icao24, { since: f.firstSeen, until: f.lastSeen, max_points: REPLAY_MAX_POINTS }),
        ),
      );
      tracks.forEach((geo, i) => {
        const points = [];
        let run = 0; // observed runs are numbered; the track's gap features lie between them
        for (const feat of geo.features || []) {
          const p = feat.properties || {};
          if (p.kind === "gap") continue;
          feat.geometry.coordinates.forEach(([lon, lat], k) => {
            points.push({ lat, lon, run, t: p.times[k], alt: p.altitudes ? p.altitudes[k] : null });
          });
          run += 1;
        }
        points.sort((a, b) => a.t - b.t);
        if (all || points.some((pt) => bounds.contains([pt.lat, pt.lon]))) {
          items.push({ name: flights[i].callsign || flights[i].icao24, points });
        }
      });
      const n = this.playback.load(items);
      const fit = items.flatMap((it) => it.points.map((pt) => [pt.lat, pt.lon]));
      if (all && fit.length) this.map.fitBounds(fit, { padding: [20, 20] });
      $("h-summary").textContent = all
        ? `${this.flights.length} flight(s); replaying ${n}`
        : `replaying ${n} flight(s) that pass through the view`;
    } catch (err) {
      this.onError(err);
    }
  }
}
