"""The lesson tool's evidence: exercises, verdicts, mastery and the path, as the tutor shows them.

Everything here is authoritative: the tutor streams each summary verbatim before the model
speaks, so a verdict, a located constraint failure or a mastery figure reaches the learner
exactly as computed. Exercises are published without their answers (``ask --json`` output is
seen by the learner too).
"""

from __future__ import annotations

import re

from etude.evidence import Evidence, EvidenceKind
from etude.lessons.curriculum import Curriculum
from etude.lessons.drills import CheckResult, read_notes
from etude.lessons.exercises import Exercise
from etude.lessons.hints import hint
from etude.lessons.mastery import MASTERED
from etude.lessons.path import path_states
from etude.theory.meter import meter_example

TOOL_NAME = "lesson"

FEEDBACK_LINES = 4
"""Located remarks shown per verdict: enough for every failed constraint of our tasks (at most
five), few enough that a learner reads them."""


def public(exercise: Exercise) -> dict[str, object]:
    """The exercise as JSON without its answer."""
    return exercise.model_dump(mode="json", exclude={"expected", "fact"})


def exercise_evidence(
    exercise: Exercise, curriculum: Curriculum, label: str = "Exercise"
) -> Evidence:
    title = curriculum.skill(exercise.skill).title
    if exercise.review:
        label = "Review"
    return Evidence(
        tool=TOOL_NAME,
        kind="other",
        summary=f"{label} ({title}): {exercise.prompt}",
        authoritative=True,
        notes=read_notes(exercise.prompt),
        data={
            "type": "exercise",
            "exercise": public(exercise),
            "next_step": how_to_answer(exercise),
        },
    )


ANSWER_FORMS = {
    "notes": "the note names in order, separated by spaces",
    "interval": "a quality and a number, such as 'minor sixth'",
    "key_signature": "how many sharps or flats, and which",
    "key": "a key name with its mode",
    "count": "a number",
}


def how_to_answer(exercise: Exercise) -> str:
    """The learner's next step, in the form the checker reads.

    >>> how_to_answer(Exercise(skill="s", kind="meter_beats", prompt="?", answer_kind="count"))
    'Next: reply with your answer (a number), or say "skip" to see the answer and how to find it.'
    """
    if exercise.answer_kind == "composition":
        return "Next: write it and send it to me, as a file or as ABC pasted in your message."
    return (
        f"Next: reply with your answer ({ANSWER_FORMS[exercise.answer_kind]}), or say "
        '"skip" to see the answer and how to find it.'
    )


def worked_example_evidence(example: Exercise) -> Evidence:
    """A solved exercise of the kind about to be asked: the question, the engine's answer and
    the method (the hint's steps), so the learner has seen the way once; a meter also gets a
    bar to clap while counting."""
    method = hint(example).removeprefix("Hint: ")
    text = f"Worked example: {example.prompt} {example.fact} How: {method}"
    if example.kind == "meter_beats" and example.key:
        text += f"\nClap this bar of {example.key} while counting it:\n{meter_example(example.key)}"
    return Evidence(
        tool=TOOL_NAME,
        kind="other",
        summary=text,
        authoritative=True,
        notes=read_notes(example.fact),
        data={"type": "worked_example", "exercise": example.model_dump(mode="json")},
    )


