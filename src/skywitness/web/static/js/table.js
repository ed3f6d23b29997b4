// The aircraft table of the Aircraft tab: every live aircraft the map filters let through, as
// sortable columns (click a header; again to reverse) with a text filter; a click on a row
// selects the aircraft on the map, and the selected aircraft's row is highlighted.

import { clear, h } from "./dom.js";
import { alt, label, num, speed } from "./format.js";

const ROWS_MAX = 500; // rows drawn at once (the count says how many more match)
const EARTH_R_NM = 3440.065;

function distanceNm(from, ac) {
  if (!from || !Number.isFinite(ac.latitude) || !Number.isFinite(ac.longitude)) return NaN;
  const rad = Math.PI / 180;
  const dLat = (ac.latitude - from.lat) * rad;
  const dLon = (ac.longitude - from.lon) * rad;
  const a = Math.sin(dLat / 2) ** 2 +
    Math.cos(from.lat * rad) * Math.cos(ac.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_R_NM * Math.asin(Math.min(1, Math.sqrt(a)));
}

function classOf(ac) {
  if (ac.military || ac.classification === "military") return "military";
  return ac.classification || "civil";
}

// [key, header, value for sorting, text]
const COLUMNS = [
  ["callsign", "Callsign", (ac) => ac.callsign || "", (ac) => ac.callsign || ""],
  ["icao24", "Hex", (ac) => ac.icao24, (ac) => ac.icao24],
  ["registration", "Reg.", (ac) => ac.registration || "", (ac) => ac.registration || ""],
  ["typecode", "Type", (ac) => ac.typecode || "", (ac) => ac.typecode || ""],
  ["altitude", "Alt.", (ac) => (ac.onground ? 0 : ac.altitude ?? NaN),
    (ac) => (ac.onground ? "ground" : alt(ac.altitude).replace(/ (ft|m)$/, ""))],
  ["groundspeed", "Speed", (ac) => ac.groundspeed ?? NaN,
    (ac) => speed(ac.groundspeed).replace(/ (kt|km\/h)$/, "")],
  ["distance", "Dist. nm", (ac, ctx) => distanceNm(ctx.receiver, ac),
    (ac, ctx) => num(distanceNm(ctx.receiver, ac), 1)],
  ["seen", "Seen s", (ac, ctx) => ctx.now - (ac.last_seen ?? NaN),
    (ac, ctx) => num(Math.max(0, ctx.now - (ac.last_seen ?? NaN)), 0)],
  ["class", "Class", classOf, classOf],
  ["country", "Country", (ac) => ac.country_iso2 || "", (ac) => ac.country_iso2 || ""],
];

function compare(a, b) {
  const na = typeof a === "number" && !Number.isNaN(a);
  const nb = typeof b === "number" && !Number.isNaN(b);
  if (na && nb) return a - b;
  if (na !== nb) return na ? -1 : 1; // unknown values last
  return String(a).localeCompare(String(b));
}

function matches(ac, q) {
  if (!q) return true;
  return [ac.icao24, ac.callsign, ac.registration, ac.typecode, ac.country_iso2, ac.operator]
    .some((v) => v && String(v).toUpperCase().includes(q));
}

export class AircraftTable {
  constructor(container, { onSelect }) {
    this.onSelect = onSelect;
    this.sortKey = "distance";
    this.reverse = false;
    this.query = "";
    this.rows = [];
    this.ctx = { now: 0, receiver: null };
    this.selected = null;
    this.filterInput = h("input", {
      id: "t-filter", type: "search", placeholder: "filter: callsign, hex, reg., type, country",
      "aria-label": "Filter the aircraft table",
      oninput: () => { this.query = this.filterInput.value.trim().toUpperCase(); this.render(); },
    });
    this.count = h("p", { class: "hint", id: "t-count" });
    this.head = h("tr", {}, COLUMNS.map(([key, title]) =>
      h("th", { dataset: { key }, onclick: () => this.sortBy(key), title: "sort" }, title)));
    this.body = h("tbody");
    container.append(this.filterInput, this.count,
      h("table", { id: "ac-table", class: "ac-table" }, h("thead", {}, this.head), this.body));
  }

  setReceiver(position) {
    this.ctx.receiver = position;
    if (!position && this.sortKey === "distance") this.sortKey = "callsign";
    this.render();
  }

  sortBy(key) {
    if (this.sortKey === key) this.reverse = !this.reverse;
    else [this.sortKey, this.reverse] = [key, false];
    this.render();
  }

  // aircraft: what the map shows (already through its filters); now: the snapshot's time.
  update(aircraft, now) {
    this.rows = aircraft;
    this.ctx.now = now;
    this.render();
  }

  select(icao24) {
    this.selected = icao24;
    for (const tr of this.body.children) tr.classList.toggle("active", tr.dataset.icao24 === icao24);
  }

  render() {
    const col = COLUMNS.find((c) => c[0] === this.sortKey) || COLUMNS[0];
    const shown = this.rows.filter((ac) => matches(ac, this.query));
    shown.sort((a, b) => compare(col[2](a, this.ctx), col[2](b, this.ctx)) ||
      a.icao24.localeCompare(b.icao24));
    if (this.reverse) shown.reverse();
    for (const th of this.head.children) {
      th.classList.toggle("sorted", th.dataset.key === this.sortKey);
      th.classList.toggle("reverse", th.dataset.key === this.sortKey && this.reverse);
    }
    this.count.textContent = `${shown.length} aircraft` +
      (shown.length > ROWS_MAX ? ` (first ${ROWS_MAX} shown: filter or sort)` : "");
    clear(this.body).append(...shown.slice(0, ROWS_MAX).map((ac) => h("tr", {
      dataset: { icao24: ac.icao24 },
      class: [classOf(ac), ac.icao24 === this.selected ? "active" : ""].join(" ").trim(),
      onclick: () => this.onSelect(ac.icao24),
      title: label(ac),
    }, COLUMNS.map(([, , , text]) => h("td", {}, text(ac, this.ctx))))));
  }
}
