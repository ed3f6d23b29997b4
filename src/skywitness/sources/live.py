"""Live sources: TCP client streams, TCP listeners for pushed feeds (several clients), and
HTTP-polled JSON (readsb ``aircraft.json``, the readsb v2 APIs of the aggregators as
``readsbapi+https://``, OpenSky REST with optional OAuth2; rates in ``public_feeds``).

Spec form: ``<format>+<transport>://host:port[/path]`` with transport ``tcp``, ``listen``,
``http`` or ``https``. A reconnect starts a new byte stream: the parser drops the record the old
connection cut (counted TRUNCATED) rather than gluing its half to the new connection's bytes.
Connection events (reconnects, refused pushers, the last error) are kept in ``Source.link``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..errors import FormatError, InputError
from ..stats import IngestStats
from .beast import BeastParser
from .clock import TickClock
from .detect import FORMATS
from .net import OAuthToken, http_polls, listen_chunks, tcp_chunks
from .opensky import rest_rows
from .public_feeds import opensky_interval_s, readsb_api_interval_s, split_options
from .readsb import ChangeFilter, JsonDocumentParser, aircraft_rows, trace_rows
from .records import drop_implausible
from .source import (
    Batch,
    Parser,
    Source,
    StreamSource,
    _split,
    checked,
    make_parser,
    note_drift,
)

log = logging.getLogger(__name__)
#: Spec scheme of the readsb v2 JSON APIs (``readsbapi+https://HOST/v2/...``).
READSB_API = "readsbapi"


class ListenSource(Source):
    """Pushed feeds: one parser (own clock, receiver id) per accepted connection."""

    def __init__(
        self,
        name: str,
        fmt: str,
        host: str,
        port: int,
        stats: IngestStats,
        stop: threading.Event,
        batch_size: int,
        live_clock: str = "system",
    ) -> None:
        super().__init__(name, fmt, live=True, total_bytes=None, batch_size=batch_size)
        self.host, self.port, self.stats, self._stop = host, port, stats, stop
        self.live_clock = live_clock
        self.bound = threading.Event()

    def __iter__(self) -> Iterator[Batch]:
        parsers: dict[int, Parser] = {}
        chunks = listen_chunks(self.host, self.port, self._stop, self.bound, self.link)
        for cid, data, arrival in chunks:
            self._position += len(data)
            p = parsers.get(cid)
            if p is None:
                # connection number as receiver id until the feed sends its own (0x1a 0xe3)
                clock = TickClock(live=True, anchor=self.live_clock)
                p = make_parser(
                    self.format, self.stats, f"{self.name}#{cid}", clock=clock, live=True
                )
                if isinstance(p, BeastParser):
                    p.receiver = cid
                parsers[cid] = p
            out = p.feed(data, arrival) if data else p.cut()
            note_drift(self.link, p)
            if not data:
                del parsers[cid]
            for b in out:
                yield from _split(checked(b, self.stats), self.batch_size)


class PollSource(Source):
    """HTTP-polled JSON documents; only changed aircraft are passed on."""

    def __init__(
        self,
        name: str,
        fmt: str,
        url: str,
        stats: IngestStats,
        stop: threading.Event,
        batch_size: int,
        interval_s: float,
        token: OAuthToken | None,
    ) -> None:
        super().__init__(name, fmt, live=True, total_bytes=None, batch_size=batch_size)
        self.url, self.stats, self._stop = url, stats, stop
        self.interval_s, self.token = interval_s, token
        rows = {"readsb": aircraft_rows, "opensky": rest_rows, "trace": trace_rows}[fmt]
        self.parser = JsonDocumentParser(stats, name, rows)
        self.changes = ChangeFilter()

    def _failed(self, label: str) -> None:
        """A failed poll, counted with the feed's rejects (``/api/stats``)."""
        self.stats.rejected[label] += 1

    def __iter__(self) -> Iterator[Batch]:
        polls = http_polls(
            self.url,
            self.interval_s,
            self._stop,
            self.token,
            on_failure=self._failed,
            valid=_json_object,
            link=self.link,
        )
        for body, arrival in polls:
            self._position += len(body)
            self.stats.bytes_read += len(body)
            for obs in self.parser.parse(body, arrival):
                changed = self.changes(drop_implausible(obs, self.stats, obs.source), arrival)
                if len(changed):
                    yield from _split(changed, self.batch_size)


def _json_object(body: bytes) -> bool:
    """A body worth parsing: a JSON object (not an HTML error page, not empty)."""
    return body.lstrip()[:1] == b"{"


def open_live(
    spec: str,
    fmt: str,
    stats: IngestStats,
    stop: threading.Event,
    batch_size: int,
    start_time: float | None,
    tz: str | None,
    clock: str,
    poll_interval_s: float,
    token_url: str | None,
    live_clock: str = "system",
) -> Source:
    scheme, _, rest = spec.partition("://")
    sfmt, plus, transport = scheme.partition("+")
    if not plus:
        sfmt, transport = fmt, sfmt
    api = sfmt == READSB_API
    if api:
        sfmt = "readsb"  # the v2 API documents are aircraft.json's v2 shape
    if sfmt not in FORMATS:
        raise FormatError(spec, "say the format in the spec", detail="e.g. beast+tcp://host:30005")
    if fmt not in ("auto", sfmt):
        raise FormatError(spec, f"format {fmt!r} contradicts the spec's {sfmt!r}")
    if transport in ("http", "https"):
        if sfmt not in ("readsb", "opensky", "trace"):
            raise FormatError(spec, f"{sfmt} cannot be polled over HTTP")
        url, opts = split_options(f"{transport}://{rest}")
        token = None
        interval = opts.interval_s or poll_interval_s
        if sfmt == "opensky":
            token = OAuthToken.from_env(opts.token_url or token_url)
            interval = opensky_interval_s(url, authenticated=token is not None, opts=opts)
        elif api:
            interval = readsb_api_interval_s(opts)
        log.info("polling %s every %.1f s", url, interval)
        return PollSource(spec, sfmt, url, stats, stop, batch_size, interval, token)
    parts = urlsplit(f"//{rest}")
    host, port = parts.hostname, parts.port
    if not host or port is None:
        raise InputError(spec, "live spec needs host:port")
    if transport == "listen":
        return ListenSource(spec, sfmt, host, port, stats, stop, batch_size, live_clock)
    if transport != "tcp":
        raise InputError(spec, f"unknown transport {transport!r}", detail="tcp, listen, http(s)")
    clk = TickClock(start_time, mode=clock, live=True, anchor=live_clock)
    parser = make_parser(sfmt, stats, spec, clock=clk, live=True, tz=tz)
    src = StreamSource(spec, sfmt, parser, iter(()), stats, live=True, total_bytes=None,
                       batch_size=batch_size, compression=None, stop=stop)  # fmt: skip
    chunks: Iterator[tuple[bytes, float | None]] = tcp_chunks(host, port, stop, src.link)
    src.set_chunks(chunks)
    return src
