"""skywitness: turn raw Mode S / ADS-B data into verified answers about aircraft movements."""

__version__ = "0.1.0"
