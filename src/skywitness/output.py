"""Table writers for command output: Parquet, CSV or JSON lines, chosen by the file extension.

Writers take ``pyarrow.Table`` batches with a fixed schema and stream them out, so memory stays
bounded however long the input. Parquet and CSV files are written to a temporary name beside the
target and renamed when closed, so a reader never sees half a file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import pyarrow as pa

from .errors import SkywitnessError
from .timeutil import iso_z_column

#: Output formats by file extension.
EXTENSIONS: dict[str, str] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


class TableWriter(Protocol):
    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...


def _csv_ready(table: pa.Table) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, iso_z_column(table.column(i)))
    return table


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    """``table.to_pylist()``, with UTC timestamps turned into datetimes here: pyarrow does it
    through pandas, which it imports (~0.3 s) when installed."""
    ts = [i for i, f in enumerate(table.schema) if pa.types.is_timestamp(f.type)]
    if not ts:
        return table.to_pylist()  # type: ignore[no-any-return]
    times = {}
    for i in ts:
        unit = table.schema.field(i).type.unit
        col = table.column(i)
        ticks = [
            v
            for chunk in col.chunks
            for v in pa.Array.from_buffers(
                pa.int64(), len(chunk), chunk.buffers(), offset=chunk.offset
            ).to_pylist()
        ]  # the int64 ticks on the same buffers: a cast would load pyarrow.compute
        per = _PER_SECOND[unit]
        times[table.schema.field(i).name] = [
            None if v is None else _EPOCH + timedelta(microseconds=v * 1_000_000 // per)
            for v in ticks
        ]
        table = table.set_column(i, table.schema.field(i).name, pa.nulls(len(table), pa.int64()))
    rows: list[dict[str, Any]] = table.to_pylist()
    for name, values in times.items():
        for row, v in zip(rows, values, strict=True):
            row[name] = v
    return rows


#: Rows turned into JSON text at a time (bounds the text in memory, and Arrow's 32-bit offsets).
JSON_ROWS = 65_536


class JsonLinesWriter:
    """One JSON object per row; null fields are left out to keep lines short. Column-wise
    (``jsoncolumns``) where every column's type allows, else row by row: the same text."""

    def __init__(self, stream: IO[str], *, close_stream: bool) -> None:
        self._stream = stream
        self._close_stream = close_stream

    def write(self, table: pa.Table) -> None:
        from .jsoncolumns import json_lines

        for start in range(0, table.num_rows, JSON_ROWS):
            part = table.slice(start, JSON_ROWS)
            text = json_lines(part)
            if text is None:
                self.write_rows(part)
            else:
                self._stream.write(text.decode("ascii"))

    def write_rows(self, table: pa.Table) -> None:
        """The per-row path (json.dumps of each row's non-null values)."""
        import json  # on use, as jsontext (orjson): ~2 ms of every decode's start-up

        from .jsontext import jsonable

        dumps = json.dumps
        lines = []
        for row in _rows(table):
            rec = {k: jsonable(v) for k, v in row.items() if v is not None}
            lines.append(dumps(rec, separators=(",", ":")))
        if lines:
            self._stream.write("\n".join(lines) + "\n")

    def close(self) -> None:
        self._stream.flush()
        if self._close_stream:
            self._stream.close()


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it (a swap through
    ``os.umask`` would briefly change it for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def give_file_mode(path: str | Path) -> None:
    """Give a file made 0600 (by ``tempfile.mkstemp`` or ``_exclusive_temp``) the mode a
    plainly created file would have: 0666 less the umask."""
    os.chmod(path, 0o666 & ~_umask())


#: Random names tried for a temporary file before giving up (as ``tempfile.TMP_MAX``).
_TEMP_TRIES = 10_000


def _exclusive_temp(path: Path) -> Path:
    """A new empty file ``.NAME.RANDOM.tmp`` beside ``path``, made 0600 with ``O_EXCL`` as
    ``tempfile.mkstemp`` makes it (not imported: with ``random`` ~4 ms of every ``decode``)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(_TEMP_TRIES):
        tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
        try:
            fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"{path.parent}: no free temporary name for {path.name}")


class _AtomicFile:
    """A temporary file beside ``path``, renamed onto it by ``commit`` (with the mode a plainly
    created file would have, not the temporary's 0600)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.tmp = _exclusive_temp(path)

    def commit(self) -> None:
        with open(self.tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        give_file_mode(self.tmp)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


#: Rows per Parquet row group: batches are gathered up to this many before being written
#: (a decode chunk is ~20k rows; a group per chunk cost ~30 % more CPU to write).
ROW_GROUP_ROWS = 131_072
#: Columns whose min/max statistics are written: the ones a reader filters these files on.
STATISTICS_COLUMNS = ("icao24",)
#: Text and code columns written without a dictionary: their values rarely repeat within a row
#: group (frames, raw CPR coordinates), or compress as small without one (addresses). Measured
#: on 500k decoded frames: the dictionary tried and dropped cost ~0.025 CPU s of ~0.3 s of
#: writing, and the file was 3 % larger (issue 18).
PLAIN_COLUMNS = ("frame", "icao24", "cpr_lat", "cpr_lon")


#: Parquet encoding of time columns: each value as its difference from the one before,
#: bit-packed per block of 128 (times in a capture rise by small steps). Measured on 500k
#: decoded frames (issue 18, in process, best of 9): Arrow's writer 0.293 s against 0.302 s
#: with the times written PLAIN, and the file 7.20 MB against 7.41 MB (both zstd). A standard
#: Parquet encoding: pyarrow, DuckDB, Spark and pandas read it.
TIME_ENCODING = "DELTA_BINARY_PACKED"


#: The codec of the columns a writer is not told to zstd (``zstd_columns``): snappy, which
#: every Parquet reader reads. Measured on the decode output of 500k frames (issue 18, in
#: process, best of 9): Arrow's writer 0.267 s with ``frame`` and ``timestamp`` zstd and the
#: rest snappy, 0.302 s all zstd; the file 9.21 MB against 7.20 MB (zstd costs a compression
#: context per page; the 41 other columns hold ~40 % of the bytes and most of the pages).
LIGHT_CODEC = "snappy"


#: Rows Arrow's Parquet writer encodes at a time within a column chunk (its default is 1,024):
#: a whole row group's worth, so each column's levels and values go through the encoder in a
#: few large calls, not a hundred small ones. The same values; a page closes once it passes
#: Arrow's 1 MiB page size, checked after each call, so a page may hold up to one call more.
#: Measured on the decode output of 500k frames (issue 18; bench/RESULTS.md).
WRITE_BATCH_ROWS = ROW_GROUP_ROWS


def parquet_options(
    schema: pa.Schema, zstd_columns: Collection[str] | None = None
) -> dict[str, Any]:
    """Writer options for command output: no dictionary for measured values (floats and
    times rarely repeat: the encoder would build a dictionary only to drop it) nor for
    ``PLAIN_COLUMNS``, times as ``TIME_ENCODING``, statistics only for times and the address
    (string min/max of frames cost CPU and prune nothing). Every column zstd, or with
    ``zstd_columns`` those zstd and the others ``LIGHT_CODEC``."""
    times = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    measured = [f.name for f in schema if pa.types.is_floating(f.type)] + times
    stats = times + [f.name for f in schema if f.name in STATISTICS_COLUMNS]
    plain = set(measured) | set(PLAIN_COLUMNS)
    codec: str | dict[str, str] = "zstd"
    if zstd_columns is not None:
        codec = {f.name: "zstd" if f.name in zstd_columns else LIGHT_CODEC for f in schema}
    return {
        "compression": codec,
        "use_dictionary": [f.name for f in schema if f.name not in plain],
        "column_encoding": dict.fromkeys(times, TIME_ENCODING),
        "write_statistics": stats,
        "write_batch_size": WRITE_BATCH_ROWS,
    }


def parquet_file_writer(path: str, schema: pa.Schema, **options: Any) -> Any:
    """``pyarrow.parquet.ParquetWriter(path, schema, **options)`` without importing
    ``pyarrow.parquet`` (~0.04 s of start-up: it loads ``pyarrow.fs``): its engine,
    ``pyarrow._parquet.ParquetWriter``, with the arguments the public class passes for a local
    path (the same file, byte for byte). A pyarrow whose engine differs gets the public class."""
    try:
        from pyarrow._parquet import ParquetWriter as Engine

        return Engine(
            path,
            schema,
            version="2.6",
            writer_engine_version="V2",
            data_page_version="1.0",
            use_deprecated_int96_timestamps=False,
            **options,
        )
    except (ImportError, TypeError):
        import pyarrow.parquet as pq

        return pq.ParquetWriter(path, schema, **options)


def _has_coded(schema: pa.Schema) -> bool:
    return any(pa.types.is_dictionary(f.type) for f in schema)


class ParquetWriter:
    """Row groups of ``ROW_GROUP_ROWS``. A dictionary-encoded string column (the ``decode``
    output's labels, ``decode.dictcols``) is written as its dictionary page and its indices
    as they are (no hashing of every row), and then the file stores no Arrow schema: every
    reader sees plain strings, and the other types of command output (numbers, booleans,
    strings, UTC timestamps) read back the same from Parquet's own types."""

    def __init__(
        self, path: Path, schema: pa.Schema, zstd_columns: Collection[str] | None = None
    ) -> None:
        self._file = _AtomicFile(path)
        options = parquet_options(schema, zstd_columns)
        if _has_coded(schema):
            options["store_schema"] = False
        self._writer = parquet_file_writer(str(self._file.tmp), schema, **options)
        self._pending: list[pa.Table] = []
        self._rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._pending.append(table)
            self._rows += table.num_rows
            if self._rows >= ROW_GROUP_ROWS:
                self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.concat_tables(self._pending))
        self._pending, self._rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._file.commit()


class CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._file = _AtomicFile(path)
        self._schema = pa.schema(  # the CSV text's columns: times as ISO text
            [f.with_type(pa.string()) if pa.types.is_timestamp(f.type) else f for f in schema]
        )  # (not ``schema.empty_table()``: it imports pandas, ~0.3 s of start-up)
        import pyarrow.csv as pacsv

        self._writer = pacsv.CSVWriter(str(self._file.tmp), self._schema)

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(_csv_ready(table))

    def close(self) -> None:
        self._writer.close()
        self._file.commit()


def format_for(path: str | None, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if path is None or path == "-":
        return "jsonl"
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise SkywitnessError(
            f"{path}: unknown output extension {ext!r}; use one of {', '.join(EXTENSIONS)}"
        )
    return EXTENSIONS[ext]


def open_writer(
    path: str | None,
    schema: pa.Schema,
    fmt: str | None = None,
    *,
    zstd_columns: Collection[str] | None = None,
) -> TableWriter:
    """A writer for ``path`` (``None`` or ``-``: JSON lines on stdout); Parquet's codecs as
    ``parquet_options``' ``zstd_columns``."""
    kind = format_for(path, fmt)
    if path is None or path == "-":
        if kind != "jsonl":
            raise SkywitnessError(f"{kind} output needs a file name (-o FILE)")
        return JsonLinesWriter(sys.stdout, close_stream=False)
    target = Path(path)
    if kind == "parquet":
        return ParquetWriter(target, schema, zstd_columns)
    if kind == "csv":
        return CsvWriter(target, schema)
    return JsonLinesWriter(open(target, "w", encoding="utf-8"), close_stream=True)
