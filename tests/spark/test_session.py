"""The local-mode session's JVM: started with ``LOCAL_JAVA_OPTIONS`` (the client JIT only), the
JVM every other Spark test here runs on, so the equivalence tests hold under it."""

from __future__ import annotations

from typing import Any

from skywitness.spark.session import LOCAL_DRIVER_MEMORY, LOCAL_JAVA_OPTIONS


def test_the_local_jvm_compiles_with_the_client_jit_only(spark: Any) -> None:
    bean = spark._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    assert LOCAL_JAVA_OPTIONS == "-XX:TieredStopAtLevel=1"
    assert LOCAL_JAVA_OPTIONS in list(bean.getInputArguments())


def test_the_local_jvm_has_the_local_heap(spark: Any) -> None:
    """``LOCAL_DRIVER_MEMORY``: Spark's 1 GB default heap ran out on local[2] at 200 M rows."""
    assert LOCAL_DRIVER_MEMORY == "4g"
    assert spark.sparkContext.getConf().get("spark.driver.memory") == LOCAL_DRIVER_MEMORY
    heap = spark._jvm.java.lang.Runtime.getRuntime().maxMemory()
    assert heap > 3.5 * 2**30  # the JVM reports the heap less a survivor space
