"""The songwriting coach as an Etude tool: analyse the learner's lyrics, or write from a title.

Everything the coach states is computed (syllables, stresses, rhymes from the CMU dictionary;
metrical weights from music21), so its evidence is authoritative and the tutor explains it
rather than inventing it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable

from etude.config import EMBEDDED_MODEL, Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest
from etude_songwriting.analysis import LyricsAnalysis, analyse_lyrics
from etude_songwriting.drafting import draft, theme_of
from etude_songwriting.edits import (
    beat_name,
    best_setting,
    clashes,
    plain_setting,
    setting_text,
    shown,
    syllables_of,
    trims,
    word_steps,
)
from etude_songwriting.metrics import overlap
from etude_songwriting.phonetics import line_stress, line_syllables, sound, words_of
from etude_songwriting.requests import SongRequest, asks_for_work, music_only, parse_request
from etude_songwriting.rhymes import describe_rhymes, example_pair, rhymes_for
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
    """A quoted line's syllables, word by word (the steps), with the range singers'
    contractions allow and its stress pattern."""
    words = words_of(line)
    usual, fewest, most = line_syllables(line)
    parts = ", ".join(f"{'I' if w == 'i' else w} {sound(w).syllables}" for w in words)
    spread = (
        f" (sung from {fewest} to {most}, as words contract or open up)" if fewest != most else ""
    )
    shape = " ".join(shown(w) for w in words)
    steps = [*word_steps(line), f"Total: {usual} syllables, stressed as {shape}."]
    return _fact(
        f'"{line}" has {usual} syllables{spread}: {parts}. Stressed syllables: '
        f"{line_stress(line)} ('/' stressed, 'u' unstressed), sung as \"{shape}\".",
        {"line": line, "syllables": usual, "fewest": fewest, "most": most, "steps": steps,
         "next_step": "Next: count your next line the same way; lines sung to the same tune "
         "should match in syllables and in where the capitals fall."},
    )  # fmt: skip


def edit_line(line: str, question: str) -> Evidence:
    """Concrete edits on one line: its syllables word by word, its stresses against the
    strong beats of 4/4 in the plainest setting, and a setting (or a cut) that fixes them."""
    syllables = syllables_of(line)
    usual = line_syllables(line)[0]
    plain = plain_setting(syllables)
    wrong = clashes(syllables, plain)
    best = best_setting(syllables)
    left = clashes(syllables, best)
    shape = " ".join(shown(w) for w in words_of(line))
    text = [f'"{line}" has {usual} syllables, stressed as {shape} (capitals are the stresses).']
    if wrong:
        named = ", ".join(
            f"'{s.text.lower()}' ({'stressed' if s.stressed else 'weak'} syllable of "
            f"{shown(s.word)}) "
            f"on beat {beat_name(slot)}"
            for s, slot in wrong[:3]
        )
        text.append(
            "Sung one syllable per beat from the downbeat (1 2 3 4 | 1 …), the stress fights the "
            f"beat: {named}. In 4/4 beats 1 and 3 are the strong beats, so a weak syllable there "
            "sounds accented and a stressed one on 2 or 4 sounds swallowed — that is why the word "
            "lands wrong: the syllable the word stresses is not the one the bar stresses."
        )
    else:
        text.append(
            "Sung one syllable per beat from the downbeat, every stressed syllable of a longer "
            "word already lands on beat 1 or 3, because the stresses alternate with the beats."
        )
    if not left:
        text.append(
            "A setting where every stress lands on beat 1 or 3 and no weak syllable does "
            f"(checked syllable by syllable, eighth notes): {setting_text(syllables, best)}. "
            "Try singing it that way: the small words before the first stress become a pickup."
        )
    else:
        text.append(
            "No placement on an eighth-note grid puts every stress on beat 1 or 3 here "
            f"(closest: {setting_text(syllables, best)}); reword so a weak syllable separates "
            "the stressed ones."
        )
    target = _target(question)
    data: dict[str, object] = {"line": line, "syllables": usual, "steps": word_steps(line),
                               "setting": best, "plain_clashes": len(wrong)}  # fmt: skip
    if target is not None and usual > target:
        cuts = trims(line, target)
        if cuts:
            last = cuts[-1]
            done = "; ".join(f"{what} ({count})" for what, _, count in cuts)
            text.append(
                f'To reach {target} syllables: {done}, giving "{last[1]}" — {last[2]} '
                "syllables, recounted."
            )
        else:
            text.append(f"It is {usual - target} syllables over {target}: cut a word or two.")
    data["next_step"] = (
        "Next: sing the line with the placement above, then send me the next line and I will "
        "check that its stresses fall in the same places."
    )
    return _fact(" ".join(text), data)


def _target(question: str) -> int | None:
    match = re.search(r"\b(\d{1,2})\s+syllables?\b", question)
    return int(match.group(1)) if match else None


def rhyme_list(word: str, question: str = "") -> Evidence:
    # the words the learner already named ("not desire or higher") are not offered again
    found = rhymes_for(word, exclude=frozenset(words_of(question)))
    if found is None:
        return _fact(
            f"'{word}' is not in the CMU Pronouncing Dictionary, so I cannot compute its "
            "rhymes; give me a word it knows, or the line's last two words."
        )
    return _fact(
        describe_rhymes(found),
        {"word": word, "perfect": [r.word for r in found.perfect],
         "near": [r.word for r in found.near],
         "next_step": "Next: pick the rhyme whose image you can see, then write the line that "
         "earns it and send it to me; I will count it against its partner line."},
    )  # fmt: skip


DEMO_WORDS = ("time", "road", "rain", "stone")
"""Words whose rhymes illustrate the kinds of rhyme when a question names none: common words
with many rhymes, chosen for being ordinary, not for any one question."""


def rhyme_types(question: str) -> Evidence:
    """Perfect versus near (slant) rhyme, defined and shown on a word, computed from CMU."""
    word = next((w for w in words_of(question) if w in DEMO_WORDS), DEMO_WORDS[0])
    examples = []
    for demo in (word, *(w for w in DEMO_WORDS if w != word))[:2]:
        perfect, near = example_pair(demo)
        if perfect is None or near is None:
            continue
        examples.append(
            f"'{demo}' / '{perfect.word}' is a perfect rhyme ({sound(demo).phones} / "
            f"{perfect.phones}: {perfect.why}); '{demo}' / '{near.word}' is a near rhyme "
            f"({near.phones}: {near.why})"
        )
    text = (
        "A perfect rhyme has the same stressed vowel and the same sounds after it, with a "
        "different sound before it; a slant (near, half) rhyme keeps only part of that — "
        "usually the vowel, with a final consonant that is similar but not the same, or one "
        "consonant more or less. For example (from the CMU Pronouncing Dictionary): "
        + "; ".join(examples)
        + ". Perfect rhymes close a line firmly and can sound predictable; near rhymes give "
        "more word choices and a softer landing, which is why most modern songs mix them."
    )
    return _fact(text, {"examples": examples, "next_step": "Next: ask me for rhymes for a word "
                        "from your own lyric, e.g. rhymes for 'night'."})  # fmt: skip


def draft_section(request: SongRequest, question: str) -> Evidence:
    """A drafted section on the learner's theme with its scaffold, checked."""
    theme = theme_of(question) or "this song"
    made = draft(theme, request.section, request.scheme, request.lines)
    numbered = "\n".join(made.lines)
    counts = "/".join(str(n) for n in made.syllables)
    verdict = (
        f"passes: the dictionary reads the scheme back as {made.found_scheme}"
        if made.passed
        else f"does NOT pass yet: the dictionary reads it as {made.found_scheme}, not "
        f"{made.scheme} — fix that before you use it"
    )
    kind = "chorus hook" if made.section == "hook" else made.section
    structure = (
        f"{len(made.lines)} lines in {made.scheme}; lines 1 and 3 carry the hook, the title a "
        "listener will remember, and lines 2 and 4 answer it"
        if made.hook
        else f"{len(made.lines)} lines in {made.scheme}; the first two set the scene with one "
        "concrete image, the last two turn it toward what it means to you"
    )
    text = (
        f"A first draft of a {kind} about {theme} ({made.scheme}), to react to, not to keep:\n"
        f"{numbered}\n"
        f"Checked with the CMU Pronouncing Dictionary: the rhyme scheme {verdict} "
        f"({'; '.join(made.pairs)}); syllables per line {counts}.\n"
        f"Scaffold — structure: {structure}. Images to draw on (ranked by closeness to your "
        f'theme): {", ".join(made.images)}. A first line to react to: "{made.lines[0]}" — '
        + (
            "would you sing it four times? If not, make it shorter or more concrete."
            if made.hook
            else "swap its image for one only you could know."
        )
    )
    return _fact(
        text,
        {"lines": made.lines, "scheme": made.scheme, "found_scheme": made.found_scheme,
         "passed": made.passed, "syllables": made.syllables, "images": made.images,
         "next_step": "Next: rewrite each line with a detail from your own life, keep the end "
         "words or pick new ones from rhymes I can list, and send me the lines: I will check "
         "the scheme and the syllables again."},
    )  # fmt: skip


