"""Console, JSON lines, Atom and apprise notifiers; a failing notifier never raises into the run."""

from __future__ import annotations

import io
import json
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from skywitness.errors import ConfigError
from skywitness.watch import (
    AppriseNotifier,
    AtomNotifier,
    ConsoleNotifier,
    JsonLinesNotifier,
    QueuedNotifier,
    Watch,
    parse_rules,
)
from skywitness.watch import notify as notify_mod
from skywitness.watch.alerts import Alert

from .helpers import T0, alert, states

ATOM = "{http://www.w3.org/2005/Atom}"


def test_console_and_jsonl(tmp_path: Path) -> None:
    buf = io.StringIO()
    console = ConsoleNotifier(stream=buf)
    lines = JsonLinesNotifier(tmp_path / "a.jsonl")
    for n in range(3):
        console.notify(alert(n))
        lines.notify(alert(n))
    console.close()
    lines.close()
    assert buf.getvalue().splitlines()[0] == (
        "[r] 3c6444 (3c6444) landing at 2021-10-07T12:00:00.000Z"
    )
    rows = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [r["alert_id"] for r in rows] == ["id0000", "id0001", "id0002"]
    assert rows[1]["time"] == "2021-10-07T12:00:01.000Z"


def test_atom_feed_rewritten_atomically(tmp_path: Path) -> None:
    feed = AtomNotifier(tmp_path / "feed" / "alerts.xml", max_entries=5)
    for n in range(8):
        feed.notify(alert(n))
    feed.close()
    root = ET.parse(tmp_path / "feed" / "alerts.xml").getroot()
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [f"urn:skywitness:alert:id{n:04d}" for n in (7, 6, 5, 4, 3)]
    assert root.findtext(f"{ATOM}updated") == "2021-10-07T12:00:07.000Z"
    assert [p.name for p in (tmp_path / "feed").iterdir()] == ["alerts.xml"]  # no temp left


def test_atom_burst_is_one_rewrite_with_the_same_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of queued alerts is written once (serve's first window alerts every aircraft
    seen: one rewrite each kept thousands queued for minutes); the feed is the same."""
    one = AtomNotifier(tmp_path / "one.xml", max_entries=100)
    one.batch = 1
    for n in range(300):
        one.notify(alert(n))
    one.close()
    writes: list[str] = []
    real = notify_mod.atomic_write

    def counted(path: Path, text: str) -> None:
        writes.append(text)
        real(path, text)

    monkeypatch.setattr(notify_mod, "atomic_write", counted)
    burst = AtomNotifier(tmp_path / "burst.xml", max_entries=100)
    with burst._queue.mutex:  # queued while the worker cannot take any
        for n in range(300):
            burst._queue.queue.append(alert(n))
            burst._queue.unfinished_tasks += 1
        burst._queue.not_empty.notify()
    burst.close()
    assert len(writes) == 1 and burst.delivered == 300 and burst.pending() == 0
    assert (tmp_path / "burst.xml").read_text() == (tmp_path / "one.xml").read_text()


def test_apprise_missing_and_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # import fails as if not installed
    with pytest.raises(ConfigError, match="needs the 'apprise' package"):
        AppriseNotifier(["ntfy://topic"])
    sent: list[tuple[str, str]] = []

    class FakeApprise:
        def add(self, url: str) -> bool:
            return url.startswith("ntfy://")

        def notify(self, title: str, body: str) -> bool:
            sent.append((title, body))
            return True

    monkeypatch.setitem(sys.modules, "apprise", types.SimpleNamespace(Apprise=FakeApprise))
    with pytest.raises(ConfigError, match="does not accept URL 'bogus'"):
        AppriseNotifier(["bogus"])
    n = AppriseNotifier("ntfy://topic")
    n.notify(alert(1))
    n.close()
    assert sent[0][0].startswith("[r] 3c6444") and json.loads(sent[0][1])["alert_id"] == "id0001"


class Broken(QueuedNotifier):
    def deliver(self, alert: Alert) -> None:
        raise OSError("disk full")


def test_failing_notifier_is_counted_and_routing_follows_rules() -> None:
    rs = parse_rules(
        """
[[notifier]]
name = "a"
kind = "console"

[[notifier]]
name = "b"
kind = "console"

[[rule]]
name = "only-b"
event = "seen"
notify = ["b"]
"""
    )
    broken, buf = Broken("a"), io.StringIO()
    good = ConsoleNotifier("b", stream=buf)
    watch = Watch(rs, notifiers=[("a", broken), ("b", good)])
    watch.feed(states([{"t": T0, "icao24": "3c6444", "latitude": 50.0, "longitude": 2.0}]))
    watch.flush()
    broken.close()
    good.close()
    assert len(watch.alerts) == 1
    assert broken.delivered == 0 and broken.failed == 0  # rule routes to "b" only
    assert buf.getvalue().startswith("[only-b] 3c6444 (3c6444) seen")
    broken2 = Broken("x")
    broken2.notify(alert(1))
    broken2.close()
    assert broken2.failed == 1 and list(broken2.errors) == ["OSError: disk full"]
