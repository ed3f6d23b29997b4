"""The live flights step in a child process (``FlightsProcess``): the same flights as the
in-process builder, rejects counted in the parent, and the child gone after ``stop``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from skywitness.errors import SkywitnessError
from skywitness.flights import FlightBuilder, load_runways
from skywitness.runtime.flight_steps import LIVE_LATE_S, FlightSteps
from skywitness.runtime.flights_proc import FlightsProcess
from skywitness.runtime.hub import Hub
from skywitness.runtime.service import Service
from skywitness.runtime.workers import FlightsWorker
from skywitness.stats import IngestStats
from tests.flights.tracks import brussels_departure
from tests.watch.helpers import T0, states


def _by_id(table: pa.Table) -> list[dict[str, object]]:
    return sorted(table.to_pylist(), key=lambda r: str(r["flight_id"]))


def test_service_builds_flights_in_a_child_process(service: Service) -> None:
    worker = service.flights
    assert worker is not None and worker.process is not None
    child = worker.process.process
    assert child.is_alive() and child.pid != os.getpid()
    assert worker.failed is None and worker.updates >= 1
    remote = worker.engine.flights()
    assert service.store is not None
    with service.read_lock:
        held = service.store.states()
        stored = service.store.query_flights()
    local = FlightBuilder()
    local.update(held)
    assert remote.num_rows == 2
    assert _by_id(remote) == _by_id(local.flights())
    assert sorted(stored["flight_id"].to_pylist()) == sorted(remote["flight_id"].to_pylist())


class ListeningHub(Hub):
    """A hub with one stream client that records what is published."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[list[str]] = []

    @property
    def clients(self) -> int:
        return 1

    def publish_texts(self, texts: list[str]) -> None:
        self.sent.append(texts)


def test_stream_texts_built_in_the_child_equal_the_parent_ones(service: Service) -> None:
    assert service.store is not None
    with service.read_lock:
        held = service.store.states()
    hub = ListeningHub()
    worker = FlightsWorker(hub, IngestStats(), interval_s=60.0, process=True)
    worker.start()
    worker.add(held)
    worker.stop()
    res = FlightSteps().advance(held, drain=True, flush=True, want_texts=True)
    want = res.texts
    assert want is not None and hub.sent == [want]  # one hand-over, the same texts in order
    by_flight: dict[str, list[str]] = {}
    for text in want:
        msg = json.loads(text.split("data: ", 1)[1])
        by_flight.setdefault(msg["flight_id"], []).append(msg["change"])
    assert len(by_flight) == 2  # each flight's first message says new, the later ones do not
    assert all(k[0] == "new" and set(k[1:]) <= {"changed", "finished"} for k in by_flight.values())
    assert res.windows > 2  # one stage step per 10 s window of data time


def test_process_worker_counts_rejects_and_exits() -> None:
    stats = IngestStats()
    worker = FlightsWorker(Hub(), stats, interval_s=60.0, process=True)
    seen: list[tuple[int, list[str]]] = []
    worker.subscribers.append(lambda table, removed: seen.append((table.num_rows, removed)))
    worker.start()
    proc = worker.process
    assert proc is not None
    rows = [{"t": T0 + 10 * k, "icao24": "3C6444", "onground": True} for k in range(5)]
    worker.add(states([*rows, {"t": T0, "icao24": None}]))
    worker.step()
    assert stats.rejected == {"bad_record": 1}
    assert seen == [(0, [])]  # a parked transponder: no flight
    assert worker.rows_held == 5  # its rows, held in the child (/api/stats flights.rows_held)
    assert worker.rows_held_quiet == 0
    # another aircraft heard past the live horizon after it: the first one's rows are quiet
    later = T0 + 40 + LIVE_LATE_S + 1
    worker.add(states([{"t": later, "icao24": "3c6445", "onground": True}]))
    worker.step()
    assert (worker.rows_held, worker.rows_held_quiet) == (6, 5)
    worker.add(states([{"t": later + 1, "icao24": "3c6444", "onground": True}]))
    worker.stop()  # the last step runs in the child, then the child exits
    assert worker.updates == 3 and worker.failed is None
    assert proc.process.exitcode == 0 and not proc.process.is_alive()
    with pytest.raises(SkywitnessError, match="closed"):
        proc.step(states(rows))


def test_a_dead_child_is_replaced_at_the_next_step() -> None:
    proc = FlightsProcess().start()
    try:
        rows = [{"t": T0 + 10 * k, "icao24": "3c6444", "onground": True} for k in range(5)]
        assert proc.step(states(rows)).changed.num_rows == 0
        first = proc.process
        first.kill()
        first.join(10)
        with pytest.raises(SkywitnessError, match="died"):
            proc.step(states(rows))
        res = proc.step(states(rows), flush=True)  # a fresh child
        assert res.changed.num_rows == 0 and proc.restarts == 1
        assert proc.process is not first and proc.process.is_alive()
    finally:
        proc.close()
    assert not proc.process.is_alive()


