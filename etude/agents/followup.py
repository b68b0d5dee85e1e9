"""Follow-ups: "and the minor version of that one?" read against what the lesson is about.

A learner talks in a thread: after "what's in a B♭ major triad?" comes "and the minor version
of that one?", after "what's the relative minor of B♭ major?" comes "what's its key signature
then?". Each turn leaves a *subject* in the thread's state — the chord, key, scale, interval or
notes its computed fact was about — and the next message's references to it ("that one",
"its", "the same thing a whole step higher", "flip it", "in that same key", "the original
notes", a bare "the dominant triad") are written out against it before the turn is routed, so
the engine computes what the learner means. A message without such a reference is untouched.

>>> subject = Subject(kind="chord", phrase="Bb major triad", root="Bb", quality="major triad")
>>> resolve("and the minor version of that one?", subject)
'and the Bb minor triad?'
>>> resolve("what's its key signature then?", Subject(kind="key", phrase="G minor", key="G minor"))
"what's the key signature of G minor then?"
>>> resolve("what is a cadence?", subject)
'what is a cadence?'
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from etude.evidence import Evidence
from etude.theory.chords import QUALITY_NAMES


class Subject(BaseModel):
    """What the last computed answer was about, as phrases the engine reads back."""

    kind: str
    phrase: str
    root: str | None = None
    quality: str | None = None
    key: str | None = None
    notes: list[str] = []
    interval: str | None = None
    question: str = ""
    """The question that computed it, to ask again when a follow-up only wants it restated."""


def subject_of(evidence: list[Evidence]) -> Subject | None:
    """The subject a turn leaves: its first computed theory fact, in the engine's words.

    >>> fact = Evidence(tool="theory", kind="fact", summary="…", authoritative=True,
    ...     data={"kind": "related_keys", "data": {"key": "Bb major", "answer": "G minor"}})
    >>> subject_of([fact]).phrase
    'G minor'
    """
    for item in evidence:
        if item.tool != "theory" or item.kind != "fact" or not item.authoritative:
            continue
        # a fact's own details sit in its "data"; its kind and query beside them
        details = {
            **item.data.get("data", {}),
            "kind": item.data.get("kind", ""),
            "query": item.data.get("query", ""),
        }
        found = _subject(details)
        if found is not None:
            return found.model_copy(update={"question": str(item.data.get("query", ""))})
    return None


def _subject(data: dict[str, Any]) -> Subject | None:
    kind = str(data.get("kind", ""))
    if kind == "chord" and data.get("symbol"):
        root = str(data["root"])
        suffix = str(data["symbol"])[len(root) :].split("/")[0]
        quality = QUALITY_NAMES.get(suffix)
        phrase = f"{root} {quality}" if quality else str(data["symbol"])
        return Subject(kind="chord", phrase=phrase, root=root, quality=quality)
    if kind == "scale" and data.get("tonic"):
        phrase = f"{data['tonic']} {data['type']} scale"
        key = None
        if data["type"] in ("major", "natural minor", "harmonic minor", "melodic minor"):
            key = f"{data['tonic']} {'major' if data['type'] == 'major' else 'minor'}"
        return Subject(kind="scale", phrase=phrase, root=str(data["tonic"]), key=key)
    if kind == "related_keys" and data.get("answer"):
        answer = str(data["answer"])
        return Subject(kind="key", phrase=answer, key=answer)
    if kind in ("key_signature", "diatonic_chords", "progression") and data.get("key"):
        key = str(data["key"])
        return Subject(kind="key", phrase=key, key=key)
    if kind == "roman_numeral" and data.get("key"):
        symbol = str(data.get("symbol") or "")
        return Subject(
            kind="numeral",
            phrase=f"{data['figure']} in {data['key']}",
            root=str(data.get("root") or ""),
            key=str(data["key"]),
            quality=symbol,
        )
    if kind == "interval" and data.get("name"):
        return Subject(
            kind="interval", phrase=str(data.get("words", "")), interval=str(data["name"])
        )
    if kind == "transposition" and data.get("source"):
        notes = [str(n) for n in data["source"]]
        return Subject(kind="notes", phrase=" ".join(notes), notes=notes)
    if kind == "derivation":
        keys = re.findall(r"[A-G](?:#|b)? (?:major|minor)", str(data.get("query", "")))
        if keys:
            return Subject(kind="key", phrase=str(data.get("query")), key=keys[-1])
    return None


_THAT = r"(?:that one|that chord|that scale|that key|that|this one|this|it)"
_VERSION = re.compile(
    rf"\b(?:the\s+)?(?P<quality>major|minor|diminished|augmented|harmonic minor|melodic minor|"
    rf"natural minor|dominant seventh|major seventh|minor seventh)\s+(?:version|form|one)"
    rf"(?:\s+of\s+{_THAT})?",
    re.IGNORECASE,
)
_SHIFT = re.compile(
    r"\b(?:the same thing|the same|it|that|them)\s+(?P<amount>(?:a|an)\s+[\w\s-]+?)\s+"
    r"(?P<way>higher|lower|up|down)\b",
    re.IGNORECASE,
)
_FLIP = re.compile(r"\b(?:flip|invert|turn)\s+(?:it|that)(?:\s+upside down)?", re.IGNORECASE)
_SAME_KEY = re.compile(r"\b(?:in\s+)?(?:that|the)\s+same\s+key\b", re.IGNORECASE)
_ORIGINAL = re.compile(r"\bthe original notes\b", re.IGNORECASE)
_FROM_ORIGINAL = re.compile(
    r"\b(?:go|move|transpose it|shift)?\s*(?P<way>up|down)\s+(?P<amount>(?:a|an)\s+[\w\s-]+?)\s+"
    r"from\s+the\s+original(?:\s+notes)?\b",
    re.IGNORECASE,
)
_ADD_SEVENTH = re.compile(r"\badd(?:ed|ing)?\s+(?:a|the)\s+(?:7th|seventh)\b", re.IGNORECASE)
_MEMBER = re.compile(
    r"\bwhich\s+(?:one\s+)?of\s+(?:those|these|them|its|the)\s*(?:notes)?\s+is\s+the\s+"
    r"(?P<role>root|third|3rd|fifth|5th|seventh|7th)\b",
    re.IGNORECASE,
)
_RESTATE = re.compile(
    r"^\s*(?:and\s+)?(?:which ones|what are they|what were they|in order|list them|"
    r"which ones,? in order|name them)\b[\s,?.!a-z]*$",
    re.IGNORECASE,
)
_ITS = re.compile(r"\bits\s+(?P<what>[a-z ]+?)\b(?=\s+(?:then|now|again)?\s*\??$|\?|$)", re.I)
_DEGREE = re.compile(
    r"\bthe\s+(?P<name>tonic|supertonic|mediant|subdominant|dominant|submediant|leading[- ]tone)"
    r"\s+(?P<noun>triad|chord|note|key)\b(?!\s+(?:of|in)\b)",
    re.IGNORECASE,
)


_PRONOUN = re.compile(r"\b(?:that chord|this chord|that scale|that one|this one|it)\b", re.I)
_ASKS_ABOUT = re.compile(
    r"\b(?:resolve[sd]?|resolution|go(?:es)?\s+(?:to|next)|lead(?:s)?\s+to|built|made|"
    r"spell(?:ed)?|notes|sound|use[sd]?|function|work)\b",
    re.I,
)


_WHICH_QUALITY = re.compile(r"\bwhich\b.*\b(?P<quality>diminished|dim|augmented)\b", re.IGNORECASE)
_ONE_OF_A_KIND = {
    ("major", "diminished"): "vii°",
    ("minor", "diminished"): "ii°",
    ("minor", "augmented"): "III+",
}
"""The one triad of its quality among a key's diatonic triads (harmonic minor for III+)."""


