"""The local-mode session's JVM: started with ``LOCAL_JAVA_OPTIONS`` (the client JIT only), the
JVM every other Spark test here runs on, so the equivalence tests hold under it."""

from __future__ import annotations

from typing import Any

from skywitness.spark.session import LOCAL_JAVA_OPTIONS


def test_the_local_jvm_compiles_with_the_client_jit_only(spark: Any) -> None:
    bean = spark._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    assert LOCAL_JAVA_OPTIONS == "-XX:TieredStopAtLevel=1"
    assert LOCAL_JAVA_OPTIONS in list(bean.getInputArguments())
