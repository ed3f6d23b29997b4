"""The notifier registry: each ``[[notifier]]`` kind of a rules file, the option it needs and
how it is made (docs/rules.md). A new kind is one row of ``NOTIFIERS``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .notify import (
    ATOM_MAX_ENTRIES,
    AppriseNotifier,
    AtomNotifier,
    ConsoleNotifier,
    JsonLinesNotifier,
    Notifier,
)
from .webhook import WebhookNotifier

#: Seconds a webhook POST may take unless ``timeout_s`` says otherwise.
WEBHOOK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class NotifierKind:
    needs: str | None  # the option a [[notifier]] of this kind must give
    make: Callable[[str, dict[str, Any]], Notifier]  # (name, options) -> a running notifier


NOTIFIERS: dict[str, NotifierKind] = {
    "console": NotifierKind(None, lambda name, o: ConsoleNotifier(name)),
    "jsonl": NotifierKind("path", lambda name, o: JsonLinesNotifier(o["path"], name)),
    "webhook": NotifierKind(
        "url",
        lambda name, o: WebhookNotifier(
            str(o["url"]), name, timeout_s=float(o.get("timeout_s", WEBHOOK_TIMEOUT_S))
        ),
    ),
    "apprise": NotifierKind("urls", lambda name, o: AppriseNotifier(o["urls"], name)),
    "atom": NotifierKind(
        "path",
        lambda name, o: AtomNotifier(
            o["path"],
            name,
            title=str(o.get("title", "skywitness alerts")),
            max_entries=int(o.get("max_entries", ATOM_MAX_ENTRIES)),
        ),
    ),
}


def make_notifier(kind: str, name: str, options: dict[str, Any]) -> Notifier:
    """A running notifier of a registered ``kind`` (the rules parser has checked it)."""
    return NOTIFIERS[kind].make(name, options)
