"""Reading a learner's songwriting request: lyrics to analyse, or a title to write from.

Learners paste lyrics under a line like "check my lyrics:" and ask for songs as "write a song
called 'Midnight Train' in a folk style, verse-chorus-bridge". This module finds those parts;
it never guesses when the message has neither lyrics nor a title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etude_songwriting.phonetics import words_of

_TITLE = re.compile(
    r"(?:called|titled|entitled|named|title[d:]?|about)\s*[:\-]?\s*[\"“'‘]([^\"”'’]{2,80})[\"”'’]"
    r"|[\"“]([^\"”]{2,80})[\"”]"
    r"|(?:called|titled|entitled|named|title:)\s+([A-Z][^,.;!?\n]{1,60})",
    re.IGNORECASE,
)
_STYLE = re.compile(
    r"in the style of ([^,.;\n]+)|in an? ([\w\- ]{2,30}?) style|([\w\-]+) style\b", re.IGNORECASE
)
_WRITE = re.compile(r"\b(write|compose|draft|make|create|give me|come up with)\b", re.IGNORECASE)
_REFS = re.compile(r"^\s*references?\s*:\s*$", re.IGNORECASE | re.MULTILINE)


_COUNT = re.compile(
    r"\b(?:count|how many)\b[^\"“'‘]*\bsyllables?\b[^\"“'‘]*[\"“'‘]([^\"”'’]{2,200})[\"”'’]", re.I
)
_WORK = re.compile(
    r"\b(?:check|analy[sz]e|look at|review|critique|rate|feedback on)\b.*"
    r"\b(?:lyrics?|verses?|chorus|song|lines?)\b|\b(?:write|draft|compose)\b.*"
    r"\b(?:song|lyrics?|verses?|chorus|hook)\b",
    re.IGNORECASE | re.DOTALL,
)


def asks_for_work(text: str) -> bool:
    """Whether a message asks the coach to analyse or write *lyrics* (so a message with
    nothing it can read deserves the how-to), rather than asking about songwriting — or about
    a song's music: "check my song" with a score, "write a verse progression" are the
    critic's and the theory tool's, and get no word about pasting lyrics.

    >>> asks_for_work("can you check my lyrics"), asks_for_work("what does prosody mean?")
    (True, False)
    >>> asks_for_work("help me write a verse progression in A minor for a pop song")
    False
    """
    if music_only(text):
        return False
    return _WORK.search(text) is not None


@dataclass
class SongRequest:
    mode: str  # "analyse", "write", "count", "rhymes", "rhyme_types", "edit", "draft", "none"
    lyrics: str = ""
    title: str | None = None
    style: str | None = None
    references: list[str] = field(default_factory=list)
    word: str | None = None
    """The word to rhyme with ("rhymes")."""
    section: str = "verse"
    """What to draft ("draft"): verse, chorus or hook."""
    scheme: str | None = None
    lines: int = 4


_QUOTE = r"[\"“'‘]"
_RHYMES_FOR = re.compile(
    r"\brhym\w*\s+(?:for|with|to)\s+(?:the\s+word\s+)?" + _QUOTE + r"?([A-Za-z][A-Za-z']*)",
    re.IGNORECASE,
)
_RHYME_TYPES = re.compile(
    r"\b(?:perfect|slant|near|half|imperfect|true|eye|internal)[- ]rhymes?\b"
    r"|\b(?:types?|kinds?|sorts?)\s+of\s+rhymes?\b",
    re.IGNORECASE,
)
_QUOTED_WORD = re.compile(
    r"[\"“]([A-Za-z']{2,30})[\"”]|(?<![A-Za-z])'([A-Za-z]{2,30})'(?![A-Za-z])"
)
_DEFINE = re.compile(
    r"\b(?:difference|differ|what(?:'s| is| are)|explain|examples?|types?|kinds?|vs\.?|versus|"
    r"mean\w*|define|definition)\b",
    re.IGNORECASE,
)
"""A request to define the kinds of rhyme (not "is a slant rhyme ok here?", a question the
knowledge base answers)."""
_QUOTED_LINE = re.compile(r"[\"“]([^\"”]{3,200})[\"”]|(?<![A-Za-z])'([^']{3,200}?)'(?![A-Za-z])")
_EDIT_CUE = re.compile(
    r"\b(?:land\w*|beats?|stress\w*|melody|4/4|3/4|sing\w*|sung|scan\w*|flow\w*|fit\w*|"
    r"too long|too short|too many|syllables?|awkward|weird|rhythm|meter|metre|clunky|"
    r"cut|shorten|edit|fix|wrong)\b",
    re.IGNORECASE,
)
_DRAFT = re.compile(
    r"\b(?:write|draft|compose|give me|come up with|make|help me (?:write|with))\b.*?"
    r"\b(verse|chorus|hook|bridge|couplet|lyrics?|song)\b.*?\babout\b",
    re.IGNORECASE | re.DOTALL,
)
_SCHEME = re.compile(r"\b([A-D]{4}|[A-D]{2})\b")
_LINE_COUNT = re.compile(r"\b(\d|two|four|six|eight)\s+lines?\b", re.IGNORECASE)
_WORD_NUMBERS = {"two": 2, "four": 4, "six": 6, "eight": 8}
_MUSIC_ONLY = re.compile(
    r"\b(?:chords?|progressions?|melod(?:y|ies)|bass ?lines?|harmon\w*|notes?|scales?|keys?|"
    r"riffs?|countermelod\w*)\b",
    re.IGNORECASE,
)
_LYRIC_WORDS = re.compile(
    r"\b(?:lyrics?|words?|(?<!bass )(?<!melodic )lines?|rhym\w*|syllables?|hook|title)\b", re.I
)


def music_only(text: str) -> bool:
    """A message about a song's music (chords, melody, bass) with no word about its lyrics.

    >>> music_only("Write a simple bass line for C Am Dm G"), music_only("rhymes for 'key'")
    (True, False)
    """
    return bool(_MUSIC_ONLY.search(text)) and not _LYRIC_WORDS.search(text)


def quoted_line(text: str) -> str | None:
    """The last quoted span of two or more words (the line a learner asks about).

    >>> quoted_line("the word 'beautiful' lands weird. the line is 'you are beautiful tonight'")
    'you are beautiful tonight'
    """
    spans = [a or b for a, b in _QUOTED_LINE.findall(text)]
    lines = [span.strip() for span in spans if len(words_of(span)) >= 2]
    return lines[-1] if lines else None


def _trailing_lines(text: str) -> str:
    """Lyric lines after a one-line request, no colon needed: "is this too long?\nline"."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if len(lines) == 2 and (lines[0].rstrip().endswith("?") or _EDIT_CUE.search(lines[0])):
        return lines[1].strip()
    return ""


