"""Whether a process is running: what the scratch folders of a service (the watch's spool, the
flights stage's spill) ask of a folder named after the process that made it, before removing
one a killed process left."""

from __future__ import annotations

import os


def pid_running(pid: int) -> bool:
    """Whether process ``pid`` runs (another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
