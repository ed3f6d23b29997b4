"""Notifiers: console, JSON lines file, Atom feed file, apprise URLs (webhook: ``webhook.py``).

Every notifier sits behind the ``Notifier`` protocol and owns a queue and a worker thread, so
``notify`` only enqueues: a slow or failing receiver never blocks ingest. Failures are counted
on the notifier (``failed``) and logged (an alert given up on is named), never raised into the
pipeline; ``stats()`` is what ``/api/stats`` shows of each notifier.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import tempfile
import threading
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import Any, Protocol, TextIO
from xml.sax.saxutils import escape

from ..errors import ConfigError
from ..output import give_file_mode
from .alerts import Alert

log = logging.getLogger(__name__)

ATOM_MAX_ENTRIES = 100  # entries kept in the feed file
ERRORS_KEPT = 100  # failure messages kept per notifier


class Notifier(Protocol):
    def notify(self, alert: Alert) -> None:
        """Queue ``alert`` for delivery; returns at once."""

    def close(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued (waiting at most ``timeout_s``), then stop the worker."""


class QueuedNotifier(ABC):
    """Base: a queue and one worker thread calling ``deliver`` for each alert in order."""

    def __init__(self, name: str = "") -> None:
        self.name = name or type(self).__name__
        self.delivered = 0
        self.failed = 0
        self.errors: deque[str] = deque(maxlen=ERRORS_KEPT)  # the latest failures, for display
        self._queue: queue.Queue[Alert | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"notify-{self.name}", daemon=True)
        self._thread.start()

    @abstractmethod
    def deliver(self, alert: Alert) -> None:
        """Send one alert (blocking is fine: this runs on the worker thread); raise on failure."""

    def notify(self, alert: Alert) -> None:
        self._queue.put(alert)

    def pending(self) -> int:
        return self._queue.unfinished_tasks

    def stats(self) -> dict[str, Any]:
        """Counts for ``/api/stats`` (``retries``: extra attempts of notifiers that retry)."""
        return {
            "name": self.name,
            "delivered": self.delivered,
            "failed": self.failed,
            "retries": int(getattr(self, "retries", 0)),
            "pending": self.pending(),
            "last_error": self.errors[-1] if self.errors else None,
        }

    def deliver_many(self, alerts: list[Alert]) -> None:
        """Send several queued alerts, in order (default: one ``deliver`` each; a notifier
        whose sends cost the same for one or many overrides it)."""
        for alert in alerts:
            self.deliver(alert)

    #: Alerts a worker takes from its queue at once for ``deliver_many`` (1: one at a time).
    batch = 1

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            alerts = [first]
            while first is not None and len(alerts) < self.batch and alerts[-1] is not None:
                try:
                    alerts.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = alerts[-1] is None
            todo = [a for a in alerts if a is not None]
            try:
                if len(todo) == 1:
                    self.deliver(todo[0])
                elif todo:
                    self.deliver_many(todo)
                self.delivered += len(todo)
            except Exception as exc:  # a notifier must never take the run down
                self.failed += len(todo)
                self.errors.append(f"{type(exc).__name__}: {exc}")
                log.error("notifier %s gave up on alert %s: %s", self.name,
                          ", ".join(a.alert_id for a in todo), exc)  # fmt: skip
            finally:
                for _ in alerts:
                    self._queue.task_done()
            if stop:
                return

    def close(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout_s)


class ConsoleNotifier(QueuedNotifier):
    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self._stream = stream
        super().__init__(name)

    def deliver(self, alert: Alert) -> None:
        stream = self._stream or sys.stdout
        print(alert.title(), file=stream, flush=True)


class JsonLinesNotifier(QueuedNotifier):
    """Appends one JSON object per alert to a file."""

    def __init__(self, path: str | Path, name: str = "jsonl") -> None:
        self.path = Path(path)
        super().__init__(name)

    def deliver(self, alert: Alert) -> None:
        line = json.dumps(alert.as_dict(), sort_keys=True, default=str)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (readers never see half)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        give_file_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AtomNotifier(QueuedNotifier):
    """Keeps an Atom feed file of the latest alerts, rewritten atomically after each one (or
    each batch of those queued together)."""

    def __init__(
        self,
        path: str | Path,
        name: str = "atom",
        title: str = "skywitness alerts",
        max_entries: int = ATOM_MAX_ENTRIES,
    ) -> None:
        self.path = Path(path)
        self.title = title
        self._entries: deque[Alert] = deque(maxlen=max_entries)
        super().__init__(name)

    #: A burst of alerts (every aircraft seen, at start) is one rewrite, not one each: the
    #: feed ends the same, and the queue does not hold thousands of alerts for minutes.
    batch = 1000

    def deliver(self, alert: Alert) -> None:
        self.deliver_many([alert])

    def deliver_many(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            self._entries.appendleft(alert)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, render_atom(self.title, list(self._entries)))


def render_atom(title: str, alerts: list[Alert]) -> str:
    updated = alerts[0].time_iso if alerts else "1970-01-01T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(title)}</title>",
        "  <id>urn:skywitness:alerts</id>",
        f"  <updated>{updated}</updated>",
    ]
    for a in alerts:
        body = json.dumps(a.as_dict(), sort_keys=True, default=str)
        parts += [
            "  <entry>",
            f"    <id>urn:skywitness:alert:{a.alert_id}</id>",
            f"    <title>{escape(a.title())}</title>",
            f"    <updated>{a.time_iso}</updated>",
            "    <author><name>skywitness</name></author>",
            f'    <content type="text">{escape(body)}</content>',
            "  </entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


class AppriseNotifier(QueuedNotifier):
    """Sends through apprise URLs (e-mail, Telegram, Mastodon, ntfy, ...); apprise is imported
    only here, so everything else works without it."""

    def __init__(self, urls: list[str] | str, name: str = "apprise") -> None:
        try:
            import apprise
        except ImportError as exc:
            raise ConfigError(
                f"notifier '{name}': the apprise notifier needs the 'apprise' package "
                "(pip install apprise)"
            ) from exc
        self._apprise: Any = apprise.Apprise()
        for url in [urls] if isinstance(urls, str) else urls:
            if not self._apprise.add(url):
                raise ConfigError(f"notifier '{name}': apprise does not accept URL {url!r}")
        super().__init__(name)

    def deliver(self, alert: Alert) -> None:
        body = json.dumps(alert.as_dict(), sort_keys=True, default=str, indent=1)
        if not self._apprise.notify(title=alert.title(), body=body):
            raise RuntimeError("apprise reported a failed notification")
