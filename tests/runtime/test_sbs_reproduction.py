"""Acceptance: dump1090's own SBS output for the beastblackbox capture is reproduced.

The capture is framed, decoded and tracked by skywitness, written as BaseStation lines, and
each of dump1090's MSG lines is looked up by (type, address, generation time) and compared on
altitude, position and callsign.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from skywitness.decode import decode_batch
from skywitness.model import FrameBatch
from skywitness.runtime.sbs_out import format_sbs
from skywitness.sources import open_source
from skywitness.stats import IngestStats
from skywitness.track import Tracker
from tests.fixtures import frames_of

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
REFERENCE = "beastblackbox-example/beast_decoded_sbs.txt.gz"


def _key(fields: list[str]) -> tuple[str, str, str]:
    return fields[1], fields[4].upper(), f"{fields[6]} {fields[7]}"


def _our_lines(shared: Path) -> dict[tuple[str, str, str], list[str]]:
    stats = IngestStats()
    frames = FrameBatch.concat(frames_of(open_source(str(shared / CAPTURE), "beast", stats)))
    msgs = decode_batch(frames)
    tracker = Tracker(rate_s=0)
    tracker.update(msgs, frames.source)
    lat, lon = tracker.last_positions
    out: dict[tuple[str, str, str], list[str]] = {}
    for line in format_sbs(msgs, lat, lon, logged_at=0.0):
        fields = line.split(",")
        out.setdefault(_key(fields), fields)
    return out


def test_dump1090_sbs_lines_are_reproduced(shared_data: Path) -> None:
    ours = _our_lines(shared_data)
    with gzip.open(shared_data / REFERENCE, "rt") as fh:
        reference = [ln.strip().split(",") for ln in fh if ln.startswith("MSG,")]
    assert len(reference) == 8622
    checked = agree = 0
    per_field = {"altitude": [0, 0], "position": [0, 0], "callsign": [0, 0]}
    misses: list[str] = []
    for ref in reference:
        mine = ours.get(_key(ref))
        checked += 1
        ok = mine is not None
        if mine is not None:
            for name, idx in (("altitude", [11]), ("position", [14, 15]), ("callsign", [10])):
                want = [ref[i].strip() for i in idx]
                if not any(want):
                    continue
                got = [mine[i].strip() for i in idx]
                per_field[name][0] += 1
                same = got == want
                if name == "position" and all(got):
                    same = all(
                        abs(float(g) - float(w)) <= 1.5e-5 for g, w in zip(got, want, strict=True)
                    )
                per_field[name][1] += same
                ok &= same
        agree += ok
        if not ok and len(misses) < 10:
            misses.append(f"ref {','.join(ref)}\n  got {','.join(mine) if mine else None}")
    for name, (n, good) in per_field.items():
        print(f"{name}: {good}/{n} = {good / max(n, 1):.4%}")
    print(f"lines reproduced: {agree}/{checked} = {agree / checked:.4%}")
    print("\n".join(misses))
    assert agree / checked >= 0.99
