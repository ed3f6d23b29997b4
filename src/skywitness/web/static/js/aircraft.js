// Live aircraft on the map: one marker per aircraft (an SVG plane rotated by track, coloured
// by altitude, outlined when military/government, haloed when watched, dashed when placed by
// multilateration), a label, a trail.

import { altitudeColor } from "./colors.js";
import { label } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// A plane pointing north in a 24×24 box; rotated about its centre by the track angle.
const PLANE_PATH =
  "M12 1.5C12.8 1.5 13.2 2.6 13.2 3.6L13.2 9 22 14 22 16 13.2 13.4 13.2 18.6 15.6 20.4 " +
  "15.6 22 12 21 8.4 22 8.4 20.4 10.8 18.6 10.8 13.4 2 16 2 14 10.8 9 10.8 3.6C10.8 2.6 " +
  "11.2 1.5 12 1.5Z";
const TRAIL_MAX_POINTS = 400; // per aircraft: about 7 min at one position a second
const TRAIL_MIN_MOVE_DEG = 1e-4; // ~10 m: ignore repeats of the same position
// Fields a newer SSE position keeps when an older snapshot arrives after it.
const KINEMATICS = [
  "latitude", "longitude", "altitude", "groundspeed", "track", "vertical_rate", "onground",
  "position_time",
];

// A plane marker's elements: root div, the rotated svg and its path, the label.
export function planeElement() {
  const root = document.createElement("div");
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", PLANE_PATH);
  svg.append(path);
  const text = document.createElement("span");
  text.className = "ac-label";
  root.append(svg, text);
  return { root, svg, path, text };
}

function hasPosition(ac) {
  return Number.isFinite(ac.latitude) && Number.isFinite(ac.longitude);
}

export class AircraftLayer {
  constructor(map, { onClick }) {
    this.map = map;
    this.onClick = onClick;
    this.records = new Map(); // icao24 → {ac, marker, parts, trail, line}
    this.markers = window.L.layerGroup().addTo(map);
    this.trails = window.L.layerGroup().addTo(map);
    this.filter = () => true;
    this.showTrails = true;
    this.selected = null;
  }

  // Replace the live set with a snapshot from /api/aircraft.
  update(aircraft) {
    const seen = new Set();
    for (const snap of aircraft) {
      seen.add(snap.icao24);
      const rec = this.records.get(snap.icao24);
      let ac = snap;
      // The snapshot is up to a second old: never move an aircraft back to where it was.
      if (rec && (rec.ac.position_time || 0) > (snap.position_time || 0)) {
        ac = { ...snap };
        for (const key of KINEMATICS) ac[key] = rec.ac[key];
      }
      this.upsert(ac);
    }
    for (const icao24 of [...this.records.keys()]) {
      if (!seen.has(icao24)) this.remove(icao24);
    }
  }

  // Merge the partial objects of an SSE `positions` message into the live set.
  applyPositions(updates) {
    for (const upd of updates) {
      const rec = this.records.get(upd.icao24);
      const merged = { ...(rec ? rec.ac : {}) };
      for (const [key, value] of Object.entries(upd)) {
        if (value !== null && value !== undefined) merged[key] = value;
      }
      if (Number.isFinite(upd.timestamp) && Number.isFinite(upd.latitude)) {
        merged.position_time = upd.timestamp;
      }
      this.upsert(merged);
    }
  }

  upsert(ac) {
    let rec = this.records.get(ac.icao24);
    if (!rec) {
      rec = { ac, marker: null, parts: null, trail: [], line: null };
      this.records.set(ac.icao24, rec);
    }
    rec.ac = ac;
    if (!hasPosition(ac)) {
      this.hide(rec);
      return;
    }
    const pos = [ac.latitude, ac.longitude];
    if (!rec.marker) this.createMarker(rec, pos);
    else rec.marker.setLatLng(pos);
    this.extendTrail(rec, pos);
    this.style(rec);
    this.applyVisibility(rec);
  }

