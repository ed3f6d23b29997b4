"""Time is printed and parsed in one module (``skywitness.timeutil``): no other source file
calls ``strftime``/``fromtimestamp``/``isoformat``/``fromisoformat`` or spells a ``%Y``-style
pattern; and the forms it prints are the documented ones."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.timeutil import (
    in_iso_years,
    iso_z,
    iso_z_column,
    iso_z_micros,
    parse_iso,
    sbs_fields,
    short_z,
    short_z_column,
    unix_z,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "skywitness"
TIME_MODULE = SRC / "timeutil.py"
STRAY = re.compile(
    r"strftime|strptime|fromtimestamp|fromisoformat|isoformat\(|gmtime|timespec|OPT_UTC_Z"
    r"|%[YHf]"  # strftime patterns (%d, %M, %S also mean printf/logging)
)
#: Lines left to their owners this round, with why (file relative to the package, line text).
EXEMPT: set[tuple[str, str]] = set()


def stray_time_formatting(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == TIME_MODULE:
            continue
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if STRAY.search(line) and (rel, line.strip()) not in EXEMPT:
                found.append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_time_formatting_outside_the_time_module() -> None:
    assert stray_time_formatting(SRC) == []


def test_the_finder_finds(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('x = when.strftime("%H:%MZ")\ny = 1\nz = d.isoformat()\n')
    assert stray_time_formatting(tmp_path) == [
        'a.py:1: x = when.strftime("%H:%MZ")',
        "a.py:3: z = d.isoformat()",
    ]


def test_precision() -> None:
    t = datetime(2024, 7, 6, 7, 5, 37, 152000, tzinfo=UTC)
    assert iso_z(t) == "2024-07-06T07:05:37.152Z"
    assert iso_z(t, "s") == "2024-07-06T07:05:37Z"
    assert iso_z(t, "us") == "2024-07-06T07:05:37.152000Z"
    assert iso_z(t.replace(microsecond=0)) == "2024-07-06T07:05:37Z"
    assert iso_z(t.replace(microsecond=0), "ms") == "2024-07-06T07:05:37.000Z"
    assert iso_z(t.replace(microsecond=5)) == "2024-07-06T07:05:37.000005Z"
    # an alert's time: always milliseconds, truncated (watch/alerts.py printed it so before)
    assert unix_z(1720249537.1529, "ms") == "2024-07-06T07:05:37.152Z"
    assert unix_z(1720249537.0, "ms") == "2024-07-06T07:05:37.000Z"
    assert iso_z(None) == ""
    assert parse_iso("2024-07-06T07:05:37Z") == t.replace(microsecond=0)


def test_short_forms_and_wire_forms() -> None:
    t = datetime(2024, 7, 6, 7, 5, 37, 152000, tzinfo=UTC)
    assert short_z(t, "minute") == "07:05Z"
    assert short_z(t, "day-minute") == "06 07:05Z"
    assert short_z(t, "date-minute") == "2024-07-06 07:05Z"
    assert short_z(t, "date-second") == "2024-07-06 07:05:37Z"
    assert short_z(t, "iso-minute") == "2024-07-06T07:05Z"
    assert short_z(t, "compact-day") == "20240706"
    assert sbs_fields(1720249537.1529) == ("2024/07/06", "07:05:37.152")
    assert date(2024, 7, 6).isoformat() == "2024-07-06"


def test_columns() -> None:
    col = pa.array([datetime(2024, 7, 6, 6, 43, 9, 525000), None], pa.timestamp("ms", tz="UTC"))
    assert iso_z_column(col).to_pylist() == ["2024-07-06T06:43:09.525Z", None]
    # a flight id's stamp (README: flight 393322-20240706T064309.525Z)
    assert short_z_column(col, "compact").to_pylist() == ["20240706T064309.525Z", None]
    whole = pa.array([datetime(2024, 7, 6, 6, 43, 9)], pa.timestamp("s", tz="UTC"))
    assert iso_z_column(whole).to_pylist() == ["2024-07-06T06:43:09Z"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-30_610_224_000_000_000, 253_402_300_799_999_999), min_size=1))
def test_iso_z_micros_is_iso_z(micros: list[int]) -> None:
    """The column-wise printer (JSON lines output) is ``iso_z``, value for value."""
    us = np.array(micros, dtype=np.int64)
    assert in_iso_years(us)
    rows, length = iso_z_micros(us)
    got = [bytes(r[:n]).decode() for r, n in zip(rows, length, strict=True)]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert got == [iso_z(epoch + timedelta(microseconds=v)) for v in micros]
    assert not in_iso_years(np.array([-30_610_224_000_000_001], dtype=np.int64))
    assert not in_iso_years(np.array([253_402_300_800_000_000], dtype=np.int64))


#: Ticks of each unit that Arrow's strftime prints (int64 nanoseconds span 1677-2262).
_TICK_RANGE = {
    "s": (-30_610_224_001, 253_402_300_800),  # one past each end of 1000-9999: Arrow's path
    "ms": (-30_610_224_000_001, 253_402_300_800_000),
    "us": (-30_610_224_000_000_001, 253_402_300_800_000_000),
    "ns": (-(2**63) + 1, 2**63 - 1),
}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(_TICK_RANGE)).flatmap(
        lambda unit: st.tuples(
            st.just(unit),
            st.lists(st.one_of(st.none(), st.integers(*_TICK_RANGE[unit])), max_size=40),
            st.integers(0, 40),
            st.sampled_from(["UTC", None]),
        )
    )
)
def test_iso_z_column_is_arrows_strftime(
    case: tuple[str, list[int | None], int, str | None],
) -> None:
    """The column-wise printer of CSV output (no pyarrow.compute, whose ``"Z"`` scalar loads
    pandas: ~0.3 s of every ``decode -o x.csv``) prints what Arrow's ``strftime`` does, for
    every unit, with nulls, over chunks, and hands values outside 1000-9999 to Arrow."""
    import pyarrow.compute as pc

    unit, ticks, cut, tz = case
    col = pa.array(ticks, pa.timestamp(unit, tz=tz))
    chunked = pa.chunked_array([col.slice(0, cut), col.slice(cut)], type=col.type)
    want = [
        None if t is None else t + "Z"
        for t in pc.strftime(col, format="%Y-%m-%dT%H:%M:%S", locale="C").to_pylist()
    ]
    assert iso_z_column(col).to_pylist() == want
    assert iso_z_column(chunked).to_pylist() == want
