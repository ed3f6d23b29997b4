"""The fuzz harness in CI (brief: 500 inputs per parser, one child process, well under a
minute), the harness's own failure handling, every crash it found as a test of its own
(minimised by hand), and the decoder property: random 56/112-bit frames with valid CRCs never
yield values outside physical ranges.

The long run is ``python -m fuzz.run --inputs 10000000 --until HH:MM --json FILE``
(docs/reliability.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.run import CRASHES, run
from fuzz.targets import TARGETS
from skywitness.decode import decode_batch
from skywitness.decode.crc import crc24
from skywitness.errors import ConfigError, SkywitnessError
from skywitness.model import MAX_GROUNDSPEED_KT, FrameBatch, Observations, RejectReason, StateRows
from skywitness.sources.source import make_parser
from skywitness.stats import IngestStats

#: Inputs per target in CI (17 targets; ~15 s on a loaded 2-core machine).
CI_INPUTS = 500


def test_every_parser_survives_a_brief_fuzz_run() -> None:
    results = run(list(TARGETS), CI_INPUTS, seed=2026, timeout_s=240)
    assert [r.target for r in results] == list(TARGETS)
    failed = [(r.target, r.failures[:2]) for r in results if not r.ok]
    assert failed == []
    assert all(r.inputs == CI_INPUTS for r in results)


def test_saved_crash_inputs_replay_clean() -> None:
    """Any input ``fuzz.run`` saved (fuzz/crashes/TARGET-HASH.bin), once fixed, stays fixed
    (none is kept today: each crash found so far has its own minimised test below)."""
    import random

    for path in sorted(CRASHES.glob("*.bin")) if CRASHES.is_dir() else []:
        target = TARGETS[path.name.rsplit("-", 1)[0]]
        for k in range(8):
            target.check(path.read_bytes(), random.Random(k))


# -- the crashes the fuzzer found, minimised --------------------------------------------


def _parse(
    fmt: str, data: bytes
) -> tuple[list[FrameBatch | Observations | StateRows], IngestStats]:
    stats = IngestStats()
    p = make_parser(fmt, stats, "x")
    return p.feed(data) + p.finish(), stats


def test_sbs_date_with_a_huge_year() -> None:
    """fuzz sbs: datetime(10**30, ...) raised OverflowError."""
    line = b"MSG,3,1,1,4840D6,1,1000000000000000000000000000000/06/06,10:00:00.000,,,,35000\n"
    out, stats = _parse("sbs", line)
    assert out == [] and dict(stats.rejected) == {"bad_line": 1}


def test_hex_and_jsonl_times_out_of_range_are_rejected(tmp_path: Path) -> None:
    """fuzz hex/jsonl: frames timed -1, 1e17 or 1.8e26 s reached the tracker."""
    from skywitness.sources import open_source

    f = "8d4840d6202cc371c32ce0576098"
    hexfile = tmp_path / "x.txt"
    hexfile.write_text(f"-1,{f}\n1e17,{f}\n1717667763.25,{f}\n")
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text("\n".join(json.dumps({"timestamp": t, "frame": f})
                               for t in (1.8e26, 9717664540.2, 1717667763.25)) + "\n")  # fmt: skip
    for path, fmt in ((hexfile, "hex"), (jsonl, "jsonl")):
        stats = IngestStats()
        got = [b for b in open_source(str(path), fmt, stats) if len(b)]
        assert sum(len(b) for b in got) == 1, fmt
        assert dict(stats.rejected) == {"bad_timestamp": 2}, fmt


def test_states_rows_out_of_physical_range_are_rejected(tmp_path: Path) -> None:
    """fuzz states: a states document timed in 1969 passed through."""
    from skywitness.sources import open_source

    doc = [{"timestamp": -1000, "icao24": "4840d6"},  # unix ms, as traffic writes them
           {"timestamp": 1717667763000, "icao24": "4840d6"},
           {"timestamp": 1717667764000, "icao24": "4840d6", "groundspeed": 9999}]  # fmt: skip
    path = tmp_path / "states.json"
    path.write_text(json.dumps(doc))
    stats = IngestStats()
    assert sum(len(b) for b in open_source(str(path), "states", stats)) == 1
    assert stats.rejected["bad_record"] == 2


def test_states_positions_off_the_globe_and_infinite_times(tmp_path: Path) -> None:
    """fuzz states (long run): latitude 95 / longitude 200 passed through; a timestamp of
    ``Infinity`` raised OverflowError."""
    from skywitness.sources import open_source

    doc = [{"timestamp": 1717667763000, "icao24": "4840d6", "latitude": 95.0, "longitude": 2.0},
           {"timestamp": 1717667764000, "icao24": "4840d6", "latitude": 45.0,
            "longitude": 200.0},
           {"timestamp": float("inf"), "icao24": "4840d6"},
           {"timestamp": 1717667765000, "icao24": "4840d6", "latitude": 45.0,
            "longitude": 2.0}]  # fmt: skip
    path = tmp_path / "states.json"
    path.write_text(json.dumps(doc))  # Infinity: Python's JSON, as the fuzzer wrote it
    stats = IngestStats()
    assert sum(len(b) for b in open_source(str(path), "states", stats)) == 1
    assert stats.rejected_total == 3


def test_avr_signed_timestamps_and_far_apart_counters() -> None:
    """fuzz avr (long run): ``@-00000016d3a;`` (int(..., 16) takes a sign) raised
    OverflowError; two frames whose counters are far apart left no frame near their median
    (ValueError in the live clock)."""
    frame = "8d4840d6202cc371c32ce0576098"
    data = f"@-00000016d3a{frame};\n@+00000016d3a{frame};\n".encode()
    got, stats = _parse("avr", data)
    assert sum(len(b) for b in got) == 0 and stats.rejected["bad_hex"] == 2
    stats = IngestStats()
    p = make_parser("avr", stats, "x", live=True)
    two = f"@7fffe1a4c25b{frame};\n@0000016d3a5c{frame};\n".encode()  # as the fuzzer made
    got = p.feed(two, 1.7e9) + p.finish()
    assert sum(len(b) for b in got) + stats.rejected_total == 2


def test_trace_source_type_that_is_not_a_text() -> None:
    """fuzz globe-tar (long run): a trace point whose source type is a table raised TypeError
    (unhashable dict)."""
    doc = {"icao": "4840d6", "timestamp": 1717667763.0,
           "trace": [[0.0, 48.0, 2.0, 35000, 450.0, 90.0, 0, 0, None, {"x": 1}, None, None],
                     [1.0, 48.0, 2.01, 35000, 450.0, 90.0, 0, 0, None, "adsb_icao", None,
                      None]]}  # fmt: skip
    got, stats = _parse("trace", json.dumps(doc).encode())
    assert sum(len(b) for b in got) == 2, stats.rejected


def test_states_parquet_with_a_column_name_that_is_not_utf8(tmp_path: Path) -> None:
    """fuzz states (long run of 2026-12-06): a Parquet file whose footer names a column in
    bytes that are not UTF-8 raised UnicodeDecodeError from pyarrow."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from skywitness.sources import open_source

    buf = io.BytesIO()
    pq.write_table(pa.table({"zzzzzz": [1, 2]}), buf, store_schema=False)
    path = tmp_path / "states.parquet"
    path.write_bytes(buf.getvalue().replace(b"zzzzzz", b"\xf4zzzzz"))
    stats = IngestStats()
    assert sum(len(b) for b in open_source(str(path), "states", stats)) == 0
    assert dict(stats.rejected) == {"truncated": 1}


