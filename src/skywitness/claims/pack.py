"""The claim at the head of an evidence pack: sentence, parsed question and verdict.

``evidence.pack.write_pack`` writes the pack of the claim's question as for ``investigate``;
``add_claim_head`` then adds ``claim.toml`` (the question as read, ``investigate --question``
takes it) and ``claim.json``, puts a claim section at the top of ``report.html``, records the
claim in ``manifest.json`` and re-hashes, so ``verify`` and ``verify --rerun`` work unchanged.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..evidence.manifest import MANIFEST, file_entries, manifest_bytes, read_manifest
from ..evidence.pack import REPORT

CLAIM_TOML = "claim.toml"
CLAIM_JSON = "claim.json"
_HEAD = "<h1>Evidence report</h1>"


def claim_section(head: dict[str, Any]) -> str:
    """The HTML section: the sentence, the verdict and why, the choices made, the TOML."""
    e = html.escape
    reasons = "".join(f"<li>{e(r)}</li>" for r in head["reasons"])
    flights = "".join(f"<li>{e(f)}</li>" for f in head["flights"])
    notes = "".join(f"<li>{e(n)}</li>" for n in head["notes"])
    return (
        '<section class="claim"><h2>Claim</h2>'
        f"<blockquote>{e(head['sentence'])}</blockquote>"
        f"<p>published {e(head['published'])}</p>"
        f"<p><b>Verdict: {e(head['verdict'])}</b></p><ul>{reasons}</ul>"
        + (f"<h3>Flights that fit the claim</h3><ul>{flights}</ul>" if flights else "")
        + f"<h3>How the sentence was read</h3><ul>{notes}</ul>"
        f"<h3>The question asked</h3><pre>{e(head['question_toml'])}</pre></section>"
    )


def add_claim_head(pack: Path, head: dict[str, Any]) -> list[str]:
    """Add the claim to a written pack; the files it holds now (manifest last)."""
    (pack / CLAIM_TOML).write_text(head["question_toml"], encoding="utf-8")
    (pack / CLAIM_JSON).write_text(
        json.dumps(head, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    report = pack / REPORT
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace(_HEAD, _HEAD + claim_section(head), 1), encoding="utf-8")
    doc = read_manifest(pack)
    doc.pop("manifest_sha256", None)
    doc["claim"] = {k: head[k] for k in ("sentence", "published", "verdict", "reasons", "notes")}
    names = sorted({*doc["files"], CLAIM_TOML, CLAIM_JSON})
    doc["files"] = file_entries(pack, names)
    (pack / MANIFEST).write_bytes(manifest_bytes(doc))
    return [*names, MANIFEST]
