"""Webhook notifier: each alert as a JSON POST, retried with exponential backoff.

Alerts wait in the queue while the receiver is down (connection refused, timeout, 5xx, 408,
425, 429) and go out in order once it is back. Every POST carries the alert id as
``Idempotency-Key`` and in the body, and an alert is never posted again after a 2xx, so the
receiver gets each one once (a receiver that stored it but whose answer was lost sees the same
key again and can drop it). Retries are bounded: an alert still refused after ``GIVE_UP_S`` is
given up on (counted ``failed``, logged with its id). Redirects are not followed (a receiver
cannot send the alert elsewhere).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from .alerts import Alert
from .notify import QueuedNotifier
from .recent import RecentSet

BACKOFF_S = 1.0  # first retry delay, doubled each attempt
MAX_BACKOFF_S = 60.0  # retry delay cap
TIMEOUT_S = 10.0  # per request
RETRY_STATUS = frozenset({408, 425, 429})  # client errors worth retrying (besides 5xx)
GIVE_UP_S = 3600.0  # stop retrying one alert after this long, s
SENT_KEPT = 100_000  # ids of the latest alerts delivered, remembered to send none twice


class WebhookNotifier(QueuedNotifier):
    def __init__(
        self,
        url: str,
        name: str = "webhook",
        *,
        timeout_s: float = TIMEOUT_S,
        backoff_s: float = BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
        give_up_s: float = GIVE_UP_S,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.attempts = 0
        self.retries = 0
        self.give_up_s = give_up_s
        self._sleep, self._clock = sleep, clock
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
        self._sent = RecentSet(SENT_KEPT)  # delivered: a second notify of one is not sent
        super().__init__(name)

    def deliver(self, alert: Alert) -> None:
        if alert.alert_id in self._sent:
            return
        body: dict[str, Any] = alert.as_dict()
        headers = {"Idempotency-Key": alert.alert_id}
        delay = self.backoff_s
        started = self._clock()
        while True:
            self.attempts += 1
            try:
                r = self._client.post(self.url, json=body, headers=headers)
                if r.is_success:
                    self._sent.add(alert.alert_id)
                    return
                if r.status_code < 500 and r.status_code not in RETRY_STATUS:
                    raise RuntimeError(
                        f"{self.url} refused alert {alert.alert_id}: {r.status_code}"
                    )
                why = f"HTTP {r.status_code}"
            except httpx.TransportError as exc:
                why = f"{type(exc).__name__}"
            if self._clock() - started + delay > self.give_up_s:
                raise RuntimeError(
                    f"{self.url}: alert {alert.alert_id} not delivered in {self.give_up_s:g} s "
                    f"({why})"
                )
            self.retries += 1
            self.errors.append(f"{alert.alert_id}: {why}, retry in {delay:g} s")
            self._sleep(delay)
            delay = min(delay * 2, self.max_backoff_s)

    def close(self, timeout_s: float = 10.0) -> None:
        super().close(timeout_s)
        if not self._thread.is_alive():
            self._client.close()