def test_states_parquet_with_a_time_zone_that_is_not_utf8(tmp_path: Path) -> None:
    """fuzz states (long run of 2026-12-06, after the fix above): a Parquet file that reads,
    but whose Arrow schema names the time zone in bytes that are not UTF-8, raised
    UnicodeDecodeError when its columns were cast."""
    import base64
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from skywitness.sources import open_source

    ts = pa.array([1717667763000, 1717667764000], pa.timestamp("ms", tz="Xurope/Paris"))
    buf = io.BytesIO()
    pq.write_table(pa.table({"timestamp": ts, "icao24": ["4840d6"] * 2}), buf)
    data = buf.getvalue()
    meta = pq.ParquetFile(io.BytesIO(data)).metadata.metadata[b"ARROW:schema"]
    bad = base64.b64encode(base64.b64decode(meta).replace(b"Xurope", b"\xbcurope"))
    path = tmp_path / "states.parquet"
    path.write_bytes(data.replace(meta, bad))  # same length: the footer stays valid
    stats = IngestStats()
    assert sum(len(b) for b in open_source(str(path), "states", stats)) == 0
    assert (stats.frames, dict(stats.rejected)) == (2, {"bad_record": 2})


def test_states_parquet_with_texts_that_are_not_utf8() -> None:
    """fuzz states (long run of 2026-12-06): a Parquet file whose callsigns are not UTF-8
    (Parquet readers do not check) raised UnicodeDecodeError when its rows became
    observations."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from skywitness.sources.states import states_table

    table = pa.table({"timestamp": pa.array([1717667763000, 1717667764000], pa.int64()),
                      "icao24": ["4840d6"] * 2, "callsign": ["AFR1234X"] * 2})  # fmt: skip
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="none")
    stats = IngestStats()
    assert states_table(buf.getvalue().replace(b"AFR1234X", b"AFR1234\xb4"), stats, "s") is None
    assert (stats.frames, dict(stats.rejected)) == (2, {"bad_record": 2})


def test_states_squawk_of_many_digits() -> None:
    """fuzz states (long run of 2026-12-06, fourth round): a squawk of 28 digits overflowed
    the int16 squawk column (OverflowError)."""
    import pyarrow as pa

    from skywitness.sources.states import observations_from_states
    from skywitness.store.schema import canonicalize

    table = canonicalize(pa.table({"timestamp": pa.array([1717667763000] * 2, pa.int64()),
                                   "icao24": ["4840d6"] * 2,
                                   "squawk": ["1017017017017017017017017017", "1017"]}),
                         stats=IngestStats(), source="s")  # fmt: skip
    assert observations_from_states(table, "s").squawk.tolist() == [-1, 1017]


def test_states_times_beyond_int64_and_infinite_squawks(tmp_path: Path) -> None:
    """fuzz states (long run of 2026-12-06): a timestamp of 1.5e30 ms (OverflowError
    converting to int64); a squawk of ``Infinity`` (OverflowError in int())."""
    from skywitness.sources import open_source

    path = tmp_path / "states.json"
    path.write_text(
        '[{"timestamp": 1522782149999999999999999999947, "icao24": "400159"},'
        ' {"timestamp": 1522782149108, "icao24": "400159", "squawk": Infinity},'
        ' {"timestamp": 1522782150108, "icao24": "400159", "squawk": 1017}]'
    )
    stats = IngestStats()
    got = [b for b in open_source(str(path), "states", stats) if len(b)]
    assert sum(len(b) for b in got) == 2
    assert stats.rejected_total == 1
    squawks = [s for b in got for s in b.table.column("squawk").to_pylist()]  # type: ignore[union-attr]
    assert squawks == [None, "1017"]


@pytest.mark.parametrize("url", ["http://[::1/alerts", "http://example.org:99999/alerts"])
def test_rules_webhook_url_that_urllib_refuses(url: str) -> None:
    """fuzz rules-toml (long run of 2026-12-06): a webhook url with an unclosed IPv6
    bracket raised ValueError from urlsplit (a port out of range would, on first use)."""
    from skywitness.watch.rules import parse_rules

    text = f'[[notifier]]\nkind = "webhook"\nurl = "{url}"\n'
    with pytest.raises(ConfigError, match=r"r\.toml: line \d+: notifier 'webhook': url "):
        parse_rules(text, "r.toml")


def test_scenario_toml_nested_too_deep() -> None:
    """fuzz scenario-toml: RecursionError from tomllib."""
    from skywitness.simulate.scenario import parse_scenario

    with pytest.raises(ConfigError, match="nested too deep"):
        parse_scenario("x = " + "[" * 5000 + "]" * 5000, "s.toml")


def test_question_toml_with_a_number_where_a_list_belongs(tmp_path: Path) -> None:
    """fuzz question-toml: ``countries = 5`` raised TypeError."""
    from skywitness.evidence.question import load_toml

    q = tmp_path / "q.toml"
    q.write_text("countries = 5\n")
    with pytest.raises(SkywitnessError, match="expected a text or a list"):
        load_toml(q)


CLAIM = """[aircraft]
registry_country = ["CN"]
[where]
to = ["SVCS"]
[when]
since = 2019-09-20T04:00:00Z
until = 2019-09-21T04:00:00Z
[claim]
published = 2019-09-25
"""


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ("count = inf", "claim.count: inf is not a whole number"),
        ("count = 1e400", "claim.count: inf is not a whole number"),
        ("count = 2.5", "claim.count: 2.5 is not a whole number"),
        ("count = [1]", "claim.count: not a number"),
        ('time_zone = "' + "America/" * 40 + '"', "unknown time zone"),
        ("notes = " + "[" * 3000 + "]" * 3000, "nested too deep"),
    ],
)
def test_claim_toml_bad_values_are_clear_errors(extra: str, error: str) -> None:
    """fuzz claim-toml: ``count = inf`` raised OverflowError, a time zone name longer than a
    file name OSError, nesting thousands deep RecursionError."""
    from skywitness.claims.claim import from_toml

    assert from_toml(CLAIM + "count = 2\n").count == 2
    with pytest.raises(SkywitnessError, match=error):
        from_toml(CLAIM + extra + "\n", "c.toml")


def test_receivers_toml_nested_too_deep() -> None:
    """fuzz receivers-toml: RecursionError from tomllib."""
    from skywitness.mlat.receivers import parse_receivers

    with pytest.raises(ConfigError, match=r"r\.toml: not valid TOML \(nested too deep\)"):
        parse_receivers("x = " + "[" * 5000 + "]" * 5000, "r.toml")


# -- decoder: valid CRCs, physical ranges -------------------------------------------------

#: (field, low, high): what a decoded, accepted message may hold (NaN: not present).
PHYSICAL = (
    ("altitude", -1300.0, 127_000.0),  # Gillham -1,200 .. 126,700 ft
    ("geoaltitude", -1300.0, 127_000.0),
    ("groundspeed", 0.0, MAX_GROUNDSPEED_KT),
    ("track", 0.0, 360.0),
    ("vertical_rate", -32_768.0, 32_768.0),  # 511 * 64 ft/min
    ("heading", 0.0, 360.0),
    ("ias", 0.0, 4_100.0),
    ("tas", 0.0, 4_100.0),
    ("mach", 0.0, 4.1),
    ("roll", -90.0, 90.0),
    ("track_rate", -16.0, 16.0),
    ("selected_altitude", -2_000.0, 66_000.0),
    ("baro_setting", 800.0, 1_210.0),
)


def _frame(df: int, body: bytes, long_: bool) -> bytes:
    n = 11 if long_ else 4
    b = bytearray((body + bytes(n))[:n])
    b[0] = (df << 3) | (b[0] & 7)
    return bytes(b) + crc24(bytes(b)).to_bytes(3, "big")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from([17, 18, 11, 17, 17]), st.binary(min_size=11, max_size=11)),
        min_size=64,
        max_size=64,
    )
)
def test_decoder_never_yields_values_outside_physical_ranges(
    frames: list[tuple[int, bytes]],
) -> None:
    raw = [_frame(df, body, df != 11) for df, body in frames]
    n = len(raw)
    data = np.zeros((n, 14), np.uint8)
    for i, f in enumerate(raw):
        data[i, : len(f)] = np.frombuffer(f, np.uint8)
    fb = FrameBatch(
        timestamp=np.full(n, 1.7e9), data=data,
        length=np.array([len(f) for f in raw], np.uint8), signal=np.zeros(n, np.float32),
        ticks=np.zeros(n, np.uint64), receiver=np.zeros(n, np.uint64), source="prop",
    )  # fmt: skip
    m = decode_batch(fb)
    ok = m.reject == 0
    assert (m.reject != RejectReason.CRC).all()  # a valid CRC is never a CRC reject
    for name, lo, hi in PHYSICAL:
        v = getattr(m, name)[ok].astype(np.float64)
        v = v[np.isfinite(v)]
        assert ((v >= lo) & (v <= hi)).all(), (name, v.min(), v.max())
    sq = m.squawk[ok]
    assert ((sq == -1) | ((sq >= 0) & (sq <= 7777))).all()


# -- the harness itself ---------------------------------------------------------------------


def _expected(name: str, seed: int, inputs: int, every: int) -> list[int]:
    from fuzz.child import Inputs
    from tests.reliability._fuzz_misbehave import all_seeds, chosen

    make = Inputs(all_seeds(), seed).make
    return [i for i in range(inputs) if chosen(make(name, i), every)]


def test_harness_names_each_failing_input_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many inputs run in one process; an exception, a deferred check that fails, a process
    killed by a signal and an input that spins are each recorded against their exact input
    (saved), and the run goes on to the last input."""
    from fuzz.child import CRASHES_ENV, TARGETS_MODULE_ENV, Inputs
    from tests.reliability._fuzz_misbehave import all_seeds

    monkeypatch.setenv(TARGETS_MODULE_ENV, "tests.reliability._fuzz_misbehave")
    monkeypatch.setenv(CRASHES_ENV, str(tmp_path))
    n = 300
    seed = next(s for s in range(50) if len(_expected("spin", s, n, 150)) == 1
                and 1 <= len(_expected("die", s, n, 100)) <= 3)  # fmt: skip
    targets = ["raise", "defer", "die", "spin"]
    got = {r.target: r for r in run(targets, n, seed=seed, time_limit_s=1.0)}
    for name, every in (("raise", 40), ("defer", 40), ("die", 100), ("spin", 150)):
        want = _expected(name, seed, n, every)
        res = got[name]
        assert want and [f["index"] for f in res.failures] == want, name
        assert res.inputs == n, name
        kinds = {f["kind"] for f in res.failures}
        counts = (res.exceptions, res.crashes, res.hangs)
        assert counts == {
            "raise": (len(want), 0, 0), "defer": (len(want), 0, 0),
            "die": (0, len(want), 0), "spin": (0, 0, len(want)),
        }[name], (name, kinds)  # fmt: skip
        make = Inputs(all_seeds(), seed).make
        for f in res.failures:
            assert Path(f["file"]).read_bytes() == make(name, f["index"])
            assert Path(f["file"]).parent == tmp_path


