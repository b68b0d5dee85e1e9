"""How sure Etude is that a learner has a skill: Bayesian knowledge tracing (BKT).

BKT (Corbett & Anderson, 1995, "Knowledge tracing: modeling the acquisition of procedural
knowledge") treats a skill as known or not yet known. Each answer is evidence: a known skill is
still answered wrongly with probability *slip*, an unknown one answered rightly with
probability *guess*; after every practice opportunity an unknown skill becomes known with
probability *transit*. The estimate after an answer is the Bayes posterior, then the transit.

Parameters are per kind of exercise because guessing differs: a free-spelled triad is hard to
guess, a composition that meets every constraint by luck even harder, while naming an interval
from a handful of common ones can be guessed more often.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MASTERED = 0.95
"""Mastery threshold: the conventional BKT cut-off for "knows it" (about three right in a row
from the prior below)."""


class BKTParameters(BaseModel):
    """The four BKT parameters of one kind of exercise."""

    model_config = ConfigDict(frozen=True)

    prior: float = Field(default=0.2, description="P(L0): known before any practice.")
    transit: float = Field(default=0.15, description="P(T): learned at one practice opportunity.")
    guess: float = Field(default=0.2, description="P(G): right answer although not known.")
    slip: float = Field(default=0.1, description="P(S): wrong answer although known.")


DRILL = BKTParameters()
COMPOSITION = BKTParameters(prior=0.15, transit=0.2, guess=0.05, slip=0.15)
"""Compositions: almost impossible to satisfy every constraint by chance, but easier to slip
(one forgotten cadence); learning per task is larger because the learner writes a whole piece."""


def update(p_known: float, correct: bool, params: BKTParameters = DRILL) -> float:
    """The mastery estimate after one answer.

    >>> round(update(0.2, True), 3)
    0.6
    >>> round(update(0.2, False), 3)
    0.176
    >>> p = 0.2
    >>> for _ in range(3):
    ...     p = update(p, True)
    >>> p >= MASTERED
    True
    """
    if correct:
        evidence = p_known * (1 - params.slip)
        posterior = evidence / (evidence + (1 - p_known) * params.guess)
    else:
        evidence = p_known * params.slip
        posterior = evidence / (evidence + (1 - p_known) * (1 - params.guess))
    return posterior + (1 - posterior) * params.transit


REVIEW_GAPS: tuple[int, ...] = (2, 5, 12)
"""Spaced review, counted in exercises: a missed fact comes back after 2 more exercises, then 5,
then 12 (a Leitner schedule of expanding gaps). Counting exercises rather than days ties review
to practice: a learner who practises once a week still sees the fact again next time, and
the schedule is reproducible in tests."""


def next_review(box: int, correct: bool, now: int) -> tuple[int, int | None]:
    """The review box and due exercise number after a review; None when it is retired.

    A miss sends the fact back to the first box; a right answer moves it up a box, and out of
    the queue after the last one.

    >>> next_review(0, False, 10)
    (0, 12)
    >>> next_review(0, True, 12)
    (1, 17)
    >>> next_review(2, True, 30)
    (3, None)
    """
    box = 0 if not correct else box + 1
    if box >= len(REVIEW_GAPS):
        return box, None
    return box, now + REVIEW_GAPS[box]
