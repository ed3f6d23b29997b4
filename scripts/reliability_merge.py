"""Keep the sections of docs/reliability.md whose pieces a render was not given.

``scripts/reliability.py --keep-others`` renders the page from the pieces it has (say only a
new ``--load-long`` run) and takes every other section from the page as it stands, unchanged:
the long runs are made one at a time, on different days, and the figures of one must not
disappear because the folder of another's pieces is gone. The rerun instructions are this
script's prose, always the new ones. A section is known by its heading
(``SECTION_PIECES``); the page's order is the existing page's, a section new to it goes before
"Rerunning the long runs".
"""

from __future__ import annotations

# The heading's start -> the piece that renders the section (the first that matches).
SECTION_PIECES: tuple[tuple[str, str], ...] = (
    ("## Fuzzing", "fuzz"),
    ("## Decoder", "decoder"),
    ("## kill -9 of `ingest`", "kills"),
    ("## kill -9 of `serve`", "serve_kills"),
    ("## Other faults", "other"),
    ("## Soak", "soak"),
    ("## Load: 100,000 frames/s for", "load_long"),
    ("## Load: 100,000 frames/s (", "load"),
    ("## Tests (CI)", "pytest"),
)
RERUN_HEADING = "## Rerunning the long runs"


def piece_of(heading: str) -> str:
    """The piece a section belongs to; a section no piece renders is its own heading."""
    for start, piece in SECTION_PIECES:
        if heading.startswith(start):
            return piece
    return heading


def sections(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The page's lines before its first ``## `` heading, then (piece, lines) per section."""
    head: list[str] = []
    out: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        if line.startswith("## "):
            out.append((piece_of(line), [line]))
        elif out:
            out[-1][1].append(line)
        else:
            head.append(line)
    return head, out


def keep_others(old: str, new: str, given: set[str]) -> str:
    """``new``'s header, rerun notes and the sections of the pieces in ``given``; every other
    section of ``old`` as it is, in ``old``'s order. A given section ``old`` lacks goes before
    the rerun instructions (or at the end)."""
    head, fresh = sections(new)
    by_piece = dict(fresh)
    _, kept = sections(old)
    out = list(head)
    placed: set[str] = set()
    for piece, lines in kept:
        if piece == RERUN_HEADING:
            for p, ls in fresh:
                if p in given and p not in placed and all(p != k for k, _ in kept):
                    out += ls
                    placed.add(p)
        fresh_wanted = piece in given or piece == RERUN_HEADING  # the script's own prose
        take = by_piece[piece] if fresh_wanted and piece in by_piece else lines
        out += take
        placed.add(piece)
    out += [ln for p, ls in fresh if p in given and p not in placed for ln in ls]
    return "\n".join(out)
