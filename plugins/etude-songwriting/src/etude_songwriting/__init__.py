"""Etude's songwriting coach: lyrics analysis (syllables, stress, rhyme, hooks, prosody) and
lyrics written from a title, checked with the same analysis and revised once."""

from etude.tools.base import ToolSpec
from etude_songwriting.requests import recognizes
from etude_songwriting.tool import DRAFTER_ENV, songwriting

TOOL = ToolSpec(
    name="songwriting",
    description=(
        "Song lyrics coach: syllables per lyric line, rhyme scheme, repeated lines and the hook "
        "of a lyric, whether a lyric's word stresses fit its melody; writes song lyrics from a "
        "title and checks them."
    ),
    examples=(
        'Write song lyrics called "Midnight Train"',
        "Can you write me a song titled 'Paper Moon' with a verse, chorus and bridge?",
        'Write lyrics for a folk song called "River Road"',
        "What is the rhyme scheme of my lyrics?",
        "Count the syllables in each line of my song lyrics",
        "Do my lyrics rhyme? Check my verse",
        "Which line of my lyrics should be the hook?",
        "Do the stressed syllables of my lyrics fit the tune I attached?",
        "Help me rewrite the lyrics of my chorus",
        "Compare my lyrics with these reference lyrics using ROUGE and BLEU",
    ),
    run=songwriting,
    settings_help={DRAFTER_ENV: "model | rules: who drafts lyrics from a title"},
    recognizes=recognizes,
)

__all__ = ["TOOL", "songwriting"]
