"""How words sound: syllables, stress and rhyming parts from the CMU Pronouncing Dictionary.

Lyrics are judged by ear, not by spelling, so every count and rhyme starts from CMU phones
(the ``pronouncing`` package, which ships the dictionary). Songs are full of words the
dictionary lacks (names, slang, archaic "tuffet"), so each question also has a spelling-based
fallback: a lyric with one unknown word must still get a syllable count and a rhyme scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pronouncing

_VOWEL_PHONE = re.compile(r"[AEIOU]")
_STRESS = re.compile(r"\d")

ARCHAIC: dict[str, str] = {
    "o'er": "or",
    "e'er": "air",
    "ne'er": "nair",
    "'tis": "tiz",
    "'twas": "twuz",
    "'twill": "twill",
    "th'": "the",
    "heav'n": "heavn",
    "ev'ry": "evry",
    "canst": "canst",
}
"""Poetic contractions mapped to a spelling the dictionary (or the fallback) reads right."""

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "so",
        "yet",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "than",
        "that",
        "this",
        "these",
        "those",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "shall",
        "should",
        "can",
        "could",
        "may",
        "might",
        "must",
        "i",
        "me",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "thee",
        "thou",
        "thy",
        "thine",
        "not",
        "if",
        "when",
        "while",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "what",
        "o",
        "oh",
    ]
)
"""Monosyllables that are unstressed in running speech although CMU marks them stressed."""


@dataclass(frozen=True)
class WordSound:
    """One word's sound: syllables (the usual count, and the fewest and most a singer may
    use), its stress pattern ('1' stressed, '0' unstressed), rhyming parts, and whether the
    dictionary knew it (directly, or through a known stem or the two words of a compound)."""

    word: str
    syllables: int
    min_syllables: int
    max_syllables: int
    stress: str
    rhyme: tuple[str, ...]
    known: bool
    rhymes: tuple[tuple[str, ...], ...] = ()
    """Every rhyming part the word may be heard with: from the last primary and the last
    secondary stress of each pronunciation (pony: OW N IY or IY; moonbeam: UW N B IY M or
    IY M). ``rhyme`` is the first of them."""
    pronunciations: tuple[str, ...] = ()
    """Its pronunciations with stress digits, the dictionary's first first; none when read
    from the spelling."""

    @property
    def phones(self) -> str:
        return self.pronunciations[0] if self.pronunciations else ""


_PUNCTUATION = '.,;:!?"“”‘()[]—–-_*…'


def clean_word(token: str) -> str:
    """Lower-case a token and strip surrounding punctuation and quotes, keeping inner
    apostrophes and those of contractions ('tis, th').

    >>> clean_word("Heav'n!"), clean_word("'Tis"), clean_word("“Hope”"), clean_word("I!'")
    ("heav'n", "'tis", 'hope', 'i')
    """
    word = token.lower().replace("’", "'").replace("‘", "'")
    while True:
        before = word
        word = word.strip(_PUNCTUATION)
        if word.startswith("'") and word not in ARCHAIC:
            word = word[1:]
        if word.endswith("'") and word not in ARCHAIC:
            word = word[:-1]
        if word == before:
            return word


def words_of(line: str) -> list[str]:
    """The words of a lyric line, cleaned; hyphenated words are split ("love-lorn").

    >>> words_of("Twinkle, twinkle, little star, — how I wonder!")
    ['twinkle', 'twinkle', 'little', 'star', 'how', 'i', 'wonder']
    """
    tokens = re.split(r"[\s\-—–]+", line)
    return [w for w in (clean_word(t) for t in tokens) if w and any(c.isalpha() for c in w)]


_INFLECTIONS = (
    ("'s", "Z"), ("es", "IH0 Z"), ("s", "Z"), ("'d", "D"), ("ed", "D"), ("d", "D"),
    ("ing", "IH0 NG"), ("ly", "L IY0"), ("er", "ER0"), ("est", "AH0 S T"),
    ("ness", "N AH0 S"), ("less", "L AH0 S"), ("ful", "F AH0 L"), ("ment", "M AH0 N T"),
)  # fmt: skip
"""Endings whose sound is added to a known stem when the dictionary lacks the whole word."""


def dictionary_phones(word: str) -> list[str]:
    """CMU pronunciations of a (cleaned) word; for a word CMU lacks, one built from words it
    has: an inflection of a known stem ("slumbers") or a compound of two ("sleepyhead").

    >>> dictionary_phones("slumbers"), dictionary_phones("sleepyhead")
    (['S L AH1 M B ER0 Z'], ['S L IY1 P IY0 HH EH1 D'])
    >>> dictionary_phones("loveliness")
    ['L AH1 V L IY0 N AH0 S']
    """
    lookup = ARCHAIC.get(word, word)
    for candidate in (lookup, lookup[:-2] + "ed" if lookup.endswith("'d") else "",
                      lookup.replace("'", "")):  # fmt: skip
        phones = pronouncing.phones_for_word(candidate) if candidate else []
        if phones:
            return phones
    plain = lookup.replace("'", "")
    for ending, tail in _INFLECTIONS:
        bare = ending.replace("'", "")
        stem = plain[: -len(bare)]
        if plain.endswith(bare) and len(stem) >= 3:
            # the stem as written, with the e the ending swallowed (hoped: hope + d), or
            # with its y (loveliness: lovely + ness)
            guesses = [(stem, tail)]
            if bare[0] == "e":
                guesses.append((stem + "e", tail.replace("IH0 ", "")))
            if stem.endswith("i"):
                guesses.append((stem[:-1] + "y", tail))
            for guess, sounded in guesses:
                phones = pronouncing.phones_for_word(guess)
                if phones:
                    return [f"{phones[0]} {sounded}"]
    for cut in range(3, len(plain) - 2):
        head, tail_phones = (pronouncing.phones_for_word(plain[:cut]),
                             pronouncing.phones_for_word(plain[cut:]))  # fmt: skip
        if head and tail_phones:
            return [f"{head[0]} {tail_phones[0]}"]
    return []


@lru_cache(maxsize=20000)
def sound(word: str) -> WordSound:
    """The sound of one (cleaned) word, from CMU or, failing that, from its spelling.

    >>> sound("every").syllables, sound("every").min_syllables
    (3, 2)
    >>> sound("our").syllables, sound("trembling").syllables, sound("baa").syllables
    (1, 2, 1)
    >>> sound("didn't").syllables, sound("don't").syllables
    (2, 1)
    >>> sound("tuffet").known, sound("tuffet").syllables, sound("tuffet").rhyme
    (False, 2, ('EH', 'T'))
    """
    lookup = ARCHAIC.get(word, word)
    phones = dictionary_phones(word)
    if not phones:
        return _from_spelling(word)
    first = phones[0]
    counts = [_count(p) for p in phones]
    spelled = spelled_syllables(lookup)
    if counts[0] - spelled >= 2 and len(phones) == 1:
        # CMU reads some short words as spelled-out letters ("baa" as B-A-A).
        return _from_spelling(word)
    fewest = min(min(counts), *(_synaeresis(p) for p in phones), *(_syncope(p) for p in phones))
    most = max(counts)
    # CMU's first reading unless the spelling picks another of its readings (trembling,
    # temperate) or the one-syllable fire, hour, our.
    usual = spelled if spelled in counts or spelled == _synaeresis(first) else counts[0]
    stress = "".join("0" if s == "0" else "1" for s in _STRESS.findall(first))
    if len(stress) == 1:
        stress = "0" if word in FUNCTION_WORDS else "1"
    rhymes = tuple(dict.fromkeys(part for p in phones for part in rhyme_parts(p)))
    return WordSound(word, usual, fewest, most, stress, rhymes[0], True, rhymes, tuple(phones))


def rhyme_parts(phones: str) -> list[tuple[str, ...]]:
    """Rhyming parts of one pronunciation, from its last primary stress and from its last
    stress of any kind, without stress digits.

    >>> rhyme_parts("P OW1 N IY2"), rhyme_parts("S T AA1 R")
    ([('OW', 'N', 'IY'), ('IY',)], [('AA', 'R')])
    """
    split = phones.split()
    parts = []
    for marks in ("1", "12"):
        stressed = [i for i, p in enumerate(split) if p[-1] in marks]
        start = stressed[-1] if stressed else next(
            (i for i, p in enumerate(split) if p[-1].isdigit()), 0)  # fmt: skip
        parts.append(tuple(_STRESS.sub("", p) for p in split[start:]))
    return list(dict.fromkeys(parts))


def _count(phones: str) -> int:
    return len(_STRESS.findall(phones))


def _synaeresis(phones: str) -> int:
    """Fewest syllables when a diphthong + ER (fire, flower, hour) is sung as one."""
    count = _count(phones)
    merged = re.findall(r"(?:AY|AW|OW|EY|OY)\d (?:[RL] )?(?:ER|AH)0", phones)
    return count - len(merged)


_SYNCOPE = re.compile(
    r"[AEIOU][A-Z]?[12] (?:[^AEIOU ]+ ){1,2}(?:AH0|ER0|IH0) (?:[NLRM] (?:[^AEIOU ]+ )?)?[AEIOU]"
)


def _syncope(phones: str) -> int:
    """Fewest syllables when an unstressed vowel after a stressed syllable is dropped before
    another vowel or a sonorant (ev'ry, heav'nly, flutt'ring, op'ning), as verse often does."""
    return _count(phones) - len(_SYNCOPE.findall(phones))


_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def spelled_syllables(word: str) -> int:
    """Syllables guessed from spelling: vowel groups, less a silent final e, plus the
    syllabic n of "-n't" after a consonant (didn't, couldn't), at least one.

    >>> [spelled_syllables(w) for w in ["tuffet", "winkie", "dickory", "moonbeam", "gloaming"]]
    [2, 2, 3, 2, 2]
    >>> [spelled_syllables(w) for w in ["didn't", "wasn't", "don't", "can't"]]
    [2, 2, 1, 1]
    """
    lowered = word.lower().replace("’", "'")
    letters = re.sub(r"[^a-z]", "", lowered)
    groups = _VOWEL_GROUP.findall(letters)
    count = len(groups)
    if letters.endswith("e") and not letters.endswith(("le", "ee", "ie", "ye")) and count > 1:
        count -= 1
    if (
        letters.endswith(("es", "ed"))
        and count > 1
        and not letters.endswith(("tes", "des", "ted", "ded"))
    ):
        count -= 1
    if re.search(r"[^aeiouyr']n't$", lowered):
        count += 1
    return max(1, count)


_SPELLING_SOUNDS = (
    ("igh", "AY"), ("ight", "AY T"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"), ("ay", "EY"),
    ("ai", "EY"), ("ow", "OW"), ("ou", "AW"), ("oa", "OW"), ("ie", "IY"), ("y", "IY"),
)  # fmt: skip
_LONG = {"a": "EY", "e": "IY", "i": "AY", "o": "OW", "u": "UW", "y": "AY"}
"""A single vowel letter before one consonant and a silent e (syne, bide), or ending a word
of more than one syllable (Eldorado, banjo), is long."""
_FINAL_OPEN = {"a": "AH", "i": "IY", "o": "OW", "u": "UW", "y": "IY"}


def _from_spelling(word: str) -> WordSound:
    """A word CMU lacks: count vowel groups and take its last vowel group onward as the rhyme.

    >>> _from_spelling("syne").rhyme, _from_spelling("banjoo").rhyme, _from_spelling("ilo").rhyme
    (('AY', 'N'), ('UW',), ('OW',))
    """
    letters = re.sub(r"[^a-z]", "", word)
    count = spelled_syllables(word)
    match = re.search(r"([aeiouy]+)([^aeiouy]*)(e?)$", letters)
    rhyme: tuple[str, ...] = ()
    if match:
        vowel, coda, silent = match.groups()
        phone = next((p for s, p in _SPELLING_SOUNDS if vowel == s), _SHORT.get(vowel[-1], "AH"))
        if len(vowel) == 1 and silent and len(coda) == 1:
            phone = _LONG[vowel]
        elif len(vowel) == 1 and not coda and not silent:
            phone = _FINAL_OPEN.get(vowel, phone)
        rhyme = (*phone.split(), *(sound for c in _squeeze(coda) for sound in c.split()))
    stress = "1" + "0" * (count - 1)
    return WordSound(word, count, count, count, stress, rhyme, False, (rhyme,) if rhyme else ())


_SHORT = {"a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "AH", "y": "IY"}
_CONSONANTS = {"c": "K", "k": "K", "q": "K", "x": "K S", "j": "JH", "g": "G", "s": "S", "z": "Z"}


def _squeeze(coda: str) -> list[str]:
    """Sounds of a coda's consonant letters with doubled letters and silent ones collapsed."""
    out: list[str] = []
    for char in coda.replace("ck", "k").replace("gh", ""):
        if not out or out[-1] != char:
            out.append(char)
    return [_CONSONANTS.get(c, c.upper()) for c in out]