QUOTE_SCORE = 0.5
"""A knowledge-base passage is quoted as the answer to a question about songwriting above
this similarity (the tutor's own threshold is 0.55 for any question; songwriting questions
are phrased loosely, and the section titles below also admit one)."""


def _clip(text: str, limit: int = 420) -> str:
    flat = re.sub(r"\s+", " ", re.sub(r"(?m)^\s*(?:#+|[-*]|\d+\.)\s*", "", text)).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > 0 else cut


def topic_example(question: str) -> str | None:
    """A computed example for a question about songwriting, by its topic."""
    lowered = question.lower()
    if "rhym" in lowered:
        perfect, near = example_pair(DEMO_WORDS[0])
        if perfect and near:
            return (
                f"For example, '{DEMO_WORDS[0]}' / '{perfect.word}' is a perfect rhyme and "
                f"'{DEMO_WORDS[0]}' / '{near.word}' a near one ({near.why}): a chorus without "
                "perfect rhymes can still tie its lines with near rhymes, a repeated title "
                "line, or the same vowel sound."
            )
    if re.search(r"syllab|\blyric|\bverse lines?\b", lowered):
        first, second = EXAMPLE_COUPLET
        a, b = line_syllables(first)[0], line_syllables(second)[0]
        return (
            f'For example, in the public-domain "Twinkle, Twinkle, Little Star" the lines '
            f'"{first}" ({a} syllables) and "{second}" ({b}) are sung to one phrase '
            f"each; a second verse needs lines of about {a} syllables there too, with their "
            "stresses on the same notes, because it is sung to the same melody — the first "
            "verse's counts set the pattern, not a fixed rule."
        )
    if re.search(r"prosod|stress|accent", lowered):
        words = [w for w in ("today", "again", "happy", "tomorrow") if sound(w).known]
        marked = ", ".join(shown(w) for w in words)
        return (
            f"For example (the CMU dictionary's main stresses in capitals): {marked} — set "
            "each so that its capital syllable falls on a strong beat or a long note."
        )
    return None


