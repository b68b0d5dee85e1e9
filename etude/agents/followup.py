"""Follow-ups: "and the minor version of that one?" read against what the lesson is about.

A learner talks in a thread: after "what's in a B♭ major triad?" comes "and the minor version
of that one?", after "what's the relative minor of B♭ major?" comes "what's its key signature
then?", after an upload "which bar was that?". Each turn leaves a *subject* in the thread's
state — plain JSON: the chord, key, scale, interval, notes, piece, critic finding or exercise
its evidence was about, with what came just before it (the other key of a relative-key
question, the chord before "the minor version", the list "the second one" picks from). The
next message's references ("that one", "its", "what about F?", "in the other key", "the problem
you mentioned", …) are written out against it before the turn is routed, so the engine
computes what the learner means. A message without such a reference is untouched.

The rewrites are one table (:data:`RULES`): a pattern, the subject kinds it applies to, and
what the message becomes. The first rule that applies and can be written out wins, except the
few marked ``final=False``, which only spell out a phrase in place and let reading go on.

>>> subject = Subject(kind="chord", phrase="Bb major triad", root="Bb", quality="major triad")
>>> resolve("and the minor version of that one?", subject)
'and the Bb minor triad?'
>>> resolve("what's its key signature then?", Subject(kind="key", phrase="G minor", key="G minor"))
'key signature of G minor'
>>> resolve("what is a cadence?", subject)
'what is a cadence?'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from etude.evidence import Evidence
from etude.theory.chords import QUALITY_NAMES


class Subject(BaseModel):
    """What the last answer was about, as phrases the engine reads back (JSON in the thread)."""

    kind: str
    """chord, scale, key, numeral, interval, notes, piece, finding or exercise."""
    phrase: str
    root: str | None = None
    quality: str | None = None
    key: str | None = None
    notes: list[str] = []
    interval: str | None = None
    question: str = ""
    """The question that computed it, to ask again when a follow-up only wants it restated
    (or restated with one thing changed: "what about F?")."""
    other_key: str | None = None
    """The other key of the exchange: after "the relative minor of C major" (A minor) it is
    C major, which is what "in the other key" means."""
    items: list[str] = []
    """One question per member of a list the answer gave (the chords of a key), so "the second
    one" can be asked about."""
    previous: str | None = None
    """The subject of the same kind just before this one ("Bb major triad" before "Bb minor
    triad"), for "which of those notes changed?"."""
    rule: str | None = None
    bar: int | None = None
    slip: str | None = None
    """The note the critique named as a likely slip ("the F4 in bar 1, alto"), which "that
    note" and "what should it be?" mean after it. Without one, the reply answers them from the
    critique itself (:func:`what_that_note_should_be`), never by restating it."""


# ----------------------------------------------------------------------------- the subject


def subject_of(
    evidence: list[Evidence], before: Subject | dict[str, Any] | None = None
) -> Subject | None:
    """The subject a turn leaves: its first computed theory fact, else the critic's reading of
    the piece (its first error, else its first finding, else its key), else the exercise the
    lesson set. ``before`` is the thread's last subject, which the new one remembers.

    >>> fact = Evidence(tool="theory", kind="fact", summary="…", authoritative=True,
    ...     data={"kind": "related_keys", "data": {"key": "Bb major", "answer": "G minor"}})
    >>> found = subject_of([fact])
    >>> found.phrase, found.other_key
    ('G minor', 'Bb major')
    """
    found = _first_subject(evidence)
    if found is None:
        return None
    if isinstance(before, dict):
        before = Subject.model_validate(before)
    if before is None:
        return found
    update: dict[str, Any] = {}
    if before.kind == found.kind and before.phrase != found.phrase:
        update["previous"] = before.phrase
    if found.other_key is None and found.key and before.key:
        other = before.key if before.key != found.key else before.other_key
        if other and other != found.key:
            update["other_key"] = other
    return found.model_copy(update=update)


