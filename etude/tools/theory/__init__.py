"""The theory tool: exact music21 computation plus retrieval from our knowledge base."""

from etude.tools.base import ToolSpec
from etude.tools.theory.tool import computable, theory

TOOL = ToolSpec(
    name="theory",
    description=(
        "Music theory questions: spelling chords and scales, intervals, keys and key signatures, "
        "roman numerals, cadences, harmony, counterpoint and voice-leading rules, form, "
        "orchestration, instrument ranges, piano fingering and composition technique. "
        "Answers from exact computation and cited knowledge articles."
    ),
    examples=(
        "Which notes make up a G major triad?",
        "Spell a D minor seventh chord",
        "What notes are in the E flat major scale?",
        "What is the interval between C and A flat?",
        "How many sharps does A major have?",
        "What is the relative minor of F major?",
        "What is V7 in B flat major?",
        "Transpose C E G up a whole step",
        "What chord is C E G B flat?",
        "What is the fingering for the B major scale on piano?",
        "Explain what a Neapolitan sixth chord is",
        "Why do composers avoid parallel fifths?",
        "What is a deceptive cadence?",
        "How does sonata form work?",
        "What's the difference between harmonic and melodic minor?",
        "What is the range of the viola?",
        "What is the lowest note a clarinet can play?",
        "Which register of the flute sounds strongest?",
        "How do I write a good melody?",
        "What is a suspension in counterpoint?",
        "What does a dominant seventh chord resolve to?",
        "How do I modulate to the dominant key?",
        "Can you explain the dorian mode?",
        "What is a ii-V-I progression?",
        "How should I voice a chord for string quartet?",
        "What is syncopation?",
    ),
    run=theory,
    recognizes=computable,
)
