"""The one exception a bad score file ends in."""

from __future__ import annotations


class ScoreError(ValueError):
    """Bad input file; ``str(e)`` is one clear line for the learner.

    >>> str(ScoreError("tune.abc is empty"))
    'tune.abc is empty'
    """


# Its public home is ``etude.scores.loading`` (where tracebacks and doctests name it); it lives
# here so the pre-scan and worker modules can raise it without importing the loader.
ScoreError.__module__ = "etude.scores.loading"
