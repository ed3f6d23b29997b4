"""Traffic simulator: scenarios of aircraft flying routes, encoded as real Mode S / ADS-B frames.

Everything it produces is labelled simulated. ``load_builtin("caracas")`` gives the built-in
scenario; ``simulate(scenario)`` yields ``FrameBatch``es in time order; ``truth(scenario)`` the
true states; ``write_capture`` writes Beast binary or JSON lines.
"""

from .builtin import list_builtin, load_builtin, resolve
from .run import frames, legs_table, simulate, source_name, truth
from .scenario import AircraftSpec, Receiver, Scenario, load_scenario, parse_scenario
from .writers import beast_bytes, jsonl_text, write_capture

__all__ = [
    "AircraftSpec",
    "Receiver",
    "Scenario",
    "beast_bytes",
    "frames",
    "jsonl_text",
    "legs_table",
    "list_builtin",
    "load_builtin",
    "load_scenario",
    "parse_scenario",
    "resolve",
    "simulate",
    "source_name",
    "truth",
    "write_capture",
]
