"""The Parquet lake on disk: split a batch by UTC day, sort it, write each file atomically.

Layout: ``<lake>/states/date=YYYY-MM-DD/<name>.parquet``, each file sorted by ``icao24,
timestamp``, zstd, row groups small enough that a one-aircraft query skips most of a file by
its min/max statistics. A file is written to a hidden temporary name in its final directory,
fsynced, then renamed, so a reader never sees half a file; the directory is fsynced after.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..decode.hexio import numpy_of, one_chunk, values_view
from ..output import TIME_ENCODING
from ..runs import run_starts
from ..timeutil import from_unix, iso_day, parse_day

#: Rows per Parquet row group: small enough for min/max pruning on icao24, big enough for speed.
ROW_GROUP_ROWS = 131_072
#: zstd level 1: the fastest level; higher levels cost ingest speed for a few % of size.
ZSTD_LEVEL = 1
MS_PER_DAY = 86_400_000
#: Rows checked at a time for the lake's order before a batch is written (cache-sized).
ORDER_CHECK_ROWS = 65_536
#: Addresses parsed at a time by ``icao_keys`` (cache-sized temporaries, reused).
KEY_ROWS = 65_536
#: Dictionary-encode the repetitive strings only: on floats it costs time and size under zstd.
DICTIONARY_COLUMNS = ["icao24", "callsign", "squawk", "source", "position_source"]
#: Columns whose min/max statistics are written: those the store's queries filter on (time,
#: address, callsign, the bbox), so DuckDB and Spark skip row groups by them. Statistics of
#: the other columns prune no query and cost ~10 % of a file's writing CPU.
STATISTICS_COLUMNS = ["timestamp", "icao24", "callsign", "latitude", "longitude"]
#: Columns not written PLAIN: the times as steps from the one before (``output.TIME_ENCODING``;
#: a file's rows are by aircraft, then time, so mostly steps of a second). On the 1.14M-row
#: ingest bench's four day files: Arrow's writer 0.235 s against 0.246 s, and the files
#: 14.0 MB against 15.6 MB (best of 3, in process; bench/RESULTS.md).
COLUMN_ENCODINGS = {"timestamp": TIME_ENCODING}
TMP_SUFFIX = ".tmp"
I8 = npt.NDArray[np.int64]
STATES_DIR = "states"


@dataclass(frozen=True, slots=True)
class DayPart:
    """One UTC day's slice of a batch, sorted, ready to write."""

    day: date
    table: pa.Table


def partition_dir(lake: Path, day: date) -> Path:
    return lake / STATES_DIR / f"date={iso_day(day)}"


def day_of_partition(dirname: str) -> date | None:
    if not dirname.startswith("date="):
        return None
    try:
        return parse_day(dirname[5:])
    except ValueError:
        return None


def icao_keys(icao24: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int64]:
    """The 6-hex-digit addresses as integers, read straight from the Arrow string buffer.

    The caller guarantees 6 lowercase hex digits and no nulls (``canonicalize`` does); an
    integer sort is several times faster than a string sort on the ingest hot path. A digit's
    value is arithmetic on its byte (``'0'``-``'9'`` are 0x30-0x39, ``'a'``-``'f'`` 0x61-0x66:
    the low nibble, plus 9 where bit 6 is set), ``KEY_ROWS`` rows at a time: ~2.5x faster than
    a table lookup (a gather) over the whole column. A dictionary-encoded column (a Parquet
    file's, read as it is stored) is parsed once per distinct address, then gathered.
    """
    arr = icao24.combine_chunks() if isinstance(icao24, pa.ChunkedArray) else icao24
    if isinstance(arr, pa.DictionaryArray):  # no null index (canonical): a view of them
        idx = values_view(arr.indices, np.dtype(f"int{arr.type.index_type.bit_width}"))
        out_d: npt.NDArray[np.int64] = icao_keys(arr.dictionary)[idx]
        return out_d
    n = len(arr)
    out = np.empty(n, dtype=np.int64)
    if n == 0:
        return out
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[0] + 6 * n]
    packed = np.zeros((min(n, KEY_ROWS), 4), dtype=np.uint8)  # big-endian 0x00AABBCC
    for lo in range(0, n, KEY_ROWS):
        hi = min(lo + KEY_ROWS, n)
        d = data[6 * lo : 6 * hi]
        nib = ((d & 0x0F) + 9 * (d >> 6)).reshape(hi - lo, 6)
        p = packed[: hi - lo]
        p[:, 1:] = (nib[:, 0::2] << 4) | nib[:, 1::2]
        out[lo:hi] = p.view(">u4").ravel()
    return out


