"""The store's name for ``skywitness.timeutil`` (time parsing and printing, defined once there,
below every stage); kept so existing ``store.timeutil`` imports keep working."""

from ..timeutil import iso_z, parse_time

__all__ = ["iso_z", "parse_time"]
