"""Scale-out on Apache Spark (``pip install 'skywitness[spark]'``): the same pure cores —
readers, decoder, tracker, flights stage — run inside Spark tasks over Arrow batches
(``mapInArrow`` per input file, ``applyInArrow`` grouped by ``icao24``), reading and writing the
same Hive-partitioned Parquet lake the embedded path writes. Spark distributes; skywitness
computes. Nothing here imports pyspark at import time (``session`` does, when asked).

Modules: ``session`` (a configured SparkSession), ``arrowtypes`` (our Arrow schemas as Spark
schemas), ``ingest`` (files → states lake), ``flights`` (states lake → flights table), ``job``
(the packaged entry point, ``python -m skywitness.spark``).
"""
