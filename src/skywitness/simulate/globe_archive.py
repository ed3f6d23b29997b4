"""Write synthetic readsb globe-history day archives of the real shape, for tests and benches.

From one real trace (``trace_full_<hex>.json``) it derives as many traces as asked: trace ``i``
gets its own address (``base_address + i``), starts ``i * stagger_s`` later, and is moved
``i * lon_step_deg`` degrees east, so the traces are distinct aircraft with distinct positions.
Members are written in the real layout, ``traces/<last two hex digits>/trace_full_<hex>.json``,
each gzip-compressed, into a ``.tar`` which may be split into ``.tar.aa``, ``.tar.ab``, ...
parts the way the daily releases are. Documents are laid out as readsb writes them
(``readsb_json``: a head key a line, a point a line); ``compact=True`` writes them as one line.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

#: gzip level of members: readsb writes its traces with a fast level.
MEMBER_GZIP_LEVEL = 1


def variants(
    template: dict[str, Any],
    count: int,
    *,
    base_address: int = 0xA00000,
    stagger_s: float = 60.0,
    lon_step_deg: float = 0.01,
) -> Iterator[dict[str, Any]]:
    """``count`` traces derived from ``template`` (see module doc)."""
    for i in range(count):
        doc = dict(template)
        doc["icao"] = f"{(base_address + i) & 0xFFFFFF:06x}"
        doc["timestamp"] = float(template["timestamp"]) + i * stagger_s
        shift = i * lon_step_deg
        doc["trace"] = [_moved(p, shift) for p in template["trace"]]
        yield doc


def _moved(point: list[Any], shift: float) -> list[Any]:
    if not shift or not isinstance(point[2], int | float):
        return point
    q = list(point)
    q[2] = round((point[2] + shift + 180.0) % 360.0 - 180.0, 6)
    return q


def member_name(icao: str) -> str:
    return f"traces/{icao[-2:]}/trace_full_{icao}.json"


def readsb_json(doc: dict[str, Any]) -> bytes:
    """A trace document in readsb's own layout (as ``trace_full_ac671b.json`` in the shared
    data): each head key on a line, then ``"trace":[`` and a point a line, indented."""
    head = b",\n  ".join(
        orjson.dumps(k) + b":" + orjson.dumps(v) for k, v in doc.items() if k != "trace"
    )
    points = orjson.dumps(doc.get("trace", []))[1:-1].replace(b"],[", b"],\n    [")
    return b"{" + head + b',\n  "trace":[\n    ' + points + b" ]\n}\n"


def write_archive(
    tar_path: str | Path,
    docs: Iterable[dict[str, Any]],
    *,
    gzip_members: bool = True,
    extra: Iterable[tuple[str, bytes]] = (),
    compact: bool = False,
) -> Path:
    """Write ``docs`` as a globe-history tar (plus ``extra`` (name, bytes) members as given)."""
    path = Path(tar_path)
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for doc in docs:
            data = orjson.dumps(doc) if compact else readsb_json(doc)
            if gzip_members:
                data = gzip.compress(data, compresslevel=MEMBER_GZIP_LEVEL, mtime=0)
            _add(tar, member_name(str(doc["icao"])), data)
        for name, data in extra:
            _add(tar, name, data)
    return path


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def split_parts(tar_path: str | Path, part_bytes: int, *, remove: bool = True) -> list[Path]:
    """Split a file into ``NAME.aa``, ``NAME.ab``, ... of ``part_bytes`` each (``split -b``)."""
    src = Path(tar_path)
    parts: list[Path] = []
    with src.open("rb") as fh:
        i = 0
        while chunk := fh.read(part_bytes):
            suffix = chr(97 + i // 26) + chr(97 + i % 26)
            part = src.with_name(f"{src.name}.{suffix}")
            part.write_bytes(chunk)
            parts.append(part)
            i += 1
    if remove:
        src.unlink()
    return parts
