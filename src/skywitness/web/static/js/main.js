// Entry point: wires the map, the live aircraft layer (polling + SSE), the aircraft table,
// search, filters, the aircraft panel, history with playback, alerts, airports and the
// receiver's coverage, units and theme, and the keyboard shortcuts.

import { AircraftLayer } from "./aircraft.js";
import { Alerts } from "./alerts.js";
import { api } from "./api.js";
import { createMap } from "./basemap.js";
import { ClaimCheck } from "./check.js";
import { legendStops } from "./colors.js";
import { $, clear, h } from "./dom.js";
import { countriesOf, makeFilter } from "./filters.js";
import { isoSeconds, parseIso } from "./format.js";
import { History } from "./history.js";
import { bindKeys, SHORTCUTS } from "./keys.js";
import { renderPanel, setTrackText } from "./panel.js";
import { AirportsLayer, drawReceiver } from "./places.js";
import { Playback } from "./playback.js";
import { Search } from "./search.js";
import { applyTheme, cycleSetting, onSettings, setSetting, settings } from "./settings.js";
import { connectStream } from "./stream.js";
import { AircraftTable } from "./table.js";
import { trackLayer, trackSummary } from "./track.js";

const POLL_MS = 1000; // the API rebuilds its snapshot at most once a second
const MAX_TRACK_SPAN_S = 7 * 86400 - 60; // the track endpoint's range limit, with a margin
const PANEL_REFRESH_MS = 15000; // a selected aircraft's panel follows its flights this often

applyTheme();
const { map, ready: basemapReady } = createMap("map");
window.skywitness = { map }; // a handle for the console and the browser tests
const selection = window.L.featureGroup().addTo(map);
const state = {
  selected: null,
  now: null,
  countries: "",
  activeTab: "aircraft",
  refreshed: 0,
  refreshTimer: null,
  selectSeq: 0, // the newest panel request: older answers are dropped
  fitted: false,
};
const FIRST_VIEW_MAX_ZOOM = 7;

const layer = new AircraftLayer(map, { onClick: (icao24) => selectAircraft(icao24) });
const table = new AircraftTable($("ac-list"), {
  onSelect: (icao24) => selectAircraft(icao24, { zoom: true }),
});
const playback = new Playback(map, {
  slider: $("pb-slider"), timeLabel: $("pb-time"), playButton: $("pb-play"),
  speedSelect: $("pb-speed"), box: $("playback"),
});
new AirportsLayer(map);
const alerts = new Alerts({
  onSelect: (icao24) => selectAircraft(icao24, { zoom: true }),
  isActive: () => state.activeTab === "alerts",
});
const history = new History(map, playback, { onFlight: (f) => showFlight(f), onError: showError });
// ?history=2019-09-20 (or 2019-09-19..2019-09-21): open History on those days, flights drawn.
const askedDays = new URLSearchParams(window.location.search).get("history");
new Search(() => layer.all(), (icao24, opts) => selectAircraft(icao24, opts));
const claimCheck = new ClaimCheck($("tab-check"));

function showError(err) {
  $("st-error").textContent = err ? `${err.detail || err.message}` : "";
}

function switchTab(name) {
  state.activeTab = name;
  for (const btn of document.querySelectorAll("#tabs button")) {
    btn.classList.toggle("active", btn.dataset.tab === name);
  }
  for (const sec of document.querySelectorAll(".tab")) {
    sec.classList.toggle("active", sec.id === `tab-${name}`);
  }
  if (name === "alerts") alerts.markSeen();
}

// ---- live aircraft -------------------------------------------------------------------------

function refreshCountries(aircraft) {
  const pairs = countriesOf(aircraft);
  const key = pairs.map(([iso]) => iso).join(",");
  if (key === state.countries) return;
  state.countries = key;
  const select = $("f-country");
  const current = select.value;
  clear(select).append(
    h("option", { value: "" }, "any country"),
    ...pairs.map(([iso, name]) => h("option", { value: iso }, `${name} (${iso})`)),
  );
  select.value = current;
}

// The table lists every live aircraft the map's filters let through (with or without position).
function refreshTable() {
  table.update(layer.all().filter((ac) => layer.filter(ac)), state.now || 0);
}

function updateStatus() {
  $("st-count").textContent = `${layer.visibleCount()} shown / ${layer.records.size} aircraft`;
  $("st-time").textContent = state.now ? isoSeconds(state.now) : "";
}