def line_syllables(line: str) -> tuple[int, int, int]:
    """(usual, fewest, most) syllables of a line, the extremes from the contractions and
    fuller readings singers use.

    >>> line_syllables("Twinkle, twinkle, little star")
    (7, 7, 7)
    """
    sounds = [sound(w) for w in words_of(line)]
    return (
        sum(s.syllables for s in sounds),
        sum(s.min_syllables for s in sounds),
        sum(s.max_syllables for s in sounds),
    )


def line_stress(line: str) -> str:
    """The line's stress pattern, one character per syllable: '/' stressed, 'u' unstressed.

    >>> line_stress("Twinkle, twinkle, little star")
    '/u/u/u/'
    """
    return "".join("/" if mark == "1" else "u" for w in words_of(line) for mark in sound(w).stress)


def _vowel(phone: str) -> bool:
    return bool(_VOWEL_PHONE.match(phone))


_MERGED = {"AO": "AA"}
"""Vowels most singers no longer distinguish (cot/caught), so top/walk can rhyme."""

_CLASSES = (
    {"M", "N", "NG"},
    {"P", "B"},
    {"T", "D"},
    {"K", "G"},
    {"F", "V"},
    {"S", "Z"},
    {"TH", "DH"},
    {"SH", "ZH"},
    {"CH", "JH"},
    {"P", "T", "K"},
    {"B", "D", "G"},
)
"""Consonants that sound alike at a line end: nasals, voicing pairs, and stops of one voicing
(top/rock), the near rhymes songwriters use freely."""


