"""The column-wise trace reader (sources/trace_bytes.py) against the general decoder
(``readsb.trace_observations``): on every document it accepts the two give the same columns, and
it refuses (None: the general decoder reads it) every document it cannot read exactly."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.model import Observations
from skywitness.simulate.globe_archive import readsb_json
from skywitness.sources.readsb import trace_observations
from skywitness.sources.trace_bytes import fast_trace, read_points, split_document

TRACE = (
    Path(__file__).parents[2] / "../shared/data/traffic-trajectories/readsb/trace_full_ac671b.json"
)


def _same(a: Observations, b: Observations) -> None:
    for f in fields(Observations):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype, f.name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name


def _agree(data: bytes) -> bool:
    """True when the column-wise reader read ``data`` (and agreed), False when it refused."""
    got = fast_trace(data, "s")
    if got is None:
        return False
    old, bad = trace_observations(orjson.loads(data), "s")
    assert old is not None and bad == []
    _same(got[1], old)
    assert got[0] == {**orjson.loads(data), "trace": []}
    return True


def test_real_trace_as_readsb_writes_it_and_compact() -> None:
    raw = TRACE.read_bytes()
    assert _agree(raw)  # readsb's own layout: a point a line
    assert _agree(orjson.dumps(orjson.loads(raw)))
    split = split_document(raw)
    assert split is not None and split.last_dt == 81655.47  # the last point's offset
    o = fast_trace(raw)
    assert o is not None and len(o[1]) == 2500 and o[1].callsign[-1] == "DAL2927"
    assert o[1].squawk[-1] == 2676 and int(o[1].new_leg.sum()) == 3  # points with flags & 2


def test_other_shapes_are_refused_for_the_general_decoder() -> None:
    doc = orjson.loads(TRACE.read_bytes())
    refused = [
        json.dumps(doc).encode(),  # ", " separators: numbers with spaces before them
        orjson.dumps({**doc, "trace": [*doc["trace"][:3], doc["trace"][3][:7]]}),  # mixed lengths
        orjson.dumps({**doc, "trace": [[0, "x", 1, 2, 3, 4, 0]]}),  # text where a number is
        orjson.dumps({**doc, "trace": [[None, 1, 2, 3, 4, 5, 0]]}),  # a point without time
        orjson.dumps({**doc, "trace": [[0, 1, 2, "high", 4, 5, 0]]}),  # text altitude
        orjson.dumps({**doc, "trace": [[0, 1, 2, 3, 4, 5, 0, 0, {}]]}),  # empty details
        orjson.dumps({**doc, "trace": [[0, 1, 2, 3, 4, 5, 0, 0, {"flight": 'A"B'}]]}),
        orjson.dumps({**doc, "trace": [[0, 1, 2, 3, 4, 5, 0, 0, None, 7]]}),  # a number as type
        orjson.dumps({"trace": doc["trace"][:2], "icao": "ac671b", "timestamp": 1}),  # not last
        orjson.dumps({**doc, "trace": []}),
        orjson.dumps({**doc, "icao": "zz"}),
        b'{"icao": "b00003", "trace": [[0, 1',  # cut
    ]
    for data in refused:
        assert fast_trace(data) is None, data[-80:]


def test_a_brace_in_a_string_or_a_nested_object_goes_to_the_general_decoder() -> None:
    """Among plain points, details with a brace inside a string or with a nested object were
    read by the fast reader as callsign "AB" and "X1" (the general decoder: "{AB" and none)."""
    doc = orjson.loads(TRACE.read_bytes())
    for details in ({"type": "adsb_icao", "flight": "{AB"}, {"a": {"flight": "X1"}}):
        points = [list(p) for p in doc["trace"][:40]]
        points[5] = [*points[5][:8], details, *points[5][9:]]
        for data in (orjson.dumps({**doc, "trace": points}), readsb_json({**doc, "trace": points})):
            assert fast_trace(data) is None


def test_points_in_readsb_layout_with_lists_in_details() -> None:
    """readsb's layout read by one translate, and by pattern where a details object holds a
    list (its brackets are not row breaks); both as the general decoder reads them."""
    doc = orjson.loads(TRACE.read_bytes())
    doc["trace"] = doc["trace"][:40]
    listed = {"type": "adsb_icao", "flight": "DAL1812 ", "nav_modes": ["autopilot", "tcas"]}
    doc["trace"][5] = [*doc["trace"][5][:8], listed, *doc["trace"][5][9:]]
    for d in (doc, {**doc, "trace": doc["trace"][:5]}):
        data = readsb_json(d)
        assert _agree(data)
    got = fast_trace(readsb_json(doc))
    assert got is not None and got[1].callsign[5] == "DAL1812"


def test_details_spaced_after_a_colon_read_as_the_general_decoder_reads_them() -> None:
    """White space after a details key's colon (a JSON writer's ``": "``, or a line break,
    which the row translation turns into a space) does not hide its value: before, ``": "``
    hid the callsign, squawk and category from the fast reader (the general decoder read
    them)."""
    doc = orjson.loads(TRACE.read_bytes())
    doc["trace"] = doc["trace"][:40]
    compact = orjson.dumps(doc)
    for gap in (b" ", b"\n", b"\t ", b"\r\n  "):
        data = compact
        for key in (b'"flight":', b'"squawk":', b'"category":'):
            data = data.replace(key, key + gap)
        assert _agree(data)
        got = fast_trace(data)
        assert got is not None and got[1].callsign[3] == "DAL1812" and got[1].squawk[3] == 4637


def test_details_keys_in_any_order_or_missing_read_as_the_general_decoder_reads_them() -> None:
    """The category is looked for after the squawk first (where readsb writes it), then from
    the details' start: keys in another order, or missing, are read all the same."""
    doc = orjson.loads(TRACE.read_bytes())
    doc["trace"] = [list(p) for p in doc["trace"][:12]]
    shapes = [
        {"type": "adsb_icao", "category": "A5", "flight": "ABC123", "squawk": "7700"},
        {"squawk": 1200, "type": "mlat", "category": "B1"},
        {"category": "A1", "squawk": "0020", "emergency": "none", "flight": "X" * 20},
        {"type": "adsb_icao", "flight": "", "emergency": "none"},
        {"squawk": "1234", "emergency": "none", "category": "C2", "flight": "LAST1"},
        {"sil_type": "perhour", "flight": "Q1"},
    ]
    for i, details in enumerate(shapes):
        doc["trace"][2 * i] = [*doc["trace"][2 * i][:8], details, *doc["trace"][2 * i][9:]]
    for data in (orjson.dumps(doc), readsb_json(doc)):
        assert _agree(data)
    got = fast_trace(orjson.dumps(doc))
    assert got is not None
    obs = got[1]
    assert [obs.squawk[i] for i in (0, 2, 4, 8)] == [7700, 1200, 20, 1234]
    assert obs.callsign[0] == "ABC123" and obs.callsign[4] == "XXXXXXXX"


