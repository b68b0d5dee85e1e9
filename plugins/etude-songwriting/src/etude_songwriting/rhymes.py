"""Rhyme candidates for a word, computed from the CMU Pronouncing Dictionary.

A learner asking "what rhymes with heart?" wants words, sorted the way a writer uses them:

- **perfect rhymes** share the stressed vowel and every sound after it, and differ in the sound
  before it (heart HH AA1 R T / chart CH AA1 R T);
- **near (slant) rhymes** keep the stressed vowel but only resemble the sounds after it: a
  final consonant of the same family (T / D / K — heart / hard / dark), or one consonant more
  or less at the end (heart / star);

both read from the dictionary's phones, never guessed from spelling. The dictionary holds
135,000 entries, most of them names and rare words, so only everyday dictionary words are
offered: words that Webster's Second (the ``english-words`` package's ``web2`` list, which keeps
proper nouns capitalised) has in lower case — so Rome, Dwight and Bart are left out — and that
the ``wordfreq`` lists (a blend of subtitles, books, web text, Wikipedia) see at least
``EVERYDAY`` on the Zipf scale. The same frequency is the honest, stated
criterion for *common*: the rhymes that English uses most are the ones a listener hears
coming, so they are listed after the fresher ones and marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pronouncing
from english_words import get_english_words_set
from wordfreq import zipf_frequency

from etude_songwriting.phonetics import FUNCTION_WORDS, dictionary_phones

EVERYDAY = 3.0
"""Zipf frequency (log10 of uses per billion words) at or above which a word is offered: about
one use per million words. Below it the dictionary's entries are mostly surnames,
abbreviations and spellings of names (``hart`` passes as the deer; ``doutt`` does not)."""

COMMON = 4.5
"""Zipf frequency at or above which a rhyme is marked common: about 30 uses per million words,
the top ~2,000 English words (start, part, smart for 'heart')."""

SHOWN = 10
"""Candidates listed per kind."""

_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"M", "N", "NG"}),
    frozenset({"P", "T", "K"}),
    frozenset({"B", "D", "G"}),
    frozenset({"P", "B"}),
    frozenset({"T", "D"}),
    frozenset({"K", "G"}),
    frozenset({"F", "V", "TH", "DH"}),
    frozenset({"S", "Z", "SH", "ZH"}),
    frozenset({"CH", "JH"}),
)
"""Consonants that sound alike at a line end: the nasals, the voiceless and the voiced stops,
voicing pairs, the fricatives by place."""

_FAMILY_NAMES = {
    frozenset({"M", "N", "NG"}): "both nasal hums",
    frozenset({"P", "T", "K"}): "both voiceless stops",
    frozenset({"B", "D", "G"}): "both voiced stops",
    frozenset({"P", "B"}): "the same lip stop, voiced or not",
    frozenset({"T", "D"}): "the same tongue stop, voiced or not",
    frozenset({"K", "G"}): "the same throat stop, voiced or not",
    frozenset({"F", "V", "TH", "DH"}): "both soft hissing fricatives",
    frozenset({"S", "Z", "SH", "ZH"}): "both hissing sibilants",
    frozenset({"CH", "JH"}): "the same affricate, voiced or not",
}


@dataclass(frozen=True)
class Rhyme:
    """One candidate: the word, its phones, how it rhymes and how common it is."""

    word: str
    phones: str
    kind: str  # "perfect" or "near"
    why: str
    zipf: float

    @property
    def common(self) -> bool:
        return self.zipf >= COMMON


@dataclass(frozen=True)
class RhymeList:
    word: str
    phones: str
    part: str
    perfect: list[Rhyme]
    near: list[Rhyme]


def _bare(phones: str) -> str:
    return re.sub(r"\d", "", phones)


def _vowel(phone: str) -> bool:
    return phone[0] in "AEIOU"


def _stressed_index(split: list[str]) -> int:
    """The last primary-stressed vowel; a word with none, its last stressed or first vowel."""
    for marks in ("1", "12", "012"):
        found = [i for i, p in enumerate(split) if p[-1] in marks]
        if found:
            return found[-1]
    return 0


def rhyming_part(phones: str) -> tuple[str, str]:
    """(the sound before the stressed vowel, the stressed vowel and all after it), no stress
    digits.

    >>> rhyming_part("HH AA1 R T")
    ('HH', 'AA R T')
    >>> rhyming_part("AH0 P AA1 R T")
    ('P', 'AA R T')
    """
    split = phones.split()
    index = _stressed_index(split)
    onset = _bare(split[index - 1]) if index else ""
    return onset, _bare(" ".join(split[index:]))


def _kin(a: str, b: str) -> str | None:
    """Why two final consonants sound alike, or None."""
    for family in _FAMILIES:
        if a in family and b in family:
            return _FAMILY_NAMES[family]
    return None


def near_reason(target: str, other: str) -> str | None:
    """Why ``other``'s rhyming part is a near rhyme of ``target``'s (both bare phones with the
    stressed vowel first), or None when it is not one: the same stressed vowel, and after it
    either kindred consonants in the same places or one final consonant more or less.

    >>> near_reason("AA R T", "AA R D")
    'same stressed vowel AA; D for T, the same tongue stop, voiced or not'
    >>> near_reason("AA R T", "AA R")
    'same stressed vowel AA; without the final T'
    >>> near_reason("AA R T", "IY R T") is None, near_reason("AA R T", "AA R T") is None
    (True, True)
    """
    a, b = target.split(), other.split()
    if a == b or not a or not b or a[0] != b[0] or not _vowel(a[0]):
        return None
    vowel = f"same stressed vowel {a[0]}"
    if len(a) != len(b) and sum(map(_vowel, a)) != sum(map(_vowel, b)):
        return None
    if len(a) == len(b):
        changes = [(x, y) for x, y in zip(a[1:], b[1:], strict=True) if x != y]
        if len(changes) == 1 and not _vowel(changes[0][0]) and not _vowel(changes[0][1]):
            x, y = changes[0]
            kin = _kin(x, y)
            if kin:
                return f"{vowel}; {y} for {x}, {kin}"
        return None
    shorter, longer = sorted((a, b), key=len)
    if len(longer) == len(shorter) + 1 and longer[:-1] == shorter and not _vowel(longer[-1]):
        if len(a) > len(b):
            return f"{vowel}; without the final {a[-1]}"
        return f"{vowel}; one more sound at the end, {b[-1]}"
    vowels_a, vowels_b = [p for p in a if _vowel(p)], [p for p in b if _vowel(p)]
    if len(vowels_a) >= 2 and vowels_a == vowels_b and a[-1] == b[-1]:
        # window / limbo: the same vowels in the same places, the consonants between differ
        return f"same vowels {' … '.join(vowels_a)} and the same last sound (assonance)"
    return None


@lru_cache(maxsize=1)
def _parts() -> dict[str, list[str]]:
    """Every bare rhyming part of the dictionary, with the words that end in it."""
    pronouncing.init_cmu()
    parts: dict[str, list[str]] = {}
    for key, words in pronouncing.rhyme_lookup.items():
        if not key.split()[0].endswith("1"):
            continue  # an unstressed ending (the, a): not where a sung line lands
        parts.setdefault(_bare(key), []).extend(words)
    return parts


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Webster's Second's words written in lower case (common nouns, not names)."""
    return frozenset(w for w in get_english_words_set(["web2"], lower=False) if w.islower())


