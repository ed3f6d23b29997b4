"""decode stage: stateless, vectorised Mode S / ADS-B / Comm-B decoding of frame batches."""

from .hexio import frames_from_hex
from .modes import decode_batch

__all__ = ["decode_batch", "frames_from_hex"]