def _validity(valid: npt.NDArray[np.bool_]) -> pa.Buffer | None:
    return None if bool(valid.all()) else pa.py_buffer(np.packbits(valid, bitorder="little"))


def _take_column(col: pa.ChunkedArray, order: npt.NDArray[np.int64]) -> pa.Array:
    """Reorder one column through numpy: Arrow's ``take`` is slow on validity bitmaps and
    strings, numpy's fancy indexing on plain buffers is not. Strings travel as dictionary
    indices; nulls as NaN (floats), -1 (codes) or a mask. Built off numpy buffers: the
    ``pa.array``/``to_numpy`` conversions load pandas (~0.3 s of every ingest)."""
    t = col.type
    n = order.shape[0]
    if pa.types.is_floating(t) and t == pa.float64():
        v = numpy_of(col, np.nan)[order]
        return pa.Array.from_buffers(t, n, [_validity(~np.isnan(v)), pa.py_buffer(v)])
    if pa.types.is_timestamp(t):
        valid = numpy_of(pc.is_valid(col))[order]
        vals = numpy_of(col.cast(pa.int64()), 0)[order]
        return pa.Array.from_buffers(t, n, [_validity(valid), pa.py_buffer(vals)])
    if pa.types.is_boolean(t):
        codes = numpy_of(pc.fill_null(col.cast(pa.int8()), -1))[order]
        bits = pa.py_buffer(np.packbits(codes == 1, bitorder="little"))
        return pa.Array.from_buffers(t, n, [_validity(codes >= 0), bits])
    if pa.types.is_string(t):
        enc = pc.dictionary_encode(col).combine_chunks()
        idx = numpy_of(enc.indices, -1).astype(np.int32)[order]
        indices = pa.Array.from_buffers(pa.int32(), n, [_validity(idx >= 0), pa.py_buffer(idx)])
        return pa.DictionaryArray.from_arrays(indices, enc.dictionary)
    return col.take(pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(order)]))


def take_rows(table: pa.Table, order: npt.NDArray[np.int64]) -> pa.Table:
    """``table`` reordered by ``order`` (string columns come back dictionary-encoded)."""
    cols = [_take_column(c, order) for c in table.columns]
    return pa.Table.from_arrays(cols, names=table.column_names)


def _byte_keys(icao24: pa.Array, lo: int, hi: int, out: npt.NDArray[np.uint8]) -> I8:
    """Rows ``lo:hi`` of 6-character texts as the big-endian integers of their bytes, written
    through ``out`` (a reused (rows, 8) block): ordered as the texts are, which is all the
    order check asks; ~2.5x faster than parsing the hex digits (``icao_keys``)."""
    start = int(np.frombuffer(icao24.buffers()[1], dtype=np.int32)[icao24.offset])
    data = np.frombuffer(icao24.buffers()[2], dtype=np.uint8)[start + 6 * lo : start + 6 * hi]
    block = out[: hi - lo]
    block[:, 2:] = data.reshape(hi - lo, 6)
    keys: I8 = block.view(">i8").ravel().astype(np.int64)
    return keys


