"""A reply planned as blocks, each computed, quoted or checked: what the learner reads.

The tools know the answer; the reply's job is to teach it. A turn's evidence becomes an
ordered plan of blocks, the way a patient teacher speaks:

1. the **answer** first — a premise verdict ("No — …"), the computed facts, the critic's
   overview, the lesson's verdict, the multiple-choice pick — verbatim as the tools wrote them;
2. **how** it is found — the computed steps, for a learner to repeat (by default for
   beginners and for chained questions; asked-for or advanced learners get the short form);
3. the critic's **findings**, each with its bar, beat, parts and fix — never summarised away;
4. the **reason**, when the question asks why or how and nothing was computed: the best
   knowledge-base passage, quoted with its citation;
5. the model's **bridge** (written later, through the claim checker, see the tutor);
6. a computed **next step** the learner can do now;
7. the **sources**.

Every block records where it came from, so the benchmark can tell computed text from the
model's, and the JSON (``ask --json``) can show the learner which is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from etude.agents.followup import asks_about_that_note, what_that_note_should_be
from etude.agents.prompts import clip
from etude.config import Level
from etude.evidence import Citation, Evidence
from etude.knowledge.articles import split_example
from etude.knowledge.asking import asks_how_it_sounds, asks_why
from etude.knowledge.comparison import comparison_sides
from etude.knowledge.words import FILLER, content_stems
from etude.learner import LearnerProfile

Role = Literal[
    "premise",
    "answer",
    "steps",
    "example",
    "finding",
    "reason",
    "bridge",
    "next",
    "redirect",
    "sources",
]
Source = Literal["computed", "critic", "lesson", "knowledge", "memory", "tool", "model"]

Intent = Literal[
    "greeting",
    "offtopic",
    "fact",
    "why",
    "how",
    "advice",
    "critique",
    "lesson",
    "compose",
    "premise",
    "conversation",
    "that_note",
]

MAX_FINDINGS_SHOWN = 4
"""Findings shown with their fixes: a lesson corrects a few things well."""

QUOTE_CHARS = 420
"""A quoted passage is cut at a sentence end before this many characters."""

QUOTE_SCORE = 0.55
"""A passage is quoted as the answer only above this similarity to the question. Measured on
the teaching benchmark's why/how questions: passages that answered them scored 0.55–0.8, the
off-subject nearest ones 0.45–0.52 (MiniLM cosine). Below it the reply says so and points to
the closest articles instead of passing a neighbour off as the answer."""

NO_PASSAGE = (
    "I have no passage in my notes that answers this directly, so I will not guess; the "
    "closest articles are listed below."
)


@dataclass(frozen=True)
class Block:
    """One part of a reply, with its role and where its text came from."""

    role: Role
    text: str
    source: Source


_HOW = re.compile(
    r"^\s*(?:but\s+|and\s+|so\s+)?how\b(?!\s+(?:many|much|long|far|often|old))"
    r"|\bhow (?:do|can|should|would) (?:i|you|we)\b",
    re.I,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening|day)|greetings|yo|howdy)"
    r"\b[\s!.,]*(?:there|etude|all|everyone)?[\s!.,]*)+(?:[:;]-?[)D(P]|[\U0001F300-\U0001FAFF])*"
    r"[\s!.,]*$",
    re.I,
)


def read_intent(
    question: str, route: list[str], evidence: list[Evidence], *, offtopic: bool = False
) -> Intent:
    """What kind of turn this is, from the message, the route and the evidence.

    >>> read_intent("hi!", [], [])
    'greeting'
    >>> read_intent("hey there, good morning :)", [], [])
    'greeting'
    >>> read_intent("why do we avoid parallel fifths?", ["theory"], [])
    'why'
    """
    tools = {item.tool for item in evidence}
    if any(item.data.get("type") == "premise" for item in evidence):
        return "premise"
    if "critic" in tools:
        return "critique"
    if "lesson" in tools:
        return "lesson"
    if _GREETING.match(question):
        return "greeting"
    if offtopic:
        return "offtopic"
    if asks_why(question):
        return "why"
    if _HOW.search(question):
        return "how"
    if any(item.kind == "fact" and item.tool == "theory" for item in evidence):
        return "fact"
    if tools - {"theory", "memory"}:
        return "compose"
    if "theory" in tools:
        return "advice"
    return "conversation"


def _flat(text: str) -> str:
    """A passage as one paragraph: headings, bullets and line breaks folded away (and an
    example written into it, which is played, not quoted)."""
    text = split_example(text)[0]
    lines = [re.sub(r"^\s*(?:#+|[-*]|\d+\.)\s*", "", line) for line in text.splitlines()]
    return re.sub(r"\s+", " ", " ".join(line for line in lines if line.strip())).strip()


_ITEM = re.compile(r"^\s*\d+\.\s+")
STEP_ITEMS = 6
"""Numbered steps of a passage kept, at most, when it answers a "how" question."""


def quoted_passage(text: str, intent: Intent) -> str:
    r"""A passage as quoted in the reply: one paragraph cut at a sentence end, except that a
    "how" question answered by a passage with numbered steps keeps the steps as a list (the
    learner follows them one by one) after the passage's opening sentence.

    >>> text = "Work in order.\n1. Find the key.\n2. Mark the cadences.\nThen listen."
    >>> print(quoted_passage(text, "how"))
    Work in order.
    1. Find the key.
    2. Mark the cadences.
    >>> quoted_passage(text, "why")
    'Work in order. Find the key. Mark the cadences. Then listen.'
    """
    text = split_example(text)[0]  # an example is played, not quoted
    lines = [line for line in text.splitlines() if line.strip()]
    items = [_ITEM.sub("", line).strip() for line in lines if _ITEM.match(line)]
    if intent != "how" or len(items) < 2:
        return clip(_flat(text), QUOTE_CHARS)
    first = next((i for i, line in enumerate(lines) if _ITEM.match(line)), 0)
    opening = clip(_flat("\n".join(lines[:first])), QUOTE_CHARS // 2)
    listed = _numbered([clip(item, QUOTE_CHARS // 2) for item in items[:STEP_ITEMS]])
    return f"{opening}\n{listed}" if opening else listed


def _steps_wanted(
    intent: Intent, level: Level, steps: list[str], question: str, *, derived: bool = False
) -> bool:
    if not steps:
        return False
    if _short_form_wanted(level, question):
        return len(steps) >= 3
    return level == "beginner" or len(steps) >= 2 or intent in ("why", "how", "premise") or derived


def _short_form_wanted(level: Level, question: str) -> bool:
    """An advanced learner gets the one-line short form instead of the worked steps, unless
    the question asks how or why."""
    return level == "advanced" and not _HOW.search(question) and not asks_why(question)


HEARD_IN_CONTEXT = ("roman_numeral", "progression", "diatonic_chords")
"""Facts whose example puts the chord in a key (a resolution, a progression, the chord
between tonics): the examples an advanced learner gets. A bare arpeggio, scale or interval to
play is for beginners and intermediate learners, who are still learning the sound."""


def example_block(evidence: list[Evidence], level: Level, question: str = "") -> Block | None:
    """The example to hear, as the line the learner plays (its ABC and MusicXML stay in the
    evidence), at the depth of the learner's level.

    A rhythm (a meter's claps) is shown with its ABC: its line is a count that names no
    notes, and the bars written out are what a learner plays or claps (an ABC block, which
    the web studio engraves and plays). Two meters asked about together are each shown. An
    advanced learner gets a meter's bars when the question is about how it sounds or feels.

    >>> from etude.theory.meter import describe_meter
    >>> from etude.theory.hearing import example_for
    >>> heard = [Evidence(tool="theory", kind="example", summary="",
    ...                   data=example_for(describe_meter(m)).as_data()) for m in ("2/4", "6/8")]
    >>> print(example_block(heard, "intermediate").text)  # doctest: +ELLIPSIS
    Hear 2/4: Count it aloud, clapping on the numbers: 1-and 2-and
    ```abc
    X:1
    T:2/4 time
    M:2/4
    L:1/8
    K:C
    !>!cc !>!cc | !>!cc !>!cc |]
    ```
    <BLANKLINE>
    Hear 6/8: Count it aloud, clapping on the numbers: 1-la-li 2-la-li
    ```abc
    ...
    ```
    >>> example_block(heard, "advanced", "is 6/8 compound?") is None
    True
    >>> example_block(heard, "advanced", "how does 6/8 feel next to 2/4?") is None
    False
    """
    examples = [item for item in evidence if item.kind == "example" and item.data.get("text")]
    if not examples:
        return None
    if all(item.data.get("rhythm") for item in examples):
        if level == "advanced" and not asks_how_it_sounds(question):
            return None
        shown = [_rhythm(item, named=len(examples) > 1) for item in examples[:2]]
        return Block("example", "\n\n".join(shown), "computed")
    facts = {str(item.data.get("kind")) for item in evidence if item.kind == "fact"}
    if level == "advanced" and not facts & set(HEARD_IN_CONTEXT):
        return None
    return Block("example", f"Hear it: {examples[0].data['text']}", "computed")


_ABC_METER = re.compile(r"^M:\s*(\S+)", re.M)


def _rhythm(item: Evidence, named: bool) -> str:
    """A rhythm example: its count, then its ABC; named by its meter when there are two."""
    meter = _ABC_METER.search(str(item.data.get("abc") or ""))
    label = f"Hear {meter.group(1)}" if named and meter else "Hear it"
    abc = str(item.data.get("abc") or "").strip()
    return f"{label}: {item.data['text']}" + (f"\n```abc\n{abc}\n```" if abc else "")


def _read_worked(item: Evidence, shorts: list[str], terms: list[str]) -> None:
    """A fact's one-line short form and its beginner's terms (``etude.theory.worked``)."""
    data = item.data.get("data")
    if isinstance(data, dict):
        shorts.extend([str(data["short"])] if data.get("short") else [])
        terms.extend(str(term) for term in data.get("terms") or [])


def _glossary(terms: list[str]) -> str:
    """The plain meaning of the words the steps used, for a beginner.

    >>> _glossary(["a semitone is one key to the next"])
    'Words used: a semitone is one key to the next.'
    """
    return "Words used: " + "; ".join(dict.fromkeys(terms)) + "."


_CONNECTIVES = frozenset(
    {"a", "an", "the", "is", "are", "it", "its", "this", "that", "these", "one", "too", "so"}
    | {"then", "and", "of", "to", "as", "also", "which"}
)


_NAMED = re.compile(r"(?<![\w#])([a-g][#♯♭b]?) ([a-z]+)")


def _said_words(text: str) -> set[str]:
    """The words, numbers and note names of a text, lower-cased, a plural's "s" dropped,
    without the words that only join a sentence together. A note name and the word after it
    are one word ("D# natural", "G major"): a step naming the key or scale an answer only
    spelled out says something new.

    >>> sorted(_said_words("The D# natural minor scale: D# – E# – F#."))
    ['d#', 'd#_natural', 'e#', 'f#', 'minor', 'scale']
    """
    text = _NAMED.sub(r"\1_\2", text.lower())
    words = re.findall(r"[a-z0-9_]+[#♯♭]?(?:_[a-z]+)?", text)
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words} - _CONNECTIVES


def restates(step: str, answer: str) -> bool:
    """Whether a worked step says nothing the answer has not said: every word, number and note
    of it is already in the answer. Such a step is no step to repeat, only the answer again
    ("A major third spans 4 semitones; this one spans 4 too, so it is a major third" under "No
    — a major third spans 4 semitones, not 3").

    >>> restates("G major has 1 sharp: F#.", "No — G major has 1 sharp, not two sharps: F#.")
    True
    >>> restates("Count the semitones from C up to E: C – C# – D – D# – E — 4.",
    ...          "No — a major third spans 4 semitones, not 3 semitones.")
    False
    >>> restates("A major third spans 4 semitones; this one spans 4 too, so it is a major "
    ...          "third.", "Yes — the interval from C up to E is a major third.")
    False
    """
    return bool(answer) and _said_words(step) <= _said_words(answer)


def _numbered(steps: list[str]) -> str:
    return "\n".join(f"{number}. {step}" for number, step in enumerate(steps, start=1))


def _opens_reply(item: Evidence) -> bool:
    return item.data.get("type") == "premise" or item.data.get("kind") == "choice"


_ASKS_WHERE = re.compile(
    r"\bresol\w*|\bwhere\b.*\bgo(?:es)?\b|\blead(?:s)?\b|\bgo(?:es)? next", re.I
)
_GOES = re.compile(r"\bleads? to\b|\bresolv\w*|\bmoves? to\b|\bgoes through\b|\bfalls to\b", re.I)


def _where_it_goes(question: str, steps: list[str]) -> str:
    """For "how does it resolve?", the computed steps that say where the chord goes, first:
    the answer to that question is one of its derivation's lines, not its spelling."""
    if not _ASKS_WHERE.search(question):
        return ""
    return " ".join(step for step in steps if _GOES.search(step))


TITLED_SCORE = 0.42
"""Below QUOTE_SCORE, a passage is still quoted when its article and section title name the
question's subject (two of its content words) and it is at least this similar. The question
"how do you modulate from C major to A minor?" scored 0.48 against the section "How to
modulate from a major key to its relative minor": phrasing, not subject, kept it out."""
_STOP = FILLER | frozenset(
    [
        "every",
        "give",
        "good",
        "help",
        "know",
        "many",
        "need",
        "tell",
        "their",
        "them",
        "they",
        "want",
    ]
)
"""The retrieval fillers and the words of a request ("tell me", "help me"), which say nothing
about a passage's subject."""


def _stems(text: str) -> set[str]:
    return content_stems(text, _STOP)


def titled_for(question: str, citation: Citation) -> bool:
    """Whether a passage's title and section name what the question is about.

    >>> from etude.evidence import Citation
    >>> section = Citation(article="harmony/pivot", title="Pivot-chord modulation", chunk_id="1",
    ...     section="How to modulate from a major key to its relative minor", score=0.48)
    >>> titled_for("how do you modulate from C major to A minor?", section)
    True
    >>> titled_for("give me some rhymes for 'heart'", section)
    False
    """
    shared = _stems(question) & _stems(f"{citation.title} {citation.section}")
    return citation.score >= TITLED_SCORE and len(shared) >= 2


def _no_fault(report: dict[str, Any]) -> str:
    """What a clean report means, without claiming the piece is good: no rule fired."""
    return (
        f"None of the rules I check found a fault in these {report.get('bars')} bars; that "
        "says the writing is correct, not yet that it is interesting."
    )


def _slip(evidence: list[Evidence]) -> dict[str, Any] | None:
    """The note a critique or the encoder tool named as a likely slip (its bar, pitch and the
    pitches the style expects), if one did."""
    for item in evidence:
        if item.data.get("type") == "likely_slip":
            return item.data
        if isinstance(item.data.get("slip"), dict):
            return item.data["slip"]
    return None


def _no_fault_but_slip(report: dict[str, Any], sure: bool = True) -> str:
    """A clean report beside a likely slip: no rule fired, one note stands out (or, when the
    ranker named it unsure, is the one to hear again).

    >>> _no_fault_but_slip({"bars": 10})
    'None of the rules I check found a fault in these 10 bars; only the note above stands out.'
    >>> _no_fault_but_slip({"bars": 10}, sure=False)  # doctest: +NORMALIZE_WHITESPACE
    'None of the rules I check found a fault in these 10 bars; the note above is the one I
    would listen to again.'
    """
    rest = (
        "only the note above stands out"
        if sure
        else "the note above is the one I would listen to again"
    )
    return f"None of the rules I check found a fault in these {report.get('bars')} bars; {rest}."


def _hear_both(slip: dict[str, Any]) -> str:
    """A next step for a likely slip: play both versions and keep the one meant.

    >>> print(_hear_both({"bar": 1, "pitch": "F4", "expected": ["G4", "E4"]}))
    ... # doctest: +NORMALIZE_WHITESPACE
    Next: play bar 1 as you wrote it, then with G4 in place of F4, and keep the one you
    meant; then send me the score again and I will check it.
    """
    expected = slip.get("expected") or []
    instead = f"with {expected[0]} in place of {slip['pitch']}" if expected else "without it"
    return (
        f"Next: play bar {slip['bar']} as you wrote it, then {instead}, and keep the one you "
        "meant; then send me the score again and I will check it."
    )


def _answer_phrase(report: dict[str, Any]) -> str:
    """A next step for a score with no faults: write its answering phrase, in its key."""
    key = report.get("key") or {}
    tonic, mode = key.get("tonic"), key.get("mode")
    where = f" in {tonic} {mode}" if tonic and mode else ""
    home = f" on {tonic}" if tonic else " on the tonic"
    steps = _steps_home(str(tonic), str(mode)) if tonic and mode else ""
    return (
        f"Next: write an answering phrase of {report.get('bars')} bars{where} that reuses your "
        f"opening rhythm and ends{home}{steps}; send both to me and I will check them together."
    )


def _steps_home(tonic: str, mode: str) -> str:
    """The two stepwise ways into the tonic, from the key's own scale (the leading tone in
    minor raised), for the answering phrase's last notes.

    >>> print(_steps_home("E", "minor"))
    , stepping into it from above or below (F# – E or D# – E)
    >>> print(_steps_home("G", "major"))
    , stepping into it from above or below (A – G or F# – G)
    >>> _steps_home("D", "blues")
    ''
    """
    from etude.theory.scales import scale_notes
    from etude.theory.spelling import human, to_music21

    kinds = {"major": "major", "minor": "harmonic minor"}
    try:
        notes = scale_notes(to_music21(tonic), kinds.get(mode, mode))
    except ValueError:
        return ""
    if len(notes) != 7:
        return ""
    above, below, home = human(notes[1]), human(notes[6]), human(notes[0])
    return f", stepping into it from above or below ({above} – {home} or {below} – {home})"


def engraved(located: dict[str, Any]) -> int | None:
    """The bar number a learner reads: the score's own (``measure``, a pickup is 0) where the
    critic gave it, else the count from the start of the file."""
    measure = located.get("measure")
    return int(measure) if measure is not None else located.get("bar")


def _finding_text(item: Evidence) -> str:
    data = item.data
    parts = data.get("parts") or []
    voices = ", ".join(str(p) for p in parts)
    bar = engraved(data)
    where = f"Bar {bar}, beat {data.get('beat'):g}" if bar is not None else ""
    severity = str(data.get("severity", "")).capitalize()
    rule = str(data.get("rule", "")).replace("_", " ")
    head = f"{where} ({rule}, part{'s' if len(parts) != 1 else ''} {voices})" if where else rule
    text = f"- {severity}: {head}: {data.get('message', item.summary)}".strip()
    suggestion = data.get("suggestion")
    if isinstance(suggestion, dict) and suggestion.get("why"):
        text += f"\n  Checked fix: {suggestion['why']}"
    return text


def why_it_matters(findings: list[Evidence]) -> Block | None:
    """Why the first shown finding's rule matters, quoted from its knowledge-base section
    with the citation (``etude.knowledge.why``): a fix is learned when its reason is."""
    from etude.knowledge.why import why_passage

    for item in findings:
        found = why_passage(str(item.data.get("rule", "")))
        if found is not None:
            text, citation = found
            rule = str(item.data["rule"]).replace("_", " ")
            quote = clip(_flat(text), QUOTE_CHARS)
            return Block(
                "reason",
                f"Why it matters ({rule}): {quote}\n— from “{citation.label()}”",
                "knowledge",
            )
    return None


def plan_reply(
    question: str,
    route: list[str],
    evidence: list[Evidence],
    level: Level,
    *,
    offtopic: bool = False,
    learned: LearnerProfile | None = None,
) -> tuple[Intent, list[Block], list[Block]]:
    """The blocks before the model's bridge and the blocks after it, for this turn.

    ``learned`` is what this message told us about the learner (their instrument, goals…),
    acknowledged in so many words on a conversational turn.
    """
    intent = read_intent(question, route, evidence, offtopic=offtopic)
    before: list[Block] = []
    after: list[Block] = []
    if intent == "offtopic":
        before.append(Block("redirect", OFFTOPIC, "tool"))
        return intent, before, after
    if intent == "greeting":
        before.append(Block("redirect", GREETING, "tool"))
        return intent, before, after
    if intent == "conversation" and learned is not None and learned != LearnerProfile():
        before.append(Block("answer", acknowledgement(learned), "memory"))
        suggestion = suggestion_for(learned)
        if suggestion:
            after.append(Block("next", suggestion, "memory"))
        return intent, before, after
    if intent == "critique" and asks_about_that_note(question):
        # "what should that note be?" after a critique: the note it meant and its fix, or a
        # plain question back when it named none; never the whole critique said again
        answer = what_that_note_should_be(question, evidence)
        if answer is not None:
            return "that_note", [Block("answer", answer, "critic")], after
    steps: list[str] = []
    shorts: list[str] = []
    terms: list[str] = []
    next_steps: list[str] = []
    # a verdict on the learner's premise or a multiple-choice pick opens the reply, whatever
    # other tool answered in parallel ("Answer: C) …" must be the first line)
    evidence = sorted(evidence, key=lambda item: not _opens_reply(item))
    if any(item.tool not in ("lesson", "memory") and item.authoritative for item in evidence):
        # "no sight-reading exercises I can check" must not follow the one a composer wrote
        evidence = [item for item in evidence if item.data.get("type") != "not_offered"]
    for item in evidence:
        if item.data.get("type") == "premise":
            before.append(Block("premise", item.summary, "computed"))
            if not steps:  # the worked steps of the main answer only, not of every side fact
                steps.extend(item.data.get("steps") or [])
                _read_worked(item, shorts, terms)
            continue
        if not item.authoritative:
            continue
        if item.tool == "memory" and any(
            other.tool != "memory" and other.authoritative for other in evidence
        ):
            continue  # the learner asked about the music; a recap of their profile is noise
        source: Source = {
            "critic": "critic",
            "lesson": "lesson",
            "memory": "memory",
            "theory": "computed",
        }.get(item.tool, "tool")  # type: ignore[assignment]
        before.append(Block("answer", item.summary, source))
        if not steps:
            steps.extend(item.data.get("steps") or [])
            _read_worked(item, shorts, terms)
        if item.data.get("next_step"):
            next_steps.append(str(item.data["next_step"]))
    where_to = _where_it_goes(question, steps)
    if where_to:
        before.insert(0, Block("answer", where_to, "computed"))
    answered = " ".join(block.text for block in before if block.role in ("answer", "premise"))
    steps = [step for step in steps if not restates(step, answered)]
    derived = any(item.data.get("kind") == "derivation" for item in evidence)
    if shorts and _short_form_wanted(level, question):
        before.append(Block("steps", "Short form: " + "; ".join(shorts) + ".", "computed"))
    elif _steps_wanted(intent, level, steps, question, derived=derived):
        before.append(Block("steps", "How to work it out:\n" + _numbered(steps), "computed"))
        if level == "beginner" and terms:
            before.append(Block("steps", _glossary(terms), "computed"))
    heard = example_block(evidence, level, question)
    if heard is not None:
        before.append(heard)
    overview = next(
        (item for item in evidence if item.tool == "critic" and item.authoritative), None
    )
    if overview is not None:
        before.extend(
            Block("answer", text, "critic") for text in asked_of_score(question, overview)
        )
    findings = [item for item in evidence if item.tool == "critic" and "rule" in item.data]
    if findings:
        shown = "\n".join(_finding_text(item) for item in findings[:MAX_FINDINGS_SHOWN])
        before.append(Block("finding", "What I found:\n" + shown, "critic"))
        why = why_it_matters(findings[:MAX_FINDINGS_SHOWN])
        if why is not None:
            before.append(why)
    pickup = overview.data.get("unmarked_pickup") if overview is not None else None
    if isinstance(pickup, dict) and pickup.get("message"):
        # a MIDI file's bar numbers may be one off from the learner's score: said where they are
        before.append(Block("finding", f"Note on bar numbers: {pickup['message']}", "critic"))
    strengths = [
        item.summary
        for item in evidence
        if item.tool == "critic" and item.summary.startswith("Strength:")
    ]
    if strengths:
        before.append(Block("finding", " ".join(strengths[:2]), "critic"))
    odd = next(
        (item for item in evidence if item.data.get("type") in ("least_expected", "likely_slip")),
        None,
    )
    # a likely slip, or a note the encoder expected far less than any other
    # (etude.critic.least_expected): worth a listen, said as the model's sense of the style,
    # once even if the encoder tool said it
    if odd is not None and all(block.text != odd.summary for block in before):
        before.append(Block("finding", odd.summary, "tool"))
    listen = next((item for item in evidence if item.data.get("type") == "similar"), None)
    # a corpus piece from the encoder's index (etude.encoders.similar), never a made-up one;
    # once, even when the encoder tool also answered with it
    if (
        listen is not None
        and overview is not None
        and all(block.text != listen.summary for block in before)
    ):
        before.append(Block("finding", listen.summary, "tool"))
    computed_answer = any(block.role in ("answer", "premise") for block in before)
    passages = [item for item in evidence if item.kind == "passage" and item.citation]
    if passages and (not computed_answer or intent in ("why", "how")):
        # retrieval ranks the section that answers the question's type first (a "why" question
        # its "Why …" section): the first passage good enough to quote, else the closest
        quotable = [
            item
            for item in passages
            if item.citation is not None
            and (item.citation.score >= QUOTE_SCORE or titled_for(question, item.citation))
        ]
        best = (
            quotable[0]
            if quotable
            else max(passages, key=lambda item: item.citation.score if item.citation else 0.0)
        )
        both = passages_for_each_side(question, passages)
        if both is not None:
            before.append(Block("reason", _quoted_pair(both), "knowledge"))
        elif best.citation is not None and (
            best.citation.score >= QUOTE_SCORE or titled_for(question, best.citation)
        ):
            label = best.citation.label()
            prose, abc = split_example(best.summary)
            tip = None if next_steps else tip_in(prose)
            if tip is not None:  # the section's tip is the step to take next, said once
                prose = prose.replace(tip.said, " ").strip()
                next_steps.append(f"Next, try the tip from the same section: {tip.text}")
            quote = quoted_passage(prose, intent)
            reason = Block("reason", f"{quote}\n— from “{label}”", "knowledge")
            if abc is not None and all(block.role != "example" for block in before):
                before.append(example_of_section(abc))
            if intent == "why":
                # a why-question is answered by its reason first; the computed facts it
                # mentions follow as examples, without steps that answer "what", not "why"
                before = [reason, *(block for block in before if block.role != "steps")]
            elif intent == "how" and _NUMBERED.search(quote):
                before = answer_then_how(before, reason)
            elif abc is not None and before and before[-1].role == "example":
                before.insert(len(before) - 1, reason)  # the passage, then its example
            else:
                before.append(reason)
        elif not computed_answer:
            before.append(Block("reason", NO_PASSAGE, "tool"))
    slip = _slip(evidence)
    if overview is not None and not findings and not next_steps and slip is not None:
        # no rule fired, but a note may be a slip: "the writing is correct" would contradict
        # it, and the step worth taking is to hear the two versions
        sure = slip.get("sure", True) is not False
        before.append(Block("finding", _no_fault_but_slip(overview.data, sure), "critic"))
        next_steps.append(_hear_both(slip))
    elif overview is not None and not findings and not next_steps:
        before.append(Block("finding", _no_fault(overview.data), "critic"))
        next_steps.append(_answer_phrase(overview.data))
    if findings and not next_steps:
        first = findings[0].data
        if first.get("suggestion"):
            step = f"fix bar {engraved(first)} as suggested"
        else:  # a remark about a whole line (its range, its rhythm): where it starts
            step = f"try the change described above, from bar {engraved(first)} on"
        next_steps.append(f"Next: {step}, then send me the score again and I will check it.")
    after.extend(Block("next", text, "computed") for text in next_steps[:1])
    # "the closest articles are listed below" promises the nearest ones, on the point or not
    promised = any(block.text == NO_PASSAGE for block in before)
    footer = further_reading(evidence, quoted=before, question="" if promised else question)
    if footer:
        after.append(Block("sources", footer, "knowledge"))
    return intent, before, after


_NUMBERED = re.compile(r"^1\. ", re.M)
_TIP = re.compile(r"\bTip:\s*(?P<tip>.+?[.!?])(?=\s+[A-Z]|\s*$)", re.DOTALL)


@dataclass(frozen=True)
class Tip:
    """A passage's tip: the words as the article wrote them, and as the next step says them."""

    said: str
    text: str


def tip_in(passage: str) -> Tip | None:
    """The tip a knowledge-base passage ends with ("Tip: …"), its first sentence, or None.
    Quoted as the next step, it is something to do now, from the article that answered.

    >>> tip_in("End on the tonic. Tip: if it still sounds abrupt, lengthen the last note.")
    Tip(said='Tip: if it still sounds abrupt, lengthen the last note.', text='If it still \
sounds abrupt, lengthen the last note.')
    >>> tip_in("No tip here.") is None
    True
    """
    found = _TIP.search(passage)
    if found is None:
        return None
    words = re.sub(r"\s+", " ", found["tip"]).strip()
    return Tip(found.group(0), words[:1].upper() + words[1:])


def example_of_section(example: str) -> Block:
    """A section's own ABC example (with its caption) as the reply's example to hear; the
    section is quoted, with its citation, just before it."""
    return Block("example", f"Hear it, from the same section: {example}", "knowledge")


def answer_then_how(before: list[Block], how: Block) -> list[Block]:
    r"""A how-question answered by a passage with its own numbered steps: the answer, then
    those steps, then the examples and the rest. The computed steps are left out: they work
    out the fact the answer states ("the bottom number, 4, names the beat"), not the how
    asked ("how can I tell 3/4 from 6/8 by listening?"), and came before the steps that did.

    >>> blocks = [Block("answer", "3/4 is simple triple time.", "computed"),
    ...           Block("steps", "How to work it out: …", "computed"),
    ...           Block("example", "Hear 3/4: …", "computed")]
    >>> how = Block("reason", "1. Tap the beat.", "knowledge")
    >>> [block.role for block in answer_then_how(blocks, how)]
    ['answer', 'reason', 'example']
    """
    opening = [block for block in before if block.role in ("premise", "answer")]
    rest = [block for block in before if block.role not in ("premise", "answer", "steps")]
    return [*opening, how, *rest]


SIDE_QUOTE_CHARS = 300
"""Each side of a comparison is quoted shorter than a single answer, so the two fit together."""


def passages_for_each_side(
    question: str, passages: list[Evidence]
) -> tuple[Evidence, Evidence] | None:
    """For a question comparing two things, a passage about each (titled for it, or looked up
    for it and close enough to quote), or ``None`` when it compares nothing or one side has
    no passage.

    >>> from etude.evidence import Citation
    >>> def passage(title: str, section: str, score: float) -> Evidence:
    ...     cite = Citation(article="a", title=title, chunk_id=title, section=section, score=score)
    ...     return Evidence(tool="theory", kind="passage", summary=section + ".", citation=cite)
    >>> motif = passage("Developing a motif", "What a motif is", 0.59)
    >>> phrase = passage("The phrase and the period", "What a musical phrase is", 0.47)
    >>> [p.citation.title for p in passages_for_each_side(
    ...     "difference between a motif and a phrase?", [motif, phrase])]
    ['Developing a motif', 'The phrase and the period']
    >>> passages_for_each_side("difference between a motif and a cadence?", [motif, phrase])
    >>> minor = passage("The natural minor scale", "The pattern of the natural minor scale", 0.62)
    >>> both = passage("Major and minor pentatonic scales", "The minor pentatonic scale", 0.6)
    >>> major = passage("Building the major scale", "Scale degree names", 0.6)
    >>> [p.citation.title for p in passages_for_each_side(
    ...     "difference between a major scale and a minor scale?", [minor, both, major])]
    ['Building the major scale', 'The natural minor scale']
    """
    sides = comparison_sides(question)
    if sides is None:
        return None
    chosen: list[Evidence] = []
    for side, other in (sides, sides[::-1]):
        found = next(
            (
                item
                for level in range(3)
                for item in passages
                if item not in chosen and _about_side(item, side, other, level)
            ),
            None,
        )
        if found is None:
            return None
        chosen.append(found)
    return chosen[0], chosen[1]


def _about_side(item: Evidence, side: str, other: str, level: int) -> bool:
    """Whether a passage is about one side of a comparison, at three levels of proof, each
    tried on every passage before the next: 0, looked up for that side; 1, its title and
    section name the side and not the other ("Major and minor pentatonic scales" names both);
    2, it names the words that tell this side from the other ("major" of "major scale" against
    "minor scale") and is close enough to quote. A passage sharing only "scale" is about
    either side."""
    if item.citation is None:
        return False
    if level == 0:
        return item.data.get("side") == side
    wanted = _stems(side)
    telling = wanted - _stems(other) or wanted
    titled = _stems(f"{item.citation.title} {item.citation.section}")
    if not (wanted and telling & titled):
        return False
    if level == 1:
        return wanted <= titled and not (_stems(other) - wanted) & titled
    return wanted <= titled or item.citation.score >= QUOTE_SCORE


def _quoted_pair(both: tuple[Evidence, Evidence]) -> str:
    quotes = []
    for item in both:
        assert item.citation is not None
        quote = clip(_flat(item.summary), SIDE_QUOTE_CHARS)
        quotes.append(f"{quote}\n— from “{item.citation.label()}”")
    return "\n\n".join(quotes)


def further_reading(evidence: list[Evidence], quoted: list[Block], question: str = "") -> str:
    """The articles retrieved for this turn that the reply did not already quote, to read on.

    A section the knowledge base found only by similarity is offered when its heading names
    something the question asked about (``on_the_point``): the nearest sections to "is a major
    third 3 semitones?" include "The tritone § What the tritone is", close in meaning and off
    the point. Citations a tool attached to its own findings (a critique's *why*) stay.

    >>> from etude.evidence import Citation
    >>> c = Citation(article="cadences/half", title="Cadences", section="Half cadence",
    ...              chunk_id="cadences/half#1", score=0.8)
    >>> further_reading([Evidence(tool="theory", kind="passage", summary="...", citation=c)], [])
    'Read more: Cadences § Half cadence'
    >>> further_reading([Evidence(tool="theory", kind="passage", summary="...", citation=c)], [],
    ...                 question="is a major third 3 semitones?")
    ''
    """
    said = " ".join(block.text for block in quoted)
    labels = [
        item.citation.label()
        for item in evidence
        if item.citation is not None
        and item.citation.label() not in said
        and (item.kind != "passage" or on_the_point(question, item.citation))
    ]
    unique = list(dict.fromkeys(labels))
    return "Read more: " + "; ".join(unique) if unique else ""


_JOINING = frozenset(
    {"the", "and", "for", "how", "why", "who", "can", "you", "are", "was", "not", "its", "has"}
    | {"had", "use", "get", "put", "any", "one", "two", "all", "but", "did", "our", "out", "own"}
    | {"may", "way", "too", "yes", "let", "say", "see", "got", "new", "now", "off", "per", "try"}
    | {"then", "else", "tell", "again", "okay"}
)


_EVERY_TOPIC = frozenset(
    {"compo", "music", "write", "writi", "writt", "piece", "play", "playi", "chord", "note"}
    | {"major", "minor", "perfe"}
)
"""Stems every heading of a composition course may use ("Why composers double a melody",
"The harmonic minor scale" beside "a minor seventh"): sharing one says nothing about the
topic."""


def _topic_stems(text: str) -> set[str]:
    """Content words of three letters or more, cut to five ("end" counts: "how do I end it")."""
    words = re.findall(r"[a-z]{3,}", text.lower())
    stems = {w[:5] for w in words if w not in FILLER and w not in _JOINING}
    return stems - _EVERY_TOPIC


def on_the_point(question: str, citation: Citation) -> bool:
    """Whether a section's title or heading names something the question asks about: a word
    they share, or one the start of the other ("end" and "ending"). A question with no
    content words of its own ("and then?") cannot judge, so every section passes.

    >>> from etude.evidence import Citation
    >>> def section(title: str, heading: str) -> Citation:
    ...     return Citation(article="a", title=title, section=heading, chunk_id="a#1", score=0.6)
    >>> on_the_point("is a major third 3 semitones?", section("The tritone", "What it is"))
    False
    >>> on_the_point("is a major third 3 semitones?", section("Interval quality", "Semitone sizes"))
    True
    >>> on_the_point("how do i end a melody", section("Cadences", "Fixing a weak ending"))
    True
    """
    asked = _topic_stems(question)
    if not asked:
        return True
    named = _topic_stems(f"{citation.title} {citation.section}")
    return any(a == n or a.startswith(n) or n.startswith(a) for a in asked for n in named)


OFFTOPIC = (
    "That is outside what I can help with: I am a music composition mentor. Ask me about "
    "chords, scales, harmony or your own pieces, or send me a score to look at."
)
GREETING = (
    "Hello! I am Etude, a composition mentor. Ask me a theory question, send me a score "
    '(MIDI, MusicXML or ABC) for feedback, or say "give me an exercise" to start a lesson.'
)


def acknowledgement(learned: LearnerProfile) -> str:
    """What the learner just told us, said back: proof that it was heard and kept.

    >>> from etude.learner import update_profile
    >>> acknowledgement(update_profile(LearnerProfile(), "I play the oboe"))
    'Thanks — I will remember that you play the oboe.'
    """
    recap = learned.recap()
    said = recap.removeprefix("You told me that ").rstrip(".")
    greeting = f"Nice to meet you, {learned.name}! " if learned.name else "Thanks — "
    if said == recap.rstrip("."):
        return f"{greeting}I will remember that."
    return f"{greeting}I will remember that {said}."


def suggestion_for(learned: LearnerProfile) -> str | None:
    """A first step that fits what the learner told us about themselves."""
    if learned.instruments:
        instrument = learned.instruments[0]
        return (
            f"Next: ask me what sounds good on the {instrument} and what its range is, "
            "or send me a few bars you have written for it."
        )
    if learned.goals:
        return "Next: send me what you have so far, or ask me for an exercise to start with."
    return None


_ASKS_CADENCES = re.compile(r"\bcadences?\b|\bends?\b|\bclos(?:e|es|ing)\b", re.I)
_ASKS_HARMONY = re.compile(r"\bchords?\b|\bharmon(?:y|ies|ic)\b|\bnumerals?\b|\bprogression", re.I)
_ASKS_PHRASES = re.compile(r"\bphrases?\b|\bform\b|\bstructure\b|\bsections?\b", re.I)
_ASKS_KEYS = re.compile(r"\bmodulat|\bkey changes?\b|\bchange key\b", re.I)
_ASKS_RANGE = re.compile(r"\brange\b|\bhighest\b|\blowest\b|\bhigh note\b|\bspan\b", re.I)


_ASKS_MODE = re.compile(r"\bmod(?:e|es|al)\b", re.I)
_MODE_BASE = {
    "dorian": "natural minor",
    "phrygian": "natural minor",
    "locrian": "natural minor",
    "lydian": "major",
    "mixolydian": "major",
}
"""Each church mode against the major or minor scale it sounds closest to."""

_CADENCE_SOUND = {
    "authentic": "which sounds closed because the dominant resolves to the tonic chord",
    "half": "which sounds open, like a question, because it stops on the dominant",
    "plagal": "a softer close, because the tonic is reached from IV rather than from V",
    "deceptive": "which surprises because the dominant moves to another chord than the tonic",
}
"""How each kind of final cadence sounds, and why: the answer to "how does it end?"."""


def with_article_of(kind: str) -> str:
    """'an authentic', 'a half'.

    >>> with_article_of("authentic"), with_article_of("half")
    ('an authentic', 'a half')
    """
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _mode_colour(tonic: str, mode: str) -> str:
    """Which mode, and the note that makes it that mode, from the theory engine's comparison.

    >>> _mode_colour("D", "dorian")  # doctest: +NORMALIZE_WHITESPACE
    'The tune is in D dorian. D dorian differs from D natural minor in one note: B instead of
    Bb, a raised sixth. That note gives the mode its colour: play it and listen for it.'
    """
    from etude.theory.scales import compare_scales
    from etude.theory.spelling import to_music21

    fact = compare_scales((to_music21(tonic), mode), (to_music21(tonic), _MODE_BASE[mode]))
    return (
        f"The tune is in {tonic} {mode}. {fact.statement} That note gives the mode its colour: "
        "play it and listen for it."
    )


def asked_of_score(question: str, overview: Evidence) -> list[str]:
    """What the question asks about the score, answered from the critic's analysis: the
    cadences with their bars, the chords bar by bar, the phrase ends, the modulations, each
    part's range. "Where are the cadences?" must get the cadences, not only a list of faults.

    >>> report = {"cadences": [{"kind": "half", "bar": 4, "figures": ["I", "V"]}]}
    >>> for line in asked_of_score("where are the cadences?",
    ...     Evidence(tool="critic", kind="analysis", summary="…", data=report)):
    ...     print(line)
    ... # doctest: +NORMALIZE_WHITESPACE
    Cadences: bar 4, half cadence (I – V).
    It ends with a half cadence in bar 4 (I – V), which sounds open, like a question,
    because it stops on the dominant.
    """
    data = overview.data
    said: list[str] = []
    cadences = data.get("cadences") or []
    if _ASKS_CADENCES.search(question) and cadences:
        listed = "; ".join(
            dict.fromkeys(
                f"bar {engraved(c)}, {c['kind']} cadence ({' – '.join(c['figures'])})"
                if c["kind"] != "other"
                else f"bar {engraved(c)}, a phrase ending on {c['figures'][-1]} (after "
                f"{c['figures'][0]})"
                for c in cadences
            )
        )
        said.append(f"Cadences: {listed}.")
        last = cadences[-1]
        if last["kind"] in _CADENCE_SOUND:
            said.append(
                f"It ends with {with_article_of(last['kind'])} cadence in bar {engraved(last)} "
                f"({' – '.join(last['figures'])}), {_CADENCE_SOUND[last['kind']]}."
            )
    key = data.get("key") or {}
    if _ASKS_MODE.search(question) and key.get("mode") in _MODE_BASE:
        said.append(_mode_colour(str(key.get("tonic")), str(key["mode"])))
    harmony = data.get("harmony") or []
    if _ASKS_HARMONY.search(question) and harmony:
        bars: dict[int, list[str]] = {}
        for slice_ in harmony:
            bars.setdefault(int(engraved(slice_) or 0), []).append(str(slice_["figure"]))
        shown = "; ".join(f"bar {bar}: {' – '.join(figs)}" for bar, figs in list(bars.items())[:8])
        more = " …" if len(bars) > 8 else ""
        said.append(f"The chords, beat by beat as numerals in the main key: {shown}{more}.")
    phrases = data.get("phrase_measures") or data.get("phrases") or []
    if _ASKS_PHRASES.search(question) and phrases:
        said.append(
            f"Phrases end at bar{'s' if len(phrases) > 1 else ''} "
            f"{', '.join(str(b) for b in phrases)}."
        )
    modulations = data.get("modulations") or []
    if _ASKS_KEYS.search(question):
        if modulations:
            listed = "; ".join(
                f"bars {engraved(m)}–"
                f"{m['end_bar'] if m.get('end_measure') is None else m['end_measure']} in "
                f"{m['tonic'].replace('-', 'b')} {m['mode']}"
                for m in modulations
            )
            said.append(f"Key changes: {listed}.")
        else:
            said.append("The piece stays in its main key throughout.")
    profiles = data.get("profiles") or []
    if _ASKS_RANGE.search(question) and profiles:
        ranges = "; ".join(
            f"part {p['part'] + 1}: {p['lowest']} to {p['highest']} "
            f"({p['span_semitones']} semitones)"
            for p in profiles
        )
        said.append(f"Ranges: {ranges}.")
    return said
