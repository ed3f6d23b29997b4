// Playback: replays the stored tracks of a set of flights over time with a slider, one
// marker per aircraft at its interpolated position (straight lines across bridged gaps).

import { altitudeColor } from "./colors.js";
import { isoSeconds } from "./format.js";

const PLAY_SECONDS = 60; // a full replay takes one minute of wall time
const FRAME_MS = 100;

// Position at time t along time-sorted points, linearly interpolated; null outside the span.
export function positionAt(points, t) {
  if (!points.length || t < points[0].t || t > points[points.length - 1].t) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].t <= t) lo = mid;
    else hi = mid;
  }
  const a = points[lo];
  const b = points[hi];
  const f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 0;
  return {
    lat: a.lat + (b.lat - a.lat) * f,
    lon: a.lon + (b.lon - a.lon) * f,
    alt: a.alt,
  };
}

export class Playback {
  constructor(map, { slider, timeLabel, playButton, box }) {
    this.map = map;
    this.slider = slider;
    this.timeLabel = timeLabel;
    this.playButton = playButton;
    this.box = box;
    this.layer = window.L.layerGroup().addTo(map);
    this.items = [];
    this.t0 = 0;
    this.t1 = 0;
    this.timer = null;
    slider.addEventListener("input", () => this.setFraction(slider.value / slider.max));
    playButton.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
  }

  // items: [{name, points: [{lat, lon, t, alt}]}] with points sorted by t.
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
    for (const it of this.items) {
      it.marker = window.L.circleMarker([it.points[0].lat, it.points[0].lon], {
        radius: 5, weight: 1, color: "#000", fillOpacity: 0.95, className: "pb-marker",
      }).bindTooltip(it.name, { permanent: true, direction: "right", className: "endpoint" });
    }
    this.box.hidden = false;
    this.slider.value = 0;
    this.setFraction(0);
    return this.items.length;
  }

  setFraction(fraction) {
    const t = this.t0 + (this.t1 - this.t0) * fraction;
    this.timeLabel.textContent = isoSeconds(t);
    for (const it of this.items) {
      const pos = positionAt(it.points, t);
      if (!pos) {
        this.layer.removeLayer(it.marker);
        continue;
      }
      it.marker.setLatLng([pos.lat, pos.lon]);
      it.marker.setStyle({ fillColor: altitudeColor(pos.alt) });
      if (!this.layer.hasLayer(it.marker)) this.layer.addLayer(it.marker);
    }
  }

  play() {
    const step = (Number(this.slider.max) * FRAME_MS) / (PLAY_SECONDS * 1000);
    this.playButton.textContent = "⏸";
    this.timer = window.setInterval(() => {
      const next = Math.min(Number(this.slider.value) + step, Number(this.slider.max));
      this.slider.value = next;
      this.setFraction(next / this.slider.max);
      if (next >= Number(this.slider.max)) this.pause();
    }, FRAME_MS);
  }

  pause() {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "▶";
  }

  clear() {
    this.pause();
    this.layer.clearLayers();
    this.items = [];
    this.box.hidden = true;
  }
}
