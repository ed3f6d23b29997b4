"""Fan-out of server-sent events: worker threads publish, each ``/api/stream`` client reads.

A message is serialised once (``event:``/``data:`` text) and handed to every client's bounded
asyncio queue through its event loop (``call_soon_threadsafe``), so publishing never waits on a
client. A client that cannot keep up loses its oldest messages, superseded ``positions``
first, and is told how many; the bound is in bytes, so a burst of small messages (a start's
tracker events and flight changes) reaches a client that keeps up whole.
``publish_many`` hands a whole list over in one loop wake-up, and ``batches`` gives a client
everything queued at once: at 100,000 frames/s thousands of messages a second would otherwise
each cost a loop wake-up and a trip through the HTTP stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from ..jsontext import dumps

#: Messages queued per client at most (a bound on the per-message overhead; the bytes below
#: are the real bound): a tracker step's events at a start at 100,000 frames/s are ~35,000
#: messages handed over at once, and a bound of 1,000 dropped them before any client could
#: read one (#17 item 12: a client that kept up was told it missed 51,543 messages).
CLIENT_QUEUE_MAX = 100_000
#: Bytes of messages queued per client before the oldest are dropped: at 100,000 frames/s a
#: ``positions`` message holds thousands of aircraft (~0.5 MB), and 1,000 of them queued for a
#: client that reads slowly held a gigabyte.
CLIENT_QUEUE_BYTES = 16 * 2**20
#: Clients at once; more get 503.
MAX_CLIENTS = 100
#: A comment line is sent after this many seconds without a message, s.
KEEPALIVE_S = 15.0
#: Messages handed to a client's response in one write at most.
BATCH_MAX = 1000
#: How a ``positions`` message begins (``sse_text``): the kind that is superseded.
POSITIONS_HEAD = "event: positions\n"


def sse_text(event: str, data: Any) -> str:
    """One server-sent event message."""
    body = dumps(data)
    return f"event: {event}\ndata: {body}\n\n"


class Client:
    """One subscriber: a bounded queue owned by the event loop that serves it.

    ``positions`` messages and all others wait in two queues, in one order (a sequence number
    each). Over a bound the oldest ``positions`` message goes first: the next one (a tracker
    step later) carries every aircraft that moved again, while a tracker event, a flight change
    or an alert is said once. Only when no older ``positions`` message is left does the oldest
    other message go. Either way the client is told how many it missed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.positions: deque[tuple[int, str]] = deque()
        self.others: deque[tuple[int, str]] = deque()
        self.ready = asyncio.Event()  # set when something was queued (or the stream ends)
        self.dropped = 0
        self.closed = False
        self.bytes = 0  # characters of the messages queued
        #: (messages, characters) handed over by ``Hub.publish_texts`` and not yet queued by
        #: the loop (``Hub.has_room`` counts them)
        self.incoming = (0, 0)
        self._seq = 0

    def qsize(self) -> int:
        """Messages queued."""
        return len(self.positions) + len(self.others)

    def offer(self, text: str) -> None:
        """Called in the loop's thread: queue ``text``, dropping the oldest when full."""
        if self.closed:  # nothing after the end marker
            return
        self._seq += 1
        q = self.positions if text.startswith(POSITIONS_HEAD) else self.others
        q.append((self._seq, text))
        self.bytes += len(text)
        while self.qsize() > 1 and (
            self.qsize() > CLIENT_QUEUE_MAX or self.bytes > CLIENT_QUEUE_BYTES
        ):
            # the newest message stays: it is the one just offered
            victim = self.positions if len(self.positions) > (q is self.positions) else self.others
            self.bytes -= len(victim.popleft()[1])
            self.dropped += 1
        self.ready.set()

    def offer_many(self, texts: list[str]) -> None:
        """``offer`` for each of ``texts``, in order (one loop callback for all)."""
        for text in texts:
            self.offer(text)

    def take(self, n: int) -> list[str]:
        """Up to ``n`` queued messages, oldest first (called in the loop's thread)."""
        out: list[str] = []
        pos, oth = self.positions, self.others
        while len(out) < n and (pos or oth):
            q = pos if not oth or (pos and pos[0][0] < oth[0][0]) else oth
            text = q.popleft()[1]
            self.bytes -= len(text)
            out.append(text)
        return out

    def close(self) -> None:
        """Called in the loop's thread: end the stream after what is queued."""
        if not self.closed:
            self.closed = True
            self.ready.set()


class TooManyClients(Exception):
    pass


