"""Raw frame and observation files → state vectors on Spark in two stages, tracked per aircraft.

Stage 1 (``decoded_pieces``, a ``mapInArrow`` task per input file) reads a file with the
embedded readers (``runtime.pipeline.iter_chunks``) and runs the ingest step's part before the
tracker (``IngestStep.decode_frames`` / ``note_observations``: dedupe, decode, count, note the
emitter categories), so a file's read and reject counts are the embedded ones; each chunk's
rows the tracker would judge go out cut by aircraft, one row per (chunk, icao24) with the
chunk's number and the rows' own order kept (``payload``: the rows' columns, a compressed numpy
``.npz``: the 72,000 frames of traffic-raw-frames/tutorial.jsonl.gz make 0.87 MB, 12.2 MB plain).
A states document is gated whole in stage 1 (``IngestStep.step``, as embedded) and goes out as
its state vectors (``kind`` "states").

Stage 2 (``tracked_aircraft``, ``groupBy(path, icao24).applyInArrow``) gives each aircraft of
each file a tracker of its own (``runtime.pipeline.new_tracker``) and steps it through that
aircraft's rows chunk by chunk, in the order the file gave them, then flushes it. The tracker
takes an aircraft's rows by their own times and arrival order (``track/arrival.py``); its one
rule across aircraft, an aircraft lost at a step's end when unheard for ``lost_after_s`` before
the step's newest time (``Tracker.expire``), is kept by stage 1 noting each chunk's clock
(``Tracker.admitted``, ``Tracker.observed``: the rows the step tracks) and stage 2 expiring the
aircraft on the clocks of the steps since its previous piece (``expire_at``). So this gives the
rows the embedded one tracker of the whole file gives, at any chunk size
(tests/spark/test_by_aircraft.py); its rejects by reason (unknown address, no time) and
accepted positions are added to the file's counts.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import numpy as np
import pyarrow as pa

from ..model import FrameBatch, Messages, Observations, StateRows
from ..runs import run_starts
from ..runtime.pipeline import RunOptions, iter_chunks, new_tracker
from ..stats import IngestStats
from ..track.ingest_step import IngestStep
from ..track.tracker import Tracker

#: What stage 1 gives and stage 2 groups: a chunk's rows of one aircraft of one file.
PIECES = pa.schema(
    [
        ("path", pa.string()),
        ("icao24", pa.int64()),  # the decoded address (0: none; -1: a states document's rows)
        ("chunk", pa.int64()),  # the chunk's number in its file: the order they are tracked in
        ("kind", pa.string()),  # "frames" (decoded messages), "obs" (reports), "states"
        ("source", pa.string()),  # the chunk's source name, which its state vectors carry
        ("payload", pa.binary()),
        # the newest step clock of the file's chunks since the aircraft's previous piece (that
        # one's included; null: none): the embedded tracker expired the aircraft at those
        # steps' ends (``Tracker.expire``), whichever aircraft's rows set their clocks
        ("expire_at", pa.float64()),
    ]
)
_STATES_GROUP = -1
#: Pieces per Arrow batch stage 1 hands Spark (a piece: one chunk's rows of one aircraft, at
#: most ``RunOptions.batch_size`` rows), so a task's memory stays bounded by a few chunks.
PIECES_PER_BATCH = 256


def _packed(rows: Messages | Observations) -> bytes:
    """The rows' columns (those as long as the rows: an optional one left empty stays so),
    compressed: most of a message's columns are empty (NaN, -1) for most frames."""
    n = len(rows)
    cols = {f.name: getattr(rows, f.name) for f in fields(rows) if f.name != "source"}
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: v for k, v in cols.items() if v.shape[0] == n})
    return buf.getvalue()


def _unpacked(kind: str, payload: bytes, source: str) -> Messages | Observations:
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        cols = {k: z[k] for k in z.files}
    if kind == "frames":
        return Messages(**cols)
    return Observations(**cols, source=source)


def _by_aircraft(
    rows: Messages | Observations, keep: np.ndarray[Any, Any]
) -> Iterator[tuple[int, bytes]]:
    """(icao24, packed rows) per aircraft of the rows ``keep`` (positions, in order)."""
    if keep.size == 0:  # a chunk of only rejected frames
        return
    addr = rows.icao24[keep].astype(np.int64)
    order = np.argsort(addr, kind="stable")  # each aircraft's rows stay in their order
    a, sel = addr[order], keep[order]
    cuts = run_starts(a)
    for lo, hi in zip(cuts.tolist(), [*cuts[1:].tolist(), a.size], strict=True):
        yield int(a[lo]), _packed(rows.take(sel[lo:hi]))


