"""``etude ask``: one turn, or a batch of independent turns with the model loaded once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from etude.cli.console import err, progress_bar, status
from etude.cli.errors import InputError, first_line
from etude.config import Level, Settings
from etude.mentor import Mentor, TurnResult


def result_json(result: TurnResult) -> dict[str, Any]:
    return result.model_dump(mode="json")


def _loads_quickly(settings: Settings) -> bool:
    """Whether the chat model can wait for the first reply that needs it: a model server, or
    the embedded model already converted and merged (about a second). A one-off question
    answered by computed facts then never loads it; a first conversion or a big local model
    still loads up front, with its progress said."""
    from etude.llm.loading import embedded_model_ready

    return bool(settings.openai_base_url) or embedded_model_ready(settings)


def run_single(
    settings: Settings,
    question: str,
    *,
    session: str | None,
    attach: Path | None,
    level: Level | None,
    as_json: bool,
) -> None:
    attachment = None
    if attach:
        from etude.attachments import prepare_attachment  # music21 only when a score is sent

        attachment = prepare_attachment(attach)
    starting = [True]
    with status("Starting Etude…", quiet=as_json) as say:
        # Loading steps are announced while starting; a model loaded later, in the middle of
        # the reply, must not print its step between the reply's lines.
        mentor = Mentor(settings, status=lambda text: say(text) if starting[0] else None)
        mentor.warm_up(model=not _loads_quickly(settings))
    starting[0] = False
    try:
        if as_json:
            answered = mentor.ask(question, session=session, attachment=attachment, level=level)
            sys.stdout.write(json.dumps(result_json(answered), ensure_ascii=False) + "\n")
            return
        result: TurnResult | None = None
        for event in mentor.stream_turn(
            question, session=session, attachment=attachment, level=level
        ):
            if event["event"] == "token":
                sys.stdout.write(event["text"])
                sys.stdout.flush()
            elif event["event"] == "done":
                result = event["result"]
        sys.stdout.write("\n")
        if result is not None:
            err.print(
                f"[dim]session {result.session} · route {', '.join(result.route) or 'none'}"
                f" · {result.timings_ms.get('total', 0) / 1000:.1f} s[/dim]"
            )
    finally:
        mentor.close()


def _read_batch(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"batch file not found: {path}")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise InputError(f'{path}:{number}: needs a "question" string')
        items.append(item)
    return items


def run_batch(settings: Settings, path: Path, *, level: Level | None) -> None:
    """Each line is its own lesson unless it names one with ``"session"`` (lines naming the
    same session continue it, in file order); a bad attachment fails that line, not the
    batch."""
    items = _read_batch(path)
    with status("Starting Etude…") as say:
        mentor = Mentor(settings, status=say)
        mentor.warm_up()
    try:
        with progress_bar("Answering", total=len(items)) as update:
            for number, item in enumerate(items, start=1):
                record = _answer(mentor, item, number, level)
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                sys.stdout.flush()
                update(number, len(items))
    finally:
        mentor.close()


def _answer(
    mentor: Mentor, item: dict[str, Any], number: int, level: Level | None
) -> dict[str, Any]:
    """One batch line's output: the ``ask --json`` object with the line's id, or its error."""
    from etude.attachments import prepare_attachment
    from etude.scores.loading import ScoreError

    record: dict[str, Any] = {"id": item.get("id", number)}
    try:
        attachment = prepare_attachment(item["attach"]) if item.get("attach") else None
        result = mentor.ask(
            item["question"],
            session=item.get("session"),
            attachment=attachment,
            level=item.get("level") or level,
        )
        record.update(result_json(result))
    except ScoreError as exc:
        record["error"] = first_line(exc)
    return record
