"""Pieces like yours: music21's corpus embedded once by MusicBERT, and the nearest pieces and bars.

"Listen to how BWV 281 handles this" needs an index of corpus pieces embedded by the same
checkpoint that embeds the learner's score: vectors of two checkpoints are not comparable. The
index is built explicitly (``etude corpus index``), like the knowledge base, and kept in the data
dir as ``corpus-index/vectors.npz`` (piece and bar-window vectors) plus ``corpus-index/index.json``
(titles, corpus paths, the checkpoint's hash). A checkpoint whose hash differs from the one the
index was built with makes the index stale: it is never used, and the caller is told to rebuild.
Nothing here builds an index on first use: embedding thousands of pieces takes many minutes.

A piece's vector is :meth:`MusicBert.embed`'s (mean of bar means); a *window* is
``WINDOW_BARS`` consecutive bars with notes (mean of their bar vectors), every ``WINDOW_STEP``
bars, which is what "the nearest bars" compares. Search is exhaustive cosine similarity in
numpy: tens of thousands of 256-dimensional rows take milliseconds.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from etude.encoders.model_config import checkpoint_hash as checkpoint_hash
from etude.encoders.octuple import BAR, EncodingError, OctupleEncoder
from etude.evidence import Evidence

INDEX_DIRNAME = "corpus-index"
VECTORS_FILE = "vectors.npz"
META_FILE = "index.json"
FORMAT = 1
"""Bumped when the files' layout changes: an index of another format is rebuilt, not misread."""

WINDOW_BARS = 4
WINDOW_STEP = 2
SAME_PIECE = 0.9995
"""Cosine above which a match is the learner's piece itself (a corpus piece uploaded as is)."""
SKIPPED_SUFFIXES = frozenset({".rntxt"})
"""RomanText files are analyses (chord symbols), not music to listen to."""

BUILD_HINT = "build it with `etude corpus index` (minutes; `--collections bach` for a quick one)"

Vectorise = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""Octuples (notes, 8) → bar vectors (bars with notes, H) and a piece vector (H)."""


class NoCorpusIndex(FileNotFoundError):
    """No corpus index in the data dir: there is nothing to compare a piece with."""


class StaleCorpusIndex(NoCorpusIndex):
    """The index was embedded by another checkpoint than the one in use."""


@dataclass(frozen=True)
class IndexedPiece:
    """One corpus piece of the index, named so a learner can find it and music21 can open it
    (``corpus.parse(corpus_path, number=number)``)."""

    title: str
    collection: str
    """The corpus folder (``bach``, ``essenFolksong`` …): the composer or the collection."""
    corpus_path: str
    """Relative to music21's corpus folder, e.g. ``bach/bwv281.mxl``."""
    number: int | None
    """The tune's number in a file of many (an ABC ``X:`` field), else None."""
    composer: str | None
    bars: int
    split_name: str = ""
    """The name pre-training's split hashes (:func:`etude.encoders.corpus.held_out`): whether
    the encoder trained on this piece."""

    @property
    def id(self) -> str:
        return self.corpus_path if self.number is None else f"{self.corpus_path}#{self.number}"


@dataclass
class CorpusIndex:
    """Unit-length piece and window vectors with what each row is."""

    model: str
    checkpoint: str
    pieces: list[IndexedPiece]
    piece_vectors: np.ndarray
    window_vectors: np.ndarray
    window_piece: np.ndarray
    """(windows,): the row in ``pieces`` each window belongs to."""
    window_bars: np.ndarray
    """(windows, 2): first and last bar (1-based, counted from the file's start) of a window."""


@dataclass(frozen=True)
class Match:
    """A corpus piece near the learner's, and the pair of passages that are nearest."""

    piece: IndexedPiece
    score: float
    bars: tuple[int, int] | None = None
    """The corpus piece's bars nearest to a passage of the learner's."""
    your_bars: tuple[int, int] | None = None
    """That passage of the learner's piece."""

    def to_json(self) -> dict[str, object]:
        """The ``etude analyze --json`` item of ``"similar"``."""
        item: dict[str, object] = {
            "title": self.piece.title,
            "collection": self.piece.collection,
            "composer": self.piece.composer,
            "corpus_path": self.piece.corpus_path,
            "number": self.piece.number,
            "score": round(self.score, 3),
        }
        if self.bars is not None and self.your_bars is not None:
            item["bars"] = list(self.bars)
            item["your_bars"] = list(self.your_bars)
        return item


