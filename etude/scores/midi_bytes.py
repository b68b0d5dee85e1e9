"""A loaded score as Standard MIDI bytes, for the MIDI-based encoder."""

from __future__ import annotations

from etude.scores.loading import LoadedScore


def score_midi_bytes(loaded: LoadedScore) -> bytes:
    """MIDI files as sent; MusicXML and ABC rendered by music21."""
    if loaded.format == "midi":
        return loaded.path.read_bytes()
    from music21.midi import translate

    return bytes(translate.streamToMidiFile(loaded.score).writestr())
