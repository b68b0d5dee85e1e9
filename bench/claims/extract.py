"""Reading the value a model-written sentence claims, for a subject we know.

A stem asked, say, for the relative minor of E major. The model's sentence is labelled by the
value it gives for that subject: the first note, key, number, interval, quality, note list or
numeral pair right after the subject and a copula ("The relative minor of E major is C#
minor"), or before it ("C# minor is the relative minor of E major"), or a bare answer ("C#
minor."). Anything else is dropped, never guessed:

- no subject-and-copula frame, or no value of the expected kind right after it;
- a value that is only partly given (a note list that is a proper subset of the answer);
- a right value followed by more musical content (another note, a number, an ordinal, a
  quality word …) that this labeller cannot check; a *wrong* value makes the sentence false
  whatever follows, so those are kept;
- a right value in a reply cut off by the token limit.

Nothing here imports ``etude``: the labels must not depend on the code they test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import truth as T

# -- normalising note names ----------------------------------------------------------------------

_WORD_ACC = re.compile(
    r"\b([A-G])[\s-](double[\s-]flat|double[\s-]sharp|flat|sharp|natural(?!\s+minor))\b"
)
_ACC = {"flat": "b", "sharp": "#", "natural": "", "double flat": "bb", "double sharp": "##"}


def normalise(text: str) -> str:
    """Unicode and spelled-out accidentals as compact ASCII: ``B♭``, ``B flat``, ``B-flat`` →
    ``Bb``; dashes and curly quotes as ASCII.

    >>> normalise("B♭ and F sharp minor, not E-flat")
    'Bb and F# minor, not Eb'
    """
    for a, b in {
        "♭": "b",
        "♯": "#",
        "𝄫": "bb",
        "𝄪": "##",
        "♮": "",
        "’": "'",
        "–": "-",
        "—": "-",
        "→": " to ",
    }.items():
        text = text.replace(a, b)
    return _WORD_ACC.sub(lambda m: m[1] + _ACC[m[2].lower().replace("-", " ")], text)


NOTE = r"(?<![\w#])[A-G](?:##|bb|#|b)?(?![\w#'])"
NOTE_RE = re.compile(NOTE)
# A note name that is really the article: "A major third", "A minor seventh chord".
_ARTICLE_A = re.compile(
    r"(?<![\w#])A (?:major|minor|perfect|diminished|augmented|dominant|half|triad|chord|scale"
    r"|semitone|tritone|key|note|cadence|plagal|deceptive|half|perfect|common|the)\b"
)


def notes_in(text: str) -> list[str]:
    """Note names in normalised text, leaving out the article "A" of "A major third"."""
    articles = {
        m.start()
        for m in _ARTICLE_A.finditer(text)
        if not re.match(
            r"A (?:major|minor)\b(?! (?:second|third|fourth|fifth|sixth"
            r"|seventh|ninth|chord|triad|scale|key|pentatonic))",
            text[m.start() :],
        )
    }
    return [m[0] for m in NOTE_RE.finditer(text) if m.start() not in articles]


# -- value patterns ------------------------------------------------------------------------------

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
NUMBER_WORDS = {w: i for i, w in enumerate([*_WORDS, "eleven", "twelve"])}
NUMBER = r"(?:\d+|zero|no|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
QUALITY = r"(?:perfect|major|minor|augmented|diminished)"
NUMWORD = (
    r"(?:unison|second|third|fourth|fifth|sixth|seventh|octave|2nd|3rd|4th|5th|6th"
    r"|7th|8th)"
)
ROMAN = r"(?<![\w])(?:iii|vii|VII|III|ii|vi|iv|II|VI|IV|i|v|I|V)(?:°|o|ø)?7?(?![\w°])"
COPULA = (
    r"\s*(?:,\s*)?(?:is|are|=|:|would be|will be|has|have|contains|consists of"
    r"|is made up of|is made of|is built from|includes|spans)\s*:?\s*"
)
# Ordinals, numbers, qualities, numerals, accidentals, scale-degree names and the nouns of
# theory (root, quality, chord, key …): more musical content, which a sentence whose first
# value is right may not carry if it is to count true.
_MORE_MUSIC = re.compile(
    rf"{NOTE}|\d|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|octave|unison"
    r"|tonic|supertonic|mediant|subdominant|dominant|submediant|leading|subtonic"
    r"|major|minor|diminished|augmented|perfect|tritone|sharps?|flats?|semitones?"
    r"|half[ -]steps?|whole[ -]steps?|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|roots?|quality|qualities|same|different|relative|parallel|chords?|triads?"
    rf"|scales?|keys?|intervals?|degrees?|notes?|accidentals?|signatures?)\b|{ROMAN}"
)
_CLAUSE_END = re.compile(r"^\s*(?:chord|triad|key|scale|note|interval)?\s*[.!?]?\s*$")


def _number(word: str) -> int:
    word = word.lower()
    return 0 if word == "no" else int(word) if word.isdigit() else NUMBER_WORDS[word]


def _name_of_interval(quality: str, number: str) -> str:
    number = {
        "2nd": "second",
        "3rd": "third",
        "4th": "fourth",
        "5th": "fifth",
        "6th": "sixth",
        "7th": "seventh",
        "8th": "octave",
    }.get(number, number)
    return f"{quality.lower()} {number}"


@dataclass(frozen=True)
class Reading:
    """What the sentence claims (``value``), and the text after it (checked for more music)."""

    value: Any
    tail: str


# -- subjects --------------------------------------------------------------------------------


def _note_pat(note: str) -> str:
    return re.escape(note) + r"(?![\w#])"


def _key_pat(tonic: str, mode: str) -> str:
    return _note_pat(tonic) + rf"\s*{mode}"


def subject_patterns(kind: str, p: dict[str, Any]) -> list[str]:
    """Regexes for the ways a sentence names the stem's subject."""
    if kind == "degree":
        key = _key_pat(p["tonic"], p["mode"])
        if "role" in p:
            role = p["role"].replace(" ", r"[\s-]")
            return [
                rf"\b{role}(?:\s+note)?\s+(?:of|in)\s+(?:the\s+)?(?:key\s+of\s+)?{key}"
                r"(?:\s+scale)?",
                rf"{key}'s\s+{role}(?:\s+note)?",
            ]
        ordinal = T.ORDINALS[p["degree"] - 1]
        return [
            rf"\b{ordinal}\s+(?:scale\s+)?(?:degree|note)\s+(?:of|in)\s+(?:the\s+)?{key}"
            r"(?:\s+scale)?"
        ]
    if kind in ("relative_key", "parallel_key"):
        key = _key_pat(p["tonic"], p["mode"])
        other = "minor" if p["mode"] == "major" else "major"
        word = kind.split("_")[0]
        return [
            rf"\b{word}\s+{other}\s+(?:key\s+)?(?:of|for|to)\s+{key}",
            rf"{key}'s\s+{word}\s+{other}",
        ]
    if kind == "key_signature":
        key = _key_pat(p["tonic"], p["mode"])
        return [
            rf"\bkey\s+signature\s+(?:of|for)\s+(?:the\s+key\s+of\s+)?{key}(?:\s+key)?",
            rf"(?:^|\b(?:[Tt]he\s+key\s+of\s+))\s*{key}(?:\s+key|\s+scale)?",
            rf"{key}'s\s+key\s+signature",
        ]
    if kind == "interval_semitones":
        words = T.interval_words(p["code"])
        names = [re.escape(words)] + (["tritone"] if p["code"] in ("A4", "d5") else [])
        return [rf"\b(?:[Aa]n?\s+)?(?:{'|'.join(names)})(?:\s+interval)?"]
    if kind == "interval_name":
        low, high = _note_pat(p["low"]), _note_pat(p["high"])
        return [rf"\b(?:from\s+)?{low}\s+(?:up\s+)?(?:to|and)\s+{high}"]
    if kind == "interval_note":
        words = re.escape(T.interval_words(p["code"]))
        return [
            rf"\b(?:[Aa]n?\s+|[Tt]he\s+(?:note\s+)?)?{words}\s+{p['direction']}\s+"
            rf"{_note_pat(p['root'])}"
        ]
    if kind == "chord_notes":
        from modelgen import SYMBOL

        root = _note_pat(p["root"])[: -len(r"(?![\w#])")]
        symbol = re.escape(SYMBOL[p["kind"]])
        words = p["kind"].replace("-", "[ -]")
        return [
            rf"(?<![\w#]){root}{symbol}(?![\w#])(?:\s+chord)?",
            rf"(?<![\w#]){root}\s+{words}(?:\s+(?:chord|triad))?",
        ]
    if kind == "scale_notes":
        return [rf"{_note_pat(p['tonic'])}\s+{p['kind']}(?:\s+scale)?"]
    if kind == "roman_numeral":
        figure = re.escape(p["figure"]).replace("o", "(?:°|o)")
        key = _key_pat(p["tonic"], p["mode"])
        return [
            rf"\b[Ii]n\s+{key},?\s+(?:the\s+)?{figure}(?:\s+chord)?",
            rf"(?<![\w]){figure}(?:\s+chord)?\s+(?:in|of)\s+{key}",
        ]
    if kind == "chord_quality":
        if "degree" in p:
            ordinal = T.ORDINALS[p["degree"] - 1]
            return [
                rf"\b(?:triad|chord)\s+(?:built\s+)?on\s+the\s+{ordinal}\s+(?:scale\s+)?"
                r"degree(?:\s+of\s+(?:a|the)\s+major\s+(?:scale|key))?"
            ]
        sep = r"\s*(?:,\s*|\s|-)\s*(?:and\s+)?"
        return [sep.join(_note_pat(n) for n in p["notes"])]
    if kind == "cadence":
        name = p["cadence"].replace(" ", r"\s+")
        return [rf"\b{name}\s+cadence"]
    raise ValueError(kind)