def _everyday(word: str) -> float | None:
    """The word's Zipf frequency when it is an everyday dictionary word, else None."""
    if not word.isalpha() or word not in _dictionary():
        return None
    zipf = zipf_frequency(word, "en")
    return zipf if zipf >= EVERYDAY else None


def _related(word: str, other: str) -> bool:
    """Inflections and compounds of the word itself are not rhymes worth offering."""
    return other.startswith(word) or word.startswith(other) or other.endswith(word)


def _inflected(other: str, word: str, perfect: dict[str, Rhyme]) -> bool:
    for ending in ("es", "s", "ed", "d"):
        stem = other.removesuffix(ending)
        if stem != other and (stem == word or stem in perfect):
            return True
    return False


def _ordered(rhymes: list[Rhyme]) -> list[Rhyme]:
    """Fresher (everyday, not common) words first, the more familiar of them first; the
    common ones after them, also by frequency."""
    return sorted(rhymes, key=lambda r: (r.common, -r.zipf, r.word))


def rhymes_for(word: str, exclude: frozenset[str] = frozenset()) -> RhymeList | None:
    """Perfect and near rhymes for a word the dictionary can pronounce, or None.

    >>> found = rhymes_for("heart")
    >>> {"chart", "depart"} <= {r.word for r in found.perfect}
    True
    >>> {"hard", "dark"} <= {r.word for r in found.near}
    True
    >>> [r.word for r in found.perfect if r.common][:2]
    ['part', 'start']
    """
    word = word.lower().strip()
    phones = dictionary_phones(word)
    if not phones:
        return None
    onset, part = rhyming_part(phones[0])
    perfect: dict[str, Rhyme] = {}
    near: dict[str, Rhyme] = {}
    for other_part, words in _parts().items():
        reason = "" if other_part == part else near_reason(part, other_part)
        if reason is None:
            continue
        for other in sorted(words, key=len):
            if other in perfect or other in near or other in exclude or _related(word, other):
                continue
            zipf = _everyday(other)
            if zipf is None:
                continue
            readings = pronouncing.phones_for_word(other)
            other_phones = readings[0] if readings else ""
            if not other_phones or rhyming_part(other_phones)[1] != other_part:
                # only the word's usual (first) reading, stressed where the ear hears it:
                # "job" is JH AA1 B, its biblical JH OW1 B does not make it rhyme with "road"
                continue
            if other_part != part and (len(other) < 3 or other in FUNCTION_WORDS):
                continue  # "the" / "love": a weak word cannot carry a line's last beat
            if other_part != part and _inflected(other, word, perfect):
                continue  # charts for heart: a plural of a perfect rhyme, nothing new
            if other_part == part:
                if rhyming_part(other_phones)[0] == onset:
                    continue  # same sound before the vowel: an identical rhyme (heart/hart)
                why = f"the same stressed vowel and ending, {part}"
                perfect[other] = Rhyme(other, other_phones, "perfect", why, zipf)
            else:
                near[other] = Rhyme(other, other_phones, "near", reason, zipf)
    by_frequency = sorted(near.values(), key=lambda r: (-r.zipf, r.word))
    return RhymeList(word, phones[0], part, _ordered(list(perfect.values())), by_frequency)


