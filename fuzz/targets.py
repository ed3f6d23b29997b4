"""One fuzz target per parser: its seeds (real samples) and ``run(data, r)``, which feeds one
input the way the program would (random chunking, then ``finish``) and checks what came out.

A target *fails* when it raises (other than the clear error a config reader is allowed to
raise), when its counts do not add up, or when a row leaves the parser with a value outside
physical ranges. ``run`` may return the costly rest of its checks (the frames a reader let
through, for the decoder) for ``settle``, which the harness calls once for many inputs;
``check`` is both, for one input. Seeds come from ``tests/data`` and ``../shared/data``
(read-only, never copied), cut into small pieces: small inputs are what makes thousands of
inputs a second, and the mutations still reach every part of a parser.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import io
import itertools
import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from skywitness.decode import decode_batch
from skywitness.errors import SkywitnessError
from skywitness.model import FrameBatch, Observations, StateRows
from skywitness.sources.records import MAX_TIME_S, implausible
from skywitness.sources.source import checked, make_parser
from skywitness.sources.states import observations_from_states
from skywitness.stats import IngestStats

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared" / "data"
BEAST = SHARED / "beastblackbox-example" / "ulss7-beast-bin-utc--1522782148.136310917--.log"


class Broken(AssertionError):
    """An invariant of a parser's output does not hold."""


@dataclass(frozen=True)
class Target:
    name: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[bytes, random.Random], Any]  # what ``settle`` is left to check, or None
    settle: Callable[[list[Any]], None] | None = None

    def check(self, data: bytes, r: random.Random) -> None:
        """One input, every check done."""
        left = self.run(data, r)
        if left is not None and self.settle is not None:
            self.settle([left])


def _chunks(data: bytes, r: random.Random) -> list[bytes]:
    cuts = sorted(r.randrange(len(data) + 1) for _ in range(r.choice((0, 1, 3))))
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def _check_frames(b: FrameBatch) -> None:
    if not set(np.unique(b.length).tolist()) <= {2, 7, 14}:
        raise Broken(f"frame lengths {set(b.length.tolist())}")
    t = b.timestamp[np.isfinite(b.timestamp)]
    if t.size and (t.min() < 0 or t.max() > MAX_TIME_S):
        raise Broken(f"frame time out of range: {t.min()} .. {t.max()}")


def _decode(left: list[list[FrameBatch]]) -> None:
    """The decoder takes whatever a reader lets through (the frames of many inputs at once)."""
    batches = [b for bs in left for b in bs if len(b)]
    if batches:
        decode_batch(FrameBatch.concat(batches))


def _check_obs(o: Observations) -> None:
    for i in range(len(o)):
        why = implausible(float(o.timestamp[i]), float(o.altitude[i]), float(o.geoaltitude[i]),
                          float(o.groundspeed[i]), float(o.vertical_rate[i]))  # fmt: skip
        if why:
            raise Broken(f"row {i}: {why}")
    lat, lon = o.latitude, o.longitude
    if np.any(np.abs(lat[np.isfinite(lat)]) > 90) or np.any(np.abs(lon[np.isfinite(lon)]) > 180):
        raise Broken("position out of range")


def _parser_target(
    fmt: str, *, document: bool = False
) -> Callable[[bytes, random.Random], list[FrameBatch] | None]:
    def run(data: bytes, r: random.Random) -> list[FrameBatch] | None:
        stats = IngestStats()
        live = r.random() < 0.2
        p = make_parser(fmt, stats, "fuzz", document=document, live=live)
        out = []
        for part in _chunks(data, r):
            out += p.feed(part, time.time() if live else None)
        out += p.cut() if r.random() < 0.1 else p.finish()
        rows = 0
        frames: list[FrameBatch] = []
        for b in out:
            b = checked(b, stats)  # as every Source does with a reader's output
            if isinstance(b, StateRows):  # a states document's rows, as reports
                b = observations_from_states(b.table, b.source)
            if isinstance(b, FrameBatch):
                _check_frames(b)
                frames.append(b)
            else:
                _check_obs(b)
            rows += len(b)
        if stats.rejected_total > stats.frames:
            raise Broken(f"rejected {stats.rejected_total} > read {stats.frames}")
        if rows > stats.frames:
            raise Broken(f"{rows} rows out of {stats.frames} records read")
        return frames or None

    return run


