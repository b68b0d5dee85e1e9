"""The process the kill-mid-turn test SIGKILLs: a mentor answering turns on a SQLite database.

Importing the graph costs seconds, so this runs as a zygote: it imports it once, then for
every ``fork`` line on stdin forks a fresh child that opens the database (nothing database-side
is shared with the zygote), reports what it finds there and answers turns until it is killed.
Lines on stdout (all flushed at once, so the test sees them in order):

    pid N            the child's process id (the one the test kills)
    answered 1,2,5   turns whose question and reply are both in the saved lesson
    integrity ok     SQLite's own integrity check of the file
    history whole    the saved lesson alternates question, reply (``history half: …``
                     when it holds a question without its reply: half a turn)
    begin N / ack N  a turn starts / the mentor returned it (acknowledged to the learner)
    exited           the zygote reaped the child

The chat model is a stand-in that streams a fixed reply slowly: the model is the boundary here,
and the test is about what the real graph and the real SQLite checkpointer keep across a kill.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from etude.config import Settings
from etude.mentor import Mentor
from etude.tools.registry import builtin_tools, load_registry

REPLY = (
    "Scales are the alphabet of melody. Play this one slowly, then once more with the metronome."
)
SESSION = "kill-test"


class SlowModel(BaseChatModel):
    """Streams ``REPLY`` word by word with a pause, so a turn lasts long enough to be killed."""

    pause: float = 0.02

    @property
    def _llm_type(self) -> str:
        return "slow-stand-in"

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(REPLY))])

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for word in REPLY.split(" "):
            time.sleep(self.pause)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def answered_turns(mentor: Mentor) -> list[int]:
    """Turn numbers whose question is followed by the mentor's reply in the saved thread."""
    history = mentor.history(SESSION)
    done = []
    for asked, replied in itertools.pairwise(history):
        match = re.search(r"turn (\d+)\b", asked["content"])
        if asked["role"] == "human" and replied["role"] == "ai" and match:
            done.append(int(match.group(1)))
    return done


def history_shape(mentor: Mentor) -> str:
    """``whole`` when every question in the lesson is followed by its reply."""
    roles = [message["role"] for message in mentor.history(SESSION)]
    if roles == ["human", "ai"] * (len(roles) // 2):
        return "whole"
    return "half: " + ",".join(roles)


def child(mentor: Mentor, first_turn: int) -> None:
    say(f"pid {os.getpid()}")
    say("answered " + ",".join(str(n) for n in answered_turns(mentor)))
    with sqlite3.connect(mentor.settings.sqlite_path) as check:
        say("integrity " + check.execute("PRAGMA integrity_check").fetchone()[0])
    say("history " + history_shape(mentor))
    turn = first_turn
    while True:
        say(f"begin {turn}")
        mentor.ask(f"Hello again, this is turn {turn} of our chat.", session=SESSION)
        say(f"ack {turn}")
        turn += 1


def main() -> None:
    settings = Settings.from_env()
    # No tools: every turn goes router → tutor → remember, the lightest real turn there is
    # (theory would build a knowledge index in this fresh data directory first).
    registry = load_registry(plugins=False, skip=[spec.name for spec in builtin_tools()])
    # The graph's modules are imported once before any fork; the router is not loaded here:
    # its embedder runs on CTranslate2, whose worker threads a forked child would not have
    # (each child loads its own, ~0.5 s).
    Mentor(settings, registry=registry)
    say("ready")
    for line in sys.stdin:
        command = line.split()
        if command[:1] == ["quit"]:
            break
        pid = os.fork()
        if pid == 0:
            mentor = Mentor(settings, registry=registry)
            mentor.__dict__["chat_model"] = SlowModel()
            try:
                child(mentor, int(command[1]))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        say("exited")


if __name__ == "__main__":
    main()
