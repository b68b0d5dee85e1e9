"""The lesson tool's evidence: exercises, verdicts, mastery and the path, as the tutor shows them.

Everything here is authoritative: the tutor streams each summary verbatim before the model
speaks, so a verdict, a located constraint failure or a mastery figure reaches the learner
exactly as computed. Exercises are published without their answers (``ask --json`` output is
seen by the learner too).
"""

from __future__ import annotations

from etude.evidence import Evidence, EvidenceKind
from etude.lessons.curriculum import Curriculum
from etude.lessons.drills import CheckResult, read_notes
from etude.lessons.exercises import Exercise
from etude.lessons.mastery import MASTERED
from etude.lessons.path import path_states

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
        data={"type": "exercise", "exercise": public(exercise)},
    )


def verdict_text(exercise: Exercise, result: CheckResult) -> str:
    """The verdict line: for drills the given and right answers, the diagnoses and the
    engine's fact; for compositions the count of constraints met and each failure, located.

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
    head = f"Not yet: you answered {given}; the answer is {result.expected}."
    return " ".join([head, *diagnoses, *fact]).strip()


def check_evidence(exercise: Exercise, result: CheckResult) -> Evidence:
    notes = [*exercise.expected] if exercise.answer_kind == "notes" else []
    notes += read_notes(" ".join(result.feedback))
    return Evidence(
        tool=TOOL_NAME,
        kind="analysis",
        summary=verdict_text(exercise, result),
        authoritative=True,
        notes=list(dict.fromkeys(notes)),
        data={"type": "check", "result": result.model_dump(mode="json")},
    )


def mastery_evidence(
    curriculum: Curriculum,
    skill_id: str,
    p_known: float,
    attempts: int,
    correct: int,
    untested: list[str] | None = None,
) -> Evidence:
    """The estimate after an answer, and the families not yet answered right, if any."""
    title = curriculum.skill(skill_id).title
    state = "mastered" if p_known >= MASTERED else "in progress"
    still = f"; still to show: {', '.join(untested)}" if untested else ""
    return Evidence(
        tool=TOOL_NAME,
        kind="profile",
        summary=f"Mastery of {title}: {p_known:.0%} ({state}; {correct} of {attempts} right"
        f"{still}).",
        authoritative=True,
        data={
            "type": "mastery",
            "skill": skill_id,
            "p_known": round(p_known, 4),
            "attempts": attempts,
            "correct": correct,
            "untested": untested or [],
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
