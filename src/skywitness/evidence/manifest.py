"""``manifest.json``: what a pack holds and where it came from, and ``verify`` over it.

The manifest lists the SHA-256 of every other file and carries its own: ``manifest_sha256`` is
the SHA-256 of the manifest text with that value blanked, so a change anywhere — in a data file
or in the manifest itself — is found and the file named. Names in the manifest are not trusted
(``packfs``): absolute, escaping and symlinked entries are reported unsafe and never opened, and
unlisted files and directories are named. A recomputed manifest passes the hashes by design; a
detached signature (``sign``) by a key the reader trusts catches it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import SkywitnessError
from .packfs import sha256_file, unsafe_name, walk_pack
from .sign import SIGNATURE, check_signature

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
        n: {"sha256": sha256_file(pack / n), "bytes": (pack / n).stat().st_size}
        for n in sorted(names)
    }


@dataclass
class VerifyReport:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # files and directories not listed
    unsafe: list[str] = field(default_factory=list)  # "name: why" (never opened or followed)
    signature: str | None = None  # None: not asked; "": valid; else why not
    checked: int = 0

    @property
    def ok(self) -> bool:
        bad_sig = self.signature is not None and self.signature != ""
        return not (self.changed or self.missing or self.extra or self.unsafe or bad_sig)

    def lines(self) -> list[str]:
        out = [f"unsafe: {n}" for n in self.unsafe]
        out += [f"changed: {n}" for n in self.changed]
        out += [f"missing: {n}" for n in self.missing]
        out += [f"not in the manifest: {n}" for n in self.extra]
        if self.signature:
            out.append(f"signature: {self.signature}")
        if not out:
            out = [f"all {self.checked} files match their SHA-256"]
            if self.signature == "":
                out.append(f"signature: {SIGNATURE} is valid for the given key")
        return out


def check_self(raw: bytes) -> bool:
    """Whether the manifest text matches its own recorded hash."""
    hit = _SELF.search(raw)
    if hit is None:
        return False
    return sha256(raw.replace(hit.group(0), _BLANK, 1)) == hit.group(1).decode()


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except RecursionError as exc:  # nested deeper than the parser's limit
        raise ValueError("JSON nested too deep") from exc


def read_manifest(pack: Path) -> dict[str, Any]:
    """The manifest as values; SkywitnessError when it is absent or unreadable."""
    path = pack / MANIFEST
    if path.is_symlink():
        raise SkywitnessError(f"{path}: a symlink (not followed)")
    try:
        doc = _loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise SkywitnessError(f"{pack}: no {MANIFEST} (not an evidence pack)") from exc
    except (OSError, ValueError) as exc:
        raise SkywitnessError(f"{path}: unreadable: {exc}") from exc
    if not isinstance(doc, dict):
        raise SkywitnessError(f"{path}: not a JSON object")
    return doc


def verify_pack(pack: Path, signer: Path | None = None) -> VerifyReport:
    """Re-check every hash: the manifest's own, then each listed file; name what differs, every
    unsafe entry (absolute, escaping, symlinked: never opened) and everything unlisted. With
    ``signer`` (an OpenSSH public key), also check ``manifest.json.sig``."""
    report = VerifyReport()
    if pack.is_symlink() or not pack.is_dir():
        raise SkywitnessError(f"{pack}: not a directory, so not an evidence pack (symlinks "
                              "are not followed)")  # fmt: skip
    files_on_disk, dirs_on_disk, links = walk_pack(pack)
    report.unsafe += [f"{n}: a symlink (not followed)" for n in links]
    path = pack / MANIFEST
    if MANIFEST in links:
        return report
    if not path.is_file():
        raise SkywitnessError(f"{pack}: no {MANIFEST} (not an evidence pack)")
    raw = path.read_bytes()
    report.checked = 1
    try:
        doc = _loads(raw)
        files = doc["files"]
        if not isinstance(files, dict):
            raise TypeError("files is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        report.changed.append(f"{MANIFEST} ({exc})")
        return report
    if not check_self(raw):
        report.changed.append(MANIFEST)
    link_set = set(links)
    for name, entry in sorted(files.items()):
        why = unsafe_name(name)
        if not why and any(name == x or name.startswith(x + "/") for x in link_set):
            why = "through a symlink (not followed)"
        if why:
            report.unsafe.append(f"{name}: {why}")
            continue
        report.checked += 1
        p = pack / name
        if not isinstance(entry, dict):
            report.changed.append(f"{name} (its manifest entry is not an object)")
        elif name not in files_on_disk:
            report.missing.append(name)
        elif sha256_file(p) != str(entry.get("sha256", "")):
            report.changed.append(name)
    listed = set(files) | {MANIFEST, SIGNATURE}
    parents = {str(PurePosixPath(n).parent) for n in listed if unsafe_name(n) == ""}
    report.extra = sorted(
        [f for f in files_on_disk if f not in listed]
        + [
            f"{d}/"
            for d in dirs_on_disk
            if not any(p == d or p.startswith(d + "/") for p in parents)
        ]
    )
    if signer is not None:
        report.signature = check_signature(pack, signer)
    return report