def _config_target(load: Callable[[str], object]) -> Callable[[bytes, random.Random], None]:
    def run(data: bytes, r: random.Random) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return  # the file readers reject it before any parser (bounded.read_text)
        with contextlib.suppress(SkywitnessError):  # a clear error naming the file is right
            load(text)

    return run


@cache
def _scratch() -> Path:
    """One scratch folder for the process (the readers that take a file or a folder), removed
    at exit: not a new one per input."""
    path = Path(tempfile.mkdtemp(prefix="skywitness-fuzz-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _rules(text: str) -> object:
    from skywitness.watch.rules import parse_rules

    return parse_rules(text, "fuzz.toml", _scratch())


def _question(text: str) -> object:
    from skywitness.evidence.question import load_toml

    path = _scratch() / "question.toml"
    path.unlink(missing_ok=True)  # a new file: truncating one makes ext4 flush it on close
    path.write_text(text, encoding="utf-8")
    return load_toml(path)


def _scenario(text: str) -> object:
    from skywitness.simulate.scenario import parse_scenario

    return parse_scenario(text, "fuzz.toml")


def _claim(text: str) -> object:
    from skywitness.claims.claim import from_toml

    return from_toml(text, "fuzz.toml")


def _receivers(text: str) -> object:
    from skywitness.mlat.receivers import parse_receivers

    return parse_receivers(text, "fuzz.toml")


def _globe(data: bytes, r: random.Random) -> None:
    """A day archive (``.tar``, maybe gzip'd, maybe split in parts) read as ``ingest`` does:
    members, trace documents, their points, the source's checks."""
    from skywitness.sources.globe import GlobeInput, GlobeReader, TraceDoc, trace_documents
    from skywitness.sources.readsb import trace_observations

    parts = []
    for k, piece in enumerate(_chunks(data, r)):
        p = _scratch() / f"day.tar.a{chr(97 + k)}"
        p.unlink(missing_ok=True)  # as in _question
        p.write_bytes(piece)
        parts.append(p)
    reader = GlobeReader(GlobeInput("day.tar", parts=parts, split=len(parts) > 1))
    for got in trace_documents(reader.members()):
        if isinstance(got, TraceDoc):
            obs, _bad = trace_observations(got.doc, got.member)
            if obs is not None:
                out = checked(obs, IngestStats())
                assert isinstance(out, Observations)
                _check_obs(out)


def _globe_seeds() -> list[bytes]:
    import tarfile

    out = []
    for compress in (False, True):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for k, doc in enumerate(_trace_seeds()):
                icao = json.loads(doc)["icao"]
                data = gzip.compress(doc) if compress else doc
                info = tarfile.TarInfo(f"traces/{icao[-2:]}/trace_full_{icao}.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                del k
        raw = buf.getvalue()
        out.append(gzip.compress(raw) if compress else raw)
    return out


def _read(path: Path, limit: int = 1 << 20) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


@cache
def _beast() -> bytes:
    return BEAST.read_bytes()


def _beast_seeds() -> list[bytes]:
    """Pieces of about 512 bytes (some 20 frames) from across the recording, each from a
    frame's start, and the start of dump1090's sample."""
    raw = _beast()
    out = []
    for at in range(0, min(len(raw), 8 << 20), 1 << 20):
        a = raw.find(b"\x1a\x33", at)
        out.append(raw[a : a + 512])
    return [*out, _read(SHARED / "traffic-raw-frames" / "sample_dump1090.bin", 1024)]


def _avr_seeds() -> list[bytes]:
    return [(TEST_DATA / "avr_sample.avr").read_bytes()]


def _hex_seeds() -> list[bytes]:
    avr = (TEST_DATA / "avr_sample.avr").read_bytes().decode()
    frames = [ln.strip().strip("*;@%<")[-28:] for ln in avr.splitlines() if ln.strip()]
    t0 = 1717667763.25
    return [
        "\n".join(f"{t0 + i:.2f},{f}" for i, f in enumerate(frames)).encode() + b"\n",
        "\n".join(f"2024-06-06T10:00:{i:02d}Z {f}" for i, f in enumerate(frames[:50])).encode(),
    ]


def _jsonl_seeds() -> list[bytes]:
    with gzip.open(SHARED / "traffic-raw-frames" / "tutorial.jsonl.gz", "rb") as fh:
        lines = fh.read(16384).splitlines(keepends=True)[:-1]
    return [b"".join(lines[k : k + 12]) for k in range(0, len(lines), 48)]


def _trace_seeds() -> list[bytes]:
    doc = json.loads(
        (SHARED / "traffic-trajectories" / "readsb" / "trace_full_ac671b.json").read_bytes()
    )
    points = doc["trace"]
    return [
        json.dumps({**doc, "trace": points[k : k + 12]}).encode() for k in (0, len(points) // 2)
    ]


@cache
def _states_parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from skywitness.runtime.pipeline import RunOptions, track_tables

    table = pa.concat_tables(list(track_tables([str(BEAST)], RunOptions(), IngestStats())))
    buf = io.BytesIO()
    pq.write_table(table.slice(0, 24), buf)
    return buf.getvalue()


def _states_seeds() -> list[bytes]:
    import pyarrow.parquet as pq

    rows = pq.read_table(io.BytesIO(_states_parquet())).slice(0, 12).to_pylist()
    for row in rows:
        row["timestamp"] = round(row["timestamp"].timestamp() * 1000)  # unix ms (traffic)
    return [json.dumps(rows, default=str).encode(), _states_parquet()]


def _rules_seeds() -> list[bytes]:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    blocks = text.split("```toml")[1:]
    return [b.split("```")[0].encode() for b in blocks] or [b'[[rule]]\nname = "x"\n']


def _question_seeds() -> list[bytes]:
    return [
        b'text = "q"\nregistry_country = ["RU"]\nclasses = ["military"]\ncountries = ["VE"]\n'
        b'sequence = "RU,VE,24"\nsince = 2019-09-15\nuntil = "2019-09-25"\n',
        b'airports = ["LFPG", "LFBO"]\nsince = "2024-07-06"\n',
    ]


def _doc_toml(doc: str) -> Callable[[], list[bytes]]:
    """The TOML examples of ``docs/<doc>`` (what users copy)."""

    def seeds() -> list[bytes]:
        text = (REPO / "docs" / doc).read_text(encoding="utf-8")
        return [b.split("```")[0].encode() for b in text.split("```toml")[1:]]

    return seeds


def _scenario_seeds() -> list[bytes]:
    root = REPO / "src" / "skywitness" / "simulate" / "scenarios"
    return [p.read_bytes() for p in sorted(root.glob("*.toml"))]


def _file(*names: str) -> Callable[[], list[bytes]]:
    return lambda: [(TEST_DATA / n).read_bytes() for n in names]


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("beast", _beast_seeds, _parser_target("beast"), _decode),
        Target("avr", _avr_seeds, _parser_target("avr"), _decode),
        Target("sbs", _file("sbs_sample.sbs"), _parser_target("sbs"), _decode),
        Target("hex", _hex_seeds, _parser_target("hex"), _decode),
        Target("jsonl", _jsonl_seeds, _parser_target("jsonl"), _decode),
        Target(
            "readsb", _file("aircraft.json", "aircraft_v2.json"), _parser_target("readsb"), _decode
        ),
        Target("trace", _trace_seeds, _parser_target("trace"), _decode),
        Target("opensky-csv", _file("opensky_states.csv"), _parser_target("opensky"), _decode),
        Target(
            "opensky-rest",
            _file("opensky_states.json"),
            _parser_target("opensky", document=True),
            _decode,
        ),
        Target("states", _states_seeds, _parser_target("states"), _decode),
        Target("fr24", _file("fr24_playback.json"), _parser_target("fr24"), _decode),
        Target("globe-tar", _globe_seeds, _globe),
        Target("rules-toml", _rules_seeds, _config_target(_rules)),
        Target("question-toml", _question_seeds, _config_target(_question)),
        Target("scenario-toml", _scenario_seeds, _config_target(_scenario)),
        Target("claim-toml", _doc_toml("claims.md"), _config_target(_claim)),
        Target("receivers-toml", _doc_toml("mlat.md"), _config_target(_receivers)),
    )
}


def all_seeds() -> dict[str, list[bytes]]:
    return {name: t.seeds() for name, t in TARGETS.items()}