def _first_subject(evidence: list[Evidence]) -> Subject | None:
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
    for item in evidence:
        if item.tool == "critic" and item.authoritative and "findings" in item.data:
            piece = _piece_subject(item.data)
            slip = next((e.data for e in evidence if e.data.get("type") == "likely_slip"), None)
            if slip is not None:
                where = f"the {slip['pitch']} in bar {slip['bar']}"
                piece = piece.model_copy(update={"slip": where})
            return piece
    for item in evidence:
        if item.tool == "lesson" and item.data.get("type") == "exercise":
            prompt = str(item.data.get("exercise", {}).get("prompt", ""))
            return Subject(kind="exercise", phrase=prompt)
    return None


def _piece_subject(data: dict[str, Any]) -> Subject:
    """The piece the critic read: its key, and the finding a learner would ask about next.

    >>> _piece_subject({"key": {"tonic": "A", "mode": "minor"}, "findings": [
    ...     {"rule": "weak_cadence", "bar": 4, "severity": "info"},
    ...     {"rule": "parallel_fifths", "bar": 2, "severity": "error"}]}).phrase
    'the parallel fifths in bar 2'
    """
    key_data = data.get("key") or {}
    key = f"{key_data['tonic']} {key_data['mode']}" if key_data.get("tonic") else None
    findings = [f for f in data.get("findings") or [] if isinstance(f, dict) and f.get("rule")]
    rank = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda f: rank.get(str(f.get("severity")), 3))
    if not findings:
        return Subject(kind="piece", phrase=f"my piece in {key}" if key else "my piece", key=key)
    first = findings[0]
    words = str(first["rule"]).replace("_", " ")
    bar = int(first["bar"]) if first.get("bar") is not None else None
    where = f" in bar {bar}" if bar is not None else ""
    return Subject(
        kind="finding", phrase=f"the {words}{where}", key=key, rule=str(first["rule"]), bar=bar
    )


def _subject(data: dict[str, Any]) -> Subject | None:
    kind = str(data.get("kind", ""))
    if kind == "chord" and data.get("symbol"):
        root = str(data["root"])
        suffix = str(data["symbol"])[len(root) :].split("/")[0]
        quality = QUALITY_NAMES.get(suffix)
        phrase = f"{root} {quality}" if quality else str(data["symbol"])
        notes = [str(n) for n in data.get("tones") or []]
        return Subject(kind="chord", phrase=phrase, root=root, quality=quality, notes=notes)
    if kind == "scale" and data.get("tonic"):
        phrase = f"{data['tonic']} {data['type']} scale"
        key = None
        if data["type"] in ("major", "natural minor", "harmonic minor", "melodic minor"):
            key = f"{data['tonic']} {'major' if data['type'] == 'major' else 'minor'}"
        return Subject(kind="scale", phrase=phrase, root=str(data["tonic"]), key=key)
    if kind == "related_keys" and data.get("answer"):
        answer = str(data["answer"])
        source = str(data["key"]) if data.get("key") else None
        return Subject(kind="key", phrase=answer, key=answer, other_key=source)
    if kind == "diatonic_chords" and data.get("key"):
        key = str(data["key"])
        items = [f"what is {c['numeral']} in {key}?" for c in data.get("chords") or []]
        return Subject(kind="key", phrase=key, key=key, items=items)
    if kind in ("key_signature", "progression") and data.get("key"):
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
        start = re.search(r"\b(?:above|below|from)\s+([A-G](?:#|b)?)\b", str(data.get("query")))
        return Subject(
            kind="interval",
            phrase=str(data.get("words", "")),
            interval=str(data["name"]),
            root=start.group(1) if start else None,
        )
    if kind == "transposition" and data.get("source"):
        notes = [str(n) for n in data["source"]]
        return Subject(kind="notes", phrase=" ".join(notes), notes=notes)
    if kind == "derivation":
        query = str(data.get("query", ""))
        named = re.search(r"Interval\(name='(\w+)'\)", str(data.get("plan", "")))
        if named and "semitones" in query:
            from etude.theory.intervals import interval_words

            words = interval_words(named.group(1))
            return Subject(kind="interval", phrase=words, interval=named.group(1))
        keys = re.findall(r"[A-G](?:#|b)? (?:major|minor)", query)
        if keys:
            return Subject(kind="key", phrase=query, key=keys[-1])
    return None


# ----------------------------------------------------------------------------- the rules

Rewrite = Callable[[re.Match[str], str, Subject], str | None]
"""What a message becomes, given the rule's match, the message so far and the subject; None
when the subject lacks what the rewrite needs (the next rule is tried)."""