def verdict_text(exercise: Exercise, result: CheckResult, *, reveal: bool = True) -> str:
    """The verdict line: for drills the given and right answers, the diagnoses and the
    engine's fact; for compositions the count of constraints met and each failure, located.
    With ``reveal`` off (a miss the learner will retry) a drill's verdict explains what is
    wrong without naming the answer (:func:`concealed`).

    >>> ex = Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
    ...               answer_kind="notes", expected=["E", "G#", "B"], fact="E – G# – B.")
    >>> verdict_text(ex, CheckResult(exercise_id="x", skill="triads", correct=False,
    ...     given="E G B", expected="E G# B", feedback=["E – G# – B.", "G should be G#."]))
    'Not yet: you answered E G B; the answer is E G# B. G should be G#. E – G# – B.'
    """
    if exercise.answer_kind == "composition":
        if result.correct:
            details = " ".join(result.feedback[:2])
            return f"Passed: every constraint is met. {details}".strip()
        met = sum(c.passed for c in result.constraints)
        failed = " ".join(result.feedback[:FEEDBACK_LINES])
        return f"Not yet: {met} of {len(result.constraints)} constraints met. {failed}".strip()
    fact, diagnoses = (result.feedback[:1], result.feedback[1 : FEEDBACK_LINES + 1])
    if result.correct:
        return " ".join(["Correct.", *fact]).strip()
    given = result.given or "nothing I could read"
    if not reveal:
        explained = list(dict.fromkeys(c for line in diagnoses if (c := concealed(line, exercise))))
        missing = sum(1 for line in result.feedback if _MISSING.match(line))
        if missing > 1:
            explained = [
                f"{missing} notes are missing: you gave {len(read_notes(given))} of "
                f"{len(exercise.expected)}."
                if line == "A note is missing."
                else line
                for line in explained
            ]
        if not explained and "relative_as_parallel" in result.misconceptions:
            explained = ["That is the parallel key: a relative key shares the key signature."]
        return " ".join([f"Not yet: you answered {given}.", *explained]).strip()
    head = f"Not yet: you answered {given}; the answer is {result.expected}."
    return " ".join([head, *diagnoses, *fact]).strip()


_SHOULD_BE_WHY = re.compile(r"^(?P<wrote>\S+) should be \S+: (?P<why>.+)$")
_SHOULD_BE = re.compile(r"^(?P<wrote>\S+) should be \S+\.$")
_SPELLED = re.compile(r"^(?P<wrote>\S+) sounds right but is spelled wrong: .*$")
_MISSING = re.compile(r"^\S+ is missing\.$")


def concealed(line: str, exercise: Exercise) -> str:
    """A checker's diagnosis without the right note in it ('' if it cannot be said without).

    >>> ex = Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
    ...               answer_kind="notes", expected=["E", "G#", "B"], fact="E – G# – B.")
    >>> concealed("G should be G#: from E up to G is a minor third (3 semitones), but the "
    ...           "chord needs a major third (4 semitones).", ex)
    'G is not right: from E up to G is a minor third (3 semitones), but the chord needs a major \
third (4 semitones).'
    >>> concealed("B is missing.", ex)
    'A note is missing.'
    """
    if line == exercise.fact:
        return ""
    if found := _SHOULD_BE_WHY.match(line):
        return f"{found['wrote']} is not right: {found['why']}"
    if found := _SHOULD_BE.match(line):
        return f"{found['wrote']} is not right."
    if found := _SPELLED.match(line):
        return f"{found['wrote']} sounds right but is spelled wrong: each letter name appears once."
    if _MISSING.match(line):
        return "A note is missing."
    return line


def check_evidence(
    exercise: Exercise, result: CheckResult, *, reveal: bool = True, why: str = ""
) -> Evidence:
    """The verdict; ``why`` (the method, after the last miss) is appended to it. A concealed
    verdict's JSON leaves the answer out too (``ask --json`` is read by the learner)."""
    summary = verdict_text(exercise, result, reveal=reveal)
    if why:
        summary = f"{summary} {why}"
    shown = result.model_dump(mode="json")
    notes = read_notes(summary)
    if reveal:
        notes = [*(exercise.expected if exercise.answer_kind == "notes" else []), *notes]
        notes += read_notes(" ".join(result.feedback))
    else:
        shown.update(expected="", feedback=[])
    return Evidence(
        tool=TOOL_NAME,
        kind="analysis",
        summary=summary,
        authoritative=True,
        notes=list(dict.fromkeys(notes)),
        data={"type": "check", "result": shown, "revealed": reveal},
    )