def test_the_page_says_when_the_long_run_stopped_short() -> None:
    """docs/reliability.md's fuzz section is written from fuzz.run's JSON: counts below the
    inputs asked are labelled partial, each failure named with its parser and input."""
    from scripts.reliability import fuzz_piece
    from scripts.reliability_doc import _fuzz

    def result(target: str, inputs: int, failures: list[dict[str, object]]) -> dict[str, object]:
        return {"target": target, "inputs": inputs, "seconds": 10.0, "exceptions": len(failures),
                "hangs": 0, "crashes": 0, "max_rss_mb": 200.0, "failures": failures}  # fmt: skip

    boom = {"index": 41, "kind": "ValueError", "error": "boom", "file": "x.bin"}
    doc = {"command": "python -m fuzz.run --inputs 1000 --until 02:35", "started": "s",
           "updated": "u", "machine": "m", "inputs_asked": 1000,
           "results": [result("sbs", 1000, []), result("beast", 250, [boom])]}  # fmt: skip
    page = "\n".join(_fuzz({"fuzz": fuzz_piece(doc), "time_limit_s": 5.0, "memory_limit_gb": 6}))
    assert "In all: 1,250 inputs over 2 parsers. **Partial**: 1,000 inputs per parser" in page
    assert "1 of 2 parsers stopped short of that: 250 to 1,000 inputs each" in page
    assert "| beast | 250 | 10.0 | 25 | 1 | 0 | 0 | 200 |" in page
    assert "- beast #41 ValueError: boom" in page
    assert "Parsers take turns" in page
    doc["results"] = [result("sbs", 1000, [])]
    assert "Every parser ran the 1,000 inputs asked." in "\n".join(
        _fuzz({"fuzz": fuzz_piece(doc), "time_limit_s": 5.0, "memory_limit_gb": 6})
    )


