"""The lake's side files (``spark ingest``'s records of the files it stored) where the lake is:
a local folder as plain files, a lake given as a URI (``s3a://``, ``gs://``, ``abfss://``,
``hdfs://``, ``file://``) through Spark's own filesystems (Hadoop's ``FileSystem``, configured
as the session is), so a cluster's ingest is resumable, and its records (inputs, identity
facts) readable by ``spark flights`` and ``spark investigate``, whatever holds its lake."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def is_uri(lake: str | Path) -> bool:
    """Whether ``lake`` names a Spark filesystem URI rather than a local folder."""
    return "://" in str(lake)


def lake_path(lake: str | Path, *parts: str) -> str:
    """``lake``/``parts`` as Spark reads and writes it (a URI keeps its ``//``, which
    ``pathlib`` would fold)."""
    return "/".join([str(lake).rstrip("/"), *parts])


class LakeFiles:
    """Small text files under a lake: exists, write (replacing), by a path relative to it."""

    def __init__(self, spark: Any, lake: str | Path) -> None:
        self.spark, self.lake, self.uri = spark, lake, is_uri(lake)
        if self.uri:
            jvm = spark.sparkContext._jvm
            self._path = jvm.org.apache.hadoop.fs.Path
            self._fs = self._path(str(lake)).getFileSystem(
                spark.sparkContext._jsc.hadoopConfiguration()
            )

    def exists(self, rel: str) -> bool:
        if not self.uri:
            return (Path(self.lake) / rel).exists()
        return bool(self._fs.exists(self._path(lake_path(self.lake, rel))))

    def write_text(self, rel: str, text: str) -> None:
        if not self.uri:
            target = Path(self.lake) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            return
        out = self._fs.create(self._path(lake_path(self.lake, rel)), True)  # overwrite
        try:
            out.write(bytearray(text.encode()))
        finally:
            out.close()

    def read_text(self, rel: str) -> str | None:
        """The text of the file at ``rel``, or None when it is not there."""
        if not self.exists(rel):
            return None
        if not self.uri:
            return (Path(self.lake) / rel).read_text()
        ((_, text),) = self.spark.sparkContext.wholeTextFiles(lake_path(self.lake, rel)).collect()
        return str(text)

    def read_texts(self, rel_dir: str, suffix: str) -> list[tuple[str, str]]:
        """(name, text) of each file directly under ``rel_dir`` whose name ends in ``suffix``,
        by name; [] when the folder is not there."""
        if not self.uri:
            folder = Path(self.lake) / rel_dir
            if not folder.is_dir():
                return []
            return [(p.name, p.read_text()) for p in sorted(folder.glob("*" + suffix))]
        if not self.exists(rel_dir):
            return []
        pairs = self.spark.sparkContext.wholeTextFiles(lake_path(self.lake, rel_dir)).collect()
        named = ((str(path).rsplit("/", 1)[-1], str(text)) for path, text in pairs)
        return sorted((name, text) for name, text in named if name.endswith(suffix))


def active_session() -> Any:
    """The Spark session this process runs (a lake given as a URI is read through it)."""
    from pyspark.sql import SparkSession

    from ..errors import SkywitnessError

    session = SparkSession.getActiveSession()
    if session is None:
        raise SkywitnessError("a lake given as a URI is read through Spark: no session is running")
    return session