def _listed(rhymes: list[Rhyme], limit: int = SHOWN) -> str:
    fresh = [r.word for r in rhymes if not r.common][:limit]
    common = [r.word for r in rhymes if r.common][: max(3, limit - len(fresh))]
    text = ", ".join(fresh) if fresh else "none that is not common"
    if common:
        text += "; common (the ones listeners expect): " + ", ".join(common)
    return text


def _near_groups(near: list[Rhyme], limit: int = SHOWN) -> str:
    """Near rhymes grouped by how they differ, each group with its reason."""
    groups: dict[str, list[str]] = {}
    for rhyme in near:
        reason = rhyme.why.split("; ", 1)[-1]
        groups.setdefault(reason, []).append(rhyme.word)
    # a kindred consonant keeps the line's shape; a sound fewer or more changes it more
    ranked = sorted(groups.items(), key=lambda item: (" for " not in item[0], -len(item[1])))[:4]
    per = 3
    return "; ".join(f"{', '.join(words[:per])} ({reason})" for reason, words in ranked)


def describe_rhymes(found: RhymeList) -> str:
    """The candidates as a learner reads them, with the criterion for each list.

    >>> print(describe_rhymes(rhymes_for("heart")).splitlines()[0])
    Rhymes for 'heart' (HH AA1 R T), from the CMU Pronouncing Dictionary:
    """
    lines = [f"Rhymes for '{found.word}' ({found.phones}), from the CMU Pronouncing Dictionary:"]
    if found.perfect:
        lines.append(
            f"- Perfect rhymes (the same stressed vowel and every sound after it, {found.part}, "
            f"with a different sound before it): {_listed(found.perfect)}."
        )
    else:
        lines.append(f"- Perfect rhymes: no everyday English word ends in {found.part}.")
    if found.near:
        vowel = found.part.split()[0]
        lines.append(
            f"- Near (slant) rhymes (the same stressed vowel {vowel}, the sounds after it only "
            f"similar): {_near_groups(found.near)}."
        )
    fresh = next((r for r in found.perfect if not r.common), None) or next(
        iter(found.perfect + found.near), None
    )
    if fresh is not None:
        lines.append(
            f"A less worn pair: '{found.word}' / '{fresh.word}'. Common means among the most "
            f"frequent English words (Zipf frequency {COMMON:g} or more in the wordfreq lists, "
            "about 30 uses per million words): frequency is a stand-in for how predictable a "
            "rhyme sounds, not a measure of cliché in songs."
        )
    return "\n".join(lines)


def example_pair(word: str) -> tuple[Rhyme | None, Rhyme | None]:
    """The most familiar fresh perfect rhyme and near rhyme of a word, for an example."""
    found = rhymes_for(word)
    if found is None:
        return None, None
    perfect = sorted(found.perfect, key=lambda r: -r.zipf)
    # a kindred final consonant shows a near rhyme best (time / line), not a dropped one
    near = sorted(found.near, key=lambda r: (" for " not in r.why, -r.zipf))
    return (perfect[0] if perfect else None), (near[0] if near else None)
