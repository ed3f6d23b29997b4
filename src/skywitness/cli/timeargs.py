"""``--since``/``--until`` argument types: dates or datetimes, read as UTC (defined in
``timeutil``, beside the parser they wrap, so every layer's commands share them)."""

from __future__ import annotations

from ..timeutil import end_time_arg, time_arg

__all__ = ["end_time_arg", "time_arg"]
