"""A loaded score as Standard MIDI bytes, for the MIDI-based encoder."""

from __future__ import annotations

from etude.scores.loading import LoadedScore, ScoreError


def score_midi_bytes(loaded: LoadedScore) -> bytes:
    """MIDI files as the loader checked them; MusicXML and ABC rendered by music21.

    Rendering plays the notation back (repeats expanded, ties joined), which fails on notation
    that parsed but cannot be played, such as badly formed repeats: that is the file's fault,
    so it is a ``ScoreError`` like any other.
    """
    if loaded.format == "midi":
        return loaded.source or loaded.path.read_bytes()
    from music21.midi import translate

    try:
        return bytes(translate.streamToMidiFile(loaded.score).writestr())
    except Exception as exc:  # music21 raises many types on notation it cannot play back
        text = str(exc).strip()
        reason = text.splitlines()[0][:120] if text else type(exc).__name__
        raise ScoreError(f"{loaded.path.name} cannot be played back as MIDI: {reason}") from exc