# --- naming corpus pieces ---------------------------------------------------------------


def corpus_relative(path: Path) -> str:
    """The path music21's corpus knows a file by.

    >>> corpus_relative(Path("/x/music21/corpus/bach/bwv281.mxl"))
    'bach/bwv281.mxl'
    """
    parts = path.parts
    if "corpus" in parts:
        return "/".join(parts[len(parts) - parts[::-1].index("corpus") :])
    return path.name


def title_from_name(path: str) -> str:
    """A readable title from a corpus file name, for pieces whose metadata has none.

    >>> title_from_name("bach/bwv281.mxl"), title_from_name("bach/bwv10.7.mxl")
    ('BWV 281', 'BWV 10.7')
    >>> title_from_name("monteverdi/madrigal.3.1.mxl")
    'Madrigal 3.1'
    """
    stem = Path(path).name
    stem = stem[: -len(Path(stem).suffix)] if Path(stem).suffix else stem
    bwv = re.fullmatch(r"bwv(\d+[a-z]?(?:\.\d+)?)", stem, re.I)
    if bwv:
        return f"BWV {bwv.group(1)}"
    words = re.sub(r"(?<=[A-Za-z])\.", " ", stem).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def piece_title(metadata: object, corpus_path: str) -> str:
    """The score's own title when it has a real one (not its file name, not a voice part's
    name such as ``CANTO``), else one made from the file name."""
    title = getattr(metadata, "bestTitle", None) if metadata is not None else None
    title = str(title).strip() if title else ""
    if not title or title == Path(corpus_path).name or re.fullmatch(r"[A-Z]+", title):
        return title_from_name(corpus_path)
    return title


# --- reading and embedding the corpus ---------------------------------------------------


def corpus_files(collections: Sequence[str] | None = None, limit: int | None = None) -> list[Path]:
    """The corpus files an index reads, sorted: every file of ``collections`` (all when None),
    at most ``limit`` files."""
    from etude.encoders.corpus import collection_of, corpus_paths

    paths = [
        p
        for p in corpus_paths()
        if p.suffix.lower() not in SKIPPED_SUFFIXES
        and (not collections or collection_of(p) in collections)
    ]
    return paths[:limit]


def read_corpus_file(
    path: Path, encoder: OctupleEncoder | None = None
) -> list[tuple[IndexedPiece, np.ndarray]]:
    """Every score of one corpus file with its title and octuples (an ABC file holds many)."""
    from music21 import converter, stream

    from etude.encoders.corpus import collection_of, score_to_performance

    encoder = encoder or OctupleEncoder()
    parsed = converter.parse(str(path))
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    relative = corpus_relative(path)
    found = []
    for position, score in enumerate(scores):
        try:
            tokens = encoder.encode(score_to_performance(score)).tokens
        except (EncodingError, ValueError, IndexError, KeyError):
            continue
        if len(tokens) < 8:
            continue
        metadata = score.metadata
        number = None
        if len(scores) > 1:
            number = int(metadata.number) if metadata and metadata.number else position + 1
        composer = str(metadata.composer) if metadata and metadata.composer else None
        piece = IndexedPiece(
            title=piece_title(metadata, relative),
            collection=collection_of(path),
            corpus_path=relative,
            number=number,
            composer=composer,
            bars=len(np.unique(tokens[:, BAR])),
            # as etude.encoders.corpus.encode_corpus_file names pieces for pre-training
            split_name=f"{path.name}#{position}" if len(scores) > 1 else path.name,
        )
        found.append((piece, tokens.astype(np.int64)))
    return found


def iter_corpus_pieces(
    paths: Sequence[Path],
    *,
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[Path, Exception], None] | None = None,
) -> Iterator[tuple[IndexedPiece, np.ndarray]]:
    """The pieces of ``paths`` in order; one unreadable file is skipped, never the end."""
    encoder = OctupleEncoder()
    for done, path in enumerate(paths, 1):
        try:
            yield from read_corpus_file(path, encoder)
        except Exception as error:  # music21 raises many kinds on odd corpus files
            if on_error:
                on_error(path, error)
        if progress:
            progress(done, len(paths))


