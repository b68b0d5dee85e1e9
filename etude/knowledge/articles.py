"""Reading our knowledge articles and cutting them into retrievable chunks.

An article is Markdown with YAML front matter (title, topic, level, sources) under
``articles/<topic>/<slug>.md``. Each ``##`` section becomes one chunk, prefixed with the article
title, because sections are written to stand alone and a learner's question usually matches one
section rather than a whole article.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from etude.config import Level

ARTICLES_DIR = Path(__file__).parent / "articles"
CHUNKER_VERSION = "2"
"""Bump when chunking changes so existing indexes are rebuilt."""

_EXAMPLE = re.compile(r"\n?```abc\n(?P<abc>.*?)\n```\n?", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*\n(?P<body>.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^##\s+(?P<heading>.+?)\s*$", re.MULTILINE)


class ArticleError(ValueError):
    """An article file that does not follow the format; names the file."""


class Article(BaseModel):
    id: str = Field(description="'<topic>/<slug>', stable across rebuilds.")
    title: str
    topic: str
    level: Level
    sources: list[str]
    body: str
    content_hash: str


class Chunk(BaseModel):
    id: str
    article: str
    title: str
    section: str
    topic: str
    level: Level
    text: str
    sources: list[str]
    article_hash: str


def parse_article(path: Path, root: Path = ARTICLES_DIR) -> Article:
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise ArticleError(f"{path}: missing '---' front matter")
    try:
        meta = yaml.safe_load(match["meta"]) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"{path}: front matter is not YAML: {exc}") from exc
    article_id = path.relative_to(root).with_suffix("").as_posix()
    try:
        article = Article(
            id=article_id,
            title=meta.get("title", ""),
            topic=meta.get("topic", ""),
            level=meta.get("level", ""),
            sources=list(meta.get("sources") or []),
            body=match["body"].strip(),
            content_hash=hashlib.sha256(raw.encode()).hexdigest()[:16],
        )
    except ValidationError as exc:
        raise ArticleError(f"{path}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
    if not article.title or not article.sources:
        raise ArticleError(f"{path}: front matter needs a title and at least one source")
    if article.topic != path.parent.name:
        raise ArticleError(f"{path}: topic {article.topic!r} differs from its folder")
    return article


def load_articles(root: Path = ARTICLES_DIR) -> list[Article]:
    """Every article under ``root``, sorted by id so builds are reproducible."""
    return [parse_article(p, root) for p in sorted(root.glob("*/*.md"))]


def chunk_article(article: Article) -> Iterator[Chunk]:
    """Split an article by ``##`` heading; text before the first heading is its own chunk.

    >>> body = "# X\\nIntro line.\\n## One\\nFirst.\\n## Two\\nSecond."
    >>> art = Article(id="t/x", title="X", topic="t", level="beginner", sources=["s"],
    ...               body=body, content_hash="h")
    >>> [(c.section, c.text.splitlines()[-1]) for c in chunk_article(art)]
    [('', 'Intro line.'), ('One', 'First.'), ('Two', 'Second.')]
    """
    body = re.sub(r"^#\s+.*$", "", article.body, count=1, flags=re.MULTILINE)
    pieces: list[tuple[str, str]] = []
    headings = list(_SECTION.finditer(body))
    intro = body[: headings[0].start()] if headings else body
    if intro.strip():
        pieces.append(("", intro.strip()))
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        text = body[heading.end() : end].strip()
        if text:
            pieces.append((heading["heading"], text))
    for n, (section, text) in enumerate(pieces):
        header = f"{article.title} — {section}" if section else article.title
        yield Chunk(
            id=f"{article.id}#{n}",
            article=article.id,
            title=article.title,
            section=section,
            topic=article.topic,
            level=article.level,
            text=f"{header}\n{text}",
            sources=article.sources,
            article_hash=article.content_hash,
        )


def split_example(text: str) -> tuple[str, str | None]:
    r"""A section's prose and the ABC example written into it (a fenced ``abc`` block), if any.
    The line that introduces the example (ending with a colon) goes with it, as its caption.

    An example a section gives is the article's, checked like its prose (the knowledge tests
    parse every one with music21): the reply plays it, the quote and the embedding read the
    prose alone.

    >>> prose, abc = split_example("End on C.\nHere it falls D–C:\n```abc\nK:C\nDC|]\n```\nHold.")
    >>> prose
    'End on C.\nHold.'
    >>> print(abc)
    Here it falls D–C:
    ```abc
    K:C
    DC|]
    ```
    >>> split_example("No example here.")
    ('No example here.', None)
    """
    found = _EXAMPLE.search(text)
    if found is None:
        return text, None
    head, caption = text[: found.start()], ""
    lines = head.rstrip().rsplit("\n", 1)
    if lines[-1].rstrip().endswith(":"):
        head, caption = (lines[0] if len(lines) > 1 else ""), lines[-1].strip() + "\n"
    prose = (head + "\n" + text[found.end() :]).strip()
    return prose, f"{caption}```abc\n{found['abc'].strip()}\n```"
