"""Fuzzing harness for every skywitness parser (docs/reliability.md).

``targets`` names each parser with its seed corpus (real samples from ``tests/data`` and
``../shared/data``) and a ``run`` that feeds it one input; ``mutate`` makes structure-aware
variants of the seeds (truncation, bit flips, escapes, huge lines, wrong formats, numbers out of
range); ``run`` drives the targets in a child process (``child``: many inputs per process, a
CPU-time bound per input, a memory bound) and records what failed with its exact input
(``python -m fuzz.run --help``). ``python -m fuzz.atheris_main``
is the coverage-guided long run. ``faults`` kills ``ingest`` and ``serve`` at random moments
and checks the store; ``soak`` (with ``soak_feed`` and ``soak_svg``) runs ``serve`` for hours
against simulated receivers and accounts for every frame (``python -m fuzz.soak --help``).
"""
