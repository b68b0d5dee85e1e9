"""Model-written claims: structured stems whose subject we know, answered by the embedded model.

Each stem asks one thing (the dominant of F major, the notes of a D7 chord…) in one of three
styles, all with the system prompt "Answer in one short sentence.":

- ``question``: the learner's question ("What is the dominant of F major?");
- ``complete``: "Complete the sentence: The dominant of F major is";
- ``prefill``: the question, with the model's reply made to begin with the stem (plus a slot
  word such as "the note"), so that it has to commit to a value right away.

Only the first sentence of each reply is kept. The raw reply is cached with the stem in
``bench/data/claims/model_sentences.jsonl``; labelling (``extract.py``) reads the cache, so the
set rebuilds without the model and a better extractor needs no new generation. The cache is the
record: each line carries its own prompt, prefix, model and timing.

Generation is greedy and deterministic; the base model and the tuned adapter answer alternate
stems, so both variants' habits are represented per type.
"""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from typing import Any

import truth as T

SYSTEM = "Answer in one short sentence."
MAX_NEW_TOKENS = 48
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def first_sentence(model: Any, messages: list[Any]) -> tuple[str, str]:
    """The model's first sentence, streamed and cut as soon as it ends (the model then stops
    decoding), and how it ended: ``sentence`` (a full stop, question or exclamation mark, or a
    line break), ``eos`` (the model stopped) or ``max_tokens`` (cut off: an incomplete
    sentence, which the labeller drops)."""
    text = ""
    for chunk in model.stream(messages):
        text += str(chunk.content)
        found = _SENTENCE_END.search(text.lstrip())
        if found:
            body = text.lstrip()
            return body[: found.end()].strip(), "sentence"
    tokens = len(model.tokenizer(text, add_special_tokens=False)["input_ids"])
    return text.strip(), "max_tokens" if tokens >= MAX_NEW_TOKENS - 1 else "eos"


SYMBOL = {
    "major": "",
    "minor": "m",
    "dominant seventh": "7",
    "major seventh": "maj7",
    "minor seventh": "m7",
    "diminished": "dim",
    "augmented": "aug",
    "half-diminished seventh": "ø7",
    "diminished seventh": "dim7",
}


def show(note: str, rng: random.Random) -> str:
    """A note as a prompt writes it: mostly ASCII, sometimes in words."""
    if len(note) == 2 and rng.random() < 0.3:
        return note[0] + (" flat" if note[1] == "b" else " sharp")
    return note


def a(text: str) -> str:
    """``a``/``an`` before a word as it is read aloud: an E minor chord, an augmented sixth."""
    return ("an " if re.match(r"[AEF]|[aeio]|ø", text) else "a ") + text


