"""The committed block tables are exactly what the generator makes from the source files."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "skywitness" / "data"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_icao_blocks", REPO / "scripts" / "build_icao_blocks.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_regenerating_gives_the_committed_files(shared_data: Path) -> None:
    gen = _generator()
    out = gen.build(shared_data / "icao-address-ranges")
    assert set(out) == {"icao_blocks.csv", "icao_military_blocks.csv"}
    for name, text in out.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python scripts/build_icao_blocks.py"
        )


def test_table_shape() -> None:
    lines = [ln for ln in (DATA / "icao_blocks.csv").read_text().splitlines() if ln[:1] != "#"]
    assert lines[0] == "start,end,iso2,name,kind"
    assert len(lines) - 1 == 200  # 210 registers, 9 without a block, Taiwan/ICAO duplicate
    mil = [
        ln for ln in (DATA / "icao_military_blocks.csv").read_text().splitlines() if ln[:1] != "#"
    ]
    assert len(mil) - 1 == 32


def test_flag_to_iso2_and_overlap_check() -> None:
    gen = _generator()
    assert gen.flag_to_iso2("🇫🇷") == "FR"
    assert gen.flag_to_iso2("🏳") == ""
    bad = {
        "registers": [
            {"start": "0x10", "end": "0x20", "country": "A", "flag": "🇫🇷"},
            {"start": "0x18", "end": "0x30", "country": "B", "flag": "🇩🇪"},
        ]
    }
    with pytest.raises(ValueError, match="overlap"):
        gen.block_rows(bad)