async function poll() {
  try {
    const snap = await api.aircraft();
    state.now = snap.now;
    layer.update(snap.aircraft);
    refreshTable();
    if (!state.fitted) fitFirstView(snap.aircraft);
    refreshCountries(snap.aircraft);
    // The newest data time, not the wall clock: a replayed capture lives in its own past.
    const dataNow = Math.max(0, ...snap.aircraft.map((a) => a.last_seen || 0));
    history.setDefaultRange(dataNow || snap.now);
    claimCheck.setDefaultDate(dataNow || snap.now);
    updateStatus();
    showError(null);
    document.body.dataset.ready = "1";
  } catch (err) {
    showError(err);
  } finally {
    window.setTimeout(poll, POLL_MS);
  }
}

// On the first snapshot with positions, show where the traffic is.
function fitFirstView(aircraft) {
  const points = aircraft
    .filter((a) => Number.isFinite(a.latitude) && Number.isFinite(a.longitude))
    .map((a) => [a.latitude, a.longitude]);
  if (!points.length) return;
  state.fitted = true;
  document.body.dataset.fitted = "1";
  if (state.selected) return; // the user already chose what to look at
  map.fitBounds(window.L.latLngBounds(points), {
    padding: [60, 60], maxZoom: FIRST_VIEW_MAX_ZOOM, animate: false,
  });
}

function readFilters() {
  const number = (id) => {
    const v = $(id).value;
    return v === "" ? NaN : Number(v);
  };
  layer.setFilter(
    makeFilter({
      military: $("f-military").checked,
      government: $("f-government").checked,
      watched: $("f-watched").checked,
      country: $("f-country").value,
      altMin: number("f-alt-min"),
      altMax: number("f-alt-max"),
    }),
  );
  refreshTable();
  updateStatus();
}

// ---- selection: panel + track --------------------------------------------------------------

function trackRange(detail) {
  const live = detail.live;
  let since = null;
  let until = null;
  if (live) {
    since = live.first_seen - 60;
    until = live.last_seen + 60;
  } else if (detail.flights && detail.flights.length) {
    since = parseIso(detail.flights[0].firstSeen);
    until = parseIso(detail.flights[0].lastSeen);
  }
  if (since === null || until === null) return {};
  return { since: Math.max(since, until - MAX_TRACK_SPAN_S), until };
}

function drawTrack(geo, flight) {
  selection.clearLayers();
  const group = trackLayer(geo, flight);
  group.addTo(selection);
  return group;
}

async function selectAircraft(icao24, { zoom = false } = {}) {
  const seq = ++state.selectSeq;
  state.selected = icao24;
  layer.select(icao24);
  table.select(icao24);
  switchTab("aircraft");
  const container = $("ac-detail");
  let detail;
  try {
    detail = await api.aircraftDetail(icao24);
  } catch (err) {
    clear(container).append(h("p", { class: "hint" }, `${icao24}: ${err.detail || err.message}`));
    return;
  }
  if (seq !== state.selectSeq) return; // a newer request (click or refresh) came first
  renderPanel(container, detail, { onFlight: showFlight, onClose: closePanel });
  const live = detail.live;
  if (zoom && live && Number.isFinite(live.latitude)) {
    map.setView([live.latitude, live.longitude], Math.max(map.getZoom(), 6));
  }
  try {
    const geo = await api.track(icao24, trackRange(detail));
    if (seq !== state.selectSeq) return;
    const group = drawTrack(geo, null);
    setTrackText(container, trackSummary(geo));
    if (zoom && !live && group.points.length) map.fitBounds(group.getBounds(), { padding: [30, 30] });
  } catch (err) {
    setTrackText(container, `track unavailable: ${err.detail || err.message}`);
  }
}

// A flight of the selected aircraft changed: refresh its panel (flight list) without moving the
// map, at most once per PANEL_REFRESH_MS; a change inside that time is applied at its end, never
// dropped (flight messages come only when something changed).
function schedulePanelRefresh(icao24) {
  if (state.refreshTimer !== null) return;
  const wait = Math.max(0, state.refreshed + PANEL_REFRESH_MS - Date.now());
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    if (state.selected === icao24 && state.activeTab === "aircraft") {
      state.refreshed = Date.now();
      selectAircraft(icao24);
    }
  }, wait);
}

