"""Scale-out on Apache Spark (``pip install 'skywitness[spark]'``): the same pure cores —
readers, decoder, tracker, flights stage, evidence query — run inside Spark tasks over Arrow
batches (``mapInArrow`` per input file; per shuffle partition of whole aircraft, by
``icao24``), reading and writing the same Hive-partitioned Parquet lake the embedded path
writes. Spark distributes; skywitness computes. Nothing here imports pyspark at import time
(``session`` does, when asked).

Modules: ``session`` (a configured SparkSession), ``arrowtypes`` (our Arrow schemas as Spark
schemas), ``ingest`` (files → states lake), ``flights`` (states lake → flights table),
``investigate`` (the rows an evidence query reads, answered by the embedded evidence code),
``attach`` (the embedded store over a Spark lake), ``job`` (the commands; ``python -m
skywitness.spark`` for ``spark-submit``).
"""
