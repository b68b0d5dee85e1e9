"""Teaching benchmark: the replies a learner reads, scored for truth and for teaching.

The messages (``bench/data/teaching/messages.jsonl``, 193 items written blind before any reply
was seen — see that folder's README) go through the real mentor: the real graph, router, tools,
knowledge base, the embedded chat model and the claim checker, one session per item, the turns
in order, at the item's level. Only the text the learner reads is scored:

- **false claims**: every sentence of the reply goes through the claim checker in the turn's
  context (``etude.claims``); a refuted sentence is a false claim that reached the learner;
- **facts**: the share of each item's ``must_mention`` facts the reply states (note names as
  whole tokens, the README's synonyms), and any ``must_not`` it states;
- **premise**: a false premise is answered with a plain "No", a true one with "Yes";
- **rubric**: per item, its teaching elements (answer first, reason, steps, example, fix with
  its bar, next step, redirect, correction), each detected in the text by a rule below; an item
  *holds* when all of its elements are found.

The rubric rules read the reply's text only (never the tool evidence), so they also score a
reply written by another version of the mentor. They are deliberately simple and are no
substitute for reading the replies: ``--transcripts`` writes a sample a person can judge.

Two phases, so an older checkout can be run and scored by today's checker:

    .venv/bin/python bench/teaching.py run --out /tmp/teach.jsonl [--only fact-001 ...]
    .venv/bin/python bench/teaching.py score /tmp/teach.jsonl [--json OUT] \\
        [--transcripts bench/transcripts/teaching-after.md --sample 20 --seed 7]
    .venv/bin/python bench/teaching.py levels [--category fact]   # the three levels compared
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "teaching"

# ----------------------------------------------------------------------------- running


def run(out: Path, only: list[str] | None, limit: int | None) -> None:
    """Answer the messages with whichever ``etude`` is importable (``PYTHONPATH`` picks an
    older checkout to compare against)."""
    items = [json.loads(line) for line in (DATA / "messages.jsonl").read_text().splitlines()]
    if only:
        items = [item for item in items if item["id"] in only]
    if limit:
        items = items[:limit]
    ask_all(items, out, data=DATA, prefix="teach")


def ask_all(items: list[dict[str, Any]], out: Path, *, data: Path, prefix: str) -> None:
    """Each item's turns through one real mentor, in its own session, one JSON line per item
    (also what ``bench/followups.py`` runs its exchanges with)."""
    from etude.attachments import prepare_attachment
    from etude.config import Settings
    from etude.mentor import Mentor

    with tempfile.TemporaryDirectory(prefix=f"etude-{prefix}-") as scratch:
        settings = Settings.from_env().with_overrides(db_path=Path(scratch) / f"{prefix}.sqlite")
        mentor = Mentor(settings)
        mentor.warm_up()
        with out.open("w") as sink:
            for number, item in enumerate(items, start=1):
                started = time.perf_counter()
                turns = []
                for turn in item["turns"]:
                    attachment = None
                    if turn.get("attach"):
                        attachment = prepare_attachment((data / turn["attach"]).resolve())
                    result = mentor.ask(
                        turn["message"],
                        session=f"{prefix}-{item['id']}",
                        attachment=attachment,
                        level=item.get("level"),
                        learner=f"learner-{item['id']}",
                    )
                    turns.append(json.loads(result.model_dump_json()))
                record = {
                    "id": item["id"],
                    "turns": turns,
                    "seconds": time.perf_counter() - started,
                }
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
                sink.flush()
                print(f"{number}/{len(items)} {item['id']}", file=sys.stderr, flush=True)
        mentor.close()


# ----------------------------------------------------------------------------- matching

_FLATS = {"♭": "b", "♯": "#"}
_SYNONYMS = [
    ("half step", "semitone"),
    ("half-step", "semitone"),
    ("whole step", "tone"),
    ("measure", "bar"),
    ("leading note", "leading tone"),
    ("perfect cadence", "authentic cadence"),
    ("augmented fourth", "tritone"),
    ("diminished fifth", "tritone"),
]


def normalised(text: str) -> str:
    """Lower-level spelling differences removed: accidentals, number words, synonyms.

    >>> normalised("B♭ and two half steps; the leading note")
    'Bb and 2 semitones; the leading tone'
    """
    for symbol, ascii_ in _FLATS.items():
        text = text.replace(symbol, ascii_)
    text = re.sub(
        r"\b([A-G])[- ](flat|sharp)\b", lambda m: m[1] + ("b" if m[2] == "flat" else "#"), text
    )
    for variant, canonical in _SYNONYMS:
        text = re.sub(rf"\b{variant}(s?)\b", canonical + r"\1", text, flags=re.IGNORECASE)
    from etude.theory.questions import NUMBER_WORDS

    for word, number in NUMBER_WORDS.items():
        text = re.sub(
            rf"\b{word}\b(?=\s+(?:semitone|sharp|flat|syllable|bar|beat|note|tone))",
            str(number),
            text,
            flags=re.IGNORECASE,
        )
    return text


def mentions(text: str, fact: str) -> bool:
    """Whether ``text`` states ``fact``: note names and symbols as whole tokens, words and
    phrases case-insensitively, counts with their unit (singular or plural).

    >>> mentions("Cm7: C – Eb – G – Bb", "Eb"), mentions("F# minor", "F")
    (True, False)
    >>> mentions("It spans four semitones.", "4 semitones"), mentions("bar 12", "bar 1")
    (True, False)
    """
    body = normalised(text)
    wanted = normalised(fact)
    if re.fullmatch(r"[A-G](?:#|b|##|bb)?\d?", wanted):
        return re.search(rf"(?<![\w#]){re.escape(wanted)}(?![\w#])", body) is not None
    pattern = re.escape(wanted).replace(r"\ ", r"\s+")
    if re.search(r"\d", wanted):
        pattern = rf"(?<![\w]){pattern}s?(?![\w])"
    else:
        pattern = rf"(?<![\w#]){pattern}(?![\w#])"
    return re.search(pattern, body, flags=re.IGNORECASE) is not None


# ----------------------------------------------------------------------------- rubric

_NOTE = r"(?<![\w#])[A-G](?:#|b|♯|♭)?(?![\w#])"


_WORD = r"[A-Za-z][A-Za-z'’-]*"
_QUOTES = r"['‘\"“]"
_UNQUOTES = r"['’\"”]"
_RHYME_PAIR = re.compile(
    rf"{_QUOTES}({_WORD}){_UNQUOTES}\s*(?:/|and|with|vs\.?|–|—)\s*{_QUOTES}({_WORD}){_UNQUOTES}"
)
_QUOTED_LYRIC = re.compile(
    r"[\"“](?=[A-Za-z])([^\"”\n]{8,160}?\S)[\"”]|(?<!\w)'(?=[A-Za-z])([^'\n]{8,160}?\S)'(?!\w)"
)
_STRESS_MARKED = re.compile(r"\b(?:[a-z]+-)*[A-Z]{2,}(?:-[a-z]+)+\b|\b(?:[a-z]+-)+[A-Z]{2,}\b")
_LYRIC_LINE = re.compile(r"^[A-Z][A-Za-z',’ -]{10,80}[A-Za-z,]$")


def lyric_example(answer: str) -> bool:
    """Whether a reply about lyrics shows an example a songwriter can use: a rhyme pair
    ('night' / 'light'), a quoted lyric line of three words or more, a word written with its
    stress ("to-DAY", "BEAU-ti-ful"), or a drafted passage (two or more consecutive lines of
    three to twelve words, capitalised, without sentence punctuation). A definition, a how-to
    or a bare word list holds none of these.

    >>> lyric_example("'heart' / 'chart' is a perfect rhyme"), lyric_example("stress a-GAIN")
    (True, True)
    >>> lyric_example("Rhyme words that sound alike; use near rhymes when stuck.")
    False
    >>> lyric_example('paste them after a line ending with ":" and the title "Paper Moon"')
    False
    >>> lyric_example('small words like "the", "a" and "of" — from “Prosody § What it means”')
    False
    """
    if _STRESS_MARKED.search(answer):
        return True
    if any(len(a) >= 3 and len(b) >= 3 for a, b in _RHYME_PAIR.findall(answer)):
        return True  # 'day' / 'way'; not a list of small words ("a" and "of")
    for a, b in _QUOTED_LYRIC.findall(answer):
        quoted = a or b
        if len(quoted.split()) >= 3 and "§" not in quoted:  # a cited article is not a lyric
            return True
    run = 0
    for line in answer.splitlines():
        words = len(line.split())
        run = run + 1 if _LYRIC_LINE.match(line.strip()) and 3 <= words <= 12 else 0
        if run >= 2:
            return True
    return False


def rubric_points(
    answer: str, blocks: list[dict[str, str]], route: list[str], category: str | None = None
) -> dict[str, bool]:
    """Which teaching elements a reply's text holds (rules documented beside each).

    ``category`` "lyrics" lets the *example* rule also count a lyric example (see
    ``lyric_example``): there an honest example is words, not notes.
    """
    first = answer.strip().split("\n\n", 1)[0]
    lowered = answer.lower()
    notes = re.findall(_NOTE, answer)
    return {
        # the first paragraph answers: it states something specific, not a preamble
        "answer": bool(first)
        and not re.match(r"^(great|good|nice|sure|well)\b", first, re.I)
        and (
            bool(re.search(_NOTE, first))
            or bool(re.search(r"\d|\b(?:major|minor|no|yes)\b", first, re.I))
            or len(first.split()) >= 12
        ),
        # why: a causal explanation or a quoted passage explaining
        "reason": bool(
            re.search(
                r"\b(because|since|so that|which is why|that is why|this is why|"
                r"makes|creates|gives|the reason)\b",
                lowered,
            )
        )
        or any(b.get("role") in ("reason", "steps") for b in blocks),
        # steps a learner can repeat: a numbered list or ordered instructions
        "steps": bool(re.search(r"^\s*\d+\.\s", answer, re.M))
        or (
            bool(re.search(r"\b(first|then|next|count|stack|step)\b", lowered)) and len(notes) >= 2
        ),
        # an example to play: at least three note names, chord symbols, an ABC tune or numerals;
        # for a lyrics item, a lyric example (rhyme pair, quoted line, stressed word, draft)
        "example": len(set(notes)) >= 3
        or "X:" in answer
        or len(re.findall(r"\b(?:[ivIV]{1,3}|V)(?:7)?\b", answer)) >= 3
        or (category == "lyrics" and lyric_example(answer)),
        # a score fault located and fixed
        "fix_with_bar": bool(re.search(r"\bbar \d+", lowered))
        and bool(re.search(r"\b(try|instead|move|change|replace|fix)\b", lowered)),
        # something to do next
        "next_step": bool(
            re.search(
                r"(^|\n)\s*next\b|\btry\b|\bpractis|\bpractic|\bplay\b|"
                r"\bwrite\b|\bsing\b|\bask me\b",
                lowered,
            )
        ),
        # off-topic: a short redirect to music, no tool evidence forced on them
        "redirect": not route
        and len(answer.split()) <= 60
        and bool(re.search(r"\b(music|composition|chords|mentor)\b", lowered)),
        # a false premise corrected plainly
        "correction": bool(re.match(r"^\W*no\b", answer.strip(), re.I)),
    }


# ----------------------------------------------------------------------------- scoring


def _sentences(answer: str) -> list[str]:
    from etude.claims.guard import sentences

    kept = [line for line in answer.splitlines() if not line.startswith("Read more:")]
    return sentences("\n".join(kept))


def score(
    path: Path, as_json: Path | None, transcripts: Path | None, sample: int, seed: int
) -> None:
    from etude.claims import ClaimContext, check_sentence
    from etude.evidence import Evidence

    lines = (DATA / "messages.jsonl").read_text().splitlines()
    items = {item["id"]: item for item in map(json.loads, lines)}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    per_category: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(float))
    records = []
    for row in rows:
        item = items[row["id"]]
        last = row["turns"][-1]
        answer: str = last["answer"]
        question = item["turns"][-1]["message"]
        evidence = [Evidence.model_validate(e) for e in last.get("evidence", [])]
        context = ClaimContext.of(question, evidence)
        verdicts = [check_sentence(s, context=context) for s in _sentences(answer)]
        refuted = [v.sentence for v in verdicts if v.status == "refuted"]
        expect = item["expect"]
        wanted = expect.get("must_mention") or []
        found = [fact for fact in wanted if mentions(answer, fact)]
        wrong = [fact for fact in expect.get("must_not") or [] if mentions(answer, fact)]
        points = rubric_points(
            answer, last.get("blocks") or [], last.get("route") or [], item["category"]
        )
        asked = expect.get("rubric") or []
        held = {point: points.get(point, False) for point in asked}
        premise_ok = None
        if expect.get("premise") is not None:
            opening = answer.strip().lower()
            premise_ok = (
                opening.startswith("yes") if expect["premise"] else opening.startswith("no")
            )
        record = {
            "id": row["id"],
            "category": item["category"],
            "question": question,
            "answer": answer,
            "refuted": refuted,
            "mentioned": f"{len(found)}/{len(wanted)}",
            "missing": [f for f in wanted if f not in found],
            "must_not_stated": wrong,
            "premise_ok": premise_ok,
            "rubric": held,
            "holds_all": all(held.values()),
            "seconds": row.get("seconds"),
        }
        records.append(record)
        stats = per_category[item["category"]]
        stats["n"] += 1
        stats["refuted"] += len(refuted)
        stats["replies_with_false"] += bool(refuted)
        stats["wanted"] += len(wanted)
        stats["found"] += len(found)
        stats["must_not"] += len(wrong)
        stats["holds_all"] += record["holds_all"]
        if premise_ok is not None:
            stats["premises"] += 1
            stats["premise_ok"] += premise_ok
        for point, ok in held.items():
            stats[f"r_{point}"] += 1
            stats[f"ok_{point}"] += ok
    _print_table(per_category)
    _print_model_table(rows)
    if as_json:
        as_json.write_text(json.dumps({"items": records}, indent=1, ensure_ascii=False))
    if transcripts:
        _write_transcripts(records, transcripts, sample, seed)


def _print_table(per_category: dict[str, dict[str, Any]]) -> None:
    total: dict[str, float] = defaultdict(float)
    head = (
        "| category | n | false claims | replies with one | facts stated | must-not stated "
        "| premise right | all rubric points |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for category in sorted(per_category):
        stats = per_category[category]
        for key, value in stats.items():
            total[key] += value
        lines.append(_row(category, stats))
    lines.append(_row("**all**", total))
    print("\n".join(lines))
    points = sorted({k[3:] for k in total if k.startswith("ok_")})
    print("\n| rubric point | held | asked | share |\n|---|---:|---:|---:|")
    for point in points:
        asked, ok = total[f"r_{point}"], total[f"ok_{point}"]
        print(f"| {point} | {ok:.0f} | {asked:.0f} | {ok / asked:.0%} |")


def model_contribution(rows: list[dict[str, Any]]) -> dict[str, float]:
    """What the chat model's own words added, over every turn of a run: the turns that asked
    the model (the planner composes the others in full; ``tutor_model`` is set even when the
    model wrote nothing, older runs only have ``tutor_first_token``), its sentences the learner
    read (the ``bridge`` blocks from the model, which passed the claim checker), and what asking
    cost.

    >>> turn = {"timings_ms": {"tutor_first_token": 400, "tutor": 2400},
    ...         "blocks": [{"role": "bridge", "source": "model", "text": "A. B."}]}
    >>> model_contribution([{"turns": [turn, {"timings_ms": {"tutor": 5}, "blocks": []}]}])
    {'turns': 2, 'asked': 1, 'with_bridge': 1, 'sentences': 2, 'tutor_s_asked': 2.4}
    """
    turns = [t for row in rows for t in row["turns"]]
    asked = [
        t for t in turns if {"tutor_model", "tutor_first_token"} & set(t.get("timings_ms") or {})
    ]
    bridges = [[b for b in t.get("blocks") or [] if b.get("source") == "model"] for t in asked]
    seconds = [t["timings_ms"].get("tutor", 0) / 1000 for t in asked]
    return {
        "turns": len(turns),
        "asked": len(asked),
        "with_bridge": sum(1 for found in bridges if found),
        "sentences": sum(len(_sentences(b["text"])) for found in bridges for b in found),
        "tutor_s_asked": round(sum(seconds) / len(seconds), 2) if seconds else 0.0,
    }


def _print_model_table(rows: list[dict[str, Any]]) -> None:
    m = model_contribution(rows)
    print(
        "\n| turns | asked the model | with a model sentence shown | model sentences shown "
        "| mean tutor s when asked |\n|---:|---:|---:|---:|---:|\n"
        f"| {m['turns']} | {m['asked']} | {m['with_bridge']} | {m['sentences']} "
        f"| {m['tutor_s_asked']} |"
    )


def _row(name: str, s: dict[str, Any]) -> str:
    facts = f"{s['found']:.0f}/{s['wanted']:.0f}" if s["wanted"] else "—"
    premise = f"{s['premise_ok']:.0f}/{s['premises']:.0f}" if s["premises"] else "—"
    share = s["holds_all"] / s["n"] if s["n"] else 0
    return (
        f"| {name} | {s['n']:.0f} | {s['refuted']:.0f} | {s['replies_with_false']:.0f} | {facts} "
        f"| {s['must_not']:.0f} | {premise} | {s['holds_all']:.0f} ({share:.0%}) |"
    )


def _write_transcripts(records: list[dict[str, Any]], path: Path, sample: int, seed: int) -> None:
    chosen = random.Random(seed).sample(records, min(sample, len(records)))
    out = [
        f"# Teaching benchmark transcripts ({path.stem})\n",
        f"{len(chosen)} replies drawn at random (seed {seed}) from `bench/teaching.py`; "
        "the learner's last message and the whole reply as the learner reads it.\n",
    ]
    for record in sorted(chosen, key=lambda r: r["id"]):
        out.append(f"## {record['id']} ({record['category']})\n")
        out.append(f"> {record['question']}\n")
        out.append("```text\n" + record["answer"].strip() + "\n```\n")
        notes = [f"facts stated {record['mentioned']}"]
        if record["refuted"]:
            notes.append(f"claim checker refutes: {record['refuted']}")
        if record["missing"]:
            notes.append(f"missing: {', '.join(record['missing'])}")
        out.append("*" + "; ".join(notes) + "*\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out))


# ----------------------------------------------------------------------------- levels

LEVELS = ("beginner", "intermediate", "advanced")


def level_differences(texts: dict[str, str]) -> dict[str, bool]:
    """The differences issue #20 defines between the three levels' replies to one question:
    beginners get the worked steps and the plain meaning of their words, intermediate learners
    the steps without the glossary, advanced learners the one-line short form instead of the
    steps; and the three replies are not the same text."""
    beginner, middle, advanced = (texts[level] for level in LEVELS)
    return {
        "beginner_steps_and_words": "How to work it out:" in beginner and "Words used:" in beginner,
        "intermediate_steps_only": "How to work it out:" in middle and "Words used:" not in middle,
        "advanced_short_form": "Short form:" in advanced and "How to work it out" not in advanced,
        "all_three_differ": len(set(texts.values())) == 3,
    }


def levels(category: str) -> None:
    """Ask every message of a category at the three levels; count the defined differences."""
    from etude.config import Settings
    from etude.mentor import Mentor

    lines = (DATA / "messages.jsonl").read_text().splitlines()
    items = [
        i for i in map(json.loads, lines) if i["category"] == category and len(i["turns"]) == 1
    ]
    counts: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory(prefix="etude-levels-") as scratch:
        settings = Settings.from_env().with_overrides(db_path=Path(scratch) / "levels.sqlite")
        mentor = Mentor(settings)
        for item in items:
            question = item["turns"][0]["message"]
            texts = {
                level: mentor.ask(question, session=f"lv-{item['id']}-{level}", level=level).answer
                for level in LEVELS
            }
            for point, ok in level_differences(texts).items():
                counts[point] += ok
        mentor.close()
    print(f"| difference ({len(items)} {category} messages, each asked at 3 levels) | held |")
    print("|---|---:|")
    for point, held in counts.items():
        print(f"| {point} | {held}/{len(items)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    runner = sub.add_parser("run", help="answer every message with the real mentor")
    runner.add_argument("--out", type=Path, required=True)
    runner.add_argument("--only", nargs="*")
    runner.add_argument("--limit", type=int)
    scorer = sub.add_parser("score", help="score the replies a run wrote")
    scorer.add_argument("replies", type=Path)
    scorer.add_argument("--json", type=Path)
    scorer.add_argument("--transcripts", type=Path)
    scorer.add_argument("--sample", type=int, default=20)
    scorer.add_argument("--seed", type=int, default=7)
    leveller = sub.add_parser("levels", help="the same messages at three levels, compared")
    leveller.add_argument("--category", default="fact")
    args = parser.parse_args()
    if args.command == "levels":
        levels(args.category)
    elif args.command == "run":
        run(args.out, args.only, args.limit)
    else:
        score(args.replies, args.json, args.transcripts, args.sample, args.seed)


if __name__ == "__main__":
    main()
