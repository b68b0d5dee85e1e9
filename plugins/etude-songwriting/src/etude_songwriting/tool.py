"""The songwriting coach as an Etude tool: analyse the learner's lyrics, or write from a title.

Everything the coach states is computed (syllables, stresses, rhymes from the CMU dictionary;
metrical weights from music21), so its evidence is authoritative and the tutor explains it
rather than inventing it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable

from etude.config import EMBEDDED_MODEL, Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest
from etude_songwriting.analysis import LyricsAnalysis, analyse_lyrics
from etude_songwriting.metrics import overlap
from etude_songwriting.phonetics import line_stress, line_syllables, sound, words_of
from etude_songwriting.requests import SongRequest, asks_for_work, parse_request
from etude_songwriting.writing import parse_structure, song_report, write_song

NAME = "songwriting"
DRAFTER_ENV = "ETUDE_SONGWRITING_DRAFTER"
"""``model`` drafts lyrics with the configured chat model, ``rules`` with the line bank;
unset: the model unless it is the 135M embedded one."""

log = logging.getLogger(__name__)


def _fact(summary: str, data: dict[str, object] | None = None) -> Evidence:
    return Evidence(tool=NAME, kind="analysis", summary=summary, authoritative=True,
                    data=data or {})  # fmt: skip


def describe(analysis: LyricsAnalysis) -> list[str]:
    """The analysis as a few sentences a learner can act on."""
    lines = []
    for stanza in analysis.stanzas:
        counts = "/".join(str(line.syllables) for line in stanza.lines)
        lines.append(
            f"{stanza.label.capitalize()}: rhyme scheme {stanza.scheme}, syllables per line "
            f"{counts}, metre {stanza.meter}."
        )
    if analysis.hook:
        where = ", ".join(str(n) for n in analysis.hook_lines)
        lines.append(f'Hook: "{analysis.hook}" (lines {where}).')
    if analysis.repeated_lines:
        lines.append(f"Repeated lines: {len(analysis.repeated_lines)}.")
    if analysis.unknown_words:
        lines.append(
            "Not in the pronouncing dictionary (counted by spelling): "
            + ", ".join(analysis.unknown_words[:8])
            + "."
        )
    return lines


def _drafter(settings: Settings) -> Callable[[str], str] | None:
    choice = os.environ.get(DRAFTER_ENV, "")
    if choice == "rules" or (
        not choice and settings.model == EMBEDDED_MODEL and not settings.openai_base_url
    ):
        return None
    from langchain_core.messages import HumanMessage

    from etude.llm import load_chat_model

    def ask(prompt: str) -> str:
        return str(load_chat_model(settings).invoke([HumanMessage(prompt)]).content)

    return ask


def _analyse(request: SongRequest, tool_request: ToolRequest) -> list[Evidence]:
    analysis = analyse_lyrics(request.lyrics, title=request.title)
    evidence = [_fact(" ".join(describe(analysis)), analysis.model_dump(mode="json"))]
    if tool_request.attachment is not None:
        from etude.attachments import load_attachment
        from etude_songwriting.prosody import check_prosody

        loaded = load_attachment(tool_request.attachment)
        report = check_prosody(request.lyrics, loaded.score)
        text = (
            f"Prosody against the attached melody: {report.syllables} syllables on "
            f"{report.notes} notes; {report.stressed_on_strong:.0%} of stressed syllables land "
            "on strong beats."
        )
        for item in report.misplaced[:3]:
            text += f" Bar {item.bar}, beat {item.beat:g}: {item.problem}."
        evidence.append(_fact(text, report.model_dump(mode="json")))
    if request.references:
        scores = overlap(request.lyrics, request.references)
        evidence.append(_fact(f"Against your references: {scores.line()}.", scores.model_dump()))
    return evidence


def count_syllables(line: str) -> Evidence:
    """A quoted line's syllables, word by word, with the range singers' contractions allow."""
    words = words_of(line)
    usual, fewest, most = line_syllables(line)
    parts = ", ".join(f"{w} {sound(w).syllables}" for w in words)
    spread = (
        f" (sung from {fewest} to {most}, as words contract or open up)" if fewest != most else ""
    )
    return _fact(
        f'"{line}" has {usual} syllables{spread}: {parts}. Stressed syllables: '
        f"{line_stress(line)} ('/' stressed, 'u' unstressed).",
        {"line": line, "syllables": usual, "fewest": fewest, "most": most},
    )


def songwriting(request: ToolRequest, settings: Settings) -> list[Evidence]:
    parsed = parse_request(request.question)
    if parsed.mode == "analyse":
        return _analyse(parsed, request)
    if parsed.mode == "count":
        return [count_syllables(parsed.lyrics)]
    if parsed.mode != "write" or parsed.title is None:
        if not asks_for_work(request.question):
            # a question about songwriting, not a piece of work: the knowledge base answers it
            from etude.knowledge.retrieval import retrieve

            return retrieve(request.question, settings)
        return [
            _fact(
                "To analyse lyrics, paste them after a line ending with ':' (one lyric line "
                "per line); to get a draft, give a title in quotes, e.g. write a song called "
                '"Paper Moon".'
            )
        ]
    seed = int(hashlib.sha256(parsed.title.encode()).hexdigest()[:8], 16)
    song = write_song(
        parsed.title,
        style=parsed.style,
        structure=parse_structure(request.question),
        seed=seed,
        ask=_drafter(settings),
    )
    report = song_report(song)
    schemes = ", ".join(
        f"{name} {scheme}"
        for (name, _), scheme in zip(song.sections, report["schemes"], strict=False)  # type: ignore[call-overload]
    )
    note = f"Checked: rhyme schemes {schemes}"
    if song.revisions:
        note += f"; revised {len(song.revisions)} line(s) once"
    if song.remaining:
        note += "; still to fix: " + "; ".join(dict.fromkeys(song.remaining))
    data: dict[str, object] = {"title": song.title, "lyrics": song.text(),
                               "drafted_by": song.drafted_by, **report}  # fmt: skip
    evidence = [_fact(f'Lyrics for "{song.title}":\n{song.text()}\n({note}.)', data)]
    if parsed.references:
        scores = overlap(song.text(), parsed.references)
        evidence.append(_fact(f"Against your references: {scores.line()}.", scores.model_dump()))
    return evidence
