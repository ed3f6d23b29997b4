"""``skywitness spark ...``: the Spark commands (``spark.job``), registered with the others."""

from __future__ import annotations

from ..spark.job import register

__all__ = ["register"]
