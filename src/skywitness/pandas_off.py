"""Keep pandas out of a ``skywitness`` command's process.

pyarrow (26) imports pandas, when it is installed, on its first conversion of almost any kind:
``pa.array`` even of a numpy array, ``pa.scalar``, ``to_numpy``, ``Schema.empty_table`` and any
compute function handed a Python value. That import costs 0.2-0.4 CPU-s per process
(bench/RESULTS.md, ingest and globe sections), and nothing in skywitness uses pandas: its columns
are Arrow and numpy throughout. When pandas cannot be imported, pyarrow takes the same paths it
takes on a machine without pandas. So the command line (``cli.main`` run as the program, not
called as a library) makes pandas unimportable in its own process, except for the Spark
commands, whose driver (pyspark) requires pandas.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

#: the modules kept out: pandas and its submodules
KEPT_OUT = "pandas"


class _PandasOff:
    """A meta-path finder that refuses pandas, as an environment without it would."""

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if name == KEPT_OUT or name.startswith(KEPT_OUT + "."):
            raise ImportError(
                f"{name} is kept out of the skywitness command's process (pandas_off.py)",
                name=name,
            )
        return None  # every other module: the next finder's business


def keep_pandas_out() -> bool:
    """Refuse pandas in this process from now on; False (and nothing done) when pandas is
    already imported, since then the import cost is paid and something may use it."""
    if KEPT_OUT in sys.modules:
        return False
    if not any(isinstance(f, _PandasOff) for f in sys.meta_path):
        sys.meta_path.insert(0, _PandasOff())
    return True
