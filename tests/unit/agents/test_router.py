"""The router on labelled messages it has never seen (none is one of a tool's examples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etude.agents.router import CONVERSATION, Router, parse_decision
from etude.knowledge.embeddings import shared_embedder
from etude.tools.base import ToolSpec
from etude.tools.registry import load_registry

LABELLED = Path(__file__).parents[2] / "data" / "routing_labelled.jsonl"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_registry(plugins=False), shared_embedder())


def _labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]


def test_labelled_set_is_held_out() -> None:
    examples = {e.lower() for spec in load_registry(plugins=False) for e in spec.examples}
    items = _labelled()
    assert len(items) >= 40
    assert not [i["message"] for i in items if i["message"].lower() in examples]


def test_routing_accuracy_at_least_90_percent(router: Router) -> None:
    items = _labelled()
    misses = []
    for item in items:
        tools, _ = router.classify(item["message"], has_attachment=item["attachment"])
        if set(tools) != set(item["tools"]):
            misses.append((item["message"], item["tools"], tools))
    accuracy = 1 - len(misses) / len(items)
    assert accuracy >= 0.9, misses


def test_score_tools_need_an_attachment(router: Router) -> None:
    scores = router.scores("Check my voice leading please", has_attachment=False)
    assert "critic" not in scores and "encoder" not in scores
    assert "critic" in router.scores("Check my voice leading please", has_attachment=True)


def test_unsure_classifier_asks_the_llm(router: Router) -> None:
    asked: list[str] = []

    def llm(prompt: str) -> str:
        asked.append(prompt)
        return '{"tools": ["theory"]}'

    route = router.route("zxqv blorp chord", has_attachment=False, threshold=0.99, ask_llm=llm)
    assert route.tools == ["theory"] and route.decided_by == "llm"
    assert "theory:" in asked[0]


def test_unusable_llm_answer_falls_back_to_classifier(router: Router) -> None:
    route = router.route(
        "What is a cadence?", has_attachment=False, threshold=0.99, ask_llm=lambda p: "hmm"
    )
    assert route.decided_by == "classifier" and route.tools == ["theory"]


def test_conversation_routes_to_no_tool(router: Router) -> None:
    tools, scores = router.classify("Hello! Nice to meet you.", has_attachment=False)
    assert tools == [] and next(iter(scores)) == CONVERSATION


@pytest.mark.parametrize(
    ("text", "expected"),
    [('{"tools": []}', []), ('{"tools": ["critic", "critic"]}', ["critic"]), ("{bad json}", None)],
)
def test_parse_decision(text: str, expected: list[str] | None) -> None:
    assert parse_decision(text, ["theory", "critic"]) == expected


def test_a_question_the_theory_grammar_parses_is_routed_without_the_llm(router: Router) -> None:
    def llm(prompt: str) -> str:
        raise AssertionError("the grammar was certain; the LLM must not be asked")

    message = "What interval is F# to E#?"
    assert max(router.scores(message, has_attachment=False).values()) < 0.99
    route = router.route(message, has_attachment=False, threshold=0.99, ask_llm=llm)
    assert route.tools == ["theory"] and route.decided_by == "classifier"


def test_chat_the_grammar_does_not_parse_is_not_claimed(router: Router) -> None:
    assert router.recognised("Hi, I'm Lena and I sing in a choir", has_attachment=False) == []


def test_a_message_with_nothing_musical_is_off_topic_without_asking_the_llm(
    router: Router,
) -> None:
    def llm(prompt: str) -> str:
        raise AssertionError("the model must not be asked to route a pizza question")

    route = router.route(
        "what's a good pizza topping?", has_attachment=False, threshold=0.99, ask_llm=llm
    )
    assert route.tools == [] and route.decided_by == "offtopic"
    music = router.route("How is a rondo put together?", has_attachment=False, threshold=0.0)
    assert music.decided_by == "classifier" and music.tools


@pytest.mark.parametrize(
    ("message", "off_topic"),
    [
        ("Who won the football match last night?", True),
        ("Can you help me debug my Python script?", True),
        ("hello there!", False),
        ("thanks, that helped", False),
        ("what do you remember about me?", False),
        ("I'm Noor and I play the oud", False),
        ("I am feeling stuck and a bit discouraged", False),
        ("ok that one was way too easy, got anything harder?", False),
        ("can I have another exercise please", False),
        ("what's the best route to the airport from here?", True),
    ],
)
def test_small_talk_and_the_learner_themselves_are_not_off_topic(
    router: Router, message: str, off_topic: bool
) -> None:
    route = router.route(message, has_attachment=False, threshold=0.0)
    assert (route.decided_by == "offtopic") is off_topic


@pytest.mark.parametrize(
    "message",
    [
        "made a little duo for violin and cello. is everything playable?",
        "here's my exercise for class, can you check it before I hand it in?",
        "which mode did I end up in?",
    ],
)
def test_a_sent_score_is_always_read_by_the_critic(router: Router, message: str) -> None:
    route = router.route(message, has_attachment=True, threshold=0.0)
    assert route.tools[0] == "critic"
    assert "lesson" not in route.tools  # no exercise is open: the score is not a submission


@pytest.mark.parametrize(
    "message",
    ["should every verse of a song rhyme the same way?", "how can I train my ear for chords?"],
)
def test_a_music_question_never_goes_to_chat_alone(router: Router, message: str) -> None:
    route = router.route(message, has_attachment=False, threshold=0.0)
    assert "theory" in route.tools


def _composer(request: object, settings: object) -> list:
    return []


COMPOSER = ToolSpec(
    name="composer",
    description="Composes new tunes in ABC notation to order: key, metre, bars.",
    examples=(
        "Write an 8-bar melody in D dorian",
        "Compose a waltz in B flat major",
        "I wrote a tune in ABC notation",
    ),
    run=_composer,
    recognizes=lambda message: message.lower().startswith("compose"),
    makes_to_order=True,
)


@pytest.mark.parametrize(
    "message",
    [
        "I wrote 2 voices in ABC notation, does the lower voice work with the upper one?",
        "happy little tune in D major but something sounds sour near the start, can u find it?",
    ],
)
def test_a_question_about_a_sent_score_is_never_composition(message: str) -> None:
    router = Router(load_registry(plugins=False, extra=[COMPOSER]), shared_embedder())
    kept = router._with_score(["composer", "theory"], [], True, message)
    assert kept[0] == "critic" and "composer" not in kept and "theory" in kept
    # an order about the score, or one the composer's own grammar reads, still reaches it
    assert "composer" in router._with_score(["composer"], [], True, "Harmonise this tune")
    assert "composer" in router._with_score(["composer"], ["composer"], True, "compose a B part?")


@pytest.mark.parametrize(
    "message",
    ["that's way too simple, something more challenging please", "ok something tougher?"],
)
def test_asking_for_a_harder_exercise_is_not_off_topic(router: Router, message: str) -> None:
    assert router.route(message, has_attachment=False, threshold=0.0).decided_by != "offtopic"


@pytest.fixture(scope="module")
def composer_router() -> Router:
    return Router(load_registry(plugins=False, extra=[COMPOSER]), shared_embedder())


@pytest.mark.parametrize(
    "message",
    [
        "how do I end a phrase so it sounds complete?",
        "what's the best way to finish a tune?",
        "any tips for writing a catchy chorus melody?",
        "so how should a melody close?",
    ],
)
def test_a_how_to_question_is_the_knowledge_bases(composer_router: Router, message: str) -> None:
    """A tool with its own grammar that did not read a how-to question is not fanned out to
    by similarity: what it makes is no answer to "how do I …?"."""
    router = composer_router
    assert router._questions_are_not_orders(message, ["theory", "composer"], []) == ["theory"]
    assert router._questions_are_not_orders(message, ["composer", "lesson"], []) == ["theory"]
    # a grammar that read it keeps its turn; tools without a grammar keep theirs
    assert router._questions_are_not_orders(message, ["composer"], ["composer"]) == ["composer"]
    assert router._questions_are_not_orders(message, ["theory", "memory"], []) == [
        "theory",
        "memory",
    ]
    assert router._questions_are_not_orders(message, [], []) == []  # chat stays chat


@pytest.mark.parametrize(
    "message",
    ["compose a tune that ends on the tonic", "write me a waltz", "a jig in G major, 8 bars"],
)
def test_an_order_keeps_the_maker(composer_router: Router, message: str) -> None:
    """An order is not a question: similarity may still send it to the composer."""
    assert composer_router._questions_are_not_orders(message, ["composer"], []) == ["composer"]


@pytest.mark.parametrize(
    "message", ["how many bars is a period?", "why is my tune boring?", "what's a hornpipe?"]
)
def test_a_question_that_is_not_a_how_to_keeps_a_grammar_tool_that_answers(
    composer_router: Router, message: str
) -> None:
    assert composer_router._questions_are_not_orders(message, ["lesson"], []) == ["lesson"]


@pytest.mark.parametrize(
    "message",
    ["is a perfect fifth 8 semitones?", "what can I play instead of the D chord in B minor?"],
)
def test_a_maker_gets_no_question_its_grammar_did_not_read(
    composer_router: Router, message: str
) -> None:
    """The composer answers no questions; a tool that does (the lesson tool) keeps a question
    that is not a how-to, and the composer keeps an order its grammar read."""
    router = composer_router
    assert router._questions_are_not_orders(message, ["theory", "composer"], []) == ["theory"]
    assert router._questions_are_not_orders(message, ["lesson"], []) == ["lesson"]
    asked = "compose a tune for me, could you?"
    assert router._questions_are_not_orders(asked, ["composer"], ["composer"]) == ["composer"]


@pytest.mark.parametrize(
    "message",
    [
        "help me pick chords for a sad verse in E minor",
        "could you help me choose a key for my ballad",
        "I need help finding chords for my chorus in G",
        "which chords should I use for a dark bridge",
        "what chords work for a hopeful chorus in D major",
    ],
)
def test_a_request_for_help_choosing_is_advice_not_an_order(
    composer_router: Router, message: str
) -> None:
    """A request for help choosing is treated as a how-to: the maker, and any grammar tool that
    did not read it, are left out; a maker whose own grammar read it keeps it."""
    router = composer_router
    assert router._questions_are_not_orders(message, ["composer", "theory"], []) == ["theory"]
    assert router._questions_are_not_orders(message, ["composer"], []) == ["theory"]
    assert router._questions_are_not_orders(message, ["composer"], ["composer"]) == ["composer"]
