"""Etude from Python: ``from etude import Mentor``.

The same mentor as ``etude ask`` and ``etude chat``, as one object with six methods:

============================  ==========================================================
``ask(question)``              one turn, answered in full: a :class:`~etude.mentor.TurnResult`
``stream(question)``           one turn, as its text is written (a :class:`Reply`)
``analyze(score)``             the critic on a MIDI, MusicXML or ABC file, no language model
``history(session)``           a lesson's turns with their evidence (a
                               :class:`~etude.transcripts.Transcript`)
``sessions()``                 the saved lessons, most recent first
``progress()``                 the learner's mastery per skill
============================  ==========================================================

Settings come from the ``ETUDE_*`` environment variables, as for the CLI; keyword arguments
override them by field name (``Mentor(level="beginner", data_dir="/tmp/etude")``, the names of
``etude config``). The models load on the first question, not in the constructor, and stay
loaded for the next; ``close()`` (or a ``with`` block) releases the lesson database.

Without ``session=`` each question starts a new lesson, as ``etude ask`` does; pass the
``session`` of an earlier answer to continue that lesson. Runnable examples:
``docs/API.md`` (tested) and ``examples/python_api.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from etude.config import Level, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from etude.critic.report import AnalysisReport
    from etude.lessons.progress import ProgressReport
    from etude.mentor import Mentor as Engine
    from etude.mentor import TurnResult
    from etude.scores import LoadedScore
    from etude.sessions import Persistence
    from etude.state import Attachment
    from etude.transcripts import SessionSummary, Transcript


class Reply:
    """A turn being answered: iterate over it for the text as it is written, then read
    :attr:`result` for the whole turn (session, route, evidence), as :meth:`Mentor.ask` gives.

    The turn runs as you iterate; reading ``result`` first runs it to the end.
    """

    def __init__(self, events: Iterator[dict[str, Any]]) -> None:
        self._events = events
        self._result: TurnResult | None = None

    def __iter__(self) -> Iterator[str]:
        for event in self._events:
            if event.get("event") == "token":
                yield str(event["text"])
            elif event.get("event") == "done":
                self._result = event["result"]

    @property
    def result(self) -> TurnResult:
        """The answered turn."""
        if self._result is None:
            for _ in self:
                pass
        if self._result is None:
            raise RuntimeError("the turn ended without an answer")
        return self._result


class Mentor:
    """Etude's composition mentor. See the module docstring for the whole surface."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        chat_model: BaseChatModel | None = None,
        **overrides: Any,
    ) -> None:
        """``settings`` (default: from the environment), with ``overrides`` by field name;
        ``chat_model`` replaces the configured model with any LangChain chat model."""
        base = settings if settings is not None else Settings.from_env()
        self.settings: Settings = base.with_overrides(**overrides) if overrides else base
        self._chat_model = chat_model
        self._engine: Engine | None = None
        self._database: Persistence | None = None

    @property
    def engine(self) -> Engine:
        """The mentor the CLI and the server drive (:class:`etude.mentor.Mentor`), created on
        first use: the graph, the router and the chat model load when a turn needs them."""
        if self._engine is None:
            from etude.mentor import Mentor as Engine

            self._engine = Engine(
                self.settings, persistence=self._persistence(), chat_model=self._chat_model
            )
        return self._engine

    def ask(
        self,
        question: str,
        *,
        session: str | None = None,
        attach: str | Path | None = None,
        level: Level | None = None,
    ) -> TurnResult:
        """Ask one question (with a score, if ``attach`` names one) and wait for the answer.

        Raises ``etude.scores.loading.ScoreError`` for a score that cannot be read.
        """
        return self.stream(question, session=session, attach=attach, level=level).result

    def stream(
        self,
        question: str,
        *,
        session: str | None = None,
        attach: str | Path | None = None,
        level: Level | None = None,
    ) -> Reply:
        """Ask one question and receive the answer as it is written (see :class:`Reply`)."""
        attachment = _attachment(attach)
        return Reply(
            self.engine.stream_turn(question, session=session, attachment=attachment, level=level)
        )

    def analyze(self, score: str | Path, *, level: Level | None = None) -> AnalysisReport:
        """The critic's report on a score (``etude analyze --json``); no language model."""
        return analyze_score(Path(score), level=level or self.settings.level)

    def history(self, session: str) -> Transcript:
        """A saved lesson, turn by turn; ``KeyError`` if there is no lesson ``session``."""
        from etude.transcripts import transcript

        found = transcript(self._persistence(), session)
        if found is None:
            raise KeyError(session)
        return found

    def sessions(self) -> list[SessionSummary]:
        """The saved lessons, most recently changed first."""
        from etude.transcripts import summaries

        return summaries(self._persistence())

    def progress(self, learner: str | None = None) -> ProgressReport:
        """Mastery per skill on the learner's path (``etude progress --json``)."""
        from etude.lessons.progress import progress_report
        from etude.lessons.records import LessonRecords

        return progress_report(
            LessonRecords(self._persistence().store), learner or self.settings.learner
        )

    def close(self) -> None:
        """Release the lesson database; a later call opens it again."""
        if self._database is not None:
            self._database.close()
        self._engine = self._database = None

    def __enter__(self) -> Mentor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _persistence(self) -> Persistence:
        """The lesson database, opened once; reading lessons or progress loads no model."""
        if self._database is None:
            from etude.sessions import open_persistence

            self._database = open_persistence(self.settings)
        return self._database


