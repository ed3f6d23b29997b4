"""Live feeds that misbehave (issue #17 defects 2, 6, 9, 11): signed hex, reader failures, cut
connections, too many pushers, oversized polled bodies. Servers run on 127.0.0.1 only."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator, Sized
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from skywitness.model import Observations
from skywitness.runtime.feeds import Feed, Item
from skywitness.sources import open_source
from skywitness.sources.link import LinkState
from skywitness.sources.net import http_polls, listen_chunks
from skywitness.sources.records import icao_of
from skywitness.sources.sbs import SbsParser
from skywitness.stats import IngestStats

SBS_A = (
    b"MSG,3,1,1,4840D6,1,2024/06/06,10:00:00.000,2024/06/06,10:00:00.000,,35000,,,52.1,4.5,,,,,,0\n"
)
SBS_B = (
    b"MSG,3,1,1,A1B2C3,1,2024/06/06,10:00:01.000,2024/06/06,10:00:01.000,,12000,,,51.0,3.0,,,,,,0\n"
)


@pytest.mark.parametrize("text", ["-1", "-1E400", "+ff", "f_f", " -0", "0x12", "1234567", ""])
def test_signed_or_odd_hex_is_not_an_address(text: str) -> None:
    """Defect 2: int(s, 16) took "-1" (then the uint32 column overflowed and killed the feed)."""
    assert icao_of(text) is None


def test_icao_of_plain_hex() -> None:
    assert icao_of("abc123") == (0xABC123, False)
    assert icao_of(" ~00FF0a ") == (0x00FF0A, True)


def test_negative_hex_rows_are_rejected_in_every_reader() -> None:
    """Defect 2: SBS, readsb JSON and trace readers count the row instead of raising."""
    from skywitness.sources.source import make_parser

    sbs = SBS_A.replace(b"4840D6", b"-00001")
    readsb = json.dumps({"now": 1717667763, "aircraft": [{"hex": "-1"}, {"hex": "4840d6"}]})
    trace = json.dumps(
        {"icao": "-1E400", "timestamp": 1717667763, "trace": [[0, 1, 2, 3, 4, 5, 0]]}
    )
    for fmt, data, rows, rejects in (
        ("sbs", sbs, 0, {"bad_line": 1}),
        ("readsb", readsb.encode(), 1, {"bad_record": 1}),
        ("trace", trace.encode(), 0, {"bad_record": 1}),
    ):
        st = IngestStats()
        p = make_parser(fmt, st, "x")
        out = p.feed(data) + p.finish()
        assert sum(len(o) for o in out) == rows, fmt
        assert dict(st.rejected) == rejects, fmt


def _serve_parts(parts: list[bytes]) -> tuple[int, list[socket.socket]]:
    """A TCP server sending each part on its own connection (closing all but the last)."""
    srv = socket.create_server(("127.0.0.1", 0))
    conns: list[socket.socket] = []

    def serve() -> None:
        for k, part in enumerate(parts):
            c, _ = srv.accept()
            conns.append(c)
            c.sendall(part)
            if k < len(parts) - 1:
                time.sleep(0.1)
                c.close()
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return int(srv.getsockname()[1]), conns


def _take(src: Iterator[Sized], want: int, stop: threading.Event, limit_s: float) -> list[Sized]:
    timer = threading.Timer(limit_s, stop.set)
    timer.start()
    got: list[Sized] = []
    n = 0
    for b in src:
        got.append(b)
        n += len(b)
        if n >= want:
            break
    stop.set()
    timer.cancel()
    return got


def test_sbs_reconnect_does_not_glue_two_aircraft_halves() -> None:
    """Defect 6: the first connection is cut after ``...,,1``; the second starts inside another
    aircraft's line. Old code glued them into one accepted row at 1 ft."""
    cut_b = SBS_B[: SBS_B.index(b",12000") + 2]  # "...,,1"
    tail_a = SBS_A[SBS_A.index(b"5000") :]  # "5000,,,52.1,4.5,..." (a line cut at its start)
    port, _ = _serve_parts([SBS_A + cut_b, tail_a + SBS_B])
    stats, stop = IngestStats(), threading.Event()
    src = open_source(f"sbs+tcp://127.0.0.1:{port}", stats=stats, stop=stop)
    got = _take(iter(src), 2, stop, 10.0)
    obs = [o for o in got if isinstance(o, Observations)]
    alts = sorted(float(a) for o in obs for a in o.altitude)
    assert alts == [12000.0, 35000.0]
    assert dict(stats.rejected) == {"truncated": 1, "bad_line": 1}
    assert src.link.reconnects == 1


