"""Etude's ABC composer: reads ABC, writes melodies, harmonisations and exercises as ABC that
music21 parses and that meet every stated constraint, and converts ABC/MusicXML/MIDI."""

from etude.tools.base import ToolSpec
from etude_abc_composer.requests import recognizes
from etude_abc_composer.tool import abc_composer

TOOL = ToolSpec(
    name="abc_composer",
    description=(
        "Composes new tunes in ABC notation to order (key, mode, meter, number of bars, range, "
        "instrument, style), harmonises an ABC tune with chords, writes scale and arpeggio "
        "exercises, and converts scores between ABC, MusicXML and MIDI files."
    ),
    examples=(
        "Write an 8-bar melody in D dorian in 6/8 for flute",
        "Compose a 16-bar waltz in B flat major",
        "Give me a short tune in A minor in ABC notation",
        "Write a jig in G major for fiddle",
        "Write me a sight-reading exercise in E minor for violin",
        "Write an arpeggio exercise in D major for cello",
        "Harmonise this ABC tune with chords",
        "Convert this ABC to MusicXML",
        "Turn my score into a MIDI file",
        "Export this as ABC notation",
    ),
    run=abc_composer,
    recognizes=recognizes,
    makes_to_order=True,
)

__all__ = ["TOOL", "abc_composer"]
