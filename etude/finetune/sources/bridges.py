"""Bridges: what the embedded model writes in the reply's new shape, and how we teach it.

Since the truthful-replies work, a reply is composed from verified blocks (the computed answer,
its steps, the quoted passage, the critic's findings) and the model only adds a short *bridge*
after them (``agents.tutor``), which the claim checker lets through under the strict policy
only when every sentence makes a claim it verifies and repeats nothing the reply says. A model
tuned on whole replies (adapter v2) restates the evidence, so every bridge it writes is dropped.

The bridge we teach instead carries the turn's idea into a key the reply did not use: "In D
major, a deceptive cadence goes from A major to B minor." — the learner's own key when their
score has one, so the idea lands on their piece. Every such sentence is computed by the theory
engine and passed through the tutor's own :class:`~etude.claims.SentenceGuard` against the
blocks the learner already read; a turn where no idea can be carried over teaches the model to
add nothing (an empty bridge costs no tokens).

The prompts are the tutor's own: ``etude.finetune.bridge_data`` puts each question to the real
graph with :class:`etude.llm.recording.RecordingChatModel` in the model's place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from etude.claims import ClaimContext, SentenceGuard
from etude.evidence import Evidence
from etude.theory.intervals import note_at
from etude.theory.keys import key_signature, relative_key
from etude.theory.roman import realise
from etude.theory.scales import scale_notes
from etude.theory.spelling import keys_in, normalise_text, with_article

Mode = str

BRIDGE_KEYS: tuple[tuple[str, str], ...] = (
    ("G", "major"),
    ("D", "major"),
    ("F", "major"),
    ("E", "minor"),
    ("B", "minor"),
    ("D", "minor"),
)
"""The keys a bridge uses when the learner has no score, in order of preference."""

MAX_SENTENCES = 2
"""The bridge's length under the strict policy (``agents.tutor.BRIDGE_SENTENCES``)."""


def chord_words(figure: str, tonic: str, mode: Mode) -> str:
    """The chord a numeral names in a key, as a learner says it.

    >>> chord_words("V", "D", "major"), chord_words("vi", "D", "major")
    ('A major', 'B minor')
    >>> chord_words("V7", "F", "major"), chord_words("vii°", "G", "major")
    ('C7', 'F# diminished')
    """
    symbol = str(realise(figure, tonic, mode).data["symbol"])  # type: ignore[arg-type]
    root = symbol[:2] if symbol[1:2] in ("#", "b") else symbol[:1]
    rest = symbol[len(root) :]
    if rest == "":
        return f"{root} major"
    if rest == "m":
        return f"{root} minor"
    if rest == "dim":
        return f"{root} diminished"
    return symbol


def key_words(tonic: str, mode: Mode) -> str:
    return f"{tonic} {mode}"


def _tonic_triad(mode: Mode) -> str:
    return "I" if mode == "major" else "i"


def _cadence(kind: str, article: str) -> Callable[[str, Mode], str]:
    def sentence(tonic: str, mode: Mode) -> str:
        home = chord_words(_tonic_triad(mode), tonic, mode)
        five = chord_words("V", tonic, mode)
        where = f"In {key_words(tonic, mode)}, {article} {kind} cadence"
        if kind == "deceptive":
            six = chord_words("vi" if mode == "major" else "VI", tonic, mode)
            return f"{where} goes from {five} to {six}."
        if kind == "plagal":
            four = chord_words("IV" if mode == "major" else "iv", tonic, mode)
            return f"{where} goes from {four} to {home}."
        if kind == "half":
            return f"{where} ends on {five}."
        return f"{where} goes from {five} to {home}."

    return sentence


_MINOR_DEGREES = {"iii": "III", "vi": "VI", "IV": "iv"}
"""Natural minor's own chords on the degrees the major-key numeral names."""


def _degree(name: str, figure: str) -> Callable[[str, Mode], str]:
    def sentence(tonic: str, mode: Mode) -> str:
        numeral = figure if mode == "major" else _MINOR_DEGREES.get(figure, figure)
        root = str(realise(numeral, tonic, mode).data["root"])  # type: ignore[arg-type]
        return f"The {name} of {key_words(tonic, mode)} is {root}."

    return sentence


def _leading_tone(tonic: str, mode: Mode) -> str:
    seventh = scale_notes(tonic, "harmonic minor" if mode == "minor" else "major")[6]
    return f"The leading tone of {key_words(tonic, mode)} is {seventh}."


def _relative(tonic: str, mode: Mode) -> str:
    answer = str(relative_key(tonic, mode).data["answer"])  # type: ignore[arg-type]
    which = "minor" if mode == "major" else "major"
    return f"The relative {which} of {key_words(tonic, mode)} is {answer}."


def _signature(tonic: str, mode: Mode) -> str:
    return key_signature(tonic, mode).statement  # type: ignore[arg-type]