def _which_quality(message: str, subject: Subject) -> str | None:
    """'which one's the diminished one?' after the chords of a key: the numeral, asked for.

    >>> _which_quality("which one's the diminished one?", Subject(kind="key", phrase="E major",
    ...     key="E major"))
    'what is vii° in E major?'
    """
    found = _WHICH_QUALITY.search(message)
    if found is None or subject.kind != "key" or not subject.key:
        return None
    quality = "diminished" if found.group("quality").lower().startswith("dim") else "augmented"
    figure = _ONE_OF_A_KIND.get((subject.key.split()[-1], quality))
    return f"what is {figure} in {subject.key}?" if figure else None


_COMPARING = re.compile(r"\bdiffer\w*|\bcompare\w*|\bunlike\b|\bversus\b|\bvs\b", re.I)


def _named_again(message: str, subject: Subject) -> str:
    """'how does it usually resolve?' after the German sixth: the pronoun becomes the subject,
    so the engine computes the chord again, with how it is built and where it goes.

    >>> sub = Subject(kind="numeral", phrase="Ger65 in A minor", key="A minor")
    >>> _named_again("how does it usually resolve?", sub)
    'how does Ger65 in A minor usually resolve?'
    >>> _named_again("is it raining?", sub)
    'is it raining?'
    >>> _named_again("what makes it different from E minor?",
    ...     Subject(kind="scale", phrase="E phrygian scale"))
    'what makes E phrygian scale different from E minor?'
    """
    if subject.kind not in ("chord", "numeral", "scale", "interval"):
        return message
    comparing = _COMPARING.search(message)
    if len(message.split()) > 12 or (re.search(r"\b[A-G](?:#|b)?\b", message) and not comparing):
        return message  # names its own music: not about the subject
    if not _ASKS_ABOUT.search(message) and not comparing:
        return message
    return _PRONOUN.sub(subject.phrase, message, count=1)


