"""Fan-out of server-sent events: worker threads publish, each ``/api/stream`` client reads.

A message is serialised once (``event:``/``data:`` text) and handed to every client's bounded
asyncio queue through its event loop (``call_soon_threadsafe``), so publishing never waits on a
client. A client that cannot keep up loses its oldest messages and is told how many.
``publish_many`` hands a whole list over in one loop wake-up, and ``batches`` gives a client
everything queued at once: at 100,000 frames/s thousands of messages a second would otherwise
each cost a loop wake-up and a trip through the HTTP stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from ..jsontext import dumps

#: Messages queued per client before the oldest are dropped.
CLIENT_QUEUE_MAX = 1000
#: Bytes of messages queued per client before the oldest are dropped: at 100,000 frames/s a
#: ``positions`` message holds thousands of aircraft (~1 MB), and 1,000 of them queued for a
#: client that reads slowly held a gigabyte.
CLIENT_QUEUE_BYTES = 16 * 2**20
#: Clients at once; more get 503.
MAX_CLIENTS = 100
#: A comment line is sent after this many seconds without a message, s.
KEEPALIVE_S = 15.0
#: Messages handed to a client's response in one write at most.
BATCH_MAX = 1000


def sse_text(event: str, data: Any) -> str:
    """One server-sent event message."""
    body = dumps(data)
    return f"event: {event}\ndata: {body}\n\n"


class Client:
    """One subscriber: a bounded queue owned by the event loop that serves it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()  # None: the stream ends
        self.dropped = 0
        self.closed = False
        self.bytes = 0  # characters of the messages queued

    def offer(self, text: str) -> None:
        """Called in the loop's thread: queue ``text``, dropping the oldest when full."""
        if self.closed:  # nothing after the end marker (which a drop could otherwise take)
            return
        while self.queue.qsize() and (
            self.queue.qsize() >= CLIENT_QUEUE_MAX or self.bytes + len(text) > CLIENT_QUEUE_BYTES
        ):
            self.take(self.queue.get_nowait())
            self.dropped += 1
        self.bytes += len(text)
        self.queue.put_nowait(text)

    def take(self, text: str | None) -> str | None:
        """Account for a message taken off the queue; returns it."""
        if text is not None:
            self.bytes -= len(text)
        return text

    def offer_many(self, texts: list[str]) -> None:
        """``offer`` for each of ``texts``, in order (one loop callback for all)."""
        for text in texts:
            self.offer(text)

    def close(self) -> None:
        """Called in the loop's thread: end the stream after what is queued."""
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


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

    def fullest(self) -> int:
        """Messages queued for the client furthest behind (read from any thread: a length)."""
        with self._lock:
            clients = list(self._clients)
        return max((c.queue.qsize() for c in clients), default=0)

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
        for c in clients:
            try:
                c.loop.call_soon_threadsafe(c.offer_many, texts)
            except RuntimeError:  # the client's loop has closed: it is going away
                self._remove(c)

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
                try:
                    first = c.take(await asyncio.wait_for(c.queue.get(), self.keepalive_s))
                except TimeoutError:
                    yield [": keepalive\n\n"]
                    continue
                out: list[str] = []
                if c.dropped:
                    n, c.dropped = c.dropped, 0
                    out.append(sse_text("dropped", {"count": n}))
                closed = first is None
                if first is not None:
                    out.append(first)
                while not closed and len(out) < BATCH_MAX and not c.queue.empty():
                    nxt = c.take(c.queue.get_nowait())
                    closed = nxt is None
                    if nxt is not None:
                        out.append(nxt)
                if out:
                    yield out
                if closed:
                    return
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
