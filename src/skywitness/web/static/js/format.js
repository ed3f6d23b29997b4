// Formatting of the API's canonical units (ft, kt, ft/min, deg, unix s UTC) for display, in
// the units the user chose (settings.js).

import { settings } from "./settings.js";

const M_PER_FT = 0.3048;
const KMH_PER_KT = 1.852;

export function isoSeconds(unix) {
  if (unix === null || unix === undefined || !Number.isFinite(unix)) return "";
  return new Date(unix * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function isoShort(unix) {
  const s = isoSeconds(unix);
  return s ? s.slice(5, 16) + "Z" : "";
}

// ISO 8601 text from the API (flights), shown to the second: "2020-01-01 00:14:00Z".
export function isoText(text) {
  const unix = parseIso(text);
  return unix === null ? "" : isoSeconds(unix);
}

// ISO 8601 text from the API (flights) → unix seconds, or null.
export function parseIso(text) {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

export function num(value, digits = 0, unit = "") {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  return unit ? `${text} ${unit}` : text;
}

// An altitude given in ft, in the chosen unit ("12,000 ft" or "3,658 m").
export function alt(ft) {
  if (settings().altUnit === "m") return num(Number.isFinite(ft) ? ft * M_PER_FT : ft, 0, "m");
  return num(ft, 0, "ft");
}

// A speed given in kt, in the chosen unit.
export function speed(kt) {
  if (settings().speedUnit === "km/h") {
    return num(Number.isFinite(kt) ? kt * KMH_PER_KT : kt, 0, "km/h");
  }
  return num(kt, 0, "kt");
}

export function altitude(ac) {
  if (ac.onground) return "ground";
  return alt(ac.altitude);
}

export function latLon(lat, lon) {
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return "";
  return `${lat.toFixed(4)}, ${lon.toFixed(4)}`;
}

export function duration(seconds) {
  if (!Number.isFinite(seconds)) return "";
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min`;
}

// The best short name for an aircraft: callsign, else registration, else address.
export function label(ac) {
  return (ac.callsign || ac.registration || ac.icao24 || "").trim();
}
