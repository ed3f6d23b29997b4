"""Optional PDF of the report, printed by headless Chromium when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
PRINT_TIMEOUT_S = 120  # seconds: a cold Chromium start on a busy machine is slow


def find_chromium() -> str | None:
    for p in CHROMIUM_PATHS:
        if Path(p).is_file():
            return p
    return shutil.which("chromium")


def print_pdf(html: Path, pdf: Path) -> str:
    """Print ``html`` to ``pdf``; returns "" on success, else why there is no PDF."""
    exe = find_chromium()
    if exe is None:
        return "no PDF: Chromium not found (install chromium, or print report.html from a browser)"
    cmd = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]
    try:
        run = subprocess.run(cmd, capture_output=True, timeout=PRINT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"no PDF: Chromium failed: {exc}"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        tail = run.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return f"no PDF: Chromium exited {run.returncode}: {' '.join(tail)}"
    return ""