def retry_evidence(exercise: Exercise, curriculum: Curriculum, hint: str = "") -> Evidence:
    """The same exercise again after a miss, with the hint on the second miss."""
    opened = exercise_evidence(exercise, curriculum, "Try again")
    if hint:
        opened = opened.model_copy(update={"summary": f"{hint} {opened.summary}"})
    return opened.model_copy(update={"data": {**opened.data, "retry": True, "hint": hint}})


def mastery_evidence(
    curriculum: Curriculum,
    skill_id: str,
    p_known: float,
    attempts: int,
    correct: int,
    untested: list[str] | None = None,
    *,
    family: str = "",
    family_counts: tuple[int, int] | None = None,
    next_step: str = "",
) -> Evidence:
    """The estimate after an answer in words a learner reads ("2 of 3 right on minor triads;
    next: …"), and the families not yet answered right, if any.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> print(mastery_evidence(load_curriculum(), "triads", 0.6, 3, 2, family="minor triads",
    ...     family_counts=(2, 3), next_step="another minor triad").summary)
    ... # doctest: +NORMALIZE_WHITESPACE
    2 of 3 right on minor triads; Triads and their qualities: 60%, in progress (2 of 3 right);
    next: another minor triad.
    """
    title = curriculum.skill(skill_id).title
    state = "mastered" if p_known >= MASTERED else "in progress"
    still = f"; still to show: {', '.join(untested)}" if untested else ""
    words = ""
    if family and family_counts is not None:
        words = f"{family_counts[0]} of {family_counts[1]} right on {family}; "
    then = f"; next: {next_step}" if next_step else ""
    return Evidence(
        tool=TOOL_NAME,
        kind="profile",
        summary=f"{words}{title}: {p_known:.0%}, {state} ({correct} of {attempts} right{still})"
        f"{then}.",
        authoritative=True,
        data={
            "type": "mastery",
            "skill": skill_id,
            "p_known": round(p_known, 4),
            "attempts": attempts,
            "correct": correct,
            "untested": untested or [],
            "family": family,
            "family_right": family_counts[0] if family_counts else None,
            "family_attempts": family_counts[1] if family_counts else None,
            "next": next_step,
        },
    )


def path_evidence(curriculum: Curriculum, track: str, mastery: dict[str, float]) -> Evidence:
    states = path_states(curriculum, track, mastery)
    marks = {"mastered": " ✓", "current": " ← now", "ready": "", "locked": ""}
    steps = " → ".join(f"{s.title}{marks[s.state]}" for s in states)
    return Evidence(
        tool=TOOL_NAME,
        kind="profile",
        summary=f"Your path ({curriculum.tracks[track].title}): {steps}.",
        authoritative=True,
        data={"type": "path", "track": track, "skills": [s.model_dump() for s in states]},
    )


def _article_titles(article_ids: list[str]) -> list[str]:
    from etude.knowledge.articles import ARTICLES_DIR, ArticleError, parse_article

    titles = []
    for article_id in article_ids:
        try:
            titles.append(parse_article(ARTICLES_DIR / f"{article_id}.md").title)
        except (ArticleError, OSError):
            continue
    return titles


def skill_evidence(curriculum: Curriculum, skill_id: str) -> Evidence:
    skill = curriculum.skill(skill_id)
    articles = curriculum.article_ids.get(skill_id, [])
    titles = _article_titles(articles[:3])
    read = f" Read: {'; '.join(titles)}." if titles else ""
    return Evidence(
        tool=TOOL_NAME,
        kind="other",
        summary=f"Skill: {skill.title}. Goals: {' '.join(skill.goals)}{read}",
        authoritative=True,
        data={
            "type": "skill",
            "skill": skill_id,
            "goals": skill.goals,
            "articles": articles,
            "requires": skill.requires,
        },
    )


def note(summary: str, kind: EvidenceKind = "other", **data: object) -> Evidence:
    """A one-line authoritative remark (placement intro, missing prerequisites, …)."""
    return Evidence(
        tool=TOOL_NAME,
        kind=kind,
        summary=summary,
        authoritative=True,
        data=dict(data),
    )