# -- values ----------------------------------------------------------------------------------

_KEY_VALUE = re.compile(
    rf"^(?:the\s+)?(?:key\s+of\s+|note\s+|chord\s+)?({NOTE})(?:\s+(major|minor)\b)?"
)
_NOTE_LIST = re.compile(rf"^(?:the\s+notes?\s+)?({NOTE}(?:\s*(?:,|-|/|\s)\s*(?:and\s+)?{NOTE})+)")
_COUNT = re.compile(
    rf"^(?:only\s+|just\s+|exactly\s+)?(?:a\s+total\s+of\s+)?({NUMBER})\s+(sharps?|flats?)\b"
)
_NONE = re.compile(
    r"^no\s+(?:sharps\s+(?:or|and|nor)\s+(?:no\s+)?flats|flats\s+(?:or|and|nor)"
    r"\s+(?:no\s+)?sharps|accidentals)\b"
)
_SEMITONES = re.compile(
    rf"^(?:made\s+(?:up\s+)?of\s+|equal\s+to\s+)?(?:an?\s+)?({NUMBER})"
    r"[\s-]+(?:semitones?|half[\s-]steps?|half[\s-]tones?)\b"
)
_STEP = re.compile(
    r"^(?:exactly\s+|just\s+|only\s+)?an?\s+(semitone|half[ -]step|whole[ -]step"
    r"|whole\s+tone|tone)\b(?!\s+(?:interval|between|above|below|higher|lower))",
    re.IGNORECASE,
)
_INTERVAL = re.compile(
    rf"^(?:an?\s+|the\s+)?(?:interval\s+of\s+(?:an?\s+)?)?(?:({QUALITY})\s+"
    rf"({NUMWORD})|(tritone))\b",
    re.IGNORECASE,
)
_QUALITY_VALUE = re.compile(
    r"^(?:an?\s+example\s+of\s+)?(?:an?\s+|always\s+)?(major|minor|diminished|augmented)\b",
    re.IGNORECASE,
)
_NUM_PAIR = re.compile(
    rf"^(?:from\s+|the\s+)?(?:chords?\s+)?({ROMAN})\s*(?:-|to|and\s+then|then"
    rf"|followed\s+by|,|moving\s+to|and)\s*(?:the\s+)?({ROMAN})"
)
_ENDS_ON = re.compile(rf"^(?:the\s+)?(?:chord\s+)?({ROMAN}|dominant)\b")
_CHORD_VALUE = re.compile(
    rf"^(?:an?\s+|the\s+)?(?:chord\s+)?({NOTE})(?:\s*(major|minor|diminished|augmented|dim|°|m"
    r"|7|maj7|m7)"
    rf"(?![\w])(?:\s+(seventh|triad|chord))?)?"
)