def prefilled_sentence(chat: Any, messages: list[Any], prefix: str) -> tuple[str, str]:
    """The model's answer when its reply is made to begin with ``prefix`` (a true completion:
    "The relative minor of E major is" … and the model supplies the value). Uses the loaded
    chat model's own transformers model and chat template, greedy; returns the prefix plus
    the model's continuation up to the end of the sentence, and how it ended (as
    :func:`first_sentence`)."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    from etude.llm.chat_model import to_chat_turns

    tok, hf = chat.tokenizer, chat.hf_model
    text = (
        tok.apply_chat_template(to_chat_turns(messages), add_generation_prompt=True, tokenize=False)
        + prefix
    )
    inputs = tok(text, return_tensors="pt", add_special_tokens=False)
    start = inputs["input_ids"].shape[1]

    class _SentenceEnd(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **_: Any) -> bool:
            new = tok.decode(input_ids[0, start:], skip_special_tokens=True)
            return bool(_SENTENCE_END.search(new))

    with torch.inference_mode():
        out = hf.generate(
            **inputs,
            max_new_tokens=MAX_NEW_TOKENS,
            do_sample=False,
            pad_token_id=tok.pad_token_id or tok.eos_token_id,
            stopping_criteria=StoppingCriteriaList([_SentenceEnd()]),
        )
    new_ids = out[0, start:]
    continuation = tok.decode(new_ids, skip_special_tokens=True)
    found = _SENTENCE_END.search(continuation)
    if found:
        return (prefix + continuation[: found.end()]).strip(), "sentence"
    if continuation.rstrip().endswith((".", "!", "?")) or (
        len(new_ids) < MAX_NEW_TOKENS and new_ids.numel() and int(new_ids[-1]) == tok.eos_token_id
    ):
        return (prefix + continuation).strip(), "eos"
    return (prefix + continuation).strip(), "max_tokens"


def _key_text(tonic: str, mode: str, rng: random.Random) -> str:
    return f"{show(tonic, rng)} {mode}"


def stems(per_type: int, seed: int = 7) -> list[dict[str, Any]]:
    """Round-robin over types, so a generation cut short by the time budget stays balanced."""
    rng = random.Random(seed)
    by_type: dict[str, list[dict[str, Any]]] = {}

    def add(kind: str, params: dict[str, Any], question: str, completion: str) -> None:
        by_type.setdefault(kind, []).append(
            {"type": kind, "params": params, "question": question, "completion": completion}
        )

    keys = [(t, "major") for t in T.MAJOR_TONICS] + [(t, "minor") for t in T.MINOR_TONICS]
    for _ in range(per_type * 3):
        tonic, mode = rng.choice(keys)
        kt = _key_text(tonic, mode, rng)
        if rng.random() < 0.75:
            roles = (
                list(T.ROLE_DEGREE)
                if mode == "major"
                else ["tonic", "mediant", "subdominant", "dominant", "submediant", "leading tone"]
            )
            role = rng.choice(roles)
            add(
                "degree",
                {"tonic": tonic, "mode": mode, "role": role},
                f"What is the {role} of {kt}?",
                f"The {role} of {kt} is",
            )
        else:
            degree = rng.randint(1, 6) if mode == "minor" else rng.randint(1, 7)
            ordinal = T.ORDINALS[degree - 1]
            add(
                "degree",
                {"tonic": tonic, "mode": mode, "degree": degree},
                f"What is the {ordinal} degree of the {kt} scale?",
                f"The {ordinal} degree of the {kt} scale is",
            )
        other = "minor" if mode == "major" else "major"
        add(
            "relative_key",
            {"tonic": tonic, "mode": mode},
            f"What is the relative {other} of {kt}?",
            f"The relative {other} of {kt} is",
        )
        add(
            "parallel_key",
            {"tonic": tonic, "mode": mode},
            f"What is the parallel {other} of {kt}?",
            f"The parallel {other} of {kt} is",
        )
        add(
            "key_signature",
            {"tonic": tonic, "mode": mode},
            f"How many sharps or flats does {kt} have?",
            f"The key signature of {kt} has",
        )
        code = rng.choice(T.INTERVALS)
        words = T.interval_words(code)
        words = "tritone" if code == "A4" and rng.random() < 0.3 else words
        q, c = rng.choice(
            [
                ("How many semitones are in {}?", "{} is"),
                ("How many half steps are in {}?", "{} spans"),
                ("How many semitones does {} span?", "The number of semitones in {} is"),
                ("How big is {} in semitones?", "{} contains"),
            ]
        )
        add(
            "interval_semitones",
            {"code": code},
            q.format(a(words)),
            c.format(a(words).capitalize() if c[0] == "{" else a(words)),
        )
        low = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "F#", "Ab", "C#"])
        code = rng.choice([c for c in T.INTERVALS if c != "P8"])
        high = T.note_at(low, code)
        add(
            "interval_name",
            {"low": low, "high": high},
            f"What interval is it from {show(low, rng)} up to {show(high, rng)}?",
            f"The interval from {show(low, rng)} up to {show(high, rng)} is a",
        )
        root = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "F#", "Ab"])
        code = rng.choice(["M2", "m3", "M3", "P4", "P5", "m6", "M6", "m7", "M7"])
        direction = "above" if rng.random() < 0.8 else "below"
        words = T.interval_words(code)
        add(
            "interval_note",
            {"root": root, "code": code, "direction": direction},
            f"What note is {a(words)} {direction} {show(root, rng)}?",
            f"{a(words).capitalize()} {direction} {show(root, rng)} is",
        )
        root = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "F#", "Ab", "Db"])
        kind = rng.choice(list(T.CHORD_KINDS))
        name = root + SYMBOL[kind] if rng.random() < 0.5 else f"{show(root, rng)} {kind}"
        add(
            "chord_notes",
            {"root": root, "kind": kind},
            f"What notes are in {a(name)} chord?",
            f"The notes of {a(name)} chord are",
        )
        tonic = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "F#", "Ab"])
        kind = rng.choice(list(T.SCALES) + list(T.PENTATONIC_STEPS))
        add(
            "scale_notes",
            {"tonic": tonic, "kind": kind},
            f"What notes are in the {show(tonic, rng)} {kind} scale?",
            f"The notes of the {show(tonic, rng)} {kind} scale are",
        )
        tonic, mode = rng.choice(keys)
        figure = rng.choice(
            ["I", "ii", "iii", "IV", "V", "vi", "viio", "V7", "ii7", "IV"]
            if mode == "major"
            else ["i", "iv", "V", "VI", "III", "V7", "VII", "iio"]
        )
        shown = figure.replace("o", "°")
        kt = _key_text(tonic, mode, rng)
        add(
            "roman_numeral",
            {"figure": figure, "tonic": tonic, "mode": mode},
            f"What chord is {shown} in {kt}?",
            f"In {kt}, the {shown} chord is",
        )
        if rng.random() < 0.5:
            degree = rng.randint(1, 7)
            ordinal = T.ORDINALS[degree - 1]
            add(
                "chord_quality",
                {"degree": degree, "mode": "major"},
                f"What quality is the triad built on the {ordinal} degree of a major scale?",
                f"The triad on the {ordinal} degree of a major scale is",
            )
        else:
            root = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb"])
            kind = rng.choice(["major", "minor", "diminished", "augmented"])
            notes = T.chord_notes(root, kind)
            listed = ", ".join(notes)
            add(
                "chord_quality",
                {"notes": notes},
                f"What kind of triad is {listed}?",
                f"The triad {listed} is",
            )
        cadence = rng.choice(["authentic", "perfect", "perfect authentic", "plagal", "deceptive"])
        if rng.random() < 0.2:
            q, c = rng.choice(
                [
                    ("Which chord does a half cadence end on?", "A half cadence ends on"),
                    (
                        "What is the last chord of a half cadence?",
                        "The last chord of a half cadence is",
                    ),
                    ("Where does a half cadence stop?", "A half cadence stops on"),
                ]
            )
            add("cadence", {"cadence": "half"}, q, c)
        else:
            q, c = rng.choice(
                [
                    ("Which chords make up {}?", "{} goes from"),
                    ("What is {}?", "{} is"),
                    ("Which two chords form {}?", "{} consists of the chords"),
                    ("What chord progression is {}?", "In {}, the chords are"),
                    ("In roman numerals, what is {}?", "In roman numerals, {} is"),
                ]
            )
            name = a(f"{cadence} cadence")
            add(
                "cadence",
                {"cadence": cadence},
                q.format(name),
                c.format(name if not c.startswith("{") else name.capitalize()),
            )
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    queues = {k: v for k, v in sorted(by_type.items())}
    made = dict.fromkeys(queues, 0)
    while any(queues[k] and made[k] < per_type for k in queues):
        for kind in queues:
            while queues[kind] and made[kind] < per_type:
                stem = queues[kind].pop(0)
                n = made[kind]
                # Per type: base/adapter alternate, and question/completion alternate in pairs,
                # so each type has all four combinations in equal shares.
                model = "base" if n % 2 == 0 else "adapter"
                # prefilled replies are read more often and decode faster: two thirds of them
                style = ("prefill", "question", "prefill", "complete", "prefill", "prefill")[
                    (n // 2) % 6
                ]
                prompt = (
                    stem["question"]
                    if style != "complete"
                    else ("Complete the sentence: " + stem["completion"])
                )
                prefix = prefill_of(stem) if style == "prefill" else ""
                if (prompt, prefix, model) in seen:
                    continue
                seen.add((prompt, prefix, model))
                out.append(
                    {
                        "stem_id": f"m{len(out):05d}",
                        "type": stem["type"],
                        "params": stem["params"],
                        "question": stem["question"],
                        "style": style,
                        "prompt": prompt,
                        "prefix": prefix,
                        "model": model,
                    }
                )
                made[kind] += 1
                break
    return out


# The prefilled reply ends right before the value, so the model has to commit to one.
_SLOT = {
    "degree": " the note",
    "relative_key": " the key of",
    "parallel_key": " the key of",
    "interval_note": " the note",
    "roman_numeral": " the chord",
}


def prefill_of(stem: dict[str, Any]) -> str:
    """The start of the reply for the prefill style: the completion stem, plus a slot word for
    types whose bare stem the model tends to finish with a description instead of a value."""
    completion = stem["completion"]
    if stem["type"] == "interval_semitones" and not completion.startswith("The number"):
        return re.sub(r" (is|contains|spans)$", " spans", completion)
    return completion + _SLOT.get(stem["type"], "")


def generate(path: Path, per_type: int, budget_s: float, log: Any = print) -> dict[str, Any]:
    """Answer every stem not yet in the cache at ``path``, appending as it goes, until
    ``budget_s`` seconds of generation have been spent. Returns timing."""
    import torch
    from langchain_core.messages import HumanMessage, SystemMessage

    from etude.config import Settings
    from etude.llm import load_chat_model

    done: set[str] = set()
    spent = 0.0  # the budget counts generation already in the cache: the run can resume
    if path.exists():
        cached = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        done = {r["stem_id"] for r in cached}
        spent = sum(r["seconds"] for r in cached)
    todo = [s for s in stems(per_type) if s["stem_id"] not in done]
    if spent >= budget_s or not todo:
        return {"replies": 0, "generation_s_total": round(spent, 1), "remaining_stems": len(todo)}
    # One thread: on the shared two-core machine, two threads contending with other jobs
    # decoded 5-8x slower than one (measured: 27 s vs 3.2 s for the same reply).
    torch.set_num_threads(1)
    # the transformers decoder: prefilled_sentence drives its model's generate() directly
    settings = Settings.from_env().with_overrides(
        max_new_tokens=MAX_NEW_TOKENS, temperature=0.0, decoder="transformers"
    )
    t0, c0 = time.monotonic(), time.process_time()
    models = {
        "base": load_chat_model(settings.with_overrides(adapter="none")),
        "adapter": load_chat_model(settings.with_overrides(adapter="default")),
    }
    load_s = time.monotonic() - t0
    count = 0
    with path.open("a") as out:
        for stem in todo:
            if spent >= budget_s:
                break
            start = time.monotonic()
            messages = [SystemMessage(SYSTEM), HumanMessage(stem["prompt"])]
            if stem["prefix"]:
                reply, end = prefilled_sentence(models[stem["model"]], messages, stem["prefix"])
            else:
                reply, end = first_sentence(models[stem["model"]], messages)
            took = time.monotonic() - start
            spent += took
            count += 1
            record = {**stem, "reply": reply, "end": end, "seconds": round(took, 2)}
            out.write(json.dumps(record) + "\n")
            out.flush()
            if count % 25 == 0:
                log(f"{count} replies, {spent:.0f} s")
    return {
        "replies": count,
        "generation_s_total": round(spent, 1),
        "load_s": round(load_s, 1),
        "process_cpu_s": round(time.process_time() - c0, 1),
        "remaining_stems": max(0, len(todo) - count),
    }
