"""Live transports: TCP client with reconnect, TCP listener for pushed feeds, HTTP poller.

Each is a generator of received byte chunks with their arrival time; none ever raises on a
network failure. Reconnects and failed polls back off exponentially from ``BACKOFF_MIN_S`` to
``BACKOFF_MAX_S``; every wait and every blocking call is bounded by ``POLL_S`` so that setting the
``stop`` event ends the generator promptly.

A TCP client yields ``CUT`` (an empty chunk) when a connection that delivered data ends: the
next bytes come from a new connection, so the parser must drop (and count) its partial record
instead of gluing it to them. Connection events go to a ``LinkState`` that ``/api/stats`` reads.
Inputs are bounded: at most ``MAX_LISTEN_CLIENTS`` pushers at once, polled bodies of at most
``MAX_POLL_BODY_BYTES``.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx

from ..config import opensky_credentials
from .link import CUT, LinkState
from .public_feeds import USER_AGENT, retry_after_s

log = logging.getLogger(__name__)

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 30.0
#: Longest a blocking socket call or wait lasts before ``stop`` is looked at again, s.
POLL_S = 0.2
CONNECT_TIMEOUT_S = 5.0
HTTP_TIMEOUT_S = 10.0
#: Most bytes one read hands on: a read takes whatever the socket holds, up to this. A fast
#: feed (a replay, an aggregator) then goes through the parser in few large reads: each read
#: costs the parser and the source's checks ~100 array calls whatever its size, and every one
#: of them hands the interpreter lock to the tracker thread and back (64 KB reads of the
#: 5M-frame feed: ~1,300 reads, ~1.5x the parser's CPU alone; bench/RESULTS.md "## serve").
#: A slow feed's reads stay as small as what arrived.
RECV_BYTES = 1 << 20
#: Pushing connections accepted at once by a ``+listen`` source; more are closed at once.
MAX_LISTEN_CLIENTS = 64
#: Largest HTTP body a poll accepts, bytes (a world-wide aircraft.json is ~15 MB).
MAX_POLL_BODY_BYTES = 32 << 20
#: OpenSky's OAuth2 token endpoint (client-credentials flow).
OPENSKY_TOKEN_URL = (
    "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token"
)
#: Renew a token this long before it expires, s.
TOKEN_MARGIN_S = 30.0


class Backoff:
    """Exponential delay between retries, reset after a success."""

    def __init__(self, lo: float = BACKOFF_MIN_S, hi: float = BACKOFF_MAX_S) -> None:
        self.lo, self.hi = lo, hi
        self.delay = lo

    def wait(self, stop: threading.Event) -> None:
        stop.wait(self.delay)
        self.delay = min(self.delay * 2, self.hi)

    def reset(self) -> None:
        self.delay = self.lo


def tcp_chunks(
    host: str, port: int, stop: threading.Event, link: LinkState | None = None
) -> Iterator[tuple[bytes, float]]:
    """Bytes from a TCP server, reconnecting forever (until ``stop``); ``CUT`` after each
    connection that delivered data."""
    backoff = Backoff()
    link = link if link is not None else LinkState()
    while not stop.is_set():
        try:
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
        except OSError as e:
            link.down(f"connect {host}:{port}: {e}")
            log.warning("connect %s:%d failed (%s); retry in %.1f s", host, port, e, backoff.delay)
            backoff.wait(stop)
            continue
        link.up()
        got = False
        buf = bytearray(RECV_BYTES)  # one buffer for every read (not 1 MB allocated per read)
        view = memoryview(buf)
        with sock:
            sock.settimeout(POLL_S)
            while not stop.is_set():
                try:
                    data = bytes(view[: sock.recv_into(buf)])
                except TimeoutError:
                    continue
                except OSError as e:
                    link.down(f"{host}:{port}: {e}")
                    log.warning("%s:%d: %s", host, port, e)
                    break
                if not data:
                    link.down(f"{host}:{port} closed the connection")
                    log.warning("%s:%d closed the connection", host, port)
                    break
                backoff.reset()  # only a connection that delivered data counts as a success
                got = True
                yield data, time.time()
        if got:
            yield CUT, time.time()
        if not stop.is_set():
            backoff.wait(stop)


def listen_chunks(
    host: str,
    port: int,
    stop: threading.Event,
    bound: threading.Event | None = None,
    link: LinkState | None = None,
    max_clients: int = MAX_LISTEN_CLIENTS,
) -> Iterator[tuple[int, bytes, float]]:
    """Accept up to ``max_clients`` pushing clients at once (more are closed on accept and
    counted in ``link.refused``); yields (connection id, bytes, arrival). An empty ``bytes`` says
    that connection closed. ``bound`` is set once the port listens."""
    link = link if link is not None else LinkState()
    srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sel = selectors.DefaultSelector()
    conns: dict[int, socket.socket] = {}
    next_id = 1
    buf = bytearray(RECV_BYTES)  # one buffer for every read (not 1 MB allocated per read)
    view = memoryview(buf)
    try:
        srv.bind((host, port))
        srv.listen()
        srv.setblocking(False)
        sel.register(srv, selectors.EVENT_READ, 0)
        if bound is not None:
            bound.set()
        while not stop.is_set():
            for key, _ in sel.select(timeout=POLL_S):
                if key.data == 0:
                    try:
                        c, addr = srv.accept()
                    except OSError:
                        continue
                    if len(conns) >= max_clients:
                        c.close()  # file descriptors are finite: the API needs some too
                        link.refused += 1
                        log.warning("%s:%d: refused %s (%d pushers)", host, port, addr, max_clients)
                        continue
                    link.up()
                    c.setblocking(False)
                    conns[next_id] = c
                    sel.register(c, selectors.EVENT_READ, next_id)
                    next_id += 1
                    continue
                cid = int(key.data)
                c = conns[cid]
                try:
                    data = bytes(view[: c.recv_into(buf)])
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(c)
                    c.close()
                    del conns[cid]
                yield cid, data, time.time()
    finally:
        for c in conns.values():
            c.close()
        sel.close()
        srv.close()


class OAuthToken:
    """OAuth2 client-credentials token, fetched and renewed on demand."""

    def __init__(self, client_id: str, client_secret: str, token_url: str) -> None:
        self.client_id, self.client_secret, self.token_url = client_id, client_secret, token_url
        self._token = ""
        self._expires = 0.0

    @classmethod
    def from_env(cls, token_url: str | None = None) -> OAuthToken | None:
        cid, secret = opensky_credentials()
        if not cid or not secret:
            return None
        return cls(cid, secret, token_url or OPENSKY_TOKEN_URL)

    def header(self, client: httpx.Client) -> dict[str, str]:
        if not self._token or time.time() > self._expires - TOKEN_MARGIN_S:
            r = client.post(
                self.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            r.raise_for_status()
            body = r.json()
            self._token = str(body["access_token"])
            self._expires = time.time() + float(body.get("expires_in", 300))
        return {"Authorization": f"Bearer {self._token}"}

    def invalidate(self) -> None:
        self._token = ""


class BodyTooLarge(ValueError):
    """An HTTP body over ``MAX_POLL_BODY_BYTES``."""


def _bounded_get(
    client: httpx.Client, url: str, headers: dict[str, str], limit: int
) -> tuple[httpx.Response, bytes]:
    """The response and body of a GET, reading at most ``limit`` bytes (else ``BodyTooLarge``)."""
    with client.stream("GET", url, headers=headers) as r:
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(f"body of {declared} bytes over the {limit} byte bound")
        parts: list[bytes] = []
        n = 0
        for part in r.iter_bytes():
            n += len(part)
            if n > limit:
                raise BodyTooLarge(f"body over the {limit} byte bound")
            parts.append(part)
    return r, b"".join(parts)


def http_polls(
    url: str,
    interval_s: float,
    stop: threading.Event,
    token: OAuthToken | None = None,
    *,
    on_failure: Callable[[str], None] | None = None,
    valid: Callable[[bytes], bool] | None = None,
    link: LinkState | None = None,
    max_body: int = MAX_POLL_BODY_BYTES,
) -> Iterator[tuple[bytes, float]]:
    """GET ``url`` every ``interval_s`` seconds; yields each successful body.

    A network error, an error status, a body over ``max_body`` or one ``valid`` rejects is never
    raised: it is reported to ``on_failure`` (``poll_network``, ``poll_auth``, ``poll_http_429``,
    ``poll_http_5xx``, ``poll_http_4xx``, ``poll_too_large``, ``poll_bad_body``) and to ``link``
    and followed by a growing wait; a 429/503 answer's Retry-After (or OpenSky's
    ``X-Rate-Limit-Retry-After-Seconds``) is obeyed.
    """
    backoff = Backoff(lo=max(interval_s, BACKOFF_MIN_S), hi=max(interval_s, BACKOFF_MAX_S))
    link = link if link is not None else LinkState()

    def fail(label: str, why: object, wait: float | None = None) -> None:
        link.down(f"poll {url}: {why}")
        if on_failure is not None:
            on_failure(label)
        delay = max(backoff.delay, wait or 0.0)
        log.warning("poll %s failed (%s); retry in %.1f s", url, why, delay)
        stop.wait(delay)
        backoff.delay = min(backoff.delay * 2, backoff.hi)

    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=True, headers=headers) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                auth = token.header(client) if token else {}
            except (httpx.HTTPError, KeyError, ValueError) as e:
                fail("poll_auth", e)
                continue
            try:
                r, body = _bounded_get(client, url, auth, max_body)
            except BodyTooLarge as e:
                link.refused += 1
                fail("poll_too_large", e)
                continue
            except httpx.HTTPError as e:
                fail("poll_network", e)
                continue
            code = r.status_code
            if code >= 400:
                if code == 401 and token:
                    token.invalidate()
                label = "poll_http_429" if code == 429 else f"poll_http_{code // 100}xx"
                asked = retry_after_s({k.lower(): v for k, v in r.headers.items()})
                fail(label, f"HTTP {code}", asked if code in (429, 503) else None)
                continue
            if valid is not None and not valid(body):
                fail("poll_bad_body", f"unusable body {body[:40]!r}")
                continue
            if not link.connected:
                link.up()
            backoff.reset()
            yield body, time.time()
            stop.wait(max(0.0, interval_s - (time.monotonic() - started)))
