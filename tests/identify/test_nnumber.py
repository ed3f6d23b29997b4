"""US N-numbers <-> addresses: exhaustive round trip and the real tar1090-db file."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from skywitness.identify.nnumber import (
    FIRST_ADDRESS,
    LAST_ADDRESS,
    n_number,
    n_number_address,
    n_numbers,
)


def test_known_values() -> None:
    assert n_number("ac671b") == "N899DN"
    assert n_number(FIRST_ADDRESS) == "N1"
    assert n_number(FIRST_ADDRESS + 1) == "N1A"
    assert n_number(FIRST_ADDRESS + 2) == "N1AA"
    assert n_number(LAST_ADDRESS) == "N99999"
    assert n_number(LAST_ADDRESS + 1) is None and n_number(0xA00000) is None
    assert n_number_address("n899dn") == 0xAC671B and n_number_address("899DN") == 0xAC671B
    for bad in ("N0", "N1I", "N1O", "N123456", "N12345A", "N1234AB", "NAF205", "N", ""):
        assert n_number_address(bad) is None, bad
    assert n_numbers(["ac671b", "400f99"]).tolist() == ["N899DN", ""]


def test_every_address_round_trips() -> None:
    regs = set()
    for a in range(FIRST_ADDRESS, LAST_ADDRESS + 1):
        reg = n_number(a)
        assert reg is not None and n_number_address(reg) == a
        regs.add(reg)
    assert len(regs) == LAST_ADDRESS - FIRST_ADDRESS + 1 == 915_399


def test_tar1090_db_registrations(shared_data: Path) -> None:
    path = shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [
            (int(r["icao24"], 16), r["registration"])
            for r in csv.DictReader(fh)
            if FIRST_ADDRESS <= int(r["icao24"], 16) <= LAST_ADDRESS
            and r["registration"].startswith("N")
        ]
    assert len(rows) == 380_149
    mismatches = []
    for a, reg in rows:
        assert n_number_address(n_number(a) or "") == a
        if n_number(a) != reg:
            mismatches.append((f"{a:06x}", reg, n_number(a)))
    # The file's registration differs from the address's N-number for 168 aircraft
    # (re-registered aircraft keeping their old address, typos upstream), e.g.:
    assert len(mismatches) == 168
    assert mismatches[:3] == [
        ("a01c86", "N106", "N106RS"),
        ("a01c95", "N106SP", "N106SG"),
        ("a02073", "N127TW", "N107TW"),
    ]
