"""Members a filter refuses are passed over unread (``tar_members(..., want)``): the members
kept and the problems named are those of a full read, a cut archive is still named where it
ends."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from skywitness.sources.tarstream import PartsReader, TarMember, TarProblem, tar_members


def _tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_refused_members_passed_over_kept_ones_whole(tmp_path: Path) -> None:
    long = "traces/" + "x" * 120 + "/trace_full_a00002.json"  # a GNU long name before a skip
    members = [
        ("traces/01/trace_full_a00001.json", b"1" * 5000),
        (long, b"2" * 700),
        ("traces/03/trace_full_a00003.json", b"3" * 1),
        ("acas/acas.csv", b"4" * 20_000),
        ("traces/05/trace_full_a00005.json", b"5" * 1_500_000),  # beyond one read chunk
        ("traces/06/trace_full_a00006.json", b"6" * 513),
    ]
    tar = _tar(tmp_path / "day.tar", members)
    want = {"traces/03/trace_full_a00003.json", long, "traces/06/trace_full_a00006.json"}
    all_ = list(tar_members(PartsReader([tar])))
    some = list(tar_members(PartsReader([tar]), want.__contains__))
    assert all(isinstance(m, TarMember) for m in all_ + some)
    assert [(m.name, m.data, m.offset) for m in some if isinstance(m, TarMember)] == [
        (m.name, m.data, m.offset) for m in all_ if isinstance(m, TarMember) and m.name in want
    ]
    assert [m.name for m in some if isinstance(m, TarMember)] == [
        long,
        "traces/03/trace_full_a00003.json",
        "traces/06/trace_full_a00006.json",
    ]


def test_archive_cut_inside_a_refused_member_is_named(tmp_path: Path) -> None:
    tar = _tar(
        tmp_path / "day.tar",
        [("traces/01/trace_full_a00001.json", b"1" * 600), ("big", b"2" * 100_000)],
    )
    cut = tmp_path / "cut.tar"
    cut.write_bytes(tar.read_bytes()[:60_000])
    got = list(tar_members(PartsReader([cut]), lambda name: name != "big"))
    assert isinstance(got[0], TarMember) and got[0].name == "traces/01/trace_full_a00001.json"
    assert isinstance(got[1], TarProblem) and got[1].name == "big"
    assert got[1].what.startswith("archive ends") and "100,000-byte member" in got[1].what
    assert len(got) == 2
