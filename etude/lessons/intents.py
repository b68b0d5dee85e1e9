"""What the learner wants from the lesson tool this turn, read from their words.

The router already decided that the turn is about lessons; this only tells apart asking for
progress, for an exercise, to be taught a topic, to skip, or to start. Whether a message is an
*answer* is not decided from words at all but from state: if an exercise is open and the
message can be read as an answer to it, it is one (see ``tool.py``). Rules, not a model: they
run in microseconds and a test can pin each one.
"""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal[
    "progress",
    "plan",
    "routine",
    "why",
    "repeat",
    "skip",
    "exercise",
    "harder",
    "easier",
    "teach",
    "start",
    "answer",
    "other",
]

_WHY_WRONG = (
    r"why\s+(?:was|were|is|am|did)\s+(?:i|my\s+(?:(?:first|last|previous|second|third)\s+)?"
    r"(?:answer|attempt|try|guess)|that\s+(?:answer|attempt))\s+(?:wrong|incorrect|not\s+right|"
    r"marked\s+wrong|get\s+it\s+wrong)|why\s+(?:was|is)\s+(?:that|it)\s+(?:wrong|incorrect|"
    r"not\s+right)\W*$|what\s+did\s+i\s+(?:do|get)\s+wrong|explain\s+my\s+mistake|"
    r"where\s+did\s+i\s+go\s+wrong"
)
_WHY = re.compile(rf"\b(?:{_WHY_WRONG})", re.IGNORECASE)
_REPEAT_QUESTION = (
    r"what\s+(?:was|is)\s+the\s+(?:question|exercise|task)(?:\s+again)?|"
    r"(?:repeat|say\s+again)\s+the\s+(?:question|exercise|task)|"
    r"what\s+(?:am\s+i|was\s+i)\s+supposed\s+to\s+(?:answer|do)"
)
_REPEAT = re.compile(rf"\b(?:{_REPEAT_QUESTION})\b", re.IGNORECASE)

_PROGRESS = re.compile(
    r"how am i doing|my progress|progress report|how (?:far|well) (?:have|am) i|"
    r"what (?:have|did) i (?:learn|learned|master|mastered)|my mastery|my (?:learning )?path|"
    r"where am i (?:at|on)|what should i (?:learn|study) next|what'?s next for me|"
    r"my (?:score|stats)",
    re.IGNORECASE,
)
_PLAN = re.compile(
    r"\b(?:plan (?:me|out)\b|\d+ (?:weeks?|months?) to (?:learn|master|study|get)|"
    r"(?:study|learning|practice|week(?:ly)?|\d+[- ]week|month(?:ly)?) plan|"
    r"plan (?:to|for) (?:learn|study|master)|(?:make|give|write) me a (?:\w+ ){0,3}plan)\b",
    re.IGNORECASE,
)
_ROUTINE = re.compile(
    r"\b(?:\d+|an?|one|half an?)\s*(?:min(?:ute)?s?|hours?)\s*(?:a|per|each|every)\s*day\b|"
    r"\b(?:daily|practi[cs]e) routine\b|\bwhat should i (?:practi[cs]e|work on)\b|"
    r"\bhow (?:should|do) i (?:practi[cs]e|spend)\b.*\b(?:day|daily|week|compos\w*)\b",
    re.IGNORECASE,
)
_HARDER = re.compile(
    r"\btoo (?:easy|simple)|\b(?:harder|tougher|more difficult|more advanced|more challenging)"
    r"\b",
    re.IGNORECASE,
)
_EASIER = re.compile(
    r"\btoo (?:hard|difficult|advanced)|\b(?:easier|simpler|less difficult)\b", re.IGNORECASE
)
_SKIP = re.compile(
    r"\b(?:skip(?: it| this)?|i don'?t know|no idea|give up|i give up|pass|show me the answer|"
    r"tell me the answer|reveal)\b",
    re.IGNORECASE,
)
_EXERCISE = re.compile(
    r"\b(?:exercises?|quiz(?:zes)?|drills?|test me|practi[cs]e|another one|next one|"
    r"next exercise|homework|assignment|challenge me|give me (?:a|an|another|some) task|"
    r"something to (?:write|practi[cs]e|do))\b",
    re.IGNORECASE,
)
_TEACH = re.compile(
    r"\b(?:teach me|learn(?:ing)? (?:about|how)|i want to learn|lesson (?:on|about)|"
    r"show me how to|help me (?:learn|understand|get better)|start (?:a|the|my|our) lesson|"
    r"let'?s (?:start|begin|learn)|where should i (?:start|begin))\b",
    re.IGNORECASE,
)
_START = re.compile(
    r"\b(?:i(?:'m| am) (?:a |an |complete |total )?(?:beginner|novice|new)|"
    r"i want to (?:write|compose|learn|get better|start)|my first (?:song|piece|composition)|"
    r"new to (?:composing|composition|music|songwriting)|where (?:do|should) i (?:start|begin))\b",
    re.IGNORECASE,
)
_ANSWER_MARK = re.compile(
    r"\b(?:my answer|answer\s*(?:is|:)|here(?:'s| is) my|i think (?:it'?s|it is)|is it\b|"
    r"it'?s (?:a |an )?|my (?:melody|tune|piece|solution|attempt|submission|song))",
    re.IGNORECASE,
)

