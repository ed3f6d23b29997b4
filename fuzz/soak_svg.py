"""The soak's samples drawn as an SVG (no plotting library): server RSS, lag and frames read
per second against time, one panel each, written by ``fuzz.soak`` next to ``soak.json``."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

#: Panel size in SVG user units (px).
WIDTH, PANEL_H, PAD = 720, 150, 48


def _rates(samples: list[dict[str, Any]]) -> list[tuple[float, float]]:
    out = []
    for a, b in itertools.pairwise(samples):
        dt = b["t"] - a["t"]
        if dt > 0:
            out.append((b["t"], (b["frames"] - a["frames"]) / dt))
    return out


def _panel(points: list[tuple[float, float]], top: float, title: str, t_max: float) -> str:
    x0, x1 = PAD + 10, WIDTH - 16
    y0, y1 = top + PANEL_H - 24, top + 22
    hi = max((y for _, y in points), default=0.0)
    hi = hi * 1.1 if hi > 0 else 1.0
    parts = [f'<text x="{x0}" y="{top + 14}" font-size="13">{title} (max {hi / 1.1:,.2f})</text>',
             f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#888"/>',
             f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#888"/>',
             f'<text x="{x0 - 4}" y="{y1 + 4}" font-size="10" text-anchor="end">{hi:,.0f}</text>',
             f'<text x="{x0 - 4}" y="{y0}" font-size="10" text-anchor="end">0</text>',
             f'<text x="{x1}" y="{y0 + 14}" font-size="10" text-anchor="end">'
             f'{t_max / 60:,.0f} min</text>']  # fmt: skip
    if points:
        xy = " ".join(
            f"{x0 + (x1 - x0) * t / max(t_max, 1e-9):.1f},{y0 - (y0 - y1) * v / hi:.1f}"
            for t, v in points
        )
        parts.append(f'<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{xy}"/>')
    return "\n".join(parts)


def svg(res: dict[str, Any]) -> str:
    pts = [s for s in res["samples"] if s]
    t_max = max((s["t"] for s in pts), default=1.0)
    panels = [
        ([(s["t"], float(s["rss_mb"])) for s in pts], "serve RSS, MB"),
        ([(s["t"], float(s["lag_s"])) for s in pts], "lag, s (at each sample)"),
        (_rates(pts), "frames read per second"),
    ]
    height = PANEL_H * len(panels) + 10
    body = "\n".join(_panel(p, 5 + k * PANEL_H, title, t_max) for k, (p, title) in
                     enumerate(panels))  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">\n'
        f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n'
    )


def write_svg(res: dict[str, Any], path: Path) -> None:
    path.write_text(svg(res), encoding="utf-8")
