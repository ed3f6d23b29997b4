"""SBS column-wise reading (issue 18): blocks read column-wise give exactly what the line path
gives, on the real sample read many times over (no line left to the line path), on blocks that
mix in every address form the line path's rule knows (upper and lower case, ``~`` non-ICAO,
short, not hex, too long) and on times written with 0 to 9 decimals; bad lines are still
counted one by one, at their own line number, with their reason.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.sources.test_columnar import _same


def _sbs_lines(shared_data: Path) -> list[bytes]:
    text = gzip.decompress(
        (shared_data / "beastblackbox-example/beast_decoded_sbs.txt.gz").read_bytes()
    )
    return [ln + b"\n" for ln in text.splitlines() if ln.startswith(b"MSG")]


def test_real_sample_fast_path_only(shared_data: Path) -> None:
    """The 8,622 MSG lines of the real capture, 8 times over: every block read column-wise
    (no line through the line path) and the same rows as the line path."""
    data = b"".join(_sbs_lines(shared_data)) * 8
    stats = _same("sbs", data, pieces=(1 << 20, 65_537))
    assert stats.frames == 8 * 8622 and not stats.rejected and stats.by_line == 0


def test_mixed_addresses_and_bad_lines(shared_data: Path) -> None:
    """Every 500th line's address replaced by another form: lowercase and ``~`` addresses
    are read (the block's addresses mapped by the rule), short and non-hex ones are bad
    lines, each counted once at its own line number, as the line path counts them."""
    lines = _sbs_lines(shared_data)
    forms = [b"4ca2d6", b"~a1b2c3", b"a1b2c", b"zzzzzz", b"A1B2C3D"]
    for k, i in enumerate(range(0, len(lines), 500)):
        f = lines[i].split(b",")
        f[4] = forms[k % len(forms)]
        lines[i] = b",".join(f)
    stats = _same("sbs", b"".join(lines), pieces=(1 << 20, 7919))
    bad = sum(1 for k in range(0, len(lines), 500) if k // 500 % len(forms) >= 2)
    assert stats.rejected == {"bad_line": bad}
    assert [line for line, _ in stats.where] == [
        i + 1 for k, i in enumerate(range(0, len(lines), 500)) if k % len(forms) >= 2
    ]


def test_times_of_many_widths(shared_data: Path) -> None:
    """Times written with 0 to 9 decimals in one block (several widths of the column) are
    read as the line path reads them."""
    lines = _sbs_lines(shared_data)[:4000]
    out = []
    for i, line in enumerate(lines):
        f = line.split(b",")
        whole, _, frac = f[7].partition(b".")
        places = i % 10
        f[7] = whole + (b"." + (frac * 3)[:places] if places else b"")
        out.append(b",".join(f))
    stats = _same("sbs", b"".join(out), pieces=(1 << 20,))
    assert stats.frames == 4000 and stats.by_line == 0