@dataclass(frozen=True)
class Rule:
    """One kind of reference back: how it is worded, which subjects it can mean, and how the
    message is written out against the subject."""

    name: str
    pattern: re.Pattern[str]
    kinds: frozenset[str]
    """Subject kinds it applies to; empty: any."""
    rewrite: Rewrite
    final: bool = True
    """False for a rule that spells out one phrase in place and lets later rules read on."""


_NOTE = r"(?P<name>[A-G](?:#|b|♯|♭|\s+sharp|\s+flat)?)"
_OWN_KEY = re.compile(r"\b[A-G](?:#|b|♯|♭)?\s+(?:major|minor)\b")
_OWN_NOTE = re.compile(r"(?<![\w#])[A-G](?:#|b|♯|♭)?(?![\w#])")
_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "sixth": 5, "6th": 5, "seventh": 6, "7th": 6, "last": -1,
}  # fmt: skip
_PROBLEM = (
    r"the\s+(?:problem|mistake|error|fault|issue)s?"
    r"(?:\s+you\s+(?:mentioned|found|said|spotted|pointed\s+out))?"
)


def _note_name(raw: str) -> str:
    """'F sharp' → 'F#', 'B♭' → 'Bb'."""
    text = re.sub(r"\s+sharp", "#", re.sub(r"\s+flat", "b", raw.strip()))
    return text.replace("♯", "#").replace("♭", "b")


def _swap(question: str, old: str, new: str) -> str:
    """``question`` with the note or key ``old`` (a whole token) replaced by ``new``.

    >>> _swap("key signature of Db major", "Db", "F")
    'key signature of F major'
    >>> _swap("Bb major triad", "B", "C")
    'Bb major triad'
    """
    return re.sub(rf"(?<![\w#]){re.escape(old)}(?![\w#])", new, question)


def _tonic(subject: Subject) -> str | None:
    if subject.kind in ("key", "numeral", "piece", "finding") and subject.key:
        return subject.key.split()[0]
    return subject.root


