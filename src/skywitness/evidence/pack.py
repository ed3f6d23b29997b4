"""The evidence pack: answer a question, write report + exports + manifest, and rerun it.

``investigate`` answers (query + coverage); ``write_pack`` writes the directory; ``rerun``
recomputes a pack's answer from the store and lists the data files that would now differ.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..store import IngestRecord, Store, iso_z
from .answer import paragraph
from .coverage import PlaceCoverage, place_coverage, store_coverage
from .exports import DATA_FILES, data_files
from .manifest import MANIFEST, file_entries, manifest_bytes, read_manifest, sha256
from .pdf import print_pdf
from .places import Outlines, resolve
from .query import Result, ask
from .question import Question, from_dict
from .report import render

REPORT = "report.html"
PDF = "report.pdf"


@dataclass
class Investigation:
    result: Result
    coverage: list[PlaceCoverage]
    inputs: list[IngestRecord] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)  # aircraft DB imports

    @property
    def answer(self) -> str:
        return paragraph(self.result, self.coverage)


def coverage_places(result: Result) -> list[str]:
    """The question's places, then the airports of the matching flights."""
    codes = list(result.question.places)
    for m in result.matches:
        for key in ("estDepartureAirport", "estArrivalAirport"):
            code = m.flight.get(key)
            if code and code not in codes:
                codes.append(str(code))
    return codes


def investigate(store: Store, q: Question, outlines: Outlines | None = None) -> Investigation:
    """Answer ``q``: matching flights, positions, and coverage of the places and times.

    ``outlines``: country outlines (places by country, the map, naming where gaps lay)."""
    outlines = outlines or Outlines()
    result = ask(store, q, outlines)
    places = coverage_places(result)
    cov = [place_coverage(store, resolve(c, outlines), q.since, q.until) for c in places]
    if not cov:
        cov = [store_coverage(store, q.since, q.until)]
    inputs = [r for r in store.ingests() if r.status == "done"]
    return Investigation(result, cov, inputs, reference_imports(store))


def reference_imports(store: Store) -> list[dict[str, Any]]:
    """The aircraft DB / watchlist imports behind the identity facts (empty when none)."""
    table = store.table("aircraft_imports")
    if table is None:
        return []
    keep = ("source", "kind", "path", "source_version", "sha256", "imported_at", "rows_read")
    rows = [{k: r.get(k) for k in keep} for r in table.to_pylist()]
    for r in rows:
        r["imported_at"] = iso_z(r["imported_at"]) if r["imported_at"] else None
    return sorted(rows, key=lambda r: (str(r["imported_at"]), str(r["source"])))


def _input_dict(r: IngestRecord) -> dict[str, Any]:
    d = asdict(r)
    d["started"], d["finished"] = iso_z(r.started), iso_z(r.finished)
    return d


def write_pack(
    inv: Investigation,
    out: Path,
    *,
    command: list[str],
    store_dir: Path,
    pdf: bool = False,
    engine: dict[str, str] | None = None,
) -> tuple[list[str], str]:
    """Write the pack into ``out``; returns (files written, PDF message or "").

    ``engine``: where the rows were read when not by the embedded store (``spark
    investigate``: the engine, its master and the lake), recorded in the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    generated = iso_z(datetime.now(UTC).replace(microsecond=0))
    cmdline = " ".join(command)
    files = data_files(inv.result)
    for name, data in files.items():
        (out / name).write_bytes(data)
    html = render(
        inv.result,
        inv.coverage,
        inv.inputs,
        inv.references,
        command=cmdline,
        basemap=inv.result.outlines.doc,
        generated=generated,
    )
    (out / REPORT).write_text(html, encoding="utf-8")
    names = [*files, REPORT]
    note = ""
    if pdf:
        note = print_pdf(out / REPORT, out / PDF)
        if not note:
            names.append(PDF)
    doc = {
        "skywitness_version": __version__,
        "created": generated,
        "command": command,
        "command_line": cmdline,
        "question": inv.result.question.as_dict(),
        "question_text": inv.result.question.describe(),
        "store": str(store_dir.resolve()),
        "inputs": [_input_dict(r) for r in inv.inputs],
        "reference_inputs": inv.references,
        "answer": inv.answer,
        "matches": len(inv.result.matches),
        "positions": inv.result.positions.num_rows,
        "coverage": [c.as_dict() for c in inv.coverage],
        "files": file_entries(out, names),
    }
    if engine is not None:
        doc["engine"] = engine
    (out / MANIFEST).write_bytes(manifest_bytes(doc))
    return [*sorted(names), MANIFEST], note


def rerun(pack: Path, store: Store, outlines: Outlines | None = None) -> list[str]:
    """Recompute the pack's answer from ``store``; the differences found (empty: none)."""
    doc = read_manifest(pack)
    q = from_dict(doc["question"])
    inv = investigate(store, q, outlines)
    diffs: list[str] = []
    fresh = data_files(inv.result)
    recorded = doc.get("files", {})
    for name in DATA_FILES:
        was = recorded.get(name, {}).get("sha256")
        if was != sha256(fresh[name]):
            diffs.append(f"{name}: the data now differs from the pack")
    if doc.get("answer") != inv.answer:
        diffs.append(f"answer now reads: {inv.answer}")
    return diffs


def question_of(pack: Path) -> Question:
    return from_dict(read_manifest(pack)["question"])
