"""The state vectors the watch holds (``watch.held``): the same alerts and evidence as before
they were spooled, in memory or in files; and memory that stays flat as the input grows."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.model import STATE_COLUMNS, STATE_TYPES, TIMESTAMP_TYPE
from skywitness.watch import Watch, parse_rules
from skywitness.watch.held import ROW_ORDER, Pending, Spool, compact
from skywitness.watch.history import History
from skywitness.watch.source import EVENT_COLUMNS, HISTORY_COLUMNS, HISTORY_S, EventSource

ROOT = Path(__file__).resolve().parents[2]
#: ``scripts/watch_evidence.py`` at commit a023281 (the history one Arrow table re-sorted per
#: window, the pending rows one list of tables): what the watch gave before ``watch.held``.
BEFORE = {
    "in-order": {
        "alerts": 829,
        "positions": 3304,
        "sha256": "405c122b85445c7b149a92ac9d081cea7a1ee155141c14dcbeb667074c5209a6",
    },
    "swapped-perturbed": {
        "alerts": 862,
        "positions": 3440,
        "sha256": "2a003efff44e3f2cf4d3c097097d277856908a0edcc2fb38aaddabcc163756a9",
    },
    "slice-7.3005s": {
        "alerts": 113,
        "positions": 390,
        "sha256": "bfa78c30d7241a6cf95372a694d7dcdccb99a85408196ccc715ed229f718dc85",
    },
    "subscribed-swapped": {
        "alerts": 555,
        "positions": 2146,
        "sha256": "da64fb7af2b7b7d026644fd361ada500cbeee10be1d6f730733db095f1efee6b",
    },
}


@pytest.fixture(scope="module")
def evidence() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "watch_evidence", ROOT / "scripts" / "watch_evidence.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize(
    ("variant", "spooled"),
    [
        ("in-order", False),
        ("in-order", True),
        ("swapped-perturbed", True),
        ("subscribed-swapped", True),
        ("slice-7.3005s", True),
    ],
)
def test_evidence_identical_to_before(
    evidence: ModuleType,
    quickstart_states: pa.Table,
    tmp_path: Path,
    variant: str,
    spooled: bool,
) -> None:
    alerts = evidence.alerts_of(quickstart_states, variant, tmp_path if spooled else None)
    assert evidence.digest(alerts) == BEFORE[variant]
    assert list(tmp_path.iterdir()) == []  # the spool's folder went with the watch


def _synthetic(t0: float, seconds: int, aircraft: int) -> pa.Table:
    """``aircraft`` aircraft, one state vector each every 2 s over ``seconds``, all flying."""
    n_t = seconds // 2
    t = np.repeat(t0 + 2.0 * np.arange(n_t), aircraft)
    k = np.tile(np.arange(aircraft), n_t)
    cols: dict[str, Any] = {c: pa.nulls(t.shape[0], STATE_TYPES[c]) for c in STATE_COLUMNS}
    cols["timestamp"] = pa.array(np.round(t * 1000).astype(np.int64)).cast(TIMESTAMP_TYPE)
    cols["icao24"] = pa.array([f"{0x3C0000 + int(i):06x}" for i in k])
    cols["latitude"] = pa.array(45.0 + k * 0.01 + (t - t0) * 1e-4)
    cols["longitude"] = pa.array(2.0 + k * 0.01)
    cols["altitude"] = pa.array(np.full(t.shape[0], 30000.0))
    cols["source"] = pa.array(np.where(k % 2 == 0, "beast+tcp://10.0.0.1:30005", "sbs://x:1"))
    cols["position_source"] = pa.array(np.full(t.shape[0], "adsb"))
    return pa.table(cols)


def _held_after(minutes: list[int], spool: Path | None) -> tuple[list[int], EventSource]:
    """Bytes held in memory after each of ``minutes`` of input (300 aircraft, 150 rows/s)."""
    src = EventSource(subscribed=True, spool=spool)
    t0, done, out = 1_633_608_000.0, 0, []
    for m in minutes:
        for start in range(done, m * 60, 60):
            for _ in src.windows(_synthetic(t0 + start, 60, 300)):
                pass
        done = m * 60
        out.append(src.held_bytes())
    return out, src


def test_spooled_memory_flat_as_input_grows(tmp_path: Path) -> None:
    minutes = [10, 40, 70]
    held, src = _held_after(minutes, tmp_path)
    # in memory: the history's index alone (aircraft and row offsets per window)
    assert max(held) < 1_000_000
    assert held[2] <= held[1] * 1.05  # past HISTORY_S: no more
    # on disk: the windows of the last HISTORY_S, and the pending ones
    assert src._history.chunks() <= HISTORY_S / 60 + 1
    files = list(next(tmp_path.iterdir()).iterdir())
    assert len(files) <= HISTORY_S / 60 + 1 + 4
    src.close()
    assert list(tmp_path.iterdir()) == []


def test_in_memory_history_bounded_by_its_span() -> None:
    held, _ = _held_after([10, 40, 70], None)
    # 150 rows/s x 1,800 s, compact (sources dictionary-encoded): about 50 bytes a row
    assert held[1] < 150 * (HISTORY_S + 180) * 60
    assert held[2] <= held[1] * 1.05
    assert held[0] < held[1] / 2  # it does fill up to its span


def test_service_watch_keeps_no_alert_list(quickstart_states: pa.Table) -> None:
    rules = parse_rules('[[rule]]\nname = "s"\nevent = "seen"\n')
    states = quickstart_states.slice(0, 20_000)
    kept = Watch(rules)
    kept.feed(states)
    kept.flush()
    watch = Watch(rules, keep_alerts=False)
    got = watch.feed(states) + watch.flush()
    assert [a.alert_id for a in got] == [a.alert_id for a in kept.alerts]
    assert len(got) == 32
    assert watch.alerts == []


def test_spool_removes_folders_of_dead_processes(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f"{dead.stdout.strip()}-00000000"
    stale.mkdir()
    (stale / "history-00000000.watch.arrow").write_bytes(b"x")
    alive = tmp_path / f"{os.getppid()}-11111111"
    alive.mkdir()
    spool = Spool(tmp_path)
    assert not stale.exists() and alive.exists()
    assert spool.directory is not None and spool.directory.parent == tmp_path
    spool.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name]


def test_unwritable_spool_keeps_rows_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    src = EventSource(subscribed=True, spool=blocker / "spool")
    assert src.spool.directory is None and src.spool.failures == 1
    for _ in src.windows(_synthetic(1_633_608_000.0, 600, 10)):
        pass
    assert src.held_bytes() > 0
    got = src.positions("3c0001", 1_633_608_101.0, before=1, after=1)
    assert [(p["timestamp"], p["icao24"], p["source"]) for p in got] == [
        (1_633_608_100.0, "3c0001", "sbs://x:1"),
        (1_633_608_102.0, "3c0001", "sbs://x:1"),
    ]


def _reference(windows: list[pa.Table], lo_ms: int, icao24: str, t: float, before: int,
               after: int) -> list[dict[str, Any]]:  # fmt: skip
    """The history as it was: every window's rows in one table, re-sorted (a stable sort)."""
    h = pa.concat_tables(windows)
    h = h.filter(pc.greater_equal(h["timestamp"].cast(pa.int64()), lo_ms)).sort_by(ROW_ORDER)
    h = h.filter(pc.equal(h["icao24"], icao24))
    ms = h["timestamp"].cast(pa.int64()).to_numpy()
    k = int(np.searchsorted(ms, round(t * 1000), side="right"))
    lo = max(k - before, 0)
    rows: list[dict[str, Any]] = h.slice(
        lo, min(min(k, before) + after, h.num_rows - lo)
    ).to_pylist()
    for r in rows:
        r["timestamp"] = r["timestamp"].timestamp()
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_positions_are_those_of_one_resorted_table(tmp_path: Path, seed: int) -> None:
    """Random windows (late rows, repeated times, null and NaN positions, few aircraft so that
    each spans many windows): every query gives the rows one re-sorted table gives."""
    rng = np.random.default_rng(seed)
    spool = Spool(tmp_path) if seed % 2 else Spool(None)
    hist = History(600.0, spool, HISTORY_COLUMNS)
    windows: list[pa.Table] = []
    t0 = 1_633_608_000.0
    for w in range(25):
        end = t0 + 60.0 * (w + 1)
        n = int(rng.integers(1, 60))
        # mostly inside the window, some late (up to 5 minutes before it)
        t = end - rng.uniform(0, 60, n) - np.where(rng.random(n) < 0.2, rng.uniform(0, 300, n), 0)
        t = np.round(t, 1)  # repeated times
        lat = rng.choice([1.0, 2.0, np.nan, 3.0], n)
        table = pa.table({
            "timestamp": pa.array(np.round(t * 1000).astype(np.int64)).cast(TIMESTAMP_TYPE),
            "icao24": pa.array(rng.choice(["3c0001", "3c0002", "a00003"], n)),
            "latitude": pa.array(lat, mask=rng.random(n) < 0.15),
            "longitude": pa.array(np.arange(n, dtype=np.float64) + 100 * w),  # tells rows apart
            "altitude": pa.array(rng.uniform(0, 40_000, n)),
            "source": pa.array(rng.choice(["a", "b"], n), mask=rng.random(n) < 0.1),
            "position_source": pa.array(np.full(n, "adsb")),
        }).sort_by(ROW_ORDER)  # fmt: skip
        windows.append(table)
        hist.remember(table, end)
        assert hist.lo_ms is not None
        for _ in range(30):
            icao = str(rng.choice(["3c0001", "3c0002", "a00003", "ffffff"]))
            q = float(np.round(end - rng.uniform(0, 900), 1))
            b, a = int(rng.integers(0, 4)), int(rng.integers(0, 3))
            want = _reference(windows, hist.lo_ms, icao, q, b, a)
            got = hist.positions(icao, q, before=b, after=a)
            assert json.dumps(got) == json.dumps(want)  # NaN written as NaN: equal here
    hist.close()
    spool.close()


class _FailingWriter:
    """A stream writer whose writes fail (a full disk) and which still closes."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write_table(self, table: pa.Table) -> None:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        self.real.close()


def test_pending_rows_keep_their_order_when_a_spool_write_fails(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    pending = Pending(60.0, spool, EVENT_COLUMNS)
    parts = [_synthetic(1_633_608_000.0 + 4 * k, 4, 3) for k in range(4)]
    pending.add(parts[0])
    pending.add(parts[1])
    bucket = next(iter(pending._buckets.values()))
    assert bucket.spooled == 12 and not bucket.tables
    bucket._writer = _FailingWriter(bucket._writer)
    pending.add(parts[2])  # fails: kept in memory, after the spooled rows
    pending.add(parts[3])  # in memory too: never written after a failed write
    assert spool.failures == 1 and bucket.spooled == 12 and len(bucket.tables) == 2
    got = pending.take(round((1_633_608_000.0 + 60) * 1000))
    assert got is not None
    want = pa.concat_tables([compact(t, EVENT_COLUMNS) for t in parts])
    assert got.to_pylist() == want.to_pylist()
    assert spool.lost_rows == 0 and not pending
    spool.close()
