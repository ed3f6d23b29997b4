"""Detached signatures of a pack's ``manifest.json`` with a key the user holds, in OpenSSH's
``ssh-keygen -Y sign`` format (``manifest.json.sig``), so a pack edited *and* re-hashed (a
recomputed manifest) is still found: the hashes prove the files match the manifest, the
signature proves the manifest is the one the key holder signed.

A thin shell over ``ssh-keygen`` (OpenSSH 8.1+): the user keeps the private key (an ed25519 or
RSA key, or an agent) and hands the public key to whoever verifies. The signature namespace
``skywitness-evidence`` keeps such a signature from being replayed as another kind of SSH
signature.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import SkywitnessError

SIGNATURE = "manifest.json.sig"
NAMESPACE = "skywitness-evidence"
#: Longest ssh-keygen may take (a passphrase prompt is not answered: use an agent), s.
SSH_KEYGEN_TIMEOUT_S = 60.0
_IDENTITY = "pack-signer"


def _ssh_keygen() -> str:
    exe = shutil.which("ssh-keygen")
    if exe is None:
        raise SkywitnessError("signing needs ssh-keygen (OpenSSH 8.1 or later) on the PATH")
    return exe


def sign_manifest(pack: Path, key: Path) -> Path:
    """Write ``manifest.json.sig`` beside the manifest; returns its path."""
    manifest = pack / "manifest.json"
    sig = pack / SIGNATURE
    sig.unlink(missing_ok=True)  # ssh-keygen refuses to overwrite
    cmd = [_ssh_keygen(), "-q", "-Y", "sign", "-n", NAMESPACE, "-f", str(key), str(manifest)]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=SSH_KEYGEN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SkywitnessError(f"ssh-keygen -Y sign did not finish in {exc.timeout} s") from exc
    if r.returncode != 0 or not sig.is_file():
        why = r.stderr.decode(errors="replace").strip() or f"exit {r.returncode}"
        raise SkywitnessError(f"{key}: cannot sign {manifest}: {why}")
    return sig


def check_signature(pack: Path, public_key: Path) -> str:
    """ "" when ``manifest.json.sig`` is a valid signature of ``manifest.json`` by the key in
    ``public_key`` (an OpenSSH ``.pub`` line); else why not."""
    sig = pack / SIGNATURE
    if sig.is_symlink() or not sig.is_file():
        return f"no {SIGNATURE} (the pack is not signed)"
    try:
        pub = public_key.read_text(encoding="utf-8").strip().splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        return f"{public_key}: not an OpenSSH public key ({exc})"
    with tempfile.TemporaryDirectory() as tmp:
        allowed = Path(tmp) / "allowed_signers"
        allowed.write_text(f'{_IDENTITY} namespaces="{NAMESPACE}" {pub}\n', encoding="utf-8")
        cmd = [_ssh_keygen(), "-Y", "verify", "-f", str(allowed), "-I", _IDENTITY,
               "-n", NAMESPACE, "-s", str(sig)]  # fmt: skip
        with (pack / "manifest.json").open("rb") as manifest:
            try:
                r = subprocess.run(cmd, stdin=manifest, capture_output=True, check=False,
                                   timeout=SSH_KEYGEN_TIMEOUT_S)  # fmt: skip
            except subprocess.TimeoutExpired:
                return "ssh-keygen -Y verify did not finish"
    if r.returncode != 0:
        why = (r.stderr or r.stdout).decode(errors="replace").strip().splitlines()
        return f"bad signature: {why[-1] if why else 'rejected by ssh-keygen'}"
    return ""
