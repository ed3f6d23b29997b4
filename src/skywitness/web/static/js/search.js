// The search box: matches live aircraft by icao24, registration or callsign as you type;
// Enter (or Find) selects the best match. An unknown 6-hex address is looked up directly.

import { $, clear, h } from "./dom.js";
import { searchAircraft } from "./filters.js";
import { label } from "./format.js";

const HEX24 = /^~?[0-9a-f]{6}$/i;

export class Search {
  constructor(getAircraft, onSelect) {
    this.getAircraft = getAircraft;
    this.onSelect = onSelect;
    this.input = $("search");
    this.results = $("search-results");
    this.input.addEventListener("input", () => this.show());
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.hide();
    });
    $("search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    document.addEventListener("click", (e) => {
      if (!$("search-form").contains(e.target)) this.hide();
    });
  }

  show() {
    const hits = searchAircraft(this.getAircraft(), this.input.value);
    clear(this.results).append(
      ...hits.map((ac) =>
        h("li", { onclick: () => this.choose(ac.icao24), dataset: { icao24: ac.icao24 } },
          h("b", {}, label(ac)), ` ${ac.icao24}`,
          ac.registration ? ` · ${ac.registration}` : "",
          ac.typecode ? ` · ${ac.typecode}` : ""),
      ),
    );
    this.results.hidden = hits.length === 0;
  }

  submit() {
    const query = this.input.value.trim();
    if (!query) return;
    const hits = searchAircraft(this.getAircraft(), query, 1);
    if (hits.length) this.choose(hits[0].icao24);
    else if (HEX24.test(query)) this.choose(query.toLowerCase()); // maybe stored, not live
    else {
      clear(this.results).append(h("li", { class: "hint" }, `no live aircraft matches “${query}”`));
      this.results.hidden = false;
    }
  }

  choose(icao24) {
    this.hide();
    this.onSelect(icao24, { zoom: true });
  }

  hide() {
    this.results.hidden = true;
  }
}