def _what_about(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'what about F?' / 'and in G?': the last question again on another root or tonic."""
    old = _tonic(subject)
    if not old or not subject.question:
        return None
    new = _note_name(found.group("name"))
    mode = found.groupdict().get("mode")
    if mode and subject.key:
        return _swap(subject.question, subject.key, f"{new} {mode.lower()}")
    moved = _swap(subject.question, old, new)
    return moved if moved != subject.question else None


def _shifted(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'the same thing a whole step higher', 'what about down a whole step?'."""
    way = "up" if found.group("way").lower() in ("higher", "up") else "down"
    amount = found.group("amount")
    if subject.kind in ("notes", "chord") and subject.notes:
        return f"transpose {' '.join(subject.notes)} {way} {amount}"
    return _moved_question(subject, amount, way) or f"transpose {_anchor(subject)} {way} {amount}"


def _from_original(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.notes:
        return None
    way = "down" if found.group("way").lower() == "down" else "up"
    return f"transpose {' '.join(subject.notes)} {way} {found.group('amount')}"


def _other_key(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'and in the other key?': the last question in the exchange's other key."""
    if not (subject.other_key and subject.key and subject.question):
        return None
    moved = _swap(subject.question, subject.key, subject.other_key)
    return moved if moved != subject.question else None


_TO_MINOR = {"I": "i", "IV": "iv", "iii": "III", "vi": "VI", "ii": "ii°"}
_TO_MAJOR = {"i": "I", "iv": "IV", "III": "iii", "VI": "vi", "ii°": "ii"}


def _key_version(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'in the minor version of that key': the last question in the parallel key (a numeral
    takes the quality the degree has there: IV in D major, iv in D minor)."""
    if not (subject.key and subject.question):
        return None
    mode = found.group("mode").lower()
    moved_key = f"{subject.key.split()[0]} {mode}"
    question = _swap(subject.question, subject.key, moved_key)
    if subject.kind == "numeral":
        figure = subject.phrase.split(" in ")[0]
        table = _TO_MINOR if mode == "minor" else _TO_MAJOR
        question = f"what is {table.get(figure, figure)} in {moved_key}?"
    return question if question != subject.question else None


def _version(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'the minor version (of that one)': the same root with another quality."""
    quality = found.group("quality").lower()
    if quality in ("harmonic", "melodic", "natural"):
        quality = f"{quality} minor"  # "the harmonic version" of a minor scale
    if subject.kind in ("key", "piece", "finding") and subject.key and subject.question:
        if quality not in ("major", "minor"):
            return None
        return _swap(subject.question, subject.key, f"{subject.key.split()[0]} {quality}")
    if subject.kind == "interval" and subject.question and subject.phrase:
        number = subject.phrase.split()[-1]
        return subject.question.replace(subject.phrase, f"{quality} {number}")
    if not subject.root:
        return None
    if subject.kind == "chord":
        noun = "triad" if quality in ("major", "minor", "diminished", "augmented") else "chord"
        replacement = f"the {subject.root} {quality} {noun}"
    elif subject.kind == "scale":
        replacement = f"the {subject.root} {quality} scale"
    else:
        replacement = f"{subject.root} {quality}"
    return text[: found.start()] + replacement + text[found.end() :]


def _relative(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.key or _OWN_KEY.search(text):
        return None
    mode = (found.group("mode") or "").lower()
    if not mode:
        mode = "minor" if subject.key.endswith("major") else "major"
    return f"what is the relative {mode} of {subject.key}?"


def _signature(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.key or _OWN_KEY.search(text):
        return None
    return f"key signature of {subject.key}"


def _semitones(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.phrase or _OWN_NOTE.search(text):
        return None
    return f"how many semitones is a {subject.phrase}?"


def _flip(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.interval:
        return None
    from etude.theory.intervals import interval_words

    return f"what is the inversion of a {interval_words(subject.interval)}?"


def _ordinal(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'tell me about the second one' after a list: that member's own question."""
    if not subject.items:
        return None
    index = _ORDINALS[found.group("ord").lower()]
    return subject.items[index] if index < len(subject.items) else None


def _changed(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'which of those notes changed?': both subjects computed side by side."""
    if not subject.previous:
        return None
    return f"compare the {subject.previous} and the {subject.phrase}"


def _member(found: re.Match[str], text: str, subject: Subject) -> str | None:
    chord = subject.phrase if subject.kind == "chord" else subject.quality or subject.phrase
    return f"what is the {found.group('role')} of {chord}?"


def _degree_of_scale(found: re.Match[str], text: str, subject: Subject) -> str | None:
    return f"what is the {found.group('ord').lower()} degree of the {subject.phrase}?"


def _add_seventh(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if subject.kind == "numeral" and subject.key:
        figure = subject.phrase.split(" in ")[0]
        return f"what is {figure}7 in {subject.key}?"
    if subject.kind == "chord" and subject.root and subject.quality:
        if subject.quality.startswith(("diminished", "augmented")):
            return None  # which seventh is meant is the learner's to say
        suffix = "m7" if subject.quality.startswith("minor") else "7"
        return f"spell {subject.root}{suffix}"
    return None


def _why_finding(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.rule:
        return None
    words = subject.rule.replace("_", " ")
    return f"why {'are' if words.endswith('s') else 'is'} {words} a problem?"


def _fix_finding(found: re.Match[str], text: str, subject: Subject) -> str | None:
    return f"how do I fix {subject.phrase} of my piece?"


def _locate_finding(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'which bar was that?', 'the problem you mentioned': the finding named, the piece kept."""
    named = re.sub(rf"\b{_PROBLEM}", subject.phrase, text, flags=re.IGNORECASE)
    named = re.sub(r"\b(?:that|those|it|they)(?=\W*$)", subject.phrase, named, flags=re.I)
    return named if named != text else None


_THAT_NOTE = (
    r"\b(?:that|this|the)\s+(?:note|slip|wrong\s+note)\b"
    r"|\bwhat\s+should\s+(?:it|that|this)\s+be\b"
)
"""A note of the piece, named only by reference: "what should that note be?"."""


_POINTED_NOTE = re.compile(
    r"\b(?:that|this)\s+(?:note|slip|wrong\s+note)\b|\bthe\s+(?:slip|wrong\s+note)\b"
    r"|\bwhat\s+should\s+(?:it|that|this)\s+be\b"
    r"|\bthe\s+note\s+(?:in|at|of)\s+(?:bar|measure)\s+\d+",
    re.IGNORECASE,
)
"""Narrower than :data:`_THAT_NOTE`: "tell me the bar and the note" asks for a finding, not
about one note already pointed at."""


def asks_about_that_note(message: str) -> bool:
    """Whether the message asks about a note of the piece it names only by reference.

    >>> asks_about_that_note("what should that note be instead?")
    True
    >>> asks_about_that_note("which bar was that?"), asks_about_that_note("what is a note?")
    (False, False)
    >>> asks_about_that_note("anything I should fix? tell me the bar and the note")
    False
    """
    return _POINTED_NOTE.search(message) is not None


_SEVERITY = {"error": 0, "warning": 1, "info": 2}
_ASK_WHICH = (
    'Which note do you mean? Tell me its bar and part (for example "bar 3, alto") and I will '
    "look at it."
)
_BAR = re.compile(r"\b(?:bar|measure)\s+(\d+)\b", re.IGNORECASE)


def what_that_note_should_be(message: str, evidence: list[Evidence]) -> str | None:
    """The honest answer to "what should that note be?" after a critique that named no likely
    slip (with one, the slip and the note the style expects answer it: None here).

    Read from the critic's evidence of the piece the thread is about: the note of the first
    checked fix (errors first), else the one note the critique singled out for the encoder,
    else it says plainly that the critique named no note and asks which one is meant. A
    restated critique answers none of these.

    >>> fix = {"why": "Move the soprano's D5 to A4 (bar 2, beat 3): that removes the parallel "
    ...        "octaves and adds no new fault.", "changes": []}
    >>> fault = Evidence(tool="critic", kind="analysis", summary="…", data={
    ...     "rule": "parallel_octaves", "bar": 2, "severity": "error", "suggestion": fix})
    >>> print(what_that_note_should_be("what should that note be?", [fault]))
    ... # doctest: +NORMALIZE_WHITESPACE
    For the parallel octaves in bar 2, the note to change is the one in my checked fix: move
    the soprano's D5 to A4 (bar 2, beat 3). That removes the parallel octaves and adds no new
    fault.
    >>> clean = Evidence(tool="critic", kind="analysis", summary="…", authoritative=True,
    ...     data={"bars": 10, "findings": []})
    >>> print(what_that_note_should_be("what should that note be?", [clean]))
    ... # doctest: +NORMALIZE_WHITESPACE
    My critique did not name a wrong note: none of the rules I check found a fault in these 10
    bars, and no note stood out as a likely slip. Which note do you mean? Tell me its bar and
    part (for example "bar 3, alto") and I will look at it.
    """
    if any(
        item.data.get("type") == "likely_slip" or isinstance(item.data.get("slip"), dict)
        for item in evidence
    ):
        return None
    findings = sorted(
        (item.data for item in evidence if item.tool == "critic" and "rule" in item.data),
        key=lambda data: _SEVERITY.get(str(data.get("severity")), 3),
    )
    named = _BAR.search(message)
    if named is not None:
        bar = int(named.group(1))
        findings = [f for f in findings if bar in (f.get("bar"), f.get("measure"))]
    fixed = [f for f in findings if isinstance(f.get("suggestion"), dict)]
    if fixed:
        first = fixed[0]
        action, _, reason = str(first["suggestion"].get("why", "")).partition(": ")
        if action:
            where = _where(first)
            answer = (
                f"For the {first['rule'].replace('_', ' ')}{where}, the note to change is the "
                f"one in my checked fix: {action[:1].lower()}{action[1:]}."
            )
            if first.get("message"):  # what is wrong, then the fix: the finding always shows
                answer = f"{first['message']} {answer}"
            if reason:
                answer += f" {reason[:1].upper()}{reason[1:]}"
            more = len(fixed) - 1
            if more == 1:
                answer += " One more fault I found has a checked fix of its own: ask me by its bar."
            elif more > 1:
                answer += (
                    f" {more} more faults I found have checked fixes of their own: ask me about "
                    "one by its bar."
                )
            return answer
    # the critic's least expected note, or the encoder tool's ("surprise") when asked this turn
    unexpected = [
        i for i in evidence if i.data.get("type") == "least_expected" or "surprise" in i.data
    ]
    singled = next((i for i in unexpected if i.tool == "critic"), None)
    if singled is not None and named is None:
        return f"The one note my critique singled out: {singled.summary}"
    in_bar = f" in bar {named.group(1)}" if named is not None else ""
    if findings:
        listed = ", ".join(
            f"the {str(f['rule']).replace('_', ' ')}{_where(f)}" for f in findings[:3]
        )
        return (
            f"My critique named no single note to change{in_bar}: it found {listed}, with no "
            "one-note fix suggested. " + _ASK_WHICH
        )
    overview = next((i.data for i in evidence if i.tool == "critic" and "findings" in i.data), None)
    bars = f" in these {overview['bars']} bars" if overview and overview.get("bars") else ""
    if named is not None:
        return f"My critique named no note to change in bar {named.group(1)}. " + _ASK_WHICH
    answer = (
        f"My critique did not name a wrong note: none of the rules I check found a fault{bars}, "
        "and no note stood out as a likely slip. " + _ASK_WHICH
    )
    if unexpected:  # the encoder, asked this turn, found a note worth a listen
        answer += f" One note you could listen to first: {unexpected[0].summary}"
    return answer


def _where(finding: dict[str, Any]) -> str:
    bar = finding.get("measure") if finding.get("measure") is not None else finding.get("bar")
    return f" in bar {bar}" if bar is not None else ""


def _the_slip(found: re.Match[str], text: str, subject: Subject) -> str | None:
    """'what should that note be?': the likely slip the critique named, asked about again (the
    encoder tool answers which note sounds wrong and what the style expects there)."""
    if not subject.slip:
        return None
    return f"which note sounds wrong in my piece ({subject.slip}), and what should it be?"


def _in_that_key(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.key:
        return None
    return text[: found.start()] + f"{found.group('prep')} {subject.key}" + text[found.end() :]


def _degree_of_key(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.key:
        return None
    return text[: found.end()] + f" of {subject.key}" + text[found.end() :]


def _original_notes(found: re.Match[str], text: str, subject: Subject) -> str | None:
    if not subject.notes:
        return None
    return text[: found.start()] + " ".join(subject.notes) + text[found.end() :]


def _its(found: re.Match[str], text: str, subject: Subject) -> str | None:
    return (
        text[: found.start()]
        + f"the {found.group('what')} of {subject.phrase}"
        + text[found.end() :]
    )


def _rule(name: str, pattern: str, kinds: str, rewrite: Rewrite, *, final: bool = True) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), frozenset(kinds.split()), rewrite, final)


_THAT = r"(?:that one|that chord|that scale|that key|that|this one|this|it)"
_QUALITIES = (
    r"harmonic minor|melodic minor|natural minor|dominant seventh|major seventh|minor seventh|"
    r"major|minor|diminished|augmented|harmonic|melodic|natural"
)
_ROLES = r"root|third|3rd|fifth|5th|seventh|7th"
_ORDINAL = "|".join(_ORDINALS)
_KEYED = "key numeral scale piece finding"

RULES: tuple[Rule, ...] = (
    # -- a new root, key or transposition for the last question
    _rule(
        "what about",
        rf"^\W*(?:(?:and|ok|so|then)\W+)?(?:(?:what|how)\s+about\s+|and\s+)(?:in\s+|on\s+)?"
        rf"(?-i:{_NOTE})(?:\s+(?P<mode>major|minor))?(?:\s+instead)?\W*$",
        "chord scale key numeral interval",
        _what_about,
    ),
    _rule(
        "what about a shift",
        r"^\W*(?:and\s+)?(?:what|how)\s+about\s+(?:going\s+|moving\s+|transposing\s+)?"
        r"(?P<way>up|down)\s+(?P<amount>(?:a|an)\s+[\w\s-]+?)\W*$",
        "notes key numeral chord scale",
        _shifted,
    ),
    _rule(
        "transpose it",
        r"\b(?:transpose|move|shift)\s+(?:it|that|them|those(?:\s+notes)?|these(?:\s+notes)?)"
        r"\s+(?P<way>up|down)\s+(?P<amount>(?:a|an)\s+[\w\s-]+?)\W*$",
        "notes chord scale key numeral",
        _shifted,
    ),
    _rule(
        "the same a step higher",
        r"\b(?:the same thing|the same|it|that|them|those notes|these notes)\s+"
        r"(?P<amount>(?:a|an)\s+[\w\s-]+?)\s+(?P<way>higher|lower|up|down)\b",
        "",
        _shifted,
    ),
    _rule(
        "from the original",
        r"\b(?:go|move|transpose it|shift)?\s*(?P<way>up|down)\s+(?P<amount>(?:a|an)\s+[\w\s-]+?)"
        r"\s+from\s+the\s+original(?:\s+notes)?\b",
        "",
        _from_original,
    ),
    _rule("the other key", r"\b(?:in\s+)?the\s+other\s+key\b", "", _other_key),
    _rule(
        "the minor version of that key",
        r"\b(?:in\s+)?the\s+(?P<mode>major|minor)\s+(?:version|form)\s+of\s+(?:that|this|the)"
        r"\s+key\b",
        _KEYED,
        _key_version,
    ),
    _rule(
        "the minor version",
        rf"\b(?:the\s+)?(?P<quality>{_QUALITIES})\s+(?:version|verison|form|one)"
        rf"(?:\s+of\s+{_THAT})?",
        "",
        _version,
        final=False,
    ),
    # -- something about the subject itself
    _rule(
        "its relative",
        r"\b(?:its|the|that key'?s|it'?s)\s+relative(?:\s+(?P<mode>major|minor))?\b"
        r"(?!\s+(?:of|major\s+of|minor\s+of)\b)",
        _KEYED,
        _relative,
    ),
    _rule(
        "its key signature",
        r"\bhow\s+many\s+(?:sharps|flats|accidentals)\b|\b(?:its|the)\s+key\s+signature\b"
        r"(?!\s+of\b)",
        _KEYED,
        _signature,
    ),
    _rule("how many semitones", r"\bhow\s+many\s+semitones\b", "interval", _semitones),
    _rule(
        "flip it",
        r"\b(?:flip|invert|turn)\s+(?:it|that)(?:\s+upside\s+down)?|\b(?:its|the)\s+inversion"
        r"\b(?!\s+of\b)",
        "interval",
        _flip,
    ),
    _rule(
        "the second one",
        rf"\b(?:the\s+)?(?P<ord>{_ORDINAL})\s+(?:one|chord)\b",
        "key",
        _ordinal,
    ),
    _rule(
        "which notes changed",
        r"\bwhich\s+(?:(?:of\s+)?(?:those|these|the)\s+)?notes?\s+(?:changed|(?:is|are|was|"
        r"were)\s+different|moved)|\bwhat\s+(?:has\s+)?changed\b",
        "chord scale",
        _changed,
    ),
    _rule(
        "which is the third",
        rf"\bwhich\s+(?:(?:one|note)\s+)?(?:of\s+(?:those|these|them|its|the)\s+(?:notes\s+)?)?"
        rf"is\s+(?:the\s+)?(?P<role>{_ROLES})\b(?!\s+(?:degree|note)\b)",
        "chord numeral",
        _member,
    ),
    _rule(
        "the fourth degree",
        rf"\b(?:which\s+(?:note|one|degree)\s+is\s+)?the\s+(?P<ord>{_ORDINAL})\s+(?:degree|note)"
        rf"\b(?!\s+of\s+(?:the\s+)?[A-G])",
        "scale",
        _degree_of_scale,
    ),
    _rule(
        "add a seventh",
        r"\badd(?:ed|ing)?\s+(?:a|the)\s+(?:7th|seventh)\b",
        "chord numeral",
        _add_seventh,
    ),
    # -- a finding of the learner's piece
    _rule("that note", _THAT_NOTE, "piece finding", _the_slip),
    _rule(
        "why is that a problem",
        r"\bwhy\s+(?:is|are|was|were)\s+(?:that|this|it|those|these|they)\b",
        "finding",
        _why_finding,
    ),
    _rule(
        "how do I fix it",
        rf"\bhow\s+(?:do|can|should|would|could)\s+i\s+(?:fix|correct|repair|avoid)\s+"
        rf"(?:that|it|this|those|them|{_PROBLEM})",
        "finding",
        _fix_finding,
    ),
    _rule(
        "which bar was that",
        rf"\b(?:which|what)\s+(?:bar|measure|voices?|parts?|beat)\b|\bwhere\s+(?:was|is|were)\b"
        rf"|\b{_PROBLEM}",
        "finding",
        _locate_finding,
    ),
    # -- phrases spelled out in place
    _rule(
        "in that key",
        r"\b(?P<prep>in|of|for)\s+(?:that|this|the\s+same|that\s+same)\s+key\b",
        "",
        _in_that_key,
        final=False,
    ),
    _rule(
        "the dominant triad",
        r"\bthe\s+(?:tonic|supertonic|mediant|subdominant|dominant|submediant|leading[- ]tone)"
        r"\s+(?:triad|chord|note|key)\b(?!\s+(?:of|in)\b)",
        "",
        _degree_of_key,
        final=False,
    ),
    _rule("the original notes", r"\bthe original notes\b", "", _original_notes, final=False),
    _rule(
        "its …",
        r"\bits\s+(?P<what>[a-z ]+?)\b(?=\s+(?:then|now|again)?\s*\??$|\?|$)",
        "chord scale key numeral interval notes piece finding",
        _its,
        final=False,
    ),
)
"""Every reference back the intake writes out, in the order they are tried."""

_RESTATE = re.compile(
    r"^\s*(?:and\s+)?(?:which ones|what are they|what were they|in order|list them|"
    r"which ones,? in order|name them)\b[\s,?.!a-z]*$",
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


_ABOUT_A_FINDING = tuple(
    rule for rule in RULES if rule.kinds and rule.kinds <= frozenset({"piece", "finding"})
)


def asks_about_the_piece(message: str, subject: Subject | None) -> bool:
    """Whether ``message`` asks about the piece or finding the subject is ("which voices were
    those?" after the critic's parallel octaves): the thread's score goes with the turn.

    >>> finding = Subject(kind="finding", phrase="the range in bar 3", rule="range", bar=3)
    >>> asks_about_the_piece("which voice is out of range?", finding)
    True
    >>> asks_about_the_piece("which voice is out of range?", None)
    False
    """
    if subject is None or subject.kind not in ("piece", "finding"):
        return False
    return any(rule.pattern.search(message) for rule in _ABOUT_A_FINDING)


def resolve(message: str, subject: Subject | None) -> str:
    """``message`` with its references to the subject written out (or unchanged).

    >>> chord = Subject(kind="chord", phrase="Bb minor triad", root="Bb",
    ...     quality="minor triad", question="Bb minor triad", previous="Bb major triad")
    >>> resolve("which of those notes changed?", chord)
    'compare the Bb major triad and the Bb minor triad'
    >>> resolve("what about F?", chord)
    'F minor triad'
    >>> key = Subject(kind="numeral", phrase="V in A minor", key="A minor",
    ...     question="V in A minor", other_key="C major")
    >>> resolve("and in the other key?", key)
    'V in C major'
    >>> finding = Subject(kind="finding", phrase="the parallel fifths in bar 2", key="A minor",
    ...     rule="parallel_fifths", bar=2)
    >>> resolve("in which bar was the problem you mentioned?", finding)
    'in which bar was the parallel fifths in bar 2?'
    >>> resolve("and its relative?", finding)
    'what is the relative major of A minor?'
    """
    if subject is None:
        return message
    text = message
    for rule in RULES:
        if rule.kinds and subject.kind not in rule.kinds:
            continue
        found = rule.pattern.search(text)
        if found is None:
            continue
        rewritten = rule.rewrite(found, text, subject)
        if rewritten is None:
            continue
        text = rewritten
        if rule.final:
            return text
    if text == message and _RESTATE.match(message) and subject.question:
        return subject.question
    if text == message:
        return _which_quality(message, subject) or _named_again(message, subject)
    return text


def _moved_question(subject: Subject, amount: str, way: str) -> str | None:
    """The subject's question again, in the key moved by ``amount``: "the same thing a whole
    step higher" after a ii–V–I in E♭ is the ii–V–I in F."""
    if not subject.key or subject.kind not in ("key", "numeral", "scale") or not subject.question:
        return None
    if subject.key not in subject.question:
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
