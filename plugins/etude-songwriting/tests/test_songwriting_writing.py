import random

from etude_songwriting.analysis import rhyme_scheme
from etude_songwriting.writing import Song, parse_structure, plan_problems, revise_once, write_song


def test_rule_draft_follows_its_plan() -> None:
    song = write_song("Midnight Train", structure=parse_structure("verse chorus bridge"), seed=4)
    assert [name for name, _ in song.sections] == ["verse", "chorus", "bridge"]
    schemes = [rhyme_scheme(lines) for _, lines in song.sections]
    assert schemes == ["ABAB", "AABB", "AABB"]
    assert "Midnight Train" in song.sections[1][1][0]


def test_revision_fixes_a_broken_rhyme_once() -> None:
    lines = [
        "We were waiting for the night",
        "Maybe we could find a way",
        "Every table in the kitchen",
        "Tell me that you want to stay",
    ]
    song = Song("Paper Moon", [("verse", lines)])
    assert plan_problems(song)
    revised = revise_once(song, random.Random(0))
    assert rhyme_scheme(revised.sections[0][1]) == "ABAB"
    assert revised.revisions and not revised.remaining


def test_model_draft_is_used_when_usable() -> None:
    def model(prompt: str) -> str:  # the chat model is the boundary here
        assert "Rain Song" in prompt
        verse = "\n".join([
            "I can hear the falling rain",
            "Coming down on me again",
            "Walking slowly down the lane",
            "Waiting for the morning train",
        ])  # fmt: skip
        return verse + "\n\n" + verse

    song = write_song("Rain Song", structure=("verse", "verse"), ask=model)
    assert song.drafted_by == "model" and song.sections[0][1][0] == "I can hear the falling rain"
    assert not song.revisions


def test_unusable_model_draft_falls_back_to_the_bank() -> None:
    song = write_song("Rain Song", structure=("verse",), ask=lambda prompt: "Sure!")
    assert song.drafted_by == "rules"
