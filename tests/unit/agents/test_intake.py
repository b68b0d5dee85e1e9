"""Intake: who is speaking (the profile in the store, grown by what they say) and the level."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.store.memory import InMemoryStore
from langgraph.types import Overwrite

from etude.agents.chat_input import ChatInputError
from etude.agents.intake import load_profile, make_intake
from etude.config import Level, Settings
from etude.learner import LearnerProfile
from etude.state import TurnContext, TurnState
from etude.store_layout import PROFILE_KEY, profile_namespace


def _settings(tmp_path: Path, level: Level = "intermediate") -> Settings:
    return Settings(data_dir=tmp_path, level=level, learner="local")


def _store(learner: str, profile: LearnerProfile) -> InMemoryStore:
    store = InMemoryStore()
    store.put(profile_namespace(learner), PROFILE_KEY, profile.model_dump(mode="json"))
    return store


def _intake(
    settings: Settings,
    question: str,
    *,
    store: InMemoryStore | None,
    learner: str | None = "ana",
    requested: Level | None = None,
) -> dict:
    state: TurnState = {"question": question, "requested_level": requested}
    context = TurnContext(learner=learner) if learner else None
    return make_intake(settings)(state, runtime=Runtime(context=context, store=store))


def test_the_profile_comes_from_the_store(tmp_path: Path) -> None:
    stored = LearnerProfile(name="Ana", instruments=["cello"], level="advanced")
    update = _intake(_settings(tmp_path), "What is a cadence?", store=_store("ana", stored))
    assert update["profile"] == stored.model_dump(mode="json")
    assert update["level"] == "advanced"


def test_what_the_learner_says_grows_the_profile_but_intake_does_not_write_it(
    tmp_path: Path,
) -> None:
    store = _store("ana", LearnerProfile(name="Ana", instruments=["cello"]))
    update = _intake(_settings(tmp_path), "I play the oboe too.", store=store)
    assert update["profile"]["name"] == "Ana"
    assert update["profile"]["instruments"] == ["cello", "oboe"]
    item = store.get(profile_namespace("ana"), PROFILE_KEY)
    assert item is not None and item.value["instruments"] == ["cello"]  # remember() writes


def test_each_learner_has_their_own_profile(tmp_path: Path) -> None:
    store = _store("ana", LearnerProfile(name="Ana"))
    assert _intake(_settings(tmp_path), "Hi", store=store, learner="sam")["profile"]["name"] is None
    # no context (a graph invoked without one): the settings' learner
    assert _intake(_settings(tmp_path), "Hi", store=store, learner=None)["profile"]["name"] is None
    local = _store("local", LearnerProfile(name="Lou"))
    assert _intake(_settings(tmp_path), "Hi", store=local, learner=None)["profile"]["name"] == "Lou"


@pytest.mark.parametrize(
    ("requested", "profile_level", "said", "default", "expected"),
    [
        ("advanced", "beginner", "", "intermediate", "advanced"),  # asked for: wins
        ("advanced", None, " I'm a beginner.", "intermediate", "advanced"),
        (None, "beginner", "", "advanced", "beginner"),  # known about the learner
        (None, None, " I'm a beginner.", "advanced", "beginner"),  # ... said just now
        (None, "advanced", " I'm a beginner.", "intermediate", "beginner"),  # said overrides
        (None, None, "", "advanced", "advanced"),  # nothing known: the settings' default
    ],
)
def test_level_precedence_requested_then_profile_then_settings(
    tmp_path: Path,
    requested: Level | None,
    profile_level: Level | None,
    said: str,
    default: Level,
    expected: Level,
) -> None:
    store = _store("ana", LearnerProfile(level=profile_level))
    update = _intake(
        _settings(tmp_path, default), "What is a cadence?" + said, store=store, requested=requested
    )
    assert update["level"] == expected


def test_without_a_store_a_new_learner_gets_the_default_level(tmp_path: Path) -> None:
    assert load_profile(None, "ana") == LearnerProfile()
    update = _intake(_settings(tmp_path, "beginner"), "Hello", store=None)
    assert update["profile"] == LearnerProfile().model_dump(mode="json")
    assert update["level"] == "beginner"


def test_the_last_upload_stays_the_subject_of_the_lesson(tmp_path: Path) -> None:
    piece = {"path": str(tmp_path / "chorale.musicxml"), "format": "musicxml"}
    intake = make_intake(_settings(tmp_path))
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    first = intake({"question": "what key is this in?", "attachment": piece}, runtime=runtime)
    assert first["piece"] == piece
    later: TurnState = {"question": "is there any bar that doesn't work?", "piece": piece}
    assert intake(later, runtime=runtime)["attachment"] == piece
    general: TurnState = {"question": "what is a deceptive cadence?", "piece": piece}
    assert intake(general, runtime=runtime)["attachment"] is None


def _midi_part(path: Path, **names: str) -> dict:
    data = base64.b64encode(path.read_bytes()).decode()
    return {"type": "file", "base64": data, "mime_type": "audio/midi", **names}


def test_a_chat_clients_message_alone_is_a_turn(tmp_path: Path) -> None:
    """``{"messages": [...]}`` is all LangGraph Studio and Agent Chat UI send."""
    intake = make_intake(_settings(tmp_path))
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    stale: TurnState = {
        "messages": [
            HumanMessage("Spell a G major triad", id="1"),
            AIMessage("G – B – D", id="2"),
            HumanMessage(
                "What is a deceptive cadence?", id="3", additional_kwargs={"level": "advanced"}
            ),
        ],
        "question": "Spell a G major triad",
        "evidence": [{"tool": "theory", "kind": "fact", "summary": "G – B – D"}],
        "answer": "G – B – D",
    }
    update = intake(stale, runtime=runtime)
    assert update["question"] == "What is a deceptive cadence?"
    assert update["level"] == update["requested_level"] == "advanced"
    assert update["evidence"] == Overwrite([]) and update["answer"] == ""
    assert "messages" not in update  # the thread already holds the message as it is


def test_the_older_question_input_still_adds_its_message(tmp_path: Path) -> None:
    intake = make_intake(_settings(tmp_path))
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    update = intake(
        {"messages": [HumanMessage("Hi", id="1"), AIMessage("Hello!", id="2")], "question": "Why?"},
        runtime=runtime,
    )
    assert update["question"] == "Why?"
    assert [m.content for m in update["messages"]] == ["Why?"]


def test_a_score_sent_in_the_message_is_stored_validated_and_replaced_by_a_reference(
    tmp_path: Path, g_major_midi: Path
) -> None:
    intake = make_intake(_settings(tmp_path), trust_paths=False)
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    message = HumanMessage(
        [{"type": "text", "text": "What key is my tune in?"}, _midi_part(g_major_midi)], id="7"
    )
    update = intake({"messages": [message]}, runtime=runtime)
    attachment = update["attachment"]
    assert attachment["format"] == "midi" and update["piece"] == attachment
    stored = Path(attachment["path"])
    assert stored.read_bytes() == g_major_midi.read_bytes()
    assert stored.is_relative_to(tmp_path / "uploads" / "chat")
    (kept,) = update["messages"]
    assert kept.id == "7" and kept.content == "What key is my tune in?"  # no bytes in the thread
    assert kept.additional_kwargs["attachment"] == attachment


def test_a_remote_caller_cannot_name_a_file_on_the_server(tmp_path: Path) -> None:
    secret = tmp_path / "secret.abc"
    secret.write_text("X:1\nK:C\nCDEF|\n")
    reference = {"attachment": {"path": str(secret), "format": "abc"}}
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    message = HumanMessage("Any bad bars?", id="1", additional_kwargs=reference)
    remote = make_intake(_settings(tmp_path), trust_paths=False)
    assert remote({"messages": [message]}, runtime=runtime)["attachment"] is None
    local = make_intake(_settings(tmp_path))  # the CLI: the learner's own machine
    assert local({"messages": [message]}, runtime=runtime)["attachment"]["path"] == str(secret)


def test_a_file_that_is_not_a_score_is_refused_in_one_line(tmp_path: Path) -> None:
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    part = {
        "type": "file",
        "base64": base64.b64encode(b"%PDF-1.4").decode(),
        "mime_type": "application/pdf",
    }
    with pytest.raises(ChatInputError, match="not a score"):
        make_intake(_settings(tmp_path))({"messages": [HumanMessage([part])]}, runtime=runtime)
