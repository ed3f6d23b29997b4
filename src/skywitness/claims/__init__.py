"""Claim check: a sentence from the news -> an investigation question -> a verdict.

``parse_claim`` (pure) reads a sentence with a ``Gazetteer``; ``Claim.question()`` is the
question ``investigate`` answers; ``verdict`` (pure) weighs the matching flights against the
coverage; ``check.check_claim`` runs it all on a store. See docs/claims.md.
"""

from __future__ import annotations

from .claim import Claim, Who, from_toml, to_toml
from .gazetteer import Gazetteer, build_gazetteer
from .parse import parse_claim

__all__ = ["Claim", "Gazetteer", "Who", "build_gazetteer", "from_toml", "parse_claim", "to_toml"]
