"""bench/mtb_generated.py: the generated MusicTheoryBench-style reasoning items and their scorer.

The script is not a package, so it is loaded by path. One 510-item set is drawn per session
(about 15 s): enough for the size and share requirements, and every later test reads it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "mtb_generated.py"
SEED = 2026
ITEMS = 510


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mtb_generated", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mtb_generated", module)
    spec.loader.exec_module(module)
    return module


mtb = load()


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return mtb.build_items(SEED, ITEMS)


@pytest.fixture(scope="module")
def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for item in items for row in mtb.rows_of(item)]


# ------------------------------------------------------------------------------ generation


def test_the_generator_imports_nothing_from_etude() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
    ]
    assert not [name for name in imported if name.split(".")[0] == "etude"]


def test_generation_is_deterministic(items: list[dict[str, Any]], tmp_path: Path) -> None:
    # one random stream: a shorter run is the start of the longer one, draw for draw
    again = mtb.build_items(SEED, 40)
    assert [mtb.rows_of(i) for i in again] == [mtb.rows_of(i) for i in items[:40]]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert mtb.generate(first, SEED, 24, check=False) == 0
    assert mtb.generate(second, SEED, 24, check=False) == 0
    assert first.read_bytes() == second.read_bytes()
    other = [mtb.rows_of(i) for i in mtb.build_items(SEED + 1, 12)]
    assert other != [mtb.rows_of(i) for i in items[:12]]


def test_sizes_and_shares(items: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    assert len(items) >= 500
    assert len(rows) == 5 * len(items)
    depths = Counter(item["depth"] for item in items)
    assert set(depths) == {1, 2, 3}
    assert all(abs(n / len(items) - 1 / 3) < 0.03 for n in depths.values())
    with_abc = [item for item in items if item.get("abc")]
    assert len(with_abc) / len(items) >= 0.20
    assert {item["depth"] for item in with_abc} == {1, 2, 3}
    for item in items:
        assert len(item["ops"]) == item["depth"]
    ops = Counter(op for item in items for op in item["ops"])
    for op in (
        "relative",
        "parallel",
        "dominant",
        "subdominant",
        "leading_tone",
        "interval_up",
        "interval_down",
        "semitones",
        "transpose",
        "chord_id",
        "roman",
        "key_signature",
        "enharmonic",
        "scale_membership",
        "chord_quality",
        "interval_name",
        "abc_key",
        "abc_meter",
        "abc_interval",
        "abc_last_degree",
        "abc_bar1_chord",
        "abc_bars",
    ):
        assert ops[op] >= 5, op


def test_rows_have_musictheorybench_fields(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    for row in rows:
        assert set(row["options"]) == {"A", "B", "C", "D"}
        assert row["answer"] in "ABCD"
        assert row["subject"] == "music reasoning"
        assert row["instruction"] and row["stem"]
        assert 0 <= row["shuffle"] <= 4
        if "abc_score" in row:
            assert row["abc_score"] in row["stem"]
            assert row["abc_score"].startswith("X:1\nT:")
        else:
            assert "\nX:1\n" not in row["stem"]
    assert len({row["id"] for row in rows}) == len(rows)
    # and Etude's own MusicTheoryBench reader takes the file as it is
    from etude.finetune.musictheorybench import read_mtb

    path = tmp_path / "mtb.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:50]))
    read = read_mtb(path)
    assert [q["answer"] for q in read] == [r["answer"] for r in rows[:50]]
    assert {q["subject"] for q in read} == {"reasoning"}


def test_every_answer_is_what_the_second_way_computes(items: list[dict[str, Any]]) -> None:
    problems = [p for item in items for p in mtb.check_item(item)]
    assert problems == []
    alt = mtb.Alt()
    for item in items:
        if item["kind"] == "membership":
            scale = {mtb.pc_of(n) for n in mtb.evaluate(item["spec"], alt)}
            texts = [item["answer_text"], *item["distractors"]]
            outside = [t for t in texts if mtb.pc_of(mtb.parse_option("note", t)) not in scale]
            assert outside == [item["answer_text"]]
        else:
            expected = mtb.render(item["kind"], mtb.evaluate(item["spec"], alt))
            assert item["answer_text"] == expected, item["stem"]


def test_answer_letter_points_at_the_computed_value(
    items: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    by_item = {item["item"]: item for item in items}
    alt = mtb.Alt()
    for row in rows:
        item = by_item[row["item"]]
        if item["kind"] != "membership":
            value = mtb.evaluate(item["spec"], alt)
            assert row["options"][row["answer"]] == mtb.render(item["kind"], value)


def test_options_are_distinct_by_value(items: list[dict[str, Any]]) -> None:
    for item in items:
        kind = item["kind"]
        texts = [item["answer_text"], *item["distractors"]]
        assert len(set(texts)) == 4
        values = [mtb.parse_option(kind, t) for t in texts]
        if kind == "spell":
            # the one same-sound wrong spelling, and only where the question asks for spelling
            sounds = Counter(mtb.pc_of(v) for v in values)
            assert sounds[mtb.pc_of(values[0])] == 2 and len(sounds) == 3
            assert "spell" in item["stem"].lower()
        else:
            assert len({repr(mtb.same_value(kind, v)) for v in values}) == 4, texts


def test_no_distractor_is_right_under_another_convention(items: list[dict[str, Any]]) -> None:
    for item in items:
        kind = item["kind"]
        if kind in ("membership", "spell"):
            continue
        wrong = {repr(mtb.same_value(kind, mtb.parse_option(kind, t))) for t in item["distractors"]}
        for engine in mtb.conventions():
            try:
                other = mtb.evaluate(item["spec"], engine)
            except mtb.Invalid:
                continue
            assert repr(mtb.same_value(kind, other)) not in wrong, item["stem"]


def test_shuffles_keep_the_answer_text(items: list[dict[str, Any]]) -> None:
    for item in items[:120]:
        shuffles = mtb.rows_of(item)
        assert [r["shuffle"] for r in shuffles] == [0, 1, 2, 3, 4]
        assert {r["item"] for r in shuffles} == {item["item"]}
        assert {r["options"][r["answer"]] for r in shuffles} == {item["answer_text"]}
        assert all(
            sorted(r["options"].values()) == sorted(shuffles[0]["options"].values())
            for r in shuffles
        )
        assert {r["answer"] for r in shuffles} == {"A", "B", "C", "D"}
        assert len({json.dumps(r["options"]) for r in shuffles}) == 5
        assert len({r["stem"] for r in shuffles}) == 1


def test_check_catches_a_wrong_answer(items: list[dict[str, Any]]) -> None:
    item = next(i for i in items if i["kind"] == "key")
    broken = {
        **item,
        "answer_text": item["distractors"][0],
        "distractors": [item["answer_text"], *item["distractors"][1:]],
    }
    assert mtb.check_item(broken)
    assert mtb.check_item(item) == []


def test_abc_answers_come_from_the_parse_of_the_stem(items: list[dict[str, Any]]) -> None:
    tunes = [i for i in items if i.get("abc")]
    for item in tunes[:40]:
        parsed = mtb.parsed_tune(item["abc"])
        tune = mtb.find_tune(item["spec"])
        assert parsed["bars"] == [[n for n, _ in bar] for bar in tune["bars"]]
        assert 2 <= len(parsed["bars"]) <= 4


def test_the_generate_command_checks_and_writes(tmp_path: Path) -> None:
    out = tmp_path / "q.jsonl"
    assert mtb.main(["generate", "--out", str(out), "--items", "30", "--check"]) == 0
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(written) == 150


# ------------------------------------------------------------------------------ scorer


@pytest.mark.parametrize(
    ("reply", "letter", "status"),
    [
        ("Answer: B) 5\n1. The relative minor of C is A minor.\n2. Its 5th is E.", "B", "ok"),
        ("**Answer: C)** E minor\nBecause ...", "C", "ok"),
        ("Answer: **D)** Two sharps", "D", "ok"),
        ("  \n> Answer: A) 6", "A", "ok"),
        ("The answer is B) 5.", None, "none"),
        ("I think it's five.\nAnswer: B) 5", None, "none"),
        ("", None, "none"),
        ("Answer: A) 6 or B) 5", None, "several"),
        ("Answer: A) 6\nOn second thought:\nAnswer: C) 4", None, "several"),
        ("Answer: A) A minor, not B) C major", None, "several"),
        ("Answer: E) 6", None, "none"),
    ],
)
def test_letter_extraction(reply: str, letter: str | None, status: str) -> None:
    assert mtb.extract_letter(reply) == (letter, status)


def test_steps_shown() -> None:
    reply = "Answer: B) 5\n1. Dominant of C is G.\n2. Relative minor of G is E minor.\n"
    assert mtb.steps_shown(reply, 2)
    assert not mtb.steps_shown(reply, 3)
    assert not mtb.steps_shown("Answer: B) 5\nBecause 1.5 is", 1)


ROW = {
    "stem": "How many semitones is it from C up to G?",
    "options": {"A": "6", "B": "5", "C": "7", "D": "4"},
    "answer": "C",
}


def fact(summary: str, query: str, symbol: str | None = None, tool: str = "theory") -> dict:
    inner = {"symbol": symbol} if symbol else {}
    data = {"kind": "chord", "query": query, "statement": summary, "data": inner}
    return {"tool": tool, "kind": "fact", "summary": summary, "data": data}


def test_chord_misread_detector() -> None:
    a6 = fact(
        "A major sixth chord (A6): A – C# – E – F# (root, major 3rd, perfect 5th, major 6th).",
        "A major sixth chord",
        "A6",
    )
    b5 = fact("B power chord (B5): B – F# (root, perfect 5th).", "B power chord", "B5")
    assert mtb.chord_misreads(ROW, [a6, b5]) == ["A) 6 read as A6", "B) 5 read as B5"]
    # the query alone is enough (a summary worded otherwise)
    assert mtb.chord_misreads(ROW, [fact("Some chord.", "C dominant seventh chord")]) == [
        "C) 7 read as C7"
    ]
    # not a misread: a chord the options do not spell, another tool, a chord the stem names
    g = fact("G major triad (G): G – B – D.", "G major triad", "G")
    assert mtb.chord_misreads(ROW, [g]) == []
    assert (
        mtb.chord_misreads(ROW, [fact(a6["summary"], "A major sixth chord", tool="critic")]) == []
    )
    named = {**ROW, "stem": "How many notes does A6 have?"}
    assert mtb.chord_misreads(named, [a6]) == []
    letters = {**ROW, "options": {"A": "A6", "B": "B5", "C": "C7", "D": "D"}}
    assert mtb.chord_misreads(letters, [a6, b5]) == []


def test_label_read_as_note_detector() -> None:
    row = {
        "stem": "What chord is C E G?",
        "options": {"A": "C major", "B": "A minor", "C": "E minor", "D": "G major"},
        "answer": "A",
        "id": 0,
    }
    question = mtb.batch_question(row)
    misread = {
        "tool": "theory",
        "kind": "fact",
        "summary": "C E G A is a C major sixth chord",
        "data": {"kind": "chord_identification", "query": "C E G A"},
    }
    fine = {
        "tool": "theory",
        "kind": "fact",
        "summary": "C E G is a C major triad",
        "data": {"kind": "chord_identification", "query": "C E G"},
    }
    assert mtb.label_as_note(row, question, [misread])
    assert not mtb.label_as_note(row, question, [fine])


def test_batch_layouts(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:30]))
    batch = tmp_path / "in.jsonl"
    assert mtb.to_batch(questions, batch) == 0
    lines = [json.loads(line) for line in batch.read_text().splitlines()]
    assert [b["id"] for b in lines] == [r["id"] for r in rows[:30]]
    inline = [b for b in lines if b["id"] % 3 == 2]
    assert len(inline) == 10
    for b, row in zip(lines, rows[:30], strict=True):
        assert b["question"].startswith(row["stem"] + "\n")
        opts = row["options"]
        if b["id"] % 3 == 2:
            assert b["question"].endswith(
                f"\nA) {opts['A']} B) {opts['B']} C) {opts['C']} D) {opts['D']}"
            )
        else:
            assert b["question"].endswith(
                f"\nA) {opts['A']}\nB) {opts['B']}\nC) {opts['C']}\nD) {opts['D']}"
            )


def test_score_end_to_end(items: list[dict[str, Any]], tmp_path: Path, capsys) -> None:
    picked = [mtb.rows_of(i) for i in items[:6]]
    flat = [r for group in picked for r in group]
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in flat))
    answers = []
    for r in flat:
        letter = r["answer"]
        if r["item"] == 1 and r["shuffle"] == 2:  # one wrong letter: item 1 is not all right
            letter = "ABCD"[("ABCD".index(letter) + 1) % 4]
        reply = f"**Answer: {letter})** {r['options'][letter]}"
        if r["item"] == 2:
            reply = "It is probably the second one."
        if r["depth"] >= 2 and r["item"] != 4:
            reply += "\n" + "\n".join(f"{n}. step" for n in range(1, r["depth"] + 1))
        evidence = []
        if r["item"] == 3 and r["shuffle"] == 0:
            label = "A"
            evidence = [fact(f"{label} major sixth chord ({label}6): ...", "A major sixth chord")]
            r["options"]["A"] = "6"  # what the detector compares with
        answers.append({"id": r["id"], "answer": reply, "route": ["theory"], "evidence": evidence})
    questions.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in flat))
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json.dumps(a) + "\n" for a in answers[:-1]))  # the last is missing
    result_path = tmp_path / "result.json"
    assert (
        mtb.main(
            [
                "score",
                "--questions",
                str(questions),
                "--answers",
                str(out),
                "--json",
                str(result_path),
            ]
        )
        == 0
    )
    result = json.loads(result_path.read_text())
    assert result["rows"] == 30 and result["items"] == 6
    assert result["no_option_named"] == 5 + 1  # item 2, and the missing reply
    assert result["missing_replies"] == 1
    assert result["row_accuracy"] == round(100 * (30 - 1 - 5 - 1) / 30, 1)
    assert result["item_accuracy"] == round(100 * 3 / 6, 1)  # items 0, 3, 4
    assert result["option_read_as_chord_rows"] == 1
    deep = [r for r in flat if r["depth"] >= 2]
    shown = [r for r in deep if r["item"] != 4 and r["id"] != flat[-1]["id"]]
    assert result["steps_shown"] == {
        "shown": len(shown),
        "of": len(deep),
        "share": round(100 * len(shown) / len(deep), 1),
    }
    printed = capsys.readouterr().out
    assert "GPT-4 zero-shot (reasoning): 25.6%" in printed
    assert "ChatMusician (reasoning): 27.1%" in printed
    assert "depth 3" in printed and "with ABC" in printed
