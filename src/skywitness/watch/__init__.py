"""watch: rules over aircraft events (live or replayed), alerts stored, notifiers fed.

Public API: ``load_rules`` / ``parse_rules`` -> ``RuleSet``; ``Watch`` (feed state vectors, get
``Alert``s), ``replay`` (over a store) and ``live`` (over sources); ``EventSource`` and
``RuleEngine`` (the two halves of ``Watch``); notifiers (``make_notifier``); ``list_alerts``.
"""

from .alerts import Alert, ensure_alerts, list_alerts, save_alerts
from .engine import Cooldown, RuleEngine
from .events import WatchEvents, WatchKind
from .geo import Geofence
from .notify import (
    AppriseNotifier,
    AtomNotifier,
    ConsoleNotifier,
    JsonLinesNotifier,
    Notifier,
    QueuedNotifier,
)
from .rules import NotifierConfig, Rule, RuleSet, load_rules, parse_rules
from .runner import Watch, live, make_notifier, replay
from .source import EventSource
from .webhook import WebhookNotifier

__all__ = [
    "Alert",
    "AppriseNotifier",
    "AtomNotifier",
    "ConsoleNotifier",
    "Cooldown",
    "EventSource",
    "Geofence",
    "JsonLinesNotifier",
    "Notifier",
    "NotifierConfig",
    "QueuedNotifier",
    "Rule",
    "RuleEngine",
    "RuleSet",
    "Watch",
    "WatchEvents",
    "WatchKind",
    "WebhookNotifier",
    "ensure_alerts",
    "list_alerts",
    "live",
    "load_rules",
    "make_notifier",
    "parse_rules",
    "replay",
    "save_alerts",
]
