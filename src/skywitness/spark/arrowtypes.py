"""skywitness's Arrow schemas as Spark schemas, and the casts between what Spark hands a
Python task (timestamps in microseconds) and what the pure cores take (milliseconds)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ..flights.schema import FLIGHT_SCHEMA
from ..store.schema import STATE_SCHEMA

#: Spark's Arrow form of a timestamp column.
SPARK_TS = pa.timestamp("us", tz="UTC")
#: The lake's partition column: the UTC day of a state's timestamp (of a flight's firstSeen).
DATE_FIELD = pa.field("date", pa.date32())


def for_spark(schema: pa.Schema) -> pa.Schema:
    """``schema`` with every timestamp as Spark hands it over (us, UTC)."""
    return pa.schema(
        [pa.field(f.name, SPARK_TS) if pa.types.is_timestamp(f.type) else f for f in schema]
    )


def conform_to(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table``'s columns in ``schema``'s order and types (missing ones null)."""
    n = table.num_rows
    cols = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(n, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark ``StructType`` of an Arrow schema."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(for_spark(schema))


STATES_WITH_DATE = pa.schema([*STATE_SCHEMA, DATE_FIELD])
FLIGHTS_WITH_DATE = pa.schema([*FLIGHT_SCHEMA, DATE_FIELD])
