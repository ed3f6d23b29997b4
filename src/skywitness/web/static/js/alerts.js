// The Alerts tab: recent alerts from /api/alerts, then new ones as they arrive over SSE.

import { api } from "./api.js";
import { $, h } from "./dom.js";
import { isoSeconds } from "./format.js";

const MAX_SHOWN = 500;

export class Alerts {
  constructor({ onSelect, isActive }) {
    this.onSelect = onSelect;
    this.isActive = isActive;
    this.ids = new Set();
    this.unseen = 0;
  }

  async loadRecent() {
    try {
      const res = await api.alerts({ limit: 100 });
      // newest first from the API: add oldest first so the newest ends up on top
      for (const alert of [...res.alerts].reverse()) this.add(alert, false);
    } catch (err) {
      $("alerts-empty").textContent = `alerts unavailable: ${err.detail || err.message}`;
    }
  }

  add(alert, fresh = true) {
    if (alert.id && this.ids.has(alert.id)) return; // idempotent: SSE may repeat a loaded one
    if (alert.id) this.ids.add(alert.id);
    const list = $("alerts");
    const item = h("li", { onclick: () => this.onSelect(alert.icao24), dataset: { alertId: alert.id } },
      h("b", {}, alert.rule), ` ${alert.event} · ${alert.callsign || alert.icao24}`,
      h("div", {}, alert.message),
      h("div", { class: "sub" }, `${isoSeconds(alert.time)} · ${alert.icao24}`));
    list.prepend(item);
    while (list.children.length > MAX_SHOWN) list.lastChild.remove();
    $("alerts-empty").hidden = true;
    if (fresh && !this.isActive()) {
      this.unseen += 1;
      $("alert-count").textContent = String(this.unseen);
      $("alert-count").hidden = false;
    }
  }

  markSeen() {
    this.unseen = 0;
    $("alert-count").hidden = true;
  }
}
