"""``verify`` does not trust the pack (issue #17 defect 7): names outside the pack, symlinks,
malformed manifests, unlisted directories; and detached signatures catch a recomputed manifest.
Packs are built here with the pack writer's own ``manifest_bytes``/``file_entries``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from skywitness.errors import SkywitnessError
from skywitness.evidence.manifest import file_entries, manifest_bytes, verify_pack
from skywitness.evidence.packfs import sha256_file, unsafe_name
from skywitness.evidence.sign import SIGNATURE, sign_manifest


def _pack(
    root: Path, files: dict[str, bytes], extra_entries: dict[str, object] | None = None
) -> Path:
    pack = root / "pack"
    pack.mkdir()
    for name, data in files.items():
        (pack / name).parent.mkdir(parents=True, exist_ok=True)
        (pack / name).write_bytes(data)
    entries: dict[str, object] = dict(file_entries(pack, sorted(files)))
    entries.update(extra_entries or {})
    (pack / "manifest.json").write_bytes(manifest_bytes({"files": entries, "answer": "x"}))
    return pack


def test_clean_pack_verifies(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"a.csv": b"1,2\n", "sub/b.json": b"{}"})
    r = verify_pack(pack)
    assert r.ok and r.lines() == ["all 3 files match their SHA-256"]


@pytest.mark.parametrize(
    "name", ["/etc/hostname", "../../etc/passwd", "sub/../../x", "./a.csv", "a\\b", "sub//b"]
)
def test_entries_outside_the_pack_are_unsafe_and_never_read(tmp_path: Path, name: str) -> None:
    """Old code hashed /etc/hostname and ../../etc/passwd and reported them as matching."""
    target = {"sha256": "0" * 64, "bytes": 1}
    if name == "/etc/hostname" and Path(name).is_file():
        target = {"sha256": sha256_file(Path(name)), "bytes": Path(name).stat().st_size}
    pack = _pack(tmp_path, {"a.csv": b"1\n"}, {name: target})
    r = verify_pack(pack)
    assert not r.ok
    assert [u.split(": ", 1)[0] for u in r.unsafe] == [name]
    assert unsafe_name(name)


def test_symlinks_are_reported_and_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"s")
    pack = _pack(tmp_path, {"a.csv": b"1\n"})
    (pack / "link.txt").symlink_to(outside / "secret.txt")
    (pack / "dir").symlink_to(outside)
    r = verify_pack(pack)
    assert r.unsafe == ["dir: a symlink (not followed)", "link.txt: a symlink (not followed)"]
    assert not r.ok and r.extra == []


def test_listed_symlink_and_symlinked_manifest(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.csv").write_bytes(b"1\n")
    pack = _pack(tmp_path, {"x.csv": b"1\n"})
    (pack / "x.csv").unlink()
    (pack / "x.csv").symlink_to(outside / "x.csv")  # same bytes, listed, but a symlink
    r = verify_pack(pack)
    assert r.unsafe[0].startswith("x.csv: a symlink") and not r.ok
    real = tmp_path / "real_manifest.json"
    shutil.move(pack / "manifest.json", real)
    (pack / "manifest.json").symlink_to(real)
    r = verify_pack(pack)
    assert "manifest.json: a symlink (not followed)" in r.unsafe and not r.ok


def test_unlisted_files_and_directories_are_named(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"a.csv": b"1\n", "sub/b.json": b"{}"})
    (pack / "empty").mkdir()
    (pack / "sub" / "more.txt").write_bytes(b"?")
    r = verify_pack(pack)
    assert r.extra == ["empty/", "sub/more.txt"]


@pytest.mark.parametrize(
    "manifest",
    [
        b'{"files": {"a.csv": 3}}',
        b'{"files": {"a.csv": "x"}}',
        b'{"files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"files": [1, 2]}',
        b"\xff\xfe",
    ],
)
def test_malformed_manifests_give_a_report_not_a_traceback(tmp_path: Path, manifest: bytes) -> None:
    pack = _pack(tmp_path, {"a.csv": b"1\n"})
    (pack / "manifest.json").write_bytes(manifest)
    r = verify_pack(pack)
    assert not r.ok and r.changed


def test_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(SkywitnessError, match="not a directory, so not an evidence pack"):
        verify_pack(tmp_path / "nothing")


@pytest.fixture
def keypair(tmp_path: Path) -> tuple[Path, Path]:
    key = tmp_path / "keys" / "id_ed25519"
    key.parent.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", str(key)],
                   check=True)  # fmt: skip
    return key, key.with_suffix(".pub")


def test_signature_catches_a_recomputed_manifest(
    tmp_path: Path, keypair: tuple[Path, Path]
) -> None:
    key, pub = keypair
    pack = _pack(tmp_path, {"flights.csv": b"icao24\nabc123\n"})
    sign_manifest(pack, key)
    assert (pack / SIGNATURE).is_file()
    r = verify_pack(pack, pub)
    assert r.ok and r.signature == ""
    # the forger edits a file and recomputes every hash: the hashes pass, the signature fails
    (pack / "flights.csv").write_bytes(b"icao24\n000000\n")
    doc = json.loads((pack / "manifest.json").read_bytes())
    doc.pop("manifest_sha256")
    doc["files"] = file_entries(pack, ["flights.csv"])
    (pack / "manifest.json").write_bytes(manifest_bytes(doc))
    assert verify_pack(pack).ok  # unsigned check: a recomputed manifest is consistent
    r = verify_pack(pack, pub)
    assert not r.ok and (r.signature or "").startswith("bad signature")


def test_signature_missing_or_by_another_key(tmp_path: Path, keypair: tuple[Path, Path]) -> None:
    _key, pub = keypair
    pack = _pack(tmp_path, {"a.csv": b"1\n"})
    r = verify_pack(pack, pub)
    assert not r.ok and r.signature == f"no {SIGNATURE} (the pack is not signed)"
    other = tmp_path / "keys" / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    sign_manifest(pack, other)
    assert not verify_pack(pack, pub).ok
    assert verify_pack(pack, other.with_suffix(".pub")).ok


def test_verify_cli_signs_and_checks(tmp_path: Path, keypair: tuple[Path, Path]) -> None:
    from tests.evidence.conftest import cli

    key, pub = keypair
    pack = _pack(tmp_path, {"a.csv": b"1\n"})
    code, text = cli(["verify", str(pack), "--sign", str(key)])
    assert code == 0 and "signed:" in text
    code, text = cli(["verify", str(pack), "--signer", str(pub)])
    assert code == 0 and "valid" in text
    (pack / "a.csv").write_bytes(b"2\n")
    assert cli(["verify", str(pack), "--signer", str(pub)])[0] == 1
