"""Writing lyrics from a title: draft, check with the analyser, revise once.

The draft comes from a chat model when a capable one is configured, or from a rhyme-family
line bank (the default for the 135M embedded model, whose lyrics are noise). Either way the
draft is then checked with the same analyser the learner's lyrics get, against the plan
(each section's rhyme scheme, line lengths, the title as the chorus hook), and every line that
breaks the plan is rewritten once from the bank: a writer's one honest revision pass, after
which what remains wrong is reported, not hidden.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from etude_songwriting.analysis import analyse_lyrics, rhyme_scheme
from etude_songwriting.phonetics import line_syllables, rhyme_score, words_of

FAMILIES: dict[str, tuple[str, ...]] = {
    "night": ("We were waiting for the night", "Every window burning bright",
              "Hold on to me, hold on tight", "Nothing here will feel quite right",
              "Still I'm looking for the light"),
    "day": ("Maybe we could find a way", "Tell me that you want to stay",
            "Every colour fades to gray", "Words I never learned to say",
            "Come tomorrow, come what may"),
    "heart": ("Every plan we made fell apart", "Wish I knew it from the start",
              "Written on my open heart", "Even when we're miles apart",
              "Time to make a brand new start"),
    "home": ("Every road is leading home", "Nobody should walk alone",
             "Letters carved in river stone", "Seeds we planted, now they've grown",
             "Like a song I've always known"),
    "rain": ("Dancing slowly in the rain", "Every hurt and every pain",
             "Riding on the midnight train", "Singing it all back again",
             "Calling out your name in vain"),
    "fire": ("Burning like a summer fire", "Lift me up a little higher",
             "Every wish and each desire", "Singing with the midnight choir"),
    "free": ("Open up and set it free", "Only you and only me",
             "Waves are rolling to the sea", "All the things we're meant to be",
             "Tell me what you want from me"),
    "sky": ("Painted on the morning sky", "Never stop to wonder why",
            "Every tear we had to cry", "Spread your wings and learn to fly",
            "Kiss the yesterday goodbye"),
    "song": ("Humming to an old love song", "Right here where we both belong",
             "Even when the nights are long", "Hold me close and keep me strong",
             "Maybe we were never wrong"),
    "time": ("Dancing to a steady rhyme", "Waiting for a better time",
             "Every hill we had to climb", "Ringing like a silver chime"),
    "dream": ("Nothing's ever what it seems", "Running down a silver stream",
              "Holding on to every dream", "Shining like a candle's gleam"),
    "sound": ("Feet are dancing off the ground", "Listen to the sweetest sound",
              "Lost until the day I found", "Spinning round and round and round"),
}  # fmt: skip
"""Lines of 7-8 syllables grouped by rhyme; any two lines of a family rhyme."""

STRUCTURES: dict[str, tuple[str, ...]] = {
    "default": ("verse", "chorus", "verse", "chorus"),
    "full": ("verse", "chorus", "verse", "chorus", "bridge", "chorus"),
}
SCHEMES = {"verse": "ABAB", "chorus": "AABB", "bridge": "AABB"}
LINE_RANGE = (5, 11)
"""Syllables a singable line should have for these section shapes."""

Drafter = Callable[[str], str]


@dataclass
class Song:
    title: str
    sections: list[tuple[str, list[str]]]
    revisions: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    drafted_by: str = "rules"

    def text(self) -> str:
        return "\n\n".join(
            f"[{name.capitalize()}]\n" + "\n".join(lines) for name, lines in self.sections
        )


def parse_structure(text: str) -> tuple[str, ...]:
    """Section names in the order the learner gave them, else the default song form.

    >>> parse_structure("verse-chorus-verse-chorus-bridge-chorus")
    ('verse', 'chorus', 'verse', 'chorus', 'bridge', 'chorus')
    >>> parse_structure("with a bridge")
    ('verse', 'chorus', 'verse', 'chorus', 'bridge', 'chorus')
    """
    found = tuple(re.findall(r"\b(verse|chorus|bridge)\b", text.lower()))
    if len(found) >= 2:
        return found
    if "bridge" in found:
        return STRUCTURES["full"]
    return STRUCTURES["default"]


def _title_family(title: str) -> str | None:
    words = words_of(title)
    if not words:
        return None
    end = words[-1]
    best = max(FAMILIES, key=lambda f: rhyme_score(end, words_of(FAMILIES[f][0])[-1]))
    return best if rhyme_score(end, words_of(FAMILIES[best][0])[-1]) >= 0.8 else None


def draft_with_rules(title: str, structure: tuple[str, ...], rng: random.Random) -> Song:
    """A draft from the line bank: verses ABAB from two families, the chorus built on the title."""
    used: set[str] = set()

    def take(family: str, count: int) -> list[str]:
        pool = [line for line in FAMILIES[family] if line not in used] or list(FAMILIES[family])
        chosen = rng.sample(pool, min(count, len(pool)))
        used.update(chosen)
        return chosen

    clean_title = title.strip().strip("\"'“”")
    title_family = _title_family(clean_title)
    hook = clean_title
    if line_syllables(clean_title)[0] < LINE_RANGE[0]:
        hook = f"{clean_title}, {clean_title}"  # a short title is sung twice
    families = [f for f in FAMILIES if f != title_family]
    rng.shuffle(families)
    chorus: list[str] | None = None
    sections: list[tuple[str, list[str]]] = []
    for index, name in enumerate(structure):
        if name == "chorus":
            if chorus is None:
                if title_family:
                    partner = take(title_family, 1)
                    couplet = take(families[-1], 2)
                    chorus = [hook, partner[0], *couplet]
                else:
                    pair = take(families[-1], 2)
                    chorus = [hook, f"Sing it back to me, {clean_title}", pair[0], pair[1]]
            sections.append(("chorus", list(chorus)))
        else:
            a, b = families[(2 * index) % len(families)], families[(2 * index + 1) % len(families)]
            first, second = take(a, 2), take(b, 2)
            lines = [first[0], second[0], first[1], second[1]]
            if name == "bridge":
                lines = [first[0], first[1], second[0], second[1]]
            sections.append((name, lines))
    return Song(clean_title, sections)


def draft_with_model(title: str, style: str | None, structure: tuple[str, ...],
                     ask: Drafter) -> Song | None:  # fmt: skip
    """Ask a chat model for the lyric; None when its answer has too few usable lines."""
    plan = ", ".join(structure)
    prompt = (
        f'Write song lyrics titled "{title}"'
        + (f" in the style of {style}" if style else "")
        + f". Sections in order: {plan}. Each section has four short rhyming lines; the "
        "chorus starts with the title. Write only the lyrics, one section per paragraph."
    )
    paragraphs = [p for p in re.split(r"\n\s*\n", ask(prompt)) if p.strip()]
    sections: list[tuple[str, list[str]]] = []
    for name, paragraph in zip(structure, paragraphs, strict=False):
        lines = [
            line.strip()
            for line in paragraph.splitlines()
            if words_of(line) and not re.match(r"^\W*(verse|chorus|bridge)\b", line, re.I)
        ]
        if len(lines) >= 4:
            sections.append((name, lines[:4]))
    if len(sections) < len(structure):
        return None
    return Song(title, sections, drafted_by="model")


def plan_problems(song: Song) -> list[tuple[int, int, str]]:
    """(section, line, problem) for every line that breaks the plan."""
    problems: list[tuple[int, int, str]] = []
    for s, (name, lines) in enumerate(song.sections):
        target = SCHEMES.get(name, "ABAB")
        actual = rhyme_scheme(lines)
        for i, line in enumerate(lines):
            partners = [j for j in range(len(lines)) if j != i and target[j] == target[i]]
            if partners and all(actual[j] != actual[i] for j in partners):
                problems.append((s, i, f"{name} line {i + 1} does not rhyme as {target}"))
            count = line_syllables(line)[0]
            if not LINE_RANGE[0] <= count <= LINE_RANGE[1]:
                problems.append((s, i, f"{name} line {i + 1} has {count} syllables"))
        if name == "chorus":
            key = " ".join(words_of(song.title))
            hits = sum(1 for line in lines if key in " ".join(words_of(line)))
            if hits == 0:
                problems.append((s, 0, "the chorus never sings the title"))
    return problems


def revise_once(song: Song, rng: random.Random) -> Song:
    """Rewrite each line that breaks the plan from the bank, once; report what remains."""
    for s, i, problem in plan_problems(song):
        name, lines = song.sections[s]
        if problem.endswith("never sings the title"):
            lines[0] = song.title
        else:
            target = SCHEMES.get(name, "ABAB")
            partner = next(
                (j for j in range(len(lines)) if j != i and target[j] == target[i]), None
            )
            if partner is None:
                continue
            replacement = _rhyming_line(lines[partner], rng, exclude=set(lines))
            if replacement is None:
                continue
            lines[i] = replacement
        song.revisions.append(f"revised {problem}")
    song.remaining = [problem for _, _, problem in plan_problems(song)]
    return song


def _rhyming_line(partner: str, rng: random.Random, exclude: set[str]) -> str | None:
    end = words_of(partner)[-1]
    candidates = [
        line
        for lines in FAMILIES.values()
        for line in lines
        if line not in exclude and rhyme_score(end, words_of(line)[-1]) >= 0.8
    ]
    return rng.choice(candidates) if candidates else None


def write_song(
    title: str,
    *,
    style: str | None = None,
    structure: tuple[str, ...] = STRUCTURES["default"],
    seed: int = 0,
    ask: Drafter | None = None,
) -> Song:
    """Draft (model if given and usable, else the bank), check, revise once."""
    rng = random.Random(seed)
    song = draft_with_model(title, style, structure, ask) if ask is not None else None
    if song is None:
        song = draft_with_rules(title, structure, rng)
    return revise_once(song, rng)


def song_report(song: Song) -> dict[str, object]:
    """The analyser's view of the finished song, for the tutor and the JSON."""
    analysis = analyse_lyrics(song.text(), title=song.title)
    return {
        "schemes": [stanza.scheme for stanza in analysis.stanzas],
        "syllables": [[line.syllables for line in stanza.lines] for stanza in analysis.stanzas],
        "hook": analysis.hook,
        "hook_lines": analysis.hook_lines,
    }