def test_avr_reconnect_counts_the_cut_frame() -> None:
    """Defect 6 (AVR): a frame cut by the connection is counted, the next one is kept."""
    frame = b"*8d4840d6202cc371c32ce0576098;\n"
    port, _ = _serve_parts([frame + frame[:10], frame])
    stats, stop = IngestStats(), threading.Event()
    src = open_source(f"avr+tcp://127.0.0.1:{port}", stats=stats, stop=stop)
    got = _take(iter(src), 2, stop, 10.0)
    assert sum(len(b) for b in got) == 2
    assert dict(stats.rejected) == {"truncated": 1}


def test_listen_refuses_pushers_over_the_limit() -> None:
    """Defect 9: beast+listen took unlimited connections (file descriptors ran out)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    stop, bound, link = threading.Event(), threading.Event(), LinkState()
    events: list[tuple[int, bytes]] = []

    def run() -> None:
        for cid, data, _t in listen_chunks("127.0.0.1", port, stop, bound, link, max_clients=2):
            events.append((cid, data))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    assert bound.wait(5)
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
    deadline = time.monotonic() + 5
    while link.refused < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    t.join(5)
    for c in socks:
        c.close()
    assert (link.connects, link.refused) == (2, 3)


class _Big(BaseHTTPRequestHandler):
    body: ClassVar[bytes] = b""
    hits: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        type(self).hits.append(1)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def _http(body: bytes) -> tuple[HTTPServer, type[_Big]]:
    h = type("H", (_Big,), {"body": body, "hits": []})
    srv = HTTPServer(("127.0.0.1", 0), h)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, h


def test_poll_body_over_the_bound_is_refused() -> None:
    """Defect 9: a readsb+http body was read whole, however large."""
    srv, _h = _http(b"[" + b"0," * 5000 + b"0]")
    stop, link = threading.Event(), LinkState()
    threading.Timer(1.5, stop.set).start()
    bodies = list(http_polls(f"http://127.0.0.1:{srv.server_address[1]}/", 0.05, stop, None,
                             link=link, max_body=1000))  # fmt: skip
    srv.shutdown()
    assert bodies == [] and link.refused >= 1 and "bound" in (link.error or "")


def test_readsb_poll_answering_negative_hex_keeps_being_polled() -> None:
    """Defect 2: ``"hex":"-1"`` killed the poll thread after one poll."""
    doc = {"now": 1717667763.0, "aircraft": [{"hex": "-1", "gs": 1}, {"hex": "4840d6", "gs": 1}]}
    srv, h = _http(json.dumps(doc).encode())
    stats, stop = IngestStats(), threading.Event()
    src = open_source(f"readsb+http://127.0.0.1:{srv.server_address[1]}/a.json", stats=stats,
                      stop=stop, poll_interval_s=0.05)  # fmt: skip
    threading.Timer(1.0, stop.set).start()
    rows = sum(len(o) for o in src)
    srv.shutdown()
    assert rows == 1  # the good aircraft once (unchanged afterwards)
    assert len(h.hits) >= 5 and stats.rejected["bad_record"] == len(h.hits)


def test_a_failing_reader_shows_and_its_feed_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect 2: any exception in a reader ended the feed thread silently for good."""
    calls = {"n": 0}
    real = SbsParser.parse_block

    def flaky(self: SbsParser, *a: object, **k: object) -> list[Observations] | None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OverflowError("reader bug")
        return real(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(SbsParser, "parse_block", flaky)
    srv = socket.create_server(("127.0.0.1", 0))
    port = int(srv.getsockname()[1])

    def serve() -> None:
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.sendall(SBS_A)
            time.sleep(0.3)
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    out: queue.Queue[Item | None] = queue.Queue()
    stop = threading.Event()
    from skywitness.sources.net import Backoff

    feed = Feed(f"sbs+tcp://127.0.0.1:{port}", out, stop, backoff=Backoff(0.05, 0.1))
    feed.start()
    item = out.get(timeout=10)
    assert item is not None and len(item.chunk) == 1
    assert feed.state.failures == 1
    assert feed.state.link is not None and feed.state.link.reconnects >= 1
    stop.set()
    feed.join(5)
    srv.close()
    assert not feed._thread.is_alive()
