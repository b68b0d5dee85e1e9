"""MusicTheoryBench (ChatMusician, Yuan et al. 2024): four-option multiple choice on music
knowledge and music reasoning, for base vs tuned.

The benchmark is not redistributable with Etude, so ``etude eval mtb FILE`` reads a copy the
user has, as JSON Lines or a JSON list of records with the dataset's fields: ``stem``,
``options`` (``{"A": .., "B": .., "C": .., "D": ..}``), ``answer`` (a letter), ``subject``
(``music knowledge`` / ``music reasoning``) and optionally ``instruction``, ``abc_score``,
``split`` (``dev`` rows, the five few-shot examples, are skipped) and ``id``.

Two protocols:

* **letter probability** (the default, the paper's): zero-shot; the model reads the question in
  its chat template followed by ``Answer:``, and its choice is the letter A-D with the highest
  next-token probability. Scoring the letter's probability rather than parsing free text means
  a small model that rambles still gets a definite answer, and the number is deterministic.
  It measures the chat model alone.
* **whole graph** (``--graph``): every question goes through ``Mentor.ask`` as a learner
  would paste it (the stem, the tune if the row carries one, the options one per line), and
  the choice is the letter on the reply's first line, ``Answer: X)``
  (:func:`letter_of`). A reply that names no option, or several, is wrong. It measures
  Etude: the router, the theory engine (which computes the stem and picks an option), the
  knowledge base and the model together.

Published zero-shot numbers to compare with: ChatMusician 40.2 knowledge / 27.1 reasoning,
GPT-4 58.2 / 25.6 (percent correct).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etude.config import Settings

LETTERS = ("A", "B", "C", "D")
SUBJECTS = ("knowledge", "reasoning")
PUBLISHED = {
    "ChatMusician": {"knowledge": 40.2, "reasoning": 27.1},
    "GPT-4": {"knowledge": 58.2, "reasoning": 25.6},
}
"""Zero-shot accuracy (%) reported in the ChatMusician paper, for comparison."""


def _records(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        rows = json.loads(stripped)
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number} is not JSON: {exc.msg}") from exc
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError(f"{path}: expected JSON objects, one per line or in a list")
    return rows


def subject_of(raw: object) -> str | None:
    """``music knowledge`` → ``knowledge``; None for anything else.

    >>> subject_of("music reasoning"), subject_of("Knowledge"), subject_of("history")
    ('reasoning', 'knowledge', None)
    """
    lowered = str(raw).lower()
    return next((name for name in SUBJECTS if name in lowered), None)


def read_mtb(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The test questions of a MusicTheoryBench file, checked; ``ValueError`` says what is
    wrong with which row."""
    path = Path(path)
    questions: list[dict[str, Any]] = []
    for number, row in enumerate(_records(path), 1):
        if str(row.get("split", "test")).lower() == "dev":
            continue
        where = f"{path}: question {row.get('id', number)}"
        options = row.get("options")
        if not isinstance(options, dict) or sorted(options) != list(LETTERS):
            raise ValueError(f"{where}: 'options' must map exactly A, B, C and D to answers")
        answer = str(row.get("answer", "")).strip().upper()[:1]
        if answer not in LETTERS:
            raise ValueError(f"{where}: 'answer' must be one of A, B, C, D")
        subject = subject_of(row.get("subject", ""))
        if subject is None:
            raise ValueError(f"{where}: 'subject' must name music knowledge or music reasoning")
        stem = str(row.get("stem", "")).strip()
        if not stem:
            raise ValueError(f"{where}: 'stem' (the question) is empty")
        questions.append(
            {
                "id": row.get("id", number),
                "subject": subject,
                "instruction": str(row.get("instruction") or "").strip(),
                "stem": stem,
                "options": {letter: str(options[letter]) for letter in LETTERS},
                "answer": answer,
                "abc_score": str(row.get("abc_score") or "").strip(),
            }
        )
        if limit is not None and len(questions) >= limit:
            break
    if not questions:
        raise ValueError(f"{path}: no test questions")
    return questions


