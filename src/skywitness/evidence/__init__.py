"""evidence: question-first queries over the store, answered with a checkable evidence pack.

Public API: ``Question`` / ``from_dict`` / ``load_toml`` (the question), ``Outlines`` (country
outlines handed in by the caller), ``investigate(store, question, outlines)`` (answer and
coverage), ``write_pack`` (report.html, exports, manifest.json), ``verify_pack`` and ``rerun``.
"""

from .manifest import VerifyReport, verify_pack
from .pack import Investigation, investigate, rerun, write_pack
from .places import Outlines
from .query import Match, Result, ask
from .question import Question, Sequence, from_dict, load_toml

__all__ = [
    "Investigation",
    "Match",
    "Outlines",
    "Question",
    "Result",
    "Sequence",
    "VerifyReport",
    "ask",
    "from_dict",
    "investigate",
    "load_toml",
    "rerun",
    "verify_pack",
    "write_pack",
]
