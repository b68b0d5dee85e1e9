from __future__ import annotations

from pathlib import Path

import pytest

from etude.knowledge.articles import ArticleError, chunk_article, load_articles, parse_article


def _write(root: Path, topic: str, slug: str, text: str) -> Path:
    path = root / topic / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """---
title: Half cadences
topic: cadences
level: beginner
sources:
  - "Kostka & Payne, Tonal Harmony"
---
# Half cadences

## What a half cadence is
A phrase that ends on V.

## Using one
End the first phrase of a period on V.
"""


def test_shipped_articles_parse_and_chunk() -> None:
    articles = load_articles()
    ids = [a.id for a in articles]
    assert len(ids) == len(set(ids))
    for article in articles:
        chunks = list(chunk_article(article))
        assert chunks, article.id
        assert all(c.text.startswith(article.title) for c in chunks)


def test_chunks_by_heading(tmp_path: Path) -> None:
    article = parse_article(_write(tmp_path, "cadences", "half", GOOD), tmp_path)
    chunks = list(chunk_article(article))
    assert [c.section for c in chunks] == ["What a half cadence is", "Using one"]
    assert chunks[0].id == "cadences/half#0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# no front matter", "front matter"),
        (GOOD.replace("topic: cadences", "topic: harmony"), "differs from its folder"),
        (GOOD.replace("level: beginner", "level: expert"), "level"),
        (GOOD.replace('  - "Kostka & Payne, Tonal Harmony"\n', ""), "source"),
    ],
)
def test_bad_articles_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "cadences", "bad", text)
    with pytest.raises(ArticleError, match=message):
        parse_article(path, tmp_path)


def test_a_search_asks_for_more_than_the_index_holds_and_gets_what_there_is(
    tmp_path: Path,
) -> None:
    """A search never asks Chroma for the index's size first: asked for more passages than
    there are chunks it gets them all, and an empty index gives none (issue #23)."""
    from etude.knowledge.index import KnowledgeBase

    articles = tmp_path / "articles"
    _write(articles, "cadences", "half", GOOD)
    kb = KnowledgeBase(tmp_path / "index", articles_dir=articles)
    assert kb.search("what is a half cadence?", k=50) == []
    kb.build()
    chunks = kb.count()
    found = kb.search("what is a half cadence?", k=50)
    assert 0 < len(found) == chunks
    assert len(kb.search("what is a half cadence?", k=50, distinct=True)) == 1


def test_every_example_in_an_article_parses_and_the_ending_one_ends_as_it_says() -> None:
    """An article's ABC example is played to learners: music21 must read it, and the example
    of how to end a melody must end as its section says (on the tonic, by step, on the first
    beat of the bar, longer than every note before it)."""
    from music21 import converter

    from etude.knowledge.articles import chunk_article, load_articles, split_example

    examples = {
        chunk.id: abc
        for article in load_articles()
        for chunk in chunk_article(article)
        if (abc := split_example(chunk.text)[1]) is not None
    }
    assert examples
    for chunk_id, example in examples.items():
        abc = example.split("```abc\n", 1)[1].rsplit("\n```", 1)[0]
        notes = list(converter.parse(abc, format="abc").recurse().notes)
        assert len(notes) >= 4, chunk_id
        if chunk_id.startswith("melody/ending-a-melody"):
            score = converter.parse(abc, format="abc")
            tonic = score.analyze("key").tonic.name
            melody = [n for n in notes if n.isNote]
            last, before = melody[-1], melody[-2]
            assert last.name == tonic == "C" and abs(last.pitch.midi - before.pitch.midi) <= 2
            bar = list(score.recurse().getElementsByClass("Measure"))[-1]
            final = [n for n in bar.notes if n.isNote]
            assert [n.name for n in final] == [last.name]
            assert final[0].offset == 0  # on the first beat of the last bar
            assert all(n.quarterLength < last.quarterLength for n in melody[:-1])
