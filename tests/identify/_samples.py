"""Read the icao24s (and callsigns) of the real samples in ../shared/data (test helper)."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def _open(path: Path) -> Any:
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open()


def trajectory_callsigns(shared: Path) -> dict[str, set[str]]:
    """icao24 -> callsigns seen, over every traffic-trajectories file."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in sorted((shared / "traffic-trajectories").glob("*/*.json*")):
        with _open(path) as fh:
            data = json.load(fh)
        if isinstance(data, dict) and "trace" in data:  # readsb trace
            out[str(data["icao"]).lower()]
            for point in data["trace"]:
                if point[8] and point[8].get("flight"):
                    out[str(data["icao"]).lower()].add(point[8]["flight"].strip())
            continue
        if isinstance(data, dict):  # pandas orient="columns"
            rows = [
                {"icao24": data["icao24"][k], "callsign": data.get("callsign", {}).get(k)}
                for k in data["icao24"]
            ]
        else:
            rows = data
        for r in rows:
            icao = str(r["icao24"]).lower()
            out[icao]
            if r.get("callsign"):
                out[icao].add(str(r["callsign"]).strip())
    return dict(out)


def raw_frame_icao24s(shared: Path) -> set[str]:
    out: set[str] = set()
    for name in ("full_flight_short.jsonl.gz", "tutorial.jsonl.gz"):
        with gzip.open(shared / "traffic-raw-frames" / name, "rt") as fh:
            for line in fh:
                icao = json.loads(line).get("icao24")
                if icao:
                    out.add(str(icao).lower())
    return out


def tar1090_countries(shared: Path) -> list[tuple[int, int, str]]:
    """tar1090's ICAO_Ranges (GPL; test oracle only): (start, end, ISO code upper) in file order."""
    path = shared / "icao-address-ranges" / "icao_country_ranges_tar1090.csv"
    with path.open(encoding="utf-8") as fh:
        return [
            (int(r["start_hex"], 16), int(r["end_hex"], 16), r["country_code"].upper())
            for r in csv.DictReader(fh)
        ]


def tar1090_country(table: list[tuple[int, int, str]], address: int) -> str:
    return next((code for s, e, code in table if s <= address <= e), "")