def _value(kind: str, text: str) -> tuple[Any, str] | None:
    """The value at the start of ``text`` (what follows the copula), and the rest."""
    text = text.lstrip()
    if kind in ("degree", "relative_key", "parallel_key", "interval_note"):
        m = _KEY_VALUE.match(text)
        if not m or (kind == "interval_note" and m[2]):
            return None
        return (m[1], m[2]), text[m.end() :]
    if kind in ("chord_notes", "scale_notes"):
        m = _NOTE_LIST.match(text)
        return (notes_in(m[1]), text[m.end() :]) if m else None
    if kind == "key_signature":
        if m := _NONE.match(text):
            return (0, "none"), text[m.end() :]
        m = _COUNT.match(text)
        if not m:
            return None
        count = _number(m[1])
        return (count, "none" if count == 0 else m[2].rstrip("s") + "s"), text[m.end() :]
    if kind == "interval_semitones":
        m = _SEMITONES.match(text)
        if m:
            return _number(m[1]), text[m.end() :]
        m = _STEP.match(text)
        return (
            (1 if m[1].lower() in ("semitone", "half step", "half-step") else 2, text[m.end() :])
            if m
            else None
        )
    if kind == "interval_name":
        m = _INTERVAL.match(text)
        if not m:
            return None
        name = "tritone" if m[3] else _name_of_interval(m[1], m[2])
        return name, text[m.end() :]
    if kind == "chord_quality":
        m = _QUALITY_VALUE.match(text)
        return (m[1].lower(), text[m.end() :]) if m else None
    if kind == "roman_numeral":
        m = _NOTE_LIST.match(text)
        if m and len(notes_in(m[1])) >= 3:
            return ("notes", tuple(notes_in(m[1]))), text[m.end() :]
        m = _CHORD_VALUE.match(text)
        if not m:
            return None
        quality = {
            "dim": "diminished",
            "°": "diminished",
            "m": "minor",
            "7": "dominant seventh",
            "maj7": "major seventh",
            "m7": "minor seventh",
        }.get(m[2] or "", m[2])
        if quality in ("major", "minor") and m[3] == "seventh":
            quality += " seventh"
        return ("chord", m[1], quality), text[m.end() :]
    if kind == "cadence":
        m = _NUM_PAIR.match(text)
        if m:
            return (m[1], m[2]), text[m.end() :]
        m = _ENDS_ON.match(text)
        if m:
            return (None, "V" if m[1] == "dominant" else m[1]), text[m.end() :]
        return None
    raise ValueError(kind)


