"""readsb globe-history day archives as a stream of trace documents.

Inputs: the split parts of a published day (``v2019.09.20-planes-readsb-prod-0.tar.aa``,
``.tar.ab``, ...: read in order as one tar stream), the joined ``.tar`` (optionally gzip'd), an
extracted ``globe_history/2019/09/20/`` folder or a feeder's own ``readsb --write-globe-history``
folder (every ``trace_full_<hex>.json`` below it). Members are
``traces/XX/trace_full_<hex>.json``, each gzip-compressed or plain JSON; other members
(``acas/``, heatmaps) are passed over. Nothing is extracted to disk. Members are inflated with
ISA-L (``isal``): with zlib, inflating was the largest cost of a day after decoding.

``trace_documents`` yields a ``TraceDoc`` per readable trace and a ``TarProblem`` per member
that is not (cut, corrupt gzip, broken JSON), so a caller counts and names them and keeps the
rest. Of a document of readsb's plain shape only the head is parsed here: its points are left
as bytes for the column-wise decoder (``sources.trace_bytes``), many traces at a time.
``icao_of_member`` reads the address from a member's name, so a filter on addresses or their
registry country skips a member before it is inflated or parsed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson
from isal import isal_zlib

from .compression import GZIP_MAGIC, compression_of
from .globe_names import PART as _PART
from .globe_names import is_globe_input
from .tarstream import PartsReader, TarMember, TarProblem, tar_members
from .trace_bytes import TraceSplit, split_document

_TRACE = re.compile(r"(?:^|/)trace_full_(?P<icao>~?[0-9a-fA-F]{6})\.json$")
#: isal's stub types its ``error`` as an instance; it is the exception class.
_INFLATE_ERROR = cast(type[Exception], isal_zlib.error)


@dataclass
class GlobeInput:
    """One day archive: its parts in order (a single ``.tar`` is one part) or a folder."""

    name: str
    parts: list[Path] = field(default_factory=list)
    folder: Path | None = None
    missing: list[str] = field(default_factory=list)  # parts absent from a split series
    split: bool = False  # given as .tar.aa, .tar.ab, ... parts
    files: list[Path] | None = None  # of a folder: these trace files only (None: all)


@dataclass(frozen=True, slots=True)
class TraceDoc:
    member: str
    icao: str  # lowercase hex, "~" prefix for a non-ICAO address
    doc: dict[str, Any]  # the whole document, or its head (empty ``trace``) when ``split``
    data: bytes = b""  # the inflated document
    split: TraceSplit | None = None  # where its points lie, for the column-wise decoder

    @property
    def points(self) -> bytes:
        """The points' bytes ``[..],[..]`` of a split document."""
        return self.data[self.split.start : self.split.end] if self.split is not None else b""

    def full(self) -> dict[str, Any]:
        """The whole document parsed (also for a split one the column-wise decoder refused)."""
        return orjson.loads(self.data) if self.split is not None else self.doc


def group_inputs(specs: Sequence[str]) -> tuple[list[GlobeInput], list[str]]:
    """(day archives, the other specs): split parts of one archive become one input, in order
    of their suffix; a gap in the series (``.aa`` and ``.ac`` without ``.ab``) is named."""
    archives: dict[str, GlobeInput] = {}
    rest: list[str] = []
    for spec in specs:
        if not is_globe_input(spec):
            rest.append(spec)
            continue
        p = Path(spec)
        m = _PART.match(p.name)
        if m and _compressed(p):  # day.tar.gz / day.tar.xz: a whole compressed tar, not a part
            m = None
        if p.is_dir():
            archives[spec] = GlobeInput(spec, folder=p)
        elif m:
            key = str(p.with_name(m["base"]))
            archives.setdefault(key, GlobeInput(m["base"], split=True)).parts.append(p)
        else:
            archives[spec] = GlobeInput(p.name, parts=[p])
    for a in archives.values():
        a.parts.sort(key=lambda q: q.name)
        a.missing = _gaps(a.parts) if a.split else []
    return list(archives.values()), rest


