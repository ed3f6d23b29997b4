"""The filter options of ``flights`` and ``investigate``, made from the one vocabulary
(``flights.query.FILTERS``, docs/filters.md), and their old spellings as deprecated aliases.

List filters repeat and take comma lists (``--via SVMI --via UUWW`` = ``--via SVMI,UUWW``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..flights.query import FILTERS, FlightQuery, build_query
from .timeargs import end_time_arg, time_arg

#: Option group title.
GROUP = "filters (docs/filters.md: the same in flights, investigate and /api/flights)"


class Deprecated(argparse.Action):
    """An old spelling: warns on stderr, then acts as the new option ``new``."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: Any) -> None:
        self.new: argparse.Action = kw.pop("new")
        super().__init__(
            option_strings,
            dest,
            nargs=self.new.nargs,
            const=self.new.const,
            type=self.new.type,
            help=argparse.SUPPRESS,
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        print(
            f"skywitness: {option_string} is deprecated, use {self.new.option_strings[0]} "
            "(docs/filters.md)",
            file=sys.stderr,
        )
        self.new(parser, namespace, values, self.new.option_strings[0])


def add_filter_args(p: argparse.ArgumentParser, aliases: Mapping[str, str]) -> None:
    """Every filter of the vocabulary as an option of ``p``; ``aliases``: old flag -> new flag
    (this command's deprecated spellings)."""
    group = p.add_argument_group(GROUP)
    actions: dict[str, argparse.Action] = {}
    for f in FILTERS:
        kw: dict[str, Any] = {"dest": f"filter_{f.key}", "help": f.help}
        if f.kind != "switch":
            kw["metavar"] = f.key.upper().replace("_", "-")
        if f.kind == "list":
            kw.update(action="append")
            if f.key == "watchlist":
                kw.update(nargs="?", const="*")
        elif f.kind == "switch":
            kw.update(action="store_true")
        elif f.kind == "time":
            kw.update(type=end_time_arg if f.key == "until" else time_arg)
        else:
            kw.update(type=float)
        actions[f.flag] = group.add_argument(f.flag, **kw)
    for old, new in aliases.items():
        target = actions[new]
        group.add_argument(old, dest=target.dest, action=Deprecated, new=target)


def filter_values(args: argparse.Namespace) -> dict[str, Any]:
    """The filter options given, keyed by vocabulary key."""
    return {f.key: getattr(args, f"filter_{f.key}", None) for f in FILTERS}


def query_of(args: argparse.Namespace, *, limit: int | None = None) -> FlightQuery:
    return build_query(filter_values(args), limit=limit)
