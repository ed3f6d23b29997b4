// Playback of stored flights, as Flightradar24's: a time slider, a speed, planes rotated by
// their track, trails of where they have been. A silence longer than the track's gap (10 min)
// is never flown as if observed: the plane is drawn hollow on a dashed "estimated" line.

import { planeElement } from "./aircraft.js";
import { altitudeColor } from "./colors.js";
import { isoSeconds } from "./format.js";
import { setIcon } from "./icons.js";

const FRAME_MS = 100;
export const SPEEDS = [1, 10, 60, 300, 1200, 3600]; // × real time
const DEFAULT_SPEED = 300;
const GAP_STYLE = { color: "#e0e0e0", weight: 2, dashArray: "6 6", opacity: 0.9 };

function bearing(a, b) {
  const rad = Math.PI / 180;
  const y = Math.sin((b.lon - a.lon) * rad) * Math.cos(b.lat * rad);
  const x = Math.cos(a.lat * rad) * Math.sin(b.lat * rad) -
    Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lon - a.lon) * rad);
  return (Math.atan2(y, x) / rad + 360) % 360;
}

// Index of the last point at or before t (-1 before the first).
export function indexAt(points, t) {
  let lo = 0;
  let hi = points.length - 1;
  if (!points.length || t < points[0].t) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (points[mid].t <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Position at time t along time-sorted points {lat, lon, t, alt, run}, linearly interpolated,
// with the direction of travel; `estimated` between two runs (a silence); null outside the span.
export function positionAt(points, t) {
  if (!points.length || t < points[0].t || t > points[points.length - 1].t) return null;
  const lo = Math.min(indexAt(points, t), points.length - 2);
  const a = points[Math.max(lo, 0)];
  const b = points[Math.max(lo, 0) + (points.length > 1 ? 1 : 0)];
  const f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 0;
  return {
    lat: a.lat + (b.lat - a.lat) * f,
    lon: a.lon + (b.lon - a.lon) * f,
    alt: a.alt,
    track: a === b ? 0 : bearing(a, b),
    estimated: (a.run ?? 0) !== (b.run ?? 0),
  };
}

export class Playback {
  constructor(map, { slider, timeLabel, playButton, speedSelect, box }) {
    this.map = map;
    this.slider = slider;
    this.timeLabel = timeLabel;
    this.playButton = playButton;
    this.box = box;
    this.layer = window.L.layerGroup().addTo(map);
    this.items = [];
    this.t0 = 0;
    this.t1 = 0;
    this.t = 0;
    this.timer = null;
    this.speed = DEFAULT_SPEED;
    speedSelect.replaceChildren(...SPEEDS.map((s) => new Option(`${s}×`, String(s))));
    speedSelect.value = String(DEFAULT_SPEED);
    speedSelect.addEventListener("change", () => { this.speed = Number(speedSelect.value); });
    slider.addEventListener("input", () => this.setFraction(slider.value / slider.max));
    playButton.addEventListener("click", () => this.toggle());
    setIcon(playButton, "play", "Play");
  }

  // items: [{name, points: [{lat, lon, t, alt, run}]}] with points sorted by t.
  load(items) {
    this.pause();
    this.layer.clearLayers();
    this.items = items.filter((it) => it.points.length > 1);
    if (!this.items.length) {
      this.box.hidden = true;
      return 0;
    }
    this.t0 = Math.min(...this.items.map((it) => it.points[0].t));
    this.t1 = Math.max(...this.items.map((it) => it.points[it.points.length - 1].t));
    for (const it of this.items) this.prepare(it);
    this.box.hidden = false;
    this.slider.value = 0;
    this.setFraction(0);
    return this.items.length;
  }

  prepare(it) {
    const parts = planeElement();
    parts.text.textContent = it.name;
    it.parts = parts;
    it.marker = window.L.marker([it.points[0].lat, it.points[0].lon], {
      icon: window.L.divIcon({ className: "ac-icon pb-marker", html: parts.root,
        iconSize: [24, 24], iconAnchor: [12, 12] }),
      keyboard: false, interactive: false,
    });
    it.trail = window.L.polyline([], { weight: 2, opacity: 0.8, className: "pb-trail" });
    it.gaps = []; // one dashed line per silence, drawn once the plane reaches it
    it.points.forEach((p, k) => {
      const q = it.points[k + 1];
      if (q && (q.run ?? 0) !== (p.run ?? 0)) {
        it.gaps.push({ from: p, to: q, line: window.L.polyline([], { ...GAP_STYLE, className: "pb-gap" }) });
      }
    });
    it.shown = -2;
  }

  setFraction(fraction) {
    this.t = this.t0 + (this.t1 - this.t0) * fraction;
    this.timeLabel.textContent = isoSeconds(this.t);
    for (const it of this.items) this.draw(it, this.t);
  }

  draw(it, t) {
    const pos = positionAt(it.points, t);
    const k = indexAt(it.points, t);
    if (k !== it.shown) { // the trail: observed points so far (its silences are the gaps)
      it.shown = k;
      const run = k >= 0 ? it.points[k].run ?? 0 : 0;
      it.trail.setLatLngs(it.points.slice(0, k + 1).filter((p) => (p.run ?? 0) === run)
        .map((p) => [p.lat, p.lon]));
      if (!this.layer.hasLayer(it.trail)) this.layer.addLayer(it.trail);
    }
    for (const g of it.gaps) {
      const reached = t >= g.from.t;
      const end = t >= g.to.t ? g.to : pos;
      g.line.setLatLngs(reached && end ? [[g.from.lat, g.from.lon], [end.lat, end.lon]] : []);
      if (reached && !this.layer.hasLayer(g.line)) this.layer.addLayer(g.line);
    }
    if (!pos) {
      this.layer.removeLayer(it.marker);
      return;
    }
    it.marker.setLatLng([pos.lat, pos.lon]);
    it.parts.path.setAttribute("fill", pos.estimated ? "none" : altitudeColor(pos.alt));
    it.parts.svg.style.transform = `rotate(${pos.track}deg)`;
    it.trail.setStyle({ color: altitudeColor(pos.alt) });
    if (!this.layer.hasLayer(it.marker)) this.layer.addLayer(it.marker);
    const el = it.marker.getElement();
    if (el) el.classList.toggle("estimated", pos.estimated);
  }

  toggle() {
    if (this.timer) this.pause();
    else if (this.items.length) this.play();
  }

  play() {
    if (Number(this.slider.value) >= Number(this.slider.max)) this.slider.value = 0;
    setIcon(this.playButton, "pause", "Pause");
    let last = performance.now();
    this.timer = window.setInterval(() => {
      const now = performance.now();
      const span = Math.max(this.t1 - this.t0, 1e-9);
      const t = Math.min(this.t + ((now - last) / 1000) * this.speed, this.t1);
      last = now;
      const fraction = (t - this.t0) / span;
      this.slider.value = fraction * Number(this.slider.max);
      this.setFraction(fraction);
      if (t >= this.t1) this.pause();
    }, FRAME_MS);
  }

  pause() {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = null;
    setIcon(this.playButton, "play", "Play");
  }

  clear() {
    this.pause();
    this.layer.clearLayers();
    this.items = [];
    this.box.hidden = true;
  }
}