def _dominant_seventh(tonic: str, mode: Mode) -> str:
    fact = realise("V7", tonic, mode)  # type: ignore[arg-type]
    notes = ", ".join(fact.notes)
    return f"In {key_words(tonic, mode)}, V7 is {fact.data['symbol']}: {notes}."


def _two_five_one(tonic: str, mode: Mode) -> str:
    figure = "ii" if mode == "major" else "ii°"
    two = chord_words(figure, tonic, mode)
    five = chord_words("V7", tonic, mode)
    return f"In {key_words(tonic, mode)}, {figure} is {two} and V7 is {five}."


def _harmonic_minor(tonic: str, mode: Mode) -> str:
    raised = scale_notes(tonic, "harmonic minor")[6]
    return f"The {tonic} harmonic minor scale has {with_article(raised)}."


def _interval(name: str) -> Callable[[str, Mode], str]:
    def sentence(tonic: str, mode: Mode) -> str:
        above = note_at(tonic, name).data["result"]
        return f"A {name} above {tonic} is {above}."

    return sentence


@dataclass(frozen=True)
class Idea:
    """One idea a turn can be about, and the sentence that carries it into a key."""

    name: str
    pattern: re.Pattern[str]
    sentence: Callable[[str, Mode], str]
    mode: Mode | None = None
    """The mode the idea needs (harmonic minor is about minor keys), or None for either."""
    family: str = ""
    """Ideas of one family ("cadence") where a specific one ("deceptive") replaces the general
    one ("cadence", ``general``) when both are named."""
    general: bool = False
    asked_only: bool = False
    """Read only in the question: intervals are named in almost every passage and finding
    ("fifths" in a critique of parallels) without being what the turn is about."""


def _idea(
    name: str,
    words: str,
    sentence: Callable[[str, Mode], str],
    *,
    mode: Mode | None = None,
    family: str = "",
    general: bool = False,
    asked_only: bool = False,
) -> Idea:
    pattern = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    return Idea(name, pattern, sentence, mode, family or name, general, asked_only)


IDEAS: tuple[Idea, ...] = (
    _idea("deceptive cadence", r"deceptive|interrupted", _cadence("deceptive", "a"),
          family="cadence"),
    _idea("plagal cadence", r"plagal|amen cadence", _cadence("plagal", "a"), family="cadence"),
    _idea("half cadence", r"half cadences?|half close|imperfect cadences?", _cadence("half", "a"),
          family="cadence"),
    _idea("authentic cadence", r"authentic|perfect cadences?|full close",
          _cadence("authentic", "an"), family="cadence"),
    _idea("cadence", r"cadences?", _cadence("authentic", "an"), family="cadence", general=True),
    _idea("ii-V-I", r"ii[–-]V[–-]I|two[- ]five|ii7?[–-]V7?", _two_five_one),
    _idea("dominant seventh", r"dominant seventh|dominant 7th|V7", _dominant_seventh,
          family="dominant"),
    _idea("dominant", r"dominant|V chord", _degree("dominant", "V"), family="dominant",
          general=True),
    _idea("leading tone", r"leading[- ](?:tone|note)s?", _leading_tone),
    _idea("relative key", r"relative (?:major|minor|keys?)", _relative),
    _idea("key signature", r"key signatures?|circle of fifths", _signature),
    _idea("harmonic minor", r"harmonic minor|raised seventh", _harmonic_minor, mode="minor"),
    _idea("subdominant", r"subdominant|predominant|IV chord", _degree("subdominant", "IV")),
    _idea("mediant", r"mediant", _degree("mediant", "iii")),
    _idea("submediant", r"submediant", _degree("submediant", "vi")),
    _idea("perfect fifth", r"perfect fifths?", _interval("perfect fifth"), asked_only=True),
    _idea("perfect fourth", r"perfect fourths?", _interval("perfect fourth"), asked_only=True),
    _idea("major third", r"major thirds?", _interval("major third"), asked_only=True),
    _idea("minor third", r"minor thirds?", _interval("minor third"), asked_only=True),
    _idea("major sixth", r"major sixths?", _interval("major sixth"), asked_only=True),
    _idea("minor sixth", r"minor sixths?", _interval("minor sixth"), asked_only=True),
    _idea("major second", r"major seconds?", _interval("major second"), asked_only=True),
    _idea("minor second", r"minor seconds?", _interval("minor second"), asked_only=True),
    _idea("major seventh", r"major sevenths?", _interval("major seventh"), asked_only=True),
    _idea("minor seventh", r"minor sevenths?", _interval("minor seventh"), asked_only=True),
)  # fmt: skip
"""The ideas a bridge can carry into a key."""


