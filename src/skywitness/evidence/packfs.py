"""Reading an evidence pack without trusting it: names from the manifest are checked before
they are opened, nothing is followed out of the pack, and files are hashed in bounded chunks.

A pack is a plain directory. ``verify`` must not be turned into a way of hashing (and so
confirming the content of) files elsewhere, so an entry is *unsafe* when its name is absolute,
contains ``..``, a backslash, an empty or ``.`` part or a NUL, and every symlink inside the pack
is unsafe (a file, ``manifest.json`` or a directory): it is named, never followed. Files are
opened with ``O_NOFOLLOW`` so a symlink swapped in after the walk is refused too.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath

#: Bytes read at a time when hashing (memory stays bounded whatever the file size).
HASH_CHUNK_BYTES = 1 << 20
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def unsafe_name(name: str) -> str:
    """Why a manifest entry name cannot be a file of the pack ("" when it can)."""
    if not name or "\0" in name or "\\" in name:
        return "not a plain relative path"
    p = PurePosixPath(name)
    if p.is_absolute() or name.startswith("/"):
        return "absolute path"
    if any(part in ("..", ".", "") for part in name.split("/")):
        return "path leaves the pack or is not normalised"
    return ""


def sha256_file(path: Path) -> str:
    """SHA-256 of a regular file, read in chunks, refusing a symlink (``O_NOFOLLOW``)."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"{path}: not a regular file")
        h = hashlib.sha256()
        while chunk := os.read(fd, HASH_CHUNK_BYTES):
            h.update(chunk)
        return h.hexdigest()
    finally:
        os.close(fd)


def walk_pack(pack: Path) -> tuple[list[str], list[str], list[str]]:
    """(regular files, directories, symlinks) under ``pack``, relative POSIX names, sorted;
    symlinks are listed and never followed; other special files count as symlinks (unsafe)."""
    files: list[str] = []
    dirs: list[str] = []
    links: list[str] = []
    for root, dnames, fnames in os.walk(pack, followlinks=False):
        rel = Path(root).relative_to(pack)
        for d in list(dnames):
            name = (rel / d).as_posix()
            if (Path(root) / d).is_symlink():
                links.append(name)
                dnames.remove(d)
            else:
                dirs.append(name)
        for f in fnames:
            p = Path(root) / f
            name = (rel / f).as_posix()
            mode = p.lstat().st_mode
            (files if stat.S_ISREG(mode) else links).append(name)
    return sorted(files), sorted(dirs), sorted(links)
