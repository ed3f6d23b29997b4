"""``report.html``: the evidence pack's page, self-contained (inline CSS and SVG, no requests).

Sections: the question as asked, the answer paragraph, the flights table, the map, the timeline,
each aircraft's identity with the source of every field, ranked airport alternatives, coverage
and the inputs. Pure: values in, HTML text out.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .. import __version__
from ..store import IngestRecord, iso_z
from .answer import flight_rows, paragraph
from .coverage import PlaceCoverage
from .query import Match, Result
from .svg import map_svg, timeline_svg

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;
max-width:960px;color:#1d1d1f;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd}
.muted{color:#666;font-size:13px}.answer{background:#f3f7fb;border-left:4px solid #1b65a6;
padding:10px 14px}table{border-collapse:collapse;width:100%;font-size:13px}
td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#fafafa}svg{width:100%;height:auto;border:1px solid #ccc;margin:6px 0}
.lbl{font:11px system-ui,sans-serif;fill:#222}code{font-size:12px}
@media print{body{margin:0}h2{break-after:avoid}svg{break-inside:avoid}}
"""


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _identity(m: Match) -> str:
    i = m.identity
    rows = [[f.field, f.value, f.source] for f in i.facts]
    rows += [["classification", i.classification, "; ".join(r.source for r in i.reasons) or "—"]]
    rows += [[f"reason: {r.kind}", r.detail, r.source] for r in i.reasons]
    rows += [[f"other: {f.field}", f.value, f.source] for f in i.other_facts]
    title = f"{m.flight['icao24']} {m.flight.get('callsign') or ''}"
    return f"<h3>{escape(title)}</h3>" + _table(["field", "value", "source"], rows)


def _alternatives(m: Match) -> str:
    rows = []
    for end, key in (("departure", "departure_alternatives"), ("arrival", "arrival_alternatives")):
        for rank, alt in enumerate(m.flight.get(key) or [], start=1):
            rows.append(
                [
                    f"{m.flight['icao24']} {end}",
                    str(rank),
                    str(alt.get("airport") or ""),
                    f"{float(alt.get('distance_m') or 0):,.0f} m",
                    f"{float(alt.get('score') or 0):.2f}",
                ]
            )
    return _table(["flight end", "rank", "airport", "distance", "score"], rows) if rows else ""


def _inputs_table(inputs: list[IngestRecord], references: list[dict[str, Any]]) -> str:
    """The ingested files and, when any, the aircraft databases and watchlists behind the
    identities."""
    ins = _table(
        ["#", "source", "SHA-256", "format", "read", "stored", "rejected", "status"],
        [
            [
                str(r.id),
                r.source,
                r.sha256 or "(live)",
                r.format,
                f"{r.rows_read:,}",
                f"{r.rows_stored:,}",
                f"{r.rows_rejected:,}",
                r.status,
            ]
            for r in inputs
        ],
    )
    if references:
        ins += "<p class='muted'>Aircraft databases and watchlists behind the identities:</p>"
        ins += _table(
            ["source", "kind", "file", "version", "SHA-256", "rows", "imported"],
            [
                [
                    str(r["source"]),
                    str(r["kind"]),
                    str(r["path"]),
                    str(r["source_version"]),
                    str(r["sha256"]),
                    f"{int(r['rows_read'] or 0):,}",
                    str(r["imported_at"] or ""),
                ]
                for r in references
            ],
        )
    return ins


def render(
    result: Result,
    coverage: list[PlaceCoverage],
    inputs: list[IngestRecord],
    references: list[dict[str, Any]],
    *,
    command: str,
    basemap: dict[str, Any],
    generated: str,
) -> str:
    """The whole report page."""
    q = result.question
    rows = flight_rows(result)
    table = (
        _table(
            ["aircraft", "departure", "arrival", "observed / estimated", "gaps bridged"],
            [[r["aircraft"], r["departure"], r["arrival"], r["how"], r["gaps"]] for r in rows],
        )
        if rows
        else "<p>No flight matches.</p>"
    )
    alts = "".join(_alternatives(m) for m in result.matches) or "<p>None recorded.</p>"
    ins = _inputs_table(inputs, references)
    asked = escape(q.text) + "<br>" if q.text else ""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>skywitness evidence: {escape(q.text or q.describe())}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Evidence report</h1>",
        f"<p class='muted'>skywitness {escape(__version__)} · generated {escape(generated)} · "
        "every file of this pack is listed with its SHA-256 in manifest.json; check it with "
        "<code>skywitness verify</code>.</p>",
        f"<h2>Question</h2><p>{asked}<b>{escape(q.describe())}</b></p>",
        f"<p class='muted'>command: <code>{escape(command)}</code></p>",
        f"<h2>Answer</h2><p class='answer' id='answer'>{escape(paragraph(result, coverage))}</p>",
        f"<h2>Flights</h2>{table}",
    ]
    if result.matches:
        parts += [
            "<h2>Map</h2>",
            map_svg(result.matches, result.positions, basemap),
            "<h2>Timeline</h2>",
            "<p class='muted'>Bars: positions received. Dashed: no data (gap bridged).</p>",
            timeline_svg(result.matches, result.positions),
            "<h2>Identity</h2><p class='muted'>Each value with the source behind it.</p>",
            "".join(_identity(m) for m in result.matches),
            f"<h2>Airport alternatives</h2>{alts}",
        ]
    parts += [
        "<h2>Coverage</h2><p class='muted'>What the stored data could have shown at the places "
        "and times asked, all aircraft counted.</p><ul>",
        "".join(f"<li>{escape(c.sentence())}</li>" for c in coverage),
        "</ul>",
        f"<h2>Inputs</h2>{ins}",
        f"<p class='muted'>Positions used: {result.positions.num_rows:,} state vectors "
        f"(positions.csv / positions.parquet). Window: {escape(iso_z(q.since) or '…')} – "
        f"{escape(iso_z(q.until) or '…')}.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
