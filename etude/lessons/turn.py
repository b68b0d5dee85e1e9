"""One lesson turn: place the learner, set exercises, check answers, track mastery.

One turn does one of: start a new learner (placement questions and a path), welcome back a
known one, teach a skill (its goals, articles and an exercise), check an answer to the open
exercise (verdict, located feedback, mastery update, spaced review, next exercise), skip, or
report progress. The learner model lives in whatever store the caller hands in (see
``records.py``): the graph's own store inside a graph run, so SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from langgraph.store.base import BaseStore

from etude.config import Level
from etude.evidence import Evidence
from etude.learner import LearnerProfile
from etude.lessons.coverage import (
    family_order,
    gated,
    gated_mastery,
    skill_families,
    template_families,
    untested,
)
from etude.lessons.curriculum import Curriculum, ExerciseKind, ExerciseTemplate
from etude.lessons.drills import CheckResult, check_drill
from etude.lessons.evidence import (
    check_evidence,
    exercise_evidence,
    mastery_evidence,
    note,
    path_evidence,
    public,
    retry_evidence,
    skill_evidence,
    verdict_text,
    worked_example_evidence,
)
from etude.lessons.exercises import (
    Exercise,
    make_exercise,
    requested_kinds,
    requested_signature,
)
from etude.lessons.hints import hint
from etude.lessons.intents import read_intent
from etude.lessons.mastery import COMPOSITION, DRILL, MASTERED, next_review, update
from etude.lessons.path import (
    choose_track,
    exercise_for,
    next_skill,
    placed_mastery,
    placement_exercises,
)
from etude.lessons.records import LessonRecords

MAX_TRIES = 3
"""Tries at one exercise: a retry after the first miss, a hint after the second, the answer
and how it is found after the third."""


def _rng(learner: str, count: int, salt: str = "") -> random.Random:
    """Reproducible draws per learner and exercise number, so a replayed lesson is the same."""
    return random.Random(f"{learner}:{count}:{salt}")


def match_skill(curriculum: Curriculum, text: str) -> str | None:
    """The skill a request names, by its keywords and title; None if it names none.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> match_skill(load_curriculum(), "teach me about cadences")
    'cadences'
    >>> match_skill(load_curriculum(), "give me an exercise on seventh chords")
    'piano-seventh-chords'
    >>> match_skill(load_curriculum(), "quiz me on key signatures! like 5 questions")
    'scales-and-keys'
    >>> match_skill(load_curriculum(), "give me an exercise") is None
    True
    """
    lowered = f" {text.lower()} "
    best, best_score = None, 0
    for skill in curriculum.skills.values():
        phrases = {skill.id.replace("-", " "), skill.title.lower(), *skill.keywords}
        score = sum(
            len(p) for p in phrases if re.search(rf"\b{re.escape(p.lower())}(?:s|es)?\b", lowered)
        )
        if score > best_score:
            best, best_score = skill.id, score
    return best


_TOPIC = re.compile(
    r"\b(?:an?|some|another)\s+(?P<before>[a-z][a-z -]{1,30}?)\s+(?:exercises?|drills?|quiz)\b|"
    r"\b(?:exercises?|drills?|quiz(?:zes)?)\s+(?:on|in|about|for)\s+(?P<after>[a-z][a-z -]{1,30})",
    re.IGNORECASE,
)
_NOT_A_TOPIC = frozenset(
    {
        "easy",
        "easier",
        "hard",
        "harder",
        "short",
        "quick",
        "new",
        "good",
        "fun",
        "simple",
        "little",
        "small",
        "big",
        "daily",
        "first",
        "next",
        "one",
        "more",
        "few",
        "different",
        "tough",
        "tougher",
        "basic",
        "advanced",
        "beginner",
        "practice",
        "the",
        "a",
        "an",
        "my",
        "this",
        "that",
        "it",
        "me",
        "you",
        "please",
        "pls",
        "plz",
        "now",
        "today",
    }
)
"""Words that say how hard, how long or whose an exercise is, never what it is about."""


def named_topic(text: str) -> str | None:
    """The topic an exercise request names ("an ear training exercise"), if any: words that
    only say how hard or how long do not count.

    >>> named_topic("can you give me an ear training exercise I can do without any instrument?")
    'ear training'
    >>> named_topic("give me an easy exercise"), named_topic("give me an exercise")
    (None, None)
    """
    found = _TOPIC.search(text)
    if found is None:
        return None
    phrase = (found["before"] or found["after"] or "").lower()
    words = [w for w in re.findall(r"[a-z]+", phrase) if w not in _NOT_A_TOPIC]
    if found["after"]:
        words = words[:3]
    return " ".join(words) or None


def _in_sentence(title: str) -> str:
    """A title inside a sentence: its first word lowercased unless it is a name or a numeral.

    >>> _in_sentence("Scales and key signatures"), _in_sentence("Progressions (ii–V–I)")
    ('scales and key signatures', 'progressions (ii–V–I)')
    """
    first, _, rest = title.partition(" ")
    if first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()


_QUESTION_START = re.compile(
    r"^\s*(?:what|which|why|how|who|when|where|can|could|should|would|do|does|explain|tell)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """A question to the mentor rather than an answer: a theory question asked while an
    exercise is open must not be graded as an attempt.

    >>> looks_like_question("What's a perfect fourth above D?"), looks_like_question("E G# B")
    (True, False)
    """
    return "?" in text or bool(_QUESTION_START.match(text))


_REQUEST_START = re.compile(
    r"^\W*(?:(?:please|pls|now|ok|okay|so|and)\W+)?(?:list|spell|name|give|show|tell|explain|"
    r"find|build|write|compose|transpose|play|describe|define|compare|help|teach|analy[sz]e|"
    r"check|let'?s|i\s+(?:want|need|would\s+like))\b",
    re.IGNORECASE,
)
_ANSWER_TEXT = (
    "i i'm think it it's its is a an the my answer answers maybe perhaps probably so um uh "
    "hmm ok okay well and then that would be guess sure not yes no final here here's must "
    "should oh wait sorry right hm let me see of or with sharp flat natural sharps flats "
    "double naturals major minor perfect augmented diminished maj min aug dim unison prime "
    "second third fourth fifth sixth seventh octave ninth semitone semitones up down above "
    "below key none zero one two three four five six seven no accidentals signature"
)
_ANSWER_WORDS = frozenset(_ANSWER_TEXT.split())
_WORD = re.compile(r"[a-z']+")
_FOREIGN_WORDS = 2
"""Words an answer may hold beyond note names, answer words and the answer's own vocabulary
("I think it's E, G sharp and B, the triad" has one): more, and it is another message."""


def answer_shaped(text: str) -> bool:
    """Whether ``text`` is worded like an answer to a drill: short, made of note names and the
    words answers are given in, not a request ("List the tones of a D♭ major seventh chord"
    holds an interval's words but asks for something).

    >>> [answer_shaped(t) for t in ("M6", "I think it's a major sixth", "major seventh?",
    ...  "List the tones of a Db major seventh chord", "my answer: a minor sixth, 8 semitones",
    ...  "the tones of a D major seventh chord, in order from the bass")]
    [True, True, True, False, True, False]
    """
    if _REQUEST_START.match(text):
        return False
    body = re.sub(r"(?<![\w#])[A-G](?:#|b|♯|♭|x|##|bb)?\d?(?![\w#])", " ", text)
    body = re.sub(r"\b[PMmAd][1-9]\b|\d+(?:st|nd|rd|th)?", " ", body)
    foreign = [w for w in _WORD.findall(body.lower()) if w.strip("'") not in _ANSWER_WORDS]
    return len(foreign) <= _FOREIGN_WORDS


def reads_as_reply(exercise: Exercise, text: str, *, has_attachment: bool) -> bool:
    """Whether ``text`` (with or without a score) answers or skips the open ``exercise``: a
    drill's answer must also be worded like one (:func:`answer_shaped`).

    >>> ex = Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
    ...               answer_kind="notes", expected=["E", "G#", "B"])
    >>> [reads_as_reply(ex, t, has_attachment=False)
    ...  for t in ("E G# B", "Is it E G B?", "What is a triad?", "skip", "Thanks!")]
    [True, True, False, True, False]
    >>> reads_as_reply(ex, "Spell the Db major seventh chord", has_attachment=False)
    False
    """
    intent = read_intent(text)
    if intent == "skip":
        return True
    if intent in (
        "progress", "plan", "routine", "why", "repeat", "exercise", "harder", "easier", "teach",
        "start",
    ):  # fmt: skip
        return False
    if looks_like_question(text) and (intent != "answer" or _QUESTION_START.match(text)):
        return False  # "Is it E G B?" answers; "What key is my piece in?" asks
    if exercise.answer_kind == "composition":
        from etude.lessons.composition import abc_in_text

        return has_attachment or abc_in_text(text) is not None
    return answer_shaped(text) and check_drill(exercise, text).answered


def awaits_answer(
    store: BaseStore,
    learner: str,
    message: str,
    *,
    has_attachment: bool,
    session: str | None = None,
) -> bool:
    """Whether ``learner`` has an exercise open in this lesson thread and ``message`` answers
    it."""
    records = LessonRecords(store)
    opened = records.open_exercise(learner)
    if opened is None or not _same_thread(records.opened_in(learner), session):
        return False
    return reads_as_reply(opened[0], message, has_attachment=has_attachment)


def _same_thread(opened_in: str | None, session: str | None) -> bool:
    """An exercise recorded without its thread (older records, scripts) is open everywhere."""
    return opened_in is None or session is None or opened_in == session


@dataclass(frozen=True)
class LessonMessage:
    """What the learner said this turn, and who they are."""

    text: str
    learner: str
    profile: LearnerProfile = field(default_factory=LearnerProfile)
    level: Level = "intermediate"
    attachment: Path | None = None
    session: str | None = None
    """The lesson thread: an exercise set here is answered only here, so a plain question in
    another thread (or another line of an ``ask --batch``) is never graded against it."""


class LessonTurn:
    """One learner turn of a lesson, with the records it reads and writes.

    ``submissions`` is the folder where pasted ABC submissions are written as files for the
    critic to check.
    """

    def __init__(
        self,
        message: LessonMessage,
        records: LessonRecords,
        curriculum: Curriculum,
        submissions: Path,
    ) -> None:
        self.message = message
        self.records = records
        self.curriculum = curriculum
        self.submissions = submissions
        self.learner = message.learner

    def mastery_map(self) -> dict[str, float]:
        """The estimates the path goes by: BKT's, gated by coverage (``coverage.py``)."""
        return gated_mastery(self.curriculum, self.records.mastery(self.learner))

    def run(self) -> list[Evidence]:
        text = self.message.text
        intent = read_intent(text)
        known = self.records.learner(self.learner) is not None
        opened = self.records.open_exercise(self.learner)
        skill = match_skill(self.curriculum, text)
        if intent == "progress":
            return self.progress()
        if intent == "plan":
            return self.plan(skill)
        if intent == "routine":
            return self.routine()
        if intent == "why":
            return self.why_wrong()
        if intent == "repeat":
            if opened is None:
                return [note("No exercise is open: ask me for one.", type="no_exercise")]
            return [exercise_evidence(opened[0], self.curriculum, "Still open")]
        has_attachment = self.message.attachment is not None
        here = _same_thread(self.records.opened_in(self.learner), self.message.session)
        if (
            opened is not None
            and here
            and reads_as_reply(opened[0], text, has_attachment=has_attachment)
        ):
            if intent == "skip":
                return self.skip(*opened)
            checked = self.try_answer(*opened, explicit=intent == "answer")
            if checked is not None:
                return checked
        if intent == "harder" and known and opened is not None:
            harder = self._harder_family(opened[0])
            if harder is not None:
                return harder
        if intent in ("harder", "easier") and known:
            current = opened[0].skill if opened else None
            return self.teach(self._step_along(current, 1 if intent == "harder" else -1))
        if intent in ("harder", "easier"):
            intent = "exercise"
        if skill is None and intent in ("teach", "exercise"):
            skill = self._skill_for_kinds(requested_kinds(text))
        topic = named_topic(text) if intent == "exercise" and skill is None else None
        if topic is not None and not self._mentions_curriculum(topic):
            return self.not_offered(topic)
        if intent == "start" or (not known and intent in ("teach", "exercise") and not skill):
            return self.welcome_back() if known else self.start()
        if intent == "teach" or (intent == "exercise" and skill):
            return self.teach(skill)
        if intent == "exercise":
            return self.next_exercise()
        if opened is not None and here and intent in ("answer", "skip"):
            # a reminder only for a lesson request in the lesson's own thread: it never leaks
            # into an answer to a plain question the router also sent here
            if opened[0].answer_kind != "composition" and intent == "answer":
                result = check_drill(opened[0], text)
                if not result.answered:
                    return self._unread(opened[0], result)
            return [exercise_evidence(opened[0], self.curriculum, "Still open")]
        return []

    def _unread(self, exercise: Exercise, result: CheckResult) -> list[Evidence]:
        """An answer the checker could not read as one to this exercise: what it expects,
        the exercise again, nothing counted and nothing revealed."""
        said = " ".join(result.feedback) or "I could not read that as an answer."
        return [
            note(f"Not counted: {said}", kind="analysis", type="unread"),
            exercise_evidence(exercise, self.curriculum, "Still open"),
        ]

    # -- starting and teaching ------------------------------------------------------------

    def _mentions_curriculum(self, topic: str) -> bool:
        """Whether a topic's words occur in any skill or track ("composition" does; "ear
        training" does not), or name a key: then it is no topic the curriculum lacks."""
        if re.search(r"\b[a-g](?:#|b)?\s+(?:major|minor)\b", topic):
            return True
        texts = [
            " ".join([t.title, t.description, *t.goal_words])
            for t in self.curriculum.tracks.values()
        ]
        texts += [
            " ".join([s.title, *s.keywords, *s.goals]) for s in self.curriculum.skills.values()
        ]
        vocabulary = set(re.findall(r"[a-z]+", " ".join(texts).lower()))
        return any(word in vocabulary for word in topic.split() if len(word) > 3)

    def not_offered(self, topic: str) -> list[Evidence]:
        """An exercise on a topic no skill teaches: said plainly, with the exercises there are
        (never a placement on something the learner did not ask about)."""
        drills = [s for s in self.curriculum.skills.values() if not s.is_composition]
        offered = ", ".join(_in_sentence(skill.title) for skill in drills[:8])
        return [
            note(
                f"I have no {topic} exercises I can set and check. The exercises I can check "
                f"are on {offered}.",
                type="not_offered",
                topic=topic,
                next_step='Next: say "give me an exercise on" with one of those, e.g. '
                f'"give me an exercise on {_in_sentence(drills[0].title)}".',
            )
        ]

    def start(self) -> list[Evidence]:
        """A new learner: choose a track, ask placement questions one at a time."""
        track = choose_track(self.curriculum, self.message.text, self.message.profile)
        level = self.message.profile.level or self.message.level
        self.records.start(self.learner, track)
        questions = placement_exercises(self.curriculum, track, level, _rng(self.learner, 0))
        first, rest = questions[0], questions[1:]
        self.records.set_open(self.learner, first, rest, session=self.message.session)
        intro = note(
            f"Placement: {len(questions)} short question(s) to find where you start on the "
            f"{self.curriculum.tracks[track].title} track.",
            type="placement",
            track=track,
            level=level,
            questions=[public(q) for q in questions],
        )
        return [
            intro,
            path_evidence(self.curriculum, track, self.mastery_map()),
            exercise_evidence(first, self.curriculum, f"Placement question 1 of {len(questions)}"),
        ]

    def welcome_back(self) -> list[Evidence]:
        """A known learner who (re)states a goal: their path and where they stand, not a new
        placement (that would throw away what they have shown)."""
        record = self.records.learner(self.learner)
        assert record is not None
        evidence = [path_evidence(self.curriculum, record.track, self.mastery_map())]
        opened = self.records.open_exercise(self.learner)
        if opened is not None:
            return [*evidence, exercise_evidence(opened[0], self.curriculum, "Still open")]
        return [*evidence, *self.next_exercise()]

    def _ensure_learner(self) -> str:
        record = self.records.learner(self.learner)
        if record is None:
            track = choose_track(self.curriculum, self.message.text, self.message.profile)
            record = self.records.start(self.learner, track)
            self.records.mark_placed(self.learner)
        return record.track

    def teach(self, skill_id: str | None) -> list[Evidence]:
        track = self._ensure_learner()
        mastery = self.mastery_map()
        skill_id = skill_id or next_skill(self.curriculum, track, mastery)
        if skill_id is None:
            return [path_evidence(self.curriculum, track, mastery)]
        exercise = self._fresh(skill_id, requested=self.message.text)
        self.records.set_open(self.learner, exercise, session=self.message.session)
        evidence = [skill_evidence(self.curriculum, skill_id)]
        example = self._worked_example(exercise)
        missing = [
            r for r in self.curriculum.skill(skill_id).requires if mastery.get(r, 0.0) < MASTERED
        ]
        if missing:
            names = ", ".join(self.curriculum.skill(r).title for r in missing)
            evidence.append(
                note(
                    f"This builds on {names}, which you have not mastered yet.",
                    type="prerequisites",
                    missing=missing,
                )
            )
        if example is not None:
            evidence.append(example)
        evidence.append(exercise_evidence(exercise, self.curriculum))
        return evidence

    def _skill_for_kinds(self, kinds: list[ExerciseKind]) -> str | None:
        """The first skill with an exercise of a named kind ("quiz me on roman numerals")."""
        for kind in kinds:
            for skill in self.curriculum.skills.values():
                if any(t.kind == kind for t in skill.exercises):
                    return skill.id
        return None

    def _worked_example(self, exercise: Exercise) -> Evidence | None:
        """A solved exercise of the same kind on another item, with the method: the learner
        sees the way once before trying it (none for a composition task)."""
        if exercise.answer_kind == "composition":
            return None
        skill = self.curriculum.skill(exercise.skill)
        templates = [t for t in skill.exercises if t.kind == exercise.kind]
        rng = _rng(self.learner, self._count(), "example")
        best: Exercise | None = None
        for _ in range(24):
            made = make_exercise(skill, rng.choice(templates), rng)
            if made.item_key() == exercise.item_key() or (
                exercise.key is not None and made.key == exercise.key
            ):
                continue
            if best is None or (made.family == exercise.family and best.family != made.family):
                best = made
            if best.family == exercise.family:
                break
        return None if best is None else worked_example_evidence(best)

    def _harder_family(self, current: Exercise) -> list[Evidence] | None:
        """ "Too easy": the next case of the same skill in the curriculum's order (templates
        are written easier first: major and minor triads, then diminished), skipping cases
        already answered right, before moving on to the next skill; None when none is left."""
        skill = self.curriculum.skill(current.skill)
        order = family_order(skill)
        if current.family not in order:
            return None
        known = self.records.mastery(self.learner).get(skill.id)
        covered = set(known.covered or []) if known else set()
        later = [f for f in order[order.index(current.family) + 1 :] if f not in covered]
        if not later:
            return None
        rng = _rng(self.learner, self._count(), "harder")
        templates = [t for t in skill.exercises if later[0] in template_families(t)]
        made = None
        for _ in range(48):
            drawn = make_exercise(skill, rng.choice(templates), rng)
            if drawn.family == later[0]:
                made = drawn
                break
        if made is None:
            return None
        self.records.set_open(self.learner, made, session=self.message.session)
        evidence = [
            note(
                f"A harder case of {skill.title}: {made.family}.",
                type="harder",
                family=made.family,
            )
        ]
        example = self._worked_example(made)
        if example is not None:
            evidence.append(example)
        evidence.append(exercise_evidence(made, self.curriculum))
        return evidence

    def _step_along(self, skill_id: str | None, way: int) -> str | None:
        """The skill one step further along (or back) the learner's path from ``skill_id``:
        "too easy" moves on to what builds on it, "too hard" back to what it builds on."""
        track = self._ensure_learner()
        path = self.curriculum.path(track)
        if skill_id not in path:
            return next_skill(self.curriculum, track, self.mastery_map())
        index = path.index(skill_id) + way
        return path[min(max(index, 0), len(path) - 1)]

    def _count(self) -> int:
        record = self.records.learner(self.learner)
        return record.exercises_done if record else 0

    def _fresh(self, skill_id: str, requested: str = "") -> Exercise:
        """A new exercise for the skill; of the kind (and time signature) ``requested`` names,
        when the skill has one ("quiz me on key signatures" asks no scale)."""
        attempts = self.records.attempts(self.learner)
        recent = {a.item for a in attempts[-4:]}
        practised = Counter(a.kind for a in attempts if a.skill == skill_id)
        rng = _rng(self.learner, len(attempts), skill_id)
        known = self.records.mastery(self.learner).get(skill_id)
        covered = set(known.covered or []) if known else set()
        return exercise_for(
            self.curriculum,
            skill_id,
            rng,
            avoid=recent,
            practised=dict(practised),
            covered=covered,
            narrowed=self._requested_templates(skill_id, requested),
        )

    def _requested_templates(self, skill_id: str, text: str) -> list[ExerciseTemplate] | None:
        """The skill's templates of the kinds ``text`` names, a named time signature drawn
        alone; None when it names none the skill has."""
        if not text:
            return None
        kinds = requested_kinds(text)
        skill = self.curriculum.skill(skill_id)
        for kind in kinds:
            chosen = [t for t in skill.exercises if t.kind == kind]
            if not chosen:
                continue
            signature = requested_signature(text)
            if kind == "meter_beats" and signature:
                chosen = [
                    t.model_copy(update={"choices": {**t.choices, "meters": [signature]}})
                    for t in chosen
                ]
            return chosen
        return None

    def choose_next(self, just_done: Exercise | None = None) -> Exercise | None:
        """A due review first, then the skill just practised until mastered, then the path."""
        due = self.records.due_reviews(self.learner, self._count())
        if due:
            return due[0].exercise.model_copy(update={"review": True, "id": uuid.uuid4().hex[:10]})
        mastery = self.mastery_map()
        if (
            just_done is not None
            and not just_done.placement
            and mastery.get(just_done.skill, 0.0) < MASTERED
        ):
            return self._fresh(just_done.skill)
        record = self.records.learner(self.learner)
        skill_id = next_skill(self.curriculum, record.track if record else "core", mastery)
        return self._fresh(skill_id) if skill_id else None

    def next_exercise(self) -> list[Evidence]:
        track = self._ensure_learner()
        exercise = self.choose_next()
        if exercise is None:
            return [path_evidence(self.curriculum, track, self.mastery_map())]
        self.records.set_open(self.learner, exercise, session=self.message.session)
        return [exercise_evidence(exercise, self.curriculum)]

    # -- answers --------------------------------------------------------------------------

    def _submission_dir(self) -> Path:
        return self.submissions / re.sub(r"\W", "_", self.learner)

    def try_answer(
        self, exercise: Exercise, queue: list[Exercise], *, explicit: bool
    ) -> list[Evidence] | None:
        """Check the message as an answer to the open exercise; None if it is not one."""
        if exercise.answer_kind == "composition":
            from etude.lessons.composition import check_composition, load_submission
            from etude.scores.loading import ScoreError

            try:
                loaded = load_submission(
                    self.message.text, self.message.attachment, self._submission_dir()
                )
            except ScoreError as exc:
                return [note(f"I could not read your submission: {exc}", kind="error")]
            if loaded is None:
                if not explicit:
                    return None
                return [
                    note(
                        "To hand in this task, attach a MIDI, MusicXML or ABC file, or paste "
                        "ABC notation in your message."
                    ),
                    exercise_evidence(exercise, self.curriculum, "Still open"),
                ]
            result = check_composition(exercise, loaded)
        else:
            result = check_drill(exercise, self.message.text)
            if not result.answered:
                if not explicit:
                    return None
                return self._unread(exercise, result)
        return self.record(exercise, queue, result)

    def record(
        self, exercise: Exercise, queue: list[Exercise], result: CheckResult
    ) -> list[Evidence]:
        """Update the learner model with one verdict and say what comes next.

        A miss keeps the same exercise open for a retry, with the checker's explanation but
        not the answer; the second miss adds a hint (the method, computed for this exercise);
        the third shows the answer and how it is found, and the lesson moves on. Only the first
        try of an exercise updates the learner model (a retry after an explanation is no fresh
        evidence of what the learner knew). Placement questions and skips never retry.
        """
        misses = self.records.misses(self.learner)
        first_try = misses == 0
        skipped = "skipped" in result.misconceptions
        closed = result.correct or exercise.placement or skipped or misses + 1 >= MAX_TRIES
        if first_try:
            self._update_model(exercise, result)
        why = ""
        if closed and not result.correct and exercise.answer_kind != "composition":
            why = "How to find it: " + hint(exercise).removeprefix("Hint: ")
        evidence = [check_evidence(exercise, result, reveal=closed, why=why)]
        self.records.add_check(
            self.learner, exercise, result, closed=closed, session=self.message.session
        )
        if not closed:
            self.records.set_open(
                self.learner, exercise, queue, session=self.message.session, misses=misses + 1
            )
            shown_hint = hint(exercise) if misses + 1 >= 2 else ""
            follow = [retry_evidence(exercise, self.curriculum, shown_hint)]
            next_step = "the same exercise again, above"
        else:
            follow = self._follow_up(exercise, queue)
            next_step = self._next_words(exercise)
        if not exercise.placement:
            evidence.append(self._mastery_words(exercise, next_step))
        return [*evidence, *follow]

    def _update_model(self, exercise: Exercise, result: CheckResult) -> None:
        params = COMPOSITION if exercise.answer_kind == "composition" else DRILL
        known = self.records.mastery(self.learner).get(exercise.skill)
        prior = params.prior if known is None else known.p_known
        covers = [exercise.family] if result.correct and exercise.family else []
        if exercise.placement:
            placed = placed_mastery(self.curriculum, exercise.skill, result.correct, prior, params)
            for skill_id, p in placed.items():
                # a right placement answer tests the learner out of whole skills, every family
                tested_out = sorted(skill_families(self.curriculum.skill(skill_id)))
                if skill_id != exercise.skill:
                    self.records.set_mastery(
                        self.learner, skill_id, max(p, self._p(skill_id)), tested_out
                    )
                elif result.correct:
                    covers = tested_out
            p_known = placed[exercise.skill]
        else:
            p_known = update(prior, result.correct, params)
        skill = self.curriculum.skill(exercise.skill)
        before = known.covered if known is not None else []
        missing = untested(skill, None if before is None else [*before, *covers])
        count = self.records.record_attempt(
            self.learner,
            exercise,
            result.correct,
            p_known,
            result.misconceptions,
            covers,
            shown=gated(p_known, missing),
        )
        self._schedule(exercise, result.correct, count)

    def _mastery_words(self, exercise: Exercise, next_step: str) -> Evidence:
        """Where the learner stands on the exercise's skill and its family, in words."""
        stats = self.records.mastery(self.learner)[exercise.skill]
        missing = untested(self.curriculum.skill(exercise.skill), stats.covered)
        family_counts = None
        if exercise.family:
            same = [
                a
                for a in self.records.attempts(self.learner)
                if a.skill == exercise.skill and a.family == exercise.family and not a.placement
            ]
            if same:
                family_counts = (sum(a.correct for a in same), len(same))
        return mastery_evidence(
            self.curriculum,
            exercise.skill,
            gated(stats.p_known, missing),
            stats.attempts,
            stats.correct,
            missing,
            family=exercise.family,
            family_counts=family_counts,
            next_step=next_step,
        )

    def _next_words(self, exercise: Exercise) -> str:
        """What comes next, as the learner should hear it: a review of what they missed (counted
        in exercises, as the schedule is), more of the same, or the next skill."""
        queued = self.records.review_item(self.learner, exercise)
        if queued is not None:
            gap = max(queued.due - self._count(), 1)
            return f"this one comes back for review after {gap} more exercise{'s' * (gap > 1)}"
        opened = self.records.open_exercise(self.learner)
        if opened is not None and opened[0].skill != exercise.skill:
            return f"on to {self.curriculum.skill(opened[0].skill).title}"
        if self.mastery_map().get(exercise.skill, 0.0) >= MASTERED:
            return "mastered"
        return f"more practice on {exercise.family or self.curriculum.skill(exercise.skill).title}"

    def why_wrong(self) -> list[Evidence]:
        """'why was I wrong?' / 'why was my first answer wrong?': from the checks of the last
        exercise answered, never a new guess. An exercise still open keeps its answer hidden."""
        last = self.records.last_check(self.learner)
        if last is None or not last.results or not _same_thread(last.session, self.message.session):
            return [
                note(
                    "You have not answered an exercise in this lesson yet, so there is no answer "
                    "of yours to explain: ask me for an exercise.",
                    type="why",
                )
            ]
        first = bool(re.search(r"\bfirst\b", self.message.text, re.IGNORECASE))
        result = last.results[0] if first else last.results[-1]
        which = "first" if first and len(last.results) > 1 else "last"
        exercise = last.exercise
        asked = f'You were asked: "{exercise.prompt}" Your {which} answer was '
        if result.correct:
            summary = f"{asked}{result.given}, and it was right. {exercise.fact}".strip()
        elif last.closed:
            summary = f"{asked}{result.given or 'not readable'}: " + verdict_text(
                exercise, result
            ).removeprefix("Not yet: ")
            if exercise.answer_kind != "composition":
                summary += " How to find it: " + hint(exercise).removeprefix("Hint: ")
        else:
            explained = verdict_text(exercise, result, reveal=False).removeprefix("Not yet: ")
            summary = (
                f"{asked}{result.given or 'not readable'}: {explained} {hint(exercise)} "
                "The exercise is still open: try again."
            )
        return [
            note(
                summary,
                kind="analysis",
                type="why",
                exercise=public(exercise),
                result=result.model_dump(mode="json") if last.closed or result.correct else None,
            )
        ]

    def _p(self, skill_id: str) -> float:
        found = self.records.mastery(self.learner).get(skill_id)
        return found.p_known if found else 0.0

    def _schedule(self, exercise: Exercise, correct: bool, count: int) -> None:
        """Spaced review of drill facts: a miss is queued, a reviewed fact moves up a box."""
        if exercise.answer_kind == "composition":
            return
        queued = self.records.review_item(self.learner, exercise)
        if queued is None:
            if not correct:  # first miss: back after the first gap
                self.records.schedule_review(self.learner, exercise, *next_review(0, False, count))
            return
        box, due = next_review(queued.box, correct, count)
        self.records.schedule_review(self.learner, exercise, box, due)

    def _follow_up(self, exercise: Exercise, queue: list[Exercise]) -> list[Evidence]:
        if queue:
            nxt, rest = queue[0], queue[1:]
            self.records.set_open(self.learner, nxt, rest, session=self.message.session)
            number = sum(a.placement for a in self.records.attempts(self.learner)) + 1
            label = f"Placement question {number} of {number + len(rest)}"
            return [exercise_evidence(nxt, self.curriculum, label)]
        evidence = []
        record = self.records.learner(self.learner)
        if exercise.placement and record is not None and not record.placed:
            self.records.mark_placed(self.learner)
            evidence.append(path_evidence(self.curriculum, record.track, self.mastery_map()))
        following = self.choose_next(exercise)
        self.records.set_open(self.learner, following, session=self.message.session)
        if following is not None:
            evidence.append(exercise_evidence(following, self.curriculum, "Next exercise"))
        return evidence

    def skip(self, exercise: Exercise, queue: list[Exercise]) -> list[Evidence]:
        """Skipping counts as a miss (the learner did not know) and reveals the answer."""
        result = CheckResult(
            exercise_id=exercise.id,
            skill=exercise.skill,
            correct=False,
            given="(skipped)",
            expected=" ".join(exercise.expected) or exercise.prompt,
            feedback=[exercise.fact] if exercise.fact else [],
            misconceptions=["skipped"],
        )
        return self.record(exercise, queue, result)

    # -- progress -------------------------------------------------------------------------

    def _track(self) -> str:
        """The learner's track, or the one this message and their profile point to (a plan
        or a routine is drawn before any lesson has started, and starts none)."""
        record = self.records.learner(self.learner)
        if record is not None:
            return record.track
        return choose_track(self.curriculum, self.message.text, self.message.profile)

    def plan(self, goal: str | None) -> list[Evidence]:
        """A study plan: the skills on the way to ``goal`` (or the whole track) that are not
        yet mastered, prerequisites first, shared out over the weeks the learner names."""
        track = self._track()
        mastery = self.mastery_map()
        path = self.curriculum.path(track)
        if goal is not None and goal not in path:
            track = next(
                (t for t in self.curriculum.tracks if goal in self.curriculum.path(t)), track
            )
            path = self.curriculum.path(track)
        needed: list[str] = []

        def visit(skill_id: str) -> None:
            for required in self.curriculum.skill(skill_id).requires:
                visit(required)
            if skill_id not in needed:
                needed.append(skill_id)

        if goal is not None:
            visit(goal)
        steps = [s for s in (needed or path) if mastery.get(s, 0.0) < MASTERED]
        weeks = re.search(r"(\d+)[- ]?weeks?", self.message.text)
        count = max(1, min(int(weeks.group(1)) if weeks else len(steps), len(steps) or 1))
        per_week = -(-len(steps) // count) if steps else 0
        weeks_of = [
            steps[week * per_week : (week + 1) * per_week]
            for week in range(count)
            if steps[week * per_week : (week + 1) * per_week]
        ]
        lines = [
            f"{number}. Week {number}: "
            + "; ".join(self._weekly_task(skill_id) for skill_id in skills)
            for number, skills in enumerate(weeks_of, start=1)
        ]
        target = self.curriculum.skill(goal).title if goal else self.curriculum.tracks[track].title
        if not lines:
            return [note(f"You have already mastered everything on the way to {target}.")]
        first = self.curriculum.skill(steps[0]).title
        return [
            note(
                f"A plan to {target}, one skill at a time, each building on the one before:\n"
                + "\n".join(f"{line}." for line in lines),
                kind="profile",
                type="plan",
                skills=steps,
                weeks=len(lines),
                next_step=f'Next: say "teach me {first.lower()}" to start week 1 with a worked '
                "example and an exercise.",
            )
        ]

    def _weekly_task(self, skill_id: str) -> str:
        """A skill as a week's work: its title and its first goal, what to be able to do."""
        skill = self.curriculum.skill(skill_id)
        goal = skill.goals[0].rstrip(".") if skill.goals else ""
        return f"{skill.title} ({goal[:1].lower()}{goal[1:]})" if goal else skill.title

    def routine(self) -> list[Evidence]:
        """A daily routine in the minutes the learner has: a drill on the next skill of their
        path, then writing on the first composition task of the track, and a weekly check;
        taken from the curriculum and the learner's record, not invented."""
        minutes_said = re.search(r"(\d+)\s*(?:min|minutes?)\b", self.message.text, re.I)
        hours_said = re.search(r"(\d+)\s*hours?\b", self.message.text, re.I)
        minutes = (
            int(minutes_said[1]) if minutes_said else 60 * int(hours_said[1]) if hours_said else 20
        )
        track = self._track()
        mastery = self.mastery_map()
        path = self.curriculum.path(track)
        drills = [s for s in path if not self.curriculum.skill(s).is_composition]
        writing = [s for s in path if self.curriculum.skill(s).is_composition]
        drill = next((s for s in drills if mastery.get(s, 0.0) < MASTERED), drills[-1])
        drill_minutes = max(5, round(minutes / 3)) if minutes >= 10 else minutes
        lines = [
            f"1. {drill_minutes} minutes: one exercise on "
            f'{self.curriculum.skill(drill).title} (say "give me an exercise"), checked at '
            "once, so the theory you write with becomes quick."
        ]
        if writing and minutes - drill_minutes >= 5:
            task = self.curriculum.skill(writing[0])
            template = task.exercises[0]
            key_name = (template.choices.get("keys") or ["C major"])[0]
            prompt = (template.prompt or "").format(key=key_name).strip()
            lines.append(
                f"2. {minutes - drill_minutes} minutes: write a little every day towards "
                f"{task.title.lower()}: {prompt} Keep one file and add to it each day."
            )
        lines.append(
            f"{len(lines) + 1}. Once a week: send me what you wrote for feedback, and ask "
            '"how am I doing?" to see which skills are done.'
        )
        return [
            note(
                f"A {minutes}-minute daily routine from your path "
                f"({self.curriculum.tracks[track].title}):\n" + "\n".join(lines),
                kind="profile",
                type="routine",
                minutes=minutes,
                drill=drill,
                next_step='Next: say "give me an exercise" to start today\'s drill.',
            )
        ]

    def progress(self) -> list[Evidence]:
        record = self.records.learner(self.learner)
        if record is None:
            return [
                note(
                    "No exercises yet: ask me for an exercise or say what you want to learn, "
                    "and I will find where to start.",
                    kind="profile",
                    type="progress",
                    exercises=0,
                    right=0,
                    reviews_due=0,
                )
            ]
        attempts = self.records.attempts(self.learner)
        right = sum(a.correct for a in attempts)
        due = self.records.due_reviews(self.learner, record.exercises_done)
        reviews = f"; {len(due)} fact(s) due for review" if due else ""
        return [
            note(
                f"{len(attempts)} exercises done, {right} right{reviews}.",
                kind="profile",
                type="progress",
                exercises=len(attempts),
                right=right,
                reviews_due=len(due),
            ),
            path_evidence(self.curriculum, record.track, self.mastery_map()),
        ]
