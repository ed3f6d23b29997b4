"""The soak's traffic: simulated Beast receivers that ``serve`` connects to.

Frames come from the simulator (``skywitness.simulate``: real airports, ADS-B encoded as the
transponders do, each frame heard by the receivers in range) over 20 receivers across Europe.
Aircraft depart all through the run, so takeoffs, landings and flights keep happening. A
generator process makes the frames a chunk (``CHUNK_S``) ahead and cuts each receiver's share
into Beast bytes per ``SLICE_S``; the feeder process only paces and sends, so a feeder costs
little CPU next to ``serve``. At high rates the simulator itself is the cost (about 0.9 CPU-s
per second of traffic at 100,000 frames/s, as much as ``serve``): with a frame cache
(``cfg["cache"]``, ``pregenerate``) every chunk is made before the run, on every core, and
saved; the feeder then replays the saved chunks (the same bytes the generator would give), so
the run measures ``serve`` and not the simulator.

Each receiver is a TCP server (as readsb's port 30005). Every few minutes (``--disconnect-min``
.. ``--disconnect-max``) the feeder closes a receiver's connection between two frames; ``serve``
reconnects. Frames due while a receiver has no client are not sent and counted as such, so the
count of frames sent is exact: ``sent[r]`` frames went into receiver ``r``'s socket whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import multiprocessing as mp
import os
import queue
import random
import selectors
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Scenario seconds made per generator step.
CHUNK_S = 30.0
#: Real seconds of frames sent per socket write (10 writes/s per receiver).
SLICE_S = 0.1
#: Scenario time at which the soak begins: aircraft have been departing for 3.5 hours, longer
#: than the longest route takes, so the number airborne is steady from the start.
WARM_S = 4 * 3600.0
#: Hubs the simulated aircraft fly between (ICAO codes of airports in the simulator's tables).
HUBS = ("EDDF", "EDDM", "EHAM", "LFPG", "EGLL", "LSZH", "LOWW", "EKCH", "EPWA", "LKPR", "EDDB",
        "LEMD", "LIRF", "ESSA", "EBBR", "LFMN", "LHBP", "LYBE", "EGCC", "LROP")  # fmt: skip


def receivers(n: int) -> list[tuple[str, float, float]]:
    """``n`` receivers on a grid over central and western Europe (name, lat, lon)."""
    cols = math.ceil(math.sqrt(n * 1.5))
    rows = math.ceil(n / cols)
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        lat = 42.0 + 14.0 * (r + 0.5) / rows
        lon = -4.0 + 26.0 * (c + 0.5) / cols
        out.append((f"rx{k:02d}", round(lat, 2), round(lon, 2)))
    return out


def scenario_toml(n_aircraft: int, n_receivers: int, span_s: float, seed: int) -> str:
    """Departures spread evenly over ``span_s`` (+ the warm-up hour) between ``HUBS``."""
    rng = np.random.default_rng(seed)
    out = ['name = "soak"', "start = 2024-06-01T00:00:00Z", f"seed = {seed}"]
    for name, lat, lon in receivers(n_receivers):
        out += ["[[receivers]]", f'name = "{name}"', f"lat = {lat}", f"lon = {lon}"]
        out += ["radius_nm = 250", "altitude_ft = 600"]
    total = WARM_S + span_s
    for i in range(n_aircraft):
        a, b = rng.choice(len(HUBS), 2, replace=False)
        dep = int(rng.uniform(1800.0, total))  # the transponder starts before departure
        h, rest = divmod(dep, 3600)
        m, s = divmod(rest, 60)
        day, h = divmod(h, 24)
        out += ["[[aircraft]]", f'icao24 = "{0x3C0000 + i:06x}"', f'callsign = "SOK{i:04d}"']
        out += [f'registration = "D-S{i:04d}"', 'type = "A320"']
        out += ["cruise_altitude_ft = 36000", "cruise_speed_kt = 450"]
        out.append(
            f'route = [{{ airport = "{HUBS[a]}", depart = 2024-06-{1 + day:02d}T{h:02d}:{m:02d}:'
            f'{s:02d}Z }}, {{ airport = "{HUBS[b]}" }}]'
        )
    return "\n".join(out) + "\n"


@dataclass
class Chunk:
    """One chunk of every receiver's frames: ``slices[r][k]`` are the Beast bytes of receiver
    ``r`` for slice ``k`` and ``counts[r][k]`` the frames in them."""

    index: int
    slices: list[list[bytes]]
    counts: list[list[int]]


def make_chunk(scenario: Any, n_receivers: int, index: int) -> Chunk:
    from skywitness.simulate.run import _window
    from skywitness.simulate.writers import beast_bytes

    w0 = scenario.start + WARM_S + index * CHUNK_S
    fb = _window(scenario, w0, w0 + CHUNK_S, index)
    n_slices = round(CHUNK_S / SLICE_S)
    slices: list[list[bytes]] = [[b""] * n_slices for _ in range(n_receivers)]
    counts = [[0] * n_slices for _ in range(n_receivers)]
    if len(fb):
        k_of = np.minimum(((fb.timestamp - w0) / SLICE_S).astype(np.int64), n_slices - 1)
        rx = fb.receiver.astype(np.int64) - 1
        for r in range(n_receivers):
            mine = np.flatnonzero(rx == r)
            if not mine.size:
                continue
            edges = np.searchsorted(k_of[mine], np.arange(n_slices + 1))
            for k in range(n_slices):
                lo, hi = int(edges[k]), int(edges[k + 1])
                if hi > lo:
                    slices[r][k] = beast_bytes(fb.take(mine[lo:hi]))
                    counts[r][k] = hi - lo
    return Chunk(index, slices, counts)


def parse(toml_text: str) -> Any:
    from skywitness.simulate import parse_scenario

    return parse_scenario(toml_text, "soak.toml")


def calibrate(rate: float, n_receivers: int, span_s: float, seed: int) -> tuple[int, float]:
    """Aircraft count for ``rate`` frames/s (all receivers together): a trial scenario's first
    chunk gives frames per second per aircraft. Returns (aircraft, that trial's per-aircraft
    rate)."""
    trial = 400
    sc = parse(scenario_toml(trial, n_receivers, span_s, seed))
    ch = make_chunk(sc, n_receivers, 0)
    per = sum(map(sum, ch.counts)) / CHUNK_S / trial
    return max(1, round(rate / max(per, 1e-6))), per


def generate(toml_text: str, n_receivers: int, chunks: int, out: Any) -> None:
    """Generator process: every chunk in order onto ``out`` (a bounded queue), then None."""
    sc = parse(toml_text)
    for i in range(chunks):
        out.put(make_chunk(sc, n_receivers, i))
    out.put(None)


def cache_key(toml_text: str, n_receivers: int) -> str:
    """What a saved chunk depends on: the scenario, the receivers, the chunk and slice lengths
    and the simulator's code (a changed simulator makes new chunks)."""
    h = hashlib.sha256(f"{toml_text}|{n_receivers}|{CHUNK_S}|{SLICE_S}".encode())
    sim = Path(__file__).resolve().parents[1] / "src" / "skywitness" / "simulate"
    for f in sorted(sim.rglob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def chunk_path(cache: Path, key: str, index: int) -> Path:
    return cache / f"soak-{key}-{index:05d}.npz"


def save_chunk(path: Path, ch: Chunk) -> None:
    """One chunk as three arrays: every slice's bytes end to end, their lengths, their frames."""
    lens = np.array([[len(b) for b in row] for row in ch.slices], dtype=np.int64)
    data = np.frombuffer(b"".join(b for row in ch.slices for b in row), dtype=np.uint8)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, data=data, lens=lens, counts=np.array(ch.counts, dtype=np.int64))
    tmp.replace(path)