def test_the_flights_child_uses_the_runways_it_is_given(shared_data: Path) -> None:
    runways = load_runways(shared_data / "ourairports" / "runways.csv.gz")
    for with_runways in (None, runways):
        proc = FlightsProcess(with_runways).start()
        try:
            res = proc.step(brussels_departure(), flush=True)
        finally:
            proc.close()
        (flight,) = res.changed.to_pylist()
        want = "EBBR" if with_runways is not None else None
        assert flight["estDepartureAirport"] == want


def test_a_step_lost_with_its_child_is_built_by_the_next_one() -> None:
    worker = FlightsWorker(Hub(), IngestStats(), interval_s=60.0, process=True)
    seen: list[list[str]] = []
    worker.subscribers.append(lambda table, _: seen.append(table["flight_id"].to_pylist()))
    worker.start()
    proc = worker.process
    assert proc is not None
    try:
        proc.process.kill()
        proc.process.join(10)
        worker.add(brussels_departure())
        worker.step()  # the child is gone: the step fails, its state vectors are queued again
        assert isinstance(worker.failed, SkywitnessError) and seen == []
        worker.step()  # a fresh child builds them
        assert seen == [["44a001-20211007T120000.000Z"]] and worker.dropped_rows == 0
        assert proc.restarts == 1 and worker.updates == 1
    finally:
        worker.stop()


def test_the_child_holds_received_state_vectors_compactly() -> None:
    """#17 item 12: the tracker's batches reach the child as one IPC record batch each; read
    zero-copy, the windows held every whole message (each batch's metadata and padding: here
    204 kB for 112 kB of rows; measured in the child, ~750 bytes of RSS a row instead of
    ~250). The child keeps one compact copy, which owns its memory."""
    from skywitness.runtime.flights_ipc import held_states, to_ipc

    batch = states(
        [{"t": T0 + i, "icao24": "4840d6", "callsign": "KLM1", "latitude": 50.0} for i in range(12)]
    )
    payload = to_ipc(pa.concat_tables([batch] * 90))  # 90 tracker batches, 1,080 rows
    held = held_states(payload)
    assert held is not None and held.num_rows == 1080
    assert all(col.num_chunks == 1 for col in held.columns)
    lo = pa.py_buffer(payload).address
    for col in held.columns:
        for buf in col.chunks[0].buffers():
            assert buf is None or not lo <= buf.address < lo + len(payload)
    assert held.get_total_buffer_size() < 0.6 * len(payload)
    assert held.equals(pa.concat_tables([batch] * 90))
    assert held_states(b"") is None


class _DeadParent:
    """A pipe whose parent was killed mid-request: the request's header arrived, its payload
    never will, and anything sent back finds the pipe broken."""

    def __init__(self) -> None:
        self.requests = [("step", {"flush": False, "texts": False})]

    def recv(self) -> object:
        if not self.requests:
            raise EOFError
        return self.requests.pop()

    def recv_bytes(self) -> bytes:
        raise EOFError

    def send(self, obj: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_the_child_ends_quietly_when_its_parent_dies_mid_request() -> None:
    """A serve killed between a request's header and its payload: the child returns (before,
    it sent the EOFError's traceback down the dead pipe and died of a BrokenPipeError, printing
    a traceback into serve's log: 3 of 101 kill runs, docs/reliability.md)."""
    from skywitness.runtime.flights_proc import _serve

    _serve(_DeadParent(), None, None, None, True)  # type: ignore[arg-type]


_BUSY_CHILD = """
import os, sys, time, multiprocessing as mp
from skywitness.runtime.flights_proc import watch_parent

def busy(parent: int) -> None:
    watch_parent(parent, 0.05)
    time.sleep(120)  # the main thread in a long step: the pipe's EOF would come after it

if __name__ == "__main__":
    child = mp.get_context("spawn").Process(target=busy, args=(os.getpid(),), daemon=True)
    child.start()
    print(child.pid, flush=True)
    time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "\nState:\tZ" in f.read()  # a zombie (not reaped yet) is gone too
    except FileNotFoundError:
        return True


def test_the_child_exits_when_its_parent_is_killed_mid_step(tmp_path: Path) -> None:
    """A serve killed with SIGKILL while its flights child is in a long step: the child is gone
    within a second (it took up to ~81 s under load: it saw the pipe's EOF after its step)."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(_BUSY_CHILD)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5.0
        while not _gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(child)
    finally:
        parent.kill()


def test_the_service_child_is_told_its_parent() -> None:
    """``FlightsProcess`` hands the child this process's id to watch."""
    proc = FlightsProcess()
    made = proc._ctx.Process
    seen: list[tuple[Any, ...]] = []

    def spy(*a: Any, **kw: Any) -> Any:
        seen.append(kw["args"])
        return made(*a, **kw)

    proc._ctx.Process = spy  # type: ignore[misc,assignment]
    proc.start()
    try:
        assert seen[0][-1] == os.getpid()
    finally:
        proc.close()
