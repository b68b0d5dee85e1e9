"""A learner turn as any LangGraph chat client sends it: ``{"messages": [...]}``.

LangGraph Studio, Agent Chat UI and ``langgraph_sdk`` send only the thread's new messages; the
turn is the last human message. What Etude needs from it:

- the text: the message's ``content``, a string or the ``text`` parts of a list;
- a score, two ways:

  * inline, as a file content part, the way chat clients send files (LangChain's standard
    block ``{"type": "file", "base64": ..., "mime_type": ..., "filename": ...}`` or the older
    ``{"type": "file", "source_type": "base64", "data": ..., "metadata": {"filename": ...}}``).
    The bytes are stored under ``<data_dir>/uploads/chat/<learner key>/<content hash>/`` and
    validated by the score loader; the thread then keeps the message with the file replaced by
    a reference, so a checkpoint never carries the score's bytes and the model never sees them.
  * by reference, ``additional_kwargs["attachment"] = {"path": ..., "format": ...}``: how the
    CLI and ``etude serve`` pass a file they have already validated. Over LangGraph Server a
    caller could name any path on the server, so there (``trust_paths=False``) a reference is
    honoured only inside the learner's own upload folder.
- a one-off level: ``additional_kwargs["level"]`` (``beginner|intermediate|advanced``).

The older input ``{"question": ..., "attachment": ..., "requested_level": ...}`` still works:
when the thread's last message is not a human one, the turn came that way, and its human
message is added to the thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, get_args

from langchain_core.messages import AnyMessage, HumanMessage

from etude.config import Level
from etude.scores.formats import EXTENSIONS
from etude.state import Attachment, TurnState

log = logging.getLogger(__name__)

ATTACHMENT_KEY = "attachment"
"""``additional_kwargs`` key of a score reference: ``{"path": str, "format": str}``."""

LEVEL_KEY = "level"
"""``additional_kwargs`` key of a level asked for this turn only."""

_MIME_SUFFIX = {
    "audio/midi": ".mid",
    "audio/x-midi": ".mid",
    "audio/mid": ".mid",
    "application/vnd.recordare.musicxml+xml": ".musicxml",
    "application/vnd.recordare.musicxml": ".mxl",
    "text/vnd.abc": ".abc",
}


class ChatInputError(ValueError):
    """A file part that is not a score Etude can read; the message says why, in one line."""


@dataclass(frozen=True)
class TurnMessage:
    """What one turn asks: its text, its score, its level, and how the thread must change."""

    question: str
    attachment: Attachment | None
    level: Level | None
    message: HumanMessage | None
    """The human message to write into the thread: the learner's message with its file parts
    replaced by a reference (same id, so it replaces the original), or the message of an input
    that came without one. None when the thread already holds it as it should be."""


def message_text(message: AnyMessage) -> str:
    """The text of a message, whose content may be a string or a list of content parts.

    >>> message_text(HumanMessage("What is a G major triad?"))
    'What is a G major triad?'
    >>> message_text(HumanMessage([{"type": "text", "text": "Any bad bars?"},
    ...                            {"type": "file", "base64": "AA==", "mime_type": "audio/midi"}]))
    'Any bad bars?'
    """
    content = message.content
    if isinstance(content, str):
        return content
    texts = [
        part if isinstance(part, str) else str(part.get("text") or "")
        for part in content
        if isinstance(part, str) or part.get("type") == "text"
    ]
    return "\n".join(text for text in texts if text).strip()


def _file_parts(message: AnyMessage) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return []
    return [p for p in message.content if isinstance(p, dict) and p.get("type") == "file"]


def _suffix(part: dict[str, Any]) -> str:
    """The file ending of a file part, from its name or else its MIME type.

    >>> _suffix({"filename": "Chorale.MXL"})
    '.mxl'
    >>> _suffix({"metadata": {"filename": "tune.abc"}})
    '.abc'
    >>> _suffix({"mime_type": "audio/midi"})
    '.mid'
    """
    metadata = part.get("metadata") or {}
    name = str(part.get("filename") or metadata.get("filename") or metadata.get("name") or "")
    suffix = Path(name).suffix.lower()
    if suffix in EXTENSIONS:
        return suffix
    mime = str(part.get("mime_type") or "").lower()
    if mime in _MIME_SUFFIX:
        return _MIME_SUFFIX[mime]
    raise ChatInputError(
        f"the attached file ({name or mime or 'no name'}) is not a score Etude reads "
        f"({', '.join(sorted(EXTENSIONS))})"
    )


def _decode(part: dict[str, Any], limit: int) -> bytes:
    encoded = part.get("base64")
    if encoded is None and part.get("source_type") == "base64":
        encoded = part.get("data")
    if not isinstance(encoded, str):
        raise ChatInputError("an attached file must come as base64 data in the message")
    if len(encoded) > limit * 4 // 3 + 4:
        raise ChatInputError(f"the attached file is too large (the limit is {limit / 1e6:.0f} MB)")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ChatInputError("the attached file's base64 data is not valid") from None
    if not data:
        raise ChatInputError("the attached file is empty")
    return data


def learner_uploads(uploads_root: Path, learner: str) -> Path:
    """The learner's folder for files sent in chat messages; hashed, so that no learner id can
    name a path.

    >>> learner_uploads(Path("/d/uploads"), "../../etc").parent
    PosixPath('/d/uploads/chat')
    """
    return uploads_root / "chat" / hashlib.sha256(learner.encode()).hexdigest()[:24]


def store_file_part(part: dict[str, Any], folder: Path, limit: int) -> Attachment:
    """Save a file part's bytes in ``folder/<content hash>/score<ending>`` and validate them as
    a score; the same file sent twice is stored once."""
    from etude.attachments import prepare_attachment
    from etude.scores.loading import ScoreError

    suffix = _suffix(part)
    data = _decode(part, limit)
    target = folder / hashlib.sha256(data).hexdigest()[:16] / f"score{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    try:
        return prepare_attachment(target)
    except ScoreError as exc:
        raise ChatInputError(str(exc).splitlines()[0]) from exc


def _reference(value: Any, allowed: Path | None) -> Attachment | None:
    """A score reference from ``additional_kwargs``; outside ``allowed`` (when given) it is
    refused, so a remote caller cannot make the server read a file of its choosing."""
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        return None
    path = Path(value["path"]).resolve()
    if allowed is not None and not path.is_relative_to(allowed.resolve()):
        log.warning("ignored an attachment outside the learner's upload folder")
        return None
    return {"path": str(path), "format": str(value.get("format") or "")}


def _level(value: Any) -> Level | None:
    return cast(Level, value) if value in get_args(Level) else None


def read_turn(
    state: TurnState, *, uploads: Path, limit: int, trust_paths: bool = True
) -> TurnMessage:
    """The turn the input asks for; ``uploads`` is the learner's folder for files sent inline.

    >>> turn = read_turn({"messages": [HumanMessage("Hi", id="1")]}, uploads=Path("/u"), limit=1)
    >>> turn.question, turn.attachment, turn.message
    ('Hi', None, None)
    >>> turn = read_turn({"question": "Hi", "messages": []}, uploads=Path("/u"), limit=1)
    >>> turn.question, turn.message.content
    ('Hi', 'Hi')
    """
    messages = list(state.get("messages") or [])
    last = messages[-1] if messages else None
    if not isinstance(last, HumanMessage):
        question = state.get("question") or ""
        attachment = state.get("attachment")
        if attachment is not None and not trust_paths:
            attachment = _reference(attachment, uploads)
        return TurnMessage(
            question, attachment, state.get("requested_level"), HumanMessage(question)
        )
    kwargs = dict(last.additional_kwargs)
    attachment = _reference(kwargs.get(ATTACHMENT_KEY), None if trust_paths else uploads)
    files = _file_parts(last)
    for part in files:
        attachment = store_file_part(part, uploads, limit)
    rewritten = None
    if files:
        kwargs[ATTACHMENT_KEY] = attachment
        rewritten = HumanMessage(message_text(last), id=last.id, additional_kwargs=kwargs)
    return TurnMessage(message_text(last), attachment, _level(kwargs.get(LEVEL_KEY)), rewritten)