_BARE = re.compile(
    r"^(?:(?:it|that)(?:'s|\s+is|\s+would\s+be)\s+|the\s+answer\s+is\s+)?", re.IGNORECASE
)
_VALUE_FIRST = {
    # "C# minor is the relative minor of E major", "G is the dominant of C major"
    "degree",
    "relative_key",
    "parallel_key",
    "interval_note",
}


def read(kind: str, params: dict[str, Any], sentence: str) -> Reading | None:
    """The value ``sentence`` claims for the subject, or None when it cannot be read safely."""
    text = normalise(sentence).strip()
    for pattern in subject_patterns(kind, params):
        m = re.search(pattern, text)
        if not m:
            continue
        before = text[: m.start()]
        # "A B7 chord …": the article, not the note A
        bare_before = re.sub(r"^\s*(?:A|An|The)\s+$", "", before)
        if kind != "cadence" and notes_in(bare_before) and kind not in _VALUE_FIRST:
            return None
        rest = text[m.end() :]
        cop = re.match(COPULA, rest)
        if kind == "cadence" and not cop:
            cop = re.match(
                r"\s*(?:goes|moves|progresses|resolves)\s+(?:from\s+)?|\s*ends\s+on\s+"
                r"|\s*(?:is\s+)?(?:formed|made)\s+(?:by|of|from)\s+|\s*stops\s+on\s+",
                rest,
            )
        if cop:
            after = rest[cop.end() :]
            # "The number of semitones in a major third is 4": the unit is in the subject
            if kind == "interval_semitones" and re.search(
                r"number\s+of\s+(?:semitones|half[\s-]steps)\s+in\s+$", before, re.IGNORECASE
            ):
                bare = re.match(rf"^({NUMBER})\b(?![\w-])", after.lstrip())
                if bare and bare[1].lower() != "no":
                    return Reading(_number(bare[1]), after.lstrip()[bare.end() :])
            got = _value(kind, after)
            if got is None:
                return None
            return Reading(got[0], got[1])
        # Value first: "C# minor is the relative minor of E major".
        if kind in _VALUE_FIRST:
            head = re.match(
                r"^(?:the\s+(?:note|key|chord)\s+)?(.*?)\s+(?:is|would\s+be)\s+"
                r"(?:the\s+|an?\s+)?$",
                before,
                re.IGNORECASE,
            )
            if head:
                got = _value(kind, head[1])
                if got is not None and not got[1].strip():
                    return Reading(got[0], rest)
        return None
    # A bare answer that leans on the question: "C# minor.", "It is 4 semitones."
    body = text[_BARE.match(text).end() :]  # type: ignore[union-attr]
    got = _value(kind, body)
    if got is not None and _CLAUSE_END.match(got[1]):
        return Reading(got[0], got[1])
    return None


