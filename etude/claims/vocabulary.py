"""Which sentences talk music at all: the words that make a sentence a musical statement.

The claim checker verifies what it can read. A sentence it cannot read is only harmless if it
says nothing musical ("Take your time with it."); one that uses musical terms it could not
verify ("Cadences in minor keys always use the subdominant.") might be false, so the embedded
model's version of it never reaches a learner. This module draws that line.

>>> has_music_terms("Take your time with it.")
False
>>> has_music_terms("Cadences give a phrase its ending.")
True
>>> has_music_terms("A good habit is to sing each line.")
False
"""

from __future__ import annotations

import re

from etude.theory.spelling import notes_in

_TERMS = {
    "chord",
    "chords",
    "triad",
    "triads",
    "scale",
    "scales",
    "key",
    "keys",
    "interval",
    "intervals",
    "unison",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "octave",
    "ninth",
    "semitone",
    "semitones",
    "half-step",
    "whole-step",
    "sharp",
    "sharps",
    "flat",
    "flats",
    "natural",
    "major",
    "minor",
    "diminished",
    "augmented",
    "perfect",
    "dominant",
    "tonic",
    "subdominant",
    "mediant",
    "submediant",
    "supertonic",
    "leading",
    "subtonic",
    "cadence",
    "cadences",
    "progression",
    "progressions",
    "resolve",
    "resolves",
    "resolution",
    "modulate",
    "modulation",
    "harmony",
    "harmonic",
    "harmonise",
    "harmonize",
    "melody",
    "melodic",
    "counterpoint",
    "inversion",
    "inverted",
    "mode",
    "modes",
    "dorian",
    "phrygian",
    "lydian",
    "mixolydian",
    "aeolian",
    "locrian",
    "ionian",
    "pentatonic",
    "arpeggio",
    "bass",
    "soprano",
    "alto",
    "tenor",
    "voice",
    "voices",
    "parallel",
    "consonant",
    "dissonant",
    "dissonance",
    "consonance",
    "suspension",
    "enharmonic",
    "signature",
    "beat",
    "beats",
    "bar",
    "bars",
    "measure",
    "tempo",
    "meter",
    "metre",
    "rhythm",
    "syncopation",
    "note",
    "notes",
    "pitch",
    "tone",
    "tones",
    "numeral",
    "sonata",
    "fugue",
    "phrase",
    "motif",
    "sequence",
    "chromatic",
    "diatonic",
    "tritone",
}
_FIGURE = re.compile(
    r"(?<![\w/])(?:b|#)?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii)(?:°|ø|\+|7|6|64|65|43|42)?"
    r"(?![\w])"
)
_PRONOUNS = {"I", "i", "v"}
"""Figures that are also ordinary words ("I think", "v." for versus) count only in a row."""
_CHORD_SYMBOL = re.compile(r"(?<![\w#])[A-G](?:#|b)?(?:maj7|m7|m|7|dim|aug|sus[24]|6|9)(?![\w])")


def has_music_terms(sentence: str) -> bool:
    """Whether ``sentence`` makes any musical statement at all (notes, chords, terms).

    >>> has_music_terms("Try the ii–V–I.") , has_music_terms("Well done!")
    (True, False)
    """
    words = set(re.findall(r"[a-z][a-z\-]*", sentence.lower()))
    if words & _TERMS:
        return True
    if _CHORD_SYMBOL.search(sentence) or notes_in(sentence):
        return True
    figures = _FIGURE.findall(sentence.replace("–", " ").replace("-", " "))
    return any(f not in _PRONOUNS for f in figures) or len(figures) >= 2


_TOPIC = {
    "music",
    "musical",
    "song",
    "songs",
    "songwriting",
    "lyric",
    "lyrics",
    "verse",
    "chorus",
    "rhyme",
    "rhymes",
    "syllable",
    "syllables",
    "stanza",
    "compose",
    "composing",
    "composer",
    "composition",
    "compositions",
    "piece",
    "pieces",
    "tune",
    "tunes",
    "score",
    "scores",
    "midi",
    "musicxml",
    "abc",
    "sing",
    "singing",
    "singer",
    "choir",
    "band",
    "orchestra",
    "orchestration",
    "ensemble",
    "quartet",
    "instrument",
    "instruments",
    "piano",
    "guitar",
    "bass",
    "violin",
    "viola",
    "cello",
    "flute",
    "oboe",
    "clarinet",
    "bassoon",
    "horn",
    "trumpet",
    "trombone",
    "tuba",
    "saxophone",
    "drums",
    "percussion",
    "ukulele",
    "organ",
    "jazz",
    "blues",
    "pop",
    "rock",
    "folk",
    "classical",
    "baroque",
    "bach",
    "mozart",
    "beethoven",
    "exercise",
    "exercises",
    "lesson",
    "lessons",
    "practice",
    "practise",
    "fingering",
    "groove",
    "riff",
    "hook",
    "arrangement",
    "arrange",
    "harmonise",
    "harmonize",
    "reharmonise",
    "reharmonize",
    "voicing",
    "voicings",
    "metronome",
    "bpm",
    "tempo",
}


def is_about_music(text: str) -> bool:
    """Whether a learner's message is about music at all (wider than :func:`has_music_terms`:
    songs, instruments, composing, lessons count too).

    >>> is_about_music("what's a good pizza topping?"), is_about_music("help me write a verse")
    (False, True)
    """
    words = set(re.findall(r"[a-z][a-z\-]*", text.lower()))
    return bool(words & _TOPIC) or has_music_terms(text)