def test_harness_kills_an_input_blocked_in_native_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input that neither uses CPU nor returns (where the child's own watchdog cannot
    raise) is killed from outside after ``KILL_AFTER_S``, counted as a hang of that input,
    and the run goes on."""
    import fuzz.run
    from fuzz.child import CRASHES_ENV, TARGETS_MODULE_ENV

    monkeypatch.setenv(TARGETS_MODULE_ENV, "tests.reliability._fuzz_misbehave")
    monkeypatch.setenv(CRASHES_ENV, str(tmp_path))
    monkeypatch.setattr(fuzz.run, "KILL_AFTER_S", 2.0)
    n = 200
    seed = next(s for s in range(50) if len(_expected("block", s, n, 150)) == 1)
    (res,) = run(["block"], n, seed=seed)
    assert [f["index"] for f in res.failures] == _expected("block", seed, n, 150)
    assert (res.inputs, res.hangs, res.crashes, res.exceptions) == (n, 1, 0, 0)
    assert res.failures[0]["kind"] == "hang: input ran over 2 s (killed)"


def test_a_run_goes_on_from_where_an_earlier_one_stopped(tmp_path: Path) -> None:
    """``--resume``: each parser goes on from the count the earlier run's JSON holds (the
    inputs are those of one run: input ``i`` depends on the seed, the parser and ``i`` only);
    each piece is listed with its command and commit."""
    from fuzz.run import main

    out = tmp_path / "fz.json"
    args = ["--targets", "hex", "--inputs", "60", "--seed", "3", "--json", str(out)]
    assert main([*args, "--budget-s", "0.05"]) == 0
    first = json.loads(out.read_text())
    assert first["results"][0]["inputs"] < 60 and len(first["sessions"]) == 1
    assert main([*args, "--resume"]) == 0
    doc = json.loads(out.read_text())
    assert doc["results"][0]["inputs"] == 60 and doc["started"] == first["started"]
    assert [s["command"].endswith("--resume") for s in doc["sessions"]] == [False, True]
    with pytest.raises(SystemExit, match="not this run's"):
        main([*args[:-4], "--seed", "4", "--json", str(out), "--resume"])
