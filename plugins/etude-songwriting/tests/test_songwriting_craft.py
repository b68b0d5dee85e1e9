"""Issue #20's songwriting that helps write: rhymes from the dictionary, concrete edits on a
line, drafts whose scheme is checked, natural input formats, and a usage hint that never
reaches a reply about something else."""

from __future__ import annotations

from pathlib import Path

from etude_songwriting.drafting import Draft, check, theme_of
from etude_songwriting.edits import best_setting, clashes, plain_setting, syllables_of, trims
from etude_songwriting.phonetics import line_syllables
from etude_songwriting.requests import parse_request
from etude_songwriting.rhymes import rhymes_for
from etude_songwriting.tool import HOW_TO, songwriting

from etude.config import Settings
from etude.tools.base import ToolRequest


def test_perfect_and_near_rhymes_come_from_the_dictionary() -> None:
    found = rhymes_for("heart")
    assert found is not None
    perfect = [r.word for r in found.perfect]
    near = {r.word for r in found.near}
    assert {"chart", "depart", "start"} <= set(perfect) and {"hard", "dark", "guard"} <= near
    assert not {"bart", "hart", "heart", "hearts"} & (set(perfect) | near)  # names, same word
    # common (frequent) rhymes are marked and listed after the fresher ones
    assert [r.common for r in found.perfect] == sorted(r.common for r in found.perfect)
    assert next(r for r in found.perfect if r.word == "start").common


def test_only_a_words_usual_reading_rhymes() -> None:
    found = rhymes_for("road")
    assert found is not None and "job" not in {r.word for r in found.near}  # not JH OW1 B


def test_a_line_that_fights_the_beat_is_placed_so_it_does_not() -> None:
    syllables = syllables_of("you are beautiful tonight")
    assert [s.text for s in syllables] == ["you", "are", "BEAU", "ti", "ful", "to", "NIGHT"]
    plain = clashes(syllables, plain_setting(syllables))
    assert [(s.text, slot % 8) for s, slot in plain] == [("ful", 0)]  # a weak syllable on 1
    best = best_setting(syllables)
    assert clashes(syllables, best) == [] and best == sorted(set(best))


def test_cuts_are_recounted() -> None:
    cuts = trims("I am really going to miss you now", 6)
    assert cuts and all(line_syllables(line)[0] == count for _, line, count in cuts)
    assert cuts[-1][2] <= 6


BAD = ["I walked along the river", "The sky was grey", "My shoes were full of water", "Nobody came"]
GOOD = [
    "We were waiting for the night",
    "Tell me that you want to stay",
    "Nothing here will feel quite right",
    "Come tomorrow, come what may",
]


def test_a_draft_that_misses_its_scheme_is_not_shown_as_passing() -> None:
    made = check(Draft("verse", "x", "ABAB", BAD, []))
    assert not made.passed and made.found_scheme != "ABAB"
    good = check(Draft("verse", "x", "ABAB", GOOD, []))
    assert good.passed and good.syllables == [7, 7, 7, 7]


def test_a_drafted_verse_is_checked_by_the_tool() -> None:
    question = "write a verse about the night my grandfather taught me to fish, rhyme scheme AABB"
    [reply] = songwriting(ToolRequest(question=question), Settings())
    assert reply.data["scheme"] == "AABB" and len(reply.data["lines"]) == 4
    assert reply.data["passed"] == (reply.data["found_scheme"] == "AABB")
    assert ("passes" in reply.summary) == reply.data["passed"] and reply.data["next_step"]


def test_natural_input_formats() -> None:
    assert theme_of("help me write a chorus hook about getting older, please") == "getting older"
    assert parse_request("what rhymes with home").word == "home"
    quoted = parse_request("does 'I never really wanted to go' scan on the beat in 4/4?")
    assert (quoted.mode, quoted.lyrics) == ("edit", "I never really wanted to go")
    trailing = parse_request("is this line too long?\nI have been walking down this empty road")
    assert (trailing.mode, trailing.lyrics) == ("edit", "I have been walking down this empty road")
    assert parse_request("write a verse about rain, 6 lines").lines == 6


def test_the_usage_hint_never_answers_a_score_or_a_question_about_music(tmp_path: Path) -> None:
    """An earlier full run prepended "paste them after a line ending with ':'" to critique
    replies about uploaded scores (the router fans out to the plug-in)."""
    score = tmp_path / "tune.abc"
    score.write_text("X:1\nM:4/4\nL:1/4\nK:C\nC D E F | G4 |]\n")
    for question in ("can you check my song?", "this is my waltz, can you review it?",
                     "look at my chorus and tell me what's wrong"):  # fmt: skip
        request = ToolRequest(question=question, attachment=score, attachment_format="abc")
        assert songwriting(request, Settings()) == []
    for question in ("help me write a verse progression in A minor for a pop song, 4 chords",
                     "write a bass line for my song's chorus in G"):  # fmt: skip
        replies = songwriting(ToolRequest(question=question), Settings())
        assert all(HOW_TO not in e.summary and e.kind == "passage" for e in replies)
