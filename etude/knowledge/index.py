"""The persistent Chroma index over the knowledge articles.

Rebuilds are incremental: each chunk records the hash of its article, so a build re-embeds only
articles that changed and a second build with unchanged sources does nothing. Embeddings are
always ours (MiniLM), passed explicitly, so Chroma never downloads its default model.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from etude.evidence import Citation
from etude.knowledge.articles import (
    ARTICLES_DIR,
    CHUNKER_VERSION,
    Chunk,
    chunk_article,
    load_articles,
    split_example,
)
from etude.knowledge.chroma_embedding import ChromaEmbedding
from etude.knowledge.embeddings import MODEL_NAME, Embedder, shared_embedder

COLLECTION = "etude_knowledge"


@dataclass(frozen=True)
class BuildReport:
    articles: int
    chunks: int
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its score, ready to become evidence."""

    text: str
    citation: Citation
    topic: str
    level: str
    sources: list[str]


def _client(path: Path, url: str | None) -> Any:
    """A client of the Chroma server at ``url``, or of the local index in ``path``."""
    # Chroma's own variable, set for it (Etude's settings are read in etude/config.py).
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        server = urlsplit(url)
        if server.scheme not in ("http", "https") or not server.hostname:
            raise ValueError(f"ETUDE_CHROMA_URL must be http(s)://HOST[:PORT], got {url!r}")
        return chromadb.HttpClient(
            host=server.hostname,
            port=server.port or (443 if server.scheme == "https" else 8000),
            ssl=server.scheme == "https",
            settings=settings,
        )
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def index_size(path: Path, url: str | None = None) -> int | None:
    """How many passages the index holds, without changing it (``etude doctor``): None if
    there is no index, 0 if it was built with another embedder or chunker (the next build
    starts over). Ours is passed as its embedder, so Chroma never downloads its own."""
    if url is None and not (path / "chroma.sqlite3").is_file():
        return None
    try:
        collection = _client(path, url).get_collection(
            COLLECTION, embedding_function=ChromaEmbedding()
        )
    except Exception:  # chromadb's NotFoundError (ValueError in older releases)
        return None
    meta = collection.metadata or {}
    if meta.get("embedder") != MODEL_NAME or meta.get("chunker") != CHUNKER_VERSION:
        return 0
    return int(collection.count())


class KnowledgeBase:
    """Our articles in a Chroma collection: a local persistent index in ``path``, or the one
    on the Chroma server at ``url`` (shared by every worker)."""

    def __init__(
        self,
        path: Path,
        *,
        url: str | None = None,
        embedder: Embedder | None = None,
        articles_dir: Path = ARTICLES_DIR,
    ) -> None:
        self.path = path
        self.articles_dir = articles_dir
        self._embedder = embedder
        self._client = _client(path, url)
        self._function = ChromaEmbedding(embedder)
        self._collection = self._client.get_or_create_collection(
            COLLECTION,
            embedding_function=self._function,
            metadata={"hnsw:space": "cosine", "embedder": MODEL_NAME, "chunker": CHUNKER_VERSION},
        )
        meta = self._collection.metadata or {}
        if meta.get("embedder") != MODEL_NAME or meta.get("chunker") != CHUNKER_VERSION:
            self._client.delete_collection(COLLECTION)
            self._collection = self._client.create_collection(
                COLLECTION,
                embedding_function=self._function,
                metadata={
                    "hnsw:space": "cosine",
                    "embedder": MODEL_NAME,
                    "chunker": CHUNKER_VERSION,
                },
            )

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def count(self) -> int:
        return int(self._collection.count())

    def build(self, progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Bring the index in line with the article files; a no-op when nothing changed."""
        articles = load_articles(self.articles_dir)
        wanted: dict[str, Chunk] = {
            chunk.id: chunk for article in articles for chunk in chunk_article(article)
        }
        existing = self._collection.get(include=["metadatas"])
        have = {
            cid: (meta or {}).get("article_hash")
            for cid, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False)
        }
        stale = [
            cid for cid, h in have.items() if cid not in wanted or wanted[cid].article_hash != h
        ]
        missing = [c for cid, c in wanted.items() if have.get(cid) != c.article_hash]
        if stale:
            self._collection.delete(ids=stale)
        batch = 64
        for start in range(0, len(missing), batch):
            part = missing[start : start + batch]
            # a section's ABC example is music to play, not words to match a question with
            vectors = self.embedder.embed([split_example(c.text)[0] for c in part])
            # upsert, not add: two workers meeting an empty server index both build it.
            self._collection.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                embeddings=[v.tolist() for v in vectors],
                metadatas=[
                    {
                        "article": c.article,
                        "title": c.title,
                        "section": c.section,
                        "topic": c.topic,
                        "level": c.level,
                        "sources": " | ".join(c.sources),
                        "article_hash": c.article_hash,
                    }
                    for c in part
                ],
            )
            if progress:
                progress(min(start + batch, len(missing)), len(missing))
        return BuildReport(len(articles), len(wanted), len(missing), len(stale))

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        topic: str | None = None,
        level: str | None = None,
        distinct: bool = False,
    ) -> list[Passage]:
        """The ``k`` chunks closest to ``query``, optionally filtered by topic and level.

        With ``distinct`` each article contributes only its best chunk, so that one long article
        cannot crowd the others out of the tutor's evidence (or of recall@k).
        """
        conditions: list[dict[str, Any]] = []
        if topic:
            conditions.append({"topic": topic})
        if level:
            conditions.append({"level": level})
        where: dict[str, Any] | None = None
        if len(conditions) == 1:
            where = conditions[0]
        elif conditions:
            where = {"$and": conditions}
        vector = self.embedder.embed([query])[0].tolist()
        result = self._collection.query(
            query_embeddings=[vector],
            # Chroma (>= 1.5) returns what there is when asked for more than the index holds,
            # and nothing from an empty one, so a search never asks for the size first (a
            # round trip into its store, on every turn)
            n_results=k * 4 if distinct else k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        passages: list[Passage] = []
        for cid, doc, meta, dist in zip(
            result["ids"][0],
            (result["documents"] or [[]])[0],
            (result["metadatas"] or [[]])[0],
            (result["distances"] or [[]])[0],
            strict=False,
        ):
            meta = meta or {}
            if distinct and any(p.citation.article == meta.get("article") for p in passages):
                continue
            passages.append(
                Passage(
                    text=doc or "",
                    citation=Citation(
                        article=str(meta.get("article", "")),
                        title=str(meta.get("title", "")),
                        section=str(meta.get("section", "")),
                        chunk_id=cid,
                        score=round(1.0 - float(dist), 4),
                    ),
                    topic=str(meta.get("topic", "")),
                    level=str(meta.get("level", "")),
                    sources=[s for s in str(meta.get("sources", "")).split(" | ") if s],
                )
            )
        return passages[:k]