def question_text(question: dict[str, Any]) -> str:
    """The user turn: instruction, question and the four options, one per line.

    >>> print(question_text({"instruction": "Pick one.", "stem": "Which is a third?",
    ...     "options": {"A": "C-E", "B": "C-F", "C": "C-G", "D": "C-A"}}))
    Pick one.
    Which is a third?
    A. C-E
    B. C-F
    C. C-G
    D. C-A
    Answer with the letter of the correct option.
    """
    lines = [question["instruction"]] if question.get("instruction") else []
    lines.append(question["stem"])
    lines += [f"{letter}. {question['options'][letter]}" for letter in LETTERS]
    lines.append("Answer with the letter of the correct option.")
    return "\n".join(lines)


def graph_text(question: dict[str, Any]) -> str:
    """The message the mentor gets: the stem, the tune when the row carries one the stem does
    not already hold, then the options one per line.

    >>> print(graph_text({"stem": "What key is it in?", "abc_score": "X:1\\nK:G\\nGAB|]",
    ...     "options": {"A": "G major", "B": "E minor", "C": "D major", "D": "C major"}}))
    What key is it in?
    X:1
    K:G
    GAB|]
    A) G major
    B) E minor
    C) D major
    D) C major
    """
    lines = [question["stem"]]
    tune = question.get("abc_score") or ""
    if tune and tune not in question["stem"]:
        lines.append(tune)
    lines += [f"{letter}) {question['options'][letter]}" for letter in LETTERS]
    return "\n".join(lines)


_ANSWER_LINE = re.compile(r"^\W*Answer\s*:\s*(?:\*\*|__)?\s*([A-D])\)")
_LABEL = re.compile(r"(?<![A-Za-z0-9])([A-D])\)")


def letter_of(reply: str) -> str | None:
    """The option a reply names on its first line (``Answer: C) G minor``), or None when its
    first line names none or more than one (a later ``Answer:`` line naming another counts).

    >>> letter_of("**Answer: C) G minor**\\nThe relative minor of Bb major is G minor.")
    'C'
    >>> letter_of("I think it is C) or D)"), letter_of("Answer: A) C\\nAnswer: B) D")
    (None, None)
    """
    lines = (reply or "").strip().splitlines()
    match = _ANSWER_LINE.match(lines[0]) if lines else None
    if match is None:
        return None
    named = set(_LABEL.findall(lines[0]))
    named |= {m.group(1) for line in lines[1:] if (m := _ANSWER_LINE.match(line))}
    return match.group(1) if named <= {match.group(1)} else None


