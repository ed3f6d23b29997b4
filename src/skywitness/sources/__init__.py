"""Inputs: every format skywitness reads (Beast, AVR, SBS, hex/JSON lines, readsb JSON and
traces, OpenSky), as sans-IO parsers behind file, stdin, TCP, listen and HTTP-poll transports.

``open_source(spec, fmt, stats)`` gives an iterable ``Source`` of ``FrameBatch``/``Observations``;
``detect_format`` recognises a format from the first bytes; ``Deduplicator`` merges identical
frames from several receivers.
"""

from .dedup import Deduplicator
from .detect import FORMATS, detect_format
from .source import Source, open_source

__all__ = ["FORMATS", "Deduplicator", "Source", "detect_format", "open_source"]
