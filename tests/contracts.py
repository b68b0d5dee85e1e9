"""The JSON contracts of DESIGN.md that several tests check, written down once."""

ANALYZE_KEYS = [
    "file",
    "format",
    "parts",
    "bars",
    "notes",
    "key",
    "time_signature",
    "tempo_bpm",
    "findings",
    "style",
]
"""``etude analyze --json``: these keys, first and in this order."""
