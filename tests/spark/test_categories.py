"""The ADS-B emitter categories on Spark: ``spark ingest`` gathers the categories its tasks hear
and keeps them in the lake's ingest records, so ``spark flights`` (the aircraft kinds) and
``spark attach`` (the identity facts) see them as embedded ``ingest`` records them, and both
engines give the same facts and the same flights.

Expected values are those of tests/runtime/test_emitter_categories.py: dump1090's decode of
the St Petersburg Beast capture (A3 for 400159, 4242e5, 4248e7; A5 for 71be34) and the real
Cevennes glider track with its B1 identification message (one flight embedded; three when its
category is not known).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from skywitness.cli.main import main
from skywitness.identify.kinds import Kind
from skywitness.spark.attach import attach_spark_lake
from skywitness.spark.flights import catalogue_reference
from skywitness.spark.ingest import RECORDS_DIR, spark_ingest
from tests.runtime.test_emitter_categories import (
    BEAST,
    GLIDER,
    _facts,
    _flights,
    _ingest,
    _runways,
    glider_frames,
)

__all__ = ["glider_frames"]  # the fixture, shared with the embedded tests


def test_spark_ingest_records_the_beast_captures_categories(
    spark: Any, shared_data: Path, tmp_path: Path
) -> None:
    """The Beast capture on Spark: its record keeps the four informative categories, and the
    store attached to the lake holds the same facts as after an embedded ``ingest``."""
    sdir, edir = tmp_path / "spark", tmp_path / "embedded"
    spark_ingest(spark, [str(shared_data / BEAST)], sdir / "lake")
    attach_spark_lake(sdir)
    _ingest(edir, shared_data, shared_data / BEAST)
    expected = {"400159": "A3", "4242e5": "A3", "4248e7": "A3", "71be34": "A5"}
    name = Path(BEAST).name
    assert _facts(sdir) == _facts(edir) == [(a, c, "adsb", name) for a, c in expected.items()]
    (record,) = (sdir / "lake" / RECORDS_DIR).glob("*.json")
    assert json.loads(record.read_text())["categories"] == expected
    attach_spark_lake(sdir)  # attaching again adds nothing
    assert _facts(sdir) == _facts(edir)


def test_glider_known_by_its_category_on_spark(
    spark: Any, glider_frames: Path, shared_data: Path, tmp_path: Path
) -> None:
    """The glider known only by its B1 category: ``spark ingest`` → ``spark flights`` →
    ``spark attach`` give the one flight (Florac to Florac, 3 gaps bridged) and the fact the
    embedded ``ingest`` gives; without the lake's categories its kind would be unknown."""
    path = glider_frames / "cevennes_b1.jsonl"
    edir, sdir = tmp_path / "embedded", tmp_path / "spark"
    assert _ingest(edir, shared_data, path) == [1]
    embedded = _flights(edir)
    _runways(sdir, shared_data)  # the same runways, no identity facts
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["spark", "ingest", str(path), "--data-dir", str(sdir)]) == 0
    assert catalogue_reference(sdir)[1] == {}  # the store's catalogue does not know it
    day = embedded[0]["firstSeen"].date().isoformat()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        args = ["--since", day, "--until", day, "--data-dir", str(sdir)]
        assert main(["spark", "flights", *args]) == 0
        assert main(["spark", "attach", "--data-dir", str(sdir)]) == 0
    assert out.getvalue().startswith(f"1 flights starting {day} 00:00Z")
    assert _facts(sdir) == _facts(edir) == [(GLIDER, "B1", "adsb", "cevennes_b1.jsonl")]
    spark_flights = _flights(sdir)
    f = spark_flights[0]
    assert (len(spark_flights), f["n_positions"], f["gaps_bridged"]) == (1, 1415, 3)
    assert (f["estDepartureAirport"], f["estArrivalAirport"]) == ("LFNL", "LFNL")
    assert spark_flights == embedded
    # the lake's record alone says what it is
    lake_kinds = catalogue_reference(sdir / "missing", sdir / "lake")[1]
    assert lake_kinds == {GLIDER: int(Kind.GLIDER)}
