// Formatting of the API's canonical units (ft, kt, ft/min, deg, unix s UTC) for display.

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

export function altitude(ac) {
  if (ac.onground) return "ground";
  return num(ac.altitude, 0, "ft");
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
