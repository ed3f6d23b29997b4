"""A SparkSession configured for skywitness's lake: Arrow on, Parquet timestamps written as
INT64 milliseconds (what the embedded lake holds, not Spark's default INT96), UTC session time
zone, dynamic partition overwrite (a rebuild replaces only the days it covers); in local mode,
the JVM it starts compiles with the client JIT only (``LOCAL_JAVA_OPTIONS``) and has a 4 GB heap
(``LOCAL_DRIVER_MEMORY``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..errors import SkywitnessError

INSTALL_HINT = (
    "Spark support needs pyspark and a Java 17/21 runtime: pip install 'skywitness[spark]'"
)

#: Rows per Arrow batch between the JVM and a Python task: large, so the per-batch cost is
#: amortised (Spark's default is 10,000).
ARROW_BATCH = 100_000

#: Settings every skywitness Spark job runs with (others come from spark-submit / --conf).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH),
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MILLIS",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
}


#: JVM options of a local-mode session's JVM (the one this process starts), unless the caller
#: gives ``spark.driver.extraJavaOptions``: the client JIT (C1) only. Spark generates and loads
#: classes for every query, and the server JIT (C2) kept compiling them: on a flights rebuild of
#: 0.8 M rows (warm session, /proc per thread) its threads took ~2.4 of the JVM's ~4.3 CPU-s,
#: every job again; with C1 only, the JVM took ~1.6 CPU-s. The JVM's own work in skywitness's
#: jobs is moving a few large Arrow payloads, where C2's faster code saves little. A cluster's
#: executors keep their own settings (``spark.executor.extraJavaOptions``).
LOCAL_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"
#: The heap of a local-mode JVM (driver and executor in one), unless the caller gives
#: ``spark.driver.memory``: Spark's default, 1 GB, ran out on a 200 M-row flights rebuild on
#: local[2] (two tasks, each holding a partition's shuffled payloads, ~0.1-0.2 GB, as one Arrow
#: batch for its Python worker, beside the shuffle's buffers). The JVM takes it as it needs it.
LOCAL_DRIVER_MEMORY = "4g"


def spark_session(
    master: str | None = None, app_name: str = "skywitness", conf: dict[str, str] | None = None
) -> Any:
    """The active SparkSession, or a new one (``master``: ``local[*]``, ``spark://HOST:7077``,
    ``k8s://...``; None: whatever spark-submit configured); ``conf`` overrides
    ``SESSION_CONF`` and, in local mode, ``LOCAL_JAVA_OPTIONS``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SkywitnessError(INSTALL_HINT) from exc
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    if master is None or master.startswith("local"):
        # local workers run this interpreter (with skywitness and pyarrow), not the system's
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", os.environ["PYSPARK_PYTHON"])
    if master and master.startswith("local"):  # this process starts the JVM: its options
        builder = builder.config("spark.driver.extraJavaOptions", LOCAL_JAVA_OPTIONS)
        builder = builder.config("spark.driver.memory", LOCAL_DRIVER_MEMORY)
    for key, value in {**SESSION_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # no JVM: say what to install, not a Py4J traceback
        raise SkywitnessError(f"{INSTALL_HINT} ({exc})") from exc
