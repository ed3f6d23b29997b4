// Pure filtering and search over aircraft objects of /api/aircraft (no DOM, no map).

// The UI's filter state → a predicate. Category boxes combine with OR ("military or watched");
// country and the altitude band then narrow the result (AND).
export function makeFilter({ military, government, watched, country, altMin, altMax }) {
  const anyCategory = military || government || watched;
  return (ac) => {
    if (anyCategory) {
      const hit =
        (military && (ac.military || ac.classification === "military")) ||
        (government && ac.classification === "government") ||
        (watched && ac.watched);
      if (!hit) return false;
    }
    if (country && ac.country_iso2 !== country) return false;
    if (Number.isFinite(altMin) || Number.isFinite(altMax)) {
      const alt = ac.onground ? 0 : ac.altitude;
      if (alt === null || alt === undefined || !Number.isFinite(alt)) return false;
      if (Number.isFinite(altMin) && alt < altMin) return false;
      if (Number.isFinite(altMax) && alt > altMax) return false;
    }
    return true;
  };
}

function norm(text) {
  return (text || "").toUpperCase().replace(/[\s-]/g, "");
}

// Rank an aircraft against a query: 0 exact, 1 prefix, 2 substring, -1 no match.
function rank(ac, q) {
  let best = -1;
  for (const field of [ac.icao24, ac.registration, ac.callsign]) {
    const value = norm(field);
    if (!value) continue;
    let r = -1;
    if (value === q) r = 0;
    else if (value.startsWith(q)) r = 1;
    else if (q.length >= 3 && value.includes(q)) r = 2;
    if (r >= 0 && (best < 0 || r < best)) best = r;
  }
  return best;
}

// Aircraft matching a query by icao24, registration or callsign, best matches first.
export function searchAircraft(aircraft, query, limit = 20) {
  const q = norm(query);
  if (!q) return [];
  const hits = [];
  for (const ac of aircraft) {
    const r = rank(ac, q);
    if (r >= 0) hits.push([r, ac]);
  }
  hits.sort((a, b) => a[0] - b[0] || String(a[1].icao24).localeCompare(String(b[1].icao24)));
  return hits.slice(0, limit).map(([, ac]) => ac);
}

// Flights matching a free-text filter: callsign(s), icao24 or either airport.
export function filterFlights(flights, query) {
  const q = norm(query);
  if (!q) return flights;
  return flights.filter((f) =>
    [f.icao24, f.callsign, f.estDepartureAirport, f.estArrivalAirport, ...(f.callsigns || [])]
      .map(norm)
      .some((v) => v && v.includes(q)),
  );
}

// Sorted distinct [iso2, name] pairs of the countries present, for the country filter.
export function countriesOf(aircraft) {
  const seen = new Map();
  for (const ac of aircraft) {
    if (ac.country_iso2 && !seen.has(ac.country_iso2)) {
      seen.set(ac.country_iso2, ac.country || ac.country_iso2);
    }
  }
  return [...seen.entries()].sort((a, b) => a[1].localeCompare(b[1]));
}
