"""Notifier faults (issue #17 defect 11 and the notifier list): a slow receiver, a receiver that
never recovers (bounded retries, the give-up logged with the alert id and counted), redirects
not followed, and ``--check`` refusing a webhook URL that is not http(s)."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from skywitness.errors import ConfigError
from skywitness.watch import WebhookNotifier
from skywitness.watch.rules import parse_rules
from tests.watch.helpers import alert


def _server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_slow_receiver_gets_each_alert_under_one_idempotency_key() -> None:
    """The first answer comes after the client's timeout: the alert is sent again with the same
    Idempotency-Key, so the receiver stores each alert once."""
    stored: dict[str, int] = {}
    calls = {"n": 0}

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers["Idempotency-Key"]
            assert key == body["alert_id"]
            stored[key] = stored.get(key, 0) + 1
            calls["n"] += 1
            if calls["n"] == 1:
                time.sleep(0.6)  # longer than the client's timeout
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    srv = _server(Slow)
    hook = WebhookNotifier(f"http://127.0.0.1:{srv.server_address[1]}/", timeout_s=0.2,
                           backoff_s=0.01, sleep=time.sleep)  # fmt: skip
    for n in range(5):
        hook.notify(alert(n))
    hook.close(timeout_s=20)
    srv.shutdown()
    assert hook.delivered == 5 and hook.failed == 0 and hook.retries == 1
    assert sorted(stored) == [f"id{n:04d}" for n in range(5)]  # each key; id0000 came twice
    assert stored["id0000"] == 2 and sum(stored.values()) == 6


def test_retries_are_bounded_and_the_give_up_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    class Down(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    srv = _server(Down)
    clock = {"now": 0.0}

    def fake_sleep(s: float) -> None:
        clock["now"] += s

    hook = WebhookNotifier(f"http://127.0.0.1:{srv.server_address[1]}/", backoff_s=1.0,
                           max_backoff_s=60.0, give_up_s=300.0, sleep=fake_sleep,
                           clock=lambda: clock["now"])  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="skywitness.watch.notify"):
        hook.notify(alert(7))
        hook.notify(alert(8))
        hook.close(timeout_s=20)
    srv.shutdown()
    st = hook.stats()
    assert (st["delivered"], st["failed"], st["pending"]) == (0, 2, 0)
    # 1+2+4+...+64 then 60 s steps: 1,2,4,8,16,32,60,60,60 (243 s) and the next would pass 300
    assert hook.retries == 18 and "not delivered in 300 s" in (st["last_error"] or "")
    given_up = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    assert len(given_up) == 2 and "id0007" in given_up[0] and "id0008" in given_up[1]


def test_redirects_are_not_followed() -> None:
    hits: list[str] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    other = _server(Elsewhere)

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{other.server_address[1]}/steal")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    srv = _server(Redirect)
    hook = WebhookNotifier(f"http://127.0.0.1:{srv.server_address[1]}/", sleep=lambda s: None)
    hook.notify(alert(1))
    hook.close(timeout_s=10)
    srv.shutdown()
    other.shutdown()
    assert hits == [] and hook.failed == 1 and "307" in hook.errors[-1]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "http:///nohost", "/tmp/x"])
def test_check_refuses_a_webhook_url_that_is_not_http(url: str, tmp_path: Path) -> None:
    """Defect 11: ``--check`` accepted url = "file:///etc/passwd"."""
    text = f'[[notifier]]\nname = "h"\nkind = "webhook"\nurl = "{url}"\n'
    with pytest.raises(ConfigError, match="url must be http"):
        parse_rules(text, "rules.toml", tmp_path)
    ok = text.replace(url, "https://hooks.example/alerts")
    assert len(parse_rules(ok, "rules.toml", tmp_path).notifiers) == 1
