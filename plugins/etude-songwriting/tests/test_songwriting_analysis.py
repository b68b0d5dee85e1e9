from etude_songwriting.analysis import analyse_lyrics, rhyme_scheme, stanza_syllables
from etude_songwriting.phonetics import rhyme_score, sound


def test_unknown_word_falls_back_to_spelling() -> None:
    unknown = sound("zorbleflint")
    assert not unknown.known and unknown.syllables == 3


def test_rhyme_kinds() -> None:
    assert rhyme_score("night", "light") == 1.0
    assert rhyme_score("time", "mine") == 0.8
    assert rhyme_score("night", "table") == 0.0


def test_scheme_and_counts_of_a_limerick_like_verse() -> None:
    lines = [
        "There was an old man with a beard",
        "Who said it is just as I feared",
        "Two owls and a hen",
        "Four larks and a wren",
        "Have all built their nests in my beard",
    ]
    assert rhyme_scheme(lines) == "AABBA"
    assert stanza_syllables(lines) == [8, 8, 5, 5, 8]


def test_sections_hook_and_repetition() -> None:
    lyric = """[Verse]
I walked along the river road
And carried every heavy load

[Chorus]
Paper moon, paper moon
Shine on me tonight
Paper moon, paper moon
Hold me in your light
"""
    analysis = analyse_lyrics(lyric, title="Paper Moon")
    assert [s.label for s in analysis.stanzas] == ["verse", "chorus"]
    assert analysis.stanzas[1].scheme == "ABAB"
    assert analysis.hook == "Paper Moon" and analysis.hook_lines == [3, 5]
    assert analysis.repeated_lines == {"paper moon paper moon": 2}