def test_many_traces_read_together_as_alone() -> None:
    doc = orjson.loads(TRACE.read_bytes())
    docs = [orjson.dumps({**doc, "trace": doc["trace"][i : i + 50]}) for i in range(0, 500, 50)] + [
        orjson.dumps({**doc, "trace": [[0, 1, 2, 3, 4, 5, 0]] * 3})
    ]  # 7 values a point
    docs.insert(3, orjson.dumps({**doc, "trace": [[0, "x", 1, 2, 3, 4, 0]]}))  # refused alone
    bodies = []
    for d in docs:
        s = split_document(d)
        assert s is not None
        bodies.append(d[s.start : s.end])
    together = read_points(bodies)
    alone = [read_points([b])[0] for b in bodies]
    assert together[3] is None and alone[3] is None
    for t, a in zip(together, alone, strict=True):
        if a is not None:
            assert t is not None
            for f in fields(a):
                x, y = getattr(t, f.name), getattr(a, f.name)
                assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name


_numbers = st.one_of(
    st.none(),
    st.integers(-100_000, 100_000),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 6)),
)
_details = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["adsb_icao", "mlat", "tisb_other", "other", "x"]),
            "flight": st.text("ABCDEFGHXYZ0123456789 ", max_size=10),
            "alt_geom": _numbers,
            "squawk": st.one_of(st.text("0123456789", min_size=1, max_size=5), _numbers),
            "nav_modes": st.lists(st.sampled_from(["autopilot", "vnav", "tcas"]), max_size=3),
        },
    ).filter(bool),
)


@st.composite
def _traces(draw: Any) -> dict[str, Any]:
    width = draw(st.integers(7, 14))
    n = draw(st.integers(1, 30))
    points = []
    for i in range(n):
        p: list[Any] = [round(i * 1.5, 2), *draw(st.lists(_numbers, min_size=2, max_size=2))]
        p.append(draw(st.one_of(_numbers, st.just("ground"))))
        p += draw(st.lists(_numbers, min_size=2, max_size=2))
        p.append(draw(st.integers(0, 7)))
        p.append(draw(_numbers))
        p.append(draw(_details))
        p.append(draw(st.one_of(st.none(), st.sampled_from(["adsb_icao", "mlat", "adsr_icao"]))))
        p += draw(st.lists(_numbers, min_size=4, max_size=4))
        points.append(p[:width])
    return {"icao": "abc123", "r": "N1", "timestamp": 1_600_000_000.25, "trace": points}


@settings(max_examples=200, deadline=None)
@given(_traces())
def test_property_agrees_with_the_general_decoder(doc: dict[str, Any]) -> None:
    data = orjson.dumps(doc)
    read = _agree(data)
    # readsb's own layout (a point a line, indented) is read the same, or refused the same
    assert _agree(readsb_json(doc)) == read
    # every document of this plain shape is read column-wise, unless a details object of it is
    # empty or lacks what the column-wise reader needs (then it is refused, never misread)
    details = [p[8] for p in doc["trace"] if len(p) > 8 and isinstance(p[8], dict)]
    if not any("nav_modes" in d and len(d) == 1 for d in details):
        assert read