# -- labels --------------------------------------------------------------------------------------

_AUTHENTIC = {("V", "I"), ("V7", "I"), ("V", "i"), ("V7", "i")}
CADENCE_OK: dict[str, set[tuple[str | None, str]]] = {
    "authentic": _AUTHENTIC,
    "perfect": _AUTHENTIC,
    "perfect authentic": _AUTHENTIC,
    "plagal": {("IV", "I"), ("iv", "i"), ("iv", "I")},
    "deceptive": {("V", "vi"), ("V7", "vi"), ("V", "VI"), ("V7", "VI")},
}


def truth_of(kind: str, p: dict[str, Any]) -> Any:
    """music21's answer for the stem's subject."""
    if kind == "degree":
        if "role" in p:
            return T.role_note(p["tonic"], p["mode"], p["role"])
        return T.degree_note(p["tonic"], p["mode"], p["degree"])
    if kind == "relative_key":
        return T.relative_key(p["tonic"], p["mode"])
    if kind == "parallel_key":
        return T.parallel_key(p["tonic"], p["mode"])
    if kind == "key_signature":
        return T.signature(p["tonic"], p["mode"])
    if kind == "interval_semitones":
        return T.semitones(p["code"])
    if kind == "interval_name":
        return T.interval_words(T.interval_between(p["low"], p["high"]))
    if kind == "interval_note":
        return T.note_at(p["root"], p["code"], p["direction"])
    if kind == "chord_notes":
        return T.chord_notes(p["root"], p["kind"])
    if kind == "scale_notes":
        return T.scale_notes(p["tonic"], p["kind"])
    if kind == "roman_numeral":
        return T.roman_chord(p["figure"], p["tonic"], p["mode"])
    if kind == "chord_quality":
        if "degree" in p:
            return T.chord_quality(T.degree_triad("C", "major", p["degree"]))
        return T.chord_quality(p["notes"])
    if kind == "cadence":
        return CADENCE_OK.get(p["cadence"], "V")
    raise ValueError(kind)


def judge(kind: str, p: dict[str, Any], value: Any) -> bool | None:
    """Whether the read ``value`` is right; None when it is only partly given (undecidable)."""
    right = truth_of(kind, p)
    if kind == "degree":
        note, mode = value
        if note != right:
            return False
        if mode is None:
            return True
        if p["mode"] != "major":
            return None  # a minor key's degree chords depend on which minor: not checked
        degree = p.get("degree") or T.ROLE_DEGREE[p["role"]]
        return T.chord_quality(T.degree_triad(p["tonic"], "major", degree)) == mode
    if kind in ("relative_key", "parallel_key"):
        note, mode = value
        return note == right[0] and (mode is None or mode == right[1])
    if kind == "key_signature":
        count, accidental = value
        return (count, accidental) == right
    if kind == "interval_semitones":
        return value == right
    if kind == "interval_note":
        return value[0] == right
    if kind == "interval_name":
        if value == "tritone":
            return right in ("augmented fourth", "diminished fifth")
        return value == right
    if kind in ("chord_notes", "scale_notes"):
        listed = set(value)
        if not listed <= set(right):
            return False
        return True if listed == set(right) else None
    if kind == "roman_numeral":
        if value[0] == "notes":
            return set(value[1]) == set(right)
        _, root, quality = value
        if root != right[0]:
            return False
        if quality is None:
            return True
        if quality in T.CHORD_KINDS:
            return set(T.chord_notes(root, quality)) == set(right)
        return None
    if kind == "chord_quality":
        return value == right
    if kind == "cadence":
        first, last = value
        if p["cadence"] == "half":
            return last == "V"
        if first is None:
            return None
        return (first, last) in right
    raise ValueError(kind)