def _split_references(text: str) -> tuple[str, list[str]]:
    match = _REFS.search(text)
    if not match:
        return text, []
    body, rest = text[: match.start()], text[match.end() :]
    refs = [block.strip() for block in re.split(r"\n\s*\n|^\s*---\s*$", rest, flags=re.M)]
    return body, [r for r in refs if r]


def _lyric_block(text: str) -> str:
    """The lyric lines: everything after the first line that ends with ':' or after the first
    line when at least two more lines follow; '' when the message is a single request."""
    lines = text.strip().splitlines()
    for index, line in enumerate(lines):
        if line.rstrip().endswith(":") and len(lines) - index > 2:
            return "\n".join(lines[index + 1 :]).strip()
    if len(lines) >= 3:
        return "\n".join(lines[1:]).strip()
    return ""


def parse_request(text: str) -> SongRequest:
    """Find what a songwriting message asks for.

    >>> parse_request('Write a song called "Paper Moon" in a folk style').title
    'Paper Moon'
    >>> parse_request("Check my lyrics:\\nRoses are red\\nViolets are blue\\nSugar is sweet").mode
    'analyse'
    >>> parse_request("how many syllables are in 'you are beautiful tonight'?").lyrics
    'you are beautiful tonight'
    """
    body, references = _split_references(text)
    counted = _COUNT.search(body)
    if counted:
        return SongRequest("count", lyrics=counted.group(1).strip(), references=references)
    wanted = _RHYMES_FOR.search(body)
    word = wanted.group(1) if wanted else None
    if word is None and re.search(r"\brhym", body, re.I):
        # "stuck on the word 'fire' - any rhymes?": the quoted single word
        single = [a or b for a, b in _QUOTED_WORD.findall(body)]
        word = next((w for w in single if len(words_of(w)) == 1), None)
    if word:
        return SongRequest("rhymes", word=word.lower().strip("'"), references=references)
    if _RHYME_TYPES.search(body) and _DEFINE.search(body):
        return SongRequest("rhyme_types", references=references)
    line = quoted_line(body) or _trailing_lines(body)
    if line and _EDIT_CUE.search(body.replace(line, "")):
        return SongRequest("edit", lyrics=line, references=references)
    drafted = _DRAFT.search(body)
    if drafted and not _MUSIC_ONLY.search(body):
        section = drafted.group(1).lower()
        section = "hook" if "hook" in body.lower() else "chorus" if section == "chorus" else (
            "verse")  # fmt: skip
        scheme = _SCHEME.search(body)
        count = _LINE_COUNT.search(body)
        lines = 4
        if count:
            word = count.group(1).lower()
            lines = int(word) if word.isdigit() else _WORD_NUMBERS[word]
        return SongRequest("draft", section=section, scheme=scheme.group(1) if scheme else None,
                           lines=max(2, min(lines, 8)), references=references)  # fmt: skip
    lyrics = _lyric_block(body)
    style_match = _STYLE.search(body)
    style = next((g for g in style_match.groups() if g), None) if style_match else None
    title_match = _TITLE.search(body.splitlines()[0] if body.strip() else "")
    title = next((g for g in title_match.groups() if g), None) if title_match else None
    if title and title_match and title_match.group(3):
        title = re.split(r"\s+(?:in|with|for|about|that|and)\s", title)[0].strip()
    if lyrics and sum(1 for line in lyrics.splitlines() if words_of(line)) >= 2:
        return SongRequest("analyse", lyrics=lyrics, title=title, style=style,
                           references=references)  # fmt: skip
    if title and _WRITE.search(body):
        return SongRequest("write", title=title.strip(), style=style, references=references)
    return SongRequest("none", references=references)


_ABOUT_LYRICS = re.compile(
    r"\b(lyrics?|lyric lines?|rhym\w*|syllables?|verses?|chorus|hook|song words)\b", re.IGNORECASE
)
_SONG = re.compile(r"\b(song|lyrics?|ballad|anthem)\b", re.IGNORECASE)


def recognizes(message: str) -> bool:
    """Whether the message is plainly a job for the songwriting coach: lyrics pasted with a
    question about them, or a song to write from a title. It runs on every turn (regular
    expressions only) and claims nothing a music-theory or score question could mean.

    >>> recognizes("Do these lines rhyme?\\nI lost my way\\nI could not stay")
    True
    >>> recognizes("Write me a bluesy song with the title \\"Rainy Monday\\"")
    True
    >>> recognizes("What meter did I use here?"), recognizes("Write a melody called 'Dawn'")
    (False, False)
    """
    parsed = parse_request(message)
    if parsed.mode == "analyse":
        return bool(_ABOUT_LYRICS.search(message.splitlines()[0]))
    return parsed.mode == "write" and bool(_SONG.search(message))
