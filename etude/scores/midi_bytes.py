"""A loaded score as Standard MIDI bytes, for the MIDI-based encoder."""

from __future__ import annotations

from etude.limits import DEFAULT_LIMITS, Limits
from etude.scores.loading import LoadedScore, ScoreError
from etude.scores.sandbox import isolation_available, run_isolated


def score_midi_bytes(loaded: LoadedScore, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """MIDI files as the loader checked them; MusicXML and ABC rendered by music21.

    Rendering plays the notation back (repeats expanded, ties joined), which fails on notation
    that parsed but cannot be played, such as badly formed repeats, and can take forever on
    repeats nested in odd ways (fuzzing found a 14-line ABC tune that music21 did not finish
    expanding in minutes). Both are the file's fault: rendering runs in a worker under the same
    memory cap, with what is left of the file's time budget after reading it
    (``LoadedScore.budget``), and every failure is a ``ScoreError``. The rendering (or the
    refusal) is kept with the loaded score, so it is paid for once.
    """
    if loaded.format == "midi":
        return loaded.source or loaded.path.read_bytes()
    kept = loaded.derived.get("midi")
    if isinstance(kept, ScoreError):
        raise kept
    if isinstance(kept, bytes):
        return kept
    try:
        rendered = _render(loaded, limits)
    except ScoreError as exc:
        loaded.derived["midi"] = exc
        raise
    loaded.derived["midi"] = rendered
    return rendered


def _render(loaded: LoadedScore, limits: Limits) -> bytes:

    def render() -> bytes:
        from music21.midi import translate

        try:
            return bytes(translate.streamToMidiFile(loaded.score).writestr())
        except Exception as exc:  # music21 raises many types on notation it cannot play back
            text = str(exc).strip()
            reason = text.splitlines()[0][:120] if text else type(exc).__name__
            raise ScoreError(f"{loaded.path.name} cannot be played back as MIDI: {reason}") from exc

    if isolation_available():
        return run_isolated(
            render, loaded.path.name, limits, doing="play back", budget=loaded.budget
        )
    return render()