def _same_class(a: str, b: str) -> bool:
    return a == b or any(a in c and b in c for c in _CLASSES)


@dataclass(frozen=True)
class LineEnd:
    """What a line ends with, as the ear hears it: the end word's spelling (two words for a
    mosaic rhyme), its rhyming parts and its pronunciations (none when read from spelling)."""

    spelling: str
    rhymes: tuple[tuple[str, ...], ...]
    pronunciations: tuple[str, ...]


def word_end(word: str) -> LineEnd:
    heard = sound(word)
    return LineEnd(word, heard.rhymes, heard.pronunciations)


def rhyme_score(first: str, second: str) -> float:
    """How well two words rhyme (see ``end_score``).

    >>> rhyme_score("star", "are"), rhyme_score("time", "mine"), rhyme_score("soul", "all")
    (1.0, 0.8, 0.6)
    >>> rhyme_score("feathers", "words"), rhyme_score("pony", "macaroni")
    (0.0, 1.0)
    """
    return end_score(word_end(first), word_end(second))


ENCLITICS = frozenset({"her", "him", "them", "it"})
"""Unstressed pronouns that lean on the word before them, making mosaic rhymes
("spider" / "beside her")."""


def line_rhyme(words: list[str]) -> LineEnd:
    """A line's end: the last word, or the last two words when the last is an unstressed
    pronoun (its h dropped, as it is sung).

    >>> line_rhyme(["who", "sat", "down", "beside", "her"]).rhymes
    (('AY', 'D', 'ER'),)
    """
    if not words:
        return LineEnd("", (), ())
    last = words[-1]
    if last in ENCLITICS and len(words) > 1 and sound(words[-2]).known and sound(last).known:
        host = sound(words[-2]).phones
        tail = sound(last).phones.replace("1", "0").split()
        if tail[0] == "HH":
            tail = tail[1:]
        joined = " ".join([host, *tail])
        return LineEnd(words[-2] + last, tuple(rhyme_parts(joined)[:1]), (joined,))
    return word_end(last)


