"""flights stage."""
