"""Run the reliability harness and write docs/reliability.md from what it measured.

    python scripts/reliability.py                       # the figures in docs/reliability.md
    python scripts/reliability.py --fuzz-inputs 10000000 --kills 100    # the long run

Nothing in docs/reliability.md is typed by hand: every figure below its headings comes from
this script's run (fuzz.run, fuzz.faults, the decoder property, the security and fault tests),
with the command and the date. The prose around them is in this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from fuzz import faults, serve_kills  # noqa: E402
from fuzz.run import run as fuzz_run  # noqa: E402
from fuzz.targets import TARGETS  # noqa: E402
from scripts.reliability_doc import render  # noqa: E402
from scripts.reliability_merge import keep_others  # noqa: E402

TESTS = (
    "tests/reliability",
    "tests/api/test_api_security.py",
    "tests/api/test_serve_disk_full.py",
    "tests/api/test_api_schemathesis.py",
)


def decoder_property(frames: int, seed: int) -> dict[str, object]:
    """Random 56/112-bit DF11/17/18 frames with valid CRCs through the decoder: values outside
    the physical ranges of tests/reliability/test_fuzz.py that were not rejected."""
    import numpy as np

    from skywitness.decode import decode_batch
    from skywitness.decode.crc import crc24
    from skywitness.model import FrameBatch
    from tests.reliability.test_fuzz import PHYSICAL

    rng = np.random.default_rng(seed)
    bad: dict[str, int] = {}
    done = 0
    while done < frames:
        n = min(50_000, frames - done)
        data = np.zeros((n, 14), np.uint8)
        length = np.zeros(n, np.uint8)
        for i in range(n):
            df = int(rng.choice([17, 18, 11]))
            size = 4 if df == 11 else 11
            b = bytearray(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
            b[0] = (df << 3) | (b[0] & 7)
            f = bytes(b) + crc24(bytes(b)).to_bytes(3, "big")
            data[i, : len(f)] = np.frombuffer(f, np.uint8)
            length[i] = len(f)
        fb = FrameBatch(timestamp=np.full(n, 1.7e9), data=data, length=length,
                        signal=np.zeros(n, np.float32), ticks=np.zeros(n, np.uint64),
                        receiver=np.zeros(n, np.uint64), source="prop")  # fmt: skip
        m = decode_batch(fb)
        ok = m.reject == 0
        for name, lo, hi in PHYSICAL:
            v = getattr(m, name)[ok].astype(np.float64)
            v = v[np.isfinite(v)]
            k = int(((v < lo) | (v > hi)).sum())
            if k:
                bad[name] = bad.get(name, 0) + k
        done += n
    return {"frames": frames, "accepted_with_value_out_of_range": bad}


def pytest_summary() -> str:
    r = subprocess.run([sys.executable, "-m", "pytest", *TESTS, "-q", "-p", "no:cacheprovider"],
                       capture_output=True, text=True, cwd=REPO, check=False,
                       env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"})  # fmt: skip
    lines = [ln for ln in r.stdout.splitlines() if " passed" in ln or " failed" in ln]
    return lines[-1].strip("= ") if lines else f"pytest exit {r.returncode}"


def fuzz_piece(doc: dict[str, Any]) -> dict[str, Any]:
    """The fuzz section's piece from the JSON a ``python -m fuzz.run --json`` run kept."""
    results = doc["results"]
    return {"data": results, "command": doc["command"], "machine": doc["machine"],
            "when": f"{doc['started']} to {doc['updated']}",
            "seconds": sum(r["seconds"] for r in results),
            "inputs_asked": doc["inputs_asked"], "until": doc.get("until"),
            "sessions": doc.get("sessions", [])}  # fmt: skip


PIECES = ("fuzz", "decoder", "kills", "serve_kills", "other", "pytest")