def end_score(a: LineEnd, b: LineEnd) -> float:
    """How well two line ends rhyme, as songwriters and the poets of these verses count:

    - 1 perfect (or the same word);
    - 0.8 near: same stressed vowel, kindred final consonants (time/mine, top/rock);
    - 0.7 additive: one more final t, d, s or z (mind/line);
    - 0.6 consonance: different vowels, the same final consonants, when they hold a liquid
      (soul/all, worm/storm) or the spelling rhymes too: the eye rhymes of hymns and sonnets
      (love/move, proved/loved);
    - 0.6 weak: the same unstressed last syllable (water/after, shadow/Eldorado);
    - 0.6 light: an unstressed last syllable against a stressed one that it matches in
      sound (symmetry/eye, immortality/me, die/memory) or in spelling (temperate/date);
    - else 0.

    >>> rhyme_score("worm", "storm"), rhyme_score("proved", "loved"), rhyme_score("eye", "symmetry")
    (0.6, 0.6, 0.6)
    """
    if a.spelling and a.spelling == b.spelling:
        return 1.0
    best = max(
        (parts_score(x, y, a.spelling, b.spelling) for x in a.rhymes for y in b.rhymes),
        default=0.0,
    )
    if best >= 0.6:
        return best
    for first in a.pronunciations:
        for second in b.pronunciations:
            weak_a, weak_b = _weak_syllable(first), _weak_syllable(second)
            if weak_a and weak_a == weak_b:
                return 0.6
            if _light(first, a.spelling, b) or _light(second, b.spelling, a):
                return 0.6
    return best