def choose_with_graph(
    settings: Settings,
    questions: list[dict[str, Any]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[str | None], list[str]]:
    """Each question through the whole mentor graph, a fresh lesson each: the letter each
    reply names (None: no single option named), and the replies."""
    from etude.mentor import Mentor

    mentor = Mentor(settings)
    picks: list[str | None] = []
    replies: list[str] = []
    try:
        for number, question in enumerate(questions, 1):
            reply = mentor.ask(graph_text(question)).answer
            replies.append(reply)
            picks.append(letter_of(reply))
            if progress is not None:
                progress(number, len(questions))
    finally:
        mentor.close()
    return picks, replies


def evaluate_mtb_graph(
    path: str | Path,
    settings: Settings,
    *,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """MusicTheoryBench through the whole graph: accuracy per subject, every choice."""
    questions = read_mtb(path, limit)
    started = time.perf_counter()
    picks, replies = choose_with_graph(settings, questions, progress)
    seconds = round(time.perf_counter() - started, 2)
    return {
        "file": str(path),
        "benchmark": "MusicTheoryBench",
        "protocol": "zero-shot, whole graph; the letter on the reply's first line (Answer: X))",
        "base_model": settings.model,
        "adapter": settings.adapter,
        "questions": len(questions),
        "seconds": {"graph": seconds},
        "models": {"graph": score(questions, picks)},
        "no_option_named": sum(pick is None for pick in picks),
        "published": PUBLISHED,
        "choices": [
            {
                "id": q["id"],
                "subject": q["subject"],
                "answer": q["answer"],
                "graph": pick,
                "reply": reply,
            }
            for q, pick, reply in zip(questions, picks, replies, strict=True)
        ],
    }


def letter_ids(tokenizer: Any) -> list[int]:
    """One token id per letter: the id of "A" as the model would write it after "Answer:"."""
    ids = []
    for letter in LETTERS:
        pieces = tokenizer.encode(" " + letter, add_special_tokens=False)
        if not pieces:
            pieces = tokenizer.encode(letter, add_special_tokens=False)
        ids.append(pieces[-1])
    if len(set(ids)) != len(LETTERS):
        raise ValueError("the tokenizer does not give the letters A-D distinct tokens")
    return ids


def choose(
    tokenizer: Any,
    model: Any,
    questions: list[dict[str, Any]],
    done: Callable[[int], None] | None = None,
) -> list[str]:
    """The letter the model finds most probable after each question (``done(n)`` after each)."""
    import torch

    from etude.finetune.formatting import render

    candidates = torch.tensor(letter_ids(tokenizer))
    picks = []
    for question in questions:
        prompt = render(
            tokenizer,
            [{"role": "user", "content": question_text(question)}],
            add_generation_prompt=True,
        )
        encoded = tokenizer(prompt + "Answer:", return_tensors="pt", add_special_tokens=False)
        encoded = {name: tensor.to(model.device) for name, tensor in encoded.items()}
        with torch.no_grad():
            logits = model(**encoded).logits[0, -1]
        picks.append(LETTERS[int(torch.argmax(logits[candidates.to(logits.device)]))])
        if done:
            done(len(picks))
    return picks


def score(questions: list[dict[str, Any]], picks: list[str] | list[str | None]) -> dict[str, Any]:
    """Accuracy per subject and overall, in percent as the paper reports it (a missing pick,
    None, is wrong).

    >>> qs = [{"subject": "knowledge", "answer": "A"}, {"subject": "reasoning", "answer": "B"}]
    >>> score(qs, ["A", "C"])["knowledge"]
    {'correct': 1, 'total': 1, 'accuracy': 100.0}
    """
    result: dict[str, Any] = {}
    for subject in (*SUBJECTS, "overall"):
        marks = [
            pick == q["answer"]
            for q, pick in zip(questions, picks, strict=True)
            if subject in ("overall", q["subject"])
        ]
        result[subject] = {
            "correct": sum(marks),
            "total": len(marks),
            "accuracy": round(100 * sum(marks) / len(marks), 1) if marks else None,
        }
    return result


def evaluate_mtb(
    path: str | Path,
    adapter: str | Path | None,
    *,
    model: str | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Base vs base+adapter on a MusicTheoryBench file: accuracy per subject, every choice;
    ``progress(done, total)`` counts answered questions over both models."""
    from etude.finetune.evaluate import BASE, TUNED, load_eval_model, resolve_base
    from etude.llm.loading import merge_adapter

    questions = read_mtb(path, limit)
    base = resolve_base(model, adapter)
    tokenizer, loaded = load_eval_model(base, None)
    picks: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    models = [BASE] if adapter is None else [BASE, TUNED]
    total = len(questions) * len(models)
    for index, name in enumerate(models):
        if name == TUNED:
            loaded = merge_adapter(loaded, adapter)  # type: ignore[arg-type]
        started = time.perf_counter()
        before = index * len(questions)
        done = (lambda n, before=before: progress(before + n, total)) if progress else None
        picks[name] = choose(tokenizer, loaded, questions, done)
        seconds[name] = round(time.perf_counter() - started, 2)
    return {
        "file": str(path),
        "benchmark": "MusicTheoryBench",
        "protocol": "zero-shot, letter A-D with the highest next-token probability",
        "base_model": base,
        "adapter": str(adapter) if adapter is not None else None,
        "questions": len(questions),
        "seconds": seconds,
        "models": {name: score(questions, chosen) for name, chosen in picks.items()},
        "published": PUBLISHED,
        "choices": [
            {
                "id": q["id"],
                "subject": q["subject"],
                "answer": q["answer"],
                **{name: chosen[i] for name, chosen in picks.items()},
            }
            for i, q in enumerate(questions)
        ],
    }
