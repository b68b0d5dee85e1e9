"""The CLI as a user runs it: separate processes, JSON on stdout, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.etude_cli import run_etude

pytestmark = pytest.mark.integration


def etude(*args: str, data_dir: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return run_etude(*args, timeout=timeout, ETUDE_DATA_DIR=str(data_dir))


def test_ask_json_contract(data_dir: Path) -> None:
    done = etude("ask", "--json", "Which notes make up a G major triad?", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    # the contract's five keys, and the reply's blocks (an extension)
    assert set(payload) == {"session", "answer", "route", "evidence", "timings_ms", "blocks"}
    assert all({"role", "text", "source"} <= set(block) for block in payload["blocks"])
    assert "theory" in payload["route"]
    assert all(note in payload["answer"] for note in ("G", "B", "D"))


def test_session_survives_across_processes(data_dir: Path) -> None:
    first = etude(
        "ask",
        "--session",
        "s1",
        "I play the cello and I'm writing my first string quartet.",
        data_dir=data_dir,
    )
    assert first.returncode == 0, first.stderr
    second = etude(
        "ask",
        "--json",
        "--session",
        "s1",
        "Which instrument did I say I play?",
        data_dir=data_dir,
    )
    assert second.returncode == 0, second.stderr
    assert "cello" in json.loads(second.stdout)["answer"].lower()


def test_batch_answers_every_line_with_its_id(data_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        '{"id": "a", "question": "Spell a D minor triad"}\n'
        '{"id": 7, "question": "What key is this?", "attach": "/no/such.mid"}\n'
    )
    done = etude("ask", "--batch", str(batch), "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", 7]
    assert "theory" in lines[0]["route"] and "F" in lines[0]["answer"]
    assert lines[1]["error"].startswith("file not found")


@pytest.mark.parametrize(
    "args",
    [
        ("ask",),
        ("ask", "--level", "wizard", "What is a cadence?"),
        ("ask", "--attach", "/no/such/file.mid", "What key?"),
        ("analyze", "/no/such/file.mid"),
        ("ask", "--batch", "/no/such/batch.jsonl"),
        ("no-such-command",),
    ],
)
def test_bad_input_is_exit_2_with_one_error_line(args: tuple[str, ...], data_dir: Path) -> None:
    done = etude(*args, data_dir=data_dir, timeout=120)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr


def test_tools_list_json(data_dir: Path) -> None:
    done = etude("tools", "list", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    names = [tool["name"] for tool in json.loads(done.stdout)["tools"]]
    assert names[:4] == ["theory", "critic", "encoder", "memory"]


def test_config_json_says_where_each_setting_came_from(data_dir: Path) -> None:
    done = run_etude(
        "config",
        "--json",
        timeout=120,
        ETUDE_DATA_DIR=str(data_dir),
        ETUDE_MAX_SENTENCES="2",
        ETUDE_MODEL="",  # empty is unset: the default, whatever this machine's shell says
        ETUDE_OPENAI_API_KEY="sk-live-123",
    )
    assert done.returncode == 0, done.stderr
    settings = json.loads(done.stdout)["settings"]
    assert settings["max_sentences"] == {
        "value": 2,
        "source": "env ETUDE_MAX_SENTENCES",
        "env": "ETUDE_MAX_SENTENCES",
    }
    assert settings["data_dir"]["value"] == str(data_dir)
    assert settings["model"] == {"value": "embedded", "source": "default", "env": "ETUDE_MODEL"}
    assert settings["router_llm_fallback"]["env"] == "ETUDE_ROUTER_LLM"
    assert settings["openai_api_key"]["value"] == "********"
    assert "sk-live-123" not in done.stdout + done.stderr


def test_config_prints_one_assignment_per_setting(data_dir: Path) -> None:
    done = run_etude("config", timeout=120, ETUDE_DATA_DIR=str(data_dir), ETUDE_LEVEL="beginner")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(re.fullmatch(r"ETUDE_LEVEL=beginner +# env ETUDE_LEVEL", line) for line in lines)
    assert any(line.startswith("ETUDE_ROUTER_LLM=") for line in lines)


def test_config_refuses_a_bad_value_with_one_error_line(data_dir: Path) -> None:
    done = run_etude(
        "config", timeout=120, ETUDE_DATA_DIR=str(data_dir), ETUDE_DEBUG="", ETUDE_LEVEL="wizard"
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.splitlines() == [
        "error: ETUDE_LEVEL must be one of beginner, intermediate, advanced, got 'wizard'"
    ]