def ideas_in(text: str, *, asked: bool = True) -> list[Idea]:
    """The ideas a text is about, in the order the text names them, each once; a general idea
    gives way to a specific one of its family. ``asked=False`` reads a passage or a finding,
    where intervals are not the subject.

    >>> [idea.name for idea in ideas_in("Why is a deceptive cadence called deceptive?")]
    ['deceptive cadence']
    >>> [idea.name for idea in ideas_in("What do the leading tone and the dominant do?")]
    ['leading tone', 'dominant']
    >>> [idea.name for idea in ideas_in("Parallel fifths in a cadence", asked=False)]
    ['cadence']
    """
    found: list[tuple[int, Idea]] = []
    for idea in IDEAS:
        if idea.asked_only and not asked:
            continue
        match = idea.pattern.search(text)
        if match is not None:
            found.append((match.start(), idea))
    specific = {idea.family for _, idea in found if not idea.general}
    return [
        idea
        for _, idea in sorted(found, key=lambda pair: pair[0])
        if not (idea.general and idea.family in specific)
    ]


def _named_keys(text: str) -> set[tuple[str, str]]:
    found = set()
    for name in keys_in(normalise_text(text)):
        tonic, mode = name.split()
        found.add((tonic, mode))
    return found


def choose_key(
    question: str, evidence: Sequence[Evidence], mode: Mode | None = None
) -> tuple[str, str]:
    """The key the bridge carries the idea into: the learner's score's key when there is one
    (the idea then lands on their own piece), else the first of G major, D major, F major (E,
    B, D minor) that the turn did not name — one sharp from C, where the reply's examples
    usually are, and always the same, so a small model can learn the chords exactly.

    >>> choose_key("Why does the leading tone rise?", [])
    ('G', 'major')
    >>> choose_key("In G major, why does the leading tone rise?", [], mode="minor")
    ('E', 'minor')
    >>> choose_key("What about G major and E minor?", [], mode="minor")
    ('B', 'minor')
    """
    for item in evidence:
        key = item.data.get("key") if item.tool == "critic" else None
        if isinstance(key, dict) and key.get("mode") in ("major", "minor"):
            tonic, score_mode = str(key["tonic"]).replace("-", "b"), str(key["mode"])
            if mode is None or score_mode == mode:
                return tonic, score_mode
    named = _named_keys(question + " " + " ".join(item.summary for item in evidence))
    wanted = mode or "major"
    choices = [k for k in BRIDGE_KEYS if k[1] == wanted]
    return next((k for k in choices if k not in named), choices[0])


def _first_finding(evidence: Sequence[Evidence]) -> str:
    for item in evidence:
        findings = item.data.get("findings") if item.tool == "critic" else None
        if isinstance(findings, list) and findings and isinstance(findings[0], dict):
            return str(findings[0].get("message", ""))
    return ""


def turn_ideas(question: str, evidence: Sequence[Evidence]) -> list[Idea]:
    """What the turn is about: the ideas the question names, else, on a score, the first idea
    of the critic's first finding. A passage's asides ("… as in an authentic cadence") are not
    the subject, so a question naming no idea gets no bridge.

    >>> [idea.name for idea in turn_ideas("Why is the deceptive cadence a surprise?", [])]
    ['deceptive cadence']
    >>> finding = Evidence(tool="critic", kind="analysis", summary="", data={"findings": [
    ...     {"message": "The leading tone C#5 moves to A4 instead of rising to D5."}]})
    >>> [idea.name for idea in turn_ideas("Can you check my piece?", [finding])]
    ['leading tone']
    """
    asked = ideas_in(question)
    if asked:
        return asked
    return ideas_in(_first_finding(evidence), asked=False)[:1]


def candidate_sentences(question: str, evidence: Sequence[Evidence]) -> Iterator[str]:
    """Sentences that carry the turn's ideas into one key. Each is computed; whether it may
    be shown is the guard's decision."""
    ideas = turn_ideas(question, evidence)
    if not ideas:
        return
    needed = next((idea.mode for idea in ideas if idea.mode), None)
    tonic, mode = choose_key(question, evidence, needed)
    for idea in ideas:
        if idea.mode and idea.mode != mode:
            continue
        try:
            yield idea.sentence(tonic, mode)
        except (KeyError, IndexError, ValueError):  # an idea the engine cannot realise there
            continue


def bridge_for(
    question: str,
    evidence: Sequence[Evidence],
    said: Iterable[str],
    *,
    limit: int = MAX_SENTENCES,
) -> str:
    """The bridge to teach for this turn: up to ``limit`` carried-over sentences that the
    tutor's strict guard lets through after what the reply said; "" when none does."""
    guard = SentenceGuard(
        ClaimContext.of(question, list(evidence)), policy="strict", said=said, plain=False
    )
    kept: list[str] = []
    for sentence in candidate_sentences(question, evidence):
        if len(kept) >= limit:
            break
        if guard.allows(sentence):
            kept.append(sentence)
    return " ".join(kept)