def _attachment(path: str | Path | None) -> Attachment | None:
    if path is None:
        return None
    from etude.attachments import prepare_attachment

    return prepare_attachment(path)


def analyze_score(
    path: Path, *, level: Level, encoder: bool = True, data_dir: Path | None = None
) -> AnalysisReport:
    """The critic's report with the encoder's style estimate, its most surprising notes and
    the corpus pieces nearest to the score (``style``, ``encoder`` and ``similar`` stay None
    when the encoder has no checkpoint, cannot read the piece, or ``encoder=False``;
    ``similar`` also without a corpus index of the checkpoint in ``data_dir``, by default the
    settings' data dir): what ``etude analyze`` prints. The file is read once, and the critic
    and the encoder share that reading (and its time budget).
    """
    from etude.critic.analysis import analyze_score as critic_report
    from etude.scores import load_score

    loaded = load_score(path)
    report = critic_report(loaded, level=level, style=encoder)
    if encoder:
        report.style = _style(loaded)
        report.encoder = _surprise(loaded)
        report.similar = _similar(loaded, data_dir or Settings.from_env().data_dir)
    return report


def _similar(loaded: LoadedScore, data_dir: Path) -> list[dict[str, object]] | None:
    """The nearest corpus pieces; None at once without an index (a first analysis never
    waits on building one: `etude corpus index` does)."""
    try:
        from etude.encoders.octuple import OctupleEncoder
        from etude.encoders.similar import index_exists, similar_section
        from etude.scores.midi_bytes import score_midi_bytes

        if not index_exists(data_dir):
            return None
        tokens = OctupleEncoder().encode(score_midi_bytes(loaded)).tokens
        return similar_section(tokens, data_dir)
    except (OSError, ValueError):
        return None


def _surprise(loaded: LoadedScore) -> dict[str, object] | None:
    """The encoder's most surprising notes (information only, never a finding)."""
    try:
        from etude.encoders.surprise import analysis_section

        return analysis_section(loaded.score)
    except (OSError, ValueError):
        return None


def _style(loaded: LoadedScore) -> dict[str, object] | None:
    try:
        from etude.encoders.embedding import embed_midi, estimate_style
        from etude.scores.midi_bytes import score_midi_bytes

        piece = embed_midi(score_midi_bytes(loaded)).piece
        return estimate_style(piece).model_dump(mode="json")
    except (OSError, ValueError):
        return None