class Hub:
    """Thread-safe publish; ``subscribe`` gives an async iterator of SSE text."""

    def __init__(self, keepalive_s: float = KEEPALIVE_S) -> None:
        self._clients: set[Client] = set()
        self._lock = threading.Lock()
        self.keepalive_s = keepalive_s
        self.published = 0

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._clients)

    def has_room(self, n: int, size: int) -> bool:
        """Whether every client can queue ``n`` more messages of ``size`` characters in all
        without dropping any (read from any thread: lengths and counters)."""
        with self._lock:
            clients = list(self._clients)
        return all(
            c.qsize() + c.incoming[0] + n <= CLIENT_QUEUE_MAX
            and c.bytes + c.incoming[1] + size <= CLIENT_QUEUE_BYTES
            for c in clients
        )

    def publish(self, event: str, data: Any) -> None:
        with self._lock:
            clients = list(self._clients)
        self.published += 1
        if not clients:
            return
        text = sse_text(event, data)
        for c in clients:
            try:
                c.loop.call_soon_threadsafe(c.offer, text)
            except RuntimeError:  # the client's loop has closed: it is going away
                self._remove(c)

    def publish_text(self, event: str, body: str) -> None:
        """``publish`` of data already serialised as compact JSON text (one line)."""
        with self._lock:
            clients = list(self._clients)
        self.published += 1
        text = f"event: {event}\ndata: {body}\n\n"
        for c in clients:
            try:
                c.loop.call_soon_threadsafe(c.offer, text)
            except RuntimeError:  # the client's loop has closed: it is going away
                self._remove(c)

    def publish_many(self, event: str, items: Sequence[Any]) -> None:
        """``publish`` each of ``items`` as its own ``event`` message, in one hand-over."""
        if not items:
            return
        with self._lock:
            clients = list(self._clients)
        self.published += len(items)
        if not clients:
            return
        self.published -= len(items)  # counted again by publish_texts
        self.publish_texts([sse_text(event, data) for data in items])

    def publish_texts(self, texts: list[str]) -> None:
        """Hand over messages already built with ``sse_text``, in one hand-over."""
        if not texts:
            return
        with self._lock:
            clients = list(self._clients)
        self.published += len(texts)
        size = sum(map(len, texts))
        for c in clients:
            with self._lock:  # counted until the client's loop has queued them
                c.incoming = (c.incoming[0] + len(texts), c.incoming[1] + size)
            try:
                c.loop.call_soon_threadsafe(self._arrive, c, texts, size)
            except RuntimeError:  # the client's loop has closed: it is going away
                self._remove(c)

    def _arrive(self, c: Client, texts: list[str], size: int) -> None:
        """In the client's loop: queue ``texts`` handed over by ``publish_texts``."""
        with self._lock:
            c.incoming = (c.incoming[0] - len(texts), c.incoming[1] - size)
        c.offer_many(texts)

    def close(self) -> None:
        """End every client's stream (the service is stopping): an open stream would otherwise
        keep the HTTP server waiting for it to finish."""
        with self._lock:
            clients = list(self._clients)
        for c in clients:
            with contextlib.suppress(RuntimeError):  # the client's loop has closed already
                c.loop.call_soon_threadsafe(c.close)

    def _remove(self, c: Client) -> None:
        with self._lock:
            self._clients.discard(c)

    def add(self) -> Client:
        """Register a client of the running loop; TooManyClients beyond ``MAX_CLIENTS``."""
        c = Client(asyncio.get_running_loop())
        with self._lock:
            if len(self._clients) >= MAX_CLIENTS:
                raise TooManyClients(f"at most {MAX_CLIENTS} stream clients")
            self._clients.add(c)
        return c

    async def batches(
        self, c: Client, stop: asyncio.Event | None = None
    ) -> AsyncGenerator[list[str], None]:
        """Lists of SSE texts for client ``c`` (everything queued, up to ``BATCH_MAX``) until it
        disconnects (the generator is closed) or ``stop``; a ``dropped`` notice comes first."""
        try:
            yield [": connected\n\n"]
            while stop is None or not stop.is_set():
                if not c.qsize():
                    if c.closed:
                        return
                    c.ready.clear()
                    try:
                        await asyncio.wait_for(c.ready.wait(), self.keepalive_s)
                    except TimeoutError:
                        yield [": keepalive\n\n"]
                    continue
                out: list[str] = []
                if c.dropped:
                    n, c.dropped = c.dropped, 0
                    out.append(sse_text("dropped", {"count": n}))
                out += c.take(BATCH_MAX)
                yield out
        finally:
            self._remove(c)

    async def stream(
        self, c: Client, stop: asyncio.Event | None = None
    ) -> AsyncGenerator[str, None]:
        """SSE text for client ``c`` until it disconnects (the generator is closed) or ``stop``."""
        gen = self.batches(c, stop)
        try:
            async for texts in gen:
                for text in texts:
                    yield text
        finally:
            await gen.aclose()