def _day_starts_in_order(ms: npt.NDArray[np.int64], icao24: pa.Array) -> list[int] | None:
    """The rows where a new UTC day starts (after the first) when the rows are already in the
    lake's order (day, icao24, time); None when they are not. Block by block: a few temporaries
    of ``ORDER_CHECK_ROWS`` rows each, reused, rather than a dozen of a whole batch (a gated
    states document is checked here; its million-row temporaries were ~0.05 s of faults).
    ``icao24``: canonical (6 lowercase hex digits each, no nulls), plain or dictionary-encoded
    (the states gate's: each distinct address's key made once)."""
    n = ms.shape[0]
    starts: list[int] = []
    packed = np.zeros((min(n, ORDER_CHECK_ROWS + 1), 8), dtype=np.uint8)  # bytes 0-1 stay 0
    words: I8 | None = None  # a dictionary's keys, each distinct address once; rows index them
    if isinstance(icao24, pa.DictionaryArray):
        d = icao24.dictionary
        words = _byte_keys(d, 0, len(d), np.zeros((len(d), 8), dtype=np.uint8))
        index = values_view(icao24.indices, np.dtype(f"int{icao24.type.index_type.bit_width}"))
    for lo in range(0, n, ORDER_CHECK_ROWS):
        a, hi = max(lo - 1, 0), min(lo + ORDER_CHECK_ROWS, n)  # a: one row of overlap
        m = ms[a:hi]
        days = m // MS_PER_DAY
        k = _byte_keys(icao24, a, hi, packed) if words is None else words[index[a:hi]]
        later_day = days[1:] > days[:-1]
        same_day = days[1:] == days[:-1]
        if not bool(np.all(later_day | (same_day & _ordered_pairs(k, m)))):
            return None
        starts.extend((np.flatnonzero(later_day) + a + 1).tolist())
    return starts


def _ordered_pairs(k: I8, ms: I8) -> npt.NDArray[np.bool_]:
    """For each row after the first, whether it follows the one before in (k, ms) order."""
    out: npt.NDArray[np.bool_] = (k[1:] > k[:-1]) | ((k[1:] == k[:-1]) & (ms[1:] >= ms[:-1]))
    return out


def split_by_day(table: pa.Table) -> list[DayPart]:
    """Split a canonical table by UTC day of ``timestamp``, each part sorted by icao24, time.

    One sort of the whole batch on (day, icao24, timestamp), then contiguous slices; none
    when it is in that order already (a gated states document). Address order as integers
    equals string order for 6 lowercase hex digits.
    """
    if table.num_rows == 0:
        return []
    ms = numpy_of(table.column("timestamp"))
    icao24 = one_chunk(table.column("icao24"))
    bounds = _day_starts_in_order(ms, icao24)
    if bounds is not None:
        sorted_table = table
        first = (ms[[0, *bounds]] // MS_PER_DAY).tolist()
    else:
        days = ms // MS_PER_DAY
        order = np.lexsort((ms, (days << 24) | icao_keys(icao24)))
        sorted_table = take_rows(table, order)
        sorted_days = days[order]
        bounds = run_starts(sorted_days)[1:].tolist()
        first = sorted_days[[0, *bounds]].tolist()
    parts = []
    for s, e, d in zip([0, *bounds], [*bounds, table.num_rows], first, strict=True):
        day = from_unix(int(d) * 86_400).date()
        parts.append(DayPart(day, sorted_table.slice(s, e - s)))
    return parts


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(table: pa.Table, final: Path) -> int:
    """Write ``table`` as ``final`` via a temporary name, fsync, rename; return its bytes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}{TMP_SUFFIX}")
    with open(tmp, "wb") as fh:
        pq.write_table(
            table,
            fh,
            compression="zstd",
            compression_level=ZSTD_LEVEL,
            row_group_size=ROW_GROUP_ROWS,
            use_dictionary=DICTIONARY_COLUMNS,
            write_statistics=STATISTICS_COLUMNS,
            column_encoding=COLUMN_ENCODINGS,
            store_schema=False,  # plain Parquet types: strings read back as strings everywhere
        )
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    fsync_dir(final.parent)
    return final.stat().st_size


def temp_files(lake: Path) -> list[Path]:
    """Temporary files a crash left behind (never visible to readers: hidden, not .parquet)."""
    root = lake / STATES_DIR
    return sorted(root.glob(f"*/.*{TMP_SUFFIX}")) if root.is_dir() else []


def parquet_files(lake: Path) -> list[Path]:
    root = lake / STATES_DIR
    return sorted(root.glob("date=*/*.parquet")) if root.is_dir() else []


def parquet_rows(path: Path) -> int:
    """Rows in a Parquet file from its footer; 0 when the file is unreadable."""
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, pa.ArrowInvalid):
        return 0
