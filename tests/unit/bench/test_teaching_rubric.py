"""The teaching benchmark's *example* rule for lyrics items (issue #20): a lyric example — a
rhyme pair, a quoted line, a stress-marked word, a drafted passage — counts there, and a reply
about lyrics without one still fails; other categories keep the note-name rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _teaching():
    spec = importlib.util.spec_from_file_location("teaching_bench", REPO / "bench" / "teaching.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


teaching = _teaching()

WITH_EXAMPLE = [
    "Perfect rhymes share the stressed vowel: 'heart' / 'chart' is one.",
    'Sung as written, "you are beautiful tonight" puts the weak syllable on beat 1.',
    "Prosody puts stresses on strong beats: to-DAY, not TO-day.",
    "A first draft:\nI can still see the last warm night\nTell me that you want to stay",
]
WITHOUT_EXAMPLE = [
    "Use the rhyme scheme to shape the form: a verse in ABAB can lead into a chorus in AABB.",
    "To analyse lyrics, paste them after a line ending with ':', e.g. a song \"Paper Moon\".",
    "I have no passage in my notes that answers this directly, so I will not guess.",
    "Near rhymes: hard, card, guard; perfect rhymes: chart, cart, start.",
]


def _example(answer: str, category: str | None) -> bool:
    return teaching.rubric_points(answer, [], ["songwriting"], category)["example"]


def test_a_lyric_example_counts_for_a_lyrics_item() -> None:
    assert [_example(a, "lyrics") for a in WITH_EXAMPLE] == [True] * len(WITH_EXAMPLE)


def test_a_lyrics_reply_without_an_example_still_fails() -> None:
    assert [_example(a, "lyrics") for a in WITHOUT_EXAMPLE] == [False] * len(WITHOUT_EXAMPLE)


def test_other_categories_keep_the_musical_rule() -> None:
    assert not any(_example(a, "how") for a in WITH_EXAMPLE)
    assert _example("Play C – E – G, then G – B – D.", "how")
