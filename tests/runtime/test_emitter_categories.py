"""Issue 11, classes 3 and 7 by emitter category: the ADS-B emitter category an aircraft
transmits (identification messages, TC 1-4; readsb's ``category``) is recorded as an identity
fact (field ``emitter_category``, source ``adsb``) by the one ingest step's callers, once per
aircraft and value, and the flights stage judges an aircraft the database does not know by it,
in ``ingest``, ``flights rebuild`` and ``serve`` alike.

Expected values: the categories are cross-checked against the reference decodes shipped with
the data (dump1090's text decode of the Beast capture, rs1090's ``wake_vortex`` of the jsonl
frames, the readsb trace's own ``category``). No real recording has a glider or a helicopter
transmitting its category, so those cases are built from real trajectories (the Cevennes
glider, Rega's EC145) with the category message encoded by the project's own
``simulate.encode``; the flight counts without the category (3 flights, an observed landing at
Zurich) are those of tests/flights/test_kinds.py, which built them from kinds given by hand.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from skywitness.decode import decode_batch
from skywitness.flights.runway_table import load_runways
from skywitness.identify.kinds import Kind, aircraft_kinds, emitter_categories
from skywitness.model import FrameBatch
from skywitness.runtime.history import ingest, open_history, rebuild_flights
from skywitness.runtime.pipeline import RunOptions
from skywitness.runtime.service import ServiceConfig
from skywitness.simulate import encode
from skywitness.simulate.writers import jsonl_text
from skywitness.sources.readsb import trace_observations
from skywitness.sources.trace_bytes import fast_trace
from skywitness.store import Store, load_traffic_json
from skywitness.track.ingest_step import EmitterCategories
from tests.fixtures import run_service_to_idle
from tests.flights.test_kinds import REGA, _rega_then_parked

BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
GLIDER = "ddb18b"  # F-CIJO over the Cevennes (a FLARM address: in no registry)


def _facts(data: Path) -> list[tuple[str, str, str, str]]:
    """(icao24, value, source, source_version) of every emitter category fact."""
    with Store(data, read_only=True) as st:
        rows = st.connection.execute(
            """SELECT icao24, value, source, source_version FROM aircraft_facts
               WHERE field = 'emitter_category' ORDER BY icao24, imported_at"""
        ).fetchall()
    return [tuple(r) for r in rows]


def _runways(data: Path, shared_data: Path) -> None:
    with open_history(data) as store:
        store.replace_table("runways", load_runways(shared_data / "ourairports/runways.csv.gz"))


def _ingest(data: Path, shared_data: Path, *paths: Path | str) -> list[int]:
    """Ingest ``paths`` one after the other (with the world's runways); flights stored."""
    if not data.exists():
        _runways(data, shared_data)
    with open_history(data) as store:
        return [ingest(store, [str(p)], RunOptions())[0].flights for p in paths]


def _flights(data: Path) -> list[dict[str, Any]]:
    with Store(data, read_only=True) as st:
        rows: list[dict[str, Any]] = st.query_flights().to_pylist()
        return rows


def _dump1090_categories(shared_data: Path) -> dict[str, str]:
    """icao24 -> category of every identification message dump1090 decoded in the capture."""
    path = shared_data / "beastblackbox-example" / "beast_decoded_dump1090.txt.gz"
    with gzip.open(path, "rt") as f:
        text = f.read()
    found = re.findall(
        r"identification and category \(\d\)\n\s+ICAO Address:\s+([0-9A-F]{6})[^*]*?"
        r"Category:\s+(\w\d)",
        text,
        flags=re.S,
    )
    return {a.lower(): c for a, c in found}


def test_beast_capture_ingest_stores_the_categories(shared_data: Path, tmp_path: Path) -> None:
    """The St Petersburg Beast capture: 146 identification messages of 11 aircraft; dump1090
    decodes A3 for 400159, 4242e5, 4248e7, A5 for 71be34 and A0 ("no information") for the
    other seven. Ingest records one fact per informative aircraft, none for A0, and a second
    ingest of the file adds nothing."""
    reference = _dump1090_categories(shared_data)
    assert len(reference) == 11
    informative = {a: c for a, c in reference.items() if c != "A0"}
    assert informative == {"400159": "A3", "4242e5": "A3", "4248e7": "A3", "71be34": "A5"}
    _ingest(tmp_path / "d", shared_data, shared_data / BEAST, shared_data / BEAST)
    name = Path(BEAST).name
    assert _facts(tmp_path / "d") == [(a, c, "adsb", name) for a, c in sorted(informative.items())]


def test_jsonl_frames_categories_match_rs1090(shared_data: Path, tmp_path: Path) -> None:
    """traffic's tutorial frames: rs1090 decodes the identification messages of six aircraft,
    ``wake_vortex`` "<136,000kg" (A3, large) for five and "Obstruction" (set C) for 753a6a;
    the frames say C5 there (TC 2, CA 5)."""
    path = shared_data / "traffic-raw-frames" / "tutorial.jsonl.gz"
    wake: dict[str, set[str]] = {}
    with gzip.open(path, "rt") as f:
        for line in f:
            if '"wake_vortex"' in line:
                d = json.loads(line)
                wake.setdefault(d["icao24"], set()).add(d["wake_vortex"])
    assert wake == {
        **{a: {"<136,000kg"} for a in ("3836ba", "400f99", "4863db", "4ca216", "4d226a")},
        "753a6a": {"Obstruction"},
    }
    _ingest(tmp_path / "d", shared_data, path)
    got = {a: v for a, v, _, _ in _facts(tmp_path / "d")}
    assert got == {**{a: "A3" for a in wake if a != "753a6a"}, "753a6a": "C5"}


def test_readsb_inputs_give_the_category(shared_data: Path, tmp_path: Path) -> None:
    """readsb's ``category`` is mapped at the boundary: the trace of ac671b (N899DN, B739)
    gives "A3" in the details of 623 points (both trace decoders read it), stored as one fact;
    an aircraft.json entry's ``category`` likewise."""
    path = shared_data / "traffic-trajectories" / "readsb" / "trace_full_ac671b.json"
    raw = path.read_bytes()
    doc = json.loads(raw)
    said = [p[8]["category"] for p in doc["trace"] if isinstance(p[8], dict) and "category" in p[8]]
    assert (len(said), set(said)) == (623, {"A3"})
    general, _ = trace_observations(doc)
    fast = fast_trace(raw)
    assert general is not None and fast is not None
    for obs in (general, fast[1]):
        assert np.count_nonzero(obs.category == 4 * 8 + 3) == 623
        assert np.count_nonzero(obs.category != -1) == 623
    _ingest(tmp_path / "d", shared_data, path)
    assert _facts(tmp_path / "d") == [("ac671b", "A3", "adsb", path.name)]
    aircraft_json = Path(__file__).resolve().parents[1] / "data" / "aircraft.json"
    _ingest(tmp_path / "j", shared_data, aircraft_json)
    assert _facts(tmp_path / "j") == [("393322", "A3", "adsb", "aircraft.json")]


def test_the_step_notes_a_category_once_per_value(shared_data: Path) -> None:
    """The Beast capture's 146 identification messages give 4 new categories once; the same
    frames again give none; a changed category is given again."""
    from skywitness.sources import open_source
    from skywitness.stats import IngestStats

    notes = EmitterCategories()
    for _ in range(2):
        got: dict[str, str] = {}
        for chunk in open_source(str(shared_data / BEAST), "auto", IngestStats()):
            assert isinstance(chunk, FrameBatch)
            msgs = decode_batch(chunk)
            ok = (msgs.reject == 0) & msgs.address_verified & ~msgs.non_icao
            got.update(notes.note(msgs.icao24, msgs.category, ok))
        assert got == ({"400159": "A3", "4242e5": "A3", "4248e7": "A3", "71be34": "A5"}
                       if _ == 0 else {})  # fmt: skip
    b1 = np.array([3 * 8 + 1], dtype=np.int8)
    assert notes.note(np.array([0x71BE34], dtype=np.uint32), b1, np.ones(1, bool)) == {
        "71be34": "B1"
    }


def _frames(
    states: pa.Table, icao: int, category: str | None, callsign: str, positions: bool = True
) -> FrameBatch:
    """Airborne positions (an even and an odd frame 0.5 s apart per row: no velocity, as the
    positions-only source of tests/flights/test_kinds.py; none unless ``positions``) and,
    0.2 s before the first row, one identification message with ``category`` (None: none)."""
    t = pc.cast(states["timestamp"], pa.int64()).to_numpy() / 1000.0
    lat, lon = states["latitude"].to_numpy(), states["longitude"].to_numpy()
    alt = states["altitude"].to_numpy()
    n = len(t)
    parts = [
        encode.airborne_position(icao, lat, lon, alt, np.zeros(n, dtype=bool)),
        encode.airborne_position(icao, lat, lon, alt, np.ones(n, dtype=bool)),
    ]
    times = [t, t + 0.5]
    if not positions:
        parts, times = [], []
    if category is not None:
        parts.append(encode.identification(icao, callsign, category, np.zeros(1, dtype=bool)))
        times.append(t[:1] - 0.2)
    ts = np.concatenate(times)
    order = np.argsort(ts, kind="stable")
    m = len(ts)
    return FrameBatch(
        timestamp=ts[order],
        data=np.concatenate([p[0] for p in parts])[order],
        length=np.concatenate([p[1] for p in parts])[order],
        signal=np.full(m, np.nan, dtype=np.float32),
        ticks=np.zeros(m, dtype=np.uint64),
        receiver=np.zeros(m, dtype=np.uint64),
    )


@pytest.fixture(scope="module")
def glider_frames(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """F-CIJO's real track over the Cevennes as frames, with its category B1 (glider)."""
    states = load_traffic_json(shared_data / "traffic-trajectories/gliders/cevennes.json.gz")
    folder = tmp_path_factory.mktemp("glider")
    for name, category in (("b1", "B1"), ("none", None)):
        frames = _frames(states, int(GLIDER, 16), category, "FCIJO")
        (folder / f"cevennes_{name}.jsonl").write_text(jsonl_text(frames))
    return folder


def test_glider_known_by_its_category_in_ingest_and_rebuild(
    glider_frames: Path, shared_data: Path, tmp_path: Path
) -> None:
    """Without its category the glider (positions only, in no database) is judged by the
    speed of an unknown aircraft: its 27- and 28-minute gaps "could have been landings", 3
    flights. With B1 in the same frames: one flight, Florac to Florac, 3 gaps bridged, in the
    ingest's own flights and in ``flights rebuild`` alike."""
    _ingest(tmp_path / "none", shared_data, glider_frames / "cevennes_none.jsonl")
    assert [f["n_positions"] for f in _flights(tmp_path / "none")] == [611, 201, 602]
    assert _facts(tmp_path / "none") == []
    data = tmp_path / "b1"
    assert _ingest(data, shared_data, glider_frames / "cevennes_b1.jsonl") == [1]
    assert _facts(data) == [(GLIDER, "B1", "adsb", "cevennes_b1.jsonl")]
    with Store(data, read_only=True) as st:
        assert aircraft_kinds(st.connection) == {GLIDER: int(Kind.GLIDER)}
    one = _flights(data)
    f = one[0]
    assert (len(one), f["n_positions"], f["gaps_bridged"]) == (1, 1415, 3)
    assert (f["estDepartureAirport"], f["estArrivalAirport"]) == ("LFNL", "LFNL")
    with Store(data) as st:
        assert rebuild_flights(st) == (1, 1)
    assert _flights(data) == one


def test_glider_known_by_its_category_live(
    glider_frames: Path, shared_data: Path, tmp_path: Path
) -> None:
    """``serve`` with the B1 frames as its source: the category heard live reaches the flights
    stage (in its child process) before the rows, and the store keeps the fact and the same
    one flight as the ingest."""
    bulk = tmp_path / "bulk"
    _ingest(bulk, shared_data, glider_frames / "cevennes_b1.jsonl")
    data = tmp_path / "serve"
    _runways(data, shared_data)  # the same runways, no identity facts
    path = str(glider_frames / "cevennes_b1.jsonl")
    run_service_to_idle(ServiceConfig(sources=[path], data_dir=data, idle_expiry=False))
    assert _facts(data) == [(GLIDER, "B1", "adsb", "serve")]
    live = _flights(data)
    assert [(f["n_positions"], f["gaps_bridged"]) for f in live] == [(1415, 3)]
    keys = ("firstSeen", "lastSeen", "estDepartureAirport", "estArrivalAirport", "flight_id")
    assert [{k: f[k] for k in keys} for f in live] == [
        {k: f[k] for k in keys} for f in _flights(bulk)
    ]


def test_helicopter_known_by_its_category(shared_data: Path, tmp_path: Path) -> None:
    """Rega's EC145 (tar1090-db knows it; this store does not), last heard airborne over St.
    Gallen, then its address parked at Zurich 5.5 hours later: by speed that ground point is
    its landing (LSZH, observed). Its identification message with A7 (rotorcraft), ingested
    later, makes it a helicopter, which cannot stay up 5.5 hours: the ingest's rebuild ends
    the flight airborne, its arrival estimated (Dubendorf, LSMD)."""
    states = _rega_then_parked(shared_data / "traffic-trajectories", 5.5)
    path = tmp_path / "rega.parquet"
    pq.write_table(states, path)
    data = tmp_path / "d"
    _ingest(data, shared_data, path)
    ends = [(f["estArrivalAirport"], f["arrival_observed"]) for f in _flights(data)]
    assert ends == [("LSZH", True)]
    rega = states.filter(pc.equal(states["icao24"], REGA))
    first = rega.slice(0, 1)
    ident = tmp_path / "rega_ident.jsonl"
    ident.write_text(jsonl_text(_frames(first, int(REGA, 16), "A7", "REGA1", positions=False)))
    _ingest(data, shared_data, ident)
    with Store(data, read_only=True) as st:
        assert emitter_categories(st.connection) == {REGA: "A7"}
    flights = _flights(data)
    assert [(f["estArrivalAirport"], f["arrival_observed"]) for f in flights] == [("LSMD", False)]


def test_the_categories_noted_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``NOTED_MAX`` aircraft the oldest are forgotten (the newest half kept): one
    forgotten is given again when heard, one kept is not."""
    from skywitness.track import ingest_step

    monkeypatch.setattr(ingest_step, "NOTED_MAX", 10)
    notes = EmitterCategories()
    a3 = np.array([4 * 8 + 3], dtype=np.int8)
    one = np.ones(1, bool)
    for address in range(11):
        notes.note(np.array([0x3C0000 + address], dtype=np.uint32), a3, one)
    assert len(notes) == 5  # 11 > 10: the newest 5 kept
    assert notes.note(np.array([0x3C0000], dtype=np.uint32), a3, one) == {"3c0000": "A3"}
    assert notes.note(np.array([0x3C000A], dtype=np.uint32), a3, one) == {}