EXAMPLE_COUPLET = ("Twinkle, twinkle, little star", "How I wonder what you are")


def answer_question(question: str, settings: Settings) -> list[Evidence]:
    """A question about songwriting: the knowledge base's passage, quoted with its source,
    and a computed example for its topic; the passages alone when none is close enough."""
    from etude.knowledge.retrieval import retrieve

    passages = retrieve(question, settings)
    example = topic_example(question) if not music_only(question) else None
    quotable = [
        p for p in passages
        if p.citation is not None and p.kind == "passage" and p.citation.score >= QUOTE_SCORE
    ]  # fmt: skip
    if not quotable or example is None:
        return passages
    best = quotable[0]
    assert best.citation is not None
    text = f"{_clip(best.summary)}\n— from “{best.citation.label()}”\n\n{example}"
    composed = Evidence(tool=NAME, kind="analysis", summary=text, authoritative=True,
                        citation=best.citation, data={})  # fmt: skip
    return [composed, *(p for p in passages if p is not best)]


HOW_TO = (
    "To analyse lyrics, paste them after a line ending with ':' (one lyric line "
    "per line); to get a draft, give a title in quotes, e.g. write a song called "
    '"Paper Moon".'
)


def songwriting(request: ToolRequest, settings: Settings) -> list[Evidence]:
    parsed = parse_request(request.question)
    if parsed.mode == "analyse":
        return _analyse(parsed, request)
    if parsed.mode == "count":
        return [count_syllables(parsed.lyrics)]
    if parsed.mode == "rhymes" and parsed.word:
        return [rhyme_list(parsed.word, request.question)]
    if parsed.mode == "rhyme_types":
        return [rhyme_types(request.question)]
    if parsed.mode == "edit":
        return [edit_line(parsed.lyrics, request.question)]
    if parsed.mode == "draft":
        return [draft_section(parsed, request.question)]
    if parsed.mode != "write" or parsed.title is None:
        if request.attachment is not None:
            # a score came with the turn: the critic reads it; lyrics are not what it holds
            return []
        if not asks_for_work(request.question):
            # a question about songwriting, not a piece of work: the knowledge base answers it
            return answer_question(request.question, settings)
        return [_fact(HOW_TO)]
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
