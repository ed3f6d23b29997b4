"""``manifest.json``: what a pack holds and where it came from, and ``verify`` over it.

The manifest lists the SHA-256 of every other file and carries its own: ``manifest_sha256`` is
the SHA-256 of the manifest text with that value blanked, so a change anywhere — in a data file
or in the manifest itself — is found and the file named.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SkywitnessError

MANIFEST = "manifest.json"
_SELF = re.compile(rb'"manifest_sha256": "([0-9a-f]{64})"')
_BLANK = b'"manifest_sha256": ""'


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(doc: dict[str, Any]) -> bytes:
    """The manifest text with its own hash filled in (``doc`` without ``manifest_sha256``)."""
    body = dict(doc, manifest_sha256="")
    blank = (json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    own = sha256(blank)
    return blank.replace(_BLANK, f'"manifest_sha256": "{own}"'.encode(), 1)


def file_entries(pack: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    return {
        n: {"sha256": sha256((pack / n).read_bytes()), "bytes": (pack / n).stat().st_size}
        for n in sorted(names)
    }


@dataclass
class VerifyReport:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra)

    def lines(self) -> list[str]:
        out = [f"changed: {n}" for n in self.changed]
        out += [f"missing: {n}" for n in self.missing]
        out += [f"not in the manifest: {n}" for n in self.extra]
        return out or [f"all {self.checked} files match their SHA-256"]


def check_self(raw: bytes) -> bool:
    """Whether the manifest text matches its own recorded hash."""
    hit = _SELF.search(raw)
    if hit is None:
        return False
    return sha256(raw.replace(hit.group(0), _BLANK, 1)) == hit.group(1).decode()


def read_manifest(pack: Path) -> dict[str, Any]:
    """The manifest as values; SkywitnessError when it is absent or unreadable."""
    try:
        doc = json.loads((pack / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SkywitnessError(f"{pack}: no {MANIFEST} (not an evidence pack)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SkywitnessError(f"{pack / MANIFEST}: unreadable: {exc}") from exc
    if not isinstance(doc, dict):
        raise SkywitnessError(f"{pack / MANIFEST}: not a JSON object")
    return doc


def verify_pack(pack: Path) -> VerifyReport:
    """Re-check every hash: the manifest's own, then each listed file; name what differs."""
    report = VerifyReport()
    path = pack / MANIFEST
    if not path.is_file():
        raise SkywitnessError(f"{pack}: no {MANIFEST} (not an evidence pack)")
    raw = path.read_bytes()
    report.checked = 1
    try:
        doc = json.loads(raw.decode("utf-8"))
        files = doc["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not an object")
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        report.changed.append(MANIFEST)
        return report
    if not check_self(raw):
        report.changed.append(MANIFEST)
    for name, entry in sorted(files.items()):
        p = pack / name
        report.checked += 1
        if not p.is_file():
            report.missing.append(name)
        elif sha256(p.read_bytes()) != str(entry.get("sha256", "")):
            report.changed.append(name)
    listed = set(files) | {MANIFEST}
    report.extra = sorted(
        str(p.relative_to(pack))
        for p in pack.rglob("*")
        if p.is_file() and str(p.relative_to(pack)) not in listed
    )
    return report