def windows(bar_vectors: np.ndarray, bars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Window vectors (W, H) and their first and last bars (W, 2) for one piece.

    ``bars`` are the 1-based numbers of the rows of ``bar_vectors``. A piece shorter than a
    window is one window.

    >>> vectors, spans = windows(np.eye(6), np.array([1, 2, 3, 5, 6, 7]))
    >>> spans.tolist()
    [[1, 5], [3, 7]]
    """
    count = len(bar_vectors)
    starts = list(range(0, max(1, count - WINDOW_BARS + 1), WINDOW_STEP))
    if starts[-1] + WINDOW_BARS < count:
        starts.append(count - WINDOW_BARS)
    vectors = np.stack([bar_vectors[s : s + WINDOW_BARS].mean(0) for s in starts])
    spans = np.array([[bars[s], bars[min(s + WINDOW_BARS, count) - 1]] for s in starts])
    return vectors, spans


def bar_numbers(tokens: np.ndarray) -> np.ndarray:
    """1-based numbers of the bars that hold notes, in the order :meth:`MusicBert.embed` gives
    their vectors."""
    return np.unique(tokens[:, BAR]).astype(np.int64) + 1


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / (np.linalg.norm(rows, axis=-1, keepdims=True) + 1e-9)


def build_index(
    pieces: Iterable[tuple[IndexedPiece, np.ndarray]],
    vectorise: Vectorise,
    *,
    model: str,
    checkpoint: str,
    on_piece: Callable[[int], None] | None = None,
) -> CorpusIndex:
    """Embed every piece with ``vectorise`` (the encoder, or any baseline of the same shape)."""
    kept: list[IndexedPiece] = []
    piece_rows, window_rows, window_piece, window_bars = [], [], [], []
    for piece, tokens in pieces:
        bar_vectors, piece_vector = vectorise(tokens)
        vectors, spans = windows(bar_vectors, bar_numbers(tokens))
        window_rows.append(vectors)
        window_bars.append(spans)
        window_piece.append(np.full(len(vectors), len(kept), dtype=np.int32))
        piece_rows.append(piece_vector)
        kept.append(piece)
        if on_piece:
            on_piece(len(kept))
    if not kept:
        raise ValueError("no corpus piece could be read for the index")
    return CorpusIndex(
        model=model,
        checkpoint=checkpoint,
        pieces=kept,
        piece_vectors=_unit(np.stack(piece_rows)),
        window_vectors=_unit(np.concatenate(window_rows)),
        window_piece=np.concatenate(window_piece),
        window_bars=np.concatenate(window_bars).astype(np.int32),
    )


# --- the checkpoint's identity and the files ----------------------------------------------


def index_dir(data_dir: Path) -> Path:
    return Path(data_dir) / INDEX_DIRNAME


def save_index(index: CorpusIndex, folder: Path, *, files: Sequence[str] = ()) -> None:
    """Write both files next to each other and swap them in: a reader never sees half of one.
    The metadata goes last, so vectors without it read as no index."""
    folder.mkdir(parents=True, exist_ok=True)
    vectors_tmp = folder / (VECTORS_FILE + ".tmp.npz")
    np.savez_compressed(
        vectors_tmp,
        piece_vectors=index.piece_vectors.astype(np.float16),
        window_vectors=index.window_vectors.astype(np.float16),
        window_piece=index.window_piece,
        window_bars=index.window_bars,
    )
    meta = {
        "format": FORMAT,
        "model": index.model,
        "checkpoint": index.checkpoint,
        "pieces": [asdict(p) for p in index.pieces],
        "windows": len(index.window_piece),
        "window_bars": WINDOW_BARS,
        "collections": sorted({p.collection for p in index.pieces}),
        "files": list(files),
    }
    meta_tmp = folder / (META_FILE + ".tmp")
    meta_tmp.write_text(json.dumps(meta, ensure_ascii=False))
    (folder / META_FILE).unlink(missing_ok=True)
    os.replace(vectors_tmp, folder / VECTORS_FILE)
    os.replace(meta_tmp, folder / META_FILE)


def index_exists(data_dir: Path) -> bool:
    """Whether the data dir holds an index (of any checkpoint): a stat, so that an analysis
    without one pays nothing for this feature."""
    folder = index_dir(data_dir)
    return (folder / META_FILE).exists() and (folder / VECTORS_FILE).exists()


def index_meta(data_dir: Path) -> dict[str, object] | None:
    """The index's ``index.json`` (None without one): cheap, for ``etude doctor``-like checks."""
    path = index_dir(data_dir) / META_FILE
    if not path.exists():
        return None
    return dict(json.loads(path.read_text()))


def load_index(data_dir: Path, checkpoint: Path | None = None) -> CorpusIndex:
    """The data dir's corpus index, if it was built by the checkpoint in use.

    Raises :class:`NoCorpusIndex` without one and :class:`StaleCorpusIndex` when another
    checkpoint (or file format) built it; both messages say how to build it.
    """
    from etude.encoders.embedding import checkpoint_dir

    folder = index_dir(data_dir)
    meta_path, vectors_path = folder / META_FILE, folder / VECTORS_FILE
    if not meta_path.exists() or not vectors_path.exists():
        raise NoCorpusIndex(f"no corpus index in {folder}; {BUILD_HINT}")
    current = checkpoint_hash(checkpoint_dir(checkpoint))
    return _load(meta_path, vectors_path, meta_path.stat().st_mtime_ns, current)


@lru_cache(maxsize=2)
def _load(meta_path: Path, vectors_path: Path, stamp: int, current: str) -> CorpusIndex:
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT or meta.get("checkpoint") != current:
        raise StaleCorpusIndex(
            f"the corpus index in {meta_path.parent} was embedded by another MusicBERT "
            f"checkpoint than the one in use; re{BUILD_HINT}"
        )
    with np.load(vectors_path) as data:
        return CorpusIndex(
            model=str(meta["model"]),
            checkpoint=current,
            pieces=[IndexedPiece(**p) for p in meta["pieces"]],
            piece_vectors=data["piece_vectors"].astype(np.float32),
            window_vectors=data["window_vectors"].astype(np.float32),
            window_piece=data["window_piece"],
            window_bars=data["window_bars"],
        )


# --- search -------------------------------------------------------------------------------


def nearest_pieces(
    index: CorpusIndex, piece_vector: np.ndarray, *, k: int = 5, exclude: Iterable[int] = ()
) -> list[tuple[int, float]]:
    """Rows of ``index.pieces`` nearest to a piece vector by cosine, best first."""
    similarity = index.piece_vectors @ _unit(piece_vector)
    for row in exclude:
        similarity[row] = -np.inf
    order = np.argsort(-similarity, kind="stable")[:k]
    return [(int(i), float(similarity[i])) for i in order if np.isfinite(similarity[i])]


def similar_pieces(
    index: CorpusIndex,
    bar_vectors: np.ndarray,
    piece_vector: np.ndarray,
    bars: np.ndarray,
    *,
    k: int = 3,
) -> list[Match]:
    """The ``k`` corpus pieces nearest to the learner's, each with the pair of passages (a
    window of theirs, a window of the learner's) that are nearest to each other."""
    query_windows, query_spans = windows(np.asarray(bar_vectors), bars)
    query_windows = _unit(query_windows)
    found = []
    for row, score in nearest_pieces(index, piece_vector, k=k):
        rows = np.flatnonzero(index.window_piece == row)
        pair = index.window_vectors[rows] @ query_windows.T
        theirs, yours = np.unravel_index(int(np.argmax(pair)), pair.shape)
        found.append(
            Match(
                piece=index.pieces[row],
                score=score,
                bars=(
                    int(index.window_bars[rows[theirs], 0]),
                    int(index.window_bars[rows[theirs], 1]),
                ),
                your_bars=(int(query_spans[yours, 0]), int(query_spans[yours, 1])),
            )
        )
    return found


def similar_section(
    tokens: np.ndarray, data_dir: Path, *, k: int = 3, model: object = None
) -> list[dict[str, object]] | None:
    """``etude analyze --json``'s ``"similar"``: None when there is no usable index (missing or
    stale), so a learner's first analysis never waits on building one."""
    from etude.encoders.embedding import inference_model

    try:
        index = load_index(data_dir)
    except NoCorpusIndex:
        return None
    encoder = model or inference_model()
    bar_vectors, piece_vector = encoder.embed(tokens.astype(np.int64))  # type: ignore[attr-defined]
    matches = similar_pieces(index, bar_vectors, piece_vector, bar_numbers(tokens), k=k + 1)
    # a corpus piece uploaded as it is finds itself: "listen to the piece you sent" helps nobody
    return [m.to_json() for m in matches if m.score < SAME_PIECE][:k]


def similar_evidence(
    tokens: np.ndarray, data_dir: Path, *, tool: str, authoritative: bool = False
) -> list[Evidence]:
    """The tools' evidence: the nearest corpus pieces, summed up by the nearest one's line
    (``data["type"] == "similar"``); nothing without a usable index."""
    found = similar_section(tokens, data_dir)
    if not found:
        return []
    return [
        Evidence(
            tool=tool,
            kind="analysis",
            authoritative=authoritative,
            summary=listen_sentence(found[0]),
            data={"type": "similar", "similar": found},
        )
    ]


def listen_sentence(item: dict[str, object]) -> str:
    """The one line a critique adds, from an index entry (never a made-up title).

    >>> line = listen_sentence({"title": "BWV 281", "collection": "bach", "bars": [5, 8],
    ...                         "your_bars": [1, 4]})
    >>> line[:57]
    'Listen to how BWV 281 handles this (bach, music21 corpus)'
    >>> line[57:]
    ': its bars 5–8 are the closest MusicBERT finds to your bars 1–4.'
    """
    line = f"Listen to how {item['title']} handles this ({item['collection']}, music21 corpus)"
    bars, yours = item.get("bars"), item.get("your_bars")
    if isinstance(bars, list) and isinstance(yours, list):
        line += (
            f": its bars {bars[0]}–{bars[1]} are the closest MusicBERT finds to your bars "
            f"{yours[0]}–{yours[1]}"
        )
    return line + "."


# --- building the data dir's index ----------------------------------------------------------


@dataclass(frozen=True)
class IndexReport:
    """What ``etude corpus index`` did."""

    folder: Path
    files: int
    pieces: int
    windows: int
    collections: list[str]
    changed: bool


def build_corpus_index(
    data_dir: Path,
    *,
    collections: Sequence[str] | None = None,
    limit: int | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[Path, Exception], None] | None = None,
) -> IndexReport:
    """Embed the corpus files (of ``collections``, at most ``limit``) with the checkpoint in
    use into the data dir. An index of the same files by the same checkpoint is kept as it is,
    unless ``force``: the build takes minutes, a repeated command should not."""
    from etude.encoders.embedding import checkpoint_dir, load_model

    paths = corpus_files(collections, limit)
    if not paths:
        wanted = ", ".join(collections or ()) or "any collection"
        raise ValueError(f"music21's corpus has no files for {wanted}")
    folder = index_dir(data_dir)
    digest = checkpoint_hash(checkpoint_dir())
    names = [corpus_relative(p) for p in paths]
    meta = index_meta(data_dir)
    if (
        not force
        and meta is not None
        and meta.get("format") == FORMAT
        and meta.get("checkpoint") == digest
        and meta.get("files") == names
    ):
        pieces = meta.get("pieces")
        return IndexReport(
            folder=folder,
            files=len(names),
            pieces=len(pieces) if isinstance(pieces, list) else 0,
            windows=int(str(meta.get("windows", 0))),
            collections=[str(c) for c in meta.get("collections") or []],  # type: ignore[attr-defined]
            changed=False,
        )
    model = load_model()
    index = build_index(
        iter_corpus_pieces(paths, progress=progress, on_error=on_error),
        model.embed,
        model=model.config.name,
        checkpoint=digest,
    )
    save_index(index, folder, files=names)
    return IndexReport(
        folder=folder,
        files=len(names),
        pieces=len(index.pieces),
        windows=len(index.window_piece),
        collections=sorted({p.collection for p in index.pieces}),
        changed=True,
    )