def label(kind: str, params: dict[str, Any], sentence: str, end: str = "sentence") -> str | None:
    """``"true"``, ``"false"`` or None (dropped) for a model-written sentence.

    >>> label("relative_key", {"tonic": "E", "mode": "major"},
    ...       "The relative minor of E major is C# minor.")
    'true'
    >>> label("relative_key", {"tonic": "E", "mode": "major"}, "It is E minor.")
    'false'
    >>> label("relative_key", {"tonic": "E", "mode": "major"}, "It is a minor key.") is None
    True
    """
    reading = read(kind, params, sentence)
    if reading is None:
        return None
    verdict = judge(kind, params, reading.value)
    if verdict is None:
        return None
    if verdict is False:
        return "false"
    # the value's own noun ("a diminished triad", "C# minor key") is not more content
    tail = re.sub(r"^\s*(?:triad|chord|key|scale|note|interval)s?\b", "", reading.tail)
    if end == "max_tokens" or _MORE_MUSIC.search(tail):
        return None
    return "true"


def truth_text(kind: str, p: dict[str, Any]) -> str:
    """The right fact for a stem, in one sentence."""
    right = truth_of(kind, p)
    if kind == "degree":
        what = p.get("role") or f"{T.ORDINALS[p['degree'] - 1]} degree"
        return f"The {what} of {p['tonic']} {p['mode']} is {right}."
    if kind in ("relative_key", "parallel_key"):
        return (
            f"The {kind.split('_')[0]} {right[1]} of {p['tonic']} {p['mode']} is "
            f"{right[0]} {right[1]}."
        )
    if kind == "key_signature":
        count, acc = right
        body = (
            "no sharps or flats" if acc == "none" else f"{count} {acc if count > 1 else acc[:-1]}"
        )
        return f"{p['tonic']} {p['mode']} has {body}."
    if kind == "interval_semitones":
        return f"A {T.interval_words(p['code'])} is {right} semitones."
    if kind == "interval_name":
        return f"{p['low']} up to {p['high']} is a {right}."
    if kind == "interval_note":
        return f"A {T.interval_words(p['code'])} {p['direction']} {p['root']} is {right}."
    if kind == "chord_notes":
        return f"{p['root']} {p['kind']} is {', '.join(right)}."
    if kind == "scale_notes":
        return f"The {p['tonic']} {p['kind']} scale is {', '.join(right)}."
    if kind == "roman_numeral":
        return f"{p['figure']} in {p['tonic']} {p['mode']} is {', '.join(right)}."
    if kind == "chord_quality":
        if "degree" in p:
            return (
                f"The triad on the {T.ORDINALS[p['degree'] - 1]} degree of a major scale is "
                f"{right}."
            )
        return f"{', '.join(p['notes'])} is a {right} triad."
    if kind == "cadence":
        if p["cadence"] == "half":
            return "A half cadence ends on V."
        first, last = sorted(right)[-1] if p["cadence"] != "deceptive" else ("V", "vi")
        return f"A {p['cadence']} cadence goes from {first} to {last}."
    raise ValueError(kind)


def arithmetic_truth(kind: str, p: dict[str, Any]) -> Any:
    """The stem's answer derived without music21 (``--check``), in ``truth_of``'s shape;
    None for definitional answers (cadences), which have no second derivation."""
    import arithmetic as A

    if kind == "degree":
        if p.get("role") == "leading tone":
            return A.leading_tone(p["tonic"], p["mode"])
        n = p.get("degree") or T.ROLE_DEGREE[p["role"]]
        return A.degree(p["tonic"], p["mode"], n)
    if kind == "relative_key":
        return A.relative(p["tonic"], p["mode"])
    if kind == "parallel_key":
        return A.parallel(p["tonic"], p["mode"])
    if kind == "key_signature":
        return A.signature(p["tonic"], p["mode"])
    if kind == "interval_semitones":
        return A.semitones(p["code"])
    if kind == "interval_name":
        return A.interval_words(A.interval_code(p["low"], p["high"]))
    if kind == "interval_note":
        up = p["direction"] == "above"
        return A.up(p["root"], p["code"]) if up else A.down(p["root"], p["code"])
    if kind == "chord_notes":
        return A.chord(p["root"], p["kind"])
    if kind == "scale_notes":
        return A.scale(p["tonic"], p["kind"])
    if kind == "roman_numeral":
        return A.roman(p["figure"], p["tonic"], p["mode"])
    if kind == "chord_quality":
        notes = p.get("notes") or [
            A.scale("C", "major")[(p["degree"] - 1 + s) % 7] for s in (0, 2, 4)
        ]
        return A.quality(notes)
    return None