async function showFlight(flight) {
  try {
    const geo = await api.track(flight.icao24, {
      since: flight.firstSeen,
      until: flight.lastSeen,
    });
    const group = drawTrack(geo, flight);
    if (group.points.length) map.fitBounds(group.getBounds(), { padding: [40, 40] });
    for (const li of document.querySelectorAll("[data-flight-id]")) {
      li.classList.toggle("active", li.dataset.flightId === flight.flight_id);
    }
    setTrackText($("ac-detail"), trackSummary(geo));
  } catch (err) {
    showError(err);
  }
}

function closePanel() {
  state.selected = null;
  layer.select(null);
  table.select(null);
  selection.clearLayers();
  clear($("ac-detail"));
}

// ---- settings and keys ---------------------------------------------------------------------

function showSettings() {
  const s = settings();
  $("s-alt").value = s.altUnit;
  $("s-speed").value = s.speedUnit;
  $("s-theme").textContent = s.theme === "dark" ? "light" : "dark";
}

function toggleCheckbox(id) {
  const box = $(id);
  box.checked = !box.checked;
  box.dispatchEvent(new Event("change"));
}

function showHelp() {
  clear($("help-keys")).append(...SHORTCUTS.map(([key, what]) => h("tr", {}, h("td", {}, key), h("td", {}, what))));
  $("help").showModal();
}

// ---- wiring --------------------------------------------------------------------------------

for (const btn of document.querySelectorAll("#tabs button")) {
  btn.addEventListener("click", () => switchTab(btn.dataset.tab));
}
for (const id of ["f-military", "f-government", "f-watched", "f-country", "f-alt-min", "f-alt-max"]) {
  $(id).addEventListener("change", readFilters);
  $(id).addEventListener("input", readFilters);
}
$("f-trails").addEventListener("change", () => layer.setTrails($("f-trails").checked));
$("f-labels").addEventListener("change", () =>
  $("map").classList.toggle("hide-labels", !$("f-labels").checked),
);
$("legend").append(
  "altitude ft ",
  ...legendStops().map(([alt, color]) =>
    h("i", { style: `background:${color}`, title: `${alt.toLocaleString("en-US")} ft` }),
  ),
  " 40,000+",
);

$("s-alt").addEventListener("change", () => setSetting("altUnit", $("s-alt").value));
$("s-speed").addEventListener("change", () => setSetting("speedUnit", $("s-speed").value));
$("s-theme").addEventListener("click", () => cycleSetting("theme"));
$("s-help").addEventListener("click", showHelp);
onSettings(() => {
  showSettings();
  refreshTable();
  if (state.selected) selectAircraft(state.selected); // the panel in the new units
});
showSettings();
bindKeys({
  search: () => $("search").focus(),
  escape: () => {
    if ($("help").open) $("help").close();
    else if (state.selected) closePanel();
    $("search-results").hidden = true;
  },
  tab: switchTab,
  toggle: toggleCheckbox,
  units: () => {
    const metric = settings().altUnit === "ft";
    setSetting("altUnit", metric ? "m" : "ft");
    setSetting("speedUnit", metric ? "km/h" : "kt");
  },
  theme: () => cycleSetting("theme"),
  playPause: () => playback.toggle(),
  help: showHelp,
});
drawReceiver(map).then((position) => table.setReceiver(position));

connectStream(
  {
    positions: (msg) => {
      layer.applyPositions(msg.aircraft || []);
      updateStatus();
    },
    alert: (alert) => alerts.add(alert),
    flight: (f) => {
      if (f.icao24 && f.icao24 === state.selected) schedulePanelRefresh(f.icao24);
    },
  },
  (on) => {
    $("st-stream").textContent = on ? "stream: live" : "stream: reconnecting";
    $("st-stream").className = on ? "on" : "off";
  },
);
alerts.loadRecent();
basemapReady.then(async () => {
  if (askedDays) {
    const [since, until] = askedDays.split("..");
    switchTab("history");
    history.open(since, until || since).catch(showError);
  } else {
    // Serving a store without live feeds: History opens on the newest stored day.
    try {
      const last = (await api.stats()).store?.last;
      if (last) history.setDefaultRange(Date.parse(last) / 1000);
    } catch (_) {
      // no stats (auth, no store): the live data's day is the default
    }
  }
  poll();
});
