// Ground features of the map, all offline from the server: airports and runways (the flights
// stage's own airports, /api/airports) when zoomed in, and the receiver with the coverage it
// actually observed (readsb's /data/receiver.json and /data/outline.json).

import { api } from "./api.js";

const AIRPORTS_MIN_ZOOM = 8; // below this the map shows no airports (too many, too small)
const RUNWAY_STYLE = { color: "#c9d3dd", weight: 4, opacity: 0.85, className: "runway" };
const OUTLINE_STYLE = {
  color: "#5fdc7c", weight: 1.5, dashArray: "4 4", fill: false, className: "coverage",
};

export class AirportsLayer {
  constructor(map) {
    this.map = map;
    this.layer = window.L.layerGroup().addTo(map);
    this.seq = 0;
    map.on("moveend", () => this.refresh());
  }

  async refresh() {
    const seq = ++this.seq;
    if (this.map.getZoom() < AIRPORTS_MIN_ZOOM) {
      this.layer.clearLayers();
      return;
    }
    const b = this.map.getBounds();
    const west = ((b.getWest() + 540) % 360) - 180;
    const east = ((b.getEast() + 540) % 360) - 180;
    const bbox = [b.getSouth(), west, b.getNorth(), east].map((x) => x.toFixed(4)).join(",");
    let res;
    try {
      res = await api.airports(bbox);
    } catch (_) {
      return; // no airports is not an error worth a message: the map still works
    }
    if (seq !== this.seq) return; // the view moved again meanwhile
    this.layer.clearLayers();
    for (const a of res.airports) this.draw(a);
  }

  draw(a) {
    const L = window.L;
    for (const [lat1, lon1, lat2, lon2, le, he] of a.runways) {
      L.polyline([[lat1, lon1], [lat2, lon2]], RUNWAY_STYLE)
        .bindTooltip(`${a.icao} ${le}/${he}`, { sticky: true })
        .addTo(this.layer);
    }
    L.circleMarker([a.lat, a.lon], {
      radius: a.runways.length ? 3 : 4, weight: 1, color: "#c9d3dd", fillOpacity: 0.5,
      className: "airport",
    })
      .bindTooltip(`${a.icao}${a.iata ? ` / ${a.iata}` : ""} ${a.name}`, {
        permanent: true, direction: "right", className: "airport-label",
      })
      .addTo(this.layer);
  }
}

// The receiver's position and observed coverage, when the server knows them; returns the
// position ({lat, lon}) or null.
export async function drawReceiver(map) {
  const L = window.L;
  let receiver;
  try {
    receiver = await api.receiver();
  } catch (_) {
    return null;
  }
  try {
    const outline = await api.outline();
    const points = (outline.actualRange && outline.actualRange.last24h.points) || [];
    if (points.length > 2) {
      L.polygon(points.map(([lat, lon]) => [lat, lon]), OUTLINE_STYLE)
        .bindTooltip("coverage observed (farthest position per bearing)", { sticky: true })
        .addTo(map);
    }
  } catch (_) {
    // no outline yet: the receiver mark alone
  }
  if (!Number.isFinite(receiver.lat) || !Number.isFinite(receiver.lon)) return null;
  L.circleMarker([receiver.lat, receiver.lon], {
    radius: 6, color: "#5fdc7c", weight: 2, fillOpacity: 0.3, className: "receiver",
  })
    .bindTooltip("receiver", { direction: "top" })
    .addTo(map);
  return { lat: receiver.lat, lon: receiver.lon };
}
