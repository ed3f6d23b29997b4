"""icao24 -> state of registry and military block, on the real samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skywitness.identify.blocks import (
    block_of,
    countries,
    country_of,
    is_military_block,
    military_block,
)

from ._samples import tar1090_countries, tar1090_country

#: Sample addresses in no state block: zero/AP-garbage, FLARM ids (dd....), ICAO temporary.
NO_STATE = ["000000", "579216", "dd0891", "ddb056", "ddb18b", "ddeeb6", "ddfd15", "f041c3"]
#: Where tar1090 names a UK territory sub-block (Cayman KY, Bermuda BM) inside the UK block,
#: the ICAO allocation table (our source) gives the state of registry: the United Kingdom.
UK_TERRITORIES = {
    "424143": "KY",
    "424159": "KY",
    "4241bb": "KY",
    "4247b4": "KY",
    "42428d": "BM",
    "424329": "BM",
    "424334": "BM",
    "42433f": "BM",
    "424364": "BM",
    "424385": "BM",
}


def test_hand_known_values() -> None:
    for icao, iso2, name in [
        ("393322", "FR", "France"),  # F-GMZC, AFR34ZG
        ("400f99", "GB", "United Kingdom"),  # G-DBCJ, BAW3AK
        ("ac671b", "US", "United States"),  # N899DN
        ("4b1901", "CH", "Switzerland"),  # HB-JMF
        ("899123", "TW", "Taiwan"),
        ("789001", "CN", "China"),
        ("010166", "EG", "Egypt"),
    ]:
        block = country_of(icao)
        assert block is not None and (block.iso2, block.name) == (iso2, name), icao
    assert country_of("dd0891") is None
    b = block_of("dd0891")
    assert b is not None and b.kind == "unassigned"
    assert country_of("xyz") is None and block_of("xyz") is None


def test_military_samples() -> None:
    # traffic-trajectories/military: US Navy C-2A (PSWRD35), French AF KC-135 (FAF4011)
    assert is_military_block("ae0455") and is_military_block("3b7777")
    assert not is_military_block("393322") and not is_military_block("ac671b")
    assert military_block(np.array(["ae0455", "3b7777", "4b1901", "bad"])).tolist() == [
        True,
        True,
        False,
        False,
    ]


def test_every_sample_address_has_the_right_country(
    sample_icao24s: list[str], shared_data: Path
) -> None:
    assert len(sample_icao24s) == 1132
    iso2, names = countries(np.array(sample_icao24s))
    oracle = tar1090_countries(shared_data)
    no_state, territories = [], {}
    for icao, code in zip(sample_icao24s, iso2.tolist(), strict=True):
        expected = tar1090_country(oracle, int(icao, 16))
        if code == "":
            no_state.append(icao)
        elif code != expected:
            assert code == "GB"
            territories[icao] = expected
    assert no_state == NO_STATE
    assert territories == UK_TERRITORIES
    assert (names != "").sum() == 1132 - len(NO_STATE)


def test_vectorised_equals_scalar_and_accepts_ints() -> None:
    rng = np.random.default_rng(4)
    addr = rng.integers(0, 1 << 24, 5000).astype(np.uint32)
    iso2, _ = countries(addr)
    for a, code in zip(addr[:500].tolist(), iso2[:500].tolist(), strict=True):
        block = country_of(a)
        assert (block.iso2 if block else "") == code
    hexes = np.array([f"{a:06x}" for a in addr.tolist()])
    assert (countries(hexes)[0] == iso2).all()
