// Drawing one aircraft's stored track (GeoJSON from /api/aircraft/{icao24}/track): observed
// runs solid and coloured by altitude, bridged gaps dashed, departure/arrival marked.

import { altitudeColor } from "./colors.js";
import { isoSeconds, isoText } from "./format.js";

const GAP_STYLE = { color: "#e0e0e0", weight: 2, dashArray: "6 6", opacity: 0.9 };

// Split an observed run into pieces of similar altitude colour (one polyline per piece keeps
// the layer count small while still showing climb and descent).
function coloredPieces(coords, altitudes, onground) {
  const pieces = [];
  let current = null;
  coords.forEach(([lon, lat], i) => {
    const color = altitudeColor(altitudes ? altitudes[i] : null, onground ? onground[i] : false);
    if (!current || current.color !== color) {
      const start = current ? [current.points[current.points.length - 1]] : [];
      current = { color, points: start };
      pieces.push(current);
    }
    current.points.push([lat, lon]);
  });
  return pieces.filter((p) => p.points.length > 1);
}

function endpointMarker(L, latlng, text, observed, kind) {
  const marker = L.circleMarker(latlng, {
    radius: 7,
    color: kind === "dep" ? "#5fdc7c" : "#ff9f43",
    weight: 2,
    dashArray: observed ? null : "3 3",
    fillOpacity: observed ? 0.9 : 0.1,
    className: `endpoint ${kind} ${observed ? "observed" : "estimated"}`,
  });
  marker.bindTooltip(text, { permanent: true, direction: "auto", className: "endpoint" });
  return marker;
}

// Returns a layer group with the track; `flight` (a /api/flights object) adds endpoint marks.
export function trackLayer(geo, flight = null) {
  const L = window.L;
  const group = L.featureGroup();
  const points = [];
  for (const feature of geo.features || []) {
    const coords = feature.geometry && feature.geometry.coordinates;
    if (!coords || coords.length < 1) continue;
    const props = feature.properties || {};
    if (props.kind === "gap") {
      L.polyline(
        coords.map(([lon, lat]) => [lat, lon]),
        { ...GAP_STYLE, className: "track-gap" },
      ).addTo(group);
      continue;
    }
    for (const piece of coloredPieces(coords, props.altitudes, props.onground)) {
      L.polyline(piece.points, { color: piece.color, weight: 3, className: "track-observed" })
        .addTo(group);
    }
    coords.forEach(([lon, lat], i) => points.push({ lat, lon, t: props.times ? props.times[i] : null }));
  }
  if (flight && points.length) {
    const first = points[0];
    const last = points[points.length - 1];
    const dep = flight.estDepartureAirport || "?";
    const arr = flight.estArrivalAirport || "?";
    const depText = `${dep} ${flight.departure_observed ? "observed" : "estimated"} departure` +
      (flight.takeoff_time ? ` ${isoText(flight.takeoff_time)}` : "");
    let arrText = `${arr} ${flight.arrival_observed ? "observed" : "estimated"} arrival`;
    if (flight.landing_time) arrText += ` ${isoText(flight.landing_time)}`;
    if (!flight.arrival_observed && flight.arrival_window_start) {
      arrText += ` (window ${isoText(flight.arrival_window_start)} – ${isoText(flight.arrival_window_end) || "?"})`;
    }
    endpointMarker(L, [first.lat, first.lon], depText, flight.departure_observed, "dep").addTo(group);
    endpointMarker(L, [last.lat, last.lon], arrText, flight.arrival_observed, "arr").addTo(group);
  }
  group.points = points;
  return group;
}

// Time bounds text for a track, e.g. for the panel.
export function trackSummary(geo) {
  const p = geo.properties || {};
  const gaps = (geo.features || []).filter((f) => f.properties && f.properties.kind === "gap");
  return `${p.points ?? 0} positions ${isoSeconds(p.since)} – ${isoSeconds(p.until)}` +
    (gaps.length ? `, ${gaps.length} gap${gaps.length > 1 ? "s" : ""} bridged (dashed)` : "") +
    (p.truncated ? ", thinned" : "");
}
