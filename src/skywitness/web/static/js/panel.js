// The aircraft side panel: identity with sources, classification with its reasons, current
// state with provenance, and recent flights (from /api/aircraft/{icao24}).

import { clear, h, kvTable } from "./dom.js";
import { alt, altitude, isoSeconds, isoText, latLon, num, speed } from "./format.js";

function classBadge(cls, watched) {
  return [
    h("span", { class: `cls ${cls}`, id: "p-class" }, cls || "unknown"),
    watched ? [" ", h("span", { class: "cls watched" }, "watched")] : null,
  ];
}

function identitySection(idn) {
  const bySource = new Map((idn.facts || []).map((f) => [f.field, f.source]));
  const withSrc = (field, value) =>
    value ? [value, bySource.has(field) ? h("div", { class: "src" }, bySource.get(field)) : null] : "";
  return kvTable([
    ["registration", withSrc("registration", idn.registration)],
    ["type", withSrc("typecode", [idn.typecode, idn.description].filter(Boolean).join(" · "))],
    ["operator", withSrc("operator", [idn.operator, idn.operator_designator && `(${idn.operator_designator})`].filter(Boolean).join(" "))],
    ["country", withSrc("country", idn.country ? `${idn.country} (${idn.country_iso2})` : "")],
    ["address block", idn.block + (idn.military_block ? " (military block)" : "")],
    ["DB flags", (idn.flags || []).join(", ")],
  ]);
}

function reasonsSection(idn) {
  const reasons = idn.reasons || [];
  if (!reasons.length) return h("p", { class: "hint" }, "No evidence for a non-civil class.");
  return h(
    "ul",
    { class: "list reasons" },
    reasons.map((r) =>
      h("li", {}, h("b", {}, r.classification), ` — ${r.detail} `,
        h("div", { class: "src" }, `${r.kind} · ${r.source}`)),
    ),
  );
}

function watchlistSection(idn) {
  const lists = idn.watchlists || [];
  if (!lists.length) return null;
  return [
    h("h3", {}, "Watchlists"),
    h("ul", { class: "list" }, lists.map((w) =>
      h("li", {}, `${w.category || w.list} `, w.klass ? `(${w.klass})` : "",
        h("div", { class: "src" }, w.source)))),
  ];
}

function stateSection(live, state) {
  if (!live) return h("p", { class: "hint" }, "Not live now.");
  const kinds = (state && state.kinds) || {};
  const via = (field) => (kinds[field] ? h("span", { class: "src" }, ` via ${kinds[field]}`) : null);
  return kvTable([
    ["callsign", live.callsign],
    ["altitude", [altitude(live), via("altitude")]],
    ["GNSS altitude", alt(live.geoaltitude)],
    ["ground speed", [speed(live.groundspeed), via("groundspeed")]],
    ["track", num(live.track, 0, "°")],
    ["vertical rate", num(live.vertical_rate, 0, "ft/min")],
    ["squawk", live.squawk],
    ["position", [latLon(live.latitude, live.longitude), via("latitude")]],
    ["position source", live.position_source],
    ["position error", Number.isFinite(live.position_error)
      ? `±${num(live.position_error, 0)} m (95 %, multilateration)` : ""],
    ["position time", isoSeconds(live.position_time)],
    ["first seen", isoSeconds(live.first_seen)],
    ["last seen", isoSeconds(live.last_seen)],
    ["feed", live.source],
  ]);
}

function flightItem(f, onFlight) {
  const dep = `${f.estDepartureAirport || "?"}${f.departure_observed ? "" : "*"}`;
  const arr = `${f.estArrivalAirport || "?"}${f.arrival_observed ? "" : "*"}`;
  return h("li", { onclick: () => onFlight(f), dataset: { flightId: f.flight_id } },
    h("b", {}, `${dep} → ${arr}`), ` ${f.callsign || ""}`,
    h("div", { class: "sub" }, `${isoText(f.firstSeen)} – ${isoText(f.lastSeen)}`,
      f.gaps_bridged ? ` · ${f.gaps_bridged} gap(s) bridged` : ""));
}

// Render `detail` into `container`. Callbacks: onFlight(flight), onClose().
export function renderPanel(container, detail, { onFlight, onClose, trackText }) {
  const idn = detail.identity || {};
  const live = detail.live;
  const title = (live && live.callsign) || idn.registration || detail.icao24;
  clear(container).append(
    h("div", { class: "panel", id: "aircraft-panel", dataset: { icao24: detail.icao24 } },
      h("button", { class: "close", type: "button", onclick: onClose, title: "Back to the list (Esc)" },
        "× list"),
      h("h2", {}, title, " ", h("span", { class: "src" }, detail.icao24)),
      classBadge(idn.classification, live && live.watched),
      h("h3", {}, "Identity"), identitySection(idn),
      h("h3", {}, "Classification"), reasonsSection(idn),
      watchlistSection(idn),
      h("h3", {}, "Current state"), stateSection(live, detail.state),
      h("h3", {}, "Track"), h("p", { class: "hint", id: "p-track" }, trackText || "loading…"),
      h("h3", {}, "Flights"),
      (detail.flights || []).length
        ? h("ol", { class: "list", id: "p-flights" }, detail.flights.map((f) => flightItem(f, onFlight)))
        : h("p", { class: "hint" }, "No stored flights yet."),
      h("p", { class: "hint" }, "* estimated (not observed)"),
    ),
  );
}

export function setTrackText(container, text) {
  const el = container.querySelector("#p-track");
  if (el) el.textContent = text;
}
