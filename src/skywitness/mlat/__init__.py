"""Multilateration: positions for aircraft that send no ADS-B position, from several receivers.

Modules, one job each: ``geodesy`` (WGS84), ``receivers`` (the receivers TOML file),
``timebase`` (receiver clocks in seconds), ``grouping`` (one transmission, many receptions),
``pairs`` (pairwise clock offset/drift filters), ``network`` (one timebase from the pairs),
``solver`` (Gauss-Newton fixes with covariance), ``tracking`` (per-aircraft filter), ``engine``
(the steps of one window) and ``feed`` (frame batches in, state tables out). See docs/mlat.md.
"""

from .engine import Decoded, Engine, MlatFixes
from .feed import ERROR_COLUMN, MlatFeed
from .receivers import ClockKind, ReceiverSite, load_receivers, parse_receivers

__all__ = [
    "ERROR_COLUMN",
    "ClockKind",
    "Decoded",
    "Engine",
    "MlatFeed",
    "MlatFixes",
    "ReceiverSite",
    "load_receivers",
    "parse_receivers",
]
