"""Coverage-guided long run of one target with atheris (libFuzzer), the structure-aware
mutator of ``fuzz.mutate`` as its custom mutator, the real samples as the starting corpus.

    python -m fuzz.atheris_main beast -runs=10000000 -rss_limit_mb=2048 -timeout=5

Arguments after the target go to libFuzzer (``-runs``, ``-max_total_time``, ``-timeout`` per
input, ``-rss_limit_mb``). A crash leaves ``crash-*`` in the working directory: copy it to
``fuzz/crashes/TARGET-NAME.bin`` and ``tests/reliability/test_fuzz.py`` replays it.
"""

from __future__ import annotations

import random
import sys
from typing import Any


def main(argv: list[str]) -> None:
    import atheris  # test extra; only this long-run entry needs it

    name = argv[1]
    with atheris.instrument_imports():
        from .mutate import mutate
        from .targets import TARGETS, all_seeds

        target = TARGETS[name]
        seeds = all_seeds()
        for k, seed in enumerate(seeds[name]):  # the parser's own imports (made on first use)
            target.check(seed, random.Random(k))
    own = seeds[name]
    others = [s for n, ss in seeds.items() if n != name for s in ss]

    def one(data: bytes) -> None:
        target.check(data, random.Random(len(data)))

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        r = random.Random(seed)
        base = data if data and r.random() < 0.8 else r.choice(own)
        return mutate(r, base, others)[:max_size]

    kw: dict[str, Any] = {"custom_mutator": custom_mutator}
    atheris.Setup([argv[0], *argv[2:]], one, **kw)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
