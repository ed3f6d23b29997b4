"""Settings read from the environment, in one place: their names, defaults and readers.

Command-line flags win over the environment, the environment over the defaults. Values are read
when asked for (never at import), from ``os.environ`` unless a mapping is given (tests).
docs/settings.md lists every one of them.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: ``--version`` loads us
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

#: The store's directory when --data-dir is not given.
DATA_DIR_ENV = "SKYWITNESS_DATA_DIR"
#: The token that state-changing API calls (and every call with --auth read) must carry.
TOKEN_ENV = "SKYWITNESS_TOKEN"
#: OpenSky API client credentials (OAuth2 client credentials flow) for opensky:// sources.
OPENSKY_CLIENT_ID_ENV = "OPENSKY_CLIENT_ID"
OPENSKY_CLIENT_SECRET_ENV = "OPENSKY_CLIENT_SECRET"
#: The log level (DEBUG, INFO, WARNING, ERROR) when neither --verbose nor --quiet is given.
LOG_LEVEL_ENV = "SKYWITNESS_LOG_LEVEL"
#: numpy's own switch for advising the kernel to back large arrays with transparent huge
#: pages. Where those are given on request only (``madvise``, the common default), each new
#: large array then waits on the kernel compacting memory into 2 MB pages: ~0.5 s of system
#: CPU of a 1.1M-row states ``ingest`` on the project's test box (issue 18; 0.1 s more user
#: time without them). The CLI sets it to 0 unless the environment already chooses.
NUMPY_HUGEPAGE_ENV = "NUMPY_MADVISE_HUGEPAGE"
#: The thread count of the OpenBLAS that numpy loads. Its threads start when numpy is
#: imported and spin on idle cores waiting for work that skywitness never gives them (its
#: linear algebra is batches of 3x3 and 4x4 systems): ~0.07 CPU s of every command's
#: start-up on a 2-core box, more with more cores (issue 18). The CLI sets it to 1 unless the
#: environment already chooses.
OPENBLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"
#: pyarrow's choice of its default memory pool, read once when pyarrow is first imported.
#: ``decode`` sets it to ``system`` unless the environment already chooses, so the Parquet
#: writer's buffers come from the C library's heap that numpy's freed arrays go back to
#: (issue 18; ``cli.main.SYSTEM_POOL_COMMANDS`` says why, bench/RESULTS.md).
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"
#: Every environment variable skywitness reads.
ENVIRONMENT = (
    DATA_DIR_ENV, TOKEN_ENV, OPENSKY_CLIENT_ID_ENV, OPENSKY_CLIENT_SECRET_ENV, LOG_LEVEL_ENV,
    NUMPY_HUGEPAGE_ENV, OPENBLAS_THREADS_ENV, ARROW_POOL_ENV,
)  # fmt: skip
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_LOG_LEVEL = "WARNING"

#: The store's directory when neither --data-dir nor $SKYWITNESS_DATA_DIR is given.
DEFAULT_DATA_DIR = "skywitness-data"


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def data_dir(arg: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """--data-dir, else $SKYWITNESS_DATA_DIR, else ./skywitness-data."""
    from pathlib import Path  # here: ``skywitness --version`` loads this module, not pathlib

    return Path(arg or _env(env).get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def api_token(env: Mapping[str, str] | None = None) -> str | None:
    """$SKYWITNESS_TOKEN, None when unset or empty."""
    return _env(env).get(TOKEN_ENV) or None


def opensky_credentials(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """($OPENSKY_CLIENT_ID, $OPENSKY_CLIENT_SECRET), empty strings when unset."""
    e = _env(env)
    return e.get(OPENSKY_CLIENT_ID_ENV, ""), e.get(OPENSKY_CLIENT_SECRET_ENV, "")


def log_level(verbose: int = 0, quiet: bool = False, env: Mapping[str, str] | None = None) -> str:
    """``--verbose`` (INFO; twice: DEBUG) or ``--quiet`` (ERROR), else $SKYWITNESS_LOG_LEVEL,
    else WARNING. Raises ValueError on a level that is not one of LOG_LEVELS."""
    if quiet:
        return "ERROR"
    if verbose:
        return "DEBUG" if verbose > 1 else "INFO"
    level = (_env(env).get(LOG_LEVEL_ENV) or DEFAULT_LOG_LEVEL).upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"{LOG_LEVEL_ENV}={level!r}: one of {', '.join(LOG_LEVELS)}")
    return level
