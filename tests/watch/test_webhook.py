"""Acceptance 4: the webhook notifier against a local HTTP server: 500s are retried, a receiver
down for 30 s (on a fake clock) gets every alert afterwards, none twice."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skywitness.watch import WebhookNotifier

from .helpers import alert

DOWN_S = 30.0  # fake seconds the receiver stays down


class Receiver:
    """A webhook receiver on 127.0.0.1 that can answer 500 and be taken down and up again."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.keys: list[str] = []
        self.fail_next = 0
        self.served_500 = 0
        self.port = 0
        self._server: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    outer.served_500 += 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.accepted.append(body["alert_id"])
                outer.keys.append(self.headers["Idempotency-Key"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._server = None

    @property
    def up(self) -> bool:
        return self._server is not None


def test_webhook_retries_queues_and_never_duplicates() -> None:
    rx = Receiver()
    clock: dict[str, Any] = {"now": 0.0, "down_at": None}

    def fake_sleep(s: float) -> None:
        clock["now"] += s
        down_at = clock["down_at"]
        if not rx.up and down_at is not None and clock["now"] - down_at >= DOWN_S:
            rx.start()
        time.sleep(0.005)

    hook = WebhookNotifier(
        f"http://127.0.0.1:{rx.port}/hook", backoff_s=1.0, max_backoff_s=8.0, sleep=fake_sleep
    )
    try:
        rx.fail_next = 3
        for n in range(3):
            hook.notify(alert(n))
        deadline = time.monotonic() + 10
        while len(rx.accepted) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert rx.accepted == ["id0000", "id0001", "id0002"]
        assert rx.served_500 == 3 and hook.retries == 3

        rx.stop()
        clock["down_at"] = clock["now"]
        t = time.monotonic()
        for n in range(3, 20):
            hook.notify(alert(n))
        assert time.monotonic() - t < 0.1  # notify only queues: ingest is never blocked
        hook.close(timeout_s=20)
    finally:
        if rx.up:
            rx.stop()
    assert clock["now"] - (clock["down_at"] or 0.0) >= DOWN_S
    assert rx.accepted == [f"id{n:04d}" for n in range(20)]  # all, in order, each once
    assert rx.keys == rx.accepted
    assert hook.delivered == 20 and hook.failed == 0


def test_webhook_gives_up_on_a_refusal() -> None:
    class Refuser(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(400)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = WebhookNotifier(f"http://127.0.0.1:{server.server_address[1]}/", sleep=lambda s: None)
    hook.notify(alert(1))
    hook.close(timeout_s=10)
    server.shutdown()
    server.server_close()
    assert hook.failed == 1 and hook.delivered == 0 and hook.attempts == 1
    assert "400" in hook.errors[-1]