def _file_pieces(
    path: str, opts: RunOptions, stats: IngestStats, heard: dict[str, str]
) -> Iterator[tuple[int, int, str, str, bytes, float | None]]:
    """(icao24, chunk, kind, source, payload, expire_at) of one file, chunk by chunk."""
    step = IngestStep(new_tracker(opts, stats), stats, dedup=opts.dedup)
    clocks: list[float] = []  # each chunk's step clock: the newest time it tracked
    last: dict[int, int] = {}  # aircraft -> the chunk of its previous piece
    for i, chunk in enumerate(iter_chunks([path], opts, stats)):
        if isinstance(chunk, StateRows):  # a states document: gated whole, as embedded
            clocks.append(-np.inf)
            table = step.step(chunk).to_arrow()
            if table.num_rows:
                sink = io.BytesIO()
                with pa.ipc.new_stream(sink, table.schema) as w:
                    w.write_table(table)
                yield _STATES_GROUP, i, "states", chunk.source, sink.getvalue(), None
            continue
        rows: Messages | Observations
        if isinstance(chunk, FrameBatch):
            frames, rows, _, cats = step.decode_frames(chunk)
            source, kind = frames.source, "frames"
            keep = np.flatnonzero(step.tracker.address_filter.usable(rows))
            tracked = rows.timestamp[step.tracker.admitted(rows)[0]]
        else:
            cats, rows, source = step.note_observations(chunk), chunk, chunk.source
            keep, kind = np.arange(len(chunk)), "obs"  # rows with no address are counted there
            b, kept, _ = Tracker.observed(chunk)
            tracked = b.t[kept]
        clocks.append(float(tracked.max()) if tracked.size else -np.inf)
        heard.update(cats)
        for icao24, payload in _by_aircraft(rows, keep):
            prev = last.get(icao24)
            last[icao24] = i
            since = max(clocks[prev:i]) if prev is not None else -np.inf
            yield icao24, i, kind, source, payload, (since if np.isfinite(since) else None)


def decoded_pieces(opts: RunOptions, acc: Any, found_acc: Any) -> Any:
    """Stage 1, the ``mapInArrow`` function: each row's ``path`` → its pieces (``PIECES``);
    the file's counts (``spark.ingest.counts_of``) and categories to the accumulators."""
    from .ingest import _SEP, counts_of

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for rb in batches:
            for path in rb.column("path").to_pylist():
                stats = IngestStats(strict=opts.strict)
                heard: dict[str, str] = {}  # the last category per aircraft, as embedded
                cols: list[list[Any]] = [[] for _ in PIECES]
                for piece in _file_pieces(path, opts, stats, heard):
                    for col, v in zip(cols, (path, *piece), strict=True):
                        col.append(v)
                    if len(cols[0]) >= PIECES_PER_BATCH:
                        yield pa.RecordBatch.from_arrays(cols, schema=PIECES)
                        cols = [[] for _ in PIECES]
                if cols[0]:
                    yield pa.RecordBatch.from_arrays(cols, schema=PIECES)
                acc.add(Counter({f"{path}{_SEP}{k}": v for k, v in counts_of(stats, 0).items()}))
                if heard:
                    found_acc.add({f"{path}{_SEP}0": {"categories": heard}})

    return run


def tracked_aircraft(opts: RunOptions, acc: Any, spread_acc: Any) -> Any:
    """Stage 2, the ``applyInArrow`` function: one aircraft's pieces of one file → its state
    vectors (with the ``date`` column); its counts to ``acc``, its task to ``spread_acc``."""
    from pyspark import TaskContext

    from .arrowtypes import STATES_WITH_DATE, for_spark
    from .ingest import _SEP, counts_of, with_date

    def run(group: pa.Table) -> pa.Table:
        group = group.sort_by("chunk")
        path = str(group.column("path")[0].as_py())
        parts: list[pa.Table] = []
        stats = IngestStats(strict=opts.strict)
        tracker = new_tracker(opts, stats)
        for kind, source, payload, expire_at in zip(
            *(group.column(c).to_pylist() for c in ("kind", "source", "payload", "expire_at")),
            strict=True,
        ):
            if expire_at is not None:  # the steps' ends between this piece and the last
                tracker.expire(expire_at)
            if kind == "states":
                parts.append(pa.ipc.open_stream(payload).read_all())
                continue
            rows = _unpacked(kind, payload, source)
            sv = (
                tracker.update(rows, source)
                if isinstance(rows, Messages)
                else tracker.update_observations(rows)
            )
            parts.append(sv.to_arrow())
        parts.append(tracker.flush().to_arrow())
        kept = [p for p in parts if p.num_rows]
        stored = sum(p.num_rows for p in kept)
        counts = counts_of(stats, stored)
        del counts["files"]  # the file is counted once, by stage 1
        acc.add(Counter({f"{path}{_SEP}{k}": v for k, v in counts.items() if v}))
        ctx = TaskContext.get()
        spread_acc.add(Counter({str(ctx.partitionId() if ctx else 0): 1}))
        if not kept:
            return for_spark(STATES_WITH_DATE).empty_table()
        return pa.concat_tables([with_date(p) for p in kept])

    return run
