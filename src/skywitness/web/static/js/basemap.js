// The map: an offline base map of country outlines (served by the API from a PyPI package),
// with OpenStreetMap tiles offered as an optional layer for users who are online.

import { api } from "./api.js";

const COUNTRY_STYLE = {
  color: "#3c5670",
  weight: 0.8,
  fillColor: "#1c2a38",
  fillOpacity: 1,
  interactive: false,
};

export function createMap(elementId) {
  const L = window.L;
  const map = L.map(elementId, {
    worldCopyJump: true,
    preferCanvas: false,
    minZoom: 2,
    zoomControl: true,
  }).setView([40, 0], 3);

  const outlines = L.geoJSON(null, { style: COUNTRY_STYLE });
  outlines.addTo(map);
  const osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "© OpenStreetMap contributors",
  });
  L.control
    .layers(
      { "Countries (offline)": outlines, "OpenStreetMap (online)": osm },
      {},
      { position: "topright" },
    )
    .addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // Keep the outlines under the tiles' attribution when switching back and forth.
  map.on("baselayerchange", (e) => {
    document.getElementById(elementId).dataset.base = e.name;
  });

  const ready = api
    .basemap()
    .then((geo) => {
      outlines.addData(geo);
      document.getElementById(elementId).dataset.basemap = String(geo.features.length);
    })
    .catch((err) => {
      document.getElementById("st-error").textContent = `base map: ${err.message}`;
    });
  return { map, outlines, ready };
}