def _compressed(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return compression_of(fh.read(8)) is not None
    except OSError:
        return False


def _gaps(parts: list[Path]) -> list[str]:
    """Names of the parts missing between ``.aa`` and the last part given."""
    out: list[str] = []
    have = set()
    base = ""
    for p in parts:
        m = _PART.match(p.name)
        if m:
            have.add(m["suffix"])
            base = m["base"]
    if not have:
        return out
    last = max(have)
    for i in range(26 * 26):
        s = chr(97 + i // 26) + chr(97 + i % 26)
        if s > last:
            break
        if s not in have:
            out.append(f"{base}.{s}")
    return out


def trace_files(folder: Path) -> list[Path]:
    """Every trace file below a globe-history folder, in name order."""
    return sorted(folder.rglob("trace_full_*.json"))


def wanted_members(keep: Callable[[str], bool]) -> Callable[[str], bool]:
    """Member names worth reading: traces whose address ``keep`` accepts (other members are
    passed over by ``trace_documents`` anyway)."""

    def want(name: str) -> bool:
        icao = icao_of_member(name)
        return icao is not None and keep(icao)

    return want


def icao_of_member(name: str) -> str | None:
    """``traces/1b/trace_full_ac671b.json`` -> ``ac671b``; None for any other member."""
    m = _TRACE.search(name)
    return m["icao"].lower() if m else None


class GlobeReader:
    """Members of one day archive, with the byte counts a progress bar needs."""

    def __init__(self, inp: GlobeInput) -> None:
        self.input = inp
        self._reader = PartsReader(inp.parts) if inp.parts else None
        self._files: list[Path] = []
        if inp.folder is not None:
            self._files = inp.files if inp.files is not None else trace_files(inp.folder)
        self._folder_pos = 0
        self.total_bytes = (
            self._reader.total_bytes
            if self._reader is not None
            else sum(f.stat().st_size for f in self._files)
        )

    def position(self) -> int:
        return self._reader.position if self._reader is not None else self._folder_pos

    def sha256(self) -> str | None:
        """SHA-256 of the joined parts (after they were read); None for a folder."""
        return self._reader.sha256.hexdigest() if self._reader is not None else None

    def members(
        self, want: Callable[[str], bool] | None = None
    ) -> Iterator[TarMember | TarProblem]:
        """The members (of a tar: those whose name ``want`` accepts, the rest passed over)."""
        if self._reader is None:
            yield from self._folder_members()
            return
        yield from tar_members(self._reader, want)
        if err := self._reader.inflate_error:
            yield TarProblem("", self._reader.position, f"archive compression: {err}")

    def _folder_members(self) -> Iterator[TarMember]:
        assert self.input.folder is not None
        for f in self._files:
            try:
                data = f.read_bytes()
            except OSError:  # named by parse_trace as unreadable
                yield TarMember(str(f), b"", self._folder_pos)
                continue
            self._folder_pos += len(data)
            yield TarMember(str(f.relative_to(self.input.folder)), data, self._folder_pos)


def trace_documents(
    members: Iterator[TarMember | TarProblem], keep: Callable[[str], bool] = lambda _: True
) -> Iterator[TraceDoc | TarProblem]:
    """Trace documents of the members that are traces and whose address ``keep`` accepts;
    a problem for each member that cannot be read (see module doc)."""
    for m in members:
        if isinstance(m, TarProblem):
            yield m
            continue
        icao = icao_of_member(m.name)
        if icao is None or not keep(icao):
            continue
        data = inflate_trace(m)
        if isinstance(data, TarProblem):
            yield data
            continue
        split = split_document(data)
        got = split.head if split is not None else parse_json(m, data)
        if isinstance(got, TarProblem):
            yield got
            continue
        inside = got.get("icao")  # the document's own address is the truth (names can lie)
        if isinstance(inside, str) and inside.strip().lower() != icao:
            icao = inside.strip().lower()
            if not keep(icao):
                continue
        yield TraceDoc(m.name, icao, got, data, split)


def parse_trace(m: TarMember) -> dict[str, Any] | TarProblem:
    """The JSON document of one member (inflated when gzip'd), or why it cannot be read."""
    data = inflate_trace(m)
    return data if isinstance(data, TarProblem) else parse_json(m, data)


def inflate_trace(m: TarMember) -> bytes | TarProblem:
    """The bytes of one member (inflated when gzip'd), or why they cannot be read."""
    data = m.data
    if not data:
        return TarProblem(m.name, m.offset, "empty or unreadable trace file")
    if data.startswith(GZIP_MAGIC):
        # ISA-L's inflate: the same gzip checks (CRC, length) as zlib's, ~2.5x faster
        d = isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)
        try:
            data = d.decompress(data)
        except _INFLATE_ERROR as e:
            return TarProblem(m.name, m.offset, f"corrupt gzip: {e}")
        if not d.eof:
            return TarProblem(m.name, m.offset, "gzip data cut short")
    return data


def parse_json(m: TarMember, data: bytes) -> dict[str, Any] | TarProblem:
    """A member's inflated bytes as a JSON object, or why they are not one."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        return TarProblem(m.name, m.offset, f"broken JSON: {e}")
    if not isinstance(doc, dict):
        return TarProblem(m.name, m.offset, "not a trace object")
    return doc
