"""The tables between ``serve`` and its flights child (``flights_proc``): Arrow IPC streams
through the pipe, the state vectors cut to the columns the flights stage reads and held as one
compact copy."""

from __future__ import annotations

import pyarrow as pa

from ..flights.rowarrays import FLIGHT_COLUMNS


def to_ipc(table: pa.Table) -> pa.Buffer:
    """``table`` as an Arrow IPC stream (a buffer of Arrow's pool: ``send_bytes`` takes it)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def flight_columns(table: pa.Table) -> pa.Table:
    """Of ``table``, the columns the flights stage reads (``FLIGHT_COLUMNS``): what goes to
    the child (a state vector ~108 bytes instead of ~154 in the child's data-time windows,
    65 s of them at 100,000 frames/s ~760k rows; and less to write and read through the pipe).
    The stage fills an absent column with nulls, as before."""
    names = [c for c in FLIGHT_COLUMNS if c in table.column_names]
    return table if len(names) == table.num_columns else table.select(names)


def from_ipc(data: bytes | pa.Buffer) -> pa.Table:
    return pa.ipc.open_stream(
        data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    ).read_all()


def held_states(data: bytes | pa.Buffer) -> pa.Table | None:
    """State vectors received to be held (in data-time windows, in the builder): one compact
    copy. The tracker's batches arrive as one IPC record batch each (~12 rows at 3,000
    frames/s): read zero-copy, each window would hold the whole message with every batch's
    metadata and padding, ~750 bytes a row instead of ~150 (#17 item 12)."""
    return from_ipc(data).combine_chunks() if len(data) else None