def _light(phones: str, spelling: str, other: LineEnd) -> bool:
    """A light rhyme: the last syllable of a word stressed two or more syllables before its
    end (im-mor-TAL-i-ty, MEM-o-ry), which the metre promotes to a beat, on a stressed
    syllable. A feminine ending (MON-ey) is not promoted and makes no light rhyme."""
    weak = _weak_syllable(phones)
    split = phones.split()
    primary = max((i for i, p in enumerate(split) if p.endswith("1")), default=0)
    if not weak or not other.rhymes or sum(p[-1].isdigit() for p in split[primary + 1 :]) < 2:
        return False
    stressed = other.rhymes[0]
    if len(stressed) != len(weak) or any(_vowel(p) for p in stressed[1:]):
        return False
    if weak == ("IY",) and stressed in (("IY",), ("AY",)):
        return True
    return weak[1:] == stressed[1:] and _eye(spelling, other.spelling)


def _eye(first: str, second: str) -> bool:
    """Whether two words end alike in spelling over three letters or more, a vowel among
    them (love/move, come/home, proved/loved, temperate/date)."""
    shared = 0
    while shared < min(len(first), len(second)) and first[-1 - shared] == second[-1 - shared]:
        shared += 1
    return shared >= 3 and any(c in "aeiouy" for c in first[-shared:])


def _r_coloured(part: tuple[str, ...]) -> tuple[str, ...]:
    """ER heard as a vowel and an r, so that worm (ER M) meets storm (AO R M)."""
    return (part[0], "R", *part[1:]) if part and part[0] == "ER" else part


def parts_score(a: tuple[str, ...], b: tuple[str, ...], first: str, second: str) -> float:
    """``end_score``'s perfect, near, additive and consonance rhymes on two rhyming parts;
    ``first``/``second`` are the spellings."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    vowel_a, coda_a = _MERGED.get(a[0], a[0]), a[1:]
    vowel_b, coda_b = _MERGED.get(b[0], b[0]), b[1:]
    if not _vowel(vowel_a) or not _vowel(vowel_b):
        return 0.0
    if vowel_a == vowel_b:
        if len(coda_a) == len(coda_b) and all(
            _same_class(x, y) for x, y in zip(coda_a, coda_b, strict=True)
        ):
            return 0.8
        shorter, longer = sorted((coda_a, coda_b), key=len)
        if (
            shorter
            and len(longer) == len(shorter) + 1
            and longer[:-1] == shorter
            and (longer[-1] in {"T", "D", "S", "Z"})
        ):
            return 0.7
        return 0.0
    a, b = _r_coloured(a), _r_coloured(b)
    coda_a, coda_b = a[1:], b[1:]
    single = not any(_vowel(p) for p in (*coda_a, *coda_b))
    liquid_or_eye = bool({"L", "R"} & set(coda_a)) or _eye(first, second)
    if coda_a and coda_a == coda_b and single and liquid_or_eye:
        return 0.6
    return 0.0


def _weak_syllable(phones: str) -> tuple[str, ...]:
    """The last syllable (vowel and coda) of a polysyllable when it is not the main stress:
    where the weak rhymes of ballads (water/after) and light rhymes (symmetry/eye) fall."""
    split = phones.split()
    vowels = [i for i, p in enumerate(split) if p[-1].isdigit()]
    if len(vowels) < 2 or split[vowels[-1]][-1] == "1":
        return ()
    return tuple(_STRESS.sub("", p) for p in split[vowels[-1] :])