def run_piece(name: str, a: argparse.Namespace) -> object:
    """Run one piece of the harness; its figures (plain JSON values)."""
    if name == "fuzz":
        names = [t for t in a.fuzz_targets.split(",") if t] or list(TARGETS)
        return [r.__dict__ for r in fuzz_run(names, a.fuzz_inputs, seed=a.seed,
                                             budget_s=a.fuzz_budget_s)]  # fmt: skip
    if name == "decoder":
        return decoder_property(a.decoder_frames, a.seed)
    if name == "pytest":
        summary = "not run (--skip-pytest)" if a.skip_pytest else pytest_summary()
        return {"tests": [*TESTS], "summary": summary}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if name == "kills":
            kills = faults.kill_ingest(work, a.kills, seed=a.seed).as_dict()
            kills["source"] = str(faults.QUICKSTART.relative_to(REPO.parent))
            return kills
        if name == "serve_kills":
            partial = Path(a.results or work) / "serve_kills.partial.json"

            def progress(r: serve_kills.ServeKillResult) -> None:
                partial.write_text(json.dumps(r.as_dict(), indent=1))

            return serve_kills.kill_serve(work, a.serve_kills, seed=a.seed,
                                          progress=progress).as_dict()  # fmt: skip
        return {"two_writers": faults.two_writers(work), "held": faults.while_held(work),
                "disks": faults.read_only_and_full_disk(work)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fuzz-inputs", type=int, default=2000)
    ap.add_argument("--fuzz-budget-s", type=float, default=0.0,
                    help="seconds per fuzz target at most (0: no limit)")  # fmt: skip
    ap.add_argument("--fuzz-targets", default="", help="comma-separated (default: all)")
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--serve-kills", type=int, default=4)
    ap.add_argument("--decoder-frames", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default=str(REPO / "docs" / "reliability.md"))
    ap.add_argument("--skip-pytest", action="store_true")
    ap.add_argument("--results", default=None,
                    help="folder of saved pieces (PIECE.json): a saved piece is used, not rerun; "
                    "a piece run is saved there")  # fmt: skip
    ap.add_argument("--only", default="", help=f"run (and save) only these of {','.join(PIECES)}")
    ap.add_argument("--render-only", action="store_true",
                    help="run nothing: write the page from the pieces in --results")  # fmt: skip
    ap.add_argument("--soak", default=None, help="soak.json of `python -m fuzz.soak`")
    ap.add_argument(
        "--load",
        default=None,
        help="soak.json of `python -m fuzz.soak --rate 100000 --seconds 180`",
    )
    ap.add_argument(
        "--load-long",
        default=None,
        help="soak.json of the same load for longer (`--seconds 1800 --warmup-s 600`)",
    )
    ap.add_argument("--fuzz-json", default=None,
                    help="the --json of a `python -m fuzz.run` long run: its figures are the "
                    "page's fuzz section (with its own command)")  # fmt: skip
    ap.add_argument("--keep-others", action="store_true",
                    help="sections of the pieces not given this run are kept from the page "
                    "at --out as they stand (a long run added alone)")  # fmt: skip
    ap.add_argument("--conditions", default=None,
                    help="--load-long: what else the machine ran meanwhile, one sentence for "
                    "the page (default: the 2026-12-06 run's, not quiet)")  # fmt: skip
    ap.add_argument("--soak-command", default="python -m fuzz.soak",
                    help="the soak's command line, when its soak.json does not say")  # fmt: skip
    a = ap.parse_args()
    from fuzz.run import MEMORY_LIMIT_BYTES, TIME_LIMIT_S

    saved = Path(a.results) if a.results else None
    cmd = ("python scripts/reliability.py " + " ".join(sys.argv[1:])).strip()
    only = [p for p in a.only.split(",") if p]
    res: dict[str, object] = {
        "time_limit_s": TIME_LIMIT_S,
        "memory_limit_gb": MEMORY_LIMIT_BYTES >> 30,
    }
    for name in PIECES:
        path = saved / f"{name}.json" if saved else None
        if only and name not in only:
            continue
        if path is not None and path.exists() and not only:
            res[name] = json.loads(path.read_text())
            continue
        if a.render_only:  # a piece not saved is left out of the page
            continue
        t0 = time.monotonic()
        piece = {"data": run_piece(name, a), "command": cmd, "seconds": time.monotonic() - t0,
                 "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "machine": f"{platform.machine()}, Python {platform.python_version()}, "
                            f"{os.cpu_count()} CPUs"}  # fmt: skip
        if name == "fuzz":
            piece["inputs_asked"] = a.fuzz_inputs
        res[name] = piece
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(piece, indent=1))
        print(f"{name}: {piece['seconds']:.0f} s", flush=True)
    if only:
        return 0
    if a.fuzz_json:
        res["fuzz"] = fuzz_piece(json.loads(Path(a.fuzz_json).read_text()))
    if a.soak:
        soak = json.loads(Path(a.soak).read_text())
        svg = Path(a.soak).with_suffix(".svg")
        if svg.exists():
            (Path(a.out).parent / "reliability-soak.svg").write_text(svg.read_text())
        res["soak"] = {"data": soak, "command": soak.get("command", a.soak_command)}
    # the soak's harness at 100,000 frames/s (#17 item 12): 180 s, and the long run
    for key, path, name in (("load", a.load, "reliability-load.svg"),
                            ("load_long", a.load_long, "reliability-load-long.svg")):  # fmt: skip
        if not path:
            continue
        load = json.loads(Path(path).read_text())
        svg = Path(path).with_suffix(".svg")
        if svg.exists():
            (Path(a.out).parent / name).write_text(svg.read_text())
        if key == "load_long" and a.conditions:
            load["conditions"] = a.conditions
        res[key] = {"data": load, "command": load["command"]}
    page = render(res)
    if a.keep_others and Path(a.out).exists():
        given = {k for k, v in res.items() if isinstance(v, dict)}
        page = keep_others(Path(a.out).read_text(encoding="utf-8"), page, given)
    Path(a.out).write_text(page, encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