def load_chunk(path: Path, index: int) -> Chunk:
    z = np.load(path)
    data = memoryview(z["data"].tobytes())
    lens, counts = z["lens"], z["counts"]
    ends = np.cumsum(lens.ravel()).reshape(lens.shape)
    slices = [[data[int(e - n) : int(e)] for e, n in zip(er, lr, strict=True)]
              for er, lr in zip(ends, lens, strict=True)]  # fmt: skip
    return Chunk(index, slices, counts.tolist())  # type: ignore[arg-type]


#: The scenario a pregenerating worker parsed last (text, parsed): parsing the soak's 68,000
#: aircraft takes ~75 s, and each worker makes many chunks of one scenario.
_PARSED: list[tuple[str, Any]] = []


def _make_and_save(toml_text: str, n_receivers: int, index: int, path: str) -> None:
    if not _PARSED or _PARSED[0][0] != toml_text:
        _PARSED[:] = [(toml_text, parse(toml_text))]
    save_chunk(Path(path), make_chunk(_PARSED[0][1], n_receivers, index))


def pregenerate(toml_text: str, n_receivers: int, chunks: int, cache: Path) -> list[Path]:
    """Every chunk of the run saved under ``cache`` (made on every core, unless saved already
    by an earlier run of the same scenario); their paths in order."""
    cache.mkdir(parents=True, exist_ok=True)
    key = cache_key(toml_text, n_receivers)
    paths = [chunk_path(cache, key, i) for i in range(chunks)]
    todo = [i for i, p in enumerate(paths) if not p.exists()]
    if todo:
        with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1)) as ex:
            jobs = [ex.submit(_make_and_save, toml_text, n_receivers, i, str(paths[i]))
                    for i in todo]  # fmt: skip
            for j in jobs:
                j.result()
    return paths


