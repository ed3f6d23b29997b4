"""The command line keeps pandas out of its process (``pandas_off.py``): pyarrow would import it,
unused, on its first conversion (0.2-0.4 CPU-s a process), and the results are the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

QUICKSTART = "traffic-trajectories/collections/quickstart.json.gz"

_CONVERSIONS = """
import sys
from skywitness.pandas_off import keep_pandas_out
assert keep_pandas_out()
import numpy as np, pyarrow as pa, pyarrow.compute as pc
a = pa.array(np.arange(3))
assert pc.fill_null(pa.array([1, None]), 0).to_pylist() == [1, 0]
assert pa.scalar(7).as_py() == 7 and a.to_numpy().tolist() == [0, 1, 2]
assert pa.table({"x": a}).schema.empty_table().num_rows == 0
try:
    import pandas
except ImportError as exc:
    print("refused:", exc)
print("loaded:", sorted(m for m in sys.modules if m.split(".")[0] == "pandas"))
"""


def _python(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_pyarrow_converts_without_pandas(tmp_path: Path) -> None:
    out = _python(_CONVERSIONS, tmp_path)
    assert "refused: pandas is kept out of the skywitness command's process" in out
    assert "loaded: []" in out


def test_keep_pandas_out_is_a_no_op_once_pandas_is_loaded(tmp_path: Path) -> None:
    code = (
        "import pandas\nfrom skywitness.pandas_off import keep_pandas_out\n"
        "print(keep_pandas_out())\nimport pandas.api.types\n"
    )
    assert _python(code, tmp_path).strip() == "False"


def test_the_ingest_command_stores_alike_without_loading_pandas(
    shared_data: Path, tmp_path: Path
) -> None:
    """The program (``main()`` reading sys.argv) and the library call (``main(argv)``, which
    leaves the process alone) store the same rows and flights; only the first keeps pandas out."""
    src = shared_data / QUICKSTART
    counts = []
    for program in (True, False):
        ddir = tmp_path / f"d{program}"
        args = ["ingest", str(src), "--data-dir", str(ddir), "-q"]
        call = "main()" if program else f"main({args!r})"
        code = (
            f"import sys\nsys.argv = ['skywitness'] + {args!r}\n"
            "from skywitness.cli.main import main\n"
            f"rc = {call}\n"
            "import duckdb\n"
            "con = duckdb.connect()\n"
            f"n = con.sql(\"select count(*) from read_parquet('{ddir}/lake/**/*.parquet')\")"
            ".fetchall()[0]\n"
            "print(rc, 'pandas' in sys.modules, n[0])\n"
        )
        counts.append(_python(code, tmp_path).split())
    assert counts[0][0] == counts[1][0] == "0"
    assert counts[0][1] == "False" and counts[1][1] == "True"
    assert counts[0][2] == counts[1][2] and int(counts[0][2]) > 0
