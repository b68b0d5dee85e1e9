"""The exact theory engine: free-phrased questions in, computed music21 facts out.

Etude never lets a chat model guess a fact that can be computed. This package owns that
computation: :mod:`~etude.theory.questions` turns a learner's words into typed queries, one
module per musical concept computes them with music21 (:mod:`chords`, :mod:`scales`,
:mod:`intervals`, :mod:`keys`, :mod:`roman`, :mod:`transpose`, :mod:`progressions`,
:mod:`fingering`, :mod:`key_finding` for the key of a list of chords), :mod:`calculator` ties
the two together, and :mod:`spelling` is the one home of note names as learners type them and
as Etude prints them. Chained questions ("the key
signature of the relative minor of the dominant of E♭") are read by :mod:`chains` into the
typed plans of :mod:`plan`, computed one worded step per operation; :mod:`choices` answers a
multiple-choice question by computing its stem and comparing each option
(:mod:`options`) with the answer by value.

It owns music knowledge only. It must not import the tool layer (``etude.tools``), the graph's
nodes (``etude.agents``), the critic, the lessons, or anything above them: everything else
builds on it, never the other way round (``tests/unit/test_architecture.py`` checks this).

The public names below are imported lazily, so ``from etude.theory import notes_in`` does not
pay music21's import (about a second) unless a computation needs it.

>>> from etude.theory import compute_facts
>>> compute_facts("Spell a G major triad")[0].notes
['G', 'B', 'D']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.lazy import lazy_exports

if TYPE_CHECKING:
    from etude.theory.calculator import answer, compute_facts
    from etude.theory.facts import FactKind, TheoryFact
    from etude.theory.questions import Query, parse
    from etude.theory.spelling import (
        human,
        keys_in,
        normalise_note,
        normalise_text,
        notes_in,
        pitch_class,
        to_music21,
    )

__all__ = [
    "FactKind",
    "Query",
    "TheoryFact",
    "answer",
    "compute_facts",
    "human",
    "keys_in",
    "normalise_note",
    "normalise_text",
    "notes_in",
    "parse",
    "pitch_class",
    "to_music21",
]

_HOMES = {
    "answer": "calculator",
    "compute_facts": "calculator",
    "FactKind": "facts",
    "TheoryFact": "facts",
    "Query": "questions",
    "parse": "questions",
    "human": "spelling",
    "keys_in": "spelling",
    "normalise_note": "spelling",
    "normalise_text": "spelling",
    "notes_in": "spelling",
    "pitch_class": "spelling",
    "to_music21": "spelling",
}


__getattr__ = lazy_exports(__name__, _HOMES)
