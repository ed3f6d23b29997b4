// The "Check a claim" tab: a sentence from the news and its publication date go to
// POST /api/check; the question it was read as comes back as editable fields (check again with
// them), with the choices made, the verdict, its reasons and the flights that fit.

import { api } from "./api.js";
import { clear, h } from "./dom.js";

// Editable fields: [key, label, kind] (list: comma-separated text).
const FIELDS = [
  ["registry_country", "registered in (ISO alpha-2)", "list"],
  ["classes", "class (military, government, police, civil)", "list"],
  ["operator", "operator (name or ICAO designator)", "text"],
  ["types", "type designators", "list"],
  ["registration", "registrations", "list"],
  ["callsign", "callsigns (globs)", "list"],
  ["icao24", "addresses (icao24)", "list"],
  ["action", "did", "action"],
  ["from", "from (airports or countries)", "list"],
  ["to", "to", "list"],
  ["at", "at", "list"],
  ["over", "over (countries, or airports: 30 nm)", "list"],
  ["first_day", "first day", "date"],
  ["last_day", "last day", "date"],
  ["count", "how many aircraft", "count"],
  ["time_zone", "days local to (time zone)", "text"],
];
const ACTIONS = ["landed", "departed", "flew", "was_at"];

function input(key, kind, value) {
  const id = `c-${key}`;
  if (kind === "action") {
    return h("select", { id, name: key }, ACTIONS.map((a) =>
      h("option", { value: a, selected: a === value }, a.replace("_", " "))));
  }
  if (kind === "list") return h("input", { id, name: key, value: (value || []).join(", ") });
  if (kind === "date") return h("input", { id, name: key, type: "date", value: value || "" });
  if (kind === "count") {
    return h("input", { id, name: key, type: "number", min: "1", value: value ?? "" });
  }
  return h("input", { id, name: key, value: value || "" });
}

function readFields(form) {
  const out = {};
  for (const [key, , kind] of FIELDS) {
    const raw = form.elements[key].value.trim();
    if (kind === "list") out[key] = raw ? raw.split(/[,\s]+/).filter(Boolean) : [];
    else if (kind === "count") out[key] = raw ? Number(raw) : null;
    else out[key] = raw || null;
  }
  out.operator = out.operator || "";
  return out;
}

export class ClaimCheck {
  constructor(container) {
    this.box = container;
    this.sentence = h("textarea", {
      id: "claim-sentence", rows: "3", placeholder: "Two Russian air force planes landed in Caracas",
      "aria-label": "Claim",
    });
    this.published = h("input", { id: "claim-published", type: "date", "aria-label": "Published" });
    this.result = h("div", { id: "claim-result" });
    const form = h("form", { id: "claim-form", onsubmit: (e) => { e.preventDefault(); this.run(null); } },
      h("label", {}, "Check a claim"), this.sentence,
      h("label", {}, "published ", this.published),
      h("button", { type: "submit" }, "Check"));
    container.append(form, this.result);
  }

  setDefaultDate(unix) {
    if (!this.published.value && unix) {
      this.published.value = new Date(unix * 1000).toISOString().slice(0, 10);
    }
  }

  async run(fields) {
    if (!this.published.value) this.published.value = new Date().toISOString().slice(0, 10);
    const body = { sentence: this.sentence.value.trim(), published: this.published.value };
    if (fields) body.fields = fields;
    clear(this.result).append(h("p", { class: "hint" }, "checking…"));
    try {
      this.show(await api.check(body));
    } catch (err) {
      clear(this.result).append(h("p", { class: "error", id: "claim-error" }, err.detail || err.message));
    }
  }

  show(answer) {
    const edit = h("form", { id: "claim-fields", onsubmit: (e) => {
      e.preventDefault();
      this.run(readFields(edit));
    } }, FIELDS.map(([key, label, kind]) =>
      h("label", {}, h("span", {}, label), input(key, kind, answer.fields[key]))),
    h("button", { type: "submit" }, "Check again with these fields"));
    clear(this.result).append(
      h("p", { id: "claim-verdict", class: `verdict ${answer.verdict.replace(" ", "-")}` },
        answer.verdict.toUpperCase()),
      h("ul", { id: "claim-reasons" }, answer.reasons.map((r) => h("li", {}, r))),
      answer.flights.length
        ? h("ul", { id: "claim-flights" }, answer.flights.map((f) => h("li", {}, f)))
        : null,
      h("h4", {}, "The question, as read"),
      edit,
      h("ul", { id: "claim-notes", class: "hint" }, answer.notes.map((n) => h("li", {}, n))),
      h("details", {}, h("summary", {}, "investigation TOML"),
        h("pre", { id: "claim-toml" }, answer.question_toml)),
    );
  }
}