_NEW_REQUEST = re.compile(r"\b(?:give|set|another|next|new|more)\b", re.IGNORECASE)


def read_intent(text: str) -> Intent:
    """The lesson request in a message; ``other`` when it asks for none of them.

    >>> read_intent("How am I doing?"), read_intent("Give me an exercise on triads")
    ('progress', 'exercise')
    >>> read_intent("Teach me cadences"), read_intent("I don't know, skip")
    ('teach', 'skip')
    >>> read_intent("I'm a beginner pianist and want to write my first song")
    'start'
    >>> read_intent("Here is my answer: E G# B"), read_intent("Here's my answer for the exercise")
    ('answer', 'answer')
    >>> read_intent("that was too easy, got a harder one?"), read_intent("a bit simpler please")
    ('harder', 'easier')
    >>> read_intent("can you make me a 6 week plan for counterpoint?")
    'plan'
    >>> read_intent("plan me 2 weeks to learn cadences")
    'plan'
    >>> read_intent("I only have 15 min a day. what should I practise to get better at composing?")
    'routine'
    >>> read_intent("why was my first answer wrong?"), read_intent("what was the question again?")
    ('why', 'repeat')
    >>> read_intent("why is it wrong to write parallel fifths?") != "why"
    True

    """
    if _PROGRESS.search(text):
        return "progress"
    if _PLAN.search(text):
        return "plan"
    if _ROUTINE.search(text):
        return "routine"
    if _WHY.search(text):
        return "why"
    if _REPEAT.search(text) and len(text) < 80:
        return "repeat"
    if _HARDER.search(text) and len(text) < 120:
        return "harder"
    if _EASIER.search(text) and len(text) < 120:
        return "easier"
    if _ANSWER_MARK.search(text) and not _NEW_REQUEST.search(text) and not _TEACH.search(text):
        return "answer"
    if _SKIP.search(text) and len(text) < 80:
        return "skip"
    if _EXERCISE.search(text):
        return "exercise"
    if _TEACH.search(text):
        return "teach"
    if _START.search(text):
        return "start"
    return "other"


_LESSON_REQUEST = re.compile(
    r"\b(?:teach me|quiz me|test me|drill me|how am i doing|my progress|"
    r"(?:give|set|send) me (?:a|an|another|one more|some|the next) (?:[\w-]+ ){0,3}?"
    r"(?:exercises?|drills?|quiz|task|challenge|lesson)|"
    r"what should i (?:learn|practi[cs]e|study) next|my first (?:song|piece|composition)|"
    r"too (?:easy|simple|hard|difficult)|something more (?:challenging|difficult)|"
    r"(?:a |something )?(?:harder|easier|tougher|simpler) (?:one|exercise|"
    r"question|task)|(?:week(?:ly)?|\d+[- ]week|study|learning) plan|plan me|"
    r"\d+ (?:weeks?|months?) to (?:learn|master|study)|"
    r"where (?:do|should) i (?:start|begin)|"
    rf"{_WHY_WRONG}|{_REPEAT_QUESTION})\b",
    re.IGNORECASE,
)


def asks_for_lesson(text: str) -> bool:
    """An unmistakable lesson request, for the router's exact-grammar pass (``recognizes``).

    Narrower than :func:`read_intent` on purpose: it runs on every turn and claims the turn
    for the lesson tool even when examples resemble another tool more, so it must not fire on
    questions that merely mention an exercise ("Did I resolve the leading tone in my
    exercise?") or practising ("How should I practise scales?").

    >>> asks_for_lesson("Teach me how to write a melody"), asks_for_lesson("How am I doing?")
    (True, True)
    >>> asks_for_lesson("Give me a short composition task")
    True
    >>> asks_for_lesson("that's way too simple, something more challenging please")
    True
    >>> asks_for_lesson("Did I resolve the leading tone correctly in my exercise?")
    False
    >>> asks_for_lesson("How should I practise scales on the piano?")
    False
    >>> asks_for_lesson("why was I wrong?"), asks_for_lesson("why is it wrong to double the third?")
    (True, False)
    """
    return bool(_LESSON_REQUEST.search(text))