def replay(paths: list[str], out: Any) -> None:
    """The frame cache's chunks in order onto ``out`` (a bounded queue), then None."""
    for i, p in enumerate(paths):
        out.put(load_chunk(Path(p), i))
    out.put(None)


class Receivers:
    """``n`` listening sockets; at most one client each (a newer one replaces the older)."""

    def __init__(self, n: int) -> None:
        self.listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(n)]
        self.conns: list[socket.socket | None] = [None] * n
        self.accepts = 0
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        for r, s in enumerate(self.listeners):
            s.setblocking(False)
            self._sel.register(s, selectors.EVENT_READ, r)
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="soak-accept").start()

    @property
    def ports(self) -> list[int]:
        return [int(s.getsockname()[1]) for s in self.listeners]

    def _accept(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._sel.select(0.2):
                try:
                    conn, _addr = key.fileobj.accept()  # type: ignore[union-attr]
                except OSError:
                    continue
                conn.setblocking(True)
                with self._lock:
                    old, self.conns[key.data] = self.conns[key.data], conn
                    self.accepts += 1
                if old is not None:
                    old.close()

    def send(self, r: int, data: bytes) -> bool | None:
        """Send to receiver ``r``'s client: True sent whole, None no client, False failed."""
        with self._lock:
            conn = self.conns[r]
        if conn is None:
            return None
        try:
            conn.sendall(data)
            return True
        except OSError:
            self.drop(r)
            return False

    def drop(self, r: int) -> None:
        """Close receiver ``r``'s connection after everything sent (shutdown, then close)."""
        with self._lock:
            conn, self.conns[r] = self.conns[r], None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_WR)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        for r in range(len(self.conns)):
            self.drop(r)
        for s in self.listeners:
            s.close()


def feed(cfg: dict[str, Any], ports: Any, counters: Any, ready: Any, stop: Any) -> None:
    """Feeder process. ``counters`` (shared int64 array) holds, per receiver: frames sent,
    frames due while no client was connected, frames in failed sends, disconnects made; then
    the chunks sent and the seconds the pacing fell behind at most."""
    n = int(cfg["receivers"])
    rx = Receivers(n)
    for k, p in enumerate(rx.ports):
        ports[k] = p
    chunks: Any
    gen: Any
    if cfg.get("cache"):  # saved chunks, read in this process: no generator to compete
        chunks = queue.Queue(maxsize=2)
        gen = threading.Thread(target=replay, args=(cfg["cache"], chunks), daemon=True)
    else:
        chunks = mp.Queue(maxsize=3)
        gen = mp.Process(target=generate, args=(cfg["toml"], n, int(cfg["chunks"]), chunks),
                         daemon=True)  # fmt: skip
    gen.start()
    first = chunks.get()
    ready.set()
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline and rx.accepts < n:  # serve connects to every receiver
        time.sleep(0.05)
    rng = random.Random(int(cfg["seed"]))
    lo, hi = float(cfg["disconnect_min_s"]), float(cfg["disconnect_max_s"])
    t0 = time.monotonic()
    next_drop = [t0 + rng.uniform(lo, hi) for _ in range(n)]
    chunk, behind = first, 0.0
    while chunk is not None and not stop.is_set():
        base = t0 + chunk.index * CHUNK_S
        for k in range(len(chunk.slices[0])):
            due = base + (k + 1) * SLICE_S  # a slice goes out when its time is over
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            else:
                behind = max(behind, now - due)
            for r in range(n):
                if now >= next_drop[r]:
                    rx.drop(r)
                    counters[3 * n + r] += 1
                    next_drop[r] = now + rng.uniform(lo, hi)
                c = chunk.counts[r][k]
                if not c:
                    continue
                got = rx.send(r, chunk.slices[r][k])
                counters[(0 if got else 1 if got is None else 2) * n + r] += c
            if stop.is_set():
                break
        counters[4 * n] += 1
        counters[4 * n + 1] = int(behind * 1000)
        try:
            chunk = chunks.get(timeout=120.0)
        except queue.Empty:  # the generator cannot keep up: the run ends here, said so
            counters[4 * n + 2] = 1
            break
    rx.close()
    if isinstance(gen, mp.Process):
        gen.terminate()