  createMarker(rec, pos) {
    const parts = planeElement();
    const icon = window.L.divIcon({
      className: "ac-icon",
      html: parts.root,
      iconSize: [24, 24],
      iconAnchor: [12, 12],
    });
    rec.parts = parts;
    rec.marker = window.L.marker(pos, { icon, keyboard: false, riseOnHover: true });
    rec.marker.on("click", () => this.onClick(rec.ac.icao24));
  }

  extendTrail(rec, pos) {
    const last = rec.trail[rec.trail.length - 1];
    if (
      last &&
      Math.abs(last[0] - pos[0]) < TRAIL_MIN_MOVE_DEG &&
      Math.abs(last[1] - pos[1]) < TRAIL_MIN_MOVE_DEG
    ) {
      return;
    }
    rec.trail.push(pos);
    if (rec.trail.length > TRAIL_MAX_POINTS) rec.trail.shift();
    if (!rec.line) {
      rec.line = window.L.polyline(rec.trail, { weight: 1.5, opacity: 0.7, interactive: false });
    } else {
      rec.line.setLatLngs(rec.trail);
    }
  }

  style(rec) {
    const { ac, parts } = rec;
    const color = altitudeColor(ac.altitude, ac.onground === true);
    parts.path.setAttribute("fill", color);
    parts.svg.style.transform = `rotate(${Number.isFinite(ac.track) ? ac.track : 0}deg)`;
    parts.text.textContent = label(ac);
    rec.line.setStyle({ color });
    const el = rec.marker.getElement();
    const target = el || parts.root.parentElement;
    if (!target) return;
    target.dataset.icao24 = ac.icao24;
    const military = ac.military || ac.classification === "military";
    target.classList.toggle("military", military);
    target.classList.toggle("government", !military && ac.classification === "government");
    target.classList.toggle("watched", ac.watched === true);
    // positions by multilateration are estimates: dashed outline and trail (as tar1090)
    const mlat = ac.position_source === "mlat";
    target.classList.toggle("mlat", mlat);
    rec.line.setStyle({ dashArray: mlat ? "4 4" : null });
    target.classList.toggle("selected", ac.icao24 === this.selected);
    target.title = `${label(ac)} ${ac.icao24}${mlat ? " (position by multilateration)" : ""}`;
    rec.marker.setZIndexOffset(military || ac.watched ? 1000 : 0);
  }

  applyVisibility(rec) {
    const visible = hasPosition(rec.ac) && this.filter(rec.ac);
    if (!visible) {
      this.hide(rec);
      return;
    }
    if (!this.markers.hasLayer(rec.marker)) {
      this.markers.addLayer(rec.marker);
      this.style(rec); // the element exists only once on the map
    }
    const wantTrail = this.showTrails && rec.trail.length > 1;
    if (wantTrail && !this.trails.hasLayer(rec.line)) this.trails.addLayer(rec.line);
    if (!wantTrail && rec.line && this.trails.hasLayer(rec.line)) this.trails.removeLayer(rec.line);
  }

  hide(rec) {
    if (rec.marker && this.markers.hasLayer(rec.marker)) this.markers.removeLayer(rec.marker);
    if (rec.line && this.trails.hasLayer(rec.line)) this.trails.removeLayer(rec.line);
  }

  remove(icao24) {
    const rec = this.records.get(icao24);
    if (!rec) return;
    this.hide(rec);
    this.records.delete(icao24);
  }

  setFilter(predicate) {
    this.filter = predicate;
    for (const rec of this.records.values()) this.applyVisibility(rec);
  }

  setTrails(show) {
    this.showTrails = show;
    for (const rec of this.records.values()) this.applyVisibility(rec);
  }

  select(icao24) {
    const previous = this.records.get(this.selected);
    this.selected = icao24;
    if (previous && previous.marker) this.style(previous);
    const rec = this.records.get(icao24);
    if (rec && rec.marker) this.style(rec);
  }

  get(icao24) {
    const rec = this.records.get(icao24);
    return rec ? rec.ac : null;
  }

  all() {
    return [...this.records.values()].map((rec) => rec.ac);
  }

  visibleCount() {
    return this.markers.getLayers().length;
  }
}