def resolve(message: str, subject: Subject | None) -> str:
    """``message`` with its references to the subject written out (or unchanged)."""
    if subject is None:
        return message
    text = message
    version = _VERSION.search(text)
    if version is not None and subject.root:
        quality = version.group("quality").lower()
        if subject.kind == "chord":
            noun = "triad" if quality in ("major", "minor", "diminished", "augmented") else "chord"
            replacement = f"the {subject.root} {quality} {noun}"
        elif subject.kind == "scale":
            replacement = f"the {subject.root} {quality} scale"
        else:
            replacement = f"{subject.root} {quality}"
        text = text[: version.start()] + replacement + text[version.end() :]
    shift = _SHIFT.search(text)
    if shift is not None:
        way = "up" if shift.group("way").lower() in ("higher", "up") else "down"
        moved = _moved_question(subject, shift.group("amount"), way)
        text = moved or f"transpose {_anchor(subject)} {way} {shift.group('amount')}"
    original = _FROM_ORIGINAL.search(text)
    if original is not None and subject.notes:
        way = "down" if original.group("way").lower() == "down" else "up"
        return f"transpose {' '.join(subject.notes)} {way} {original.group('amount')}"
    if _FLIP.search(text) and subject.interval:
        from etude.theory.intervals import interval_words

        return f"what is the inversion of a {interval_words(subject.interval)}?"
    if subject.key:
        text = _SAME_KEY.sub(f"in {subject.key}", text)
        text = _DEGREE.sub(lambda m: f"{m.group(0)} of {subject.key}", text)
    if subject.notes:
        text = _ORIGINAL.sub(" ".join(subject.notes), text)
    seventh = _ADD_SEVENTH.search(text)
    if seventh is not None:
        if subject.kind == "numeral" and subject.key:
            figure = subject.phrase.split(" in ")[0]
            return f"what is {figure}7 in {subject.key}?"
        if subject.kind == "chord" and subject.root and subject.quality:
            suffix = "m7" if subject.quality.startswith("minor") else "7"
            return f"spell {subject.root}{suffix}"
    member = _MEMBER.search(text)
    if member is not None and subject.kind in ("chord", "numeral"):
        chord = subject.phrase if subject.kind == "chord" else subject.quality or subject.phrase
        return f"what is the {member.group('role')} of {chord}?"
    its = _ITS.search(text)
    if its is not None:
        text = (
            text[: its.start()] + f"the {its.group('what')} of {subject.phrase}" + text[its.end() :]
        )
    if text == message and _RESTATE.match(message) and subject.question:
        return subject.question
    if text == message:
        return _which_quality(message, subject) or _named_again(message, subject)
    return text


def _moved_question(subject: Subject, amount: str, way: str) -> str | None:
    """The subject's question again, in the key moved by ``amount``: "the same thing a whole
    step higher" after a ii–V–I in E♭ is the ii–V–I in F."""
    if not subject.key or subject.kind not in ("key", "numeral") or not subject.question:
        return None
    from etude.theory.chains import read_plan
    from etude.theory.plan import PlanError, evaluate, key_name

    plan = read_plan(f"transpose {subject.key} {way} {amount}")
    if plan is None:
        return None
    try:
        moved, _ = evaluate(plan)
    except PlanError:
        return None
    if not hasattr(moved, "mode"):
        return None
    return subject.question.replace(subject.key, key_name(moved))  # type: ignore[arg-type]


def _anchor(subject: Subject) -> str:
    """The subject as something to transpose."""
    if subject.kind == "numeral" and subject.quality:
        return subject.quality
    return subject.phrase
