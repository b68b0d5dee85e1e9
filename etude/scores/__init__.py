"""Score files in, one music21 score out: format detection, loading and clear errors."""

from etude.scores.formats import ScoreFormat, detect_format
from etude.scores.loading import LoadedScore, ScoreError, load_score

__all__ = ["LoadedScore", "ScoreError", "ScoreFormat", "detect_format", "load_score"]
